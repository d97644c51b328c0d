"""Tamper evidence over HTTP, and liveness."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

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
    checks: dict[str, bool] = {}
    try:
        checks["postgres"] = await state.pool.fetchval("SELECT 1") == 1
    except Exception:
        checks["postgres"] = False
    try:
        client = state.temporal
        resp = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=state.settings.temporal_task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))
        checks["temporal"] = True
        checks["worker"] = len(resp.pollers) > 0
    except Exception:
        checks["temporal"] = checks["worker"] = False
    ok = all(checks.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks},
                        status_code=200 if ok else 503)
