"""The daily schedules (digest, audit checkpoint) follow the settings: their crons are read as
Paris time, and a changed cron reaches an existing schedule at the worker's next start, without
undoing an operator's pause."""

from temporalio.client import ScheduleRange

from domain.regulation import LEGAL_TIME_ZONE
from worker import ensure_schedules
from workflows.daily import CHECKPOINT_SCHEDULE, DIGEST_SCHEDULE


def at(spec) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    [calendar] = spec.calendars
    [hour], [minute] = calendar.hour, calendar.minute
    return hour.start, minute.start


async def test_schedules_run_in_paris_time_and_follow_a_changed_cron(stack):
    digest = stack.client.get_schedule_handle(DIGEST_SCHEDULE)
    for handle, expected in ((digest, (7, 0)),
                             (stack.client.get_schedule_handle(CHECKPOINT_SCHEDULE), (0, 5))):
        described = await handle.describe()
        assert described.schedule.spec.time_zone_name == "Europe/Paris"
        assert at(described.schedule.spec) == expected
        [next_run, *_] = described.info.next_action_times
        local = next_run.astimezone(LEGAL_TIME_ZONE)
        assert (local.hour, local.minute) == expected  # 07:00 in Paris, winter and summer
    await digest.pause(note="mail server maintenance")
    try:
        await ensure_schedules(stack.settings.model_copy(update={"digest_cron": "30 6 * * 1-5"}),
                               stack.client)
        changed = await digest.describe()
        assert at(changed.schedule.spec) == (6, 30)
        assert changed.schedule.spec.calendars[0].day_of_week == (ScheduleRange(1, 5),)
        assert changed.schedule.state.paused  # the operator's pause and note are kept
        assert changed.schedule.state.note == "mail server maintenance"
    finally:
        await digest.unpause()
        await ensure_schedules(stack.settings, stack.client)
    assert at((await digest.describe()).schedule.spec) == (7, 0)
