"""Event append (hash chain + read models, one transaction) vs a raw asyncpg INSERT of the same
rows with a sha256 per row, serially, on one embedded PostgreSQL in the same run.
Target: >= 0.5x the raw insert's rate.

    .venv/bin/python bench/append.py [--n 2000]
"""

import argparse
import asyncio
import hashlib
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # noqa: E402

from domain import Actor, decide, fold, view  # noqa: E402
from domain.commands import CreateStudy  # noqa: E402
from stack import postgres  # noqa: E402
from store import AppendRequest, EventStore, NewEvent, create_pool, migrate  # noqa: E402


def sample_view() -> dict:
    events = decide(None, CreateStudy(title="Bench study " + "x" * 60, category="RIPH1",
                                      investigator="Dr Bench"),
                    Actor(name="a", role="coordinator"), datetime.now(UTC).date(), "study-b")
    return view(fold(None, events))  # type: ignore[arg-type]


async def main(n: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="studyflow-bench-"))
    dsn = postgres.start(data_dir)
    try:
        await migrate(dsn)
        pool = await create_pool(dsn)
        store = EventStore(pool)
        study = sample_view()
        payload = {"committee": "CPP Ile-de-France I", "submitted_on": "2026-11-02",
                   "questions": "q" * 200}
        print(f"study view: {len(json.dumps(study, default=str))} bytes; n={n} appends")

        # floor: one raw INSERT per event, with its sha256, no chain, no read models
        await pool.execute("CREATE TABLE raw_events (seq bigserial PRIMARY KEY, stream_id text, "
                           "version int, type text, data jsonb, hash text)")
        t0 = time.perf_counter()
        for i in range(n):
            body = json.dumps(payload)
            h = hashlib.sha256(body.encode()).hexdigest()
            await pool.execute("INSERT INTO raw_events (stream_id, version, type, data, hash) "
                               "VALUES ($1, $2, $3, $4, $5)", f"s{i % 100}", i, "E", payload, h)
        raw = n / (time.perf_counter() - t0)

        versions = dict.fromkeys(range(100), 0)
        t0 = time.perf_counter()
        for i in range(n):
            s = i % 100
            await store.append(AppendRequest(
                stream_id=f"study-{s}", expected_version=versions[s],
                events=[NewEvent(type="EthicsSubmitted", data=payload)], actor="bench",
                role="coordinator", reason="bench", recorded_at=datetime.now(UTC),
                idempotency_key=f"k{i}", study={**study, "id": f"study-{s}",
                                                "version": versions[s] + 1}))
            versions[s] += 1
        ours = n / (time.perf_counter() - t0)
        print(f"raw asyncpg insert + sha256   {raw:8.0f} events/s")
        print(f"EventStore.append (chain+RM)  {ours:8.0f} events/s")
        print(f"ratio {ours / raw:.2f}x (target >= 0.5x)")
        await pool.close()
    finally:
        postgres.stop(data_dir)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    asyncio.run(main(parser.parse_args().n))
    _ = asyncpg
