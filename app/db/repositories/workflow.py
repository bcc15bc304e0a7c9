"""Rounds, applications, deadlines and history (the only SQL for them)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Text, and_, bindparam, exists, func, inspect, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import lean
from app.db.models.review import Consensus
from app.db.models.workflow import Application, ApplicationEvent, Deadline, Round
from app.db.repositories import keyset
from app.db.repositories import outbox as outbox_repo
from app.db.repositories.outbox import OutboxRow

# --- rounds ---------------------------------------------------------------------------------


async def add(session: AsyncSession, row) -> None:
    session.add(row)
    await session.flush()


async def get_round(session: AsyncSession, round_id: uuid.UUID, *, for_update: bool = False) -> Round | None:
    stmt = select(Round).where(Round.id == round_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def find_round(session: AsyncSession, programme: str, label: str) -> Round | None:
    return (
        await session.execute(select(Round).where(Round.programme == programme, Round.label == label))
    ).scalar_one_or_none()


async def page_rounds(
    session: AsyncSession,
    programme: str | None,
    states: Iterable[str] | None,
    offset: int,
    limit: int,
    readable: ColumnElement[bool] | None = None,
) -> tuple[list[Round], int]:
    """``readable``: the caller's access filter (``app.access.office.readable_rounds``), if any."""
    base = select(Round) if readable is None else select(Round).where(readable)
    if programme:
        base = base.where(Round.programme == programme)
    if states:
        base = base.where(Round.state.in_(list(states)))
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = (
        (await session.execute(base.order_by(Round.programme, Round.opens_at.desc()).offset(offset).limit(limit)))
        .scalars()
        .all()
    )
    return list(rows), total


# --- applications ---------------------------------------------------------------------------


async def get_application(session: AsyncSession, app_id: uuid.UUID, *, for_update: bool = False) -> Application | None:
    stmt = select(Application).where(Application.id == app_id)
    if for_update:
        # a row read earlier in this transaction must be refreshed once we hold its lock
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


# built once: every event runs it, and building a statement costs more than running it
_APPLICATION_AND_ROUND = (
    select(Application, Round)
    .join(Round, Round.id == Application.round_id)
    .where(Application.id == bindparam("app_id"))
    .with_for_update(of=Application)
    .execution_options(populate_existing=True)
)


async def get_application_and_round(session: AsyncSession, app_id: uuid.UUID) -> tuple[Application, Round] | None:
    """The application locked (its round read, not locked), in one round trip."""
    row = (await session.execute(_APPLICATION_AND_ROUND, {"app_id": app_id})).one_or_none()
    return None if row is None else (row[0], row[1])


async def lock_applications(session: AsyncSession, ids: list[uuid.UUID]) -> list[Application]:
    """Lock in id order (a fixed order, so two round actions cannot deadlock)."""
    stmt = select(Application).where(Application.id.in_(ids)).order_by(Application.id).with_for_update()
    return list((await session.execute(stmt)).scalars().all())


