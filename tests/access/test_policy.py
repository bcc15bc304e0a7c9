"""The access policy's rules (app/access), each read once: a list shows exactly what single reads show.

``may_view`` (one loaded application) and ``readable`` (the SQL a list applies) read the same
scope, so for every caller the ids ``GET /applications`` lists are the ids ``GET
/applications/{id}`` answers; tokens with two roles or a role without its scope included.
"""

from __future__ import annotations

import pytest

from app.access import applications, office, roles
from app.identity import Principal
from tests.notices.driver import credit_code
from tests.workflow.flow import Flow


def _p(*role_names: str, **scopes: str) -> Principal:
    return Principal(sub="someone", roles=frozenset(role_names), **scopes)


class _App:
    def __init__(self, programme: str, unit: str | None, ref: str | None, state: str = "submitted") -> None:
        self.programme, self.recommending_unit, self.applicant_ref = programme, unit, ref
        self.state = state  # experts and the committee do not see drafts (issue 13)


APP = _App("jinshan", "unit-1", "org-1")


@pytest.mark.no_database
@pytest.mark.parametrize(
    "principal",
    [
        _p("office"),
        _p("expert"),
        _p("committee"),
        _p("recommender"),
        _p("applicant"),
        _p(),
        _p("integration", client="portal"),
    ],
)
def test_a_role_without_its_scope_is_nobodys_office_unit_or_applicant(principal):
    assert not applications.may_view(principal, APP) and applications.readable(principal) is None
    assert not applications.may_fire(
        principal, frozenset({"office", "recommender", "applicant", "expert", "committee"}), APP
    )
    assert office.readable_by_programme(principal, None) is None and not office.reads_notice(principal, "jinshan")


@pytest.mark.no_database
def test_a_scope_counts_only_with_its_role():
    """A programme claim on a recommender token does not make it the programme's office (nor its expert)."""
    wrong_role = _p("recommender", programme="jinshan", unit="unit-9")
    assert not roles.is_office_of(wrong_role, "jinshan") and not applications.may_view(wrong_role, APP)
    assert not office.handles_objection(_p("applicant", programme="jinshan", applicant="org-9"), "jinshan")
    assert office.handles_objection(_p("office", programme="jinshan"), "jinshan")


@pytest.mark.no_database
def test_the_programme_people_see_its_applications_and_fire_only_as_the_role_the_event_names():
    expert = _p("expert", programme="jinshan")
    # issue 14 (jinshan-21a): through its open, pledged assignment only
    assert not applications.may_view(expert, APP)
    assert applications.may_view(expert, APP, assigned=True)
    assert applications.may_fire(expert, frozenset({"expert"}), APP)
    assert not applications.may_fire(expert, frozenset({"office"}), APP)
    assert not applications.may_fire(_p("expert", programme="changning"), frozenset({"expert"}), APP)


@pytest.mark.no_database
def test_only_the_internal_system_principal_fires_system_events():
    """A token never carries the system role (``Role`` has none), whatever its subject says."""
    from app.workflow.service import SYSTEM

    assert applications.may_fire(SYSTEM, frozenset({"system"}), APP)
    assert not applications.may_fire(
        Principal(sub="system", roles=frozenset({"office"}), programme="jinshan"), frozenset({"system"}), APP
    )
    assert not roles.is_system(Principal(sub="system"))


@pytest.mark.no_database
def test_a_caller_with_two_roles_reads_through_one_scope_as_its_lists_always_did():
    """Office of changning and recommender of unit-1: the office's scope, as ``GET /applications`` listed."""
    both = _p("office", "recommender", programme="changning", unit="unit-1")
    assert applications.reach(both) == ("programme", "changning")
    assert not applications.may_view(both, APP)
    assert applications.may_view(both, _App("changning", None, None))


async def test_every_list_shows_exactly_what_single_reads_show(client, token):
    flows = {
        ("changning", "unit-1", "org-1"): Flow(client, token, "changning", "unit-1", "org-1"),
        ("changning", "unit-2", "org-2"): Flow(client, token, "changning", "unit-2", "org-2"),
        ("jinshan", "unit-1", "org-3"): Flow(client, token, "jinshan", "unit-1", "org-3"),
    }
    ids: list[str] = []
    await next(iter(flows.values())).at("2026-09-01T09:00:00+08:00")
    rounds: dict[str, dict] = {}
    for n, ((programme, unit, _), flow) in enumerate(flows.items()):
        if programme not in rounds:
            rounds[programme] = await flow.open_round(
                "2026", "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00"
            )
        ids.append((await flow.apply(rounds[programme]["id"], "model", credit_code=credit_code(n), unit=unit))["id"])
    callers = {
        "admin": token("admin"),
        "office changning": token("office", programme="changning"),
        "office jinshan": token("office", programme="jinshan"),
        "expert changning": token("expert", programme="changning"),
        "committee jinshan": token("committee", programme="jinshan"),
        "recommender unit-1": token("recommender", unit="unit-1"),
        "applicant org-2": token("applicant", applicant="org-2"),
        "office jinshan + recommender unit-2": token("office", "recommender", programme="jinshan", unit="unit-2"),
        "recommender unit-1 + applicant org-2": token("recommender", "applicant", unit="unit-1", applicant="org-2"),
        "office without a programme": token("office"),
        "integration": token("integration", client="portal"),
    }
    seen_by_someone = set()
    for name, headers in callers.items():
        single = {i for i in ids if (await client.get(f"/api/v1/applications/{i}", headers=headers)).status_code == 200}
        r = await client.get("/api/v1/applications", params={"size": 100}, headers=headers)
        listed = {a["id"] for a in r.json()["items"]} if r.status_code == 200 else set()
        assert r.status_code in (200, 403), (name, r.text)
        assert listed == single, name
        seen_by_someone |= single
    assert seen_by_someone == set(ids)
