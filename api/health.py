"""Liveness of the parts the service needs: PostgreSQL, Temporal, and a worker polling."""

import asyncpg
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client


async def checks(pool: asyncpg.Pool, client: Client, task_queue: str) -> dict[str, bool]:
    out: dict[str, bool] = {}
    try:
        out["postgres"] = await pool.fetchval("SELECT 1") == 1
    except Exception:
        out["postgres"] = False
    try:
        resp = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
            namespace=client.namespace, task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))
        out["temporal"] = True
        out["worker"] = len(resp.pollers) > 0
    except Exception:
        out["temporal"] = out["worker"] = False
    return out
