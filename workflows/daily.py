"""Daily work started by Temporal schedules: the notification digest (one mail per person
gathering the routine notices, so that nobody gets twenty mails a day) and the audit checkpoint
(the head hash of every stream written that day, so that a rewritten chain is caught)."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.models import CheckpointResult, DigestResult

DIGEST_SCHEDULE = "studyflow-daily-digest"
CHECKPOINT_SCHEDULE = "studyflow-daily-checkpoint"
RETRY = RetryPolicy(maximum_interval=timedelta(minutes=5))


@workflow.defn
class DigestWorkflow:
    @workflow.run
    async def run(self) -> DigestResult:
        return await workflow.execute_activity(
            "send_digests", result_type=DigestResult, start_to_close_timeout=timedelta(minutes=10),
            retry_policy=RETRY)


@workflow.defn
class CheckpointWorkflow:
    @workflow.run
    async def run(self) -> CheckpointResult:
        return await workflow.execute_activity(
            "write_checkpoint", result_type=CheckpointResult,
            start_to_close_timeout=timedelta(minutes=10), retry_policy=RETRY)
