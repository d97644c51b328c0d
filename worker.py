"""Wiring: the Temporal client (pydantic data converter), the store pool, the activity objects,
and the worker that runs StudyWorkflow. `python worker.py` runs a worker from the environment."""

import asyncio
import signal
from functools import cache
from typing import Any

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
from temporalio.envconfig import ClientConfigProfile
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker

from activities.notify import NotifyActivities
from activities.store import StoreActivities
from codec import data_converter
from settings import Settings, get_settings
from store import EventStore, open_database
from workflows.daily import CHECKPOINT_SCHEDULE, DIGEST_SCHEDULE, CheckpointWorkflow, DigestWorkflow
from workflows.study import StudyWorkflow

log = structlog.get_logger()


def temporal_connect_config(settings: Settings, address: str | None = None) -> dict[str, Any]:
    """How to reach Temporal: Temporal's own environment configuration (TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE and its TOML file:
    temporalio.envconfig, so that Temporal Cloud works as documented), the embedded stack's
    address when it runs its own server."""
    connect = dict(ClientConfigProfile.load().to_client_connect_config())
    connect["target_host"] = (address or settings.temporal_address or connect.get("target_host")
                              or "127.0.0.1:7233")
    connect["namespace"] = connect.get("namespace") or settings.temporal_namespace
    return connect


@cache
def metrics_runtime(bind: str) -> Runtime:
    """One runtime per process, serving the SDK's metrics (workflow task latency, activity
    failures, poll counts...) for Prometheus at `bind`."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind)))


async def connect_temporal(settings: Settings, address: str | None = None) -> Client:
    runtime = metrics_runtime(settings.temporal_metrics_bind) if settings.temporal_metrics_bind \
        else None
    return await Client.connect(**temporal_connect_config(settings, address),
                                data_converter=data_converter(settings), runtime=runtime)


def build_worker(settings: Settings, client: Client, pool: asyncpg.Pool) -> Worker:
    store_activities = StoreActivities(EventStore(pool))
    notify = NotifyActivities(pool, settings)
    return Worker(
        client,
        task_queue=settings.temporal_task_queue,
        max_cached_workflows=settings.worker_cache_size,
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
