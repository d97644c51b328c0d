"""Tamper evidence over HTTP, and liveness."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

import i18n
from i18n import reasons
from store import OPERATIONS, audit

from .. import excel, health
from ..deps import CurrentActor, Reader, Store, require_may_operate
from ..errors import ApiError

router = APIRouter(tags=["audit"])


@router.get("/api/audit/verify", summary="Recompute every hash chain of the event store and "
            "re-hash every stored document")
async def verify(request: Request, actor: CurrentActor, store: Store) -> dict[str, Any]:
    result = await store.verify()
    checked, problems = await request.app.state.documents.verify()
    base = {"ok": result.ok and not problems, "events": result.events,
            "streams": result.streams, "checkpoint_heads": result.checkpoint_heads,
            "documents": {"checked": checked, "problems": [
                {"sha256": p.sha256, "name": p.name, "problem": p.problem,
                 "message": p.describe()} for p in problems]}}
    if base["ok"]:
        return base
    # each problem: its stable fields (`problem` in English, `code`), and a `message` in the
    # request's language (the CLI prints the same sentences)
    first = None
    if b := result.first_broken:
        first = {**b.model_dump(), "message": b.describe()}
    elif problems:
        p = problems[0]
        with i18n.use("en"):
            english = p.describe()
        first = {"document": p.sha256, "name": p.name, "code": p.problem, "problem": english,
                 "message": p.describe()}
    return {**base, "first_broken": first}


MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8",
         "excel": "text/csv; charset=utf-8"}
EXTENSION = {"jsonl": "jsonl", "csv": "csv", "excel": "csv"}


@router.get("/api/audit/export", summary="Export the audit trail (one study or all) with a "
            "manifest; the export is itself an audit event. `format=excel`: the CSV a French "
            "Excel opens (`;`, UTF-8 with BOM, one column per field, in the caller's language)",
            response_class=Response,
            responses={200: {"content": {MEDIA["jsonl"]: {}, MEDIA["csv"]: {}}}})
async def export(actor: CurrentActor, store: Store, read: Reader, study: str | None = None,
                 fmt: Annotated[audit.Format, Query(alias="format")] = "jsonl",
                 reason: Annotated[str, Query(min_length=1, max_length=500)] = reasons.AUDIT_EXPORT,
                 ) -> Response:
    require_may_operate(actor, "export_audit")
    if study and not await read.study_exists(study):
        raise ApiError(404, "study_not_found", f"no study {study}")
    text, manifest = await audit.export(store, study, fmt, actor=actor.name,
                                        role=actor.role.value, reason=reason,
                                        renderer=excel.render if fmt == "excel" else None)
    name = f"studyflow-audit-{study or 'all'}-{manifest['recorded_seq']}.{EXTENSION[fmt]}"
    return Response(text, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-StudyFlow-Export-Sha256": manifest["sha256"],
        "X-StudyFlow-Export-Manifest": f"/api/audit/exports/{manifest['recorded_seq']}"})


@router.get("/api/audit/exports/{seq}", summary="The manifest of an export, as recorded")
async def export_manifest(seq: int, actor: CurrentActor, store: Store) -> dict[str, Any]:
    require_may_operate(actor, "export_audit")
    event = next((e for e in await store.read_stream(OPERATIONS)
                  if e.seq == seq and e.type == "AuditExported"), None)
    if event is None:
        raise ApiError(404, "export_not_found", f"no export recorded at seq {seq}")
    return {**event.data, "recorded_seq": event.seq, "recorded_hash": event.hash,
            "recorded_by": event.actor, "reason": event.reason}


@router.post("/api/audit/checkpoints", status_code=201,
             summary="Record the head hash of every stream written since the last checkpoint")
async def checkpoint(actor: CurrentActor, store: Store) -> dict[str, Any]:
    require_may_operate(actor, "write_checkpoint")
    event = await store.checkpoint(actor=actor.name, role=actor.role.value,
                                   reason=reasons.CHECKPOINT_ON_DEMAND)
    return {"seq": event.seq, "hash": event.hash, "streams": event.data["streams"],
            "through_seq": event.data["through_seq"]}


@router.get("/healthz", summary="PostgreSQL, Temporal and a worker are reachable")
async def healthz(request: Request) -> JSONResponse:
    state = request.app.state
    result = await health.checks(state.pool, state.temporal, state.settings.temporal_task_queue)
    ok = all(result.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": result},
                        status_code=200 if ok else 503)
