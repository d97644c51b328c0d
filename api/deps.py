"""Dependencies of the routes: the services on app.state, the caller from the bearer token,
the role check against the domain's table."""

import re
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from temporalio.client import Client

from domain import Actor, Role, may_operate, may_send
from domain.catalogue import COMMAND_ROLES
from domain.commands import PRINTABLE
from settings import Settings
from store import EventStore, ReadModels

from . import words
from .auth import bearer_actor, signatures
from .errors import ApiError
from .ratelimit import FailureLimiter


# The app's singletons. `async` though they never wait: FastAPI runs a plain `def` dependency in
# a thread pool, a thread hop per dependency per request.
async def read_models(request: Request) -> ReadModels:
    return request.app.state.read_models


async def event_store(request: Request) -> EventStore:
    return request.app.state.event_store


async def temporal(request: Request) -> Client:
    return request.app.state.temporal


async def settings(request: Request) -> Settings:
    return request.app.state.settings


async def token_actor(token: str, read: ReadModels) -> Actor | None:
    resolved = await read.resolve_token(token)
    if not resolved:
        return None
    name, role = resolved
    return Actor(name=name, role=Role(role))


async def authenticate(request: Request, read: ReadModels, token: str) -> Actor | None:
    """The token's holder; a client that keeps presenting bad tokens is refused for a while
    (429), whatever it presents next."""
    limiter: FailureLimiter = request.app.state.login_limiter
    client = request.client.host if request.client else "?"
    if wait := limiter.retry_after(client):
        raise ApiError(429, "too_many_attempts", f"too many failed logins from {client}: "
                       f"try again in {wait} s", retry_after=wait)
    signatures.bind(None)
    actor = await bearer_actor(request, read, token)
    if actor is None:
        limiter.failed(client)
    return actor


async def current_actor(request: Request,
                        read: Annotated[ReadModels, Depends(read_models)],
                        authorization: Annotated[str | None, Header()] = None) -> Actor:
    scheme, _, token = (authorization or "").partition(" ")
    actor = await authenticate(request, read, token.strip()) if scheme.lower() == "bearer" \
        else None
    if actor is None:
        raise ApiError(401, "unauthorized", "a valid bearer token is required "
                       "(Authorization: Bearer TOKEN)")
    return actor


def require_may_send(actor: Actor, command_type: str) -> None:
    """A 403 that names the roles that may send the command."""
    if not may_send(actor.role, command_type):
        allowed = sorted(r.value for r in COMMAND_ROLES.get(command_type, frozenset()))
        raise ApiError(403, "forbidden", words.may_not_send(actor.role.value, command_type, allowed),
                       worded=True, allowed_roles=allowed)


def require_may_operate(actor: Actor, action: str) -> None:
    if not may_operate(actor.role, action):
        raise ApiError(403, "forbidden", f"a {actor.role.value} may not {action.replace('_', ' ')}")


def require_reason(body: dict[str, Any]) -> str:
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ApiError(422, "reason_required",
                       "a state-changing call needs a non-empty reason (it goes to the audit)")
    if len(reason) > 2000 or not re.match(PRINTABLE, reason):
        raise ApiError(422, "invalid_reason", "the reason must be printable text of at most "
                       "2000 characters")
    return reason.strip()


Reader = Annotated[ReadModels, Depends(read_models)]
Store = Annotated[EventStore, Depends(event_store)]
Temporal = Annotated[Client, Depends(temporal)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
AppSettings = Annotated[Settings, Depends(settings)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
