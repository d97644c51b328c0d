"""Sending a command from an HTTP call: parse, authorize, deduplicate by Idempotency-Key, send
to the study's workflow, shape the answer. Shared by the JSON API and the web forms."""

import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from pydantic import TypeAdapter, ValidationError
from temporalio.client import Client

from domain import Actor, CreateStudy, ParticipantCommand, StudyCommand
from domain.commands import PARTICIPANT_COMMAND_TYPES, STUDY_COMMAND_TYPES, RegisterParticipant
from store import ReadModels
from store.documents import DocumentStore
from store.models import StoredAnswer, command_answer
from workflows.models import BulkInput, BulkItem

from . import engine, validation
from .auth import signatures
from .deps import require_may_send, require_reason
from .documents import resolve as resolve_documents
from .errors import ApiError
from .metrics import measured

log = structlog.get_logger()
_STUDY = TypeAdapter(StudyCommand)
_PARTICIPANT = TypeAdapter(ParticipantCommand)
_REGISTER = TypeAdapter(RegisterParticipant)
BULK_MAX = 500  # items per bulk call: one workflow update, one append


# what a command's body carries beside the command's own fields
ENVELOPE = frozenset({"type", "reason", "key"})  # key: a bulk item's idempotency key


def unknown_fields(body: dict[str, Any], command: Any, where: str = "", **extra: Any) -> None:
    """A 422 naming each field of `body` that `command` does not have (a misspelt
    `fatal_or_life_threatning` is refused, never dropped)."""
    unknown = sorted(set(body) - set(type(command).model_fields) - ENVELOPE)
    if unknown:
        details = validation.plain([{"type": "extra_forbidden", "loc": (name,)}
                                    for name in unknown])
        raise ApiError(422, "unknown_fields", where + validation.message(details), worded=True,
                       details=details, fields=unknown, **extra)


def _validate(adapter: TypeAdapter[Any], body: dict[str, Any]) -> dict[str, Any]:
    """The command, or a 422 naming each field in words: a malformed value, or a field the
    command does not have (a misspelt `fatal_or_life_threatning` is refused, never dropped)."""
    try:
        command = adapter.validate_python(body)
        unknown_fields(body, command)
        return command.model_dump(mode="json")
    except ValidationError as e:
        details = validation.plain([dict(err) for err in e.errors()])
        raise ApiError(422, "invalid_command", validation.message(details),
                       details=details) from None


def _command_type(body: dict[str, Any], allowed: tuple[str, ...]) -> str:
    kind = body.get("type")
    if kind not in allowed:
        raise ApiError(422, "unknown_command",
                       f"type must be one of: {', '.join(allowed)} (got {kind!r})")
    return kind


def answer(result: engine.CommandResult) -> dict[str, Any]:
    return command_answer(result.study, result.seqs, result.extra)


def answer_key(scope: str, key: str) -> str:
    return f"{scope} {key}"


async def idempotent(read: ReadModels, actor: Actor, key: str | None, scope: str,
                     run: Callable[[], Awaitable[tuple[int, dict[str, Any]]]],
                     kept_by_append: bool = False) -> tuple[int, dict[str, Any]]:
    """The first call with a key stores its answer; a repeat gets that answer back.
    `kept_by_append`: `run` had the append keep it (a command's answer, engine's `answer`),
    so this costs one round trip to PostgreSQL, the look-up."""
    if key:
        stored = await read.stored_answer(actor.name, answer_key(scope, key))
        if stored:
            return stored
    status, body = await run()
    if key and not kept_by_append:
        await read.store_answer(actor.name, answer_key(scope, key), status, body)
    return status, body


