"""Replays workflow histories recorded from earlier versions of the code: a change to the
workflow that is not deterministic (a new command or timer without `workflow.patched`) fails
here, in CI, before it can break running studies.

To record new histories: RECORD_HISTORIES=1 pytest tests/workflows/test_replay.py"""

import asyncio
import os
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from api import engine
from workflows.models import BatchInput, BatchItem, BulkInput, BulkItem
from workflows.study import StudyWorkflow

from .conftest import CONVERTER
from .test_local_append import append_outside_the_run

HISTORIES = Path(__file__).parent / "histories"


def recorded() -> list[Path]:
    return sorted(HISTORIES.glob("*.json"))


@pytest.mark.parametrize("sandboxed", [True, False], ids=["sandbox", "no-sandbox"])
@pytest.mark.parametrize("path", recorded(), ids=lambda p: p.stem)
async def test_recorded_history_replays_deterministically(path: Path, sandboxed: bool):
    """In the SDK's sandbox and outside it, as a worker runs it with WORKFLOW_SANDBOX off."""
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    # the converter production uses: payloads recorded encrypted are read, plain ones as they are
    replayer = Replayer(workflows=[StudyWorkflow], data_converter=CONVERTER,
                        workflow_runner=SandboxedWorkflowRunner() if sandboxed
                        else UnsandboxedWorkflowRunner())
    await replayer.replay_workflow(history)


def test_histories_are_present():
    assert len(recorded()) >= 4, "record histories with RECORD_HISTORIES=1"


