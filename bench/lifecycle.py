"""Our lifecycle vs a bare Temporal floor, on the same servers in the same run.

Ours: a RIPH1 study from creation to recruiting through the HTTP API (11 calls: create + 10
commands), served by `studyflow up --no-worker` (web app) and `studyflow worker`, each in its
own process as in production, on the embedded stack.
Floor: a bare workflow started then sent 10 updates, each running one activity with one asyncpg
insert, its worker in its own process like ours.
Prints both rates at a concurrency, their ratio, and serial p50/p99 per call.
Targets: throughput >= 0.8x the floor at concurrency 10; serial p50 <= 1.25x the floor's.

    .venv/bin/python bench/lifecycle.py [--serial 10] [--studies 40] [--concurrency 10]
"""

import argparse
import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from temporalio.client import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bare import TASK_QUEUE, BareWorkflow  # noqa: E402
from bench.common import Stack, summary  # noqa: E402
from scenarios import riph1_walk  # noqa: E402

TODAY = datetime.now(UTC).date().isoformat()
# the shared RIPH1 walk, the CPP's completeness notice included: 10 commands
COMMANDS = riph1_walk(TODAY, completeness_on=TODAY)


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
    for i in range(1, 11):
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


async def main(args: argparse.Namespace) -> None:
    async with Stack(bare=True) as stack:
        tokens = stack.tokens
        client = await Client.connect(stack.info["temporal_address"])
        async with httpx.AsyncClient(base_url=stack.info["web_url"], timeout=120) as http:
            warm: list[float] = []
            await ours(http, tokens, warm)
            await bare(client, warm)
            ours_lat: list[float] = []
            bare_lat: list[float] = []
            for _ in range(args.serial):
                await ours(http, tokens, ours_lat)
                await bare(client, bare_lat)
            ours_rate = await rate(args.studies, args.concurrency,
                                   lambda: ours(http, tokens, []))
            bare_rate = await rate(args.studies, args.concurrency, lambda: bare(client, []))
    print(f"serial, {args.serial} studies each (11 calls per study):")
    print(summary("  ours (HTTP -> event stored)", ours_lat))
    print(summary("  bare Temporal floor", bare_lat))
    p50 = sorted(ours_lat)[len(ours_lat) // 2] / sorted(bare_lat)[len(bare_lat) // 2]
    print(f"  serial p50 ratio ours/floor: {p50:.2f}x (target <= 1.25x)")
    print(f"concurrency {args.concurrency}, {args.studies} studies each:")
    print(f"  ours  {ours_rate:6.2f} studies/s")
    print(f"  floor {bare_rate:6.2f} studies/s")
    print(f"  throughput ratio ours/floor: {ours_rate / bare_rate:.2f}x (target >= 0.8x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serial", type=int, default=10)
    parser.add_argument("--studies", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=10)
    asyncio.run(main(parser.parse_args()))
