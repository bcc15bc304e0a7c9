"""Every programme's machine compiles and keeps its invariants; diagrams are committed and current."""

from __future__ import annotations

import pytest

from app.domain.programmes.registry import get_registry
from app.domain.states import FINAL_STATES
from app.workflow.commands import DIAGRAMS, render_diagrams
from app.workflow.machine import compile_workflow

VERSIONS = [(code, p) for code in get_registry().codes() for p in get_registry().versions(code)]
pytestmark = pytest.mark.no_database


@pytest.mark.parametrize(("code", "programme"), VERSIONS, ids=[f"{c}-{p.id}" for c, p in VERSIONS])
def test_every_programme_compiles_with_only_its_own_stages(code, programme):
    wf = compile_workflow(programme)
    assert wf.states[0] == "draft" and "awarded" in wf.states
    assert set(programme.stage_codes) <= set(wf.states)
    unused = {
        "preliminary_review",
        "qualification_notice",
        "onsite_notice",
        "defence",
        "awaiting_recommendation",
    } - set(programme.stage_codes)
    assert not unused & set(wf.states)


@pytest.mark.parametrize(("code", "programme"), VERSIONS, ids=[f"{c}-{p.id}" for c, p in VERSIONS])
def test_every_non_final_state_has_a_way_out(code, programme):
    wf = compile_workflow(programme)
    for state in wf.states:
        outs = [e for e in wf.edges_from(state) if e.target != state]
        if state in FINAL_STATES:
            assert not outs, state
        else:
            assert outs, f"{state} is a dead end"


@pytest.mark.parametrize(("code", "programme"), VERSIONS, ids=[f"{c}-{p.id}" for c, p in VERSIONS])
def test_revoked_is_reachable_only_from_awarded(code, programme):
    wf = compile_workflow(programme)
    sources = {e.source for e in wf.edges.values() if e.target == "revoked"}
    assert sources == {"awarded"}


@pytest.mark.parametrize(("code", "programme"), VERSIONS, ids=[f"{c}-{p.id}" for c, p in VERSIONS])
def test_awarded_is_reachable_from_draft(code, programme):
    wf = compile_workflow(programme)
    seen, todo = {"draft"}, ["draft"]
    while todo:
        s = todo.pop()
        for e in wf.edges_from(s):
            if e.target not in seen:
                seen.add(e.target)
                todo.append(e.target)
    assert "awarded" in seen and set(wf.states) == seen


def test_committed_diagrams_match_the_programmes():
    """Regenerate with `qaward diagrams` when this fails."""
    rendered = render_diagrams()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DIAGRAMS.glob("*.md")}
    assert on_disk == rendered
