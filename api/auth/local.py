"""Local accounts, for a unit without a directory: argon2id password hashes, the password
rules, TOTP second factor (RFC 6238) with its enrolment QR code, the lock-out after repeated
failures. 21 CFR 11.300: identification codes and passwords unique, checked, periodically
revised; attempts at unauthorized use detected and reported (the audit events)."""

import re
import secrets
import string
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from i18n import gettext as _
from settings import Settings
from store.accounts import Accounts

HASHER = PasswordHasher()  # argon2id, the library's RFC 9106 low-memory profile
# a hash to verify against when the account does not exist, so that an unknown name takes as
# long as a wrong password
_DUMMY = HASHER.hash(secrets.token_hex(16))
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
TOTP_WINDOW = 1  # one 30 s step either side: clocks of phones drift


def valid_name(name: str) -> bool:
    return bool(NAME.match(name))


def password_problems(password: str, settings: Settings, name: str = "") -> list[str]:
    """What the password rules find wrong with `password` (none: it may be used)."""
    problems = []
    if len(password) < settings.password_min_length:
        problems.append(_("at least {n} characters").format(n=settings.password_min_length))
    classes = sum(any(c in group for c in password) for group in (
        string.ascii_lowercase, string.ascii_uppercase, string.digits))
    classes += any(not c.isalnum() for c in password)
    if classes < 3:
        problems.append(_("three of: lower case, upper case, digits, symbols"))
    if name and name.lower() in password.lower():
        problems.append(_("not containing the account's name"))
    if len(set(password)) < 6:
        problems.append(_("at least 6 different characters"))
    return problems


def one_time_password() -> str:
    """A password to hand over once (it must be changed at the first sign-in): 4 groups of 5
    letters and digits, the rules met."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        groups = ["".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4)]
        candidate = "-".join(groups)
        if (any(c.isdigit() for c in candidate) and any(c.islower() for c in candidate)
                and any(c.isupper() for c in candidate)):
            return candidate


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


# --- TOTP -------------------------------------------------------------------------------------
def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, name: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as an inline SVG (no external image: the page's CSP allows none)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#111", light="#fff")


def totp_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step `code` is valid for (within the window), or None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    at = time.time() if now is None else now
    for offset in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
        moment = at + offset * totp.interval
        if secrets.compare_digest(totp.at(moment), code):
            return int(moment // totp.interval)
    return None


# --- checking a sign-in -----------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    ok: bool
    account: dict[str, Any] | None
    problem: str = ""  # for the audit: unknown_account | disabled | locked | wrong_password ...
    locked_now: bool = False  # this failure locked the account


def is_locked(account: dict[str, Any]) -> bool:
    until = account.get("locked_until")
    return until is not None and until > datetime.now(UTC)


async def check_password(accounts: Accounts, settings: Settings, name: str,
                         password: str) -> Check:
    account = await accounts.get(name) if valid_name(name) else None
    usable = account is not None and account["kind"] == "local"
    right = verify_password(account["password_hash"] if usable and account else None, password)
    if account is None or not usable:
        return Check(False, None, "unknown_account")
    if account["disabled_at"] is not None:
        return Check(False, account, "disabled")
    if is_locked(account):
        return Check(False, account, "locked")
    if not right:
        return await _failed(accounts, settings, account, "wrong_password")
    return Check(True, account)


async def check_totp(accounts: Accounts, settings: Settings, account: dict[str, Any],
                     code: str, secret: str | None = None) -> Check:
    """The code against the account's secret (or the `secret` being enrolled); a code is taken
    once."""
    if is_locked(account):
        return Check(False, account, "locked")
    key = secret or account.get("totp_secret")
    step = totp_step(key, code) if key else None
    if step is None or not await accounts.use_totp_step(account["actor"], step):
        return await _failed(accounts, settings, account, "wrong_code")
    return Check(True, account)


async def _failed(accounts: Accounts, settings: Settings, account: dict[str, Any],
                  problem: str) -> Check:
    after = await accounts.failed(account["actor"], settings.lockout_threshold,
                                  timedelta(minutes=settings.lockout_minutes))
    locked_now = after["failed_attempts"] >= settings.lockout_threshold
    return Check(False, after, problem, locked_now=locked_now)
