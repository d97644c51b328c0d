"""A study that never goes idle still renews its run: once the run is due to continue as new, new
commands are refused for a moment (the client retries them with the same key) so that those in
flight finish and the run can carry its state over. Without that, a steady stream of commands
would keep one run growing until Temporal's own limits refuse them all."""

import asyncio

from temporalio.api.enums.v1 import EventType

from api import engine

LIMIT = 60
COMMANDS = 120
CLIENTS = 8  # always this many commands on their way: the run is never idle


async def _run_lengths(harness, study_id: str, first_run: str) -> list[int]:
    """Each run's history length, following the chain of continue-as-new from the first."""
    lengths, run_id = [], first_run
    while run_id:
        handle = harness.client.get_workflow_handle(study_id, run_id=run_id)
        events = (await handle.fetch_history()).events
        lengths.append(len(events))
        last = events[-1]
        run_id = (last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
                  if last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
                  else "")
    return lengths


async def test_a_never_idle_study_renews_its_run_and_loses_no_command(harness):
    sid = await harness.create(history_limit=LIMIT)
    await harness.walk(sid, until="-", on=await harness.today())
    first_run = await harness.run_id(sid)
    codes = iter(f"P-{n:04d}" for n in range(COMMANDS))

    async def client() -> None:
        for code in codes:
            await engine.send_command(harness.client, sid,
                                      {"type": "register_participant", "code": code},
                                      actor="nurse", role="investigator", reason="visit",
                                      idempotency_key=f"register-{code}")

    await asyncio.gather(*(client() for _ in range(CLIENTS)))

    assert (await harness.query(sid))["participants"] == {"registered": COMMANDS}
    types = await harness.event_types(sid)
    assert types.count("ParticipantRegistered") == COMMANDS  # each once, none lost
    lengths = await _run_lengths(harness, sid, first_run)
    assert len(lengths) >= 3, lengths  # renewed while the stream went on
    # the limit, plus draining the commands in flight (each: accepted, completed, its share of
    # an append and a workflow task)
    assert max(lengths) < LIMIT + 8 * CLIENTS, lengths
    assert not engine._gates  # the per-study queue forgets a study with nothing in flight


async def test_a_command_that_reaches_the_run_just_renewed_is_sent_again_to_the_new_one(
        harness, monkeypatch):
    # An update sent as the run continues as new can reach the closing run, which answers that
    # the workflow completed (a CI run met it under load): the study goes on in the new run.
    sid = await harness.create(history_limit=LIMIT)
    first_run = await harness.run_id(sid)
    await harness.walk(sid, until="-", on=await harness.today())
    assert await harness.run_id(sid) != first_run  # the walk renewed the run
    latest = harness.client.get_workflow_handle
    handles: list[str | None] = [first_run]  # the first handle names the closed run

    def racing(workflow_id, **kwargs):
        return latest(workflow_id, run_id=handles.pop() if handles else None, **kwargs)

    monkeypatch.setattr(harness.client, "get_workflow_handle", racing)
    await engine.send_command(harness.client, sid, {"type": "register_participant",
                                                   "code": "P-LATE"},
                              actor="nurse", role="investigator", reason="visit",
                              idempotency_key="register-late")
    assert not handles
    assert (await harness.query(sid))["participants"] == {"registered": 1}

