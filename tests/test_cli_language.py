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


def test_cli_tables_speak_the_units_language_and_never_cut_an_id(monkeypatch, capsys):
    import i18n
    from cli import common

    common.speak()  # once per process: then the unit's language, here French
    monkeypatch.setenv("COLUMNS", "80")
    long_id = "st-" + "0123456789abcdef" * 3
    try:
        i18n.configure("fr", "Europe/Paris")
        rows = [(long_id, "Étude d'un titre assez long pour déborder " * 2, "active",
                 "15/12/2026", common.yes(True))]
        common.table(("id", "title", "state", "next due", "overdue"), rows)
        narrow = capsys.readouterr().out
        monkeypatch.setenv("COLUMNS", "200")
        common.table(("id", "title", "state", "next due", "overdue"), rows)
        wide = capsys.readouterr().out
    finally:
        i18n.configure("en", "Europe/Paris")
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert long_id in narrow  # whole, on one line: the other columns wrap
    for french in ("titre", "état", "prochaine échéance", "en retard", "oui"):
        assert french in wide, french
