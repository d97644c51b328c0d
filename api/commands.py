"""Sending a command from an HTTP call: parse, authorize, deduplicate by Idempotency-Key, send
to the study's workflow, shape the answer. Shared by the JSON API and the web forms."""

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from pydantic import TypeAdapter, ValidationError
from temporalio.client import Client

from domain import Actor, CreateStudy, ParticipantCommand, StudyCommand
from domain.commands import PARTICIPANT_COMMAND_TYPES, STUDY_COMMAND_TYPES
from store import ReadModels

from . import engine
from .deps import require_may_send, require_reason
from .errors import ApiError
from .metrics import measured

log = structlog.get_logger()
_STUDY = TypeAdapter(StudyCommand)
_PARTICIPANT = TypeAdapter(ParticipantCommand)


def _validate(adapter: TypeAdapter[Any], body: dict[str, Any]) -> dict[str, Any]:
    try:
        return adapter.validate_python(body).model_dump(mode="json")
    except ValidationError as e:
        details = [{"loc": list(err["loc"]), "msg": err["msg"]} for err in e.errors()]
        raise ApiError(422, "invalid_command", "; ".join(
            f"{'.'.join(str(x) for x in d['loc'])}: {d['msg']}" for d in details),
            details=details) from None


def _command_type(body: dict[str, Any], allowed: tuple[str, ...]) -> str:
    kind = body.get("type")
    if kind not in allowed:
        raise ApiError(422, "unknown_command",
                       f"type must be one of: {', '.join(allowed)} (got {kind!r})")
    return kind


def answer(result: engine.CommandResult) -> dict[str, Any]:
    return {**result.study, "seq": max(result.seqs, default=None), "seqs": result.seqs,
            **result.extra}


async def idempotent(read: ReadModels, actor: Actor, key: str | None, scope: str,
                     run: Callable[[], Awaitable[tuple[int, dict[str, Any]]]]
                     ) -> tuple[int, dict[str, Any]]:
    """The first call with a key stores its answer; a repeat gets that answer back."""
    if key:
        stored = await read.stored_answer(actor.name, f"{scope} {key}")
        if stored:
            return stored
    status, body = await run()
    if key:
        await read.store_answer(actor.name, f"{scope} {key}", status, body)
    return status, body


async def create_study(client: Client, read: ReadModels, actor: Actor, body: dict[str, Any],
                       key: str | None, task_queue: str) -> tuple[int, dict[str, Any]]:
    require_reason(body)
    require_may_send(actor, "create_study")
    command = _validate(TypeAdapter(CreateStudy), {**body, "type": "create_study"})

    async def run() -> tuple[int, dict[str, Any]]:
        study_id = engine.study_id_for_key(actor.name, key) if key else engine.new_study_id()
        async with measured("create_study"):
            result = await engine.create_study(client, study_id, command, actor.name,
                                               actor.role.value, body["reason"].strip(), key,
                                               task_queue=task_queue)
        log.info("study created", study_id=study_id, actor=actor.name)
        return 201, answer(result)

    return await idempotent(read, actor, key, "POST /api/studies", run)


async def study_command(client: Client, read: ReadModels, actor: Actor, study_id: str,
                        body: dict[str, Any], key: str | None,
                        participant: str | None = None) -> tuple[int, dict[str, Any]]:
    reason = require_reason(body)
    if participant is None:
        kind = _command_type(body, STUDY_COMMAND_TYPES)
    elif body.get("type") == "register_participant":
        kind = "register_participant"
    else:
        kind = _command_type(body, PARTICIPANT_COMMAND_TYPES)
    require_may_send(actor, kind)
    if participant is None:
        command = _validate(_STUDY, body)
    elif kind == "register_participant":
        from domain.commands import RegisterParticipant

        command = _validate(TypeAdapter(RegisterParticipant), {**body, "code": participant})
    else:
        command = _validate(_PARTICIPANT, {**body, "code": participant})

    async def run() -> tuple[int, dict[str, Any]]:
        async with measured(kind):
            result = await engine.send_command(client, study_id, command, actor.name,
                                               actor.role.value, reason, key)
        log.info("command applied", study_id=study_id, command=kind, actor=actor.name)
        return 200, answer(result)

    return await idempotent(read, actor, key, f"POST {study_id} {participant or ''}", run)
