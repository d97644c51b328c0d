"""Tamper evidence over HTTP, and liveness."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .. import health
from ..deps import CurrentActor, Store

router = APIRouter(tags=["audit"])


@router.get("/api/audit/verify", summary="Recompute every hash chain of the event store")
async def verify(actor: CurrentActor, store: Store) -> dict[str, Any]:
    result = await store.verify()
    if result.ok:
        return {"ok": True, "events": result.events, "streams": result.streams}
    return {"ok": False, "events": result.events,
            "first_broken": result.first_broken.model_dump() if result.first_broken else None}


@router.get("/healthz", summary="PostgreSQL, Temporal and a worker are reachable")
async def healthz(request: Request) -> JSONResponse:
    state = request.app.state
    result = await health.checks(state.pool, state.temporal, state.settings.temporal_task_queue)
    ok = all(result.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": result},
                        status_code=200 if ok else 503)
