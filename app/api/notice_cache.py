"""Public notices (公示) kept in this process, fresh by the database's word (issue 21).

A notice read by the many is answered from memory: its version (``publication.public_stamp``: the
digest of what it shows, and its period's end) and the bytes rendered for it, dropped the moment
the notice channel (``app/db/notice_channel.py``) hears a committed change of it. A read of an
unchanged notice touches no database; whether its period is over is decided here, from the kept end
and the clock (the test clock as the channel last heard it outside production).

The cache is trusted only while it can hear:

- not listening (starting, the connection lost): nothing kept is used, reads go to the database;
  on reconnecting everything kept is dropped (a change may have been missed);
- after a write of this process (a request of a method that may write), until the channel's barrier
  comes back: the write's own notifications are then heard, so a client reading after its write
  (read-your-writes on one replica) never gets the answer from before it. Another replica's write
  is seen once its notification arrives (milliseconds);
- a body is kept only if rendered from the primary with the same version before and after, by a
  render begun after the last change heard (``generation``) and under the clock the channel knows.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import FastAPI

from app.api.shanghai_times import in_shanghai
from app.config import Settings
from app.db.notice_channel import NoticeListener
from app.domain import clock

log = logging.getLogger(__name__)


@dataclass
class HeldNotice:
    """What is kept of one notice: its version and its bodies by tag (in its period, ended)."""

    digest: str
    ends_at: datetime
    bodies: dict[str, bytes] = field(default_factory=dict)


@dataclass
class HeldList:
    """A public list's page as answered, its tag, and the instant it changes by time alone (a period ending)."""

    body: bytes
    tag: str
    until: datetime | None


class NoticeCache:
    """The notices this process answered, by id; trusted only while the channel is heard (module docstring)."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        # bounded by the bytes kept, not by notices: a winners' notice of 1,000 entries is ~400 KB (issue 21: a
        # worker's steady memory stays within 200 MB); the oldest kept go first
        self.max_bytes = max_bytes
        self._bytes = 0
        self._held: dict[uuid.UUID, HeldNotice] = {}
        # the public list's pages by query string, dropped at any notice's change (they are few and cheap to render)
        self._lists: dict[bytes, HeldList] = {}
        self.max_lists = 128
        self._listening = False
        self._synced = True
        self._frozen: datetime | None = None
        # bumped by every change heard and every write of this process: a render begun before is not kept
        self.generation = 0
        self._writes = 0
        self._barrier: asyncio.Task | None = None
        self.listener: NoticeListener | None = None

    @property
    def trusted(self) -> bool:
        return self._listening and self._synced

    def now(self) -> datetime:
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def held(self, notice_id: uuid.UUID) -> HeldNotice | None:
        return self._held.get(notice_id) if self._listening and self._synced else None

    def keep(self, notice_id: uuid.UUID, since: int, digest: str, ends_at: datetime, tag: str, body: bytes | None):
        """Keep the version (and ``body`` under ``tag``) read by a render begun at generation ``since``."""
        if not self.trusted or since != self.generation or clock.frozen() != self._frozen:
            return
        held = self._held.get(notice_id)
        if held is None or held.digest != digest:
            self._drop_one(notice_id)
            held = self._held[notice_id] = HeldNotice(digest, ends_at)
        if body is None or tag in held.bodies or len(body) > self.max_bytes:
            return
        while self._bytes + len(body) > self.max_bytes:
            self._drop_one(next(k for k in self._held if k != notice_id))
        # kept as the client gets it: a hit's body is not searched for instants again (app/api/shanghai_times.py)
        held.bodies[tag] = body = in_shanghai(body)
        self._bytes += len(body)

    def held_list(self, query: bytes) -> HeldList | None:
        held = self._lists.get(query) if self._listening and self._synced else None
        if held is None or (held.until is not None and self.now() >= held.until):
            return None
        return held

    def keep_list(self, query: bytes, since: int, body: bytes, tag: str, until: datetime | None) -> None:
        """Keep a list's page read by a render begun at generation ``since``; it changes by time at ``until``."""
        if not self.trusted or since != self.generation or clock.frozen() != self._frozen:
            return
        if query not in self._lists and len(self._lists) >= self.max_lists:
            del self._lists[next(iter(self._lists))]
        self._lists[query] = HeldList(in_shanghai(body), tag, until)

    def after_write(self) -> None:
        """A request of this process that may have written has ended: trust nothing kept until the barrier."""
        self.generation += 1
        if not (self._held or self._lists) or not self._listening or self.listener is None:
            return  # nothing kept to be stale; renders begun before this write are refused by the generation
        self._writes += 1
        self._synced = False
        if self._barrier is None or self._barrier.done():
            self._barrier = asyncio.get_running_loop().create_task(self._send_barrier())

    async def _send_barrier(self) -> None:
        assert self.listener is not None
        while True:
            token = self._writes
            try:
                if not await self.listener.sync(str(token)):
                    return  # not listening: reconnecting resets everything
            except Exception as exc:
                # without its barrier the cache stays untrusted: start again from a new connection
                log.warning("public notice cache barrier not sent (%s): listening again", type(exc).__name__)
                self.listener.reset()
                return
            if token == self._writes:
                return
            # written again meanwhile: one barrier sent after those writes covers them all

    async def close(self) -> None:
        if self.listener is not None:
            await self.listener.stop()
        if self._barrier is not None and not self._barrier.done():
            self._barrier.cancel()

    # --- what the channel tells (app.db.notice_channel.Sink) ---

    def connected(self, frozen: datetime | None) -> None:
        self._drop(None)
        self._frozen = frozen
        self._listening = True
        self._synced = True

    def lost(self) -> None:
        self._listening = False
        self._drop(None)

    def changed(self, notice_id: uuid.UUID | None) -> None:
        self._drop(notice_id)

    def clock(self, frozen: datetime | None) -> None:
        self._frozen = frozen
        self.generation += 1
        self._lists.clear()  # a clock set back reopens periods: the lists' "until" looks forward only

    def synced(self, token: str) -> None:
        if token == str(self._writes):
            self._synced = True

    def _drop(self, notice_id: uuid.UUID | None) -> None:
        self.generation += 1
        self._lists.clear()
        if notice_id is None:
            self._held.clear()
            self._bytes = 0
        else:
            self._drop_one(notice_id)

    def _drop_one(self, notice_id: uuid.UUID) -> None:
        held = self._held.pop(notice_id, None)
        if held is not None:
            self._bytes -= sum(len(b) for b in held.bodies.values())


def of(app: FastAPI) -> NoticeCache | None:
    return getattr(app.state, "notice_cache", None)


async def start(app: FastAPI, url: str, settings: Settings) -> None:
    """Start this process's cache and its channel (app lifespan); none when turned off."""
    app.state.notice_cache = None
    if not settings.public_notice_cache:
        return
    cache = NoticeCache()
    cache.listener = NoticeListener(url, cache, test_clock=not settings.production)
    cache.listener.start()
    app.state.notice_cache = cache


async def stop(app: FastAPI) -> None:
    cache = of(app)
    if cache is not None:
        await cache.close()
