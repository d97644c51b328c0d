"""The words Typer's own copy of Click writes (`typer._click`: hard-coded English, no gettext)
in the unit's language: the usage line's "Usage:", the help option's help, and the usage
errors (an unknown option, a missing one, an invalid value, an extra argument, an unknown
command), rendered from the exceptions' attributes (option name, possibilities, parameter)
rather than from their English text wherever Click keeps the facts."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from typer import _click
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import HelpFormatter

from cli.common import _
from i18n import N_

USAGE = N_("Usage: ")
HELP_OPTION = N_("Show this message and exit.")


class SpeakingFormatter(HelpFormatter):
    """The usage line begins with the reader's word for "Usage:"."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _(USAGE) if prefix is None else prefix)


class SpeakingContext(_click.Context):
    """A command's context: its usage line and its help option in the reader's words."""

    formatter_class = SpeakingFormatter

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        option = self.command.get_help_option(self)
        if option is not None:
            option.help = _(HELP_OPTION)


def commands_of(command: Any) -> list[Any]:
    """A command and every command under it."""
    return [command, *(c for sub in getattr(command, "commands", {}).values()
                       for c in commands_of(sub))]


def speaking(command: Any) -> None:
    """Every command of the tree creates its contexts as SpeakingContext."""
    for c in commands_of(command):
        c.context_class = SpeakingContext


def _hint(e: BadParameter) -> str:
    from typer._click.exceptions import _join_param_hints

    hint = e.param_hint if e.param_hint is not None else (
        e.param.get_error_hint() if e.param is not None else None)
    return (_join_param_hints(hint) or "") if hint else ""


def _value_problem(e: BadParameter) -> str:
    """What is wrong with the value: Typer checks a typed option with pydantic, whose errors
    the API already says in words (api.validation); else the message as raised (the CLI's
    own checks raise theirs in the reader's words)."""
    from pydantic import ValidationError

    if isinstance(e.__cause__, ValidationError):
        from api.validation import message, plain

        return message(plain(e.__cause__.errors()))  # type: ignore[arg-type]
    return e.message


# the only usage errors Click raises as bare sentences (ctx.fail): their facts are only in
# the text, so these patterns follow typer._click's wording; tests/test_cli_french.py fails
# if a new Typer changes it
_EXTRA = re.compile(r"^Got unexpected extra argument\(s\) \((?P<args>.*)\)$", re.S)
_COMMAND = re.compile(r"^No such command (?P<name>'.*?')\.(?: Did you mean (?P<like>.*)\?)?$",
                      re.S)
_REQUIRES = re.compile(r"^Option '.*' requires (?:an argument|(?P<n>\d+) arguments)\.$")
_NO_VALUE = re.compile(r"^Option '.*' does not take a value\.$")


def message(e: UsageError) -> str:
    """The usage error in the reader's words."""
    if isinstance(e, MissingParameter):
        hint = _hint(e)
        kind = e.param_type or (e.param.param_type_name if e.param is not None else "")
        text = (_("Missing argument {hint}.") if kind == "argument" else
                _("Missing option {hint}.") if kind == "option" else
                _("Missing parameter {hint}.")).format(hint=hint)
        return f"{text} {e.message}" if e.message else text
    if isinstance(e, BadParameter):
        hint, said = _hint(e), _value_problem(e)
        if not hint:
            return _("Invalid value: {message}").format(message=said)
        return _("Invalid value for {hint}: {message}").format(hint=hint, message=said)
    if isinstance(e, NoSuchOption):
        text = _("No such option: {name}").format(name=e.option_name)
        if e.possibilities:
            text += " " + _("(possible options: {options})").format(
                options=", ".join(sorted(e.possibilities)))
        return text
    if isinstance(e, BadOptionUsage) and (m := _REQUIRES.match(e.message)):
        return (_("Option {name} requires a value.") if not m["n"] else
                _("Option {name} requires {n} values.")).format(
                    name=repr(e.option_name), n=m["n"])
    if isinstance(e, BadOptionUsage) and _NO_VALUE.match(e.message):
        return _("Option {name} takes no value.").format(name=repr(e.option_name))
    if m := _EXTRA.match(e.message):
        return _("Unexpected extra argument(s): {args}").format(args=m["args"])
    if m := _COMMAND.match(e.message):
        text = _("No such command {name}.").format(name=m["name"])
        if m["like"]:
            text += " " + _("Did you mean {names}?").format(names=m["like"])
        return text
    if e.message == "Missing command.":
        return _("Missing command.")
    return e.format_message()


def translated(e: UsageError) -> UsageError:
    """The same error (exit code, context) saying `message(e)`."""
    out = UsageError(message(e), e.ctx)
    out.exit_code = e.exit_code
    return out


@contextmanager
def in_words() -> Iterator[None]:
    """Usage errors raised inside come out in the reader's words (a `--help` shown for a
    command given no arguments is not an error: it passes as it is)."""
    try:
        yield
    except NoArgsIsHelpError:
        raise
    except UsageError as e:
        raise translated(e) from e
