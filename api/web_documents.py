"""The study page's documents: the section (templates/_documents.html), the file a sign-off
form takes (templates/_document_field.html), the download and the dossier for a signed-in
person. The JSON API's rules and audit apply unchanged (api/documents.py)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from domain import Actor, may_operate
from domain.regulation import DOCUMENT_RULES, INVESTIGATOR_FILE
from i18n import gettext as _
from store.documents import CHUNK, DocumentStore

from . import documents
from .pages import page_actor
from .routes import documents as document_routes

router = APIRouter(include_in_schema=False)
FILE_FIELD, KIND_FIELD = "document", "document_kind"
# the references of a file already uploaded, carried through a re-authentication's round trip
REFS_FIELD = "document_refs"


def encode_refs(refs: list[dict[str, str]]) -> str:
    return ",".join(f"{r['kind']}:{r['sha256']}" for r in refs)


def decode_refs(value: Any) -> list[dict[str, str]]:
    """`kind:sha256,...` back to references (anything else is left for the rules to refuse)."""
    if not isinstance(value, str) or not value:
        return []
    refs = []
    for item in value.split(","):
        kind, _, sha = item.partition(":")
        refs.append({"kind": kind, "sha256": sha})
    return refs


def kinds_for(command_type: str) -> list[str]:
    """The document kinds a command's form offers, the required ones first."""
    rule = DOCUMENT_RULES.get(command_type)
    if rule is None:
        return []
    return sorted((k.value for k in rule.accepts), key=lambda k: (k not in rule.requires, k))


async def section(request: Request, actor: Actor, events: list[dict[str, Any]]
                  ) -> dict[str, Any]:
    """What _documents.html shows."""
    store: DocumentStore = request.app.state.documents
    history = await documents.history_with_uploads(store, events)
    return {**history, "may_read": may_operate(actor.role, "read_documents"),
            "may_dossier": may_operate(actor.role, "export_dossier"),
            "investigator_file": _(INVESTIGATOR_FILE)}


async def _chunks(file: UploadFile) -> Any:
    while data := await file.read(CHUNK):
        yield data


def take_file(form: dict[str, Any]) -> tuple[UploadFile | None, str]:
    """The file a sign-off form carries and its kind, taken out of the form's fields (they are
    not command fields)."""
    file = form.pop(FILE_FIELD, None)
    kind = str(form.pop(KIND_FIELD, "") or "")
    return (file if isinstance(file, UploadFile) and file.filename else None), kind


async def attach(request: Request, actor: Actor, taken: tuple[UploadFile | None, str],
                 reason: str) -> list[dict[str, str]]:
    """The form's file uploaded, as the command's reference; [] when it has none."""
    file, kind = taken
    if file is None:
        return []
    settings = request.app.state.settings
    doc = await documents.upload_stream(request.app.state.documents,
                                        request.app.state.event_store, actor, _chunks(file),
                                        file.filename, kind, reason,
                                        settings.document_max_bytes)
    return [{"sha256": doc.sha256, "kind": doc.kind}]


@router.get("/studies/{study_id}/documents/{sha256}")
async def download(request: Request, study_id: str, sha256: str) -> Response:
    actor = await page_actor(request)
    return await document_routes.download(sha256, request, actor,
                                          request.app.state.event_store, study=study_id)


@router.get("/studies/{study_id}/dossier")
async def dossier(request: Request, study_id: str) -> Response:
    actor = await page_actor(request)
    return await document_routes.study_dossier(
        study_id, request, actor, request.app.state.read_models,
        request.app.state.event_store, reason="inspection dossier (web)")

