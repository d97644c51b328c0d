"""Scale: many open studies on one worker, then two.

Opens N RIPH3 studies through the HTTP API (create, protocol, sponsor, submission to the CPP:
each study is then a running workflow with an open legal clock, a durable timer), served by
`studyflow up --no-worker` and one `studyflow worker`, each in its own process as in
production. Reports the start rate, the worker's RSS (sampled all along), and the latency of
commands sent to random open studies while they all run (most of them no longer in the
worker's cache: they replay their history). Then starts a second worker on the same task queue
and sends the same number of commands again: both workers' CPU time shows the load shared.
Target: 10,000 open studies under 2 GiB of worker RSS.

Cold studies: the one-worker probe's commands go to studies mostly evicted from the worker's
cache (`--cache` sets WORKER_CACHE_SIZE, for our worker and the floor's alike). The floor: as
many bare workflows (bench/bare.py), each grown by updates to the history length of an open
study, on a worker keeping as few in its cache; the same number of updates to random ones, sent
at the same concurrency through the Temporal client (ours go through the HTTP API). p50/p99
side by side and their ratio. Target: p50 < 150 ms, p99 < 500 ms at 24 clients. Then the same
one client at a time (`--serial` commands each, to studies not touched since they opened): what
a cold command costs without a queue in front of it; and the rate each side answered the
concurrent ones at, with the latency that rate alone implies for that many clients (Little's
law: clients / rate), a bound no cache or history length lifts on the machine.

    .venv/bin/python bench/scale.py [--studies 10000] [--concurrency 24] [--probes 500]
        [--serial 50] [--cache N] [--no-scale-out]
"""

import argparse
import asyncio
import os
import random
import signal
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import psutil
from temporalio.client import Client, WorkflowHandle

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import wallclock  # noqa: E402
from bench.bare import TASK_QUEUE, BareWorkflow  # noqa: E402
from bench.common import Stack, pct, summary  # noqa: E402
from scenarios import only, riph1_walk  # noqa: E402
from settings import Settings  # noqa: E402

TODAY = wallclock.today().isoformat()
# the shared walk's first steps that apply to a RIPH3 (no insurance): after them the study
# waits on the CPP's completeness clock
OPEN = only(riph1_walk(TODAY), "submit_protocol", "assign_sponsor", "record_registration",
            "submit_to_ethics")
PROBE = ("coordinator", {"type": "record_cnil", "route": "MR-003", "reference": "R"})


class Api:
    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.http = httpx.AsyncClient(base_url=url, timeout=300,
                                      limits=httpx.Limits(max_connections=100))
        self.tokens = tokens
        self.retries = 0

    async def post(self, role: str, path: str, body: dict, lat: list[float]) -> dict:
        """As a real client: a 503 (the engine busy past its RPC timeout) is retried with the
        same Idempotency-Key; the latency counts from the first try."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}",
                   "Idempotency-Key": uuid.uuid4().hex}
        t0 = time.perf_counter()
        while True:
            r = await self.http.post(path, json={**body, "reason": "scale bench"},
                                     headers=headers)
            if r.status_code not in (502, 503, 504):
                break
            self.retries += 1
            await asyncio.sleep(1)
        lat.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
        return r.json()

    async def open_study(self, n: int, lat: list[float]) -> str:
        study = await self.post("coordinator", "/api/studies", {
            "title": f"Scale {n}", "category": "RIPH3", "investigator": "Dr S"}, lat)
        for role, body in OPEN:
            await self.post(role, f"/api/studies/{study['id']}/commands", body, lat)
        return str(study["id"])


class Rss:
    """Samples the workers' resident memory every half second; keeps the peak."""

    def __init__(self) -> None:
        self.procs: list[psutil.Process] = []
        self.peak = 0

    def now(self) -> int:
        return sum(p.memory_info().rss for p in self.procs if p.is_running())

    async def run(self) -> None:
        while True:
            self.peak = max(self.peak, self.now())
            await asyncio.sleep(0.5)


