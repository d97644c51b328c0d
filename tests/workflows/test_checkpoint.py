"""The daily audit checkpoint, as the schedule runs it: a workflow whose activity records the
head of every study written since the last checkpoint."""

from activities.models import CheckpointResult
from store import CHECKPOINTS
from workflows.daily import CheckpointWorkflow


async def test_the_checkpoint_workflow_records_every_study_head(harness):
    first, second = await harness.create(), await harness.create()
    result = await harness.client.execute_workflow(
        CheckpointWorkflow.run, id=f"checkpoint-{first}", task_queue=harness.task_queue,
        result_type=CheckpointResult)
    assert result.streams == 2
    [event] = await harness.store.read_stream(CHECKPOINTS)
    assert event.seq == result.seq and event.hash == result.hash
    for sid in (first, second):
        head = (await harness.store.read_stream(sid))[-1]
        assert event.data["heads"][sid] == {"version": head.version, "hash": head.hash}
    verified = await harness.store.verify()
    assert verified.ok and verified.checkpoint_heads == 2
