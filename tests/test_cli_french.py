"""The CLI speaks the unit's LANGUAGE: every line it prints goes through the catalogues (French
by default, English with LANGUAGE=en), dates are typed as on the web forms (jj/mm/aaaa), and no
English sentence is left in a print, an echo or an error of cli/."""

import ast
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import i18n
from cli.common import command_body

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "cli.main"]


def run(language: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TEMPORAL_ADDRESS", "DATABASE_URL")}
    env.update(LANGUAGE=language, COLUMNS="200")
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env=env,
                          cwd=ROOT)


@pytest.mark.parametrize(("language", "wanted"), [
    ("fr", ["ÉCHEC : archive zip illisible", "manifest.json est absent"]),
    ("en", ["FAILED: not a readable zip", "FAILED: manifest.json is missing"]),
])
def test_dossier_verify_speaks_the_units_language(tmp_path: Path, language, wanted):
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with zipfile.ZipFile(tmp_path / "empty.zip", "w") as zf:
        zf.writestr("other.txt", "x")
    junk = run(language, "dossier", "verify", str(tmp_path / "junk.zip"))
    empty = run(language, "dossier", "verify", str(tmp_path / "empty.zip"))
    assert junk.returncode == empty.returncode == 1
    assert wanted[0] in junk.stdout
    assert wanted[1] in empty.stdout


@pytest.mark.parametrize(("language", "wanted"), [
    ("fr", ["erreur : rôle inconnu 'chef' : l'un de", "aucune instance StudyFlow dans",
            "aucune instance en service dans", "'31/02/2026' n'est pas une date (jj/mm/aaaa"]),
    ("en", ["error: unknown role 'chef': one of", "no StudyFlow stack in",
            "no running stack in", "'31/02/2026' is not a date (DD/MM/YYYY"]),
])
def test_refusals_speak_the_units_language(tmp_path: Path, language, wanted):
    nowhere = str(tmp_path / "nowhere")
    role = run(language, "token", "create", "--actor", "a", "--role", "chef",
               "--data-dir", nowhere)
    stack = run(language, "token", "create", "--actor", "a", "--role", "coordinator",
                "--data-dir", nowhere)
    api = run(language, "study", "list", "--token", "t", "--data-dir", nowhere)
    day = run(language, "sites", "activate", "--study", "s", "S1", "--reason", "r",
              "--on", "31/02/2026", "--token", "t", "--data-dir", nowhere)
    # a French date is read (then the missing stack is what refuses)
    french_day = run(language, "sites", "activate", "--study", "s", "S1", "--reason", "r",
                     "--on", "15/12/2026", "--token", "t", "--data-dir", nowhere)
    for result, text in zip((role, stack, api, day), wanted, strict=True):
        assert result.returncode != 0
        assert text in " ".join(result.stderr.split()), (text, result.stderr)
    assert wanted[2] in " ".join(french_day.stderr.split()), french_day.stderr
    assert not (tmp_path / "nowhere" / "pg").exists()


def test_command_fields_take_dates_as_the_web_forms_do():
    body = command_body("record_consent", "r", ["code=P-1", "kind=written",
                                                "consent_form_version=1.0",
                                                "consented_on=09/11/2026"])
    assert body["consented_on"] == "2026-11-09"
    assert body["consent_form_version"] == "1.0"  # not a date field: left as typed
    assert command_body("record_consent", "r", ["consented_on=2026-11-09"])[
        "consented_on"] == "2026-11-09"


def test_file_sizes_figures_and_months_are_written_as_the_reader_writes_them():
    with i18n.use("fr"):
        assert [i18n.format_size(n) for n in (512, 2048, 1_536_000)] == [
            "512 o", "2,0 Ko", "1,5 Mo"]
        assert [i18n.format_number(n) for n in (24.66, 3, None)] == ["24,7", "3", ""]
        assert i18n.format_month("2025-12") == "décembre 2025"
    with i18n.use("en"):
        assert [i18n.format_size(n) for n in (512, 2048, 1_536_000)] == [
            "512 B", "2.0 KB", "1.5 MB"]
        assert [i18n.format_number(n) for n in (24.66, 3)] == ["24.7", "3"]
        assert i18n.format_month("2025-12") == "December 2025"


PRINTERS = {"print", "echo", "fail", "progress_bar", "report", "append"}