async def gather_limited(concurrency: int, jobs) -> list:  # type: ignore[no-untyped-def]
    sem = asyncio.Semaphore(concurrency)

    async def one(job):  # type: ignore[no-untyped-def]
        async with sem:
            return await job()

    return await asyncio.gather(*(one(j) for j in jobs))


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


async def history_length(client: Client, workflow_id: str) -> int:
    return len((await client.get_workflow_handle(workflow_id).fetch_history()).events)


class Cold:
    """Latencies of cold commands: `queued` sent `concurrency` at a time (with the seconds
    they took in all), `alone` one at a time."""

    def __init__(self) -> None:
        self.queued: list[float] = []
        self.alone: list[float] = []
        self.seconds = 0.0

    async def measure(self, send: Callable[[Any, list[float]], Awaitable[None]],
                      queued: list[Any], alone: list[Any], concurrency: int) -> None:
        t0 = time.perf_counter()
        await gather_limited(concurrency, [lambda x=x: send(x, self.queued) for x in queued])
        self.seconds = time.perf_counter() - t0
        for x in alone:
            await send(x, self.alone)

    def rate(self) -> float:
        return len(self.queued) / self.seconds


async def cold_floor(client: Client, n: int, length: int, probes: int, serial: int,
                     concurrency: int) -> tuple[Cold, int]:
    """`n` bare workflows grown to `length` history events, then `probes` updates to random
    ones (most evicted from the floor's worker as ours are) `concurrency` at a time and
    `serial` more one at a time: their latencies, and the history length reached."""
    async def start() -> WorkflowHandle:
        return await client.start_workflow(BareWorkflow.run, id=f"bare-{uuid.uuid4().hex}",
                                           task_queue=TASK_QUEUE)

    first = await start()
    updates = 0
    while await history_length(client, first.id) < length:
        updates += 1
        await first.execute_update(BareWorkflow.step, 100 + updates)

    async def grown() -> WorkflowHandle:
        handle = await start()
        for i in range(updates):
            await handle.execute_update(BareWorkflow.step, 100 + i)
        return handle

    handles = [first, *await gather_limited(concurrency, [grown] * (n - 1))]
    reached = await history_length(client, handles[-1].id)
    random.shuffle(handles)

    async def probe(handle: WorkflowHandle, lat: list[float]) -> None:
        t0 = time.perf_counter()
        await handle.execute_update(BareWorkflow.step, 1000)
        lat.append((time.perf_counter() - t0) * 1000)

    cold = Cold()
    await cold.measure(probe, handles[:probes], handles[probes:probes + serial], concurrency)
    return cold, reached


def side_by_side(ours: list[float], floor: list[float], targets: bool = True) -> str:
    return "\n".join(
        f"  p{p}: ours {pct(ours, p):7.1f} ms   floor {pct(floor, p):7.1f} ms   "
        f"ratio {pct(ours, p) / pct(floor, p):4.2f}x" + (f"   (target < {target} ms)"
                                                          if targets else "")
        for p, target in ((50, 150), (99, 500)))


def queue_bound(name: str, cold: Cold, clients: int) -> str:
    return (f"  {name}: {cold.rate():5.1f} commands/s at {clients} clients: "
            f"{clients / cold.rate() * 1000:6.0f} ms each by Little's law")


