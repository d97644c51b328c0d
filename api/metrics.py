"""Prometheus metrics of the web app: commands accepted and refused by type, command latency,
and, read from the read models at each scrape, open and overdue deadlines and the reminders
sent. The Temporal SDK's own metrics are served by the worker process (TEMPORAL_METRICS_BIND)."""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from domain import RuleViolation

from .engine import EngineUnavailable, StudyNotFound
from .errors import ApiError

REGISTRY = CollectorRegistry()
COMMANDS = Counter("studyflow_commands", "Commands answered, by type and outcome "
                   "(accepted, refused by a rule, invalid, unavailable, error)",
                   ["type", "outcome"], registry=REGISTRY)
LATENCY = Histogram("studyflow_command_seconds", "Accepted commands: HTTP in, events stored, "
                    "answer out", ["type"], registry=REGISTRY,
                    buckets=(.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
OPEN = Gauge("studyflow_open_deadlines", "Legal clocks running or stopped", registry=REGISTRY)
OVERDUE = Gauge("studyflow_overdue_deadlines", "Legal clocks past their day with nobody having "
                "acted", registry=REGISTRY)
REMINDERS = Gauge("studyflow_reminders_sent", "Reminder notifications written so far",
                  registry=REGISTRY)
DELIVERED = Gauge("studyflow_notifications_delivered", "Notifications delivered, by channel",
                  ["channel"], registry=REGISTRY)

router = APIRouter(include_in_schema=False)


@asynccontextmanager
async def measured(kind: str) -> AsyncIterator[None]:
    start = time.perf_counter()
    try:
        yield
    except RuleViolation:
        COMMANDS.labels(kind, "refused").inc()
        raise
    except (ApiError, StudyNotFound):
        COMMANDS.labels(kind, "invalid").inc()
        raise
    except EngineUnavailable:
        COMMANDS.labels(kind, "unavailable").inc()
        raise
    except Exception:
        COMMANDS.labels(kind, "error").inc()
        raise
    COMMANDS.labels(kind, "accepted").inc()
    LATENCY.labels(kind).observe(time.perf_counter() - start)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    row = await request.app.state.pool.fetchrow("""
        SELECT count(*) FILTER (WHERE waiting) AS open,
               count(*) FILTER (WHERE waiting AND (status = 'overdue' OR due_on < current_date))
                   AS overdue,
               (SELECT count(*) FROM notifications WHERE kind = 'reminder') AS reminders
        FROM deadlines""")
    OPEN.set(row["open"])
    OVERDUE.set(row["overdue"])
    REMINDERS.set(row["reminders"])
    for r in await request.app.state.pool.fetch(
            "SELECT channel, count(*) AS n FROM deliveries GROUP BY channel"):
        DELIVERED.labels(r["channel"]).set(r["n"])
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