def latest_score():
    """The application's latest consensus total (共识评分), or NULL before any."""
    return (
        select(Consensus.total)
        .where(Consensus.application_id == Application.id)
        .order_by(Consensus.recorded_at.desc(), Consensus.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def name_bigrams() -> ColumnElement:
    """The applicant name's character pairs, as ``ix_applications_applicant_name_bigrams`` indexes them."""
    return func.qaward_bigrams(Application.applicant_name, type_=ARRAY(Text))


def programme_name_bigrams() -> ColumnElement:
    """The name's pairs qualified by its programme, as ``ix_applications_programme_name_bigrams`` indexes them."""
    return func.qaward_programme_bigrams(Application.programme, Application.applicant_name, type_=ARRAY(Text))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def page_applications(
    session: AsyncSession,
    readable: ColumnElement[bool],
    filters: dict,
    offset: int,
    limit: int,
    sort: str | None = None,
    cursor: str | None = None,
) -> keyset.KeysetPage[Application]:
    """The applications ``readable`` (the caller's access filter, ``app.access.applications``) lets a list show.

    ``filters`` may also hold ``name`` (part of the applicant's name, any case: the trigram index)
    and ``credit_code`` (its start); ``sort`` is ``created_at``, ``updated_at``, ``state`` or
    ``score``, ``-`` first for descending, always ending on the id so pages never overlap and a
    keyset ``cursor`` can follow (issues 19, 21).
    """
    key = (sort or "created_at").lstrip("-")
    column = latest_score().label("sort_score") if key == "score" else getattr(Application, key)
    base = select(Application, column) if key == "score" else select(Application)
    base = base.where(readable)
    for name in ("round_id", "state", "programme", "applicant_ref", "recommending_unit"):
        if filters.get(name) is not None:
            base = base.where(getattr(Application, name) == filters[name])
    if filters.get("name"):
        base = base.where(Application.applicant_name.ilike(_like(filters["name"]), escape="\\"))
        if len(filters["name"]) >= 2 and filters.get("programme") is not None:
            # within one programme, its own qualified pairs: the postings read grow with the programme, not the table
            searched = func.qaward_programme_bigrams(filters["programme"], filters["name"], type_=ARRAY(Text))
            base = base.where(programme_name_bigrams().contains(searched))
        elif len(filters["name"]) >= 2:
            # every character pair of the text is in the name: the GIN index finds the candidates
            base = base.where(name_bigrams().contains(func.qaward_bigrams(filters["name"], type_=ARRAY(Text))))
    if filters.get("credit_code"):
        base = base.where(Application.credit_code.like(_like(filters["credit_code"].upper())[1:], escape="\\"))
    searching = bool(filters.get("name") or filters.get("credit_code"))
    descending = bool(sort and sort.startswith("-"))
    sort_column = latest_score() if key == "score" else column
    nullable = key == "score"
    if nullable:
        order = [sort_column.desc().nulls_last() if descending else sort_column.asc().nulls_last()]
    else:
        # a column never NULL sorts by its index as it lies: ``DESC NULLS LAST`` is not the backward scan's order
        # (``DESC`` is ``NULLS FIRST``), and would sort every row the filter finds (issue 21: -updated_at 0.35)
        order = [sort_column.desc() if descending else sort_column.asc()]
    order.append(Application.id.desc() if descending else Application.id.asc())
    return await keyset.page(
        session,
        base,
        order,
        sort=sort or "created_at",
        sort_column=sort_column,
        id_column=Application.id,
        descending=descending,
        cursor=cursor,
        offset=offset,
        limit=limit,
        nullable=nullable,
        # a search counts through its own index (the rows it matches may lie anywhere along the sort's)
        count_order=[] if searching else ([Application.created_at, Application.id] if key == "score" else None),
    )


async def count_applications_not_in(
    session: AsyncSession, round_id: uuid.UUID, states: list[str], decided_in: str | None = None
) -> int:
    """Applications of the round in none of ``states`` (nor in ``decided_in`` with its decision recorded)."""
    stmt = (
        select(func.count())
        .select_from(Application)
        .where(Application.round_id == round_id, Application.state.not_in(states))
    )
    if decided_in:
        stmt = stmt.where(~((Application.state == decided_in) & Application.outcome.has_key("decision")))
    return (await session.execute(stmt)).scalar_one()


async def count_places_taken(
    session: AsyncSession,
    round_id: uuid.UUID,
    tiers: list[str],
    categories: list[str],
    ended: list[str],
    exclude: uuid.UUID,
) -> int:
    """Applications of the round holding a place of the quota (selected into one of ``tiers``)."""
    stmt = (
        select(func.count())
        .select_from(Application)
        .where(
            Application.round_id == round_id,
            Application.tier.in_(tiers),
            Application.category.in_(categories),
            Application.state.not_in(ended),
            Application.id != exclude,
        )
    )
    return (await session.execute(stmt)).scalar_one()


async def insert_application(session: AsyncSession, values: dict) -> Application | None:
    """Insert unless the applicant already has a live application in the round; None when it has.

    The unique indexes on (round, credit code) and (round, ID-number hash) decide; ``ON CONFLICT
    DO NOTHING`` waits for a concurrent create of the same applicant and yields to it if it commits,
    so a race ends in one row and one clean conflict, never a unique-violation error.
    """
    stmt = insert(Application).values(**values).on_conflict_do_nothing().returning(Application)
    return (await session.scalars(stmt)).one_or_none()


async def same_applicant_in_round(
    session: AsyncSession, round_id: uuid.UUID, category: str, credit_code: str | None, id_hash: str | None
) -> Application | None:
    conds = [Application.round_id == round_id, Application.state.not_in(["withdrawn"])]
    who = []
    if credit_code:
        who.append(Application.credit_code == credit_code)
    if id_hash:
        who.append(Application.id_number_hash == id_hash)
    if not who:
        return None
    stmt = select(Application).where(and_(*conds, or_(*who))).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


# --- deadlines ------------------------------------------------------------------------------


async def deadlines_of(session: AsyncSession, app_id: uuid.UUID) -> list[Deadline]:
    stmt = select(Deadline).where(Deadline.application_id == app_id).order_by(Deadline.ends_at)
    return list((await session.execute(stmt)).scalars().all())


@dataclass(frozen=True, slots=True)
class DeadlineShown:
    """An application's deadline as its answers show it (read, never written)."""

    id: uuid.UUID
    kind: str
    stage: str | None
    rule: dict
    starts_on: date
    ends_at: datetime
    calendar_revision: int | None
    status: str


# every event's answer reads these: straight to the driver, no ORM objects (issue 21)
_DEADLINES_SHOWN = (
    "SELECT id, kind, stage, rule, starts_on, ends_at, calendar_revision, status FROM deadlines"
    " WHERE application_id = $1 ORDER BY ends_at, id"
)


async def deadlines_shown(session: AsyncSession, app_id: uuid.UUID) -> list[DeadlineShown]:
    """The application's deadlines, soonest first (``deadlines_of``'s, for answers)."""
    return _shown(await lean.fetch(session, _DEADLINES_SHOWN, app_id))


def _shown_one(r: lean.RowView) -> DeadlineShown:
    rule = r.rule if isinstance(r.rule, dict) else json.loads(r.rule)
    return DeadlineShown(r.id, r.kind, r.stage, rule, r.starts_on, r.ends_at, r.calendar_revision, r.status)


def _shown(rows: list[lean.RowView]) -> list[DeadlineShown]:
    return [_shown_one(r) for r in rows]


async def deadlines_of_round(session: AsyncSession, round_id: uuid.UUID) -> list[Deadline]:
    """The round's own deadlines (its window's close), not its applications'."""
    stmt = (
        select(Deadline)
        .where(Deadline.round_id == round_id, Deadline.application_id.is_(None))
        .order_by(Deadline.ends_at)
    )
    return list((await session.execute(stmt)).scalars().all())


async def open_deadline(session: AsyncSession, app_id: uuid.UUID, kind: str, stage: str) -> Deadline | None:
    stmt = select(Deadline).where(
        Deadline.application_id == app_id,
        Deadline.kind == kind,
        Deadline.stage == stage,
        Deadline.status.in_(["pending", "waiting"]),
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def cancel_open_deadlines(session: AsyncSession, app_id: uuid.UUID, now: datetime, reason: str) -> None:
    """Cancel the application's open deadlines, skipping any a worker holds right now.

    A worker holding one locks the application next and waits for this transaction; once it
    gets the lock it sees the application has left the stage and marks its row skipped. Waiting
    here instead would deadlock (application → deadline here, deadline → application there).
    """
    held = (
        select(Deadline.id)
        .where(Deadline.application_id == app_id, Deadline.status.in_(["pending", "waiting"]))
        .with_for_update(skip_locked=True)
    )
    await session.execute(
        update(Deadline)
        .where(Deadline.id.in_(held.scalar_subquery()))
        .values(status="cancelled", fired_at=now, result=reason)
        .execution_options(synchronize_session=False)
    )


# --- one event's writes (pre-built SQL straight to the driver) --------------------------------

# the columns an event may change on its application (app/workflow/service.py apply_event)
EVENT_COLUMNS = (
    "state",
    "outcome",
    "correction_until",
    "tier",
    "applicant_id",
    "version",
    "history_seq",
    "history_head",
    "updated_at",
)
_EVENT_COLUMN_SET = frozenset(EVENT_COLUMNS)
_SAVE_APPLICATION = (
    f"UPDATE applications SET {', '.join(f'{c} = ${i}' for i, c in enumerate(EVENT_COLUMNS, start=2))} WHERE id = $1"
)


async def save_event_changes(session: AsyncSession, app: Application) -> None:
    """Write what an event changed on ``app`` (its row is locked) without the unit of work.

    Only when nothing but the event's columns changed; anything else is left to the ORM's flush.
    The object is then marked as stored, so neither the next statement's autoflush nor the
    commit runs the unit of work for it (it costs several times the UPDATE itself).
    """
    values = await _taken_event_changes(session, app)
    if values is not None:
        await lean.execute(session, _SAVE_APPLICATION, app.id, *values)


async def _taken_event_changes(session: AsyncSession, app: Application) -> list | None:
    """The event columns' values to write, ``app`` marked stored; None once the unit of work has written it."""
    state = inspect(app)
    # inside a savepoint the ORM must keep the old values to restore if it rolls back
    if session.in_nested_transaction() or not set(state.committed_state) <= _EVENT_COLUMN_SET:
        await session.flush()
        return None
    values = [getattr(app, c) for c in EVENT_COLUMNS]
    values[1] = canonical_json(values[1] or {})
    state._commit_all(
        state.dict, session.sync_session.identity_map
    )  # tests/workflow/test_events.py guards this internal
    return values


_SET_HISTORY_HEAD = "UPDATE applications SET history_seq = $2, history_head = $3 WHERE id = $1"


async def set_history_head(session: AsyncSession, app_id: uuid.UUID, seq: int, head: str) -> None:
    """Move the application's chain head (its row is locked) after an entry that changes nothing else: a refusal."""
    await lean.execute(session, _SET_HISTORY_HEAD, app_id, seq, head)


# a history entry's columns, in the order its INSERTs (and the bench's COPY) send them
HISTORY_COLUMNS = (
    "application_id",
    "seq",
    "occurred_at",
    "actor",
    "role",
    "request_id",
    "event",
    "from_state",
    "to_state",
    "accepted",
    "refusal",
    "reason",
    "data",
    "data_digest",
    "prev_hash",
    "hash",
    "hash_scheme",
)
_INSERT_EVENT = (
    f"INSERT INTO application_events ({', '.join(HISTORY_COLUMNS)})"
    f" VALUES ({', '.join(f'${i}' for i in range(1, len(HISTORY_COLUMNS) + 1))})"
)


async def insert_event(session: AsyncSession, values: dict) -> None:
    """Append one history entry (a plain INSERT: the entry is not read back in the request)."""
    await lean.execute(session, _INSERT_EVENT, *_entry_row(values))


def _entry_row(values: dict) -> list:
    row = [values[c] for c in HISTORY_COLUMNS]
    row[HISTORY_COLUMNS.index("data")] = canonical_json(values["data"])
    return row


def _numbered(first: int, count: int) -> str:
    return ", ".join(f"${i}" for i in range(first, first + count))


# An accepted event's writes in one statement (one round trip, issue 21): the application's row, its
# history entry and the outbox event reporting it; the statement reads the application's deadlines
# for the answer. The parts of one WITH touch different rows and run whatever the SELECT reads; the
# entry's foreign key is checked at the statement's end, when the row is updated. The SELECT sees
# the transaction as it was when the statement began: the deadlines the event cancelled or added
# before it (``cancel_open_deadlines``, the notice's deadline), never the statement's own writes
# (which touch no deadline).
_ENTRY = f"INSERT INTO application_events ({', '.join(HISTORY_COLUMNS)})"
_SAVED = 1 + len(EVENT_COLUMNS)  # the application's id and its event columns


def _event_statement(with_row: bool) -> str:
    first = 1 + _SAVED if with_row else 1
    parts = [f"saved AS ({_SAVE_APPLICATION})"] if with_row else []
    parts.append(f"entry AS ({_ENTRY} VALUES ({_numbered(first, len(HISTORY_COLUMNS))}))")
    parts.append(f"reported AS ({outbox_repo.insert_values(first + len(HISTORY_COLUMNS))})")
    # $1: the application's id (the row's key, else the entry's first column)
    return f"WITH {', '.join(parts)} {_DEADLINES_SHOWN}"


_ENTRY_AND_OUTBOX = _event_statement(with_row=False)
_ROW_ENTRY_AND_OUTBOX = _event_statement(with_row=True)


async def save_event(session: AsyncSession, app: Application, entry: dict, reported: OutboxRow) -> list[DeadlineShown]:
    """An accepted event's writes: what it changed on ``app`` (its row is locked, as ``save_event_changes``),
    its history entry ``entry`` and the outbox event ``reported``, in one statement; returns the application's
    deadlines (``deadlines_shown``) as the event left them."""
    values = await _taken_event_changes(session, app)
    if values is None:
        rows = await lean.fetch(session, _ENTRY_AND_OUTBOX, *_entry_row(entry), *reported.arguments())
    else:
        rows = await lean.fetch(
            session, _ROW_ENTRY_AND_OUTBOX, app.id, *values, *_entry_row(entry), *reported.arguments()
        )
    return _shown(rows)


# --- the deadline worker's batch path (Core statements: no ORM objects per row) ---------------

_apps = Application.__table__
_deadlines = Deadline.__table__


def canonical_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


async def claim_due_rows(session: AsyncSession, now: datetime, limit: int):
    stmt = (
        select(
            _deadlines.c.id,
            _deadlines.c.application_id,
            _deadlines.c.round_id,
            _deadlines.c.event,
            _deadlines.c.stage,
            _deadlines.c.ends_at,
        )
        .where(_deadlines.c.status == "pending", _deadlines.c.ends_at <= now)
        .order_by(_deadlines.c.ends_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).all()


async def lock_application_rows(session: AsyncSession, ids: list[uuid.UUID]):
    stmt = select(_apps).where(_apps.c.id.in_(ids)).order_by(_apps.c.id).with_for_update()
    return (await session.execute(stmt)).all()


# Batch writes pass one array per column and unnest them: one statement per batch, not per row,
# sent straight to the driver (its array encoding is done in C).
_UPDATE_STATES = (
    "UPDATE applications AS a SET state = v.state, version = v.version, history_seq = v.seq, history_head = v.head, updated_at = $6, outcome = '{}'::jsonb"
    " FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::text[]) AS v(id, state, version, seq, head) WHERE a.id = v.id"
)
_UPDATE_HEADS = "UPDATE applications AS a SET history_seq = v.seq, history_head = v.head FROM unnest($1::uuid[], $2::int[], $3::text[]) AS v(id, seq, head) WHERE a.id = v.id"
_MARK_DEADLINES = "UPDATE deadlines AS d SET status = v.status, result = v.result, fired_at = $4 FROM unnest($1::uuid[], $2::text[], $3::text[]) AS v(id, status, result) WHERE d.id = v.id"
_EVENT_TYPES = (
    "uuid",
    "int",
    "timestamptz",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "bool",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "smallint",
)
_INSERT_EVENTS = (
    f"INSERT INTO application_events ({', '.join(HISTORY_COLUMNS)}) SELECT {', '.join('v.' + c + ('::jsonb' if c == 'data' else '') for c in HISTORY_COLUMNS)}"
    f" FROM unnest({', '.join(f'${i}::{t}[]' for i, t in enumerate(_EVENT_TYPES, start=1))}) AS v({', '.join(HISTORY_COLUMNS)})"
)


async def update_application_states(
    session: AsyncSession,
    ids: list,
    states: list[str],
    versions: list[int],
    seqs: list[int],
    heads: list[str],
    now: datetime,
) -> None:
    if ids:
        await lean.execute(session, _UPDATE_STATES, ids, states, versions, seqs, heads, now)


async def update_application_heads(session: AsyncSession, ids: list, seqs: list[int], heads: list[str]) -> None:
    if ids:
        await lean.execute(session, _UPDATE_HEADS, ids, seqs, heads)


async def insert_events(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        columns = [[r[c] for r in rows] for c in HISTORY_COLUMNS]
        columns[HISTORY_COLUMNS.index("data")] = [canonical_json(d) for d in columns[HISTORY_COLUMNS.index("data")]]
        await lean.execute(session, _INSERT_EVENTS, *columns)


async def mark_deadlines(
    session: AsyncSession, ids: list, statuses: list[str], results: list[str], now: datetime
) -> None:
    if ids:
        await lean.execute(session, _MARK_DEADLINES, ids, statuses, results, now)


async def rounds_by_id(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, Round]:
    rows = (await session.execute(select(Round).where(Round.id.in_(list(ids))))).scalars().all()
    return {r.id: r for r in rows}


async def cancel_other_open_deadlines(
    session: AsyncSession, app_ids: list[uuid.UUID], keep: list[uuid.UUID], now: datetime, reason: str
) -> None:
    if not app_ids:
        return
    # rows another worker holds are skipped, as in cancel_open_deadlines
    held = (
        select(Deadline.id)
        .where(
            Deadline.application_id.in_(app_ids), Deadline.status.in_(["pending", "waiting"]), Deadline.id.not_in(keep)
        )
        .with_for_update(skip_locked=True)
    )
    await session.execute(
        update(Deadline)
        .where(Deadline.id.in_(held.scalar_subquery()))
        .values(status="cancelled", fired_at=now, result=reason)
        .execution_options(synchronize_session=False)
    )


# --- history --------------------------------------------------------------------------------


async def history(
    session: AsyncSession, app_id: uuid.UUID, offset: int, limit: int, cursor: str | None = None
) -> keyset.KeysetPage[ApplicationEvent]:
    base = select(ApplicationEvent).where(ApplicationEvent.application_id == app_id)
    return await keyset.page(
        session,
        base,
        [ApplicationEvent.seq, ApplicationEvent.id],
        sort="seq",
        sort_column=ApplicationEvent.seq,
        id_column=ApplicationEvent.id,
        descending=False,
        cursor=cursor,
        offset=offset,
        limit=limit,
    )


async def all_chains(session: AsyncSession):
    """Every application's head and its history, in chain order, streamed."""
    apps = (
        await session.execute(
            select(Application.id, Application.history_seq, Application.history_head).order_by(Application.id)
        )
    ).all()
    for app_id, seq, head in apps:
        rows = (
            (
                await session.execute(
                    select(ApplicationEvent)
                    .where(ApplicationEvent.application_id == app_id)
                    .order_by(ApplicationEvent.seq)
                )
            )
            .scalars()
            .all()
        )
        yield app_id, seq, head, rows


async def count_withdrawn_after_notice(
    session: AsyncSession, round_id: uuid.UUID, tiers: list[str], categories: list[str], stage: str, exclude: uuid.UUID
) -> int:
    """Withdrawn applications of a quota whose winners' notice had been published (a notice deadline at ``stage``)."""
    published = exists().where(
        Deadline.application_id == Application.id, Deadline.kind == "notice_end", Deadline.stage == stage
    )
    stmt = (
        select(func.count())
        .select_from(Application)
        .where(
            Application.round_id == round_id,
            Application.tier.in_(tiers),
            Application.category.in_(categories),
            Application.state == "withdrawn",
            Application.id != exclude,
            published,
        )
    )
    return (await session.execute(stmt)).scalar_one()


async def peek_applications(session: AsyncSession, ids: list[uuid.UUID]) -> list:
    """(id, round_id, state, applicant_kind) of each application, as columns: no ORM row enters the
    identity map (the workflow loads and locks the rows afterwards and must not be served a stale one)."""
    stmt = select(Application.id, Application.round_id, Application.state, Application.applicant_kind).where(
        Application.id.in_(ids)
    )
    return list((await session.execute(stmt)).all())


# --- a round action's batch (app/workflow/batch.py; issue 21): one statement per kind of write ----

_SAVE_APPLICATIONS = (
    "UPDATE applications AS a SET state = v.state, outcome = v.outcome::jsonb, correction_until = v.correction_until,"
    " tier = v.tier, applicant_id = v.applicant_id, version = v.version, history_seq = v.seq, history_head = v.head,"
    " updated_at = v.updated_at"
    " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::uuid[], $7::int[], $8::int[],"
    " $9::text[], $10::timestamptz[]) AS v(id, state, outcome, correction_until, tier, applicant_id, version, seq, head,"
    " updated_at) WHERE a.id = v.id"
)


async def save_batch_changes(session: AsyncSession, apps: list[Application]) -> None:
    """``save_event_changes`` of a whole batch in one statement (the rows are locked).

    Each object is then marked as stored, so no later flush writes it again; an object with changes
    beyond the event's columns is left to the ORM's flush, as ``save_event_changes`` does.
    """
    plain = [a for a in apps if set(inspect(a).committed_state) <= _EVENT_COLUMN_SET]
    if len(plain) < len(apps):
        await session.flush()
        return
    columns = [[getattr(a, c) for a in plain] for c in EVENT_COLUMNS]
    columns[1] = [canonical_json(o or {}) for o in columns[1]]
    for a in plain:
        state = inspect(a)
        state._commit_all(state.dict, session.sync_session.identity_map)  # as save_event_changes
    await lean.execute(session, _SAVE_APPLICATIONS, [a.id for a in plain], *columns)


_CANCEL_OPEN_MANY = (
    "UPDATE deadlines AS d SET status = 'cancelled', fired_at = $3, result = v.reason"
    " FROM unnest($1::uuid[], $2::text[]) AS v(application_id, reason)"
    " WHERE d.application_id = v.application_id AND d.id IN ("
    "   SELECT id FROM deadlines WHERE application_id = ANY($1::uuid[]) AND status IN ('pending', 'waiting')"
    "   FOR UPDATE SKIP LOCKED)"
)


async def cancel_open_deadlines_many(
    session: AsyncSession, app_ids: list[uuid.UUID], reasons: list[str], now: datetime
) -> None:
    """``cancel_open_deadlines`` of many applications, each with its reason (rows a worker holds are skipped)."""
    if app_ids:
        await lean.execute(session, _CANCEL_OPEN_MANY, app_ids, reasons, now)


async def insert_deadlines(session: AsyncSession, rows: list[dict]) -> None:
    """Deadline rows (column values) in one statement."""
    if rows:
        await session.execute(insert(Deadline), rows)


_OPEN_DEADLINES_ENDS = (
    "SELECT DISTINCT ON (application_id, stage) application_id, stage, ends_at FROM deadlines"
    " WHERE application_id = ANY($1::uuid[]) AND kind = $2 AND status IN ('pending', 'waiting')"
    " ORDER BY application_id, stage, id"
)


async def open_deadline_ends(
    session: AsyncSession, app_ids: list[uuid.UUID], kind: str
) -> dict[tuple[uuid.UUID, str], datetime]:
    """When each application's open deadline of ``kind`` ends, per stage (``open_deadline`` of many)."""
    if not app_ids:
        return {}
    return {
        (r.application_id, r.stage): r.ends_at for r in await lean.fetch(session, _OPEN_DEADLINES_ENDS, app_ids, kind)
    }


_DEADLINES_SHOWN_MANY = (
    "SELECT application_id, id, kind, stage, rule, starts_on, ends_at, calendar_revision, status FROM deadlines"
    " WHERE application_id = ANY($1::uuid[]) ORDER BY application_id, ends_at, id"
)


async def deadlines_shown_many(session: AsyncSession, app_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[DeadlineShown]]:
    """``deadlines_shown`` of many applications in one statement."""
    out: dict[uuid.UUID, list[DeadlineShown]] = {i: [] for i in app_ids}
    if app_ids:
        for r in await lean.fetch(session, _DEADLINES_SHOWN_MANY, app_ids):
            out[r.application_id].append(_shown_one(r))
    return out
