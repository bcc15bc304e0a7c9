"""The event catalogue of a programme version (事件目录): what a frontend needs to draw and send each event.

Read off the compiled machine (``app/workflow/machine.py``), never kept beside it: each event's
code and names, who may fire it from which state to which, the guards with their clauses, and
the JSON Schema of its ``data`` (what ``validate_data`` refuses, with the programme's own codes
for tiers and revocation grounds). Round events follow (``app/workflow/rounds.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.domain.event_names import APPLICATION_EVENT_NAMES, ROUND_EVENT_NAMES
from app.domain.programmes.registry import get_registry
from app.domain.programmes.version import ProgrammeVersion
from app.domain.states import ROUND_STATE_NAMES_ZH, STATE_NAMES_ZH
from app.workflow.machine import CONDITIONS, MAX_TEXT, OPTIONAL_TEXT, REQUIRED_DATA, Workflow, workflow_for
from app.workflow.rounds import ROUND_TRANSITIONS

# data fields whose text has a format of its own (validate_data parses them)
_FORMATS = {"approved_on": "date", "correction_until": "date-time"}


@dataclass
class Guard:
    condition: str
    zh: str
    en: str
    clause: str | None


@dataclass
class Transition:
    source: str
    source_name_zh: str
    target: str
    target_name_zh: str
    roles: list[str]
    guards: list[Guard]
    clause: str | None
    internal: bool


@dataclass
class CatalogueEvent:
    code: str
    name_zh: str
    name_en: str
    scope: str  # "application" or "round"
    roles: list[str]
    reason_required: bool
    data_schema: dict[str, Any]
    transitions: list[Transition] = field(default_factory=list)


@dataclass
class EventCatalogue:
    programme: str
    version: str
    events: list[CatalogueEvent]


def event_catalogue(code: str, version: str | None = None) -> EventCatalogue:
    """The catalogue of ``code``'s version ``version`` (the one in force today without it; 404 for an unknown one)."""
    prog = get_registry().get(code, version)
    wf = workflow_for(prog.code, prog.id)
    return EventCatalogue(prog.code, prog.id, [*_application_events(wf, prog), *_round_events()])


def _application_events(wf: Workflow, prog: ProgrammeVersion) -> list[CatalogueEvent]:
    by_event: dict[str, CatalogueEvent] = {}
    order = {e: i for i, e in enumerate(APPLICATION_EVENT_NAMES)}
    for edge in wf.edges.values():
        entry = by_event.get(edge.event)
        if entry is None:
            zh, en = APPLICATION_EVENT_NAMES.get(edge.event, (edge.event, edge.event))
            entry = by_event[edge.event] = CatalogueEvent(
                edge.event,
                zh,
                en,
                "application",
                [],
                "reason" in REQUIRED_DATA.get(edge.event, ()),
                data_schema(edge.event, prog),
            )
        guards = [Guard(c, CONDITIONS[c].zh, CONDITIONS[c].en, CONDITIONS[c].clause or edge.clause) for c in edge.conds]
        entry.transitions.append(
            Transition(
                edge.source,
                STATE_NAMES_ZH.get(edge.source, edge.source),
                edge.target,
                STATE_NAMES_ZH.get(edge.target, edge.target),
                sorted(edge.actors),
                guards,
                edge.clause,
                edge.internal,
            )
        )
        entry.roles = sorted(set(entry.roles) | edge.actors)
    return sorted(by_event.values(), key=lambda e: (order.get(e.code, len(order)), e.code))


def _round_events() -> list[CatalogueEvent]:
    out: dict[str, CatalogueEvent] = {}
    for (source, event), target in ROUND_TRANSITIONS.items():
        zh, en = ROUND_EVENT_NAMES.get(event, (event, event))
        # the window's close is the deadline worker's; every other round event the programme's office's
        roles = ["system"] if event == "close" else ["office"]
        entry = out.setdefault(
            event, CatalogueEvent(event, zh, en, "round", roles, False, {"type": "object", "properties": {}})
        )
        entry.transitions.append(
            Transition(
                source, ROUND_STATE_NAMES_ZH[source], target, ROUND_STATE_NAMES_ZH[target], roles, [], None, False
            )
        )
    return list(out.values())


def data_schema(event: str, prog: ProgrammeVersion | None = None) -> dict[str, Any]:
    """The JSON Schema of ``event``'s ``data``: its required fields, the optional texts every event may
    carry, and the programme's codes where a field names one (``select``'s tier, ``revoke``'s ground)."""
    text = {"type": "string", "maxLength": MAX_TEXT}
    required = [name for name in REQUIRED_DATA.get(event, ()) if name != "reason"]
    properties: dict[str, Any] = {}
    for name in dict.fromkeys((*required, *OPTIONAL_TEXT)):
        prop: dict[str, Any] = dict(text)
        if name in _FORMATS:
            prop["format"] = _FORMATS[name]
        properties[name] = prop
    if prog is not None and event == "select":
        properties["tier"] = {"type": "string", "enum": [t.code for t in prog.tiers]}
    if prog is not None and event == "revoke":
        properties["ground"] = {"type": "string", "enum": [g.id for g in prog.revocation_grounds]}
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": True}
    if required:
        schema["required"] = required
    return schema
