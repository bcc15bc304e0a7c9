"""公示: publishing a round's list at a notice point, reading it, and posting inside the applicant's unit.

A notice is a list: the office publishes one for a round and one notice point of its programme
(资格审查结果公示, hangzhou's 拟进入材料评审/现场评审组织名单, 拟获奖名单), with the applications on
it. Publishing fires ``start_notice`` for every application in one transaction, so the list and
the applications' notice periods exist together or not at all; the period is the one the
workflow wrote as each application's ``notice_end`` deadline (the period engine, Civil Code
arts. 201-203, INTERPRETATIONS §1-§6), shown with its exact dates.

A notice ends for an application when its period is over and no objection against it is open
(INTERPRETATIONS §8); for jinshan's winners the office must also have accepted the applicant's
proof that the list was posted inside its own unit (jinshan-18m), checked here as a condition of
``close_notice``. A proof whose own dates cover less than the notice's period is refused when
submitted and cannot be accepted; a proof without dates is the office's to judge.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import applications, office
from app.config import Settings
from app.db.models.notices import Notice, NoticeEntry, UnitPostingProof
from app.db.models.workflow import Application, Round
from app.db.repositories import notices as repo
from app.db.repositories import workflow as workflow_repo
from app.db.repositories.keyset import KeysetPage
from app.domain import clock, outbox
from app.domain.calendar import service as calendar
from app.domain.calendar.holidays import CalendarYearNotLoaded
from app.domain.calendar.periods import date_zh, recorded_span, span_zh, unit_words
from app.domain.errors import DomainError, FieldError, not_found
from app.domain.files import intake
from app.domain.programmes.effective import effective_programme
from app.domain.states import NOTICE_STAGES, STATE_NAMES_ZH
from app.domain.states import ApplicationState as S
from app.identity import Principal
from app.workflow import batch, rounds, service
from app.workflow.machine import workflow_for

AUDIENCE_NAMES_ZH = {"public": "向社会公示", "applicant_unit": "在申报组织（个人所在单位）内部公示"}
UNIT_POSTING_ZH = {
    "not_required": "无需单位内部公示",
    "awaiting": "待上传单位内部公示证明",
    "submitted": "单位内部公示证明待审核",
    "accepted": "单位内部公示证明已确认",
    "rejected": "单位内部公示证明未通过审核，请重新上传",
}
ENTRY_STATUS_ZH = {
    "in_notice": "公示中",
    "under_verification": "异议核查中",
    "awaiting_unit_posting": "公示期满，待确认单位内部公示",
    "closing": "公示期满，待办结",
    "passed": "公示通过",
    S.DISQUALIFIED: "取消资格",
    S.WITHDRAWN: "已撤回申报",
}


def _office_short_name(prog) -> str:
    body = next((b for b in prog.bodies if str(b.role) == "office"), None)
    return (body.name_zh.split("（")[0] if body else "评审办公室").strip()


def _forbidden(zh: str, en: str) -> DomainError:
    return DomainError("forbidden", 403, zh, en, title="Forbidden")


def _bad(errors: list[FieldError], zh: str, en: str) -> DomainError:
    return DomainError("validation-error", 422, zh, en, title="Unprocessable Content", errors=errors)


# --- publishing -----------------------------------------------------------------------------


# a programme whose data words no objection procedure prints the service's practice, marked as such
_DEFAULT_PRACTICE_ZH = (
    "任何单位或者个人对公示对象有异议的，可向{office}提出。",
    "本平台受理{ends}前提出的异议。",
    "本平台只受理署名并写明联系方式、所针对的对象、事实和理由的异议；匿名或信息不全的异议本平台不予受理。",
    "{office}力争自收到异议材料之日起{verification}内进行核查并告知异议人。",
)
PRACTICE_HEADING_ZH = "以下为本平台的受理做法，并非本办法的规定："


def channel_text(prog, rule, office_name: str, ends_zh: str, note_zh: str | None) -> str:
    """The objection channel and procedure disclosed with the notice (changning-31b).

    What the programme's text says is printed as the text says it (hangzhou-3.3.7b-d); what the
    service adds (the cut-off, the name, its own verification target) follows under a heading that
    says it is practice, not law.
    """
    v = rule.verification
    values = {"office": office_name, "ends": ends_zh, "verification": unit_words(v.unit).count(v.length)[0]}
    wording = prog.objections.wording
    law = [s.text_zh.format(**values) for s in wording if s.stated]
    practice = [s.text_zh.format(**values) for s in wording if not s.stated]
    if not wording:
        practice = [t.format(**values) for t in _DEFAULT_PRACTICE_ZH]
    text = "".join(law)
    if practice:
        text += PRACTICE_HEADING_ZH + "".join(practice)
    if note_zh and note_zh.strip():
        text += note_zh.strip()
    return text


def _title(prog, rnd: Round, rule) -> str:
    label = rnd.label if not rnd.label.isdigit() else f"{rnd.label}年度"
    return f"{prog.name_zh}{label}{rule.name_zh}"


@dataclass(frozen=True)
class _AppRow:
    id: uuid.UUID
    round_id: uuid.UUID
    state: str
    applicant_kind: str


async def _peek(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, _AppRow]:
    # columns only: the applications are loaded (and locked) by the workflow afterwards, and an
    # ORM row read here would be served stale to it from the identity map
    return {
        r.id: _AppRow(r.id, r.round_id, r.state, r.applicant_kind)
        for r in await workflow_repo.peek_applications(session, ids)
    }


async def publish(
    session: AsyncSession,
    ctx: service.EventContext,
    round_id: uuid.UUID,
    point: str,
    application_ids: list[uuid.UUID],
    employers: dict[uuid.UUID, str],
    title_zh: str | None,
    channel_note_zh: str | None,
) -> tuple[Notice, list[NoticeEntry]]:
    """Publish the list: ``start_notice`` for every application, the notice and its entries, one transaction."""
    principal = ctx.principal
    rnd = await rounds.get_round(session, round_id)
    if not office.handles_notice(principal, rnd.programme):
        raise _forbidden("只有本项目的评审办公室可以发布公示", "Only the programme's office may publish a notice")
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    rule = prog.notice(point)
    wf = workflow_for(rnd.programme, rnd.programme_version)
    ids = list(dict.fromkeys(application_ids))
    peek = await _peek(session, ids)
    # an individual is published with the employer the office names, or else the one registered
    employers = {
        **await repo.registered_employers(session, [i for i, r in peek.items() if r.applicant_kind == "individual"]),
        **employers,
    }
    errors: list[FieldError] = []
    for i, app_id in enumerate(ids):
        row = peek.get(app_id)
        where = f"applications[{i}]"
        if row is None or row.round_id != rnd.id:
            errors.append(FieldError(where, "不属于本届次", "is not an application of this round", "not_in_round"))
            continue
        edge = wf.edge(row.state, "start_notice")
        if edge is None or edge.target != str(rule.stage):
            errors.append(
                FieldError(
                    where,
                    f"申报处于“{STATE_NAMES_ZH.get(row.state, row.state)}”状态，不能列入{rule.name_zh}",
                    f"in state '{row.state}', it cannot be put on the {point} notice",
                    "wrong_state",
                )
            )
        if row.applicant_kind == "individual" and not (employers.get(app_id) or "").strip():
            errors.append(
                FieldError(
                    f"employers.{app_id}",
                    "个人申报须公示其工作单位（未登记工作单位的，请在此填写）",
                    "an individual is published with the employer's name (give it here when none is registered)",
                    "missing",
                )
            )
    if errors:
        raise _bad(
            errors,
            f"公示名单有误：{'；'.join(e.field + e.zh for e in errors[:5])}",
            "The list cannot be published: " + "; ".join(f"{e.field} {e.en}" for e in errors[:5]),
        )

    notice_id = uuid.uuid4()
    ctx.notice_id = notice_id
    # one batch, not an event per entry (issue 21: a notice of 1,000 entries in 2 s)
    apps = await batch.fire_many(
        session, ctx, round_id, "start_notice", ids, None, {"notice_id": str(notice_id), "notice_point": point}
    )
    moved = [a for a in apps if a.state != str(rule.stage)]
    if moved:
        raise _bad(
            [FieldError("applications", "状态已变化", "state changed", "wrong_state")],
            "申报状态已变化，请刷新后重新发布",
            "An application's state changed meanwhile; reload and publish again",
        )
    # the period the workflow wrote as every application's notice_end deadline (one instant, one rule)
    deadline = await workflow_repo.open_deadline(session, apps[0].id, "notice_end", str(rule.stage))
    assert deadline is not None, "start_notice writes the notice_end deadline"
    first_day, last_day = recorded_span(
        deadline.starts_on, deadline.ends_at, bool(deadline.rule.get("count_start_day"))
    )
    dates_zh = span_zh(first_day, last_day)
    ends_zh = f"{date_zh(last_day)}24时"
    office_name = _office_short_name(prog)
    notice = Notice(
        id=notice_id,
        round_id=rnd.id,
        programme=rnd.programme,
        programme_version=rnd.programme_version,
        round_label=rnd.label,
        stage=str(rule.stage),
        point=point,
        name_zh=rule.name_zh,
        title_zh=(title_zh or "").strip() or _title(prog, rnd, rule),
        clause=rule.clause,
        audiences=list(rule.audiences),
        objections_allowed=rule.objections,
        published_at=clock.now(),
        published_on=deadline.starts_on,
        first_day_on=first_day,
        last_day_on=last_day,
        ends_at=deadline.ends_at,
        period_zh=f"公示期：{dates_zh}",
        rule={**deadline.rule, "minimum": rule.minimum, "stated": rule.stated, "clause": rule.clause},
        calendar_revision=deadline.calendar_revision or 0,
        objection_channel_zh=channel_text(prog, rule, office_name, ends_zh, channel_note_zh),
        verification=rule.verification.model_dump(mode="json"),
        published_by=principal.sub,
    )
    tiers = {t.code: t.name_zh for t in prog.tiers}
    categories = {c.code: c.name_zh for c in prog.categories}
    unit_posting = "applicant_unit" in rule.audiences  # jinshan-18m
    entries = [
        NoticeEntry(
            notice_id=notice_id,
            application_id=a.id,
            position=i + 1,
            applicant_kind=a.applicant_kind,
            name=a.applicant_name,
            credit_code=a.credit_code if a.applicant_kind == "organisation" else None,
            employer=(employers.get(a.id) or "").strip() or None if a.applicant_kind == "individual" else None,
            category=a.category,
            category_name_zh=categories.get(a.category, a.category),
            tier=a.tier,
            tier_name_zh=tiers.get(a.tier) if a.tier else None,
            unit_posting_required=unit_posting,
            unit_posting_status="awaiting" if unit_posting else "not_required",
            version=1,
        )
        for i, a in enumerate(apps)
    ]
    await repo.add(session, notice)
    await repo.add(session, *entries)
    await outbox.emit(
        session,
        "notice.published",
        {
            "notice_id": str(notice.id),
            "programme": notice.programme,
            "round_id": str(notice.round_id),
            "point": point,
            "stage": notice.stage,
            "name_zh": notice.name_zh,
            "title_zh": notice.title_zh,
            "period_zh": notice.period_zh,
            "ends_at": notice.ends_at.astimezone(clock.SHANGHAI).isoformat(),
            "application_ids": [str(a.id) for a in apps],
        },
        subject=f"notice:{notice.id}",
    )
    return notice, entries


# --- reading --------------------------------------------------------------------------------


def notice_status(notice: Notice, now: datetime) -> tuple[str, str]:
    return ("in_progress", "公示中") if now < notice.ends_at else ("ended", "公示期满")


def entry_status(entry: NoticeEntry, notice: Notice, app_state: str | None, open_objections: int, now: datetime) -> str:
    if entry.outcome is not None:
        return entry.outcome if entry.outcome in ENTRY_STATUS_ZH else S.DISQUALIFIED
    if app_state is not None and app_state != notice.stage:
        return "passed"
    if open_objections:
        return "under_verification"
    if now < notice.ends_at:
        return "in_notice"
    if entry.unit_posting_required and entry.unit_posting_status != "accepted":
        return "awaiting_unit_posting"
    return "closing"


@dataclass
class NoticeView:
    notice: Notice
    entries: list[NoticeEntry]
    open_by_entry: dict[uuid.UUID, int]
    app_states: dict[uuid.UUID, str]
    proofs: list[UnitPostingProof]
    decided: list  # decided objections (results published without the objector)
    now: datetime


async def get_notice(session: AsyncSession, notice_id: uuid.UUID) -> Notice:
    notice = await repo.get_notice(session, notice_id)
    if notice is None:
        raise not_found("公示", "Notice", notice_id)
    return notice


@dataclass(frozen=True)
class PublicVersion:
    """What a cache needs of a public notice before its body: a tag for exactly what the body shows now, and how
    long a copy may be served unasked (公示 reads by the many, issue 21)."""

    tag: str
    max_age: int


# bumped when the public answer's shape changes: a client's tag from before a deploy must not match the new body
_PUBLIC_RENDERING = "1"
PUBLIC_MAX_AGE = 30


async def public_version(session: AsyncSession, notice_id: uuid.UUID) -> PublicVersion:
    """The notice's version (its rows' and its entries' applications' versions, and whether its period is over:
    the one fact of the answer that moves with time), without loading or rendering the list."""
    digest, ends_at = await public_stamp(session, notice_id)
    return version_at(digest, ends_at, clock.now())


async def public_stamp(session: AsyncSession, notice_id: uuid.UUID) -> tuple[str, datetime]:
    """What the notice's version is made of: the digest of its rows, and its period's end (404 if none)."""
    found = await repo.notice_version(session, notice_id)
    if found is None:
        raise not_found("公示", "Notice", notice_id)
    return found


def version_at(digest: str, ends_at: datetime, now: datetime) -> PublicVersion:
    """The version of a notice whose rows digest to ``digest`` at the instant ``now``."""
    ended = now >= ends_at
    # a copy kept past the period's end would still say 公示中: while in progress, never beyond the end
    left = PUBLIC_MAX_AGE if ended else min(PUBLIC_MAX_AGE, int((ends_at - now).total_seconds()))
    return PublicVersion(f'"{_PUBLIC_RENDERING}{"e" if ended else "p"}{digest}"', max(left, 0))


async def view(session: AsyncSession, notice_id: uuid.UUID, principal: Principal | None = None) -> NoticeView:
    """A notice with its entries; ``principal`` given: the office's view (404 to another programme's office)."""
    notice = await get_notice(session, notice_id)
    if principal is not None and not office.reads_notice(principal, notice.programme):
        raise not_found("公示", "Notice", notice_id)
    entries = await repo.entries_of(session, notice.id)
    proofs = await repo.proofs_of(session, [e.id for e in entries]) if principal is not None else []
    states = await repo.application_states(session, [e.application_id for e in entries])
    return NoticeView(
        notice,
        entries,
        await repo.open_counts_by_entry(session, notice.id),
        states,
        proofs,
        await repo.decided_objections_of_notice(session, notice.id),
        clock.now(),
    )


async def page(
    session: AsyncSession,
    *,
    programme: str | None,
    round_id: uuid.UUID | None,
    status: str | None,
    offset: int,
    limit: int,
) -> tuple[list[Notice], int, dict[uuid.UUID, int]]:
    """The public list: every notice is public (公示)."""
    rows, total = await repo.page_notices(
        session, programme=programme, round_id=round_id, status=status, now=clock.now(), offset=offset, limit=limit
    )
    return rows, total, await repo.entry_counts(session, [n.id for n in rows])


async def next_public_change(session: AsyncSession, programme: str | None) -> datetime | None:
    """When the public list (of ``programme``) changes by time alone: the next end of a notice's period."""
    return await repo.next_notice_end(session, programme, clock.now())


