"""Wiring: the Temporal client (pydantic data converter), the store pool, the activity objects,
and the worker that runs StudyWorkflow. `python worker.py` runs a worker from the environment."""

import asyncio
import signal

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
)
from temporalio.service import TLSConfig
from temporalio.worker import Worker

from activities.notify import NotifyActivities
from activities.store import StoreActivities
from codec import data_converter
from settings import Settings, get_settings
from store import EventStore, open_database
from workflows.daily import CHECKPOINT_SCHEDULE, DIGEST_SCHEDULE, CheckpointWorkflow, DigestWorkflow
from workflows.study import StudyWorkflow

log = structlog.get_logger()


async def connect_temporal(settings: Settings, address: str | None = None) -> Client:
    tls: bool | TLSConfig = bool(settings.temporal_tls or settings.temporal_api_key)
    if settings.temporal_tls_cert and settings.temporal_tls_key:
        tls = TLSConfig(client_cert=settings.temporal_tls_cert.read_bytes(),
                        client_private_key=settings.temporal_tls_key.read_bytes())
    api_key = settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None
    return await Client.connect(
        address or settings.temporal_address or "127.0.0.1:7233",
        namespace=settings.temporal_namespace, api_key=api_key, tls=tls,
        data_converter=data_converter(settings),
    )


def build_worker(settings: Settings, client: Client, pool: asyncpg.Pool) -> Worker:
    store_activities = StoreActivities(EventStore(pool))
    notify = NotifyActivities(pool, settings)
    return Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=[StudyWorkflow, DigestWorkflow, CheckpointWorkflow],
        activities=[store_activities.append_events, store_activities.write_checkpoint,
                    notify.deliver, notify.send_digests],
    )


async def ensure_schedules(settings: Settings, client: Client) -> None:
    """The daily digest and audit checkpoint run from Temporal schedules (created once; kept
    if they exist)."""
    for schedule_id, workflow, cron in (
            (DIGEST_SCHEDULE, DigestWorkflow.run, settings.digest_cron),
            (CHECKPOINT_SCHEDULE, CheckpointWorkflow.run, settings.checkpoint_cron)):
        try:
            await client.create_schedule(schedule_id, Schedule(
                action=ScheduleActionStartWorkflow(workflow, id=f"{schedule_id}-run",
                                                   task_queue=settings.temporal_task_queue),
                spec=ScheduleSpec(cron_expressions=[cron]),
                policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP)))
        except ScheduleAlreadyRunningError:
            pass


async def run_worker(settings: Settings, client: Client, pool: asyncpg.Pool,
                     stop: asyncio.Event) -> None:
    worker = build_worker(settings, client, pool)
    await ensure_schedules(settings, client)
    log.info("worker started", task_queue=settings.temporal_task_queue)
    async with worker:
        await stop.wait()
    log.info("worker stopped")


async def main() -> None:
    settings = get_settings()
    if not settings.database_url:
        raise SystemExit("DATABASE_URL is not set")
    pool = await open_database(settings.database_url, settings.database_owner_url)
    client = await connect_temporal(settings)
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