async def create_study(client: Client, read: ReadModels, actor: Actor, body: dict[str, Any],
                       key: str | None, task_queue: str) -> tuple[int, dict[str, Any]]:
    require_reason(body)
    require_may_send(actor, "create_study")
    command = _validate(TypeAdapter(CreateStudy), {**body, "type": "create_study"})

    scope = "POST /api/studies"

    async def run() -> tuple[int, dict[str, Any]]:
        study_id = engine.study_id_for_key(actor.name, key) if key else engine.new_study_id()
        async with measured("create_study"):
            result = await engine.create_study(
                client, study_id, command, actor.name, actor.role.value, body["reason"].strip(),
                key, task_queue=task_queue, answer=(answer_key(scope, key), 201) if key else None)
        log.info("study created", study_id=study_id, actor=actor.name)
        return 201, answer(result)

    return await idempotent(read, actor, key, scope, run, kept_by_append=True)


def check_code(code: Any, pattern: str) -> str:
    """Participants are known by pseudonymous codes in the unit's format, nothing else."""
    if not isinstance(code, str) or not re.fullmatch(pattern, code):
        raise ApiError(422, "participant_code_pattern",
                       f"participant code {code!r} does not match the pseudonymous format "
                       f"{pattern} (never a name or an e-mail address)")
    return code


def check_site(command: dict[str, Any], pattern: str | None) -> None:
    """Research sites are named by the unit's codes (SITE_CODE_PATTERN), nothing else."""
    site = command.get("site")
    if pattern and site is not None and (not isinstance(site, str)
                                         or not re.fullmatch(pattern, site)):
        raise ApiError(422, "site_code_pattern", f"site code {site!r} does not match the "
                       f"unit's format {pattern} (SITE_CODE_PATTERN)")


def unit_defaults(command: dict[str, Any], behind_percent: int | None) -> dict[str, Any]:
    """A recruitment plan without its own threshold takes the unit's (RECRUITMENT_BEHIND_PERCENT)."""
    if (behind_percent and command.get("type") == "set_recruitment_plan"
            and command.get("behind_percent") in (None, "")):
        return {**command, "behind_percent": behind_percent}
    return command


def participant_command(actor: Actor, body: dict[str, Any], code: Any,
                        pattern: str, site_pattern: str | None = None
                        ) -> tuple[str, dict[str, Any]]:
    """(type, command) of a participant command body, or an ApiError: 422 malformed, 403 not
    the sender's to send."""
    check_code(code, pattern)
    check_site(body, site_pattern)
    kind = _command_type(body, ("register_participant", *PARTICIPANT_COMMAND_TYPES))
    require_may_send(actor, kind)
    adapter = _REGISTER if kind == "register_participant" else _PARTICIPANT
    return kind, _validate(adapter, {**body, "code": code})


async def study_command(client: Client, read: ReadModels, actor: Actor, study_id: str,
                        body: dict[str, Any], key: str | None, participant: str | None = None,
                        code_pattern: str = ".*", site_pattern: str | None = None,
                        behind_percent: int | None = None,
                        documents: DocumentStore | None = None,
                        documents_required: bool = False) -> tuple[int, dict[str, Any]]:
    reason = require_reason(body)
    body = await resolve_documents(documents, body, documents_required, participant is not None)
    if participant is None:
        kind = _command_type(body, STUDY_COMMAND_TYPES)
        require_may_send(actor, kind)
        check_site(body, site_pattern)
        command = _validate(_STUDY, unit_defaults(body, behind_percent))
    else:
        kind, command = participant_command(actor, body, participant, code_pattern,
                                            site_pattern)
    signature = signatures.signature_for(kind)
    scope = f"POST {study_id} {participant or ''}"

    async def run() -> tuple[int, dict[str, Any]]:
        async with measured(kind):
            result = await engine.send_command(
                client, study_id, command, actor.name, actor.role.value, reason, key,
                signature=signature, answer=(answer_key(scope, key), 200) if key else None)
        log.info("command applied", study_id=study_id, command=kind, actor=actor.name)
        return 200, answer(result)

    return await idempotent(read, actor, key, scope, run, kept_by_append=True)


