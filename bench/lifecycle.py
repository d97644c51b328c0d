"""Our lifecycle vs a bare Temporal floor, on the same servers in the same run, in both topologies.

Ours: a RIPH1 study from creation to recruiting through the HTTP API (create + the shared
walk's commands, each with an Idempotency-Key as a careful client sends it), on the embedded
stack. The load comes from aiohttp's client in this process: it shares the servers' cores, and
httpx's cost 2.5 ms of CPU per call there (the floor's load is function calls). Floor: a bare
workflow started then sent as many updates as the walk has commands, each running one activity
with one asyncpg insert (bench/bare.py); `--floor local`: that insert a local activity, as our
append is (the floor of the same design rather than of the issue's).
- split: ours served by `studyflow up --no-worker` (web app) and `studyflow worker`, each in its
  own process as in production; the floor's worker in its own process, its client here.
- one process: ours served by `studyflow up` (web app and worker in one process, the embedded
  default); the floor's client and worker in one process (bench/bare.py --drive).
Prints, per topology, serial p50/p99 per call and their p50 ratio, then at each concurrency over
repetitions (ours and the floor interleaved: the machine is shared) both rates, their ratio with
its spread (median, min, max), and the Python CPU milliseconds per call of each side's
processes (ours: web app, worker, HTTP client; the floor: its worker and its Temporal client).
Targets: throughput >= 0.9x the floor at concurrency 10 and 20 in both; serial p50 <= 1.15x.
`--profile DIR`: py-spy records the server processes of both sides over the first repetition
at the first concurrency (DIR/<topology>-<process>.txt, collapsed stacks).

    .venv/bin/python bench/lifecycle.py [--serial 10] [--studies 40] [--concurrency 10 20]
        [--reps 5] [--topology split one] [--no-keys] [--profile DIR] [--floor local]
"""

import argparse
import asyncio
import contextlib
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import psutil
from temporalio.client import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import wallclock  # noqa: E402
from bench.bare import one_study  # noqa: E402
from bench.common import Stack, rate, summary  # noqa: E402
from scenarios import riph1_walk  # noqa: E402

TODAY = wallclock.today().isoformat()
# the shared RIPH1 walk, the CPP's completeness notice included: 10 commands
COMMANDS = riph1_walk(TODAY, completeness_on=TODAY)
CALLS = 1 + len(COMMANDS)  # the creation, then each command
TOPOLOGIES = {"split": "web app and worker in their own processes; the floor's worker in its "
                       "own process, its client here",
              "one": "one process: `studyflow up` (web app + worker); the floor's client and "
                     "worker in one process"}


async def ours(http: aiohttp.ClientSession, tokens: dict[str, str], lat: list[float],
               keys: bool = True) -> None:
    async def call(role: str, path: str, body: dict) -> dict:
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        if keys:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        t0 = time.perf_counter()
        while True:
            try:
                async with http.post(path, json={**body, "reason": "bench"},
                                     headers=headers) as r:
                    # the engine did not answer in time (a loaded machine): retried as the
                    # API asks, with the same key
                    if r.status == 503 and keys:
                        continue
                    r.raise_for_status()
                    answer = await r.json()
                    break
            except aiohttp.ClientConnectionError:
                # a kept-alive connection the server closed as it was reused: the same key
                if not keys:
                    raise
        lat.append((time.perf_counter() - t0) * 1000)
        return answer

    study = await call("coordinator", "/api/studies", {"title": "Bench", "category": "RIPH1",
                                                        "investigator": "Dr B"})
    for role, body in COMMANDS:
        study = await call(role, f"/api/studies/{study['id']}/commands", body)
    assert study["state"] == "recruiting", study["state"]


def cpu_seconds(procs: list[Any]) -> list[float]:
    """User + system CPU seconds of each process (psutil), this one's for None."""
    times = [psutil.Process(p.pid).cpu_times() if p is not None else psutil.Process().cpu_times()
             for p in procs]
    return [t.user + t.system for t in times]


async def measured(n: int, concurrency: int, one: Callable[[], Awaitable[None]],
                   procs: list[Any]) -> tuple[float, list[float]]:
    """(studies/s, Python CPU ms per call of each of `procs`) of `n` studies at
    `concurrency`."""
    before = cpu_seconds(procs)
    studies_per_s = await rate(n, concurrency, one)
    return studies_per_s, [(after - b) * 1000 / (n * CALLS)
                           for after, b in zip(cpu_seconds(procs), before, strict=True)]


