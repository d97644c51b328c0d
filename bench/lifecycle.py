"""Our lifecycle vs a bare Temporal floor, on the same servers in the same run.

Ours: a RIPH1 study from creation to recruiting through the HTTP API (create + the shared
walk's commands), served by `studyflow up --no-worker` (web app) and `studyflow worker`, each in its
own process as in production, on the embedded stack.
Floor: a bare workflow started then sent as many updates as the walk has commands, each
running one activity with one asyncpg insert, its worker in its own process like ours.
Prints both rates at each concurrency over repetitions (median, min, max), their ratio, the
CPU milliseconds per call of each side's processes (ours: web app, worker, HTTP client; the
floor: its worker, its Temporal client), and serial p50/p99 per call.
Targets: throughput >= 0.9x the floor at concurrency 10 and 20; serial p50 <= 1.15x.
Measured here for the split topology only (web and worker processes); the one-process topology
(`studyflow up` with its worker vs a bare client+worker process) is not measured yet.

    .venv/bin/python bench/lifecycle.py [--serial 10] [--studies 40] [--concurrency 10 20]
        [--reps 5]
"""

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
from temporalio.client import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bare import TASK_QUEUE, BareWorkflow  # noqa: E402
from bench.common import Stack, summary  # noqa: E402
from scenarios import riph1_walk  # noqa: E402

TODAY = datetime.now(UTC).date().isoformat()
# the shared RIPH1 walk, the CPP's completeness notice included: 10 commands
COMMANDS = riph1_walk(TODAY, completeness_on=TODAY)
CALLS = 1 + len(COMMANDS)  # the creation, then each command


async def ours(http: httpx.AsyncClient, tokens: dict[str, str], lat: list[float]) -> None:
    async def call(role: str, path: str, body: dict) -> dict:
        t0 = time.perf_counter()
        r = await http.post(path, json={**body, "reason": "bench"},
                            headers={"Authorization": f"Bearer {tokens[role]}"})
        lat.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
        return r.json()

    study = await call("coordinator", "/api/studies", {"title": "Bench", "category": "RIPH1",
                                                        "investigator": "Dr B"})
    for role, body in COMMANDS:
        study = await call(role, f"/api/studies/{study['id']}/commands", body)
    assert study["state"] == "recruiting", study["state"]


async def bare(client: Client, lat: list[float]) -> None:
    t0 = time.perf_counter()
    handle = await client.start_workflow(BareWorkflow.run, id=f"bare-{uuid.uuid4().hex}",
                                         task_queue=TASK_QUEUE)
    lat.append((time.perf_counter() - t0) * 1000)
    # as many updates as our study's commands; step 10 is the one that ends the bare run
    for i in [*range(100, 100 + CALLS - 2), 10]:
        t0 = time.perf_counter()
        await handle.execute_update(BareWorkflow.step, i)
        lat.append((time.perf_counter() - t0) * 1000)


async def rate(n: int, concurrency: int, one) -> float:  # type: ignore[no-untyped-def]
    sem = asyncio.Semaphore(concurrency)

    async def guarded() -> None:
        async with sem:
            await one()

    t0 = time.perf_counter()
    await asyncio.gather(*(guarded() for _ in range(n)))
    return n / (time.perf_counter() - t0)


def cpu_seconds(procs: list[Any]) -> float:
    """User + system CPU seconds of these processes (psutil), this one when given None."""
    total = 0.0
    for p in procs:
        t = psutil.Process(p.pid).cpu_times() if p is not None else psutil.Process().cpu_times()
        total += t.user + t.system
    return total


async def measured(n: int, concurrency: int, one, procs: list[Any]  # type: ignore[no-untyped-def]
                   ) -> tuple[float, float]:
    """(studies/s, Python CPU ms per call of `procs`) of `n` studies at `concurrency`."""
    before = cpu_seconds(procs)
    studies_per_s = await rate(n, concurrency, one)
    return studies_per_s, (cpu_seconds(procs) - before) * 1000 / (n * CALLS)


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f})"


async def main(args: argparse.Namespace) -> None:
    async with Stack(bare=True) as stack:
        tokens = stack.tokens
        # ours: the web app and the worker processes, and this process's HTTP client; the
        # floor: the bare worker process, and this process's Temporal client
        ours_procs = [stack.up, *stack.workers, None]
        floor_procs = [stack.bare_worker, None]
        client = await Client.connect(stack.info["temporal_address"])
        async with httpx.AsyncClient(base_url=stack.info["web_url"], timeout=120,
                                     limits=httpx.Limits(max_connections=100)) as http:
            warm: list[float] = []
            await ours(http, tokens, warm)
            await bare(client, warm)
            ours_lat: list[float] = []
            bare_lat: list[float] = []
            for _ in range(args.serial):
                await ours(http, tokens, ours_lat)
                await bare(client, bare_lat)
            results: dict[int, list[tuple[float, float, float, float]]] = {}
            for concurrency in args.concurrency:
                for _ in range(args.reps):
                    o_rate, o_cpu = await measured(args.studies, concurrency,
                                                   lambda: ours(http, tokens, []), ours_procs)
                    f_rate, f_cpu = await measured(args.studies, concurrency,
                                                   lambda: bare(client, []), floor_procs)
                    results.setdefault(concurrency, []).append((o_rate, f_rate, o_cpu, f_cpu))
    print(f"topology: web app and worker in their own processes (split), the floor's worker "
          f"in its own process; serial, {args.serial} studies each ({CALLS} calls per study):")
    print(summary("  ours (HTTP -> event stored)", ours_lat))
    print(summary("  bare Temporal floor", bare_lat))
    p50 = sorted(ours_lat)[len(ours_lat) // 2] / sorted(bare_lat)[len(bare_lat) // 2]
    print(f"  serial p50 ratio ours/floor: {p50:.2f}x (target <= 1.15x)")
    for concurrency, reps in results.items():
        print(f"concurrency {concurrency}, {args.studies} studies, {len(reps)} repetitions:")
        print(f"  ours  studies/s {spread([r[0] for r in reps])}")
        print(f"  floor studies/s {spread([r[1] for r in reps])}")
        print(f"  throughput ratio ours/floor {spread([r[0] / r[1] for r in reps])} "
              f"(target >= 0.9x)")
        print(f"  CPU ms per call: ours {spread([r[2] for r in reps])}, "
              f"floor {spread([r[3] for r in reps])}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serial", type=int, default=10)
    parser.add_argument("--studies", type=int, default=40)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[10, 20])
    parser.add_argument("--reps", type=int, default=5)
    asyncio.run(main(parser.parse_args()))
