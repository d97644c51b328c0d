"""What every command group shares: the options, the error exit, and the HTTP API of the
running stack (the CLI's only way to studies: the same rules, roles and audit as the API)."""

import contextlib
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

from i18n import N_, reasons

console = Console(stderr=True)
DataDir = Annotated[Path, typer.Option("--data-dir", help="Where the embedded servers keep "
                                       "their data.", envvar="STUDYFLOW_DATA_DIR")]
DEFAULT_DIR = Path(".studyflow")
Token = Annotated[str | None, typer.Option(envvar="STUDYFLOW_TOKEN", help="Bearer token.")]


def _(message: str) -> str:
    """`message` (an English msgid) in the unit's LANGUAGE: every line the CLI prints goes
    through the same catalogues as the pages (`make translations` extracts these calls too)."""
    from i18n import gettext

    speak()
    return gettext(message)


# a line of `--help` that names a command type and its fields (command_help): codes
_COMMAND_LINE = re.compile(r"^[a-z_]+: ")


def help_paragraphs(command: Any) -> Iterator[tuple[Any, str, list[str]]]:
    """Every help text of a command tree: (holder, attribute, its paragraphs); a paragraph
    naming a command type and its fields is code, not words, and is left out."""
    for holder in (command, *command.params):
        for attribute in ("help", "short_help"):
            text = getattr(holder, attribute, None)
            if isinstance(text, str) and text:
                yield holder, attribute, text.split("\n\n")
    for sub in getattr(command, "commands", {}).values():
        yield from help_paragraphs(sub)


def words_of(paragraph: str) -> bool:
    return bool(paragraph.strip()) and not _COMMAND_LINE.match(paragraph)


# the words Typer frames a `--help` with (typer.rich_utils), set in the unit's language
FRAME = {"ARGUMENTS_PANEL_TITLE": N_("Arguments"), "OPTIONS_PANEL_TITLE": N_("Options"),
         "COMMANDS_PANEL_TITLE": N_("Commands"), "ERRORS_PANEL_TITLE": N_("Error"),
         "ABORTED_TEXT": N_("Aborted."), "DEFAULT_STRING": N_("[default: {}]"),
         "REQUIRED_LONG_STRING": N_("[required]"), "ENVVAR_STRING": N_("[env var: {}]"),
         "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help.")}


class Speaking(TyperGroup):
    """The root of the CLI: its `--help` texts (options, commands, groups) in the unit's
    LANGUAGE, through the same catalogues (i18n/extract.py extracts them from this tree), and
    the words of Typer's own Click (usage line, help option, usage errors: cli/usage.py)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from typer import rich_utils

        from cli import usage

        usage.speaking(self)
        for command in usage.commands_of(self):
            for param in command.params:
                # a reason the system records by default, shown in the reader's words (the
                # trail shows it so: api.words.reason), recorded as it is (i18n/reasons.py)
                if isinstance(param.default, str) and param.default in reasons.KNOWN:
                    param.show_default = _(param.default)
        for holder, attribute, paragraphs in help_paragraphs(self):
            setattr(holder, attribute, "\n\n".join(_(p) if words_of(p) else p
                                                    for p in paragraphs))
        for name, text in FRAME.items():
            setattr(rich_utils, name, _(text))
        return super().main(*args, **kwargs)

    # every usage error of the tree is raised through these two (the root's arguments, then
    # the sub-commands': Click's Group.invoke makes their contexts)
    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        from cli import usage

        with usage.in_words():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        from cli import usage

        with usage.in_words():
            return super().invoke(ctx)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `message` (already in the reader's words) as an error and exit."""
    from rich.text import Text

    # a Text, not markup: a message's own brackets are printed as they are
    console.print(Text.assemble((_("error:"), "red"), " ", message), soft_wrap=True)
    raise typer.Exit(code)


def cannot_read(file: Path, error: object) -> NoReturn:
    fail(_("cannot read {file}: {error}").format(file=file, error=error))


def unknown_role(role: str) -> NoReturn:
    from domain.model import Role

    fail(_("unknown role {role}: one of {roles}").format(
        role=repr(role), roles=", ".join(r.value for r in Role)))


def no_stack(data_dir: Path) -> NoReturn:
    fail(_("no running stack in {data_dir}: start `studyflow up` first").format(
        data_dir=data_dir))


def no_token() -> NoReturn:
    fail(_("a token is needed: --token or STUDYFLOW_TOKEN (studyflow token create)"))


