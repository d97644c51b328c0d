"""Bringing running studies in: 500 RIPH1 studies with 15 dated facts each (JSON lines, the
format `studyflow import studies` reads), imported through `POST /api/imports/studies` on the
embedded stack (`studyflow up --no-worker` and `studyflow worker`, each in its own process),
in chunks of 20 studies as the CLI sends them; then the same file again, which must import
nothing twice (`already_imported` == every study).

Ours, per study: its history parsed and judged once in legal-date order (domain.decide_batch),
then one update-with-start of its workflow (the history decided again in the workflow, every
event appended in one transaction with its read models).
Floor: the same number of bare workflows each started with one update running one activity
with one asyncpg insert (bench/bare.py), at the same concurrency, on the same servers.

    .venv/bin/python bench/import.py [--studies 500] [--chunk 20] [--concurrency 1]
"""

import argparse
import asyncio
import json
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import wallclock  # noqa: E402
from bench.bare import TASK_QUEUE, BareWorkflow  # noqa: E402
from bench.common import Stack, summary  # noqa: E402
from scenarios import PROTOCOL_SHA256  # noqa: E402

FACTS = 15


def history(n: int, today: date) -> dict[str, Any]:
    """Study `n`: a RIPH1 submitted 5 to 6 months ago, its CPP's request for information
    answered, authorized, recruiting, then a substantial amendment approved; every clock met
    on its legal dates. 15 dated commands."""
    d0 = today - timedelta(days=150 + n % 30)

    def on(days: int) -> str:
        return (d0 + timedelta(days=days)).isoformat()

    commands: list[dict[str, Any]] = [
        {"type": "submit_protocol", "version": "1.0", "document_sha256": PROTOCOL_SHA256},
        {"type": "assign_sponsor", "sponsor": "CHU de Lille"},
        {"type": "record_insurance", "insurer": "Relyens", "policy": f"RC-{n:05d}"},
        {"type": "submit_to_ethics", "committee": "CPP Nord-Ouest I", "submitted_on": on(0)},
        {"type": "submit_to_ansm", "submitted_on": on(1)},
        {"type": "record_ethics_completeness", "notified_on": on(6)},
        {"type": "ethics_request_information", "requested_on": on(20),
         "questions": "Précisez la durée de suivi"},
        {"type": "ethics_information_supplied", "supplied_on": on(26)},
        {"type": "record_ethics_opinion", "opinion": "favourable", "opinion_on": on(45)},
        {"type": "record_cnil", "route": "MR-001", "reference": f"MR001-{n:05d}"},
        {"type": "record_ansm_decision", "decision": "authorized", "decision_on": on(50)},
        {"type": "open_recruitment", "opened_on": on(55)},
        {"type": "submit_amendment", "substantial": True, "description": "a second centre",
         "protocol_version": "2.0", "submitted_on": on(100)},
        {"type": "record_ansm_decision", "decision": "authorized", "decision_on": on(120),
         "amendment_id": "AM-1"},
        {"type": "record_ethics_opinion", "opinion": "favourable", "opinion_on": on(130),
         "amendment_id": "AM-1"},
    ]
    assert len(commands) == FACTS
    return {"reference": f"BENCH-{n:06d}", "title": f"Imported study {n}", "category": "RIPH1",
            "investigator": "Dr Import", "commands": commands}


async def limited(concurrency: int, jobs: list[Any]) -> float:
    """Runs the jobs `concurrency` at a time; returns the seconds it took."""
    sem = asyncio.Semaphore(concurrency)

    async def one(job: Any) -> None:
        async with sem:
            await job()

    t0 = time.perf_counter()
    await asyncio.gather(*(one(j) for j in jobs))
    return time.perf_counter() - t0


async def main(args: argparse.Namespace) -> None:
    today = wallclock.today()
    run_id = uuid.uuid4().hex[:6]
    lines = [json.dumps(history(n, today), ensure_ascii=False) for n in range(args.studies)]
    chunks = ["\n".join(lines[i:i + args.chunk]) + "\n"
              for i in range(0, len(lines), args.chunk)]
    async with Stack(bare=True) as stack, httpx.AsyncClient(
            base_url=stack.info["web_url"], timeout=600) as http:
        auth = {"Authorization": f"Bearer {stack.tokens['coordinator']}"}
        client = await Client.connect(stack.info["temporal_address"])

        async def send(content: str, counts: dict[str, int], lat: list[float]) -> None:
            t = time.perf_counter()
            r = await http.post("/api/imports/studies", headers=auth, json={
                "content": content, "name": "bench.jsonl", "reason": "bench import"})
            lat.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
            report = r.json()
            refused = [x for x in report["results"] if x["status"] == "refused"]
            assert not refused, refused[:3]
            for status in ("imported", "already_imported", "refused"):
                counts[status] += report[status]

        async def floor_one(n: int, lat: list[float]) -> None:
            t = time.perf_counter()
            start = WithStartWorkflowOperation(
                BareWorkflow.run, id=f"bare-import-{run_id}-{n}", task_queue=TASK_QUEUE,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
            await client.execute_update_with_start_workflow(BareWorkflow.step, 10,
                                                            start_workflow_operation=start)
            lat.append((time.perf_counter() - t) * 1000)

        # warm both paths up (connections, caches, the worker's first workflows)
        warm = "\n".join(json.dumps({**history(n, today), "reference": f"WARM-{n}"})
                         for n in range(4)) + "\n"
        await send(warm, {"imported": 0, "already_imported": 0, "refused": 0}, [])
        await limited(args.concurrency, [lambda n=n: floor_one(-1 - n, []) for n in range(4)])

        first = {"imported": 0, "already_imported": 0, "refused": 0}
        first_lat: list[float] = []
        first_s = await limited(args.concurrency, [lambda c=c: send(c, first, first_lat)
                                                   for c in chunks])
        again = {"imported": 0, "already_imported": 0, "refused": 0}
        again_lat: list[float] = []
        again_s = await limited(args.concurrency, [lambda c=c: send(c, again, again_lat)
                                                   for c in chunks])
        floor_lat: list[float] = []
        floor_s = await limited(args.concurrency, [lambda n=n: floor_one(n, floor_lat)
                                                   for n in range(args.studies)])
    assert first == {"imported": args.studies, "already_imported": 0, "refused": 0}, first
    assert again == {"imported": 0, "already_imported": args.studies, "refused": 0}, again
    n, facts = args.studies, args.studies * FACTS
    print(f"{n} studies x {FACTS} dated facts, chunks of {args.chunk}, "
          f"concurrency {args.concurrency}:")
    print(f"  first run  {first_s:7.2f} s  {n / first_s:7.1f} studies/s  "
          f"{facts / first_s:8.1f} facts/s  ({first['imported']} imported)")
    print(f"  re-run     {again_s:7.2f} s  {n / again_s:7.1f} studies/s  "
          f"{facts / again_s:8.1f} facts/s  ({again['already_imported']} already imported, "
          "nothing twice)")
    print(f"  floor      {floor_s:7.2f} s  {n / floor_s:7.1f} workflows/s (bare update-with-"
          "start, one insert each)")
    print(f"  ratio first run / floor: {floor_s / first_s:.2f}x")
    print(summary(f"  ours per request ({args.chunk})", first_lat))
    print(summary("  re-run per request", again_lat))
    print(summary("  floor per workflow", floor_lat))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--studies", type=int, default=500)
    parser.add_argument("--chunk", type=int, default=20, help="studies per request")
    parser.add_argument("--concurrency", type=int, default=1,
                        help="requests in flight (the CLI sends one at a time)")
    asyncio.run(main(parser.parse_args()))
