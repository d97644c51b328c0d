"""The behind-plan rule runs on the study workflow's own clock (time-skipping server): the timer
wakes on the day the study falls behind its plan, the clock records one alert, then none for a
week, then the next one; an inclusion that catches up silences it."""

import os
from datetime import date, timedelta

import pytest

from .test_replay import HISTORIES


async def recruiting(harness) -> tuple[str, date]:  # type: ignore[no-untyped-def]
    sid = await harness.create()
    today = await harness.today()
    await harness.walk(sid, until="-", on=today)
    return sid, today


async def alerts(harness, sid: str) -> list:  # type: ignore[no-untyped-def]
    return [e for e in await harness.store.read_stream(sid) if e.type == "RecruitmentBehindPlan"]


async def test_the_clock_raises_the_alert_on_the_day_and_once_a_week(harness):
    await harness.at_paris_hour(6)  # day 5 at 18:00, day 11 at 18:00, day 12 at 20:24
    sid, day0 = await recruiting(harness)
    # 20 over 100 days, no one included: behind by more than 20 % from the day 1.25 is planned
    await harness.send(sid, {"type": "set_recruitment_plan", "target": 20,
                             "starts_on": day0.isoformat(),
                             "ends_on": (day0 + timedelta(days=100)).isoformat()})
    assert await alerts(harness, sid) == []
    await harness.skip(5.5)
    first = await alerts(harness, sid)
    assert len(first) == 1 and first[0].actor == "studyflow-clock"
    assert date.fromisoformat(first[0].data["on"]) == day0 + timedelta(days=5)
    view = await harness.query(sid)
    assert [t for t in view["tasks"] if t["kind"] == "recruitment"]
    await harness.skip(6)
    assert len(await alerts(harness, sid)) == 1  # not again within the week
    await harness.skip(1.1)
    assert len(await alerts(harness, sid)) == 2


@pytest.mark.skipif(not os.environ.get("RECORD_HISTORIES"), reason="records on demand only")
async def test_record_a_history_with_sites_a_plan_and_its_alerts(harness):
    """RECORD_HISTORIES=1: a study with two sites, a plan and the clock's behind-plan alerts,
    for test_replay (kept once written: a later change must replay it)."""
    path = HISTORIES / "portfolio_sites_plan_alerts.json"
    if path.exists():
        return
    sid, day0 = await recruiting(harness)
    for code in ("S01", "S02"):
        await harness.send(sid, {"type": "add_site", "site": code, "name": f"Site {code}",
                                 "investigator": f"Dr {code}"})
        await harness.send(sid, {"type": "activate_site", "site": code,
                                 "activated_on": day0.isoformat()})
    await harness.send(sid, {"type": "set_recruitment_plan", "target": 20, "site": "S01",
                             "starts_on": day0.isoformat(),
                             "ends_on": (day0 + timedelta(days=100)).isoformat()})
    await harness.send(sid, {"type": "register_participant", "code": "P-0001", "site": "S02"},
                       "investigator")
    await harness.skip(15)
    await harness.send(sid, {"type": "close_site", "site": "S02",
                             "closed_on": (await harness.today()).isoformat()})
    assert len(await alerts(harness, sid)) == 2
    history = await harness.client.get_workflow_handle(sid).fetch_history()
    path.write_text(history.to_json())
