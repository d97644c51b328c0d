"""The daily digest: started by a Temporal schedule, it sends each person one mail gathering
the routine notices of the day, so that nobody gets twenty mails a day."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.models import DigestResult

SCHEDULE_ID = "studyflow-daily-digest"


@workflow.defn
class DigestWorkflow:
    @workflow.run
    async def run(self) -> DigestResult:
        return await workflow.execute_activity(
            "send_digests", result_type=DigestResult, start_to_close_timeout=timedelta(minutes=10),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)))
