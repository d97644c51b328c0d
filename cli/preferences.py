"""`studyflow preferences`: the caller's notification preferences (e-mail, daily digest)."""

from typing import Annotated

import typer

from cli.common import DEFAULT_DIR, DataDir, Token, api, show

app = typer.Typer(help="Your notification preferences (e-mail, daily digest).",
                  no_args_is_help=True)


@app.command("show")
def preferences_show(token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Who the token is for, and how they hear of notifications."""
    show(api(data_dir, token, "GET", "/api/me"))


@app.command("set")
def preferences_set(email: Annotated[str | None, typer.Option(help="Where mails go.")] = None,
                    digest: Annotated[bool, typer.Option(
                        help="Routine notices in one daily mail (--no-digest: one by one).")] = True,
                    token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Set your e-mail address and whether routine notices come as a daily digest. Urgent ones
    (escalations, tacit decisions) always come at once."""
    show(api(data_dir, token, "PUT", "/api/me/preferences", {"email": email, "digest": digest}))
