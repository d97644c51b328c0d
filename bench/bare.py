"""The floor for bench/lifecycle.py: a bare Temporal workflow receiving updates, each running one
activity that does one asyncpg insert. Run as a worker: python bench/bare.py ADDRESS DSN"""

import asyncio
import signal
import sys
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    import asyncpg
    from temporalio.client import Client
    from temporalio.worker import Worker

TASK_QUEUE = "bare-bench"


@workflow.defn
class BareWorkflow:
    def __init__(self) -> None:
        self.done = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self.done)

    @workflow.update
    async def step(self, i: int) -> int:
        seq = await workflow.execute_activity("bare_insert", i,
                                              start_to_close_timeout=timedelta(seconds=30))
        if i == 10:
            self.done = True
        return seq


class BareActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @activity.defn(name="bare_insert")
    async def insert(self, i: int) -> int:
        return await self.pool.fetchval(
            "INSERT INTO bare_rows (workflow_id, step) VALUES ($1, $2) RETURNING id",
            activity.info().workflow_id, i)


async def serve(address: str, dsn: str) -> None:
    pool = await asyncpg.create_pool(dsn)
    await pool.execute("CREATE TABLE IF NOT EXISTS bare_rows (id bigserial PRIMARY KEY, "
                       "workflow_id text, step int)")
    client = await Client.connect(address)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    # evicted the same way as ours: the same cache size and sticky timeout (settings.py)
    from settings import Settings

    settings = Settings()
    async with Worker(client, task_queue=TASK_QUEUE, workflows=[BareWorkflow],
                      activities=[BareActivities(pool).insert],
                      max_cached_workflows=settings.worker_cache_size,
                      sticky_queue_schedule_to_start_timeout=timedelta(
                          seconds=settings.worker_sticky_timeout)):
        print("ready", flush=True)
        await stop.wait()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    asyncio.run(serve(sys.argv[1], sys.argv[2]))