async def page_for_office(
    session: AsyncSession,
    principal: Principal,
    *,
    programme: str | None,
    round_id: uuid.UUID | None,
    status: str | None,
    offset: int,
    limit: int,
    cursor: str | None = None,
) -> tuple[KeysetPage[Notice], dict[uuid.UUID, int]]:
    """The office's notices (its own programme's; every programme's for an admin), newest first."""
    readable = office.readable_by_programme(principal, Notice.programme)
    if readable is None:
        raise _forbidden("当前身份不属于任何评奖项目的评审办公室", "Your token names no programme whose office you are")
    page = await repo.keyset_notices(
        session,
        programme=programme,
        round_id=round_id,
        status=status,
        now=clock.now(),
        offset=offset,
        limit=limit,
        readable=readable,
        cursor=cursor,
    )
    return page, await repo.entry_counts(session, [n.id for n in page.rows])


# --- closing --------------------------------------------------------------------------------


async def close_if_ready(session: AsyncSession, request_id: str | None, application_id: uuid.UUID) -> bool:
    """``close_notice`` at once when nothing holds the application's notice any more.

    Called when an objection is dismissed or a unit-posting proof accepted after the period:
    the deadline has fired (and is ``waiting``) or is due, so nothing else would move it on.
    Every condition is checked first under the application's lock, so the event cannot be refused.
    """
    app, rnd = await service.load_for_event(session, application_id, "close_notice")
    if app.state not in NOTICE_STAGES:
        return False
    deadline = await workflow_repo.open_deadline(session, app.id, "notice_end", app.state)
    if deadline is None or deadline.ends_at > clock.now():
        return False
    if (await repo.open_objection_counts(session, [app.id])).get(app.id, 0):
        return False
    if await repo.unit_posting_missing(session, app.id, app.state) is not None:
        return False
    await service.apply_event(
        session, service.EventContext(service.SYSTEM, request_id), app, rnd, "close_notice", None, {}
    )
    return True


