"""Client side of the study workflow: send a command as a Temporal update and turn the answer
into the domain's vocabulary (RuleViolation for a refusal, StudyNotFound for an unknown id)."""

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    RPCError,
    WithStartWorkflowOperation,
    WorkflowExecutionStatus,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCStatusCode

from domain import BatchRefused, RuleViolation, replay, view
from store import StoredEvent
from workflows.models import (
    TASK_QUEUE,
    BatchInput,
    BulkInput,
    BulkResult,
    CommandInput,
    CommandResult,
    StudyInput,
)
from workflows.study import RENEWING, STUDY_BEHIND, StudyWorkflow


class StudyNotFound(Exception):
    pass


class EngineUnavailable(Exception):
    """Temporal (or the worker behind it) did not answer in time: nothing is known to have
    happened; retry with the same idempotency key."""


def new_study_id() -> str:
    return f"study-{uuid.uuid4().hex[:12]}"


def study_id_for_key(actor: str, key: str) -> str:
    # The same creation request (same actor, same Idempotency-Key) names the same study.
    return f"study-{uuid.uuid5(uuid.NAMESPACE_URL, f'{actor}/{key}').hex[:12]}"


def _input(command: dict[str, Any], actor: str, role: str, reason: str,
           key: str | None, signature: dict[str, Any] | None = None,
           answer: tuple[str, int] | None = None) -> tuple[CommandInput, str]:
    key = key or uuid.uuid4().hex
    return CommandInput(command=command, actor=actor, role=role, reason=reason,
                        idempotency_key=key, signature=signature,
                        **({"answer_key": answer[0], "answer_status": answer[1]} if answer
                           else {})), key


def _refusal(err: WorkflowUpdateFailedError) -> Exception:
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type == "BatchRefused":
        details = list(cause.details) + ["rule_violation", 0]
        return BatchRefused(str(details[0]), cause.message, int(details[1]))
    if isinstance(cause, ApplicationError) and cause.type == "RuleViolation":
        code = str(cause.details[0]) if cause.details else "rule_violation"
        return RuleViolation(code, cause.message)
    if isinstance(cause, ApplicationError) and cause.type == RENEWING:
        return _Busy(cause.message)
    if isinstance(cause, ApplicationError) and cause.type == STUDY_BEHIND:
        return EngineUnavailable(cause.message)
    return err


class _Busy(EngineUnavailable):
    """The study cannot take the command this instant (its run is renewing, or the server's cap
    on updates in flight per workflow is reached): worth retrying at once, a moment later."""


