"""Event append (hash chain + read models, one transaction) vs a raw asyncpg INSERT of the same
rows with a sha256 per row, and vs the `eventsourcing` library's PostgreSQL recorder appending
the same events, serially, on one embedded PostgreSQL, in the same run: rounds in which the
three take turns by blocks of 50 appends (paired: a change of the machine's load, or the
server's own background work, meets all three alike). Target: >= 0.5x the raw insert's
rate, and faster than the recorder.

Then where our time goes: Python CPU per append, and the server's time in each function of the
append (pg_stat_user_functions), with and without the study's read model.

    .venv/bin/python bench/append.py [--n 400] [--reps 12]

The recorder is a bench-only dependency: `pip install -e '.[bench]'` (`make bench` does).
"""

import argparse
import asyncio
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # noqa: E402

import wallclock  # noqa: E402
from domain import Actor, decide, fold, view  # noqa: E402
from domain.commands import CreateStudy  # noqa: E402
from stack import postgres  # noqa: E402
from store import AppendRequest, EventStore, NewEvent, create_pool, migrate  # noqa: E402

PAYLOAD = {"committee": "CPP Ile-de-France I", "submitted_on": "2026-11-02",
           "questions": "q" * 200}
STREAMS = 100
BLOCK = 50  # appends of one kind in a row, within a round


def sample_view() -> dict[str, Any]:
    events = decide(None, CreateStudy(title="Bench study " + "x" * 60, category="RIPH1",
                                      investigator="Dr Bench"),
                    Actor(name="a", role="coordinator"), wallclock.today(), "study-b")
    return view(fold(None, events))  # type: ignore[arg-type]


def spread(values: list[float]) -> str:
    return (f"median {statistics.median(values):.2f}  min {min(values):.2f}  "
            f"max {max(values):.2f}")


class Runs:
    """One appender per name; each call appends `n` more events, serially."""

    def __init__(self, pool: asyncpg.Pool, dsn: str) -> None:
        self.pool, self.store = pool, EventStore(pool)
        self.study = sample_view()
        self.versions: dict[str, int] = {}
        self.recorder = es_recorder(dsn)
        self.es_ids = [uuid.uuid4() for _ in range(STREAMS)]
        self.done = 0

    async def raw(self, n: int) -> None:
        for i in range(n):
            body = json.dumps(PAYLOAD)
            h = hashlib.sha256(body.encode()).hexdigest()
            await self.pool.execute("INSERT INTO raw_events (stream_id, version, type, data, hash) "
                                    "VALUES ($1, $2, $3, $4, $5)", f"s{i % STREAMS}", i, "E",
                                    PAYLOAD, h)

    async def ours(self, n: int, read_models: bool = True) -> None:
        tag = "study" if read_models else "bare"
        for i in range(n):
            sid = f"{tag}-{i % STREAMS}"
            version = self.versions.get(sid, 0)
            await self.store.append(AppendRequest(
                stream_id=sid, expected_version=version,
                events=[NewEvent(type="EthicsSubmitted", data=PAYLOAD)], actor="bench",
                role="coordinator", reason="bench", recorded_at=datetime.now(UTC),
                idempotency_key=f"{tag}:{self.done + i}",
                study={**self.study, "id": sid, "version": version + 1} if read_models else None))
            self.versions[sid] = version + 1
        self.done += n

    async def eventsourcing(self, n: int) -> None:
        from eventsourcing.persistence import StoredEvent as EsEvent

        for i in range(n):
            oid = self.es_ids[i % STREAMS]
            version = self.versions.get(str(oid), 0) + 1
            self.recorder.insert_events([EsEvent(
                originator_id=oid, originator_version=version, topic="bench:EthicsSubmitted",
                state=json.dumps(PAYLOAD).encode())])
            self.versions[str(oid)] = version


def es_recorder(dsn: str) -> Any:
    """The `eventsourcing` library's PostgreSQL application recorder (a global notification id,
    like our global seq), on the same server, in its own table."""
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

    url = urlsplit(dsn)
    host = parse_qs(url.query).get("host", [unquote(url.hostname or "")])[0]  # a socket's dir
    datastore = PostgresDatastore(dbname=url.path.lstrip("/"), host=host,
                                  port=url.port or 5432, user=unquote(url.username or ""),
                                  password=unquote(url.password or ""))
    recorder = PostgresApplicationRecorder(datastore, events_table_name="es_stored_events")
    recorder.create_table()
    return recorder


