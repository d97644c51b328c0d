"""The dashboard at the research unit's scale: 10,000 studies and 1,000,000 audit events in the
read models, served over HTTP by the real app (uvicorn) on an embedded PostgreSQL. Prints p50/p95
of `/` (the HTML dashboard: overdue first, counts per state, a page of 50) and of
`/api/studies?overdue=true`, and of a few filtered pages. Target: p95 < 50 ms.

    .venv/bin/python bench/dashboard.py [--studies 10000] [--events 1000000] [--n 200]
"""

import argparse
import asyncio
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from temporalio.client import Client  # noqa: E402

import wallclock  # noqa: E402
from api.app import create_app  # noqa: E402
from bench.common import pct  # noqa: E402
from domain import Actor, decide, fold, view  # noqa: E402
from domain.commands import CreateStudy  # noqa: E402
from settings import Settings  # noqa: E402
from stack import postgres  # noqa: E402
from stack.temporal import free_port  # noqa: E402
from store import ReadModels, create_pool, migrate  # noqa: E402

STATES = ["draft", "in_review", "ready", "recruiting", "follow_up", "ended"]
CATEGORIES = ["RIPH1", "RIPH2", "RIPH3", "NON_RIPH"]

STUDIES = """
INSERT INTO studies (id, title, category, state, investigator, version, overdue, next_due_on,
                     view, created_at, updated_at)
SELECT 'study-' || lpad(i::text, 6, '0'),
       'Study ' || i || ' ' || (ARRAY['ASPIRE','COVAX','NEURO','CARDIO','ONCO'])[1 + i % 5],
       ($3::text[])[1 + i % 4], ($4::text[])[1 + i % 6], 'Dr ' || (i % 400),
       $2::int / $1::int, i % 50 = 0,
       CASE WHEN i % 7 = 0 THEN NULL ELSE current_date + (i % 120 - 10) END,
       jsonb_set($5::jsonb, '{id}', to_jsonb('study-' || lpad(i::text, 6, '0'))),
       now() - make_interval(days => i % 900), now() - make_interval(days => i % 30)
FROM generate_series(1, $1::int) AS i
"""
DEADLINES = """
INSERT INTO deadlines (study_id, name, clock, label, role, starts_on, due_on, status, waiting)
SELECT id, d.name, d.name, d.name, 'regulatory', current_date - 30,
       coalesce(next_due_on, current_date + 30), 'open', next_due_on IS NOT NULL
FROM studies, (VALUES ('cpp_opinion'), ('ansm_authorization'), ('cnil')) AS d (name)
"""
EVENTS = """
INSERT INTO events (stream_id, version, type, data, actor, role, reason, recorded_at,
                    idempotency_key, prev_hash, hash)
SELECT 'study-' || lpad((1 + (g - 1) % $1::int)::text, 6, '0'), 1 + (g - 1) / $1::int,
       'EthicsSubmitted', jsonb_build_object('committee', 'CPP Ouest', 'n', g),
       'bench', 'regulatory', 'bench', now(), 'bench-' || g, repeat('0', 64),
       encode(sha256(g::text::bytea), 'hex')
FROM generate_series(1, $2::int) AS g
"""


def sample_view() -> dict:
    events = decide(None, CreateStudy(title="Bench", category="RIPH1", investigator="Dr Bench"),
                    Actor(name="a", role="coordinator"), wallclock.today(), "study-b")
    return view(fold(None, events))  # type: ignore[arg-type]


@asynccontextmanager
async def served(pool: Any, data_dir: Path, token: str) -> AsyncIterator[httpx.AsyncClient]:
    """The real app on `pool`, served by uvicorn on a free port (Temporal never called), and a
    client of it: `token` for the API, a web session signed in with it for the pages; the
    server stopped after."""
    port = free_port()
    temporal = await Client.connect("127.0.0.1:1", lazy=True)
    app = create_app(Settings(STUDYFLOW_DATA_DIR=data_dir), pool, temporal)  # type: ignore[call-arg]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                           loop="none", lifespan="on"))
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event)
        await asyncio.sleep(0.05)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30,
                                     headers={"Authorization": f"Bearer {token}"}) as http:
            await signed_in(http, token)
            yield http
    finally:
        server.should_exit = True
        await serving


async def signed_in(http: httpx.AsyncClient, token: str) -> None:
    """A web session for the HTML pages, through the login form (token sign-in)."""
    page = await http.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    r = await http.post("/login", data={"csrf": csrf.group(1) if csrf else "", "token": token})
    if r.status_code != 303:
        raise SystemExit(f"sign-in refused: {r.status_code}")


async def timed(http: httpx.AsyncClient, path: str, n: int) -> list[float]:
    for _ in range(10):  # warm the caches and the connection
        (await http.get(path)).raise_for_status()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = await http.get(path)
        out.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
    return out


async def main(studies: int, events: int, n: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="studyflow-bench-"))
    dsn = postgres.start(data_dir)
    try:
        await migrate(dsn)
        pool = await create_pool(dsn)
        t0 = time.perf_counter()
        async with pool.acquire() as conn:
            await conn.execute(STUDIES, studies, events, CATEGORIES, STATES,
                               json.loads(json.dumps(sample_view(), default=str)))
            await conn.execute(DEADLINES)
            await conn.execute(EVENTS, studies, events)
            await conn.execute("VACUUM ANALYZE")
        total = await pool.fetchval("SELECT count(*) FROM events")
        print(f"seeded {studies} studies and {total} events in {time.perf_counter() - t0:.0f} s")
        token = await ReadModels(pool).create_token("bench", "coordinator")

        async with served(pool, data_dir, token) as http:
            print(f"{'page':<40} {'p50':>8} {'p95':>8}   (target p95 < 50 ms, n={n})")
            worst = 0.0
            for path in ("/", "/api/studies?overdue=true", "/?state=recruiting",
                         "/?q=cardio", "/?page=100", "/api/studies?limit=200"):
                ms = await timed(http, path, n)
                worst = max(worst, pct(ms, 95))
                print(f"{path:<40} {pct(ms, 50):6.1f}ms {pct(ms, 95):6.1f}ms")
            print(f"worst p95 {worst:.1f} ms: {'within' if worst < 50 else 'OVER'} the 50 ms target")
        await pool.close()
    finally:
        postgres.stop(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--studies", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--n", type=int, default=200)
    a = parser.parse_args()
    asyncio.run(main(a.studies, a.events, a.n))
