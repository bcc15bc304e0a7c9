"""``GET /metrics``: the service in Prometheus' text format (指标).

Two kinds of metric, for ``qaward serve --workers N`` and for any number of replicas:

- request latency, a histogram per route template, method and status, kept in process memory;
  with several uvicorn workers ``qaward serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a folder
  they share, so a scrape answered by any worker reports all of them;
- the workflow's gauges (due-deadline backlog, deadlines waiting, overdue objections and duties,
  worker heartbeats, outbox lag), read from the database at scrape time, so every replica
  answers the same numbers and nothing is lost when a process restarts.

Outside ``/api/v1`` (where scrapers look for it) and outside the OpenAPI contract (it is not JSON).
Open to any caller when ``QAWARD_METRICS_PUBLIC`` is on (default outside production: put it on an
internal port); otherwise an admin's bearer token is needed, as for any admin route.
"""

from __future__ import annotations

import os

from fastapi import Depends, Request, Response
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from app.api.deps import ADMIN_ACCESS, PUBLIC_ACCESS, Session
from app.api.v1.routing import v1_router
from app.config import Settings
from app.db.repositories import aftercare as aftercare_repo
from app.db.repositories import clock as clock_repo
from app.db.repositories import operations as operations_repo
from app.domain import clock

REQUEST_SECONDS = Histogram(
    "qaward_http_request_duration_seconds",
    "Time from a request's arrival to its last byte sent, by route template, method and status",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def observe_request(scope, status: int, seconds: float) -> None:
    """Called once per request by the request-id middleware, which times it."""
    route = scope.get("route")
    # the template depends only on the route and how deep the path is: its series is looked up once
    # (routes are not hashable: keyed by identity, the route kept beside its series so the id stays its own)
    key = (id(route), scope.get("path", "").count("/"), scope.get("method", ""), status)
    found = _SERIES.get(key)
    if found is None or found[0] is not route:
        if len(_SERIES) > 10_000:  # each app made (tests make hundreds) brings its own routes
            _SERIES.clear()
        # the template, never the raw path: ids in paths would make a series per application
        found = _SERIES[key] = (route, REQUEST_SECONDS.labels(_template(scope), key[2], str(status)))
    found[1].observe(seconds)


# (route's id, depth of the path, method, status) → the route and its labelled histogram
_SERIES: dict[tuple, tuple] = {}


def _template(scope) -> str:
    """The matched route's template with the prefix it was included under (``/api/v1``), or ``unmatched``."""
    path = getattr(scope.get("route"), "path", None)
    if not path:
        return "unmatched"
    # the route knows its own template only; the prefix is the request path's leading segments
    parts = scope.get("path", "").split("/")
    return "/".join(parts[: max(len(parts) - path.count("/"), 1)]) + path


class _Snapshot:
    """A collector over values read from the database just before (prometheus-client collectors are sync)."""

    def __init__(self, families: list) -> None:
        self.families = families

    def collect(self):
        return self.families


def _gauge(name: str, doc: str, value: float, **labels: str) -> GaugeMetricFamily:
    g = GaugeMetricFamily(name, doc, labels=list(labels))
    g.add_metric(list(labels.values()), value)
    return g


async def _database_families(session, settings: Settings) -> list:
    now = clock.now()
    gauges = await operations_repo.backlog(session, now)
    fams = [
        _gauge("qaward_deadlines_due", "Deadlines due and not yet handled (the worker's backlog)", gauges["due"]),
        _gauge(
            "qaward_deadlines_due_oldest_seconds",
            "How long the oldest due deadline has been waiting for the worker",
            gauges["oldest_due_seconds"],
        ),
        _gauge(
            "qaward_deadlines_waiting",
            "Due deadlines whose event could not fire yet (a notice waiting on open objections)",
            gauges["waiting"],
        ),
        _gauge(
            "qaward_objections_overdue",
            "Open objections past their verification target",
            gauges["overdue_objections"],
        ),
        _gauge(
            "qaward_duties_overdue",
            "Post-award duties past their last day and not received",
            float(await aftercare_repo.count_overdue(session)),
        ),
    ]
    lag = await operations_repo.outbox_lag(session)
    if lag is not None:
        fams.append(_gauge("qaward_outbox_unpublished", "Outbox events not yet published to the change feed", lag[0]))
        fams.append(_gauge("qaward_outbox_lag_seconds", "Age of the oldest outbox event not yet published", lag[1]))
    workers = await operations_repo.workers(session)
    fresh = [w for w in workers if w.age_seconds <= settings.worker_stale_seconds]
    fams.append(_gauge("qaward_workers_alive", "Deadline workers that beat within the stale limit", len(fresh)))
    age = GaugeMetricFamily(
        "qaward_worker_heartbeat_age_seconds", "Seconds since each deadline worker's last heartbeat", labels=["worker"]
    )
    for w in workers:
        age.add_metric([w.id], w.age_seconds)
    fams.append(age)
    frozen = None if settings.production else await clock_repo.read(session)
    fams.append(
        _gauge("qaward_test_clock_frozen", "1 while a test clock freezes the service's time", float(bool(frozen)))
    )
    return fams


def _process_registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def router(settings: Settings):
    """The ``/metrics`` route, public or admin-only as the settings say (decided once, at start)."""
    r = v1_router(tags=["operations"])
    permission = PUBLIC_ACCESS if settings.metrics_open else ADMIN_ACCESS

    @r.get("/metrics", include_in_schema=False, dependencies=[Depends(permission)])
    async def metrics(request: Request, session: Session) -> Response:
        snapshot = CollectorRegistry()
        snapshot.register(_Snapshot(await _database_families(session, request.app.state.settings)))
        body = generate_latest(_process_registry()) + generate_latest(snapshot)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return r
