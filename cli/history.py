"""`studyflow study correct` and `studyflow study batch`: a study's dated history from the shell,
through the HTTP API (the correction of a recorded fact; dated commands judged together)."""

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import DEFAULT_DIR, DataDir, Token, _, api, cannot_read, fail, show

Why = Annotated[str, typer.Option("--reason", help="Why (goes to the audit).")]


def changes_of(assignments: list[str]) -> dict[str, Any]:
    """`field=value` pairs: true/false are booleans, an empty value clears the field."""
    out: dict[str, Any] = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            fail(_("a change is field=value, got {value}").format(value=repr(item)))
        out[name.strip()] = {"true": True, "false": False, "": None}.get(value, value)
    return out


def correct(study_id: str,
            seq: Annotated[int, typer.Argument(help="The audit seq of the fact to correct "
                                               "(`study events` shows it).", min=1)],
            changes: Annotated[list[str], typer.Argument(help="field=value ... e.g. "
                                                         "submitted_on=2026-01-05",
                                                         metavar="FIELD=VALUE...")],
            reason: Why, token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Correct a mistyped fact: the event stays in the record, a FactCorrected event is recorded
    beside it and the clocks are judged again. Allowed to the role that recorded it, or admin."""
    show(api(data_dir, token, "POST", f"/api/studies/{study_id}/commands", {
        "type": "correct", "seq": seq, "changes": changes_of(changes), "reason": reason}))


def batch(study_id: str,
          file: Annotated[Path, typer.Argument(help="A JSON list of commands, each "
                                               '{"type", ...fields, "reason"?}.')],
          reason: Why, token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Send dated commands together: applied in legal-date order and the clocks judged once at
    the end, all of them or none (the refusal names the index of the first refused command)."""
    try:
        commands = json.loads(file.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as e:
        cannot_read(file, e)
    except json.JSONDecodeError as e:
        fail(_("{file} is not JSON: {error}").format(file=file, error=e))
    if isinstance(commands, dict) and isinstance(commands.get("commands"), list):
        commands = commands["commands"]
    if not isinstance(commands, list) or not commands:
        fail(_("{file}: a JSON list of commands is expected").format(file=file))
    show(api(data_dir, token, "POST", f"/api/studies/{study_id}/commands:batch",
             {"commands": commands, "reason": reason}))
