"""The floor for bench/lifecycle.py: a bare Temporal workflow receiving updates, each running one
activity that does one asyncpg insert (`step`), or the same insert as a local activity, the way
ours appends (`step_local`). Run as a worker: python bench/bare.py ADDRESS DSN; with
`--drive`, the worker and its load in one process (the floor of `studyflow up`, web app and
worker in one process): it reads `serial N CALLS` / `rate N CONCURRENCY CALLS` lines on stdin and
answers each with a JSON line (latencies in ms; studies/s and this process's CPU ms per call); a
trailing `local` word sends `step_local`."""

import asyncio
import functools
import json
import signal
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

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
        return await self._step(i, workflow.execute_activity)

    @workflow.update
    async def step_local(self, i: int) -> int:
        return await self._step(i, workflow.execute_local_activity)

    async def _step(self, i: int, execute: Any) -> int:
        seq: int = await execute("bare_insert", i, start_to_close_timeout=timedelta(seconds=30))
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


async def one_study(client: Client, calls: int, lat: list[float], local: bool = False) -> None:
    """A bare run the size of one of our studies: a start, then `calls - 1` updates (the last,
    step 10, ends the run); `local`: each update's insert a local activity."""
    t0 = time.perf_counter()
    handle = await client.start_workflow(BareWorkflow.run, id=f"bare-{uuid.uuid4().hex}",
                                         task_queue=TASK_QUEUE)
    lat.append((time.perf_counter() - t0) * 1000)
    for i in [*range(100, 100 + calls - 2), 10]:
        t0 = time.perf_counter()
        await handle.execute_update(BareWorkflow.step_local if local else BareWorkflow.step, i)
        lat.append((time.perf_counter() - t0) * 1000)


async def drive(client: Client) -> None:
    """The load from this process (stdin lines, JSON answers on stdout): see the docstring."""
    from bench.common import rate

    loop = asyncio.get_running_loop()
    while line := (await loop.run_in_executor(None, sys.stdin.readline)).split():
        local = line[-1] == "local"
        if line[0] == "serial":
            lat: list[float] = []
            for _ in range(int(line[1])):
                await one_study(client, int(line[2]), lat, local)
            print(json.dumps({"lat": lat}), flush=True)
        else:
            n, concurrency, calls = map(int, line[1:4])
            cpu = time.process_time()
            per_s = await rate(n, concurrency,
                               functools.partial(one_study, client, calls, [], local))
            print(json.dumps({"rate": per_s, "cpu_ms": (time.process_time() - cpu) * 1000
                              / (n * calls)}), flush=True)


async def serve(address: str, dsn: str, driving: bool = False) -> None:
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
        if driving:
            await drive(client)
        else:
            await stop.wait()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    asyncio.run(serve(sys.argv[1], sys.argv[2], "--drive" in sys.argv[3:]))
