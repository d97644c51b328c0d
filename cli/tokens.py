"""`studyflow token`: bearer tokens (stored hashed): create, list, revoke; each an event of the
operations stream."""

from typing import Annotated

import typer

from cli.common import DEFAULT_DIR, DataDir, _, console, fail, table, unknown_role
from cli.servers import ROLES, Operator, Reason, login_name, with_database
from i18n import N_, reasons

app = typer.Typer(help="Bearer tokens (stored hashed).", no_args_is_help=True)


@app.command("create")
def token_create(actor: Annotated[str, typer.Option(help="Who the token is for.")],
                 role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
                 expires_in_days: Annotated[float | None, typer.Option(
                     help="Valid for this many days (default: until revoked).")] = None,
                 by: Operator = "", reason: Reason = reasons.TOKEN_ISSUED,
                 data_dir: DataDir = DEFAULT_DIR) -> None:
    """Print a new bearer token (only the token) for ACTOR with ROLE."""
    from datetime import UTC, datetime, timedelta

    from store import EventStore, operations

    if role not in ROLES:
        unknown_role(role)
    if not actor.strip():
        fail(_("the actor name is empty"))
    if expires_in_days is not None and expires_in_days <= 0:
        fail(_("--expires-in-days must be positive"))
    expires = (datetime.now(UTC) + timedelta(days=expires_in_days)) if expires_in_days else None
    token = with_database(data_dir, lambda pool: operations.issue_token(
        EventStore(pool), actor, role, expires, by=by or login_name(), reason=reason))
    print(token)


@app.command("list")
def token_list(data_dir: DataDir = DEFAULT_DIR) -> None:
    """Every token: its id (never the token), holder, role, expiry, revocation."""
    from api import words
    from i18n import format_datetime as dt
    from store import EventStore, operations

    rows = with_database(data_dir, lambda pool: operations.list_tokens(EventStore(pool)))
    table((N_("id"), N_("actor"), N_("role"), N_("created"), N_("expires"), N_("revoked")),
          [(r["token_id"], r["actor"], words.role(r["role"]), dt(r["created_at"]),
            dt(r["expires_at"]) if r["expires_at"] else "",
            dt(r["revoked_at"]) if r["revoked_at"] else "") for r in rows])


@app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="The id `token list` shows.")],
                 reason: Reason, by: Operator = "", data_dir: DataDir = DEFAULT_DIR) -> None:
    """Revoke a token at once; the revocation is an audit event."""
    from api import words
    from store import EventStore, operations

    if len(token_id) < 8:
        fail(_("give at least 8 characters of the token id"))
    try:
        row = with_database(data_dir, lambda pool: operations.revoke_token(
            EventStore(pool), token_id, by=by or login_name(), reason=reason))
    except LookupError as e:
        fail(str(e))
    console.print(_("revoked {token_id} ({actor}, {role})").format(
        token_id=token_id, actor=row["actor"], role=words.role(row["role"])), soft_wrap=True)
