"""Cold studies' costs, the figures the worker's history and cache settings are set from:

1. History: one RIPH1 study walked to recruiting through the HTTP API, then grown by registering
   participants (one command and one append each), in one run (started with the former limit
   of 2,000 events). At sampled lengths its history is fetched (events, bytes) and replayed by
   the SDK's Replayer, as a worker replays a study evicted from its cache: the median of
   `--replays`, per event. Against the continue-as-new threshold (workflows/study.py
   HISTORY_LIMIT): what the longest history a cold command can meet costs to replay.
2. Cache: the worker's RSS before and after opening `--studies` RIPH3 studies (all within its
   cache, each a running workflow with an open clock): MiB per cached study, and the cache that
   10,000 open studies would fit in the scale target's 2 GiB (WORKER_CACHE_SIZE).
3. Sticky queue: the workflow tasks' schedule-to-start latency while those studies are opened
   at `--concurrency` clients, read from their histories: what the sticky queue's timeout
   (WORKER_STICKY_TIMEOUT) must exceed so that a busy worker keeps its studies, while a dead
   one hands them to another worker soon.

    .venv/bin/python bench/replay.py [--studies 200] [--concurrency 24] [--replays 5]
"""

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from temporalio.api.enums.v1 import EventType  # noqa: E402
from temporalio.client import Client, WorkflowHistory  # noqa: E402
from temporalio.converter import DataConverter  # noqa: E402
from temporalio.worker import Replayer  # noqa: E402

import wallclock  # noqa: E402
from api import engine  # noqa: E402
from bench.common import Stack, pct  # noqa: E402
from bench.scale import OPEN, Api, gather_limited, mib  # noqa: E402
from bootstrap import connect_temporal  # noqa: E402
from codec import data_converter  # noqa: E402
from scenarios import riph1_walk  # noqa: E402
from settings import Settings  # noqa: E402
from workflows.study import FIRST_HISTORY_LIMIT, HISTORY_LIMIT, StudyWorkflow  # noqa: E402

TODAY = wallclock.today().isoformat()
SAMPLES = (100, 250, 500, 1000, 1500, 1900)  # history lengths (a run renews at HISTORY_LIMIT)
RSS_BUDGET = 2048  # MiB: the scale target for 10,000 open studies (bench/scale.py)


async def replay_ms(history: WorkflowHistory, replays: int, converter: DataConverter) -> float:
    """As the worker replays: payloads decrypted (the stack's codec keys) and decoded."""
    replayer = Replayer(workflows=[StudyWorkflow], data_converter=converter)
    times = []
    for _ in range(replays):
        t0 = time.perf_counter()
        await replayer.replay_workflow(history)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


async def grow(api: Api, client: Client, replays: int,
               converter: DataConverter) -> list[tuple[int, int, float]]:
    """(events, bytes, replay ms) of one study's history at each sampled length."""
    lat: list[float] = []
    sid = engine.new_study_id()
    await engine.create_study(client, sid, {
        "title": "Replay", "category": "RIPH1", "investigator": "Dr R"}, actor="bench",
        role="coordinator", reason="replay bench", history_limit=FIRST_HISTORY_LIMIT)
    for role, body in riph1_walk(TODAY):
        await api.post(role, f"/api/studies/{sid}/commands", body, lat)
    handle = client.get_workflow_handle(sid)
    rows, n, samples = [], 0, list(SAMPLES)
    while samples:
        history = await handle.fetch_history()
        if len(history.events) >= samples[0]:
            samples.pop(0)
            size = len(history.to_json().encode())
            rows.append((len(history.events), size, await replay_ms(history, replays, converter)))
            print(f"  history {len(history.events):5} events {size / 1024:8.0f} KiB   replay "
                  f"{rows[-1][2]:7.1f} ms", flush=True)
            continue
        n += 1
        await api.post("investigator", f"/api/studies/{sid}/participants",
                       {"type": "register_participant", "code": f"P-{n:05d}"}, lat)
    return rows


def task_waits(histories: list[WorkflowHistory]) -> list[float]:
    """Each workflow task's wait between scheduled and started, in ms."""
    waits = []
    for history in histories:
        scheduled = None
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
                scheduled = event.event_time.ToDatetime()
            elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED and scheduled:
                waits.append((event.event_time.ToDatetime() - scheduled).total_seconds() * 1000)
                scheduled = None
    return waits


async def main(args: argparse.Namespace) -> None:
    settings = Settings()
    async with Stack() as stack:
        api = Api(stack.info["web_url"], stack.tokens)
        ours = settings.model_copy(update={"data_dir": stack.data_dir})  # its codec keys
        client = await connect_temporal(ours, stack.info["temporal_address"])
        worker = stack.workers[0]

        print(f"1. one study's history as it grows (one run; studies renew at {HISTORY_LIMIT})")
        rows = await grow(api, client, args.replays, data_converter(ours))
        per_event = statistics.median(ms / events for events, _, ms in rows)
        per_kib = statistics.median(size / events / 1024 for events, size, _ in rows)
        print(f"  replay {per_event * 1000:.0f} us per history event ({per_kib:.2f} KiB each): "
              f"{per_event * HISTORY_LIMIT:.0f} ms at the limit of {HISTORY_LIMIT}, "
              f"{per_event * FIRST_HISTORY_LIMIT:.0f} ms at the former {FIRST_HISTORY_LIMIT}")

        print(f"\n2. {args.studies} studies opened, {args.concurrency} at a time "
              f"(worker cache {settings.worker_cache_size})")
        await asyncio.sleep(2)
        before = worker.memory_info().rss
        lat: list[float] = []

        async def opened(n: int) -> str:
            study = await api.post("coordinator", "/api/studies", {
                "title": f"Cache {n}", "category": "RIPH3", "investigator": "Dr C"}, lat)
            for role, body in OPEN:
                await api.post(role, f"/api/studies/{study['id']}/commands", body, lat)
            return str(study["id"])

        sids = await gather_limited(args.concurrency, [lambda n=n: opened(n)
                                                       for n in range(args.studies)])
        await asyncio.sleep(2)
        after = worker.memory_info().rss
        each = (after - before) / len(sids)
        fits = int((RSS_BUDGET * 2**20 - before) / each) if each > 0 else 0
        print(f"  worker RSS {mib(before)} -> {mib(after)}: {each / 2**10:.0f} KiB per cached "
              f"study; {RSS_BUDGET} MiB holds {fits:,} cached studies beside the idle worker")
        lengths = []
        histories = []
        for sid in sids:
            histories.append(await client.get_workflow_handle(sid).fetch_history())
            lengths.append(len(histories[-1].events))
        waits = task_waits(histories)
        print(f"  an open study's history: {statistics.median(lengths):.0f} events; replay "
              f"{per_event * statistics.median(lengths):.1f} ms")

        print(f"\n3. workflow tasks' schedule-to-start while opening ({len(waits)} tasks)")
        print(f"  p50 {pct(waits, 50):.0f} ms   p99 {pct(waits, 99):.0f} ms   "
              f"max {max(waits):.0f} ms   (sticky timeout now "
              f"{settings.worker_sticky_timeout:.0f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--studies", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--replays", type=int, default=5)
    asyncio.run(main(parser.parse_args()))
