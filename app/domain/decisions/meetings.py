"""The committee's meeting (评审会议 / 全体会议): convened with the candidate list as its agenda,
attendance recorded, quorum checked, the reports heard where the text requires them (the office's
and the supervision team's, hangzhou-3.3.6a; the review report, jinshan-18l), votes and deliberations, the chair's resolutions, the count and the close.

Votes, by the method of each candidate's tier:
- secret ballot (无记名投票, hangzhou-3.3.6b): the participation row says who voted; the ballot row
  (candidate and choice under a random key) is written in the same transaction and nothing joins
  them; at the close every ballot of the meeting is re-issued in random order, so not even the
  rows' system columns tie a ballot to the vote that cast it;
- show of hands (举手表决, hangzhou-3.3.6c): each member's vote by name;
- deliberation (审议, changning-25b, jinshan-18l, linyi-14g, tianning-12h): the chair records the
  body's decision per candidate with the members present.
A member votes once per candidate (the participation's primary key, however requests race) and
never on a candidate it is conflicted with (the experts' conflict rule, re-checked at each vote).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import decisions as access
from app.db.models.decisions import CandidateList, CommitteeMember, Meeting
from app.db.models.workflow import Application, Round
from app.db.repositories import decisions as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock
from app.domain.decisions import members as people
from app.domain.decisions.lists import ENDED
from app.domain.decisions.members import forbidden
from app.domain.decisions.procedures import procedure
from app.domain.decisions.tally import CHOICES, CandidateResult, GroupResult, count_candidate, settle_group
from app.domain.errors import DomainError, FieldError, invalid, not_found
from app.domain.preconditions import check_if_match
from app.domain.programmes.effective import effective_programme
from app.identity import Principal


def _guard_failed(condition: str, zh: str, en: str, clause: str | None, **extra: Any) -> DomainError:
    return DomainError(
        "guard-failed", 409, zh, en, title="Conflict", clause=clause, extra={"condition": condition, **extra}
    )


async def readable_meeting(
    session: AsyncSession, principal: Principal, meeting_id: uuid.UUID, *, lock: str | None = None
) -> Meeting:
    meeting = await repo.get_meeting(session, meeting_id, lock=lock)
    if meeting is None or not access.reads_committee(principal, meeting.programme):
        raise not_found("评审会议", "Meeting", meeting_id)
    return meeting


def _require_office(principal: Principal, meeting: Meeting) -> None:
    if not access.manages_committee(principal, meeting.programme):
        raise forbidden("会议由评审办公室筹备", "The programme's office prepares the meeting")


def _require_open(meeting: Meeting) -> None:
    if meeting.status != "convened":
        raise DomainError(
            "meeting-closed",
            409,
            "会议已结束",
            "The meeting is closed",
            title="Conflict",
            extra={"status": meeting.status},
        )


async def _chair(session: AsyncSession, principal: Principal, meeting: Meeting) -> CommitteeMember:
    chair = await repo.get_member(session, meeting.chair_id)
    if chair is None or not access.is_member(principal, chair):
        raise forbidden("此项由会议主持人（主任委员）办理", "Only the meeting's chair may do this")
    return chair


async def convene(session: AsyncSession, principal: Principal, body: dict[str, Any]) -> Meeting:
    """Convene the meeting on a candidate list: the list becomes its agenda and stops changing."""
    cl: CandidateList | None = await repo.get_list(session, body["list_id"], for_update=True)
    if cl is None or not access.reads_committee(principal, cl.programme):
        raise invalid("list_id", "无此候选名单", "no such candidate list", "not_found")
    if not access.manages_committee(principal, cl.programme):
        raise forbidden("会议由评审办公室筹备", "The programme's office prepares the meeting")
    check_if_match(body.get("list_etag"), cl.version)
    chair = await repo.get_member(session, body["chair_id"])
    if chair is None or chair.programme != cl.programme or not people.in_term(chair, body["held_on"]):
        raise invalid(
            "chair_id", "主持人须为任期内的本项目评审委员会成员", "the chair must be a member in term", "not_member"
        )
    if cl.status != "proposed" or await repo.meeting_of_list(session, cl.id) is not None:
        raise DomainError(
            "list-on-agenda", 409, "该候选名单已提交会议", "The list is already on a meeting's agenda", title="Conflict"
        )
    cl.status = "on_agenda"
    cl.version += 1
    meeting = Meeting(
        id=uuid.uuid4(),
        round_id=cl.round_id,
        list_id=cl.id,
        programme=cl.programme,
        chair_id=chair.id,
        held_on=body["held_on"],
        status="convened",
        agenda=cl.groups,
        attendance=[],
        reports={},
        deliberations={},
        resolutions=[],
        outcome={},
        version=1,
        convened_by=principal.key,
        convened_at=clock.now(),
        closed_at=None,
    )
    await repo.add(session, meeting)
    return meeting


async def _members_in_term(session: AsyncSession, programme: str, on: date) -> list[CommitteeMember]:
    return [m for m in await repo.members_of(session, programme) if people.in_term(m, on)]


async def record_attendance(
    session: AsyncSession, principal: Principal, meeting_id: uuid.UUID, present: list[uuid.UUID], if_match: str | None
) -> Meeting:
    meeting = await readable_meeting(session, principal, meeting_id, lock="update")
    _require_office(principal, meeting)
    check_if_match(if_match, meeting.version)
    _require_open(meeting)
    if meeting.deliberations or await repo.participation(session, meeting.id):
        # who was present is what each vote was counted against: fixed once the first is cast
        raise DomainError(
            "voting-started",
            409,
            "表决已开始，出席名单不能再修改",
            "Voting has started: the attendance can no longer change",
            title="Conflict",
        )
    in_term = {m.id for m in await _members_in_term(session, meeting.programme, meeting.held_on)}
    bad = [
        FieldError(f"present[{i}]", "不是任期内的本项目委员", "not a member in term", "not_member")
        for i, m in enumerate(present)
        if m not in in_term
    ]
    if bad:
        raise DomainError(
            "validation-error",
            422,
            "出席名单有误",
            "The attendance is invalid",
            title="Unprocessable Content",
            errors=bad,
        )
    meeting.attendance = [str(m) for m in dict.fromkeys(present)]
    meeting.version += 1
    await session.flush()
    return meeting


async def hear_report(
    session: AsyncSession, principal: Principal, meeting_id: uuid.UUID, kind: str, text: str, if_match: str | None
) -> Meeting:
    """A report the body hears before it decides, where the text requires it (hangzhou-3.3.6a, jinshan-18l)."""
    meeting = await readable_meeting(session, principal, meeting_id, lock="update")
    _require_office(principal, meeting)
    check_if_match(if_match, meeting.version)
    _require_open(meeting)
    kinds = [r.kind for r in procedure(meeting.programme).reports_heard]
    if kind not in kinds:
        raise invalid(
            "kind", f"本项目会议听取的汇报：{'、'.join(kinds) or '无'}", f"one of: {', '.join(kinds)}", "enum"
        )
    meeting.reports = {**meeting.reports, kind: {"text": text, "heard_at": clock.now().isoformat()}}
    meeting.version += 1
    await session.flush()
    return meeting


async def _require_quorum(session: AsyncSession, meeting: Meeting) -> None:
    """No vote, deliberation or close without the quorum of the members in office (the programme's setting)."""
    rule = procedure(meeting.programme).quorum
    members = await _members_in_term(session, meeting.programme, meeting.held_on)
    need = rule.required(len(members))
    present = len(meeting.attendance)
    if present < need:
        raise _guard_failed(
            "quorum",
            f"出席委员 {present} 人，未达到法定人数 {need} 人（全体委员 {len(members)} 人）",
            f"{present} members present, below the quorum of {need} (of {len(members)} members)",
            None,
            present=present,
            required=need,
            members=len(members),
            stated=rule.stated,
        )


def _require_report(meeting: Meeting) -> None:
    for rule in procedure(meeting.programme).reports_heard:
        if rule.kind not in meeting.reports:
            # the body hears them before it decides (hangzhou-3.3.6a, jinshan-18l)
            raise _guard_failed(
                f"{rule.kind}_report",
                f"须先听取{rule.name_zh}",
                f"The report '{rule.kind}' must be heard first",
                rule.clause,
            )


def _entry(meeting: Meeting, application_id: uuid.UUID) -> tuple[dict, dict]:
    for g in meeting.agenda:
        for e in g["entries"]:
            if e["application_id"] == str(application_id):
                return g, e
    raise invalid(
        "application_id", "该申报不在会议议程中", "the application is not on the meeting's agenda", "not_on_agenda"
    )


async def _application(session: AsyncSession, application_id: uuid.UUID) -> Application:
    apps = await repo.applications(session, [application_id])
    if not apps:
        raise not_found("申报", "Application", application_id)
    return apps[0]


async def vote(
    session: AsyncSession, principal: Principal, meeting_id: uuid.UUID, application_id: uuid.UUID, choice: str
) -> dict[str, Any]:
    """A member's vote on one candidate, by the candidate's method; exactly once."""
    # shared lock: votes run side by side; the close (an update lock) waits for them and they for it
    meeting = await readable_meeting(session, principal, meeting_id, lock="share")
    member = await repo.member_by_subject(session, meeting.programme, principal.sub) if principal.sub else None
    if member is None or not access.is_member(principal, member):
        raise forbidden("只有评审委员会成员本人可以表决", "Only a committee member votes, as itself")
    _require_open(meeting)
    if choice not in CHOICES:
        raise invalid("choice", f"可选：{'、'.join(CHOICES)}", f"one of: {', '.join(CHOICES)}", "enum")
    if str(member.id) not in meeting.attendance:
        raise DomainError(
            "not-present", 409, "委员未列入本次会议出席名单", "The member is not recorded as present", title="Conflict"
        )
    await _require_quorum(session, meeting)
    _require_report(meeting)
    group, _ = _entry(meeting, application_id)
    method = group["method"]
    if method == "deliberation":
        raise DomainError(
            "wrong-method",
            409,
            "该候选由会议审议决定，不进行投票",
            "This candidate is decided by deliberation, not by a vote",
            title="Conflict",
            clause=group.get("method_clause"),
        )
    app = await _application(session, application_id)
    found = await people.barring_conflicts(session, member, app)
    if found:
        raise people.conflicted_error(member, app, found)
    fresh = await repo.insert_participation(
        session,
        dict(
            meeting_id=meeting.id,
            application_id=app.id,
            member_id=member.id,
            method=method,
            choice=None if method == "secret_ballot" else choice,
        ),
    )
    if not fresh:
        raise DomainError(
            "already-voted",
            409,
            "委员已就该候选表决",
            "The member has already voted on this candidate",
            title="Conflict",
        )
    if method == "secret_ballot":
        # in the same transaction as the participation: both or neither (hangzhou-3.3.6b)
        await repo.insert_ballot(session, meeting.id, app.id, choice)
    return {"meeting_id": meeting.id, "application_id": app.id, "method": method, "recorded": True}


async def deliberate(
    session: AsyncSession,
    principal: Principal,
    meeting_id: uuid.UUID,
    application_id: uuid.UUID,
    decision: str,
    note: str | None,
) -> Meeting:
    """The body's decision on a candidate it deliberates (审议), recorded by the chair with the members present."""
    meeting = await readable_meeting(session, principal, meeting_id, lock="update")
    await _chair(session, principal, meeting)
    _require_open(meeting)
    if decision not in ("select", "not_select"):
        raise invalid("decision", "可选：select、not_select", "one of: select, not_select", "enum")
    await _require_quorum(session, meeting)
    _require_report(meeting)
    group, _ = _entry(meeting, application_id)
    if group["method"] != "deliberation":
        raise DomainError(
            "wrong-method",
            409,
            "该候选须投票表决",
            "This candidate is decided by a vote",
            title="Conflict",
            clause=group.get("method_clause"),
        )
    app = await _application(session, application_id)
    eligible, recused = await _eligible(session, meeting, app)
    meeting.deliberations = {
        **meeting.deliberations,
        str(app.id): {
            "decision": decision,
            "note": note,
            "present": eligible,
            "recused": recused,
            "clause": group.get("method_clause"),
            "recorded_at": clock.now().isoformat(),
        },
    }
    meeting.version += 1
    await session.flush()
    return meeting


async def _eligible(session: AsyncSession, meeting: Meeting, app: Application) -> tuple[list[str], list[str]]:
    """Members present and not recused from the candidate; those recused."""
    present = await repo.members(session, [uuid.UUID(m) for m in meeting.attendance])
    eligible, recused = [], []
    for m in sorted(present, key=lambda m: str(m.id)):
        (recused if await people.barring_conflicts(session, m, app) else eligible).append(str(m.id))
    return eligible, recused


async def _places(session: AsyncSession, rnd: Round, meeting: Meeting) -> dict[tuple[str, str], tuple]:
    """Per group: (places the quota leaves, soft, clause), places None without a quota."""
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    on_agenda = [uuid.UUID(e["application_id"]) for g in meeting.agenda for e in g["entries"]]
    out: dict[tuple[str, str], tuple] = {}
    for g in meeting.agenda:
        q = next((q for q in prog.quotas if g["tier"] in q.tiers and g["category"] in q.categories), None)
        if q is None:
            out[(g["tier"], g["category"])] = (None, False, None, None)
            continue
        taken = await repo.places_taken(session, rnd.id, list(q.tiers), list(q.categories), ENDED, on_agenda)
        out[(g["tier"], g["category"])] = (max(q.max - taken, 0), q.soft, q.clause, q.id)
    return out


def _share_quotas(groups: list[GroupResult], quota_of: dict[tuple[str, str], str | None]) -> None:
    """Groups under one quota (changning-3c: 质量金奖 over both categories) share its places: if
    together they select more, every group not yet resolved waits for the chair."""
    shared: dict[str, list[GroupResult]] = {}
    for g in groups:
        q = quota_of[(g.tier, g.category)]
        if q is not None:
            shared.setdefault(q, []).append(g)
    for together in shared.values():
        places = together[0].places
        if len(together) < 2 or places is None or together[0].soft:
            continue
        if sum(len(g.selected) if g.resolution else len(g.passing) for g in together) > places:
            for g in together:
                if g.resolution is None and g.passing:
                    g.needs_resolution, g.selected = True, []


def _room(groups: list[GroupResult], quota_of: dict[tuple[str, str], str | None], group: GroupResult) -> int | None:
    """The places a resolution of ``group`` may fill: the quota's, less what its other groups selected."""
    if group.places is None:
        return None
    q = quota_of[(group.tier, group.category)]
    others = [g for g in groups if g is not group and q is not None and quota_of[(g.tier, g.category)] == q]
    return max(group.places - sum(len(g.selected) for g in others), 0)


async def count(session: AsyncSession, meeting: Meeting) -> tuple[list[CandidateResult], list[GroupResult]]:
    rnd = await workflow_repo.get_round(session, meeting.round_id)
    assert rnd is not None
    threshold = procedure(meeting.programme).threshold
    rows = await repo.participation(session, meeting.id)
    ballots = await repo.ballot_counts(session, meeting.id)
    names = {m.id: m.name for m in await repo.members(session, list({r.member_id for r in rows}))}
    apps = {
        a.id: a
        for a in await repo.applications(
            session, [uuid.UUID(e["application_id"]) for g in meeting.agenda for e in g["entries"]]
        )
    }
    places = await _places(session, rnd, meeting)
    candidates: list[CandidateResult] = []
    groups: list[GroupResult] = []
    for g in meeting.agenda:
        results = []
        for e in g["entries"]:
            app = apps[uuid.UUID(e["application_id"])]
            eligible, recused = await _eligible(session, meeting, app)
            named = [
                (str(r.member_id), names.get(r.member_id, ""), r.choice or "")
                for r in sorted(rows, key=lambda r: names.get(r.member_id, ""))
                if r.application_id == app.id and r.choice is not None
            ]
            mine = {c: n for (a, c), n in ballots.items() if a == app.id}
            results.append(
                count_candidate(e, g, eligible, recused, named, mine, meeting.deliberations.get(str(app.id)), threshold)
            )
        res = next((r for r in meeting.resolutions if r["tier"] == g["tier"] and r["category"] == g["category"]), None)
        n, soft, clause, _ = places[(g["tier"], g["category"])]
        groups.append(settle_group(g["tier"], g["category"], results, n, soft, clause, res))
        candidates.extend(results)
    _share_quotas(groups, {k: v[3] for k, v in places.items()})
    return candidates, groups


async def quota_ids(session: AsyncSession, meeting: Meeting) -> dict[tuple[str, str], str | None]:
    rnd = await workflow_repo.get_round(session, meeting.round_id)
    assert rnd is not None
    return {k: v[3] for k, v in (await _places(session, rnd, meeting)).items()}


async def tally(session: AsyncSession, principal: Principal, meeting_id: uuid.UUID) -> dict[str, Any]:
    meeting = await readable_meeting(session, principal, meeting_id)
    candidates, groups = await count(session, meeting)
    return {
        "meeting_id": meeting.id,
        "status": meeting.status,
        "threshold": procedure(meeting.programme).threshold.model_dump(),
        "candidates": [c.as_dict() for c in candidates],
        "groups": [g.as_dict() for g in groups],
    }


async def resolve(session: AsyncSession, principal: Principal, meeting_id: uuid.UUID, body: dict[str, Any]) -> Meeting:
    """The chair's resolution where more passed than the places: whom the body selects, with the reason."""
    meeting = await readable_meeting(session, principal, meeting_id, lock="update")
    chair = await _chair(session, principal, meeting)
    _require_open(meeting)
    _, groups = await count(session, meeting)
    group = next((g for g in groups if g.tier == body["tier"] and g.category == body["category"]), None)
    if group is None:
        raise invalid("tier", "议程中无此奖项与类别", "no such tier and category on the agenda", "not_on_agenda")
    if group.resolution is not None:
        raise DomainError(
            "already-recorded", 409, "该组已有主持人裁定", "The group is already resolved", title="Conflict"
        )
    if not group.needs_resolution:
        raise DomainError(
            "no-resolution-needed",
            409,
            "通过人数未超过名额，无须裁定",
            "No more passed than the places: nothing to resolve",
            title="Conflict",
        )
    selected = [str(s) for s in dict.fromkeys(body["selected"])]
    outside = [
        FieldError(
            f"selected[{i}]", "未获通过的候选不能入选", "only a passing candidate may be selected", "not_passing"
        )
        for i, s in enumerate(selected)
        if s not in group.passing
    ]
    if outside:
        raise DomainError(
            "validation-error",
            422,
            "裁定名单有误",
            "The resolution is invalid",
            title="Unprocessable Content",
            errors=outside,
        )
    room = _room(groups, await quota_ids(session, meeting), group)
    if room is not None and len(selected) > room and not group.soft:
        # a hard quota is never exceeded, whoever decides (changning-3b, hangzhou-3.1b ...)
        raise DomainError(
            "quota-exceeded",
            409,
            f"入选人数超过剩余名额 {room}",
            f"More selected than the {room} places left",
            title="Conflict",
            clause=group.quota_clause,
            extra={"places": room},
        )
    meeting.resolutions = [
        *meeting.resolutions,
        {
            "tier": group.tier,
            "category": group.category,
            "selected": selected,
            "reason": body["reason"],
            "ties": group.ties,
            "by": str(chair.id),
            "by_name": chair.name,
            "at": clock.now().isoformat(),
        },
    ]
    meeting.version += 1
    await session.flush()
    return meeting


async def close(
    session: AsyncSession, principal: Principal, meeting_id: uuid.UUID
) -> tuple[Meeting, list[dict[str, Any]]]:
    """Close the meeting: every candidate decided, every over-full group resolved; the ballots
    re-issued, the decisions recorded. Returns each candidate's outcome for the workflow to fire."""
    meeting = await readable_meeting(session, principal, meeting_id, lock="update")
    await _chair(session, principal, meeting)
    _require_open(meeting)
    await _require_quorum(session, meeting)
    _require_report(meeting)
    candidates, groups = await count(session, meeting)
    undecided = [c.application_id for c in candidates if not c.complete]
    if undecided:
        raise DomainError(
            "votes-incomplete",
            409,
            "尚有候选未完成表决或审议",
            "Some candidates are not yet voted on or deliberated",
            title="Conflict",
            extra={"applications": undecided},
        )
    unresolved = [g for g in groups if g.needs_resolution]
    if unresolved:
        raise DomainError(
            "chair-resolution-required",
            409,
            "通过人数超过名额，须由会议主持人裁定入选名单",
            "More passed than the places: the chair must resolve whom the body selects",
            title="Conflict",
            clause=unresolved[0].quota_clause,
            extra={
                "groups": [
                    {"tier": g.tier, "category": g.category, "places": g.places, "passing": g.passing, "ties": g.ties}
                    for g in unresolved
                ]
            },
        )
    now = clock.now()
    outcomes = []
    for g in groups:
        # a soft quota (原则上, tianning-4b) the chair's resolution exceeds carries its reason to select
        soft_over = g.places is not None and len(g.selected) > g.places
        reason = next(
            (r["reason"] for r in meeting.resolutions if (r["tier"], r["category"]) == (g.tier, g.category)), None
        )
        for c in candidates:
            if (c.tier, c.category) != (g.tier, g.category):
                continue
            chosen = c.application_id in g.selected
            outcomes.append(
                {
                    "application_id": c.application_id,
                    "result": "select" if chosen else "not_select",
                    "tier": g.tier if chosen else None,
                    "quota_override_reason": reason if chosen and soft_over else None,
                    "reason": None if chosen else _not_selected_reason(c, g),
                }
            )
    await repo.reissue_ballots(session, meeting.id)
    await repo.insert_decisions(
        session,
        [
            dict(
                id=uuid.uuid4(),
                meeting_id=meeting.id,
                application_id=uuid.UUID(o["application_id"]),
                result=o["result"],
                tier=o["tier"],
                decided_at=now,
            )
            for o in outcomes
        ],
    )
    meeting.status = "closed"
    meeting.closed_at = now
    meeting.outcome = {"candidates": [c.as_dict() for c in candidates], "groups": [g.as_dict() for g in groups]}
    meeting.version += 1
    await session.flush()
    return meeting, outcomes


def _not_selected_reason(c: CandidateResult, g: GroupResult) -> str:
    if c.method == "deliberation":
        return "评审委员会审议未通过"
    if not c.passed:
        return f"表决未获通过（赞成 {c.counts['for']} 票，应表决 {len(c.eligible)} 人）"
    return "获通过但超出名额，主持人裁定未入选"
