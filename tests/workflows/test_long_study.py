"""A ten-year study on the time-skipping server: every annual safety report, an amendment a
year, all its reminders and escalations. Its workflow continues as new whenever its history
passes the limit, carrying the folded state, so every run's history stays bounded; the audit
record folds to the same state at the end."""

import json
from datetime import date

from domain import fold, parse_event, view

LIMIT = 150


async def test_a_ten_year_study_keeps_a_bounded_history(harness):
    sid = await harness.create(history_limit=LIMIT)
    day0 = await harness.today()
    await harness.walk(sid, until="-", on=day0)
    first_run = await harness.run_id(sid)
    longest = 0
    for year in range(1, 11):
        view_now = await harness.query(sid)
        due = next(date.fromisoformat(d["due_on"]) for d in view_now["deadlines"]
                   if d["name"] == f"annual_safety_report.{year}")
        await harness.skip((due - await harness.today()).days)
        today = (await harness.today()).isoformat()
        await harness.send(sid, {"type": "submit_annual_safety_report", "submitted_on": today},
                           "regulatory")
        await harness.send(sid, {"type": "submit_amendment", "substantial": False,
                                 "description": f"year {year}", "protocol_version": f"1.{year}",
                                 "submitted_on": today})
        history = await harness.client.get_workflow_handle(sid).fetch_history()
        longest = max(longest, len(history.events))
    assert longest < LIMIT + 40, longest  # the limit, plus at most one cycle of work
    assert await harness.run_id(sid) != first_run  # it did continue as new

    final = await harness.query(sid)
    assert final["protocol_version"] == "1.10" and final["state"] == "recruiting"
    events = await harness.store.read_stream(sid)
    state = fold(None, (parse_event(e.type, e.data) for e in events))
    assert state is not None and json.loads(json.dumps(view(state), default=str)) == final
    assert [d["name"] for d in final["deadlines"] if d["name"].startswith("annual")][-1] == \
        "annual_safety_report.11"
