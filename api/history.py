"""A study's dated history from HTTP: a batch of dated commands judged once, the correction
of a recorded fact (the API finds the fact in the event store; the domain judges the
correction), and running studies brought in by an import. Legal dates order everything; the
clocks are judged on them."""

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from pydantic import TypeAdapter, ValidationError
from temporalio.client import Client

import wallclock
from domain import COMMAND_ROLES, Actor, AnyCommand, BatchRefused, RuleViolation, decide_batch
from domain.commands import PARTICIPANT_COMMAND_TYPES, STUDY_COMMAND_TYPES
from domain.model import Role
from store import EventStore, ReadModels
from workflows.models import BatchInput, BatchItem

from . import engine, study_import
from .auth import signatures
from .commands import (
    answer,
    answer_key,
    check_code,
    check_site,
    idempotent,
    listed,
    unit_defaults,
    unknown_fields,
)
from .deps import require_may_operate, require_may_send, require_reason
from .errors import ApiError
from .metrics import measured

log = structlog.get_logger()
_ANY = TypeAdapter(AnyCommand)
BATCH_MAX = 500  # commands per batch: one workflow update, one append
# Studies of one import started at once: each is its own workflow, so they overlap well
# (one at a time, each request waited ~100 ms per study on the update-with-start round trip).
IMPORTS_IN_FLIGHT = 8
BATCH_TYPES = (*STUDY_COMMAND_TYPES, "register_participant", *PARTICIPANT_COMMAND_TYPES)


# --- corrections ------------------------------------------------------------------------------
async def correction(store: EventStore, actor: Actor, study_id: str,
                     body: dict[str, Any]) -> dict[str, Any]:
    """The `correct` command with the fact it names, read from the event store: its version in
    the study's stream, its type, its data and the role that recorded it."""
    seq = body.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise ApiError(422, "invalid_command", "seq: the audit sequence number of the event to "
                       "correct (a positive integer)")
    found = await store.events_after(seq - 1, stream_id=study_id, limit=1)
    if not found or found[0].seq != seq:
        raise ApiError(404, "fact_not_found", f"no event {seq} in study {study_id}")
    event = found[0]
    if actor.role is not Role.admin and actor.role.value != event.role:
        raise ApiError(403, "forbidden", f"event {seq} was recorded by a {event.role}: only "
                       "that role or an admin may correct it")
    return {**body, "version": event.version, "recorded_by": event.role,
            "original_type": event.type, "original": event.data}