async def function_times(pool: asyncpg.Pool) -> dict[str, tuple[int, float, float]]:
    await asyncio.sleep(1.5)  # statistics reach the shared counters at most once a second
    await pool.execute("SELECT pg_stat_clear_snapshot()")
    return {r["funcname"]: (r["calls"], r["total_time"], r["self_time"]) for r in await pool.fetch(
        "SELECT funcname, calls, total_time, self_time FROM pg_stat_user_functions")}


async def server_split(pool: asyncpg.Pool, runs: Runs, n: int, read_models: bool) -> str:
    before = await function_times(pool)
    await runs.ours(n, read_models)
    after = await function_times(pool)
    out = []
    for name, (calls, total, own) in sorted(after.items()):
        c0, t0, s0 = before.get(name, (0, 0.0, 0.0))
        if calls > c0:
            out.append(f"{name} {(total - t0) / (calls - c0):.3f} ms "
                       f"(self {(own - s0) / (calls - c0):.3f})")
    return "  ".join(out) or "(no function statistics: track_functions off?)"


async def main(n: int, reps: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="studyflow-bench-"))
    dsn = postgres.start(data_dir)
    try:
        await migrate(dsn)
        pool = await create_pool(dsn)
        await pool.execute("CREATE TABLE raw_events (seq bigserial PRIMARY KEY, "
                           "stream_id text, version int, type text, data jsonb, hash text)")
        await pool.execute("ALTER SYSTEM SET track_functions = 'all'")
        await pool.execute("SELECT pg_reload_conf()")
        runs = Runs(pool, dsn)
        print(f"study view: {len(json.dumps(runs.study, default=str))} bytes; "
              f"{reps} rounds of {n} appends each, the three taking turns "
              f"by blocks of {BLOCK}")
        for warm in (runs.raw, runs.ours, runs.eventsourcing):
            await warm(200)
        ratios: dict[str, list[float]] = {"ours/raw": [], "ours/eventsourcing": []}
        rates: dict[str, list[float]] = {"raw": [], "ours": [], "eventsourcing": []}
        cpu: dict[str, list[float]] = {"raw": [], "ours": [], "eventsourcing": []}
        order = [("raw", runs.raw), ("ours", runs.ours), ("eventsourcing", runs.eventsourcing)]
        for rep in range(reps):  # rounds of blocks of BLOCK appends, the three taking turns
            # (each round in another order): a shared machine's load changes, or the server's
            # own background work (checkpoints, WAL segments), hit all three alike
            spent = {name: [0.0, 0.0] for name in rates}  # wall seconds, CPU seconds
            for _ in range(n // BLOCK):
                for name, run in order[rep % 3:] + order[:rep % 3]:
                    t0, c0 = time.perf_counter(), time.process_time()
                    await run(BLOCK)
                    spent[name][0] += time.perf_counter() - t0
                    spent[name][1] += time.process_time() - c0
            for name, (wall, used) in spent.items():
                rates[name].append(n // BLOCK * BLOCK / wall)
                cpu[name].append(used / (n // BLOCK * BLOCK) * 1000)
            ratios["ours/raw"].append(rates["ours"][-1] / rates["raw"][-1])
            ratios["ours/eventsourcing"].append(rates["ours"][-1] / rates["eventsourcing"][-1])
        labels = {"raw": "raw asyncpg insert + sha256", "ours": "EventStore.append (chain+RM)",
                  "eventsourcing": "eventsourcing PG recorder"}
        for name, label in labels.items():
            print(f"{label:<30} events/s {spread(rates[name])}   "
                  f"Python CPU ms/event {statistics.median(cpu[name]):.3f}")
        print(f"ratio ours/raw            {spread(ratios['ours/raw'])} (target >= 0.5x)")
        print(f"ratio ours/eventsourcing  {spread(ratios['ours/eventsourcing'])} (target > 1x)")
        print("where the server's time goes, per append:")
        print("  with the study's read model:  " + await server_split(pool, runs, n, True))
        print("  events only (no read model):  " + await server_split(pool, runs, n, False))
        await pool.close()
    finally:
        postgres.stop(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--reps", type=int, default=12)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.reps))