class Side:
    """One side of a comparison: serial latencies, and a repetition's rate and CPU ms per call
    of each of its processes (named by `cpu_names`)."""

    def __init__(self, name: str, procs: list[Any], cpu_names: list[str],
                 serial: Callable[[int], Awaitable[list[float]]],
                 rep: Callable[[int, int], Awaitable[tuple[float, list[float]]]]) -> None:
        self.name, self.procs, self.cpu_names = name, procs, cpu_names
        self.serial, self.rep = serial, rep


def sides(topology: str, stack: Stack, http: aiohttp.ClientSession, client: Client,
          keys: bool, local: bool) -> tuple[Side, Side]:
    tokens = stack.tokens
    word = " local" if local else ""

    async def ours_serial(n: int) -> list[float]:
        lat: list[float] = []
        for _ in range(n):
            await ours(http, tokens, lat, keys)
        return lat

    async def ours_rep(n: int, concurrency: int) -> tuple[float, list[float]]:
        # the web app (and worker) processes, and this process's HTTP client
        return await measured(n, concurrency, lambda: ours(http, tokens, [], keys),
                              [stack.up, *stack.workers, None])

    if topology == "one":
        async def floor_serial(n: int) -> list[float]:
            return list(stack.ask_bare(f"serial {n} {CALLS}{word}")["lat"])

        async def floor_rep(n: int, concurrency: int) -> tuple[float, list[float]]:
            answer = stack.ask_bare(f"rate {n} {concurrency} {CALLS}{word}")
            return answer["rate"], [answer["cpu_ms"]]
    else:
        async def floor_serial(n: int) -> list[float]:
            lat: list[float] = []
            for _ in range(n):
                await one_study(client, CALLS, lat, local)
            return lat

        async def floor_rep(n: int, concurrency: int) -> tuple[float, list[float]]:
            # the floor's worker process, and this process's Temporal client
            return await measured(n, concurrency, lambda: one_study(client, CALLS, [], local),
                                  [stack.bare_worker, None])

    one = topology == "one"
    return (Side("ours", [stack.up, *stack.workers],
                 ["web app + worker" if one else "web app", *(["worker"] * len(stack.workers)),
                  "HTTP client"], ours_serial, ours_rep),
            Side("floor", [stack.bare_worker],
                 ["client + worker"] if one else ["worker", "Temporal client"],
                 floor_serial, floor_rep))


@contextlib.contextmanager
def profiled(directory: Path | None, topology: str, side: Side) -> Iterator[None]:
    """py-spy records `side`'s server processes while the block runs (collapsed stacks)."""
    if directory is None:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    spies = [subprocess.Popen(
        [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(p.pid),
         "--format", "raw", "--rate", "200", "--nonblocking", "--gil",
         "-o", str(directory / f"{topology}-{side.name}-{i}.txt")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i, p in enumerate(side.procs)]
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)


def servers(stack: Stack) -> dict[str, float]:
    """CPU seconds of the servers both sides share (the Temporal dev server, PostgreSQL's
    processes), by name: the work each side asks of them, beside its own Python CPU."""
    used: dict[str, float] = {"Temporal": 0.0, "PostgreSQL": 0.0}
    procs = psutil.Process(stack.up.pid).children(recursive=True)
    for p in psutil.process_iter(["name", "cmdline"]):  # PostgreSQL runs detached
        if "postgres" in (p.info["name"] or "") and str(stack.data_dir) in " ".join(
                p.info["cmdline"] or []):
            procs += [p, *p.children(recursive=True)]
    for child in set(procs):
        with contextlib.suppress(psutil.Error):
            name = child.name()
            kind = "Temporal" if "temporal" in name else "PostgreSQL" if "postgres" in name \
                else None
            if kind:
                t = child.cpu_times()
                used[kind] += t.user + t.system
    return used


@contextlib.contextmanager
def server_cpu(stack: Stack, into: list[dict[str, float]], calls: int) -> Iterator[None]:
    """Appends to `into` the servers' CPU ms per call spent while the block runs."""
    before = servers(stack)
    yield
    after = servers(stack)
    into.append({k: (after[k] - before[k]) * 1000 / calls for k in before})


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f})"


