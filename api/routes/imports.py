"""/api/imports: bringing running studies in with their dated history."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from .. import history
from ..deps import AppSettings, CurrentActor, Reader, Temporal
from ..errors import ApiError

router = APIRouter(prefix="/api/imports", tags=["imports"])
MAX_BYTES = 20 * 1024 * 1024
CSV_EXAMPLE = ("reference,title,category,investigator,protocol_version,protocol_sha256,sponsor,"
               "ethics_submitted_on,ethics_committee,ethics_opinion_on,ethics_opinion\n"
               "2024-A01977-31,NEURO-OBS,RIPH3,Dr Leroy,1.0," + "ab" * 32
               + ",CHU,2024-05-13,CPP Est III,2024-06-24,favourable\n")


@router.post("/studies", summary="Bring running studies in with their dated history",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
                 "application/x-ndjson": {"schema": {"type": "string"}},
                 "application/json": {"schema": {"type": "object", "properties": {
                     "content": {"type": "string"}, "name": {"type": "string"},
                     "reason": {"type": "string"}}, "required": ["content"]}}}}})
async def import_studies(request: Request, actor: CurrentActor, read: Reader, client: Temporal,
                         settings: AppSettings,
                         name: Annotated[str, Query(max_length=255)] = "",
                         reason: Annotated[str, Query(max_length=500)] = "",
                         ) -> dict[str, Any]:
    """The body is the file's content: CSV (one study per row, its dated milestones) or JSON
    lines (one study per line with its dated commands), as documented in the README with
    examples under docs/examples/; or JSON `{"content", "name", "reason"}`. Each study is keyed
    by its `reference`: a re-run imports nothing twice. One report line per line of the file."""
    raw = await request.body()
    if len(raw) > MAX_BYTES:
        raise ApiError(413, "too_large", f"at most {MAX_BYTES // 2**20} MiB per import")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(422, "invalid_input", "the file must be UTF-8 text") from None
    content = text
    if request.headers.get("content-type", "").startswith("application/json"):
        body = _json_body(text)
        content, name = str(body.get("content") or ""), str(body.get("name") or name)
        reason = str(body.get("reason") or reason)
    if not content.strip():
        raise ApiError(422, "invalid_input", "the import is empty")
    return await history.import_studies(client, read, actor, content, name, reason,
                                        settings.participant_code_pattern,
                                        settings.temporal_task_queue)


def _json_body(text: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except json.JSONDecodeError as e:
        raise ApiError(422, "invalid_input", f"invalid JSON: {e}") from None
    if not isinstance(body, dict):
        raise ApiError(422, "invalid_input", 'a JSON body is {"content", "name", "reason"}')
    return body

