"""The government's acts on a round, recorded by its office: the submission (报批), the approval
(批准, firing ``approve`` through the machine for every application approved) and the commendation
decision (表彰决定).

Each act locks the round first (the lock order of every round action), so concurrent requests
for the same act serialise and the later one finds the first recorded; the unique constraints
hold the same rule should a request come without the lock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import office
from app.db.models.commendation import ApprovalSubmission, ApprovalSubmissionEntry, GovernmentDocument
from app.db.models.workflow import Application, Round
from app.db.repositories import commendation as repo
from app.domain import clock
from app.domain.aftercare import duties
from app.domain.commendation import rules
from app.domain.errors import DomainError, FieldError, invalid
from app.domain.programmes.effective import effective_programme
from app.domain.states import FINAL_STATES
from app.domain.states import ApplicationState as S
from app.identity import Principal
from app.workflow import certificates, rounds
from app.workflow.service import EventContext, fire_many

# states an application of the round may be in once its winners' notice is over for all
_SETTLED = [S.DRAFT, S.GOVERNMENT_APPROVAL, S.AWARDED, *FINAL_STATES]


@dataclass
class Submission:
    row: ApprovalSubmission
    entries: list[ApprovalSubmissionEntry]


def _forbidden() -> DomainError:
    return DomainError(
        "forbidden",
        403,
        "只有本项目的评审办公室可以登记报批、批准和表彰",
        "Only the programme's office records the submission, the approval and the commendation",
        title="Forbidden",
    )


async def _round_for_office(session: AsyncSession, principal: Principal, round_id: uuid.UUID) -> Round:
    rnd = await rounds.get_round(session, round_id, for_update=True, principal=principal)
    if not office.manages_rounds(principal, rnd.programme):
        raise _forbidden()
    return rnd


def _programme(rnd: Round):
    return effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)


async def submit_for_approval(
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    submitted_on: date,
    app_ids: list[uuid.UUID],
    note: str | None,
) -> Submission:
    """报批: the list that passed the winners' notice goes to the government, once per round
    (jinshan-18n "公示后，按照规定程序上报区政府批准"; tianning-12k "经公示通过的候选名单，报区人民政府批准")."""
    rnd = await _round_for_office(session, principal, round_id)
    prog = _programme(rnd)
    clause = rules.approval_clause(prog)
    if await repo.get_submission(session, rnd.id) is not None:
        raise rules.already_recorded("报批", "submission for approval")
    # the whole list goes once: nothing of the round may still be before or in its winners' notice
    pending = await repo.applications_in(session, rnd.id, [s for s in S if s not in _SETTLED and s not in FINAL_STATES])
    if pending:
        raise rules.not_ready(
            f"本届尚有 {len(pending)} 件申报未结束拟获奖名单公示，不能报批",
            f"{len(pending)} application(s) of this round have not finished the winners' notice; the list cannot be submitted yet",
            "winners_notice_ended",
            clause,
            pending_applications=[str(a.id) for a in pending],
        )
    candidates = {a.id: a for a in await repo.applications_in(session, rnd.id, [S.GOVERNMENT_APPROVAL])}
    if not candidates:
        raise rules.not_ready(
            "本届没有通过拟获奖名单公示的申报，无可报批",
            "No application of this round passed the winners' notice: there is nothing to submit",
            "winners_notice_ended",
            clause,
        )
    ids = list(dict.fromkeys(app_ids))
    errors = [
        FieldError(
            f"applications[{app_ids.index(i)}]",
            f"申报“{i}”不在本届待报批名单中（须已通过拟获奖名单公示）",
            f"application '{i}' is not awaiting the government's approval in this round",
            "not_awaiting_approval",
        )
        for i in ids
        if i not in candidates
    ]
    missing = [str(i) for i in candidates if i not in ids]
    if missing:
        # the office confirms the list it sends: one that passed the notice and is left off would wait forever
        errors.append(
            FieldError(
                "applications",
                f"名单缺少已通过公示的申报：{'、'.join(missing)}",
                f"the list leaves out applications that passed the notice: {', '.join(missing)}",
                "incomplete",
            )
        )
    if errors:
        raise DomainError(
            "validation-error",
            422,
            "报批名单须恰为本届通过拟获奖名单公示的申报",
            "The submitted list must be exactly the applications of this round that passed the winners' notice",
            title="Unprocessable Content",
            errors=errors,
            extra={"awaiting_approval": [str(i) for i in candidates]},
        )
    rules.not_in_future(submitted_on, clock.today(), "submitted_on")
    ended = await repo.winners_notice_last_days(session, ids, S.AWARD_NOTICE)
    if ended:
        # the notice ends at 24:00 of its last day: a submission is made on a later day
        last_day = max((e.astimezone(clock.SHANGHAI) - timedelta(microseconds=1)).date() for e in ended.values())
        if submitted_on <= last_day:
            raise DomainError(
                "validation-error",
                422,
                f"报批日期须在拟获奖名单公示期（至 {last_day.isoformat()}）届满之后",
                f"submitted_on must be after the winners' notice ended ({last_day.isoformat()})",
                title="Unprocessable Content",
                clause=clause,
                errors=[
                    FieldError(
                        "submitted_on",
                        f"须晚于 {last_day.isoformat()}",
                        f"must be after {last_day.isoformat()}",
                        "date_before_notice_end",
                    )
                ],
            )
    row = await repo.insert_submission(
        session,
        {
            "id": uuid.uuid4(),
            "round_id": rnd.id,
            "programme": rnd.programme,
            "submitted_on": submitted_on,
            "submitted_to_zh": rules.government_of(prog).name_zh,
            "clause": clause,
            "note": (note or "").strip() or None,
            "submitted_by": principal.sub,
            "submitted_at": clock.now(),
        },
        ids,
    )
    if row is None:
        raise rules.already_recorded("报批", "submission for approval")
    return Submission(row, await repo.submission_entries(session, row.id))


async def approve(
    session: AsyncSession,
    ctx: EventContext,
    round_id: uuid.UUID,
    document_no: str,
    approved_on: date,
    app_ids: list[uuid.UUID] | None,
    title_zh: str | None,
) -> tuple[GovernmentDocument, list[Application]]:
    """批准: the government's approval of the submitted list (or of part of it), by its document number.

    One act: ``approve`` fires through the machine for every application approved, in one
    transaction (a refusal of any undoes them all, is recorded in that application's history and
    names it); then the document is recorded. Those of the list the government did not approve
    stay in ``government_approval`` for the office's ``not_select``.
    """
    principal = ctx.principal
    rnd = await _round_for_office(session, principal, round_id)
    prog = _programme(rnd)
    clause = rules.approval_clause(prog)
    submission = await repo.get_submission(session, rnd.id)
    if submission is None:
        raise rules.not_ready(
            "本届尚未报批，不能登记批准",
            "The list has not been submitted for approval yet",
            "approval_submission",
            clause,
        )
    if submission.approval_id is not None:
        raise rules.already_recorded("批准", "approval")
    listed = [e.application_id for e in await repo.submission_entries(session, submission.id)]
    ids = listed if app_ids is None else list(dict.fromkeys(app_ids))
    off_list = [
        FieldError(
            f"applications[{app_ids.index(i)}]",
            f"申报“{i}”不在报批名单中",
            f"application '{i}' is not on the submitted list",
            "not_on_submitted_list",
        )
        for i in ids
        if app_ids is not None and i not in listed
    ]
    if off_list:
        raise DomainError(
            "validation-error",
            422,
            "批准的申报须在报批名单中",
            "Only applications on the submitted list can be approved",
            title="Unprocessable Content",
            errors=off_list,
        )
    if not ids:
        raise invalid("applications", "批准的申报不能为空", "at least one application must be approved", "empty")
    number = rules.document_number(document_no)
    if await repo.find_document(session, rnd.programme, number) is not None:
        raise rules.number_taken(number)
    rules.not_in_future(approved_on, clock.today(), "approved_on")
    rules.not_before(approved_on, submission.submitted_on, "approved_on", "报批日期", "the submission", clause)
    body = rules.government_of(prog)
    apps = await fire_many(
        session,
        ctx,
        rnd.id,
        "approve",
        ids,
        None,
        {"document_no": number, "approved_on": approved_on.isoformat()},
    )
    doc = await repo.insert_document(
        session,
        {
            "id": uuid.uuid4(),
            "programme": rnd.programme,
            "round_id": rnd.id,
            "kind": "approval",
            "document_no": number,
            "issued_on": approved_on,
            "issued_by_zh": body.name_zh,
            "title_zh": (title_zh or "").strip() or f"关于{prog.name_zh}（{rnd.label}）拟获奖名单的批复",
            "clause": clause,
            "recorded_by": principal.sub,
            "recorded_at": clock.now(),
        },
    )
    if doc is None:
        # a commendation of another round took the number meanwhile: this request saves nothing
        raise rules.number_taken(number)
    await repo.mark_approved(session, submission.id, doc.id, ids)
    return doc, apps


async def commend(
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    document_no: str,
    decided_on: date,
    title_zh: str | None,
) -> GovernmentDocument:
    """表彰决定: the government commends the approved winners by its own numbered document
    (changning-26a "由区政府发文，表彰"; jinshan-19a; hangzhou-4.2 "发布表彰决定"; tianning-13a)."""
    rnd = await _round_for_office(session, principal, round_id)
    prog = _programme(rnd)
    clause = rules.commendation_clause(prog)
    docs = await repo.documents_of_round(session, rnd.id)
    approval = docs.get("approval")
    if approval is None:
        raise rules.not_ready(
            "政府尚未批准本届获奖名单，不能登记表彰决定",
            "The government has not approved this round's list yet",
            "government_approval",
            clause,
        )
    if "commendation" in docs:
        raise rules.already_recorded("表彰决定", "commendation decision")
    number = rules.document_number(document_no)
    if await repo.find_document(session, rnd.programme, number) is not None:
        raise rules.number_taken(number)
    rules.not_in_future(decided_on, clock.today(), "decided_on")
    rules.not_before(decided_on, approval.issued_on, "decided_on", "批准日期", "the approval", clause)
    submission = await repo.get_submission(session, rnd.id)
    assert submission is not None
    approved = [e.application_id for e in await repo.submission_entries(session, submission.id) if e.approved]
    apps = {a.id: a for a in await repo.applications_in(session, rnd.id, [S.AWARDED])}
    # an award revoked between the approval and the decision is not commended
    winners = [apps[i] for i in approved if i in apps]
    if not winners:
        raise rules.not_ready(
            "本届没有获奖的申报可以表彰", "No application of this round holds an award to commend", "awarded", clause
        )
    seen = await repo.notice_entries(session, [a.id for a in winners], S.AWARD_NOTICE)
    tiers = {t.code: t.name_zh for t in prog.tiers}
    categories = {c.code: c.name_zh for c in prog.categories}
    body = rules.government_of(prog)
    doc = await repo.insert_document(
        session,
        {
            "id": uuid.uuid4(),
            "programme": rnd.programme,
            "round_id": rnd.id,
            "kind": "commendation",
            "document_no": number,
            "issued_on": decided_on,
            "issued_by_zh": body.name_zh,
            "title_zh": (title_zh or "").strip() or f"{body.name_zh}关于表彰{prog.name_zh}（{rnd.label}）获奖者的决定",
            "clause": clause,
            "recorded_by": principal.sub,
            "recorded_at": clock.now(),
        },
    )
    if doc is None:
        raise rules.number_taken(number)
    rows = []
    for i, a in enumerate(winners):
        entry = seen.get(a.id)
        assert a.tier is not None
        rows.append(
            {
                "document_id": doc.id,
                "application_id": a.id,
                "position": i + 1,
                "applicant_kind": a.applicant_kind,
                # as the winners' notice showed the winner (organisations: the credit code; people: the employer)
                "name": entry.name if entry else a.applicant_name,
                "credit_code": a.credit_code if a.applicant_kind == "organisation" else None,
                "employer": entry.employer if entry and a.applicant_kind == "individual" else None,
                "tier": a.tier,
                "tier_name_zh": tiers.get(a.tier, a.tier),
                "category": a.category,
                "category_name_zh": categories.get(a.category, a.category),
            }
        )
    await repo.insert_awards(session, rows)
    # each winner's numbered certificate, in the decision's own transaction (changning-33a, jinshan-25a)
    await certificates.issue(session, rnd, prog.name_zh, doc)
    # the decision dates the award: each winner's post-award duties fall due from it (jinshan-24b, hangzhou-6.4a)
    await duties.schedule_at_award(session, rnd, prog, winners, decided_on)
    return doc