@pytest.mark.skipif(not os.environ.get("RECORD_HISTORIES"), reason="records on demand only")
async def test_record_histories(harness):
    HISTORIES.mkdir(exist_ok=True)
    day0 = await harness.today()
    scenarios = {}

    # participants: concurrent commands (group commit), a bulk import, a major consent form
    sid = await harness.create()
    await harness.walk(sid, until="-", on=day0)
    await asyncio.gather(*(harness.send(sid, {"type": "register_participant",
                                              "code": f"P-{n:04d}"}, "investigator")
                           for n in range(1, 6)))
    today = (await harness.today()).isoformat()
    await engine.send_bulk(harness.client, sid, BulkInput(items=[BulkItem(command={
        "type": "record_consent", "code": f"P-{n:04d}", "kind": "written",
        "consent_form_version": "1", "consented_on": today}, reason="import")
        for n in range(1, 6)], actor="alice", role="investigator", idempotency_key="replay"))
    await harness.send(sid, {"type": "issue_consent_form", "version": "2", "change": "major",
                             "issued_on": today}, "investigator")
    scenarios["participants_group_commit_bulk"] = sid

    # legal time: a submission typed late, its expiry, the real opinion superseding the tacit
    # rejection, a correction, and a history sent as one batch
    sid = await harness.create()
    for role, command in harness.steps(until="submit_to_ethics", on=day0 - timedelta(50)):
        await harness.send(sid, command, role)
    await harness.send(sid, {"type": "submit_to_ethics", "committee": "CPP Ouest IV",
                             "submitted_on": (day0 - timedelta(50)).isoformat()}, "regulatory")
    await harness.skip(6)
    await harness.send(sid, {"type": "record_ethics_opinion", "opinion": "favourable",
                             "opinion_on": (day0 - timedelta(2)).isoformat()}, "regulatory")
    fact = next(e for e in await harness.store.read_stream(sid) if e.type == "EthicsSubmitted")
    await harness.send(sid, {"type": "correct", "seq": fact.seq, "version": fact.version,
                             "changes": {"committee": "CPP Ouest III"}, "recorded_by": fact.role,
                             "original_type": fact.type, "original": fact.data}, "regulatory")
    scenarios["legal_time_supersede_correct"] = sid
    sid = await harness.create()
    await engine.send_batch(harness.client, sid, BatchInput(items=[
        BatchItem(command=command, role=role, reason="paper file")
        for role, command in harness.steps(until="-", on=day0 - timedelta(100),
                                           opinion_on=day0 - timedelta(60),
                                           decision_on=day0 - timedelta(55),
                                           opened_on=day0 - timedelta(50))],
        actor="alice", role="coordinator", idempotency_key="replay-batch"))
    scenarios["legal_time_batch"] = sid

    # one patch marker per run (the edition) and one timer per alarm: commands that keep the
    # next alarm, commands that move it, a clock stop, reminders and the CPP's silence ringing
    sid = await harness.create()
    await harness.walk(sid, until="submit_to_ansm", on=day0)
    await harness.send(sid, {"type": "submit_to_ansm", "submitted_on": day0.isoformat()},
                       "regulatory")
    await harness.skip(4)
    await harness.send(sid, {"type": "record_ethics_completeness",
                             "notified_on": (day0 + timedelta(days=4)).isoformat()},
                       "regulatory")
    await harness.skip(10)
    await harness.send(sid, {"type": "ethics_request_information",
                             "requested_on": (day0 + timedelta(days=14)).isoformat(),
                             "questions": "Randomisation?"}, "regulatory")
    await harness.skip(20)
    await harness.send(sid, {"type": "ethics_information_supplied",
                             "supplied_on": (day0 + timedelta(days=34)).isoformat()},
                       "regulatory")
    await harness.skip(60)
    scenarios["edition_one_marker_one_timer"] = sid

    # local appends (edition-2026-12): a record found ahead of the run (taken up, the command
    # decided again), the rest of the walk, concurrent commands (group commit), a bulk, clocks
    sid = await harness.create()
    walk = harness.steps(until="-", on=day0)
    ethics = next(i for i, (_, c) in enumerate(walk) if c["type"] == "submit_to_ethics")
    for role, command in walk[:ethics]:
        await harness.send(sid, command, role)
    await append_outside_the_run(harness, sid, *walk[ethics])
    for role, command in walk[ethics + 1:]:
        await harness.send(sid, command, role)
    await asyncio.gather(*(harness.send(sid, {"type": "register_participant",
                                              "code": f"P-{n:04d}"}, "investigator")
                           for n in range(1, 4)))
    await engine.send_bulk(harness.client, sid, BulkInput(items=[BulkItem(command={
        "type": "record_consent", "code": f"P-{n:04d}", "kind": "written",
        "consent_form_version": "1", "consented_on": day0.isoformat()}, reason="import")
        for n in range(1, 4)], actor="alice", role="investigator", idempotency_key="local"))
    await harness.skip(40)
    scenarios["local_append_record_ahead"] = sid

    if (HISTORIES / "ansm_tacit_authorization.json").exists():  # the earlier ones are kept
        scenarios = {k: v for k, v in scenarios.items() if not (HISTORIES / f"{k}.json").exists()}
        for name, sid in scenarios.items():
            history = await harness.client.get_workflow_handle(sid).fetch_history()
            (HISTORIES / f"{name}.json").write_text(history.to_json())
        return

    sid = await harness.create()
    await harness.walk(sid, until="-", on=day0)
    scenarios["riph1_to_recruiting"] = sid

    sid = await harness.create()
    await harness.walk(sid, until="submit_to_ansm", on=day0)
    await harness.skip(5)
    await harness.send(sid, {"type": "ethics_request_information",
                             "requested_on": (day0 + timedelta(days=5)).isoformat(),
                             "questions": "Randomisation?"})
    await harness.skip(20)
    await harness.send(sid, {"type": "ethics_information_supplied",
                             "supplied_on": (day0 + timedelta(days=25)).isoformat()})
    await harness.skip(90)
    scenarios["cpp_clock_stop_then_silence"] = sid

    sid = await harness.create()
    await harness.walk(sid, until="record_ansm_decision", on=await harness.today())
    await harness.skip(62)
    scenarios["ansm_tacit_authorization"] = sid

    for name, sid in scenarios.items():
        path = HISTORIES / f"{name}.json"
        if not path.exists():  # histories of earlier code are kept: they are the point
            history = await harness.client.get_workflow_handle(sid).fetch_history()
            path.write_text(history.to_json())
