"""The access policy's predicates (访问权限) called directly: each rule, each scope, each role mix.

Database-free and fast, so ``tools/mutate.py`` runs them on every mutant of ``app/access`` first.
The predicates are pinned to ``True``/``False`` (not merely truthy): a rule answering ``None``
is a rule that forgot to decide. The SQL filters are compared as SQL, and the registry's rules
are called only on the branches that never reach the database (``session`` is ``None`` there;
the branches that query it are covered by ``test_policy.py`` and ``test_access_matrix.py``).
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import ColumnElement, true

from app.access import applicants, applications, office, roles
from app.db.models.intake import Applicant, ReapplicationBan
from app.db.models.workflow import Application, Round
from app.db.repositories.review import open_pledged_assignment
from app.identity import ANONYMOUS, Principal
from app.workflow.service import SYSTEM

pytestmark = pytest.mark.no_database


def _p(*role_names: str, **scopes: str) -> Principal:
    return Principal(sub="someone", roles=frozenset(role_names), **scopes)


class _App:
    def __init__(self, programme: str, unit: str | None, ref: str | None, state: str = "submitted") -> None:
        self.programme, self.recommending_unit, self.applicant_ref = programme, unit, ref
        self.state = state  # experts and the committee do not see drafts (issue 13)


APP = _App("jinshan", "unit-1", "org-1")
OFFICE = _p("office", programme="jinshan")
OTHER_OFFICE = _p("office", programme="changning")
EXPERT = _p("expert", programme="jinshan")
SUPERVISOR = _p("supervisor", programme="jinshan")
COMMITTEE = _p("committee", programme="jinshan")
RECOMMENDER = _p("recommender", unit="unit-1")
OTHER_RECOMMENDER = _p("recommender", unit="unit-2")
APPLICANT = _p("applicant", applicant="org-1")
OTHER_APPLICANT = _p("applicant", applicant="org-2")
ADMIN = _p("admin")
EVERY_ACTOR = frozenset({"office", "recommender", "applicant", "expert", "committee"})


def _same_sql(a: ColumnElement[bool] | None, b: ColumnElement[bool]) -> bool:
    return a is not None and str(a.compile(compile_kwargs={"literal_binds": True})) == str(
        b.compile(compile_kwargs={"literal_binds": True})
    )


# --- roles -------------------------------------------------------------------------------------


def test_system_is_only_the_internal_principal():
    assert roles.is_system(SYSTEM) is True
    assert roles.is_system(OFFICE) is False
    assert roles.SYSTEM_ROLE == "system" and "system" in SYSTEM.roles


@pytest.mark.parametrize("role", ["office", "expert", "committee", "supervisor"])
def test_office_expert_group_and_committee_are_each_the_programmes_staff(role):
    staff = _p(role, programme="jinshan")
    assert roles.staff_programme(staff) == "jinshan"
    assert roles.is_staff_of(staff, "jinshan") is True
    assert roles.is_staff_of(staff, "changning") is False


def test_staff_needs_both_a_staff_role_and_a_programme():
    assert roles.staff_programme(_p("expert")) is None
    assert roles.staff_programme(_p("recommender", programme="jinshan", unit="unit-1")) is None
    assert roles.is_staff_of(_p("expert"), None) is False
    assert roles.is_staff_of(_p("recommender", programme="jinshan", unit="unit-1"), "jinshan") is False


def test_an_office_is_the_office_of_its_own_programme_only():
    assert roles.office_programme(OFFICE) == "jinshan"
    assert roles.office_programme(_p("office")) is None
    assert roles.office_programme(EXPERT) is None  # expert of the programme, not its office
    assert roles.is_office_of(OFFICE, "jinshan") is True
    assert roles.is_office_of(OTHER_OFFICE, "jinshan") is False
    assert roles.is_office_of(_p("office"), None) is False
    assert roles.is_office_of(OFFICE, None) is False


def test_a_recommender_is_the_recommender_of_its_own_unit_only():
    assert roles.unit_of(RECOMMENDER) == "unit-1"
    assert roles.unit_of(_p("recommender")) is None
    assert roles.unit_of(_p("office", programme="jinshan", unit="unit-1")) is None
    assert roles.is_recommender_of(RECOMMENDER, "unit-1") is True
    assert roles.is_recommender_of(OTHER_RECOMMENDER, "unit-1") is False
    assert roles.is_recommender_of(_p("recommender"), None) is False


def test_an_applicant_account_is_only_its_own_applicant():
    assert roles.applicant_of(APPLICANT) == "org-1"
    assert roles.applicant_of(_p("applicant")) is None
    assert roles.applicant_of(_p("recommender", unit="unit-1", applicant="org-1")) is None
    assert roles.is_applicant(APPLICANT, "org-1") is True
    assert roles.is_applicant(OTHER_APPLICANT, "org-1") is False
    assert roles.is_applicant(_p("applicant"), None) is False


# --- applications ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "scope"),
    [
        (ADMIN, ("all", None)),
        (OFFICE, ("programme", "jinshan")),
        (COMMITTEE, ("programme", "jinshan")),
        (RECOMMENDER, ("recommending_unit", "unit-1")),
        (APPLICANT, ("applicant_ref", "org-1")),
        (ANONYMOUS, None),
    ],
)
def test_each_caller_reaches_applications_through_one_scope(principal, scope):
    assert applications.reach(principal) == scope


@pytest.mark.parametrize(
    ("principal", "sees"),
    [
        (ADMIN, True),
        (OFFICE, True),
        (OTHER_OFFICE, False),
        # issue 14 (jinshan-21a): an expert unassigned sees nothing; assigned, see the test below
        (EXPERT, False),
        (SUPERVISOR, True),
        (_p("supervisor", programme="changning"), False),
        (RECOMMENDER, True),
        (OTHER_RECOMMENDER, False),
        (APPLICANT, True),
        (OTHER_APPLICANT, False),
        (ANONYMOUS, False),
    ],
)
def test_who_sees_one_application(principal, sees):
    assert applications.may_view(principal, APP) is sees


@pytest.mark.parametrize(
    ("principal", "where"),
    [
        (OFFICE, Application.programme == "jinshan"),
        (RECOMMENDER, Application.recommending_unit == "unit-1"),
        (APPLICANT, Application.applicant_ref == "org-1"),
        (ADMIN, true()),
    ],
)
def test_a_list_filters_on_the_callers_one_scope(principal, where):
    assert _same_sql(applications.readable(principal), where)


def test_a_caller_with_no_scope_may_list_no_applications():
    assert applications.readable(ANONYMOUS) is None


def test_the_system_fires_only_system_events():
    assert applications.may_fire(SYSTEM, frozenset({"system"}), APP) is True
    assert applications.may_fire(SYSTEM, frozenset({"office"}), APP) is False


@pytest.mark.parametrize(
    ("principal", "actors", "fires"),
    [
        (OFFICE, {"office"}, True),
        (OTHER_OFFICE, {"office"}, False),
        (RECOMMENDER, {"recommender"}, True),
        (OTHER_RECOMMENDER, {"recommender"}, False),
        (APPLICANT, {"applicant"}, True),
        (OTHER_APPLICANT, {"applicant"}, False),
        (EXPERT, {"expert"}, True),
        (COMMITTEE, {"committee"}, True),
        (_p("committee", programme="changning"), {"committee"}, False),
        (_p("expert"), {"expert"}, False),
        (EXPERT, {"office", "committee"}, False),
        (ANONYMOUS, EVERY_ACTOR, False),
        (ADMIN, EVERY_ACTOR, False),  # an admin sees everything but acts as no role of the workflow
        # two roles: each acts only as itself, the other role's scope lends it nothing
        (_p("office", "recommender", programme="jinshan", unit="unit-9"), {"recommender"}, False),
        (_p("office", "recommender", programme="changning", unit="unit-1"), {"office"}, False),
        (_p("office", "applicant", programme="changning", applicant="org-1"), {"office"}, False),
        (_p("recommender", programme="jinshan", unit="unit-9"), {"recommender"}, False),
    ],
)
def test_who_fires_an_event_naming_these_actors(principal, actors, fires):
    assert applications.may_fire(principal, frozenset(actors), APP) is fires


@pytest.mark.parametrize(
    ("principal", "edits", "uploads_opinion", "overrides", "posts_proof"),
    [
        (APPLICANT, True, False, False, True),
        (OFFICE, True, True, True, True),
        (RECOMMENDER, False, True, False, False),
        (OTHER_OFFICE, False, False, False, False),
        (OTHER_APPLICANT, False, False, False, False),
        (OTHER_RECOMMENDER, False, False, False, False),
        (ADMIN, False, False, False, False),
    ],
)
def test_who_edits_materials_uploads_the_opinion_overrides_eligibility_and_posts_the_unit_proof(
    principal, edits, uploads_opinion, overrides, posts_proof
):
    assert applications.may_edit_materials(principal, APP) is edits
    assert applications.may_upload_opinion(principal, APP) is uploads_opinion
    assert applications.may_override_eligibility(principal, APP) is overrides
    assert applications.may_post_unit_proof(principal, APP) is posts_proof


def test_an_office_starts_applications_only_in_its_own_programme():
    assert applications.starts_as_office(OFFICE, "jinshan") is True
    assert applications.starts_as_office(OTHER_OFFICE, "jinshan") is False


# --- office ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "rounds", "units", "reads", "handles"),
    [
        (OFFICE, True, True, True, True),
        (ADMIN, False, True, True, False),
        (OTHER_OFFICE, False, False, False, False),
        (EXPERT, False, False, False, False),
        (_p("office"), False, False, False, False),
    ],
)
def test_what_an_office_keeps_for_its_programme(principal, rounds, units, reads, handles):
    assert office.manages_rounds(principal, "jinshan") is rounds
    assert office.manages_units(principal, "jinshan") is units
    assert office.reads_notice(principal, "jinshan") is reads
    assert office.handles_notice(principal, "jinshan") is handles
    assert office.handles_objection(principal, "jinshan") is handles


def test_programme_kept_lists_show_an_office_its_own_programme_and_an_admin_all():
    column = ReapplicationBan.programme
    assert _same_sql(office.readable_by_programme(OFFICE, column), column == "jinshan")
    assert _same_sql(office.readable_by_programme(ADMIN, column), true())
    assert office.readable_by_programme(_p("office"), column) is None
    assert office.readable_by_programme(EXPERT, column) is None


def test_an_office_reads_its_programmes_bans_and_those_reaching_every_programme():
    expected = ReapplicationBan.programme.in_(["jinshan"]) | (ReapplicationBan.scope == "same_or_higher_level")
    assert _same_sql(office.readable_bans(OFFICE), expected)
    assert _same_sql(office.readable_bans(ADMIN), true())
    assert office.readable_bans(_p("office")) is None
    assert office.readable_bans(RECOMMENDER) is None


def test_a_ban_recorded_by_hand_is_under_the_offices_programme():
    assert office.records_bans_for(OFFICE) == "jinshan"
    assert office.records_bans_for(ADMIN) is None


# --- the applicant registry --------------------------------------------------------------------


def _applicant(principal_ref: str | None = "org-1", registered_by: str | None = None) -> Applicant:
    return Applicant(
        id=uuid.uuid4(),
        kind="organisation",
        name="某公司",
        principal_ref=principal_ref,
        registered_by_programme=registered_by,
    )


@pytest.mark.parametrize(
    ("principal", "reads"),
    [(ADMIN, True), (OFFICE, True), (_p("office"), False), (RECOMMENDER, False), (APPLICANT, False)],
)
def test_who_reads_the_whole_registry(principal, reads):
    assert applicants.reads_registry(principal) is reads
    assert (applicants.readable(principal) is not None) is reads
    # least privilege (issue 13): the admin reads the whole registry, an office only what it handles
    if reads:
        assert _same_sql(applicants.readable(principal), true()) is (principal is ADMIN)


def test_an_applicant_account_owns_its_record_by_reference_or_by_id():
    record = _applicant("org-1")
    assert applicants.owns(APPLICANT, record) is True
    assert applicants.owns(_p("applicant", applicant=str(record.id)), record) is True
    assert applicants.owns(OTHER_APPLICANT, record) is False
    # a caller with no applicant scope owns nothing, not even a record naming no account
    assert applicants.owns(OFFICE, _applicant(None)) is False


async def test_the_registry_rules_that_need_no_query():
    # session None: these branches decide before reaching the database
    registered_here = _applicant("org-9", registered_by="jinshan")
    assert await applicants.handles(None, OFFICE, registered_here) is True
    assert await applicants.handles(None, _p("office"), _applicant("org-9")) is False
    assert await applicants.handles(None, APPLICANT, _applicant("org-9")) is False
    assert await applicants.may_read(None, ADMIN, registered_here) is True
    assert await applicants.may_read(None, APPLICANT, _applicant("org-1")) is True
    assert await applicants.may_read(None, ANONYMOUS, registered_here) is False
    assert await applicants.may_read(None, OTHER_APPLICANT, _applicant("org-1")) is False
    assert await applicants.may_change(None, ADMIN, registered_here) is True
    assert await applicants.may_change(None, APPLICANT, _applicant("org-1")) is True
    assert await applicants.may_change(None, OFFICE, registered_here) is True
    assert await applicants.may_change(None, ANONYMOUS, _applicant("org-1")) is False
    # the owning account sees the full number only when its token proves that number (issue 13)
    assert await applicants.sees_id_number(None, APPLICANT, _applicant("org-1"), proven=True) is True
    assert await applicants.sees_id_number(None, APPLICANT, _applicant("org-1")) is False
    assert await applicants.sees_id_number(None, OFFICE, registered_here) is True
    assert await applicants.sees_id_number(None, ADMIN, _applicant("org-1")) is False


@pytest.mark.parametrize(
    ("principal", "registers"),
    [
        (ADMIN, ("org-5", None)),
        (OFFICE, ("org-5", "jinshan")),
        (APPLICANT, ("org-1", None)),  # an applicant account registers itself, whatever it asks
        (RECOMMENDER, None),
        (ANONYMOUS, None),
    ],
)
def test_who_registers_an_applicant_and_under_which_reference(principal, registers):
    assert applicants.registers_as(principal, "org-5") == registers


# --- least privilege (issue 13) ----------------------------------------------------------------


def test_a_draft_round_is_read_by_its_office_and_the_admins_alone():
    for who, reads in ((ADMIN, True), (SYSTEM, True), (OFFICE, True), (OTHER_OFFICE, False), (EXPERT, False)):
        assert office.reads_round(who, "jinshan", "draft") is reads, who
    for who in (OTHER_OFFICE, EXPERT, COMMITTEE, RECOMMENDER, APPLICANT):
        assert office.reads_round(who, "jinshan", "open") is True, who
    assert _same_sql(office.readable_rounds(ADMIN), true())
    assert _same_sql(office.readable_rounds(SYSTEM), true())
    assert _same_sql(office.readable_rounds(EXPERT), Round.state != "draft")
    assert _same_sql(office.readable_rounds(OFFICE), (Round.state != "draft") | (Round.programme == "jinshan"))


def test_experts_and_the_committee_see_no_draft_application():
    draft = _App("jinshan", "unit-1", "org-1", state="draft")
    for who, sees in (
        (EXPERT, False),
        (COMMITTEE, False),
        (OFFICE, True),
        (ADMIN, True),
        (RECOMMENDER, True),
        (APPLICANT, True),
        (SUPERVISOR, False),
        (_p("office", "expert", programme="jinshan"), True),  # an office that is also an expert reads as the office
    ):
        assert applications.may_view(who, draft, assigned=True) is sees, who
        assert applications.sees_drafts(who) is sees, who
    assert applications.may_view(EXPERT, APP, assigned=True) is True
    assert _same_sql(
        applications.readable(EXPERT),
        (Application.programme == "jinshan")
        & (Application.state != "draft")
        & open_pledged_assignment("jinshan", "someone", Application.id),
    )
    assert _same_sql(
        applications.readable(SUPERVISOR), (Application.programme == "jinshan") & (Application.state != "draft")
    )
    assert _same_sql(applications.readable(OFFICE), Application.programme == "jinshan")


def test_an_expert_sees_an_application_only_through_its_open_pledged_assignment_jinshan_21a():
    """jinshan-21a, hangzhou-6.2a, linyi-20a: the assignment is the one fact an expert's view reads;
    a caller holding a role that reads the programme whole is not asked for it."""
    assert applications.reads_through_assignment(EXPERT) is True
    assert applications.may_view(EXPERT, APP) is False
    assert applications.may_view(EXPERT, APP, assigned=True) is True
    assert applications.may_view(_p("expert", programme="changning"), APP, assigned=True) is False
    for more in ("office", "committee", "supervisor", "admin"):
        both = _p("expert", more, programme="jinshan")
        assert applications.reads_through_assignment(both) is False, more
        assert applications.may_view(both, APP) is True, more
    assert applications.reads_through_assignment(_p("expert")) is False  # no programme: no scope at all
    assert applications.may_view(_p("expert"), APP, assigned=True) is False


def test_a_supervisor_reads_its_programme_and_is_read_only_hangzhou_6_1():
    assert roles.supervisor_programme(SUPERVISOR) == "jinshan"
    assert roles.is_supervisor_of(SUPERVISOR, "jinshan") is True
    assert roles.is_supervisor_of(SUPERVISOR, "changning") is False
    assert roles.supervisor_programme(_p("supervisor")) is None
    assert roles.read_only(SUPERVISOR) is True
    assert roles.read_only(_p("supervisor", "office", programme="jinshan")) is True
    assert roles.read_only(OFFICE) is False
    assert applications.may_fire(SUPERVISOR, EVERY_ACTOR, APP) is False


def test_who_registers_on_someone_elses_behalf():
    assert applicants.registers_on_behalf(ADMIN) == "admin"
    assert applicants.registers_on_behalf(OFFICE) == "office"
    assert applicants.registers_on_behalf(_p("office")) is None
    assert applicants.registers_on_behalf(APPLICANT) is None


def test_an_office_lists_the_records_it_registered_or_that_applied_in_its_programme():
    sql = str(applicants.readable(OFFICE).compile(compile_kwargs={"literal_binds": True}))
    assert "applicants.registered_by_programme = 'jinshan'" in sql
    assert "EXISTS" in sql and "applications.programme = 'jinshan'" in sql
    assert _same_sql(applicants.readable(_p("office", "admin", programme="jinshan")), true())
    assert applicants.readable(RECOMMENDER) is None


async def test_only_the_admin_reassigns_without_a_query():
    assert await applicants.may_reassign(None, ADMIN, _applicant("org-1")) is True
    assert await applicants.may_reassign(None, APPLICANT, _applicant("org-1")) is False
    assert await applicants.may_reassign(None, OFFICE, _applicant("org-9", registered_by="jinshan")) is True