def listed(body: dict[str, Any], field: str, maximum: int, what: str) -> list[Any]:
    """The body's `field`: a non-empty list of at most `maximum` `what` (one workflow update,
    one append), or a 422 saying so."""
    items = body.get(field)
    if not isinstance(items, list) or not items:
        raise ApiError(422, "invalid_input", f"{field}: a non-empty list of {what}")
    if len(items) > maximum:
        raise ApiError(422, "too_many_items", f"at most {maximum} {field} per call "
                       f"(got {len(items)}): send them in several calls")
    return items


def _applied(code: Any) -> dict[str, Any]:
    return {"status": "applied", "participant": code}


def _refused(code: Any, rule: str | None, message: str | None) -> dict[str, Any]:
    return {"status": "refused", "participant": code, "error": {"code": rule, "message": message}}


async def bulk(client: Client, read: ReadModels, actor: Actor, study_id: str,
               body: dict[str, Any], code_pattern: str,
               site_pattern: str | None = None) -> dict[str, Any]:
    """Participant commands in one call, each item with its own outcome: `applied`,
    `already_applied` (its key was applied before: an import run again), or `refused` with the
    rule or the validation that refused it. The good items are applied even when others fail."""
    default_reason = body.get("reason")
    items = listed(body, "items", BULK_MAX, "participant commands")
    if not await read.study_exists(study_id):
        raise engine.StudyNotFound(study_id)
    outcomes: list[dict[str, Any] | None] = [None] * len(items)
    keys: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ApiError(422, "invalid_input", f"items.{i}: an object is expected")
        raw = item.get("key")
        keys.append(f"POST {study_id} bulk {raw}" if isinstance(raw, str) and raw else "")
    done = await read.stored_answers(actor.name, [k for k in keys if k])
    todo: list[tuple[int, BulkItem]] = []
    for i, item in enumerate(items):
        if keys[i] in done:
            outcomes[i] = {**done[keys[i]][1], "status": "already_applied"}
            continue
        try:
            reason = require_reason({"reason": item.get("reason") or default_reason})
            kind, command = participant_command(actor, item, item.get("code"), code_pattern,
                                                site_pattern)
        except ApiError as e:
            outcomes[i] = _refused(item.get("code"), e.code, e.message)
            continue
        try:
            signature = signatures.signature_for(kind)
        except ApiError as e:
            outcomes[i] = _refused(item.get("code"), e.code, e.message)
            continue
        todo.append((i, BulkItem(command=command, reason=reason, signature=signature, answer=(
            StoredAnswer(actor=actor.name, key=keys[i], status=200,
                         body=_applied(command["code"])) if keys[i] else None))))
    study: dict[str, Any] | None = None
    if todo:
        batch_key = hashlib.sha256("\n".join(
            keys[i] or f"{i}:{it.model_dump_json()}" for i, it in todo).encode()).hexdigest()
        async with measured("bulk"):
            result = await engine.send_bulk(client, study_id, BulkInput(
                items=[it for _, it in todo], actor=actor.name, role=actor.role.value,
                idempotency_key=batch_key if any(keys) else uuid.uuid4().hex))
        study = result.study
        # the applied items' answers were stored by the append itself (BulkItem.answer)
        for (i, it), outcome in zip(todo, result.outcomes, strict=True):
            code = it.command["code"]
            outcomes[i] = (_applied(code) if outcome.applied
                           else _refused(code, outcome.code, outcome.message))
        log.info("bulk participant commands", study_id=study_id, actor=actor.name,
                 applied=sum(o.applied for o in result.outcomes), items=len(items))
    results = [{"index": i, **(o or {})} for i, o in enumerate(outcomes)]
    count = {s: sum(r["status"] == s for r in results)
             for s in ("applied", "already_applied", "refused")}
    return {**count, "results": results, "study": study or await read.get_study(study_id)}