# --- batches ----------------------------------------------------------------------------------
def _items(body: dict[str, Any], role_for: Callable[[str], Role], code_pattern: str,
           types: tuple[str, ...] = BATCH_TYPES, site_pattern: str | None = None,
           behind_percent: int | None = None) -> list[BatchItem]:
    commands = listed(body, "commands", BATCH_MAX, "commands")
    items = []
    for index, command in enumerate(commands):
        if not isinstance(command, dict):
            raise ApiError(422, "invalid_input", f"commands.{index}: an object is expected")
        kind = command.get("type")
        if kind not in types:
            raise ApiError(422, "unknown_command", f"commands.{index}: type must be one of: "
                           f"{', '.join(types)} (got {kind!r})")
        if "code" in command or kind == "register_participant":
            check_code(command.get("code"), code_pattern)
        check_site(command, site_pattern)
        command = unit_defaults(command, behind_percent)
        try:
            model = _ANY.validate_python(command)
            unknown_fields(command, model, f"commands.{index}: ", index=index)
            parsed = model.model_dump(mode="json")
        except ValidationError as e:
            err = e.errors()[0]
            raise ApiError(422, "invalid_command", f"commands.{index}: "
                           f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None
        role = role_for(kind)
        reason = command.get("reason") or body.get("reason")
        items.append(BatchItem(command={**command, **parsed}, role=role.value,
                               reason=require_reason({"reason": reason}),
                               signature=signatures.signature_for(kind)))
    return items


async def batch(client: Client, read: ReadModels, actor: Actor, study_id: str,
                body: dict[str, Any], key: str | None, code_pattern: str,
                site_pattern: str | None = None, behind_percent: int | None = None
                ) -> tuple[int, dict[str, Any]]:
    """Dated commands applied together, in legal-date order, the clocks judged once at the end;
    all of them or none (409 naming the index of the first refused command)."""
    def sender(kind: str) -> Role:
        require_may_send(actor, kind)
        return actor.role

    items = _items(body, sender, code_pattern, site_pattern=site_pattern,
                   behind_percent=behind_percent)

    scope = f"POST {study_id} batch"

    async def run() -> tuple[int, dict[str, Any]]:
        inp = BatchInput(items=items, actor=actor.name, role=actor.role.value,
                         idempotency_key=key or uuid.uuid4().hex,
                         answer_key=answer_key(scope, key) if key else None)
        async with measured("batch"):
            result = await engine.send_batch(client, study_id, inp)
        log.info("batch applied", study_id=study_id, actor=actor.name, commands=len(items))
        return 200, answer(result)

    return await idempotent(read, actor, key, scope, run, kept_by_append=True)


# --- imports ----------------------------------------------------------------------------------
def import_study_id(reference: str) -> str:
    """A study brought in is named by the unit's own reference: a re-run finds it again."""
    return f"study-{uuid.uuid5(uuid.NAMESPACE_URL, f'studyflow/import/{reference}').hex[:12]}"


def _recording_role(actor: Actor) -> Callable[[str], Role]:
    """The role a fact of the past is recorded under: the importer's own when it may send it,
    otherwise the role the rules give that command (the ANSM's decision: regulatory)."""
    def role_for(kind: str) -> Role:
        allowed = COMMAND_ROLES[kind]
        return actor.role if actor.role in allowed else sorted(allowed)[0]
    return role_for


async def import_studies(client: Client, read: ReadModels, actor: Actor, content: str,
                         name: str, reason: str | None, code_pattern: str, task_queue: str
                         ) -> dict[str, Any]:
    """Each study of the file created with its whole dated history in one append, judged once;
    a study already brought in (same reference) is left as it is. One report line per line."""
    require_may_operate(actor, "import_studies")
    digest = hashlib.sha256(content.encode()).hexdigest()
    why = (reason or "").strip() or "imported"
    source = f"{why} (import of {name or 'a file'}, sha256 {digest})"
    gate = asyncio.Semaphore(IMPORTS_IN_FLIGHT)

    async def one(line: study_import.ImportLine) -> dict[str, Any]:
        async with gate:
            return await _import_line(client, read, actor, line, source, code_pattern,
                                      task_queue)

    report = await asyncio.gather(*(one(line) for line in study_import.read(content, name)))
    count = {s: sum(r["status"] == s for r in report)
             for s in ("imported", "already_imported", "refused")}
    log.info("studies imported", actor=actor.name, source=name, sha256=digest, **count)
    return {**count, "sha256": digest, "results": report}


async def _import_line(client: Client, read: ReadModels, actor: Actor,
                       line: study_import.ImportLine, source: str, code_pattern: str,
                       task_queue: str) -> dict[str, Any]:
    if line.study is None:
        return _refused(line.line, None, line.code, line.message)
    study = line.study
    study_id = import_study_id(study.reference)
    head = {"line": line.line, "reference": study.reference, "study_id": study_id}
    if await read.study_exists(study_id):
        return {**head, "status": "already_imported"}
    create = {"type": "create_study", "title": study.title, "category": study.category,
              "investigator": study.investigator,
              **({"framework": study.framework} if study.framework else {})}
    try:
        items = _items({"commands": [create, *study.commands], "reason": source},
                       _recording_role(actor), code_pattern, ("create_study", *BATCH_TYPES))
    except ApiError as e:
        return _refused(line.line, study.reference, e.code, e.message)
    commands = [(_ANY.validate_python(i.command),
                 Actor(name=actor.name, role=Role(i.role or actor.role))) for i in items]
    try:  # judged here first: a refused history must not leave a study started
        decide_batch(None, commands, wallclock.today(), study_id)
    except BatchRefused as e:
        return {**_refused(line.line, study.reference, e.code, e.message), "index": e.index}
    inp = BatchInput(items=items, actor=actor.name, role=actor.role.value,
                     idempotency_key=study_id)
    try:
        result = await engine.start_with_batch(client, study_id, inp, task_queue=task_queue)
    except RuleViolation as e:
        if e.code == "study_exists":  # a concurrent run brought it in first
            return {**head, "status": "already_imported"}
        return _refused(line.line, study.reference, e.code, e.message)
    return {**head, "status": "imported", "state": result.study["state"],
            "seqs": len(result.seqs)}


def _refused(line: int, reference: str | None, code: str | None, message: str | None
             ) -> dict[str, Any]:
    return {"line": line, "reference": reference, "status": "refused",
            "error": {"code": code, "message": message}}
