"""`studyflow user`: local accounts for a unit without a directory (create, disable, enable,
reset, role, list). Each action is an event of the operations stream."""

from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import DEFAULT_DIR, DataDir, _, fail, unknown_role
from cli.servers import ROLES, Operator, login_name, settings_for, with_database
from i18n import reasons

app = typer.Typer(help="People's accounts (local accounts: argon2 password, TOTP second "
                  "factor).", no_args_is_help=True)


def _run(data_dir: Path, body: Any) -> Any:
    from api.auth.admin import AccountError

    try:
        return with_database(data_dir, body)
    except AccountError as e:
        fail(str(e), 1)


@app.command("create")
def create(actor: Annotated[str, typer.Option(help="The account's name (what events carry).")],
           role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
           email: Annotated[str | None, typer.Option(help="For notifications.")] = None,
           name: Annotated[str | None, typer.Option(
               help="The printed name signatures carry (default: the account's name).")] = None,
           by: Operator = "",
           reason: Annotated[str, typer.Option(help="Why (goes to the audit).")] = reasons.ACCOUNT_CREATED,
           data_dir: DataDir = DEFAULT_DIR) -> None:
    """Create a local account; print its one-time password (only that, on one line): it is
    changed at the first sign-in, then the second factor is enrolled."""
    from api.auth import admin

    if role not in ROLES:
        unknown_role(role)
    created = _run(data_dir, lambda pool: admin.create_local(
        pool, settings_for(data_dir), actor.strip(), role, email=email, printed_name=name,
        by=by or login_name(), reason=reason))
    print(created.password)


@app.command("disable")
def disable(actor: Annotated[str, typer.Argument(help="The account's name.")],
            reason: Annotated[str, typer.Option(help="Why (goes to the audit).")],
            by: Operator = "", data_dir: DataDir = DEFAULT_DIR) -> None:
    """Disable an account at once: its sessions and tokens end; its history stays."""
    from api.auth import admin

    _run(data_dir, lambda pool: admin.disable(pool, actor, by=by or login_name(), reason=reason))
    typer.echo(_("disabled {actor}").format(actor=actor), err=True)


@app.command("enable")
def enable(actor: Annotated[str, typer.Argument(help="The account's name.")],
           reason: Annotated[str, typer.Option(help="Why (goes to the audit).")],
           by: Operator = "", data_dir: DataDir = DEFAULT_DIR) -> None:
    """Enable a disabled (or locked) account again."""
    from api.auth import admin

    _run(data_dir, lambda pool: admin.enable(pool, actor, by=by or login_name(), reason=reason))
    typer.echo(_("enabled {actor}").format(actor=actor), err=True)


@app.command("reset")
def reset(actor: Annotated[str, typer.Argument(help="The account's name.")],
          reason: Annotated[str, typer.Option(help="Why (goes to the audit).")] = reasons.PASSWORD_RESET,
          keep_totp: Annotated[bool, typer.Option(
              help="Keep the enrolled second factor (default: enrol again).")] = False,
          by: Operator = "", data_dir: DataDir = DEFAULT_DIR) -> None:
    """Print a new one-time password for a local account (unlocked, its sessions ended)."""
    from api.auth import admin

    print(_run(data_dir, lambda pool: admin.reset(pool, actor, keep_totp=keep_totp,
                                                  by=by or login_name(), reason=reason)))


@app.command("role")
def role_cmd(actor: Annotated[str, typer.Argument(help="The account's name.")],
             role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
             reason: Annotated[str, typer.Option(help="Why (goes to the audit).")],
             by: Operator = "", data_dir: DataDir = DEFAULT_DIR) -> None:
    """Change an account's role (a directory account's role follows its groups instead)."""
    from api.auth import admin

    if role not in ROLES:
        unknown_role(role)
    _run(data_dir, lambda pool: admin.set_role(pool, actor, role, by=by or login_name(), reason=reason))
    from api import words

    typer.echo(_("{actor} is now {role}").format(actor=actor, role=words.role(role)), err=True)


@app.command("list")
def list_cmd(data_dir: DataDir = DEFAULT_DIR) -> None:
    """Every account: kind, role, second factor, locked or disabled."""
    from api import words
    from i18n import N_, format_datetime
    from store.accounts import Accounts

    from .common import table, yes

    rows = _run(data_dir, lambda pool: Accounts(pool).all())
    states = {"disabled": N_("disabled"), "locked": N_("locked"), "active": N_("active")}
    table((N_("account"), N_("name"), N_("kind"), N_("role"), N_("2FA"), N_("state"),
           N_("last sign-in")),
          [(r["actor"], r["printed_name"], r["kind"], words.role(r["role"]),
            yes(r["totp_secret"]) or _("no"),
            _(states["disabled" if r["disabled_at"] else "locked" if r["locked_until"]
                     and r["failed_attempts"] else "active"]),
            format_datetime(r["last_sign_in_at"]) if r["last_sign_in_at"] else "")
           for r in rows])
