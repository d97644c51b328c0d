"""Calendar feeds: the caller's secret feed URL (GET /api/calendar/feed-url), its revocation,
and the feed itself (GET /calendar/{token}.ics: the URL is the credential, no bearer token)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response

import i18n
from i18n import reasons
from store import EventStore, operations

from .. import calendar
from ..deps import CurrentActor, Reader, Store, require_may_operate, require_reason
from ..errors import ApiError

router = APIRouter(tags=["calendar"])
Scope = Annotated[Literal["person", "unit"], Query(description="`person`: the caller's own "
                  "deadlines and tasks; `unit`: every open deadline of the unit (its managers)")]


def _secret(request: Request) -> bytes:
    secret: bytes = request.app.state.secret
    return secret


async def feed_url(request: Request, actor: Any, read: Any, store: EventStore,
                   scope: str) -> dict[str, Any]:
    """The caller's live feed of `scope` (made, and its issue audited, on first asking)."""
    if scope == "unit":
        require_may_operate(actor, "unit_calendar")
    feed = await read.calendar.live(actor.name, actor.role.value, scope)
    if feed.get("new"):
        await operations.record(store, "CalendarFeedIssued", {
            "feed_id": feed["id"][:8], "actor": actor.name, "role": actor.role.value,
            "scope": scope}, by=actor.name, role=actor.role.value, reason=reasons.CALENDAR_FEED)
    return calendar.feed_urls(str(request.base_url), _secret(request), feed)


@router.get("/api/calendar/feed-url", summary="The caller's secret calendar feed URL")
async def get_feed_url(request: Request, actor: CurrentActor, read: Reader, store: Store,
                       scope: Scope = "person") -> dict[str, Any]:
    """`{"url", "webcal_url", "scope", ...}`: an iCalendar feed (text/calendar) with one event per
    open deadline and task of the caller's role, for Outlook, Thunderbird or a phone to subscribe
    to. Keep the URL secret: it is the credential. The same URL until it is revoked
    (`POST /api/calendar/revoke`)."""
    return await feed_url(request, actor, read, store, scope)


@router.post("/api/calendar/revoke", summary="Revoke the caller's calendar feed URLs")
async def revoke(actor: CurrentActor, read: Reader, store: Store,
                 body: Annotated[dict[str, Any], Body(examples=[{"reason": "URL shared by mistake"}])]
                 ) -> dict[str, Any]:
    """`{"reason", "scope"?}`: the caller's live feed URLs (of that scope, or all) stop at once;
    asking for the URL again gives a new one."""
    reason = require_reason(body)
    scope = body.get("scope")
    if scope is not None and scope not in calendar.SCOPES:
        raise ApiError(422, "invalid_input", f"scope: one of {', '.join(calendar.SCOPES)}")
    revoked = await read.calendar.revoke(actor.name, actor.role.value, scope)
    if revoked:
        await operations.record(store, "CalendarFeedRevoked", {
            "actor": actor.name, "role": actor.role.value, "scopes": revoked},
            by=actor.name, role=actor.role.value, reason=reason)
    return {"revoked": revoked}


@router.get("/calendar/{token}.ics", include_in_schema=False)
async def feed(token: str, request: Request, read: Reader) -> Response:
    feed_id = calendar.feed_id_of(_secret(request), token)
    live = await read.calendar.serving(feed_id) if feed_id else None
    if live is None:
        raise ApiError(404, "not_found", "no such calendar feed (revoked, or never issued)")
    # in the unit's LANGUAGE: a calendar client's Accept-Language is no reader's choice
    body = calendar.render(live, await calendar.items(read, live), str(request.base_url),
                           language=i18n.unit_language())
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Cache-Control": "private, max-age=300",
        "Content-Disposition": 'inline; filename="studyflow.ics"'})
