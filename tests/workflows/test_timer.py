"""Few history events per command. The run keeps one timer per alarm: a command that leaves
the clocks' next alarm where it was neither cancels the timer nor starts another (each would be
two more history events and server work per command); a command that moves the alarm re-arms
it, and the alarm still rings. A new run records one patch marker."""

from temporalio.api.enums.v1 import EventType


async def _timers(harness, sid: str) -> tuple[int, int]:
    events = (await harness.client.get_workflow_handle(sid).fetch_history()).events
    return (sum(e.event_type == EventType.EVENT_TYPE_TIMER_STARTED for e in events),
            sum(e.event_type == EventType.EVENT_TYPE_TIMER_CANCELED for e in events))


async def test_a_command_that_leaves_the_next_alarm_keeps_the_timer(harness):
    sid = await harness.create()
    today = await harness.today()
    await harness.walk(sid, until="submit_to_ansm", on=today)  # the CPP's clocks run
    started, cancelled = await _timers(harness, sid)
    assert started >= 1
    # the ANSM's clock falls due after the CPP's next reminder: the next alarm stays
    view = await harness.send(sid, {"type": "submit_to_ansm", "submitted_on": today.isoformat()},
                              role="regulatory")
    assert any(d["name"] == "ansm_authorization" for d in view["deadlines"])
    assert await _timers(harness, sid) == (started, cancelled)
    # the CPP's completeness notice ends the alarm the timer was armed for: re-armed once
    await harness.send(sid, {"type": "record_ethics_completeness",
                             "notified_on": today.isoformat()}, role="regulatory")
    assert await _timers(harness, sid) == (started + 1, cancelled + 1)


async def test_a_new_run_records_one_patch_marker_for_the_whole_edition(harness):
    """The edition's one marker stands for the patches it gathers (each marker is a history
    event and a search-attribute update on the server)."""
    sid = await harness.create()
    await harness.walk(sid, until="-", on=await harness.today())
    events = (await harness.client.get_workflow_handle(sid).fetch_history()).events
    markers = [e.marker_recorded_event_attributes for e in events
               if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
               and e.marker_recorded_event_attributes.marker_name == "core_patch"]
    assert len(markers) == 1  # (the local appends record markers of their own)
    assert sum(e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
               for e in events) <= 1
