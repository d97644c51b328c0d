"""Consents per second through the API vs bare Temporal updates, on the same servers in the
same run; then a study grown to 10,000 participants: the worker's memory and a consent's
latency at that size.

Ours: `POST /api/studies/{id}/participants/{code}/commands` (record_consent), HTTP -> web app ->
workflow update -> domain rules -> event appended with its read models -> answer, on one study
(a study's commands are applied one at a time, in order).
Floor: one bare workflow receiving the same number of updates, each running one activity with
one asyncpg insert (bench/bare.py), its worker in its own process like ours.
Target: ours >= 0.8x the floor.

    .venv/bin/python bench/consent.py [--consents 1000] [--concurrency 10] [--participants 10000]
        [--events 25000]
"""

import argparse
import asyncio
import re
import sys
import time
import uuid
from pathlib import Path

import httpx
from temporalio.client import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import wallclock  # noqa: E402
from bench.bare import TASK_QUEUE, BareWorkflow  # noqa: E402
from bench.common import Stack, pct, summary  # noqa: E402
from bench.lifecycle import COMMANDS  # noqa: E402

TODAY = wallclock.today().isoformat()
BULK = 500


async def limited(concurrency: int, jobs) -> float:  # type: ignore[no-untyped-def]
    """Runs the jobs `concurrency` at a time; returns their rate per second."""
    sem = asyncio.Semaphore(concurrency)

    async def one(job):  # type: ignore[no-untyped-def]
        async with sem:
            await job()

    t0 = time.perf_counter()
    await asyncio.gather(*(one(j) for j in jobs))
    return len(jobs) / (time.perf_counter() - t0)


def consent(code: str) -> dict:
    return {"type": "record_consent", "code": code, "kind": "written",
            "consent_form_version": "1.0", "consented_on": TODAY, "reason": "bench"}