async def topology_run(topology: str, args: argparse.Namespace) -> None:
    async with Stack(workers=1 if topology == "split" else 0, bare=True,
                     bare_drives=topology == "one") as stack:
        client = await Client.connect(stack.info["temporal_address"])
        async with aiohttp.ClientSession(base_url=stack.info["web_url"],
                                         timeout=aiohttp.ClientTimeout(total=120),
                                         # idle connections closed before uvicorn's 5 s
                                         connector=aiohttp.TCPConnector(
                                             limit=100, keepalive_timeout=2)) as http:
            mine, floor = sides(topology, stack, http, client, not args.no_keys,
                                args.floor == "local")
            for side in (mine, floor):
                await side.serial(1)  # warm-up
            ours_lat: list[float] = []
            floor_lat: list[float] = []
            for _ in range(args.serial):
                ours_lat += await mine.serial(1)
                floor_lat += await floor.serial(1)
            results: dict[int, list[tuple[float, float, list[float], list[float]]]] = {}
            shared: dict[tuple[int, str], list[dict[str, float]]] = {}
            calls = args.studies * CALLS
            for concurrency in args.concurrency:
                for rep in range(args.reps):
                    first = args.profile if rep == 0 and concurrency == args.concurrency[0] \
                        else None
                    with profiled(first, topology, mine), \
                            server_cpu(stack, shared.setdefault((concurrency, "ours"), []), calls):
                        o_rate, o_cpu = await mine.rep(args.studies, concurrency)
                    with profiled(first, topology, floor), \
                            server_cpu(stack, shared.setdefault((concurrency, "floor"), []), calls):
                        f_rate, f_cpu = await floor.rep(args.studies, concurrency)
                    results.setdefault(concurrency, []).append((o_rate, f_rate, o_cpu, f_cpu))
    print(f"topology {topology}: {TOPOLOGIES[topology]}; "
          f"{'with' if not args.no_keys else 'without'} Idempotency-Keys; the floor's insert "
          f"{'a local activity' if args.floor == 'local' else 'an activity'}")
    print(f"  serial, {args.serial} studies each ({CALLS} calls per study):")
    print(summary("    ours (HTTP -> event stored)", ours_lat))
    print(summary("    bare Temporal floor", floor_lat))
    p50 = statistics.median(ours_lat) / statistics.median(floor_lat)
    print(f"    serial p50 ratio ours/floor: {p50:.2f}x (target <= 1.15x)")
    for concurrency, reps in results.items():
        print(f"  concurrency {concurrency}, {args.studies} studies, {len(reps)} repetitions:")
        print(f"    ours  studies/s {spread([r[0] for r in reps])}")
        print(f"    floor studies/s {spread([r[1] for r in reps])}")
        print(f"    throughput ratio ours/floor {spread([r[0] / r[1] for r in reps])} "
              f"(target >= 0.9x)")
        print(f"    CPU ms per call: ours {spread([sum(r[2]) for r in reps])}, "
              f"floor {spread([sum(r[3]) for r in reps])}")
        for side, per_process in ((mine, [r[2] for r in reps]), (floor, [r[3] for r in reps])):
            print(f"      {side.name}: " + ", ".join(
                f"{name} {statistics.median(p[i] for p in per_process):.2f}"
                for i, name in enumerate(side.cpu_names)) + " (medians)")
        print("      servers' CPU ms per call: " + "; ".join(
            f"{who} " + ", ".join(f"{name} {statistics.median(r[name] for r in runs):.2f}"
                                  for name in runs[0])
            for who in ("ours", "floor") for runs in [shared[(concurrency, who)]]) + " (medians)")
    sys.stdout.flush()


async def main(args: argparse.Namespace) -> None:
    for topology in args.topology:
        await topology_run(topology, args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serial", type=int, default=10)
    parser.add_argument("--studies", type=int, default=40)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[10, 20])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--topology", nargs="+", choices=list(TOPOLOGIES),
                        default=list(TOPOLOGIES))
    parser.add_argument("--no-keys", action="store_true",
                        help="send the commands without Idempotency-Key headers")
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument("--floor", choices=["activity", "local"], default="activity",
                        help="the floor's insert: an activity (the issue's floor), or a local "
                             "activity as our append is")
    asyncio.run(main(parser.parse_args()))