def refused(r: Any, what: str = "") -> NoReturn:
    """An HTTP refusal of the API, with its code and its message (in the CLI's language: the
    request asked for it)."""
    err = r.json().get("error", {}) if r.headers.get("content-type", "").startswith(
        "application/json") else {}
    fail(f"{what}{r.status_code} {err.get('code', '')}: {err.get('message', r.text)}", 1)


def headers(token: str) -> dict[str, str]:
    """The bearer token, and the CLI's language for the API's messages."""
    import i18n

    speak()
    return {"Authorization": f"Bearer {token}", "Accept-Language": i18n.current()}


def api(data_dir: Path, token: str | None, method: str, path: str,
        body: dict[str, Any] | None = None, timeout: float = 60) -> Any:
    import httpx

    from bootstrap import read_stack_file

    info = read_stack_file(data_dir)
    if not info:
        no_stack(data_dir)
    if not token:
        no_token()
    r = httpx.request(method, info["web_url"] + path, json=body, timeout=timeout,
                      headers=headers(token))
    if r.status_code >= 400:
        refused(r)
    # a download (a CSV report) as its text
    return r.json() if r.headers.get("content-type", "").startswith("application/json") else r.text


def upload(data_dir: Path, token: str | None, path: Path, kind: str, reason: str) -> Any:
    """Upload one document (streamed from the file) and return what the API stored."""
    import httpx

    from bootstrap import read_stack_file

    info = read_stack_file(data_dir)
    if not info:
        no_stack(data_dir)
    if not token:
        no_token()
    with path.open("rb") as f:
        r = httpx.post(info["web_url"] + "/api/documents", timeout=600,
                       data={"kind": kind, "reason": reason}, files={"file": (path.name, f)},
                       headers=headers(token))
    if r.status_code >= 400:
        refused(r, f"{path.name}: ")
    return r.json()


def show(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


@cache
def speak() -> None:
    """The CLI speaks the unit's language and time zone (the LANGUAGE and TIME_ZONE settings),
    through the same catalogues as the pages."""
    import i18n
    from settings import get_settings

    settings = get_settings()
    i18n.configure(settings.language, settings.time_zone)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, ids: int = 1,
          title: str = "") -> None:
    """Print a table in the reader's language: `headers` are catalogue msgids (marked N_ where
    they are written), translated here; the first `ids` columns hold ids, never cut whatever
    the terminal's width (as wide as their longest value, folded rather than truncated); the
    other columns wrap."""
    from rich.table import Column, Table

    speak()
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    columns = [Column(_(h) if h else "", no_wrap=i < ids, overflow="fold",
                      min_width=max((len(r[i]) for r in cells), default=0) or None
                      if i < ids else None)
               for i, h in enumerate(headers)]
    out = Table(*columns, title=title or None)
    for row in cells:
        out.add_row(*row)
    Console().print(out)


def yes(flag: object) -> str:
    return _("yes") if flag else ""


def command_body(type_: str, reason: str, fields: list[str]) -> dict[str, Any]:
    """A command's body from `--field key=value` options: its date fields may be typed
    jj/mm/aaaa, as in the web forms (the same parser)."""
    import i18n
    from domain.catalogue import ENTRIES

    body = {"type": type_, "reason": reason, **parse_fields(fields)}
    for entry in ENTRIES:
        if entry.type == type_:
            i18n.parse_dates(entry.model, body)
    return body


def parse_fields(fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        key, sep, value = f.partition("=")
        if not sep:
            fail(_("--field takes key=value, got {value}").format(value=repr(f)))
        out[key] = {"true": True, "false": False}.get(value, value)
    return out


@contextlib.contextmanager
def progress_bar(what: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for long work; yields the function that advances it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=console) as progress:
        task = progress.add_task(what, total=total)
        yield lambda n: progress.advance(task, n)


def report(refused: list[str], summary: str) -> None:
    """The refused lines on stderr, the summary on stdout; exit 1 if anything was refused."""
    for message in refused:
        print(message, file=sys.stderr)
    print(summary)
    if refused:
        raise typer.Exit(1)


def command_help(types: tuple[str, ...], intro: str) -> str:
    """The command types and their fields, from the catalogue: `--help` lists them all."""
    from domain.catalogue import ENTRIES

    models = {entry.type: entry.model for entry in ENTRIES}
    lines = [intro, "Command types (--field NAME=VALUE; * required):"]
    for kind in types:
        fields = [f"{name}{'*' if info.is_required() else ''}"
                  for name, info in models[kind].model_fields.items() if name not in ("type", "code")]
        lines.append(f"{kind}: {', '.join(fields) or '(no field)'}")
    return "\n\n".join(lines)
