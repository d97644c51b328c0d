"""Legal days are Paris days: a clock due on a day fires at 00:00 Paris time the day after,
across the changes to summer time (last Sunday of March) and back (last Sunday of October);
a fact of the first hour of a Paris day is of that day, not of the UTC day before."""

from datetime import UTC, date, datetime, timedelta

from domain.regulation import CLOCKS

from .conftest import skip

COMPLETENESS_DAYS = CLOCKS["cpp_completeness"].days


async def _at(harness, when: datetime) -> None:
    now = await harness.env.get_current_time()
    assert when > now, "the test server's clock starts later than the test expects"
    await skip(harness.env, when - now)


async def _missed_at(harness, due: date, fires: datetime) -> None:
    """Completeness due on `due`; the clock must fire at `fires` (UTC), and not before."""
    await _at(harness, datetime.combine(due - timedelta(days=2), datetime.min.time(),
                                        tzinfo=UTC).replace(hour=12))
    sid = await harness.create()
    submitted = due - timedelta(days=COMPLETENESS_DAYS)
    for role, command in harness.steps(until="submit_to_ethics", on=submitted):
        await harness.send(sid, command, role)
    view = await harness.send(sid, {"type": "submit_to_ethics", "committee": "CPP Est I",
                                    "submitted_on": submitted.isoformat()}, "regulatory")
    completeness = next(d for d in view["deadlines"] if d["name"] == "cpp_completeness")
    assert completeness["due_on"] == due.isoformat()
    await _at(harness, fires - timedelta(minutes=5))
    assert "DeadlineMissed" not in await harness.event_types(sid)  # still the due day in Paris
    await _at(harness, fires + timedelta(minutes=5))
    missed = [e for e in await harness.store.read_stream(sid) if e.type == "DeadlineMissed"]
    assert missed, "the clock did not fire at 00:00 Paris time"
    assert abs(missed[0].recorded_at - fires) < timedelta(minutes=5)


async def test_a_clock_due_on_the_sunday_summer_time_begins_fires_at_midnight_paris(harness):
    # 28 March 2027: Paris goes to UTC+2 at 01:00 UTC; 00:00 on the 29th is 22:00 UTC
    await _missed_at(harness, date(2027, 3, 28), datetime(2027, 3, 28, 22, 0, tzinfo=UTC))


async def test_a_clock_due_on_the_sunday_summer_time_ends_fires_at_midnight_paris(harness):
    # 31 October 2027: Paris goes back to UTC+1 at 01:00 UTC; 00:00 on 1 November is 23:00 UTC
    await _missed_at(harness, date(2027, 10, 31), datetime(2027, 10, 31, 23, 0, tzinfo=UTC))


async def test_a_clock_due_the_day_before_summer_time_ends_fires_at_midnight_summer_time(harness):
    # 30 October 2027 still runs on UTC+2: 00:00 on the 31st is 22:00 UTC
    await _missed_at(harness, date(2027, 10, 30), datetime(2027, 10, 30, 22, 0, tzinfo=UTC))