async def main(args: argparse.Namespace) -> None:
    rss = Rss()
    sampler = asyncio.create_task(rss.run())
    if args.cache:  # our worker and the floor's read it (settings.py, bench/bare.py)
        os.environ["WORKER_CACHE_SIZE"] = str(args.cache)
    async with Stack(bare=True) as stack:
        workers = stack.workers
        rss.procs = list(workers)
        api = Api(stack.info["web_url"], stack.tokens)
        idle = rss.now()

        open_lat: list[float] = []
        done = 0
        t0 = time.perf_counter()

        async def opened(n: int) -> str:
            nonlocal done
            sid = await api.open_study(n, open_lat)
            done += 1
            if done % max(1, args.studies // 20) == 0:
                el = time.perf_counter() - t0
                print(f"  {done:>6} open   {done / el:6.1f} studies/s   worker RSS "
                      f"{mib(rss.now())}", flush=True)
            return sid

        print(f"opening {args.studies} studies, {args.concurrency} at a time "
              f"({1 + len(OPEN)} calls each)", flush=True)
        sids = await gather_limited(args.concurrency, [lambda n=n: opened(n)
                                                       for n in range(args.studies)])
        elapsed = time.perf_counter() - t0
        open_peak = rss.peak
        settled = rss.now()

        async def command(sid: str, lat: list[float]) -> None:
            role, body = PROBE
            await api.post(role, f"/api/studies/{sid}/commands", body, lat)

        async def probe(sids: list[str], lat: list[float]) -> None:
            await gather_limited(args.concurrency, [lambda s=s: command(s, lat) for s in sids])

        random.shuffle(sids)
        client = await Client.connect(stack.info["temporal_address"])
        length = await history_length(client, sids[-1])  # not probed: as the probes find them
        ours = Cold()  # the scale-out probe below takes the next `probes` of them
        alone = sids[2 * args.probes:2 * args.probes + args.serial]
        await ours.measure(command, sids[:args.probes], alone, args.concurrency)
        one_lat, one_peak = ours.queued, rss.now()
        floor, floor_length = await cold_floor(client, args.studies, length, args.probes,
                                               len(alone), args.concurrency)
        cache = os.environ.get("WORKER_CACHE_SIZE", f"{Settings().worker_cache_size} (default)")
        print(f"\ncold commands: {args.probes} to random ones of {args.studies} workflows, "
              f"worker cache {cache}, {args.concurrency} at a time; history {length} events "
              f"(ours), {floor_length} (floor)")
        print(side_by_side(ours.queued, floor.queued))
        print(queue_bound("ours ", ours, args.concurrency))
        print(queue_bound("floor", floor, args.concurrency))
        print(f"one at a time ({len(alone)} more of each, the queue gone):")
        print(side_by_side(ours.alone, floor.alone, targets=False), flush=True)
        if args.no_scale_out:
            sampler.cancel()
            return

        # Scale out as a rolling deploy does: a second worker starts, the first restarts. (A
        # worker keeps the studies it ran on its sticky queue, their activities run eagerly on
        # it: a worker added beside a running one takes new work only, until the first stops.)
        stack.start_worker()
        first = workers.pop(0)
        first.send_signal(signal.SIGTERM)
        first.wait(90)
        stack.start_worker()
        rss.procs = list(workers)
        await asyncio.sleep(10)  # both start and poll
        cpu_before = [sum(w.cpu_times()[:2]) for w in workers]
        two_lat: list[float] = []
        await probe(sids[args.probes:2 * args.probes], two_lat)
        cpu = [sum(w.cpu_times()[:2]) - b for w, b in zip(workers, cpu_before, strict=True)]

        print(f"\n{args.studies} open studies (each a running workflow with an open clock)")
        print(f"  start rate: {args.studies / elapsed:.1f} studies/s "
              f"({len(open_lat) / elapsed:.0f} API calls/s, concurrency {args.concurrency})")
        print(summary("  opening calls", open_lat) + f"   retried 503s: {api.retries}")
        print(f"  worker RSS: idle {mib(idle)}, peak while opening {mib(open_peak)}, "
              f"settled {mib(settled)}, after probes {mib(one_peak)} (target < 2048 MiB)")
        print(summary("  one worker, probe commands", one_lat))
        print(summary("  two workers, probe commands", two_lat))
        print("  two workers (a second one added, the first restarted), CPU during the probe: "
              + ", ".join(f"{c:.1f} s" for c in cpu)
              + f"; their RSS {', '.join(mib(w.memory_info().rss) for w in workers)}")
    sampler.cancel()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--studies", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--serial", type=int, default=50,
                        help="cold commands sent one at a time, after the concurrent ones")
    parser.add_argument("--cache", type=int, default=0,
                        help="WORKER_CACHE_SIZE of our worker and the floor's (0: the default)")
    parser.add_argument("--no-scale-out", action="store_true",
                        help="stop after the cold commands (no second worker)")
    asyncio.run(main(parser.parse_args()))