async def main(args: argparse.Namespace) -> None:
    async with Stack(bare=True) as stack, httpx.AsyncClient(
            base_url=stack.info["web_url"], timeout=300,
            limits=httpx.Limits(max_connections=100)) as http:
        def auth(role: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {stack.tokens[role]}"}

        r = await http.post("/api/studies", headers=auth("coordinator"), json={
            "title": "Consent bench", "category": "RIPH1", "investigator": "Dr C",
            "reason": "bench"})
        sid = r.json()["id"]
        for role, body in COMMANDS:
            r = await http.post(f"/api/studies/{sid}/commands", headers=auth(role),
                                json={**body, "reason": "bench"})
            r.raise_for_status()

        async def bulk(items: list[dict]) -> None:
            r = await http.post(f"/api/studies/{sid}/participants/bulk",
                                headers=auth("investigator"),
                                json={"reason": "bench", "items": items})
            r.raise_for_status()
            assert r.json()["refused"] == 0, r.json()["results"][:3]

        codes = [f"P-{n:05d}" for n in range(1, args.participants + 1)]
        t0 = time.perf_counter()
        for i in range(0, args.consents, BULK):
            await bulk([{"type": "register_participant", "code": c}
                        for c in codes[i:i + BULK]][:args.consents - i])

        async def ours(code: str, lat: list[float]) -> None:
            t = time.perf_counter()
            r = await http.post(f"/api/studies/{sid}/participants/{code}/commands",
                                headers={**auth("investigator"),
                                         "Idempotency-Key": uuid.uuid4().hex},
                                json=consent(code))
            lat.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()

        client = await Client.connect(stack.info["temporal_address"])
        bare = await client.start_workflow(BareWorkflow.run, id=f"bare-{uuid.uuid4().hex}",
                                           task_queue=TASK_QUEUE)

        async def floor(n: int, lat: list[float]) -> None:
            t = time.perf_counter()
            await bare.execute_update(BareWorkflow.step, 100 + n)
            lat.append((time.perf_counter() - t) * 1000)

        warm = max(20, args.consents // 20)
        await limited(args.concurrency, [lambda c=c: ours(c, []) for c in codes[:warm]])
        await limited(args.concurrency, [lambda n=n: floor(n, []) for n in range(warm)])
        ours_lat: list[float] = []
        floor_lat: list[float] = []
        ours_rate = await limited(args.concurrency, [lambda c=c: ours(c, ours_lat)
                                                     for c in codes[warm:args.consents]])
        floor_rate = await limited(args.concurrency, [lambda n=n: floor(n, floor_lat)
                                                      for n in range(warm, args.consents)])
        print(f"{args.consents - warm} consents, one study, concurrency {args.concurrency}:")
        print(f"  ours  {ours_rate:7.1f} consents/s")
        print(f"  floor {floor_rate:7.1f} updates/s (bare workflow, one insert each)")
        print(f"  ratio ours/floor: {ours_rate / floor_rate:.2f}x (target >= 0.8x)")
        print(summary("  ours", ours_lat))
        print(summary("  floor", floor_lat))

        # grow the study to its full size through the bulk endpoint (the CSV import's path)
        t0 = time.perf_counter()
        for i in range(args.consents, args.participants, BULK):
            chunk = codes[i:i + BULK]
            await bulk([{"type": "register_participant", "code": c} for c in chunk])
            await bulk([{k: v for k, v in consent(c).items() if k != "reason"} for c in chunk])
        grown = args.participants - args.consents
        rate = 2 * grown / (time.perf_counter() - t0) if grown else float("nan")
        big_lat: list[float] = []
        extra = [f"X-{n:05d}" for n in range(200)]
        await bulk([{"type": "register_participant", "code": c} for c in extra])
        await limited(args.concurrency, [lambda c=c: ours(c, big_lat) for c in extra])
        rss = sum(w.memory_info().rss for w in stack.workers) / 2**20
        view = (await http.get(f"/api/studies/{sid}", headers=auth("investigator"))).json()
        print(f"\nstudy grown to {sum(view['participants'].values())} participants "
              f"(bulk: {rate:.0f} participant commands/s)")
        print(summary("  consent at that size", big_lat))
        print(f"  worker RSS {rss:.0f} MiB")
        # then as many inclusions as bring the trail to --events events
        version = view["version"]
        included = codes[:max(0, min(len(codes), args.events - version))]
        for i in range(0, len(included), BULK):
            await bulk([{"type": "include", "code": c, "included_on": TODAY}
                        for c in included[i:i + BULK]])
        view = (await http.get(f"/api/studies/{sid}", headers=auth("investigator"))).json()
        print(f"  its trail: {view['version']} events")
        await page_times(stack, sid, codes, http, auth("investigator"))


async def page_times(stack: Stack, sid: str, codes: list[str], http: httpx.AsyncClient,
                     headers: dict[str, str], loads: int = 20) -> None:
    """What a person reads of a big study: its page (timeline, latest events, first
    participants), its own facts, a later page of participants, the API's page of them; each
    p95 against the target (100 ms) and against the floor of the same run: one study's row
    read through the API (GET /api/studies/{id})."""
    async with httpx.AsyncClient(base_url=stack.info["web_url"], timeout=300) as web:
        login = await web.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', login.text)
        signed = await web.post("/login", data={"csrf": csrf.group(1) if csrf else "",
                                                "token": stack.tokens["investigator"]})
        assert signed.status_code == 303, signed.text[:200]
        middle = sorted(codes)[len(codes) // 2]
        reads = {
            "floor: GET /api/studies/{id}": lambda: http.get(f"/api/studies/{sid}",
                                                             headers=headers),
            "study page": lambda: web.get(f"/studies/{sid}"),
            "study page, own facts": lambda: web.get(f"/studies/{sid}?only=study"),
            "study page, participants p.N": lambda: web.get(f"/studies/{sid}?after={middle}"),
            "API participants, a page": lambda: http.get(
                f"/api/studies/{sid}/participants?limit=200&after={middle}", headers=headers),
        }
        times: dict[str, list[float]] = {}
        for name, read in reads.items():
            await read()  # warm
            lat = times.setdefault(name, [])
            for _ in range(loads):
                t = time.perf_counter()
                r = await read()
                lat.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (name, r.status_code, r.text[:200])
        floor = pct(times["floor: GET /api/studies/{id}"], 95)
        for name, lat in times.items():
            print(summary(f"  {name}", lat) + f"   p95 {pct(lat, 95):6.1f} ms "
                  f"({pct(lat, 95) / floor:4.1f}x the floor; target < 100 ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--consents", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=25_000,
                        help="inclusions bring the study's trail to this many events")
    asyncio.run(main(parser.parse_args()))
