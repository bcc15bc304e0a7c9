"""A machine that reached a final state is re-armed and reused, not rebuilt (issue #12, bench/workflow.py figures).

Building a machine resolves every callback of every transition; withdraw, fail, disqualify and
revoke all end in a final state, where python-statemachine stops the machine. ``Workflow.decide``
re-arms it instead of building a new one; these tests pin that the reused machine decides as a
new one does, from whatever state it is given next.
"""

from __future__ import annotations

import pytest
from statemachine.exceptions import TransitionNotAllowed

from app.domain.errors import DomainError
from app.domain.programmes.registry import get_registry
from app.domain.states import ApplicationState as S
from app.workflow.machine import EventInput, Facts, compile_workflow

pytestmark = pytest.mark.no_database

PROGRAMME = get_registry().get("changning", "2023")


def _inp(event: str, data: dict | None = None, reason: str | None = None, permitted: bool = True) -> EventInput:
    return EventInput(
        event=event,
        permitted=permitted,
        round_state="under_review",
        notice_published=False,
        reason=reason,
        data=data or {},
        programme=PROGRAMME,
    )


def _counting(wf):
    built = []
    new = wf._new

    def counted():
        built.append(1)
        return new()

    wf._new = counted
    return built


def test_a_machine_that_ended_in_a_final_state_is_reused_and_decides_as_a_new_one():
    wf = compile_workflow(PROGRAMME)
    built = _counting(wf)
    withdraw = wf.decide(S.QUALIFICATION_REVIEW, _inp("withdraw", {"note": "x"}), Facts())
    assert withdraw.target == S.WITHDRAWN
    failed = wf.decide(
        S.QUALIFICATION_REVIEW, _inp("fail_qualification", {"notice_text": "不予通过"}, reason="材料不符"), Facts()
    )
    assert failed.target == S.INELIGIBLE
    # the same machine, from an ordinary state again: a pass, a guard, a transition the state lacks
    passed = wf.decide(S.QUALIFICATION_REVIEW, _inp("pass_qualification", {"opinion": "同意"}), Facts())
    assert passed.target == S.QUALIFICATION_REVIEW and passed.decision["decision"] == "pass_qualification"
    with pytest.raises(DomainError) as guard:
        wf.decide(S.DRAFT, _inp("submit", {"note": "x"}), Facts(window_open=False))
    assert guard.value.slug == "guard-failed" and guard.value.extra["condition"] == "window_open"
    with pytest.raises(TransitionNotAllowed):
        wf.decide(S.WITHDRAWN, _inp("withdraw", {"note": "x"}), Facts())
    with pytest.raises(DomainError) as forbidden:
        wf.decide(S.QUALIFICATION_REVIEW, _inp("withdraw", {"note": "x"}, permitted=False), Facts())
    assert forbidden.value.status == 403
    assert len(built) == 1, "every send after the first reused the one machine"


def test_events_ending_in_a_final_state_build_no_machine_after_the_first():
    wf = compile_workflow(PROGRAMME)
    built = _counting(wf)
    for i in range(5):
        outcome = wf.decide(S.QUALIFICATION_REVIEW, _inp("withdraw", {"note": str(i)}), Facts())
        assert outcome.target == S.WITHDRAWN
    assert len(built) == 1