async def require_unit_posting(
    session: AsyncSession, app: Application, rnd: Round, event: str, data: dict, pre=None
) -> None:
    """``close_notice`` check: jinshan's winners' list is also posted inside the applicant's own unit (jinshan-18m)."""
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    rule = next((n for n in prog.notices if str(n.stage) == app.state), None)
    if rule is None or "applicant_unit" not in rule.audiences:
        return  # no query for the notices that are public only (all but jinshan's winners)
    entry = await repo.unit_posting_missing(session, app.id, app.state)
    if entry is None:
        return
    clause = rule.clause
    raise DomainError(
        "unit-posting-unconfirmed",
        409,
        "申报单位内部公示的证明尚未经评审办公室确认，公示暂不能结束",
        "The proof that the notice was posted inside the applicant's own unit has not been accepted by the office yet",
        title="Conflict",
        clause=clause,
        extra={"unit_posting_status": entry.unit_posting_status},
    )


async def record_outcome(session: AsyncSession, app: Application, event: str, from_state: str) -> None:
    """The application left the notice it was on other than by passing it: the entry says how.

    Passing (``close_notice``) is not written: an entry without an outcome whose application has
    left the notice's stage passed it, so closing a large batch of notices costs nothing here.
    """
    if event != "close_notice":
        await repo.record_entry_outcome(session, app.id, from_state, app.state, clock.now())


