"""The CLI tells a person what it can do and refuses clearly: `--help` lists the command types
and their fields; `token create` never starts a second, empty database beside the stack; ids
are never cut in an 80-column terminal."""

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from domain.commands import PARTICIPANT_COMMAND_TYPES, STUDY_COMMAND_TYPES

runner = CliRunner()


def test_study_command_help_lists_every_type_and_its_fields():
    out = runner.invoke(app, ["study", "command", "--help"], env={"COLUMNS": "200"}).output
    for kind in STUDY_COMMAND_TYPES:
        assert f"{kind}:" in out, kind
    assert "fatal_or_life_threatening" in out and "sponsor*" in out
    out = runner.invoke(app, ["participants", "command", "--help"],
                        env={"COLUMNS": "200"}).output
    assert all(f"{kind}:" in out for kind in PARTICIPANT_COMMAND_TYPES)


def test_token_create_refuses_where_no_stack_runs(tmp_path: Path):
    r = runner.invoke(app, ["token", "create", "--actor", "a", "--role", "coordinator",
                            "--data-dir", str(tmp_path / "nowhere")], env={"DATABASE_URL": ""})
    assert r.exit_code != 0
    assert "no StudyFlow stack" in r.output and "--data-dir" in r.output
    assert not (tmp_path / "nowhere" / "pg").exists()  # nothing started, nothing created
