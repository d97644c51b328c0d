"""Client side of the study workflow: send a command as a Temporal update and turn the answer
into the domain's vocabulary (RuleViolation for a refusal, StudyNotFound for an unknown id)."""

import uuid
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    RPCError,
    WithStartWorkflowOperation,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCStatusCode

from domain import RuleViolation, fold, parse_event, view
from store import StoredEvent
from workflows.models import (
    TASK_QUEUE,
    BulkInput,
    BulkResult,
    CommandInput,
    CommandResult,
    StudyInput,
)
from workflows.study import StudyWorkflow


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
           key: str | None) -> tuple[CommandInput, str]:
    key = key or uuid.uuid4().hex
    return CommandInput(command=command, actor=actor, role=role, reason=reason,
                        idempotency_key=key), key


def _refusal(err: WorkflowUpdateFailedError) -> Exception:
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type == "RuleViolation":
        code = str(cause.details[0]) if cause.details else "rule_violation"
        return RuleViolation(code, cause.message)
    return err


async def create_study(client: Client, study_id: str, command: dict[str, Any], actor: str,
                       role: str, reason: str, idempotency_key: str | None = None,
                       task_queue: str = TASK_QUEUE, rpc_seconds: float = 30,
                       history_limit: int | None = None) -> CommandResult:
    inp, key = _input({**command, "type": "create_study"}, actor, role, reason, idempotency_key)
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
                       rpc_seconds: float = 30) -> CommandResult:
    inp, key = _input(command, actor, role, reason, idempotency_key)
    return await _update(client, study_id, StudyWorkflow.command, inp, key, rpc_seconds)


async def send_bulk(client: Client, study_id: str, inp: BulkInput,
                    rpc_seconds: float = 60) -> BulkResult:
    return await _update(client, study_id, StudyWorkflow.bulk, inp,
                         f"bulk-{inp.idempotency_key}", rpc_seconds)


async def _update(client: Client, study_id: str, update: Any, inp: Any, key: str,
                  rpc_seconds: float) -> Any:
    handle = client.get_workflow_handle(study_id)
    try:
        return await handle.execute_update(update, inp, id=key,
                                           rpc_timeout=timedelta(seconds=rpc_seconds))
    except WorkflowUpdateFailedError as e:
        raise _refusal(e) from None
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            if "completed" in str(e).lower():
                raise RuleViolation("study_closed", "the study's workflow has completed "
                                    "(archived or terminated)") from None
            raise StudyNotFound(study_id) from None
        raise EngineUnavailable(str(e)) from e
    except WorkflowUpdateRPCTimeoutOrCancelledError as e:
        raise EngineUnavailable(str(e)) from e


async def restart_from_events(client: Client, study_id: str, events: list[StoredEvent],
                              task_queue: str = TASK_QUEUE) -> dict[str, Any]:
    """Replace a study's workflow run by a new one whose state is folded from the audit record
    (the operator's way out of a stuck or corrupted run). Returns the study's view."""
    state = fold(None, (parse_event(e.type, e.data) for e in events))
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