# --- posting inside the applicant's own unit (jinshan-18m) ----------------------------------


async def _entry_for(
    session: AsyncSession, notice_id: uuid.UUID, application_id: uuid.UUID
) -> tuple[Notice, NoticeEntry, Application]:
    notice = await get_notice(session, notice_id)
    # the application before its entry, the order every event takes them in (an upheld objection
    # locks the application, then records the outcome on the entry): the other order deadlocks
    app = await workflow_repo.get_application(session, application_id, for_update=True)
    entry = await repo.get_entry(session, notice.id, application_id, for_update=True)
    if entry is None or app is None:
        raise not_found("公示名单中的申报", "Notice entry", application_id)
    return notice, entry, app


async def _short_posting(
    session: AsyncSession, notice: Notice, posted_from_on: date | None, posted_until_on: date | None
) -> date | None:
    """The last day a posting from ``posted_from_on`` must reach, when ``posted_until_on`` falls short of it.

    jinshan-18m: "在申报组织或个人单位内部不少于7天的公示", the same period as the public notice
    (its rule: 7 calendar days), counted the way every period is (INTERPRETATIONS §1, §3) except
    that the first day posted is day 1, since it is a day on display, not an event's day. A proof
    without both dates is left to the office's judgement.
    """
    if posted_from_on is None or posted_until_on is None:
        return None
    rule = notice.rule or {}
    length, unit = int(rule.get("length", 0)), rule.get("unit", "calendar_day")
    if length < 1:
        return None
    try:
        needed = (await calendar.period(session, posted_from_on, length, unit, True)).last_day
    except CalendarYearNotLoaded:
        # the rest-day extension needs the year's calendar (never guessed, INTERPRETATIONS §4);
        # the bare count is certain without it, and the office judges the rest
        needed = posted_from_on + timedelta(days=length - 1) if unit == "calendar_day" else None
    return needed if needed is not None and posted_until_on < needed else None


