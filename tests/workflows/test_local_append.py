"""The append is a local activity: its result is recorded only when the workflow task that ran it
completes. A task lost after the append leaves the audit record ahead of the run; the run then
takes up the record's state and decides again. Both ways the record gets ahead are made here for
real: an append the run did not make, and a workflow task failed right after its append."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.worker import (
    HandleUpdateInput,
    Interceptor,
    UnsandboxedWorkflowRunner,
    Worker,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

import bootstrap
from api import engine
from domain import Actor, RuleViolation, decide, fold, replay, view
from domain.commands import ANY_COMMAND
from settings import Settings
from store.models import AppendRequest, NewEvent
from workflows.study import StudyWorkflow

from .conftest import Harness


async def append_outside_the_run(harness: Harness, sid: str, role: str,
                                 command: dict[str, Any]) -> None:
    """`command`'s events appended to the record as the run would, but not by the run."""
    state = replay((e.type, e.data) for e in await harness.store.read_stream(sid))
    assert state is not None
    events = decide(state, ANY_COMMAND.validate_python(command), Actor(name="bob", role=role),  # type: ignore[arg-type]
                    await harness.today(), study_id=sid)
    await harness.store.append(AppendRequest(
        stream_id=sid, expected_version=state.version,
        events=[NewEvent(type=e.type, data=e.payload()) for e in events],  # type: ignore[attr-defined]
        actor="bob", role=role, reason="outside the run", recorded_at=datetime.now(UTC),
        idempotency_key=f"outside-{uuid.uuid4().hex}", study=view(fold(state, events))))


async def assert_record_and_run_agree(harness: Harness, sid: str) -> list[str]:
    """The record's versions run 1..N without a gap and the run's state is at N: its types."""
    stored = await harness.store.read_stream(sid)
    assert [e.version for e in stored] == list(range(1, len(stored) + 1))
    assert (await harness.query(sid))["version"] == len(stored)
    return [e.type for e in stored]


async def test_a_record_ahead_of_its_run_is_taken_up_and_the_command_decided_on_it(harness):
    sid = await harness.create()
    on = await harness.today()
    for role, command in harness.steps(until="submit_to_ethics", on=on):
        await harness.send(sid, command, role)
    await append_outside_the_run(harness, sid, "regulatory", {
        "type": "submit_to_ethics", "committee": "CPP Ouest IV", "submitted_on": on.isoformat()})

    # valid on the run's state and on the record's: its append meets the record ahead of it
    answer = await harness.send(sid, {"type": "submit_to_ansm", "submitted_on": on.isoformat()},
                                "regulatory")
    types = await assert_record_and_run_agree(harness, sid)
    assert types[-2:] == ["EthicsSubmitted", "AnsmSubmitted"]
    assert answer["version"] == len(types) and answer["seqs"]
    assert answer["steps"]["ethics"]["committee"] == "CPP Ouest IV"  # the record's, in the answer
    # the run decides on the record's state from now on: the opinion needs the submission
    await harness.send(sid, {"type": "record_ethics_opinion", "opinion": "favourable",
                             "opinion_on": on.isoformat()}, "regulatory")
    with pytest.raises(RuleViolation):
        await harness.send(sid, {"type": "submit_to_ethics", "committee": "CPP Sud I",
                                 "submitted_on": on.isoformat()}, "regulatory")
    types = await assert_record_and_run_agree(harness, sid)
    assert types.count("EthicsSubmitted") == 1 and types[-1] == "EthicsOpinionRecorded"


LOSE: set[str] = set()  # the updates whose workflow task is lost once, right after the append


class _LoseTheTask(WorkflowInboundInterceptor):
    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        result = await super().handle_update_handler(input)
        if input.id in LOSE:
            LOSE.discard(input.id)
            raise RuntimeError("the worker died before its workflow task completed")
        return result


class _Losing(Interceptor):
    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput
                                   ) -> type[WorkflowInboundInterceptor]:
        return _LoseTheTask


async def test_a_workflow_task_lost_after_its_append_leaves_one_write_and_a_run_in_step(env,
                                                                                        store):
    task_queue = f"tq-{uuid.uuid4().hex[:8]}"
    settings = Settings(SMTP_URL=None, WEBHOOK_URL=None)  # type: ignore[call-arg]
    async with Worker(env.client, task_queue=task_queue, workflows=[StudyWorkflow],
                      activities=bootstrap.activities(settings, store.pool),
                      interceptors=[_Losing()], workflow_runner=UnsandboxedWorkflowRunner()):
        harness = Harness(env, store, task_queue)
        sid = await harness.create()
        on = await harness.today()
        steps = harness.steps(until="submit_to_ansm", on=on)
        for role, command in steps[:-1]:
            await harness.send(sid, command, role)
        role, command = steps[-1]  # submit_to_ethics: appended, then its task lost
        LOSE.add("lost-once")
        result = await engine.send_command(env.client, sid, command, actor="alice", role=role,
                                           reason="test", idempotency_key="lost-once")
        assert "lost-once" not in LOSE  # the task was lost once

        types = await assert_record_and_run_agree(harness, sid)
        assert types.count("EthicsSubmitted") == 1 and types[-1] == "EthicsSubmitted"
        assert result.study["version"] == len(types)
        assert result.seqs == [e.seq for e in await store.read_stream(sid)][-1:]
        # the task's second attempt found its batch in the record and took the record up
        history = (await env.client.get_workflow_handle(sid).fetch_history()).events
        assert [e.activity_task_scheduled_event_attributes.activity_type.name for e in history
                if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED] == ["load_study"]
        await harness.send(sid, {"type": "submit_to_ansm", "submitted_on": on.isoformat()},
                           "regulatory")
        assert (await assert_record_and_run_agree(harness, sid))[-1] == "AnsmSubmitted"
