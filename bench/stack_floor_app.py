"""The stack's floor: the event's captured SQL behind the fixed stack, with no work of the event's own.

    FLOOR_DATABASE_URL=postgresql://... FLOOR_PLAN=plan.json \\
        python -m uvicorn stack_floor_app:app --app-dir bench --loop uvloop --http httptools ...

``bench/workflow.py`` serves it beside ``floor_app.py`` (same plan, same uvicorn command line,
same requests). Where the bare floor shows the best any Python server does for the event's
transaction, this one shows the best the fixed stack does: a FastAPI route with a pydantic body
and answer, the request's SQLAlchemy session and transaction from the app's own ``Database``,
and the statements sent the way the app sends most of its own, through ``app.db.lean``
(straight to asyncpg inside the session's transaction). No middleware, no authentication, no ORM
object, no eligibility check, no guard, no history entry beyond its SQL. What the app costs above
this is the event's own Python; what this costs above the bare floor is FastAPI and the session.
"""

from __future__ import annotations

import os
import uuid
from contextlib import asynccontextmanager
from typing import Annotated, Any

import floor_app as bare
from fastapi import FastAPI, Header, HTTPException, Response
from pydantic import BaseModel, Field

from app.db import lean
from app.db.session import Database

db: Database | None = None


@asynccontextmanager
async def lifespan(_: FastAPI):
    global db
    db = Database(os.environ["FLOOR_DATABASE_URL"])
    try:
        yield
    finally:
        await db.dispose()


app = FastAPI(lifespan=lifespan, openapi_url=None)


class EventIn(BaseModel):
    event: str = Field(min_length=1, max_length=40)
    reason: str | None = Field(default=None, max_length=5000)
    data: dict[str, Any] = Field(default_factory=dict)


class EventOut(BaseModel):
    id: uuid.UUID
    version: int


@app.post("/apps/{app_id}/events", response_model=EventOut)
async def fire(
    app_id: uuid.UUID, body: EventIn, response: Response, if_match: Annotated[str | None, Header()] = None
) -> EventOut:
    if body.event != bare.EVENT:
        raise HTTPException(422, f"only {bare.EVENT}")
    values: dict = {"app": str(app_id)}
    try:
        async with db.transaction() as session:
            for step in bare.STEPS:
                if step.kind == "control":
                    continue  # the session's transaction: BEGIN before its first statement, COMMIT on leaving
                args = [values[name] for name in step.refs]
                if step.kind == "lock":
                    row = await lean.fetchrow(session, step.sql, *args)
                    values.update(
                        bare._values_after_lock(values["app"], None if row is None else row.as_dict(), if_match)
                    )
                else:
                    await lean.fetch(session, step.sql, *args)
    except bare.Refused as r:
        raise HTTPException(r.status, str(r)) from None
    response.headers["ETag"] = bare.etag(values["next_version"])
    return EventOut(id=app_id, version=values["next_version"])


@app.get("/apps/{app_id}", response_model=EventOut)
async def read(app_id: uuid.UUID, response: Response) -> EventOut:
    async with db.transaction() as session:
        version = await lean.fetchval(session, "SELECT version FROM applications WHERE id = $1", app_id)
    if version is None:
        raise HTTPException(404, "no such application")
    response.headers["ETag"] = bare.etag(version)
    return EventOut(id=app_id, version=version)


@app.get("/ready")
async def ready() -> dict:
    return {"ready": db is not None}
