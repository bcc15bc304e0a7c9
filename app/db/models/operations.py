"""Tables of the service's own operation: the deadline workers' heartbeats."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class WorkerHeartbeat(Base):
    """工作进程心跳: one row per running deadline worker, beaten every few seconds.

    Times are the database's own ``now()`` (not the test clock, not the worker host's clock), so
    the ``/ready`` of any replica compares them without clock skew between machines.
    """

    __tablename__ = "worker_heartbeats"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # host:pid:random
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    beat_at: Mapped[datetime]
    last_batch_at: Mapped[datetime | None]
    last_batch_size: Mapped[int | None] = mapped_column(Integer)
    handled_total: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