def _says_english(node: ast.expr) -> bool:
    """A string literal, or an f-string whose own words (not its placeholders) hold letters."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(re.search(r"[A-Za-z]{2}", node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_says_english(part) for part in node.values
                   if isinstance(part, ast.Constant))
    return False


def test_no_cli_line_is_printed_outside_the_catalogues():
    """What cli/ prints, echoes, fails with or lists as a problem goes through `_` (the
    catalogues); a new English sentence written straight into a print fails here."""
    found = []
    for path in sorted((ROOT / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(
                f, ast.Attribute) else ""
            if name in PRINTERS and _says_english(node.args[0]):
                found.append(f"{path.name}:{node.lineno}")
    assert not found, f"English printed without the catalogues: {found}"


@pytest.mark.parametrize(("language", "wanted"), [
    ("fr", ["Afficher un nouveau jeton d'accès", "À qui est destiné le jeton.", "[obligatoire]",
            "Où les serveurs embarqués gardent leurs données."]),
    ("en", ["Print a new bearer token", "Who the token is for.", "[required]",
            "Where the embedded servers keep their data."]),
])
def test_help_speaks_the_units_language(language, wanted):
    """`--help` texts come from the catalogues too (i18n/extract.py extracts them from the
    command tree; cli.common.Speaking translates them)."""
    out = " ".join(run(language, "token", "create", "--help").stdout.split())
    for text in wanted:
        assert text in out, (text, out)
    listing = " ".join(run(language, "study", "command", "--help").stdout.split())
    assert "assign_sponsor: documents, sponsor*" in listing  # the command types stay codes
    if language == "fr":
        assert "Types de commande (--field NOM=VALEUR ; * obligatoire)" in listing


@pytest.mark.parametrize(("language", "wanted"), [
    ("fr", {"help": ["Utilisation : ", "--help <bool> Afficher cette aide et quitter."],
            "nope": "Option inconnue : --nope (options possibles : --role)",
            "missing": "Option '--actor' manquante.",
            "value": "L'option '--reason' attend une valeur.",
            "invalid": "Valeur invalide pour '--expires-in-days' : attend un nombre",
            "extra": "Argument(s) en trop : encore",
            "command": "Commande inconnue : 'tokn'. Vouliez-vous dire 'token' ?",
            "flag": "L'option '--keep-totp' ne prend pas de valeur."}),
    ("en", {"help": ["Usage: ", "--help <bool> Show this message and exit."],
            "nope": "No such option: --nope (possible options: --role)",
            "missing": "Missing option '--actor'.",
            "value": "Option '--reason' requires a value.",
            "invalid": "Invalid value for '--expires-in-days': expects a number",
            "extra": "Unexpected extra argument(s): encore",
            "command": "No such command 'tokn'. Did you mean 'token'?",
            "flag": "Option '--keep-totp' takes no value."}),
])
def test_typers_own_words_speak_the_units_language(tmp_path: Path, language, wanted):
    """Typer's copy of Click writes its usage line, its help option and its usage errors in
    hard-coded English: cli/usage.py says them in the unit's language."""
    def said(*args: str) -> str:
        result = run(language, *args)
        return " ".join((result.stdout + result.stderr).replace("│", " ").split())

    help_ = said("token", "create", "--help")
    for text in wanted["help"]:
        assert text in help_, (text, help_)
    if language == "fr":
        assert "Usage" not in help_ and "Show this" not in help_
    create = ("token", "create", "--data-dir", str(tmp_path / "nowhere"))
    cases = {"nope": [*create, "--nope"], "missing": [*create, "--role", "admin"],
             "value": [*create, "--actor", "a", "--role", "admin", "--reason"],
             "invalid": [*create, "--actor", "a", "--role", "admin", "--expires-in-days", "x"],
             "extra": [*create, "--actor", "a", "--role", "admin", "encore"],
             "command": ["tokn"],
             "flag": ["user", "reset", "--keep-totp=x", "a", "--data-dir", str(tmp_path / "no")]}
    for case, args in cases.items():
        out = said(*args)
        assert wanted[case] in out, (case, out)
        if language == "fr":  # none of Click's English is left (its wording changed?)
            for english in ("Usage", "Missing", "Invalid", "No such", "unexpected", "Possible",
                            "Did you mean", "requires", "does not take", "Input should"):
                assert english not in out, (case, english, out)
        if case in ("nope", "missing", "extra"):
            assert wanted["help"][0] in out, (case, out)  # the usage line above the error
    # a group given no arguments shows its help, not an error
    group = said("token")
    assert wanted["help"][0] in group and ("Erreur" if language == "fr" else "Error") not in group


@pytest.mark.parametrize(("language", "wanted"), [
    ("fr", ["jeton délivré", "réinitialisation", "point de contrôle quotidien"]),
    ("en", ["token issued", "reset", "daily checkpoint"]),
])
def test_reasons_the_system_records_are_read_in_the_readers_words(language, wanted):
    """A default reason is recorded as written (i18n/reasons.py) and read in the reader's
    words, in the trail as in `--help`; a person's own reason is shown as typed."""
    from api import words
    from i18n import reasons

    with i18n.use(language):
        assert [words.reason(r) for r in (reasons.TOKEN_ISSUED, reasons.PASSWORD_RESET,
                                          reasons.DAILY_CHECKPOINT)] == wanted
        assert words.reason("le promoteur a signé") == "le promoteur a signé"
    out = " ".join(run(language, "token", "create", "--help").stdout.split())
    assert f"({wanted[0]})" in out, out
