"""The unit's reports at the research unit's scale: 10,000 studies (each with its CPP and ANSM
dates), 100,000 clocks, 200,000 participants and 1,000,000 audit events in the read models,
served over HTTP by the real app (uvicorn) on an embedded PostgreSQL. Prints p50/p95 of
`/api/reports/portfolio` (JSON and CSV), of a section, of the `/reports` page and of a study's
`/recruitment`, each against a floor measured in the same run: `/api/me`, the cheapest
authenticated answer of the same app (the ratio says what the report adds to a request).
Target: p95 < 200 ms.

    .venv/bin/python bench/reports.py [--studies 10000] [--events 1000000] [--n 100]
"""

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench.common import pct  # noqa: E402
from bench.dashboard import CATEGORIES, EVENTS, STATES, sample_view, served, timed  # noqa: E402
from stack import postgres  # noqa: E402
from store import ReadModels, create_pool, migrate  # noqa: E402

COMMITTEES = [f"CPP {name}" for name in (
    "Est I", "Est II", "Est III", "Ouest I", "Ouest II", "Ouest III", "Sud-Est I", "Sud-Est II",
    "Sud-Ouest", "Nord-Ouest", "Île-de-France I", "Île-de-France II")]
# each study's view with its ethics and ANSM dates (the columns migration 030 generates from)
STUDIES = """
INSERT INTO studies (id, title, category, state, investigator, version, overdue, next_due_on,
                     view, created_at, updated_at)
SELECT sid, 'Study ' || i, ($3::text[])[1 + i % 4], ($4::text[])[1 + i % 6], 'Dr ' || (i % 400),
       $2::int / $1::int, i % 50 = 0, current_date + (i % 120 - 10),
       jsonb_set(jsonb_set(jsonb_set($5::jsonb, '{id}', to_jsonb(sid)), '{steps,ethics}',
           jsonb_build_object(
               'committee', ($6::text[])[1 + i % array_length($6::text[], 1)],
               'submitted_on', submitted,
               'opinion_on', CASE WHEN i % 10 < 8 THEN submitted + 25 + (i * 7) % 50 END,
               'information_requested_on', CASE WHEN i % 3 = 0 THEN submitted + 20 END,
               'tacit', i % 97 = 0)),
           '{steps,ansm}', CASE WHEN i % 4 = 0 THEN jsonb_build_object(
               'submitted_on', submitted + 1,
               'decision_on', CASE WHEN i % 10 < 9 THEN submitted + 30 + (i * 11) % 40 END,
               'decision', CASE WHEN i % 41 = 0 THEN 'refused' ELSE 'authorized' END,
               'tacit', i % 13 = 0) ELSE '{}'::jsonb END),
       now(), now()
FROM generate_series(1, $1::int) AS i,
     LATERAL (SELECT 'study-' || lpad(i::text, 6, '0') AS sid,
                     current_date - (i % 900) AS submitted) AS s
"""
DEADLINES = """
INSERT INTO deadlines (study_id, name, clock, label, role, starts_on, due_on, status, waiting,
                       closed_on)
SELECT id, d.name, d.name, d.name, d.role, due - 30, due,
       CASE WHEN k % 5 = 0 THEN 'overdue' WHEN k % 5 = 1 THEN 'open' ELSE 'met' END,
       k % 5 IN (0, 1), CASE WHEN k % 5 > 1 THEN due - (k % 9)::int END
FROM (SELECT id, (row_number() OVER (ORDER BY id))::int AS k FROM studies) AS s,
     (VALUES ('cpp_completeness', 'regulatory'), ('cpp_opinion', 'regulatory'),
             ('sponsor_answer', 'regulatory'), ('ansm_authorization', 'regulatory'),
             ('amendment_cpp', 'regulatory'), ('susar', 'regulatory'),
             ('annual_safety_report', 'regulatory'), ('end_declaration', 'regulatory'),
             ('urgent_measure_followup', 'coordinator'), ('results', 'coordinator')
     ) AS d (name, role),
     LATERAL (SELECT current_date - ((k * 13 + length(d.name) * 31) % 720)::int AS due) AS x
"""
PARTICIPANTS = """
INSERT INTO participants (study_id, code, status, consent_form_version, view)
SELECT 'study-' || lpad((1 + g % $1::int)::text, 6, '0'), 'P-' || lpad(g::text, 7, '0'),
       'included', '1.0',
       jsonb_build_object('code', 'P-' || lpad(g::text, 7, '0'), 'status', 'included',
                          'site', 'S0' || (g % 3), 'included_on',
                          to_char(current_date - (g % 730), 'YYYY-MM-DD'),
                          'withdrawn_on', CASE WHEN g % 17 = 0 THEN
                              to_char(current_date - (g % 30), 'YYYY-MM-DD') END)
FROM generate_series(1, $2::int) AS g
"""
PAGES = ("/api/reports/portfolio", "/api/reports/portfolio?format=csv",
         "/api/reports/portfolio?months=60", "/api/reports/cpp?format=csv", "/reports",
         "/api/studies/study-000042/recruitment")
TARGET_MS = 200


async def main(studies: int, events: int, participants: int, n: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="studyflow-bench-"))
    dsn = postgres.start(data_dir)
    try:
        await migrate(dsn)
        pool = await create_pool(dsn)
        t0 = time.perf_counter()
        async with pool.acquire() as conn:
            await conn.execute(STUDIES, studies, events, CATEGORIES, STATES,
                               json.loads(json.dumps(sample_view(), default=str)), COMMITTEES)
            await conn.execute(DEADLINES)
            await conn.execute(PARTICIPANTS, studies, participants)
            await conn.execute(EVENTS, studies, events)
            await conn.execute("VACUUM ANALYZE")
        counts = await pool.fetchrow(
            "SELECT (SELECT count(*) FROM studies) AS s, (SELECT count(*) FROM deadlines) AS d,"
            " (SELECT count(*) FROM participants) AS p, (SELECT count(*) FROM events) AS e")
        print(f"seeded {counts['s']} studies, {counts['d']} clocks, {counts['p']} participants, "
              f"{counts['e']} events in {time.perf_counter() - t0:.0f} s")
        token = await ReadModels(pool).create_token("bench", "coordinator")

        async with served(pool, data_dir, token) as http:
            floor = pct(await timed(http, "/api/me", n), 95)
            print(f"floor: /api/me p95 {floor:.1f} ms")
            print(f"{'page':<44} {'p50':>8} {'p95':>8} {'x floor':>8}   (target p95 < "
                  f"{TARGET_MS} ms, n={n})")
            worst = 0.0
            for path in PAGES:
                ms = await timed(http, path, n)
                worst = max(worst, pct(ms, 95))
                print(f"{path:<44} {pct(ms, 50):6.1f}ms {pct(ms, 95):6.1f}ms "
                      f"{pct(ms, 95) / floor:7.1f}x")
            verdict = "within" if worst < TARGET_MS else "OVER"
            print(f"worst p95 {worst:.1f} ms: {verdict} the {TARGET_MS} ms target")
        await pool.close()
    finally:
        postgres.stop(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--studies", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--participants", type=int, default=200_000)
    parser.add_argument("--n", type=int, default=100)
    a = parser.parse_args()
    asyncio.run(main(a.studies, a.events, a.participants, a.n))