async def create_study(client: Client, study_id: str, command: dict[str, Any], actor: str,
                       role: str, reason: str, idempotency_key: str | None = None,
                       task_queue: str = TASK_QUEUE, rpc_seconds: float = 30,
                       history_limit: int | None = None,
                       answer: tuple[str, int] | None = None) -> CommandResult:
    """`answer`: (key, status) under which the append keeps the caller's answer."""
    inp, key = _input({**command, "type": "create_study"}, actor, role, reason, idempotency_key,
                      answer=answer)
    start = WithStartWorkflowOperation(
        StudyWorkflow.run, StudyInput(study_id=study_id, history_limit=history_limit),
        id=study_id, task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
    try:
        return await client.execute_update_with_start_workflow(
            StudyWorkflow.command, inp, start_workflow_operation=start, id=f"create-{key}",
            rpc_timeout=timedelta(seconds=rpc_seconds))
    except WorkflowUpdateFailedError as e:
        raise _refusal(e) from None
    except (WorkflowUpdateRPCTimeoutOrCancelledError, RPCError) as e:
        raise EngineUnavailable(str(e)) from e


async def send_command(client: Client, study_id: str, command: dict[str, Any], actor: str,
                       role: str, reason: str, idempotency_key: str | None = None,
                       rpc_seconds: float = 30,
                       signature: dict[str, Any] | None = None,
                       answer: tuple[str, int] | None = None) -> CommandResult:
    """`answer`: (key, status) under which the append keeps the caller's answer."""
    inp, key = _input(command, actor, role, reason, idempotency_key, signature, answer)
    return await _update(client, study_id, StudyWorkflow.command, inp, key, rpc_seconds)


async def send_batch(client: Client, study_id: str, inp: BatchInput,
                     rpc_seconds: float = 60) -> CommandResult:
    """Dated commands applied together in legal-date order, all or none (BatchRefused)."""
    return await _update(client, study_id, StudyWorkflow.batch, inp,
                         f"batch-{inp.idempotency_key}", rpc_seconds)


async def start_with_batch(client: Client, study_id: str, inp: BatchInput,
                           task_queue: str = TASK_QUEUE, rpc_seconds: float = 60
                           ) -> CommandResult:
    """Create a study with its whole dated history in one append (an import): its first item
    is the `create_study` command. Check the batch with domain.decide_batch first: a refused
    batch would leave a study's workflow started with nothing in it."""
    start = WithStartWorkflowOperation(
        StudyWorkflow.run, StudyInput(study_id=study_id), id=study_id, task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
    try:
        return await client.execute_update_with_start_workflow(
            StudyWorkflow.batch, inp, start_workflow_operation=start,
            id=f"import-{inp.idempotency_key}", rpc_timeout=timedelta(seconds=rpc_seconds))
    except WorkflowUpdateFailedError as e:
        raise _refusal(e) from None
    except (WorkflowUpdateRPCTimeoutOrCancelledError, RPCError) as e:
        raise EngineUnavailable(str(e)) from e


async def send_bulk(client: Client, study_id: str, inp: BulkInput,
                    rpc_seconds: float = 60) -> BulkResult:
    return await _update(client, study_id, StudyWorkflow.bulk, inp,
                         f"bulk-{inp.idempotency_key}", rpc_seconds)


# Updates one process keeps in flight on one study; the others queue here. Temporal refuses more
# than 10 per workflow, and a worker flooded with updates to one study falls behind its
# speculative workflow tasks, evicts the run and replays it again and again (measured: 20
# concurrent consents on one study stalled it for minutes). Just under Temporal's cap, as the
# more commands in flight, the more share an append (group commit): 6 measured 0.74x the floor
# in bench/consent.py, 9 measured 0.86x.
UPDATES_IN_FLIGHT_PER_STUDY = 9
_gates: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}


@contextlib.asynccontextmanager
async def _gate(study_id: str) -> AsyncIterator[None]:
    gate, users = _gates.setdefault(study_id, (asyncio.Semaphore(UPDATES_IN_FLIGHT_PER_STUDY), [0]))
    users[0] += 1
    try:
        async with gate:
            yield
    finally:
        users[0] -= 1
        if not users[0]:
            del _gates[study_id]


async def _update(client: Client, study_id: str, update: Any, inp: Any, key: str,
                  rpc_seconds: float) -> Any:
    deadline = time.monotonic() + rpc_seconds
    pause = 0.05
    while True:
        try:
            async with _gate(study_id):
                return await _update_once(client, study_id, update, inp, key, rpc_seconds)
        except _Busy:
            if time.monotonic() + pause > deadline:
                raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 1.0)


async def _update_once(client: Client, study_id: str, update: Any, inp: Any, key: str,
                       rpc_seconds: float) -> Any:
    handle = client.get_workflow_handle(study_id)
    try:
        return await handle.execute_update(update, inp, id=key,
                                           rpc_timeout=timedelta(seconds=rpc_seconds))
    except WorkflowUpdateFailedError as e:
        raise _refusal(e) from None
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            raise await _not_found(client, study_id) from None
        if e.status == RPCStatusCode.RESOURCE_EXHAUSTED:
            raise _Busy(str(e)) from e
        raise EngineUnavailable(str(e)) from e
    except WorkflowUpdateRPCTimeoutOrCancelledError as e:
        raise EngineUnavailable(str(e)) from e


async def _not_found(client: Client, study_id: str) -> Exception:
    """What an update's NOT_FOUND means, asked of the study's latest run: no such study; a study
    whose workflow completed (archived or terminated); or, the latest run running, an update
    that reached a run as it continued as new (a CI run met it under load: the test server
    drops the updates not yet delivered to a closing run), to be sent again to the new run."""
    try:
        described = await client.get_workflow_handle(study_id).describe()
    except RPCError as e:
        return StudyNotFound(study_id) if e.status == RPCStatusCode.NOT_FOUND else (
            EngineUnavailable(str(e)))
    if described.status == WorkflowExecutionStatus.RUNNING:
        return _Busy("the study's run was renewing")
    return RuleViolation("study_closed", "the study's workflow has completed (archived or "
                         "terminated)")


async def restart_from_events(client: Client, study_id: str, events: list[StoredEvent],
                              task_queue: str = TASK_QUEUE) -> dict[str, Any]:
    """Replace a study's workflow run by a new one whose state is folded from the audit record
    (the operator's way out of a stuck or corrupted run). Returns the study's view."""
    state = replay((e.type, e.data) for e in events)
    if state is None:
        raise StudyNotFound(study_id)
    await client.start_workflow(
        StudyWorkflow.run, StudyInput(study_id=study_id,
                                      carried_state=state.model_dump(
                                          mode="json", exclude_defaults=True)),
        id=study_id, task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING)
    return view(state)
