"""Sign-in, sessions and signatures: local accounts (local.py), OpenID Connect (oidc.py),
server-side web sessions and CSRF (sessions.py), electronic signatures (signatures.py); the
pages and endpoints are in api/routes/auth.py."""

from fastapi import Request

from domain import Actor, Role
from store import ReadModels
from store.accounts import Accounts

from . import signatures


async def bearer_actor(request: Request, read: ReadModels, token: str) -> Actor | None:
    """The holder of a bearer token, with what it may sign bound to the request."""
    resolved = await Accounts(read.pool).resolve_token(token) if token else None
    if resolved is None:
        return None
    settings = request.app.state.settings
    signatures.bind(signatures.for_token(resolved.actor, resolved.printed_name,
                                         resolved.scopes, resolved.created_at,
                                         settings.signatures_required,
                                         settings.sign_max_age_seconds))
    return Actor(name=resolved.actor, role=Role(resolved.role))
