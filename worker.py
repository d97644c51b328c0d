"""The worker: runs StudyWorkflow and the daily workflows, and keeps their schedules. Its
parts come from bootstrap.py. `python worker.py` runs one from the environment."""

import asyncio
import dataclasses
import signal
from collections.abc import Callable

import asyncpg
import structlog
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

import bootstrap
from domain.regulation import LEGAL_TIME_ZONE
from settings import Settings, get_settings
from workflows.daily import CHECKPOINT_SCHEDULE, DIGEST_SCHEDULE, CheckpointWorkflow, DigestWorkflow

log = structlog.get_logger()


async def ensure_schedules(settings: Settings, client: Client) -> None:
    """The daily digest and audit checkpoint run from Temporal schedules, their crons read as
    legal (Paris) time, summer and winter alike: created when missing, else brought to what the
    settings say now (a changed DIGEST_CRON or task queue takes effect at the worker's next
    start); a schedule an operator paused stays paused, with its note."""
    for schedule_id, workflow, cron in (
            (DIGEST_SCHEDULE, DigestWorkflow.run, settings.digest_cron),
            (CHECKPOINT_SCHEDULE, CheckpointWorkflow.run, settings.checkpoint_cron)):
        wanted = Schedule(
            action=ScheduleActionStartWorkflow(workflow, id=f"{schedule_id}-run",
                                               task_queue=settings.temporal_task_queue),
            spec=ScheduleSpec(cron_expressions=[cron], time_zone_name=LEGAL_TIME_ZONE.key),
            policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP))
        try:
            await client.create_schedule(schedule_id, wanted)
        except ScheduleAlreadyRunningError:
            await client.get_schedule_handle(schedule_id).update(_keeping_state(wanted))


def _keeping_state(wanted: Schedule) -> Callable[[ScheduleUpdateInput], ScheduleUpdate]:
    def update(current: ScheduleUpdateInput) -> ScheduleUpdate:
        return ScheduleUpdate(schedule=dataclasses.replace(
            wanted, state=current.description.schedule.state))
    return update


async def run_worker(settings: Settings, client: Client, pool: asyncpg.Pool,
                     stop: asyncio.Event) -> None:
    worker = bootstrap.build_worker(settings, client, pool)
    await ensure_schedules(settings, client)
    log.info("worker started", task_queue=settings.temporal_task_queue)
    async with worker:
        await stop.wait()
    log.info("worker stopped")


async def main() -> None:
    settings = get_settings()
    if not settings.database_url:
        raise SystemExit("DATABASE_URL is not set")
    pool = await bootstrap.open_pool(settings.database_url, settings.database_owner_url)
    client = await bootstrap.connect_temporal(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await run_worker(settings, client, pool, stop)
    finally:
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
