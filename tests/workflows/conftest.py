"""Workflow tests: Temporal's time-skipping test server (45-day clocks in milliseconds) and a
real PostgreSQL event store behind the activity. Nothing is mocked."""

import dataclasses
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.testservice.v1 import SleepRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.testing import WorkflowEnvironment

import bootstrap
import scenarios
from api import engine
from codec import AesGcmCodec
from domain import project
from domain.regulation import LEGAL_TIME_ZONE, legal_day
from settings import Settings
from store import EventStore
from workflows.study import StudyWorkflow

BIN = Path(sys.executable).parent


# The SDK warns at every worker start that the test server does not advertise a capability of
# newer servers (heartbeat details kept on failure), which these tests do not use: noise that
# hid real messages in the output. Everything else of the SDK's still logs at WARN.
QUIET = Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filter=TelemetryFilter(
    core_level="WARN", other_level="WARN").formatted() + ",temporalio_sdk_core::worker=ERROR")))


# Payloads as production writes them: encrypted and, past 4 KB, compressed (a large study's
# carried state is megabytes of JSON, over the server's message size, before compression).
CONVERTER = dataclasses.replace(pydantic_data_converter,
                                payload_codec=AesGcmCodec([("test", bytes(32))]))


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server per test (it starts in a tenth of a second). Shared, one test's
    leftovers could hold the clock of every later test: the test server (unlike the real one)
    refuses a workflow task that cancels a timer which fired while the task ran, and that run
    then keeps its task started, and the clock locked, until the server stops (sdk-java#2606,
    #3088). A study's wait for a command or its next alarm races exactly so."""
    async with await WorkflowEnvironment.start_time_skipping(
        data_converter=CONVERTER, runtime=QUIET,
        test_server_existing_path=str(BIN / "temporal-test-server"),
    ) as e:
        yield e


class Harness:
    """A worker on its own task queue, and the client-side helpers the API uses."""

    def __init__(self, env: WorkflowEnvironment, store: EventStore, task_queue: str) -> None:
        self.env, self.store, self.task_queue = env, store, task_queue
        self.client: Client = env.client

    async def today(self) -> date:
        """The legal day of the test server's clock: the calendar day in Paris, where the
        studies' clocks count (UTC's date differs an hour or two before midnight)."""
        return legal_day(await self.env.get_current_time())

    async def create(self, category: str = "RIPH1", role: str = "coordinator",
                     framework: str = "JARDE", history_limit: int | None = None) -> str:
        study_id = engine.new_study_id()
        await engine.create_study(self.client, study_id, {
            "title": f"Study {study_id}", "category": category, "investigator": "Dr Martin",
            "framework": framework,
        }, actor="alice", role=role, reason="new study", task_queue=self.task_queue,
            history_limit=history_limit)
        return study_id

    async def send(self, study_id: str, command: dict[str, Any],
                   role: str = "coordinator") -> dict[str, Any]:
        result = await engine.send_command(self.client, study_id, command, actor="alice",
                                           role=role, reason="test", idempotency_key=None)
        return {**result.study, "seqs": result.seqs, **result.extra}

    async def run_id(self, study_id: str) -> str:
        """The study's current run (a new one after each continue-as-new)."""
        return (await self.client.get_workflow_handle(study_id).describe()).run_id

    async def query(self, study_id: str) -> dict[str, Any]:
        return await self.client.get_workflow_handle(study_id).query(StudyWorkflow.study)

    async def skip(self, days: float) -> None:
        await skip(self.env, timedelta(days=days))

    async def at_paris_hour(self, hour: int) -> None:
        """Skip to the next `hour` o'clock in Paris, where legal days begin: a test that counts
        days in fractions then crosses the same midnights whatever the time of day it runs."""
        now = (await self.env.get_current_time()).astimezone(LEGAL_TIME_ZONE)
        target = now.replace(hour=hour, minute=0, second=0, microsecond=0)
        if target <= now:
            target += timedelta(days=1)
        await skip(self.env, target - now)

    async def event_types(self, study_id: str) -> list[str]:
        return [e.type for e in await self.store.read_stream(study_id)]

    def steps(self, *, until: str, on: date, **dates: date) -> list[scenarios.Step]:
        """The shared RIPH1 walk's steps before `until`, dated `on` (and `dates` by name)."""
        return scenarios.until(scenarios.riph1_walk(on, **dates), until)  # type: ignore[arg-type]

    async def fold_record(self, study_id: str) -> dict[str, Any]:
        """The study's view folded from the audit record alone."""
        view, _ = project((e.type, e.data) for e in await self.store.read_stream(study_id))
        return view

    async def walk(self, study_id: str, *, until: str, on: date) -> dict[str, Any]:
        """Walk a RIPH1 study through the shared scenario's steps, stopping before the command
        named `until`."""
        view: dict[str, Any] = {}
        for role, command in scenarios.until(scenarios.riph1_walk(on), until):
            view = await self.send(study_id, command, role)
        return view


async def skip(env: WorkflowEnvironment, duration: timedelta) -> None:
    """Skip `duration` of the test server's clock. The server skips only while no workflow task
    or activity is in progress: on a loaded machine the studies' own work (appends, mails) may
    hold it for more than the client's default 30 s for a call, which then failed with "Timeout
    expired" although nothing was wrong. A clock held for minutes is still a failure."""
    request = SleepRequest()
    request.duration.FromTimedelta(duration)
    await env.client.test_service.unlock_time_skipping_with_sleep(
        request, timeout=SKIP_TIMEOUT)


SKIP_TIMEOUT = timedelta(minutes=3)


@pytest.fixture
def notify_settings() -> Settings:
    """Where notifications go (overridden by the notification tests): nowhere but in-app."""
    return Settings(SMTP_URL=None, WEBHOOK_URL=None)  # type: ignore[call-arg]


@pytest.fixture
async def harness(env: WorkflowEnvironment, store: EventStore,
                  notify_settings: Settings) -> AsyncIterator[Harness]:
    task_queue = f"tq-{uuid.uuid4().hex[:8]}"
    # in the SDK's sandbox (WORKFLOW_SANDBOX, off in production): here always, whatever the
    # environment says: it guards the workflow code against non-deterministic calls
    sandboxed = notify_settings.model_copy(update={"workflow_sandbox": True})
    async with bootstrap.build_worker(sandboxed, env.client, store.pool, task_queue):
        h = Harness(env, store, task_queue)
        yield h
