"""What an administrator does to accounts (the `studyflow user` commands): create, disable,
enable, reset, change a role; each an event of the operations stream with who, why and when
(21 CFR 11.300(b): identification codes checked, recalled and revised)."""

from dataclasses import dataclass
from typing import Any

import asyncpg

from domain import Role
from i18n import reasons
from settings import Settings
from store import EventStore, operations
from store.accounts import Accounts

from . import local


class AccountError(Exception):
    pass


@dataclass(frozen=True)
class Created:
    actor: str
    password: str  # one-time: changed at the first sign-in


async def _record(pool: asyncpg.Pool, type: str, data: dict[str, Any], by: str,
                  reason: str) -> None:
    await operations.record(EventStore(pool), type, data, by=by, reason=reason)


async def create_local(pool: asyncpg.Pool, settings: Settings, actor: str, role: str, *,
                       email: str | None, printed_name: str | None, by: str, reason: str,
                       password: str | None = None) -> Created:
    """A local account with a one-time password (or `password`, which must meet the rules and
    is not one-time: the demo's)."""
    if not local.valid_name(actor):
        raise AccountError(f"{actor!r} is not a valid account name (2 to 64 letters, digits, "
                           "'.', '_', '-', '@', starting with a letter or digit)")
    Role(role)
    accounts = Accounts(pool)
    if await accounts.get(actor) is not None:
        raise AccountError(f"an account named {actor!r} exists already")
    if password is not None and (problems := local.password_problems(password, settings, actor)):
        raise AccountError("the password needs: " + "; ".join(problems))
    secret = password or local.one_time_password()
    await accounts.create(actor, role, kind="local", printed_name=printed_name or actor,
                          email=email, password_hash=local.hash_password(secret),
                          one_time=password is None)
    await _record(pool, "AccountCreated", {"account": actor, "kind": "local", "role": role,
                                           "email": email}, by, reason)
    return Created(actor, secret)


async def disable(pool: asyncpg.Pool, actor: str, *, by: str, reason: str) -> None:
    if not await Accounts(pool).disable(actor, reason):
        raise AccountError(f"no enabled account named {actor!r}")
    await _record(pool, "AccountDisabled", {"account": actor}, by, reason)


async def enable(pool: asyncpg.Pool, actor: str, *, by: str, reason: str) -> None:
    if not await Accounts(pool).enable(actor):
        raise AccountError(f"no account named {actor!r}")
    await _record(pool, "AccountEnabled", {"account": actor}, by, reason)


async def reset(pool: asyncpg.Pool, actor: str, *, keep_totp: bool, by: str,
                reason: str) -> str:
    """A new one-time password (the account unlocked); the second factor enrolled again at the
    next sign-in unless `keep_totp`. The account's sessions end."""
    accounts = Accounts(pool)
    account = await accounts.get(actor)
    if account is None or account["kind"] != "local":
        raise AccountError(f"no local account named {actor!r}")
    secret = local.one_time_password()
    await accounts.set_password(actor, local.hash_password(secret), one_time=True)
    if not keep_totp:
        await accounts.set_totp(actor, None)
    await accounts.close_sessions(actor)
    await _record(pool, "PasswordReset", {"account": actor, "totp_reset": not keep_totp},
                  by, reason)
    return secret


async def set_role(pool: asyncpg.Pool, actor: str, role: str, *, by: str, reason: str) -> str:
    Role(role)
    accounts = Accounts(pool)
    account = await accounts.get(actor)
    if account is None:
        raise AccountError(f"no account named {actor!r}")
    if account["role"] == role:
        return role
    await accounts.set_role(actor, role)
    await accounts.close_sessions(actor)  # the new role applies from the next sign-in
    await _record(pool, "RoleChanged", {"account": actor, "from": account["role"], "to": role,
                                        "source": "administrator"}, by, reason)
    return role


async def demo_account(pool: asyncpg.Pool, settings: Settings, actor: str, role: str,
                       printed_name: str) -> str:
    """The demo's local account: created the first time, given a new password every run (a
    usable one, not one-time: the demo prints it); returns the password."""
    password = local.one_time_password()
    if await Accounts(pool).get(actor) is None:
        await create_local(pool, settings, actor, role, email=None, printed_name=printed_name,
                           by="studyflow demo", reason=reasons.DEMO_PERSON, password=password)
        return password
    await Accounts(pool).set_password(actor, local.hash_password(password), one_time=False)
    await _record(pool, "PasswordReset", {"account": actor, "totp_reset": False},
                  "studyflow demo", "the demo prints a new password at each run")
    return password
