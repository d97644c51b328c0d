"""Documents over HTTP: the streamed upload, the references a command makes (resolved in the
document store before the command goes to its workflow), the study's documents with their
versions, the audited download."""

from collections.abc import AsyncIterator
from typing import Any

from domain import Actor, documents
from domain.errors import InputRefused
from domain.regulation import INVESTIGATOR_FILE
from store import EventStore, operations
from store.documents import DocumentRefused, DocumentStore, StoredDocument

from .deps import require_may_operate, require_reason
from .errors import ApiError
from .uploads import MultipartStream


def refused(e: DocumentRefused) -> ApiError:
    return ApiError(e.status, e.code, e.message)


def check_kind(kind: str | None) -> str:
    """A study-level document kind, or the rule that refuses it (422)."""
    try:
        return documents.kind_of(kind or "").value
    except InputRefused as e:
        raise ApiError(422, e.code, e.message) from None


async def upload(store: DocumentStore, events: EventStore, actor: Actor, form: MultipartStream,
                 max_bytes: int) -> StoredDocument:
    """Store the file streamed in `form`; its kind and reason are checked once it has arrived,
    and nothing is kept if any check fails. The upload is recorded in the operations stream."""
    require_may_operate(actor, "upload_documents")

    async def finish() -> tuple[str, str, str, str]:
        kind = check_kind(form.fields.get("kind"))
        reason = require_reason({"reason": form.fields.get("reason")})
        return kind, actor.name, actor.role.value, reason

    try:
        await form.start()
        doc = await store.upload(form.file_chunks(), name=form.filename, max_bytes=max_bytes,
                                 finish=finish)
    except DocumentRefused as e:
        raise refused(e) from None
    await operations.record(events, "DocumentUploaded", doc.public(), by=actor.name,
                            role=actor.role.value, reason=form.fields.get("reason", "").strip())
    return doc


async def upload_stream(store: DocumentStore, events: EventStore, actor: Actor,
                        chunks: AsyncIterator[bytes], name: str | None, kind: str, reason: str,
                        max_bytes: int) -> StoredDocument:
    """The same, for a file already parsed (a web form's)."""
    require_may_operate(actor, "upload_documents")
    kind = check_kind(kind)
    reason = require_reason({"reason": reason})

    async def finish() -> tuple[str, str, str, str]:
        return kind, actor.name, actor.role.value, reason

    try:
        doc = await store.upload(chunks, name=name, max_bytes=max_bytes, finish=finish)
    except DocumentRefused as e:
        raise refused(e) from None
    await operations.record(events, "DocumentUploaded", doc.public(), by=actor.name,
                            role=actor.role.value, reason=reason)
    return doc


async def resolve(store: DocumentStore | None, body: dict[str, Any], required: bool,
                  participant: bool = False) -> dict[str, Any]:
    """The command body with each referenced document filled in from the store (size, media
    type, name): an unknown one is refused naming it (422); with DOCUMENTS_REQUIRED, the kinds
    the command rests on must be there (409 document_required)."""
    refs = body.get("documents") or []
    if participant and refs:
        raise ApiError(422, "participant_document_refused", INVESTIGATOR_FILE)
    if not isinstance(refs, list) or not all(isinstance(r, dict) for r in refs):
        raise ApiError(422, "invalid_command", 'documents: a list of {"sha256", "kind"}')
    kind = str(body.get("type", ""))
    if required and not participant and kind != "correct":
        documents.require_documents(kind, [str(r.get("kind")) for r in refs])
    if not refs:
        return body
    resolved = []
    for ref in refs:
        sha = str(ref.get("sha256", "")).lower()
        doc = await store.get(sha) if store else None
        if doc is None:
            raise ApiError(422, "unknown_document", f"no stored document {sha}: upload it "
                           "first (POST /api/documents), then reference its sha256")
        resolved.append({"sha256": doc.sha256, "kind": ref.get("kind"), "size": doc.size,
                         "media_type": doc.media_type, "name": doc.name})
    return protocol_hash({**body, "documents": resolved})


PLACEHOLDER = "0" * 64  # what a blank submit_protocol form starts with


def protocol_hash(body: dict[str, Any]) -> dict[str, Any]:
    """submit_protocol names its document by `document_sha256`: the protocol attached is that
    document (filled in when left blank); a different hash typed beside it is refused."""
    if body.get("type") != "submit_protocol":
        return body
    attached = [d["sha256"] for d in body["documents"] if d["kind"] == "protocol"]
    if not attached:
        return body
    typed = str(body.get("document_sha256") or PLACEHOLDER).lower()
    if typed not in (PLACEHOLDER, attached[0]):
        raise ApiError(422, "document_sha256_mismatch", f"document_sha256 ({typed}) is not the "
                       f"protocol attached ({attached[0]}): leave it blank or give its hash")
    return {**body, "document_sha256": attached[0]}


async def study_documents(store: DocumentStore, events: EventStore,
                          study_id: str) -> dict[str, Any]:
    """Every document of the study, attached by which fact, with its version history: for a
    protocol, an information form or a brochure, the version in force and the latest one."""
    trail = [{"seq": e.seq, "type": e.type, "data": e.data, "actor": e.actor, "role": e.role,
              "reason": e.reason, "at": e.recorded_at.isoformat()}
             for e in await events.read_stream(study_id)]
    return await history_with_uploads(store, trail)


async def history_with_uploads(store: DocumentStore,
                               trail: list[dict[str, Any]]) -> dict[str, Any]:
    """documents.history of the trail, each document with who uploaded it, when and why."""
    history = documents.history(trail)
    uploads: dict[str, dict[str, Any]] = {}
    for u in await store.uploads(sorted({d["sha256"] for d in history["documents"]})):
        uploads.setdefault(u["sha256"], {"uploaded_by": u["actor"], "uploaded_role": u["role"],
                                         "uploaded_at": u["at"].isoformat(),
                                         "upload_reason": u["reason"]})
    for d in history["documents"]:
        d.update(uploads.get(d["sha256"], {}))
    return history


async def record_read(events: EventStore, actor: Actor, doc: StoredDocument,
                      study_id: str | None) -> None:
    """Who read which document: an audit event (ICH E6(R3), 21 CFR 11.10(e))."""
    require_may_operate(actor, "read_documents")
    await operations.record(events, "DocumentRead", {**doc.public(), "study_id": study_id},
                            by=actor.name, role=actor.role.value,
                            reason=f"download of {doc.name}")
