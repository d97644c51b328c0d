"""/api/documents: upload (streamed), download (audited); /api/studies/{id}/documents."""

import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from domain.commands import PRINTABLE
from store.documents import CHUNK, DocumentStore

from .. import documents, dossier
from ..deps import AppSettings, CurrentActor, Reader, Store, require_may_operate
from ..engine import StudyNotFound
from ..errors import ApiError
from ..uploads import MultipartStream
from ..validation import whole_number

router = APIRouter(tags=["documents"])
SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def document_store(request: Request) -> DocumentStore:
    return request.app.state.documents


@router.post("/api/documents", status_code=201, summary="Upload a document (streamed)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "multipart/form-data": {"schema": {
                     "type": "object", "required": ["file", "kind", "reason"],
                     "properties": {
                         "file": {"type": "string", "format": "binary"},
                         "kind": {"type": "string", "example": "protocol"},
                         "reason": {"type": "string"}}}}}}})
async def upload(request: Request, actor: CurrentActor, store: Store,
                 settings: AppSettings) -> dict[str, Any]:
    """Stores the file once by its SHA-256 and answers `{"sha256", "size", "media_type",
    "name", "kind"}`; a command then references it as `"documents": [{"sha256", "kind"}]`.
    PDF, DOCX, ODT, XLSX, PNG, JPEG or TXT (read from the content: 415 otherwise), at most
    DOCUMENT_MAX_BYTES (413), a plain name and some content (422)."""
    length = whole_number(request.headers.get("content-length"))
    if length is not None and length > settings.document_max_bytes + 65536:
        raise ApiError(413, "document_too_large", f"the upload is larger than the limit of "
                       f"{settings.document_max_bytes} bytes (setting DOCUMENT_MAX_BYTES)")
    doc = await documents.upload(document_store(request), store, actor,
                                 MultipartStream(request), settings.document_max_bytes)
    return doc.public()


@router.get("/api/documents/{sha256}", summary="Download a document (the read is audited)",
            response_class=StreamingResponse)
async def download(sha256: str, request: Request, actor: CurrentActor, store: Store,
                   study: Annotated[str | None, Query(
                       pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
                       description="the study whose page the read comes from (audited)")] = None
                   ) -> StreamingResponse:
    require_may_operate(actor, "read_documents")
    if not SHA256.match(sha256):
        raise ApiError(422, "invalid_sha256", "a document is named by its SHA-256 (64 hex)")
    docs = document_store(request)
    doc = await docs.get(sha256)
    if doc is None:
        raise ApiError(404, "document_not_found", f"no stored document {sha256.lower()}")
    chunks = docs.read(doc.sha256)
    try:
        first = await anext(chunks)
    except (FileNotFoundError, StopAsyncIteration):
        raise ApiError(410, "document_missing", f"document {doc.sha256} ({doc.name}) is "
                       "recorded but its file is missing: studyflow audit verify") from None
    await documents.record_read(store, actor, doc, study)

    async def body() -> Any:
        yield first
        async for data in chunks:
            yield data

    return StreamingResponse(body(), media_type=doc.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc.name)}",
        "Content-Length": str(doc.size), "X-StudyFlow-Sha256": doc.sha256})


@router.get("/api/studies/{study_id}/documents",
            summary="A study's documents, with their versions (in force, latest)")
async def study_documents(study_id: str, request: Request, actor: CurrentActor, read: Reader,
                          store: Store) -> dict[str, Any]:
    require_may_operate(actor, "read_documents")
    if not await read.study_exists(study_id):
        raise StudyNotFound(study_id)
    return await documents.study_documents(document_store(request), store, study_id)


@router.get("/api/studies/{study_id}/dossier", summary="The study's inspection dossier (zip)",
            response_class=StreamingResponse,
            responses={200: {"content": {"application/zip": {}}}})
async def study_dossier(study_id: str, request: Request, actor: CurrentActor, read: Reader,
                        store: Store,
                        reason: Annotated[str, Query(min_length=1, max_length=500,
                                                     pattern=PRINTABLE)] =
                        "inspection dossier") -> StreamingResponse:
    """Every document in its version history, the audit trail (JSON lines, CSV), a PDF summary
    and a manifest with every hash; `studyflow dossier verify FILE.zip` checks it. The export
    is recorded in the audit."""
    require_may_operate(actor, "export_dossier")
    study = await read.get_study(study_id)
    if study is None:
        raise StudyNotFound(study_id)
    file = await dossier.build(store, document_store(request), study, actor, reason)

    async def body() -> Any:
        try:
            while data := file.read(CHUNK):
                yield data
        finally:
            file.close()

    return StreamingResponse(body(), media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="dossier-{study_id}.zip"'})
