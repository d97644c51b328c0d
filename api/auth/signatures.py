"""Who may sign the command being sent, and the signature's manifestation when they do.

The credential a request came with decides: a bearer token scoped `sign` at most
SIGN_MAX_AGE_SECONDS old, or a web session whose person authenticated again on the signing
form (password and TOTP code; a new OpenID Connect authentication checked through its
`auth_time`). It is bound to the request in a context variable by the dependency that
authenticated the caller (api/deps.py for bearer tokens, api/web.py for sessions), and read
where each command is built (api/commands.py, api/history.py), so that no channel that sends a
regulatory fact can forget to sign it or to refuse it unsigned."""

from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.signatures import Method, manifestation, needs_signature

from ..errors import ApiError

SIGN_SCOPE = "sign"


@dataclass(frozen=True)
class Signing:
    actor: str
    printed_name: str
    required: bool  # an unsigned regulatory fact is refused
    method: Method | None = None  # how the signer authenticated again; None: not fresh
    authenticated_at: datetime | None = None
    max_age: timedelta = timedelta(minutes=5)
    why_not: str = ""  # said when a signature is required and this credential cannot give it

    def fresh(self, now: datetime) -> bool:
        return (self.method is not None and self.authenticated_at is not None
                and timedelta(seconds=-5) <= now - self.authenticated_at <= self.max_age)

    def signature(self, command_type: str, now: datetime | None = None) -> dict[str, Any] | None:
        """The manifestation to keep with `command_type`'s events; None when it records no
        regulatory fact (or when unsigned facts are accepted and no signature was given);
        403 `signature_required` when it must be signed and cannot be."""
        if not needs_signature(command_type):
            return None
        at = now or datetime.now(UTC)
        if not self.fresh(at):
            if self.required:
                raise ApiError(403, "signature_required",
                               f"{command_type} records a regulatory fact: it must be signed "
                               f"({self.why_not or 'authenticate again to sign'})")
            return None
        assert self.method is not None
        return manifestation(command_type, actor=self.actor, printed_name=self.printed_name,
                             at=at, method=self.method).model_dump(mode="json")


_CURRENT: ContextVar[Signing | None] = ContextVar("studyflow_signing", default=None)


def bind(signing: Signing | None) -> None:
    _CURRENT.set(signing)


def current() -> Signing | None:
    return _CURRENT.get()


def signature_for(command_type: str) -> dict[str, Any] | None:
    """The signature of the command being sent by this request (see the module's doc); with no
    credential bound (a caller inside the process), none."""
    signing = _CURRENT.get()
    return signing.signature(command_type) if signing else None


def with_fresh(signing: Signing, method: Method, at: datetime) -> Signing:
    return replace(signing, method=method, authenticated_at=at)


def for_token(actor: str, printed_name: str, scopes: tuple[str, ...], created_at: datetime,
              required: bool, max_age_seconds: int) -> Signing:
    """A bearer token signs if it is scoped `sign` (made on a fresh authentication) and young."""
    max_age = timedelta(seconds=max_age_seconds)
    if SIGN_SCOPE in scopes:
        return Signing(actor, printed_name, required, "sign-token", created_at, max_age,
                       why_not=f"this sign token is older than {max_age_seconds} s: "
                               "ask for a new one (POST /api/auth/sign-token)")
    return Signing(actor, printed_name, required, max_age=max_age,
                   why_not="send it with a token scoped `sign`, at most "
                           f"{max_age_seconds} s old (POST /api/auth/sign-token)")
