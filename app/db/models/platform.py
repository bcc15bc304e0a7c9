"""Tables the API conventions stand on: idempotency keys and the test clock."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, LargeBinary, SmallInteger, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class IdempotencyKey(Base):
    """A create request's ``Idempotency-Key``, scoped to the principal that sent it."""

    __tablename__ = "idempotency_keys"

    principal: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    # in_flight until the first request's transaction commits with its response
    state: Mapped[str] = mapped_column(String(16))
    # new at each claim and take-over: a request whose lease ran out and whose key a retry took
    # over no longer holds it, so it can neither complete (its transaction fails) nor free the key
    token: Mapped[uuid.UUID]
    locked_until: Mapped[datetime]
    response_status: Mapped[int | None] = mapped_column(SmallInteger)
    response_headers: Mapped[dict | None] = mapped_column(JSONB)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(index=True)


class TestClock(Base):
    """The frozen 'now' of a non-production deployment (one row, id 1)."""

    __tablename__ = "test_clock"
    __test__ = False

    id: Mapped[int] = mapped_column(Integer, primary_key=True, server_default=text("1"))
    frozen_at: Mapped[datetime]
    set_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