def _posting_too_short(notice: Notice, field: str, posted_from_on: date, needed: date) -> DomainError:
    rule = notice.rule or {}
    length_zh, length_en = unit_words(rule.get("unit")).count(rule.get("length"))
    zh = f"单位内部公示不少于{length_zh}：自{date_zh(posted_from_on)}起公示的，应至少公示至{date_zh(needed)}"
    en = f"the list is posted inside the unit for at least {length_en}: posted from {posted_from_on.isoformat()}, it stays up until {needed.isoformat()} at least"
    return DomainError(
        "validation-error",
        422,
        zh,
        en,
        title="Unprocessable Content",
        clause=notice.clause,
        errors=[FieldError(field, zh, en, "too_short")],
        extra={"required_until_on": needed.isoformat()},
    )


async def submit_unit_posting(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    after_rollback: list[Callable],
    notice_id: uuid.UUID,
    application_id: uuid.UUID,
    upload: intake.AcceptedFile,
    posted_from_on,
    posted_until_on,
    note: str | None,
) -> tuple[UnitPostingProof, NoticeEntry]:
    notice, entry, app = await _entry_for(session, notice_id, application_id)
    if not applications.may_post_unit_proof(principal, app):
        raise not_found("公示名单中的申报", "Notice entry", application_id)
    if not entry.unit_posting_required:
        raise DomainError(
            "unit-posting-not-required",
            409,
            "该公示无需在申报单位内部公示",
            "This notice is not posted inside the applicant's unit",
            title="Conflict",
        )
    if entry.outcome is not None or entry.unit_posting_status == "accepted":
        raise DomainError(
            "unit-posting-closed",
            409,
            "该申报的单位内部公示证明已确认或公示已结束",
            "The proof was already accepted or the notice has ended for this application",
            title="Conflict",
            extra={"unit_posting_status": entry.unit_posting_status},
        )
    if posted_from_on and posted_until_on and posted_until_on < posted_from_on:
        raise _bad(
            [FieldError("posted_until_on", "不能早于开始日期", "is before posted_from_on", "order")],
            "内部公示结束日期早于开始日期",
            "posted_until_on is before posted_from_on",
        )
    # jinshan-18m: a proof whose own dates show fewer than 7 days does not prove the posting
    if (needed := await _short_posting(session, notice, posted_from_on, posted_until_on)) is not None:
        raise _posting_too_short(notice, "posted_until_on", posted_from_on, needed)
    stored = await intake.store(settings, after_rollback, upload)
    proof = UnitPostingProof(
        entry_id=entry.id,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.storage_key,
        key_version=stored.key_version,
        posted_from_on=posted_from_on,
        posted_until_on=posted_until_on,
        note=note,
        uploaded_by=principal.sub,
        uploaded_at=clock.now(),
        status="submitted",
    )
    entry.unit_posting_status = "submitted"
    entry.version += 1
    await repo.add(session, proof)
    return proof, entry


