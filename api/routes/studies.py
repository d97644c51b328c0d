"""/api/studies: create, list, read, send commands, audit trail, participants."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, Field

from .. import commands, documents, history, portfolio
from ..deps import AppSettings, CurrentActor, IdempotencyKey, Reader, Store, Temporal
from ..engine import StudyNotFound

router = APIRouter(prefix="/api/studies", tags=["studies"])

COMMAND_EXAMPLE = {"type": "assign_sponsor", "sponsor": "AP-HP", "reason": "sponsor agreed"}


class NewStudy(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    category: Literal["RIPH1", "RIPH2", "RIPH3", "NON_RIPH"]
    investigator: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class NewParticipant(BaseModel):
    code: str = Field(description="pseudonymous code in the unit's format (PARTICIPANT_CODE_"
                      "PATTERN, e.g. P-0001); never a name or an e-mail address")
    site: str | None = Field(None, description="the research site that includes them, by its "
                             "code (SITE_CODE_PATTERN); it must be active")
    majority_on: str | None = Field(None, description="a minor's 18th birthday (ISO date): "
                                    "re-consent falls due then")
    emergency: bool = Field(False, description="emergency inclusion, own consent deferred "
                            "(the protocol must provide for it)")
    reason: str = Field(min_length=1)


class BulkParticipants(BaseModel):
    items: list[dict[str, Any]] = Field(description="up to 500 participant commands, each "
                                        "with `type`, `code`, its fields, and optionally "
                                        "`reason` and `key` (applied once per key)")
    reason: str = Field(min_length=1, description="for the items without their own")


def _reply(response: Response, status_body: tuple[int, dict[str, Any]]) -> dict[str, Any]:
    response.status_code = status_body[0]
    return status_body[1]


@router.post("", status_code=201, summary="Create a study (draft)",
             openapi_extra={"requestBody": {"content": {"application/json": {
                 "schema": NewStudy.model_json_schema()}}, "required": True}})
async def create_study(actor: CurrentActor, read: Reader, client: Temporal,
                       settings: AppSettings, response: Response,
                       body: Annotated[dict[str, Any], Body()],
                       idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    return _reply(response, await commands.create_study(
        client, read, actor, body, idempotency_key, settings.temporal_task_queue))


@router.get("", summary="List studies, overdue first")
async def list_studies(actor: CurrentActor, read: Reader, state: str | None = None,
                       overdue: bool | None = None, category: str | None = None,
                       q: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 50,
                       offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0) -> dict[str, Any]:
    items, total = await read.list_studies(state=state, category=category, overdue=overdue,
                                           q_text=q, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


async def _study(read: Reader, study_id: str) -> dict[str, Any]:
    study = await read.get_study(study_id)
    if study is None:
        raise StudyNotFound(study_id)
    return study


@router.get("/{study_id}", summary="A study: state, steps, deadlines, participants")
async def get_study(study_id: str, actor: CurrentActor, read: Reader) -> dict[str, Any]:
    return await _study(read, study_id)


@router.post("/{study_id}/commands", summary="Send a study command",
             openapi_extra={"requestBody": {"content": {"application/json": {
                 "example": COMMAND_EXAMPLE}}, "required": True}})
async def study_command(study_id: str, request: Request, actor: CurrentActor, read: Reader,
                        client: Temporal, store: Store, response: Response,
                        settings: AppSettings,
                        body: Annotated[dict[str, Any], Body()],
                        idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """A study command; `{"type": "correct", "seq", "changes": {field: value}, "reason"}`
    corrects the fact recorded at audit `seq` (the role that recorded it, or an admin)."""
    if body.get("type") == "correct":
        body = await history.correction(store, actor, study_id, body)
    return _reply(response, await commands.study_command(
        client, read, actor, study_id, body, idempotency_key,
        site_pattern=settings.site_code_pattern,
        behind_percent=settings.recruitment_behind_percent,
        documents=request.app.state.documents,
        documents_required=settings.documents_required))


@router.post("/{study_id}/commands:batch", summary="Send dated commands together",
             openapi_extra={"requestBody": {"content": {"application/json": {"example": {
                 "reason": "history typed from the paper file", "commands": [
                     {"type": "submit_to_ethics", "committee": "CPP Est", "submitted_on":
                      "2026-01-05"},
                     {"type": "record_ethics_opinion", "opinion": "favourable",
                      "opinion_on": "2026-02-16"}]}}}, "required": True}})
async def study_batch(study_id: str, request: Request, actor: CurrentActor, read: Reader,
                      client: Temporal, response: Response, settings: AppSettings,
                      body: Annotated[dict[str, Any], Body()],
                      idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """`{"commands": [{"type", "reason"?, ...fields}], "reason"}`: applied in legal-date order,
    the clocks judged once at the end, so that no expiry is produced that the batch itself
    disproves; all of them or none (409 naming the index of the first refused command)."""
    if isinstance(body.get("commands"), list):  # each command's documents, as for one command
        body = {**body, "commands": [
            await documents.resolve(request.app.state.documents, c, False)
            if isinstance(c, dict) else c for c in body["commands"]]}
    return _reply(response, await history.batch(client, read, actor, study_id, body,
                                                idempotency_key,
                                                settings.participant_code_pattern,
                                                settings.site_code_pattern,
                                                settings.recruitment_behind_percent))


@router.get("/{study_id}/recruitment", summary="Recruitment against the plan, per site and in total")
async def recruitment(study_id: str, actor: CurrentActor, read: Reader) -> dict[str, Any]:
    """`{"target", "included", "by_site": [{"site", "target", "included", ...}], "curve": [{"on",
    "included", "planned", "withdrawn", "completed"}], "projected_target_on", ...}`: the target is
    the study's plan's (else the sum of its sites'); `included` counts every participant ever
    included (withdrawn ones too, shown apart); the curve has a point on each day something
    happened, up to today; `projected_target_on` is the day the target is reached at the rate
    seen since the plan started (the day it was reached, once it is)."""
    return await portfolio.recruitment(read, await _study(read, study_id))


@router.get("/{study_id}/events", summary="The study's audit trail, oldest first")
async def study_events(study_id: str, actor: CurrentActor, read: Reader) -> list[dict[str, Any]]:
    await _study(read, study_id)
    return await read.study_events(study_id)


@router.post("/{study_id}/participants", status_code=201, summary="Register a participant",
             openapi_extra={"requestBody": {"content": {"application/json": {
                 "schema": NewParticipant.model_json_schema()}}, "required": True}})
async def register_participant(study_id: str, actor: CurrentActor, read: Reader,
                               client: Temporal, response: Response, settings: AppSettings,
                               body: Annotated[dict[str, Any], Body()],
                               idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    status, answer = await commands.study_command(
        client, read, actor, study_id, {**body, "type": "register_participant"},
        idempotency_key, participant=body.get("code"),
        code_pattern=settings.participant_code_pattern, site_pattern=settings.site_code_pattern)
    response.status_code = 201 if status == 200 else status
    return answer


@router.get("/{study_id}/participants", summary="The study's participants, by code")
async def participants(study_id: str, actor: CurrentActor, read: Reader,
                       status: str | None = None,
                       after: Annotated[str, Query(max_length=64)] = "",
                       limit: Annotated[int | None, Query(ge=1, le=100_000)] = None
                       ) -> list[dict[str, Any]]:
    """Every participant, or a page of them: `status` filters, `after` (a code) and `limit`
    page through a large study."""
    await _study(read, study_id)
    return await read.participants(study_id, status=status, after=after, limit=limit)


@router.post("/{study_id}/participants/bulk", summary="Many participant commands at once",
             openapi_extra={"requestBody": {"content": {"application/json": {
                 "schema": BulkParticipants.model_json_schema()}}, "required": True}})
async def bulk_participants(study_id: str, actor: CurrentActor, read: Reader, client: Temporal,
                            settings: AppSettings,
                            body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Each item is applied once per `key` (a repeat answers `already_applied`); a bad item
    is `refused` with its reason and the good ones are applied."""
    return await commands.bulk(client, read, actor, study_id, body,
                               settings.participant_code_pattern, settings.site_code_pattern)


@router.post("/{study_id}/participants/{code}/commands", summary="Send a participant command")
async def participant_command(study_id: str, code: str, actor: CurrentActor, read: Reader,
                              client: Temporal, response: Response, settings: AppSettings,
                              body: Annotated[dict[str, Any], Body()],
                              idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    return _reply(response, await commands.study_command(
        client, read, actor, study_id, body, idempotency_key, participant=code,
        code_pattern=settings.participant_code_pattern, site_pattern=settings.site_code_pattern))
