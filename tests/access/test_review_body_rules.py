"""The review body's scope (第三方评审机构, linyi-8a) as pure predicates: the role and both claims together."""

from __future__ import annotations

import uuid

import pytest

from app.access import review_bodies
from app.db.models.review_bodies import ReviewBody
from app.domain.errors import DomainError
from app.identity import Principal, _principal_of

pytestmark = pytest.mark.no_database


def _body(status: str = "active", programme: str = "linyi", code: str = "B1") -> ReviewBody:
    return ReviewBody(id=uuid.uuid4(), programme=programme, code=code, name="某机构", credit_code="x", status=status)


def _p(*roles: str, **scopes: str) -> Principal:
    return Principal(sub="body-user", roles=frozenset(roles), **scopes)


def test_a_body_claim_counts_only_with_the_review_body_role_and_its_programme():
    assert review_bodies.body_scope(_p("review_body", programme="linyi", body="B1")) == ("linyi", "B1")
    assert review_bodies.body_scope(_p("office", programme="linyi", body="B1")) is None
    assert review_bodies.body_scope(_p("review_body", body="B1")) is None
    assert review_bodies.body_scope(_p("review_body", programme="linyi")) is None


def test_the_body_acts_for_itself_only_while_active():
    me = _p("review_body", programme="linyi", body="B1")
    assert review_bodies.acts_for(me, _body()) is True
    assert review_bodies.acts_for(me, _body(code="B2")) is False
    assert review_bodies.acts_for(me, _body(programme="changning")) is False
    assert review_bodies.acts_for(me, _body(status="suspended")) is False
    assert review_bodies.reads_body(_p("office", programme="linyi"), _body()) is True
    assert review_bodies.reads_body(_p("office", programme="changning"), _body()) is False
    assert review_bodies.manages_bodies(me, "linyi") is False


def test_lists_of_bodies_per_caller():
    assert review_bodies.readable_bodies(_p("expert", programme="linyi")) is None
    assert review_bodies.readable_bodies(_p("review_body", programme="linyi", body="B1")) is not None


def test_the_token_carries_the_body_claim_and_refuses_a_malformed_one():
    got = _principal_of({"sub": "b", "roles": ["review_body"], "programme": "linyi", "body": "B1"})
    assert (got.roles, got.programme, got.body) == (frozenset({"review_body"}), "linyi", "B1")
    with pytest.raises(DomainError) as refused:
        _principal_of({"sub": "b", "roles": ["review_body"], "programme": "linyi", "body": 7})
    assert refused.value.status == 401