async def review_unit_posting(
    session: AsyncSession,
    ctx: service.EventContext,
    notice_id: uuid.UUID,
    application_id: uuid.UUID,
    proof_id: uuid.UUID,
    accepted: bool,
    note: str | None,
) -> tuple[UnitPostingProof, NoticeEntry, bool]:
    """The office checks the proof; accepted after the period, the notice closes at once if nothing else holds it."""
    notice, entry, _ = await _entry_for(session, notice_id, application_id)
    if not office.handles_notice(ctx.principal, notice.programme):
        raise _forbidden(
            "只有本项目的评审办公室可以审核单位内部公示证明", "Only the programme's office may check the proof"
        )
    proof = await repo.get_proof(session, proof_id, for_update=True)
    if proof is None or proof.entry_id != entry.id:
        raise not_found("单位内部公示证明", "Proof", proof_id)
    if proof.status != "submitted" or entry.outcome is not None:
        raise DomainError(
            "unit-posting-already-reviewed",
            409,
            "该证明已审核",
            "This proof has already been reviewed",
            title="Conflict",
            extra={"proof_status": proof.status},
        )
    if not accepted and not (note or "").strip():
        raise _bad(
            [FieldError("note", "不予确认须说明理由", "a rejection needs a reason", "missing")],
            "不予确认须说明理由",
            "A rejection needs a reason",
        )
    # jinshan-18m: nor can the office accept such a proof (one received before this check existed)
    if (
        accepted
        and (needed := await _short_posting(session, notice, proof.posted_from_on, proof.posted_until_on)) is not None
    ):
        raise _posting_too_short(notice, "accepted", proof.posted_from_on, needed)
    proof.status = "accepted" if accepted else "rejected"
    proof.reviewed_by, proof.reviewed_at, proof.review_note = ctx.principal.sub, clock.now(), note
    entry.unit_posting_status = proof.status
    entry.version += 1
    await session.flush()
    closed = await close_if_ready(session, ctx.request_id, application_id) if accepted else False
    return proof, entry, closed
