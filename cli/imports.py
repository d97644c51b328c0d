"""`studyflow import`: bringing running studies in with their dated history, through
`POST /api/imports/studies`. The file goes in chunks of studies (a progress bar, and no request
that outlives its timeout); each chunk is a file of its own to the API (a CSV chunk keeps the
header row), and the report's line numbers are mapped back to the lines of the whole file."""

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import (
    DEFAULT_DIR,
    DataDir,
    Token,
    _,
    api,
    cannot_read,
    fail,
    progress_bar,
    report,
)

app = typer.Typer(help="Bring running studies in with their dated history.",
                  no_args_is_help=True)
CHUNK = 20  # studies per request: each is one workflow started with its whole history
FORMATS = (".csv", ".jsonl")
STATUSES = ("imported", "already_imported", "refused")


@dataclass
class Chunk:
    content: str
    lines: list[int]  # the file's line number of each line of `content`
    studies: int

    def file_line(self, line: int) -> int:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else line


def chunks(text: str, suffix: str, size: int) -> list[Chunk]:
    """The file cut into chunks of `size` studies, each readable on its own."""
    if suffix == ".csv":
        return _csv_chunks(text, size)
    studies = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    return [Chunk("\n".join(line for _, line in part) + "\n", [n for n, _ in part], len(part))
            for part in (studies[i:i + size] for i in range(0, len(studies), size))]


def _csv_chunks(text: str, size: int) -> list[Chunk]:
    # read as the API reads it (io.StringIO's lines), so that line numbers agree; a quoted
    # cell may span lines: a study is every line its record spans
    lines = io.StringIO(text).readlines()
    reader = csv.reader(io.StringIO(text))
    spans: list[tuple[int, int]] = []
    last = 0
    for row in reader:
        if any(cell.strip() for cell in row):
            spans.append((last + 1, reader.line_num))
        last = reader.line_num
    if not spans:
        return []
    (h_first, h_last), records = spans[0], spans[1:]
    header = list(range(h_first, h_last + 1))
    out = []
    for i in range(0, len(records), size):
        numbers = header + [n for first, end in records[i:i + size]
                            for n in range(first, end + 1)]
        content = "".join(lines[n - 1] if lines[n - 1].endswith("\n") else lines[n - 1] + "\n"
                          for n in numbers)
        out.append(Chunk(content, numbers, len(records[i:i + size])))
    return out


def source_name(file: Path, digest: str, chunk: Chunk) -> str:
    """What the audit names as the source: the whole file's hash (each chunk's own hash is
    added by the API), the lines of the chunk; it keeps the file's suffix, which says its
    format."""
    return (f"{file.stem[:100]} (file sha256 {digest}, lines {chunk.lines[0]}-"
            f"{chunk.lines[-1]}){file.suffix}")


@app.command("studies")
def import_studies(file: Annotated[Path, typer.Argument(help="A .csv (one study per row, its "
                                                        "dated milestones) or .jsonl (one "
                                                        "study per line with its dated "
                                                        "commands): see the README.")],
                   reason: Annotated[str, typer.Option(help="Why (goes to the audit).")] = "",
                   chunk_size: Annotated[int, typer.Option(help="Studies per request.",
                                                           min=1, max=200)] = CHUNK,
                   token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Import running studies with their whole dated history, each judged once in legal-date
    order and keyed by its `reference`: a re-run imports nothing twice. Prints each refused
    line with the rule that refused it; exit code 1 if any line was refused."""
    if file.suffix not in FORMATS:
        fail(_("{file}: a .csv or .jsonl file is expected").format(file=file))
    try:
        raw = file.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        cannot_read(file, e)
    digest = hashlib.sha256(raw).hexdigest()
    try:
        parts = chunks(text, file.suffix, chunk_size)
    except csv.Error as e:
        cannot_read(file, e)
    if not parts:
        fail(_("{file}: no study in it").format(file=file))
    counts = dict.fromkeys(STATUSES, 0)
    refused: list[str] = []
    total = sum(part.studies for part in parts)
    with progress_bar(_("importing {file}").format(file=file.name), total) as advance:
        for part in parts:
            answer = api(data_dir, token, "POST", "/api/imports/studies", {
                "content": part.content, "name": source_name(file, digest, part),
                "reason": reason}, timeout=600)
            for result in answer["results"]:
                counts[result["status"]] += 1
                if result["status"] == "refused":
                    refused.append(_refusal(part, result))
            advance(part.studies)
            if any((r.get("error") or {}).get("code") == "unknown_columns"
                   for r in answer["results"]):
                break  # the file itself is refused (its header): so would every chunk be
    report(refused, _("{imported} imported, {already} already imported, {refused} refused "
                      "(file sha256 {digest})").format(
        imported=counts["imported"], already=counts["already_imported"],
        refused=counts["refused"], digest=digest))


def _refusal(part: Chunk, result: dict[str, Any]) -> str:
    err = result.get("error") or {}
    where = _("line {line}").format(line=part.file_line(result["line"]))
    what = f"{result['reference']}: " if result.get("reference") else ""
    return f"{where}: {what}{err.get('code')}: {err.get('message')}"
