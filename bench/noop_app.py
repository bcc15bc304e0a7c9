"""The reference of ``bench/public_reads.py``: a FastAPI app whose one route does nothing.

``GET /noop`` answers a small JSON object through FastAPI's routing, dependency solving and response
serialisation, with no middleware, no database and no authentication: the most a public read could
cost on this stack is measured against it (issue 21: a public notice read ≥ 0.5 × its rate).
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel


class Nothing(BaseModel):
    ok: bool = True


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/noop", response_model=Nothing)
async def noop() -> Nothing:
    return Nothing()
