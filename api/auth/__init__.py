"""Sign-in, sessions and signatures: local accounts (local.py), OpenID Connect (oidc.py),
server-side web sessions and CSRF (sessions.py), electronic signatures (signatures.py); the
pages and endpoints are in api/routes/auth.py."""

from fastapi import Request

from domain import Actor, Role
from store import ReadModels
from store.accounts import Accounts, digest

from . import signatures
from .cache import TokenCache


async def bearer_actor(request: Request, read: ReadModels, token: str) -> Actor | None:
    """The holder of a bearer token, with what it may sign bound to the request; resolved from
    the process's cache of recent tokens when it holds it (cache.py)."""
    if not token:
        return None
    cache: TokenCache = request.app.state.token_cache
    key = digest(token)
    resolved = cache.get(key)
    if resolved is None:
        generation = cache.generation
        resolved = await Accounts(read.pool).resolve_token(token)
        if resolved is None:
            return None
        cache.put(key, resolved, generation)
    settings = request.app.state.settings
    signatures.bind(signatures.for_token(resolved.actor, resolved.printed_name,
                                         resolved.scopes, resolved.created_at,
                                         settings.signatures_required,
                                         settings.sign_max_age_seconds))
    return Actor(name=resolved.actor, role=Role(resolved.role))
