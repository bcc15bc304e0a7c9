"""The SQL of the service's own health: worker heartbeats and the gauges /metrics reads at scrape time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def beat(session: AsyncSession, worker_id: str, host: str, pid: int, batch_size: int | None) -> None:
    """The worker is alive (and, with ``batch_size``, has just handled a batch of that many deadlines)."""
    await session.execute(
        text(
            """
            INSERT INTO worker_heartbeats (id, host, pid, started_at, beat_at, last_batch_at, last_batch_size, handled_total)
            VALUES (:id, :host, :pid, now(), now(),
                    CASE WHEN CAST(:n AS integer) IS NULL THEN NULL ELSE now() END, :n, coalesce(:n, 0))
            ON CONFLICT (id) DO UPDATE SET
                beat_at = now(),
                last_batch_at = CASE WHEN CAST(:n AS integer) IS NULL
                                     THEN worker_heartbeats.last_batch_at ELSE now() END,
                last_batch_size = coalesce(:n, worker_heartbeats.last_batch_size),
                handled_total = worker_heartbeats.handled_total + coalesce(:n, 0)
            """
        ),
        {"id": worker_id, "host": host[:255], "pid": pid, "n": batch_size},
    )


async def remove(session: AsyncSession, worker_id: str) -> None:
    await session.execute(text("DELETE FROM worker_heartbeats WHERE id = :id"), {"id": worker_id})


async def purge_gone(session: AsyncSession, older_than_seconds: int) -> int:
    """Rows of workers silent this long (a crash, a lost machine): no longer worth reporting."""
    result = await session.execute(
        text("DELETE FROM worker_heartbeats WHERE beat_at < now() - make_interval(secs => :s)"),
        {"s": older_than_seconds},
    )
    return result.rowcount or 0


async def workers(session: AsyncSession) -> list:
    """Every worker's row with ``age_seconds``: how long ago it last beat, by the database's clock."""
    result = await session.execute(
        text(
            """
            SELECT id, host, pid, started_at, beat_at, last_batch_at, last_batch_size, handled_total,
                   extract(epoch FROM now() - beat_at)::float AS age_seconds
              FROM worker_heartbeats ORDER BY beat_at DESC
            """
        )
    )
    return list(result)


async def backlog(session: AsyncSession, now: datetime) -> dict[str, float]:
    """The workflow gauges at ``now`` (the service's clock, the test clock included), in one query."""
    row = (
        await session.execute(
            text(
                """
                SELECT
                  (SELECT count(*) FROM deadlines WHERE status = 'pending' AND ends_at <= :now) AS due,
                  (SELECT extract(epoch FROM :now - min(ends_at)) FROM deadlines
                    WHERE status = 'pending' AND ends_at <= :now) AS oldest_due,
                  (SELECT count(*) FROM deadlines WHERE status = 'waiting') AS waiting,
                  (SELECT count(*) FROM objections WHERE status IN ('received', 'verifying')
                      AND verification_due_at < :now) AS overdue_objections
                """
            ),
            {"now": now},
        )
    ).one()
    return {
        "due": float(row.due),
        "oldest_due_seconds": float(row.oldest_due or 0),
        "waiting": float(row.waiting),
        "overdue_objections": float(row.overdue_objections),
    }


async def table_exists(session: AsyncSession, name: str) -> bool:
    return bool((await session.execute(text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name})).scalar())


async def outbox_lag(session: AsyncSession) -> tuple[float, float] | None:
    """(unpublished events, age in seconds of the oldest) once the outbox exists (issue 18), else None."""
    if not await table_exists(session, "outbox_events"):
        return None
    row = (
        await session.execute(
            text(
                "SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(occurred_at)), 0)::float AS age"
                " FROM outbox_events WHERE published_seq IS NULL"
            )
        )
    ).one()
    return float(row.n), float(row.age)


async def user_tables(session: AsyncSession) -> list[str]:
    """The tables of the public schema (a restore goes only into a database with none)."""
    result = await session.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"))
    return [r[0] for r in result]
