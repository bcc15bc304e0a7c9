"""No fee is ever charged to an applicant (不收取任何费用: jinshan-6a, hangzhou-1.4b, linyi-16a, tianning-20b).

The proof is the contract itself: no operation takes a fee, a price or a charge, and every amount any request body
can carry is refused below zero by its own schema (a number with a minimum of zero or more, a string whose pattern
admits no sign); the reward table's CHECK refuses a non-positive amount whatever the code does."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.domain.programmes.registry import get_registry

CONTRACT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
MONEY = re.compile(r"amount|yuan|fee|price|charge|cost|payment|pay_", re.I)
CHARGE_WORDS = {
    "fee",
    "fees",
    "charge",
    "charges",
    "price",
    "prices",
    "invoice",
    "invoices",
    "bill",
    "billing",
    "tuition",
}


def _names_a_charge(text: str) -> bool:
    return bool(CHARGE_WORDS & {w.lower() for w in re.split(r"[^A-Za-z]+", text)}) or "收费" in text


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _money_fields(doc: dict, schema: dict, where: str, seen: set[str]) -> list[tuple[str, dict]]:
    """Every (path, schema) of a property named like money, at any depth of a request body."""
    if "$ref" in schema:
        name = schema["$ref"]
        if name in seen:
            return []
        seen = seen | {name}
    schema = _resolve(doc, schema)
    out: list[tuple[str, dict]] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            out += _money_fields(doc, branch, where, seen)
    if "items" in schema:
        out += _money_fields(doc, schema["items"], f"{where}[]", seen)
    for name, prop in (schema.get("properties") or {}).items():
        if MONEY.search(name):
            out.append((f"{where}.{name}", prop))
        out += _money_fields(doc, prop, f"{where}.{name}", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        out += _money_fields(doc, schema["additionalProperties"], f"{where}.*", seen)
    return out


def _branches(doc: dict, schema: dict) -> list[dict]:
    schema = _resolve(doc, schema)
    if "anyOf" in schema or "oneOf" in schema:
        return [b for key in ("anyOf", "oneOf") for s in schema.get(key, []) for b in _branches(doc, s)]
    return [schema]


def _admits_a_charge(branch: dict) -> str | None:
    """Why this schema branch would let a negative amount (a charge) through, or None."""
    kind = branch.get("type")
    if kind == "null":
        return None
    if kind in ("number", "integer"):
        low = branch.get("minimum", branch.get("exclusiveMinimum"))
        return None if low is not None and low >= 0 else "a number without a minimum of zero"
    if kind == "string":
        pattern = branch.get("pattern")
        if pattern is None:
            return "a string without a pattern"
        return "a pattern admitting a sign" if re.search(pattern, "-1") or re.search(pattern, "-0.01") else None
    return f"an unconstrained {kind or 'value'}"


@pytest.mark.no_database
def test_no_request_body_can_carry_a_negative_amount_or_a_fee__jinshan_6a_hangzhou_1_4b_linyi_16a_tianning_20b():
    """Walk every operation of the contract: no path names a fee or a charge, and every money field of every request
    body (at any depth) is bounded below by zero; the approval's amount is above zero."""
    doc = json.loads(CONTRACT.read_text(encoding="utf-8"))
    found: dict[str, dict] = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert not _names_a_charge(path), f"{method.upper()} {path} names a charge"
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            for where, prop in _money_fields(doc, body["schema"], op["operationId"], set()):
                found[where] = prop
                assert not _names_a_charge(where.rsplit(".", 1)[1]) or where.endswith("fee_free"), where
                for branch in _branches(doc, prop):
                    assert (why := _admits_a_charge(branch)) is None, f"{where}: {why}"
    # the reward approval's amount is among the fields walked, strictly positive as a number
    approval = found["approve_application_reward.amount_yuan"]
    numbers = [b for b in _branches(doc, approval) if b.get("type") == "number"]
    assert numbers and all(b.get("exclusiveMinimum") == 0 for b in numbers)
    assert "record_held_award.amount_received_yuan" in found


@pytest.mark.no_database
def test_every_programme_states_it_charges_no_fee__jinshan_6a_hangzhou_1_4b_linyi_16a_tianning_20b():
    """Each programme's data says the review is free, citing its clause where the text says so."""
    registry = get_registry()
    clauses = {}
    for code in ("changning", "jinshan", "hangzhou", "linyi", "tianning"):
        for version in registry.versions(code):
            assert version.fees.fee_free, (code, version.id)
            clauses[code] = version.fees.clause
    assert clauses | {"changning": None} == {
        "changning": None,
        "jinshan": "jinshan-6a",
        "hangzhou": "hangzhou-1.4b",
        "linyi": "linyi-16a",
        "tianning": "tianning-20b",
    }
