"""Bringing running studies in: the two file formats a unit may use, read into one shape (a
study, its unit reference, and its dated commands). The CLI and `POST /api/imports/studies`
share this reader; what the commands may do is the domain's business, not this module's.

- JSON lines: one study per line, `{"reference", "title", "category", "investigator",
  "framework"?, "commands": [{"type", ...fields}, ...]}` — a full history of dated commands.
- CSV: a header row, then one study per row: `reference,title,category,investigator` and the
  milestone columns of `MILESTONES` (an empty cell: that milestone has not happened).

Every submission names the research's registration number: a study whose file records none
(no `registration` column or cell, no `record_registration` command) is registered under its
`reference` when that is an ID-RCB or an EU CT number; otherwise its history is refused at its
first submission, naming the rule."""

import csv
import io
import json
import re
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from domain.commands import REGISTRATION, Text


class ImportedStudy(BaseModel):
    reference: Text  # the unit's own reference: an ID-RCB, an EU CT number...
    title: Text
    category: str
    investigator: Text
    framework: str | None = None
    commands: list[dict[str, Any]] = Field(default_factory=list, max_length=2000)


class ImportLine(BaseModel):
    """One line of the file: the study it holds, or why it cannot be read."""
    line: int
    study: ImportedStudy | None = None
    code: str | None = None
    message: str | None = None


# CSV milestone columns -> the command each one records, in the order a study lives them. A
# command is written when its first column is filled; its other columns fill its fields.
MILESTONES: list[tuple[str, dict[str, str]]] = [
    ("submit_protocol", {"protocol_version": "version", "protocol_sha256": "document_sha256"}),
    ("assign_sponsor", {"sponsor": "sponsor"}),
    ("record_insurance", {"insurer": "insurer", "insurance_policy": "policy"}),
    ("record_registration", {"registration": "number"}),
    ("submit_to_ethics", {"ethics_submitted_on": "submitted_on", "ethics_committee": "committee"}),
    ("record_ethics_completeness", {"ethics_complete_on": "notified_on"}),
    ("ethics_request_information", {"ethics_information_requested_on": "requested_on",
                                    "ethics_questions": "questions"}),
    ("ethics_information_supplied", {"ethics_information_supplied_on": "supplied_on"}),
    ("record_ethics_opinion", {"ethics_opinion_on": "opinion_on", "ethics_opinion": "opinion"}),
    ("record_cnil", {"cnil_route": "route", "cnil_reference": "reference"}),
    ("submit_to_ansm", {"ansm_submitted_on": "submitted_on"}),
    ("record_ansm_decision", {"ansm_decision_on": "decision_on", "ansm_decision": "decision"}),
    ("notify_ansm", {"ansm_notified_on": "sent_on"}),
    # the establishment's director, informed before the research starts (R1123-69)
    ("inform_director", {"director_informed_on": "informed_on"}),
    # no date field in these commands: the date still places them in the history's legal order
    ("open_recruitment", {"recruitment_opened_on": "opened_on"}),
    ("close_recruitment", {"recruitment_closed_on": "closed_on"}),
    ("declare_end", {"ended_on": "ended_on", "ended_early": "early"}),
    ("submit_end_declaration", {"end_declared_on": "declared_on"}),
    ("report_results", {"results_reported_on": "reported_on"}),
]
STUDY_COLUMNS = ("reference", "title", "category", "investigator", "framework")
COLUMNS = STUDY_COLUMNS + tuple(col for _, cols in MILESTONES for col in cols)


def read(content: str, name: str = "") -> list[ImportLine]:
    """Each study of a `.csv` or `.jsonl` file's content, with its line number."""
    if name.endswith(".csv") or (not name and _looks_like_csv(content)):
        lines = _read_csv(content)
    else:
        lines = _read_jsonl(content)
    return [line.model_copy(update={"study": with_registration(line.study)})
            if line.study else line for line in lines]


def with_registration(study: ImportedStudy) -> ImportedStudy:
    """The study's registration: the one its file records, or else its reference when that
    is an ID-RCB or an EU CT number."""
    if any(command.get("type") == "record_registration" for command in study.commands):
        return study
    if not re.match(REGISTRATION, study.reference):
        return study
    registration = {"type": "record_registration", "number": study.reference}
    return study.model_copy(update={"commands": [registration, *study.commands]})


def _looks_like_csv(content: str) -> bool:
    return not content.lstrip().startswith("{")


def _read_jsonl(content: str) -> list[ImportLine]:
    out = []
    for number, text in enumerate(content.splitlines(), start=1):
        if not text.strip():
            continue
        try:
            out.append(ImportLine(line=number,
                                  study=ImportedStudy.model_validate(json.loads(text))))
        except json.JSONDecodeError as e:
            out.append(ImportLine(line=number, code="invalid_json", message=str(e)))
        except ValidationError as e:
            out.append(ImportLine(line=number, code="invalid_study", message=_first_error(e)))
    return out


def _read_csv(content: str) -> list[ImportLine]:
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    unknown = sorted(set(reader.fieldnames or ()) - set(COLUMNS))
    if unknown:
        return [ImportLine(line=1, code="unknown_columns",
                           message=f"unknown columns: {', '.join(unknown)} (known: "
                                   f"{', '.join(COLUMNS)})")]
    out = []
    for row in reader:
        number = reader.line_num
        cells = {k: (v or "").strip() for k, v in row.items() if k}
        try:
            study = ImportedStudy(**{k: cells.get(k) or None for k in STUDY_COLUMNS
                                     if cells.get(k)}, commands=_milestones(cells))
            out.append(ImportLine(line=number, study=study))
        except ValidationError as e:
            out.append(ImportLine(line=number, code="invalid_study", message=_first_error(e)))
    return out


def _milestones(cells: dict[str, str]) -> list[dict[str, Any]]:
    commands = []
    for kind, columns in MILESTONES:
        first = next(iter(columns))
        if not cells.get(first):
            continue
        command: dict[str, Any] = {"type": kind}
        for column, field in columns.items():
            if cells.get(column):
                command[field] = _cell(cells[column])
        commands.append(command)
    return commands


def _cell(value: str) -> Any:
    return {"true": True, "false": False}.get(value.lower(), value)


def _first_error(e: ValidationError) -> str:
    err = e.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else err["msg"]
