"""Liveness of the parts the service needs: PostgreSQL, Temporal, and a worker polling."""

import asyncio
from datetime import timedelta

import asyncpg
import structlog
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

log = structlog.get_logger()
PROBE_TIMEOUT = timedelta(seconds=5)  # an answer slower than this is an unavailable server
ASKS = 2  # one call lost (a channel reconnecting, a busy moment) is not an outage: ask again


async def checks(pool: asyncpg.Pool, client: Client, task_queue: str) -> dict[str, bool]:
    out: dict[str, bool] = {}
    try:
        out["postgres"] = await pool.fetchval("SELECT 1") == 1
    except Exception as e:
        log.warning("health: PostgreSQL unreachable", error=repr(e))
        out["postgres"] = False
    out["temporal"], out["worker"] = await _temporal(client, task_queue)
    return out


async def _temporal(client: Client, task_queue: str) -> tuple[bool, bool]:
    """(Temporal answers, a worker polls the task queue), asked up to ASKS times."""
    for ask in range(ASKS):
        if ask:
            await asyncio.sleep(0.2)
        try:
            resp = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
                namespace=client.namespace, task_queue=TaskQueue(name=task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW), timeout=PROBE_TIMEOUT)
            return True, len(resp.pollers) > 0
        except Exception as e:
            error = e
    log.warning("health: Temporal unreachable", error=repr(error), asks=ASKS)
    return False, False
