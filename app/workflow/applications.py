"""Starting an application (申报) in a round: the applicant identified, the category checked."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import applications as access
from app.access import roles
from app.config import Settings
from app.db.models.workflow import Application
from app.db.repositories import applicants as applicant_repo
from app.db.repositories import workflow as repo
from app.domain import clock, history, personal_data
from app.domain.applicants.identity_proof import proves
from app.domain.errors import DomainError, invalid
from app.domain.identifiers import IdentifierError, mask_id_number, validate_credit_code, validate_id_number
from app.domain.programmes.effective import effective_programme
from app.domain.review import confidentiality
from app.domain.states import ApplicationState, RoundState
from app.identity import Principal
from app.workflow.rounds import get_round
from app.workflow.service import EventContext


async def create_application(
    session: AsyncSession,
    settings: Settings,
    ctx: EventContext,
    round_id: uuid.UUID,
    category: str,
    tier_sought: str | None,
    name: str,
    credit_code: str | None,
    id_number: str | None,
    applicant_ref: str | None,
    recommending_unit: str | None,
) -> Application:
    principal: Principal = ctx.principal
    rnd = await get_round(session, round_id)
    as_office = access.starts_as_office(principal, rnd.programme)
    if as_office:
        ref = applicant_ref
    elif (own := roles.applicant_of(principal)) is not None:
        ref = own
    else:
        raise DomainError(
            "forbidden",
            403,
            "只有申报单位（个人）或本项目评审办公室可以创建申报",
            "Only an applicant or the programme's office may start an application",
            title="Forbidden",
        )
    now = clock.now()
    if rnd.state != RoundState.OPEN or not (rnd.opens_at <= now < rnd.closes_at):
        raise DomainError(
            "round-not-open",
            409,
            "该届次不在申报期内",
            "The round is not open for applications",
            title="Conflict",
            extra={
                "round_state": rnd.state,
                "opens_at": rnd.opens_at.isoformat(),
                "closes_at": rnd.closes_at.isoformat(),
            },
        )
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    cat = next((c for c in prog.categories if c.code == category), None)
    if cat is None:
        raise invalid(
            "category",
            f"可选：{'、'.join(c.code for c in prog.categories)}",
            f"one of: {', '.join(c.code for c in prog.categories)}",
            "enum",
        )
    if tier_sought is not None and tier_sought not in {t.code for t in prog.tiers}:
        raise invalid(
            "tier_sought",
            f"可选：{'、'.join(t.code for t in prog.tiers)}",
            f"one of: {', '.join(t.code for t in prog.tiers)}",
            "enum",
        )
    id_hash = masked = None
    if cat.applicant_kind == "organisation":
        if not credit_code:
            raise invalid(
                "applicant.credit_code",
                "组织申报须提供统一社会信用代码",
                "an organisation applies with its unified social credit code",
                "missing",
            )
        try:
            credit_code = validate_credit_code(credit_code)
        except IdentifierError as e:
            raise e.for_field("applicant.credit_code") from None
    else:
        if not id_number:
            raise invalid(
                "applicant.id_number",
                "个人申报须提供身份证件号码",
                "an individual applies with an ID number",
                "missing",
            )
        try:
            checked = validate_id_number(id_number)
        except IdentifierError as e:
            raise e.for_field("applicant.id_number") from None
        id_hash, masked = personal_data.id_number_hash(settings, checked.number), mask_id_number(checked.number)
        credit_code = None
    # intake: link the applicant registry record of this identifier, when there is one
    registered = await applicant_repo.find_by_identity(session, credit_code, id_hash)
    if (
        not as_office
        and registered is not None
        and registered.principal_ref
        and ref not in (registered.principal_ref, str(registered.id))
    ):
        # the record belongs to another applicant account: linked to this application, its facts
        # (records, places, employer) would be read back through the eligibility and the versions
        raise DomainError(
            "forbidden",
            403,
            "该申报主体已由其他申报账号登记，不能以其名义申报",
            "This applicant is registered to another applicant account; you may not apply in its name",
            title="Forbidden",
        )
    if not as_office and not (
        proves(settings, principal, credit_code=credit_code, id_number_hash=id_hash)
        or (registered is not None and ref in (registered.principal_ref, str(registered.id)))
    ):
        # real names (issue 13): an account applies only in the name its token verifies, or of a record an
        # office bound to it; otherwise it would hold the real applicant's place in the round
        raise DomainError(
            "identity-not-verified",
            403,
            "申报账号只能以其实名认证的身份申报：令牌未认证该申报主体，也无评审办公室为本账号登记的记录",
            "An applicant account applies only in the name its token verifies, or of a record an office bound to it",
            title="Forbidden",
        )
    dup = await repo.same_applicant_in_round(session, rnd.id, category, credit_code, id_hash)
    if dup is not None:
        raise _duplicate(dup, principal)
    app = await repo.insert_application(
        session,
        {
            "applicant_id": registered.id if registered else None,
            "round_id": rnd.id,
            "programme": rnd.programme,
            "programme_version": rnd.programme_version,
            "category": category,
            "tier_sought": tier_sought,
            "applicant_kind": cat.applicant_kind,
            "applicant_name": name,
            "credit_code": credit_code,
            "id_number_hash": id_hash,
            "id_number_masked": masked,
            "applicant_ref": ref,
            "recommending_unit": recommending_unit,
            "state": ApplicationState.DRAFT,
            "outcome": {},
            "version": 1,
            "history_seq": 0,
            "history_head": "",
            "created_by": principal.sub,
            # the service's time, not the database's: the test clock too (issue 13)
            "created_at": now,
            "updated_at": now,
        },
    )
    if app is None:
        # a concurrent create of the same applicant passed the check above with us and committed
        # first; it is visible now (each statement reads what is committed when it starts)
        raise _duplicate(await repo.same_applicant_in_round(session, rnd.id, category, credit_code, id_hash), principal)
    await history.append(
        session,
        app,
        ctx.actor,
        "create",
        ApplicationState.DRAFT,
        ApplicationState.DRAFT,
        True,
        None,
        {"category": category},
        None,
        now,
    )
    await session.flush()
    return app


def _duplicate(existing: Application | None, principal: Principal) -> DomainError:
    # the one who raced us may already be withdrawn again, leaving nothing to point to; and the
    # existing application is named only to one who may see it (not another applicant account)
    extra = (
        {"application_id": str(existing.id)} if existing is not None and access.may_view(principal, existing) else {}
    )
    return DomainError(
        "duplicate-application",
        409,
        "该申报主体在本届已有申报",
        "This applicant already has an application in this round",
        title="Conflict",
        extra=extra,
    )


async def list_applications(
    session: AsyncSession,
    principal: Principal,
    filters: dict,
    offset: int,
    limit: int,
    sort: str | None = None,
    cursor: str | None = None,
):
    readable = access.readable(principal)
    if readable is None:
        raise DomainError(
            "forbidden", 403, "当前身份无权查看申报", "Your role may not list applications", title="Forbidden"
        )
    scope = access.reach(principal)
    if filters.get("name") and filters.get("programme") is None and scope is not None and scope[0] == "programme":
        # the rows ``readable`` already keeps; named, the search reads its programme's own bigram postings (issue 21)
        filters = {**filters, "programme": scope[1]}
    page = await repo.page_applications(session, readable, filters, offset, limit, sort, cursor)
    # a list shows each item as a single read would: an expert's or a supervisor's is in the read audit
    await confidentiality.record_reads(session, principal, [a.id for a in page.rows])
    return page
