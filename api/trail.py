"""The audit trail as the study page shows it: each event with its two times (the legal date of
the fact, the moment it was recorded), "recorded late" past the unit's limit, a corrected fact
with what was first recorded struck through beside the correction (21 CFR Part 11
§11.10(e): a change must not obscure what was recorded before), a tacit outcome that gave way
to the real fact shown as superseded, and the correction form of the row being corrected.
Rows only: the template draws them."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, get_args

from api.validation import field_name
from domain import Actor, may_send
from domain.corrections import CORRECTABLE
from domain.events import EVENT_TYPES
from domain.legal_time import as_date, effective_on, recorded_late
from domain.model import Role


@dataclass
class Change:
    name: str
    before: str
    after: str


@dataclass
class Row:
    event: dict[str, Any]
    legal: str | None  # the legal date as the facts now stand (corrected)
    legal_before: str | None  # the legal date first recorded, when a correction moved it
    recorded: str  # "YYYY-MM-DD HH:MM:SS", UTC
    late: bool
    corrected_by: list[tuple[int, list[Change]]] = field(default_factory=list)
    corrects: tuple[int, str, list[Change]] | None = None  # (seq, event type, changes)
    superseded_by: tuple[int, str, str] | None = None  # (seq, command, its legal date)
    supersedes: int | None = None
    may_correct: bool = False
    form: list[dict[str, Any]] | None = None  # the correction form, on the row being corrected


def shown(value: Any) -> str:
    """A value as a form and a page show it (the form's "was" values are compared to these)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "value", value))


def choices(annotation: Any) -> list[str]:
    """The values a Literal or an enumeration (optional or not) allows; [] for free text."""
    for a in (annotation, *get_args(annotation)):
        if isinstance(a, type) and issubclass(a, Enum):
            return [e.value for e in a] if a is annotation else ["", *(e.value for e in a)]
    return [a for a in get_args(annotation) if isinstance(a, str)]


def widget(event_type: str, name: str) -> tuple[str, list[str]]:
    """How a correctable field is typed in: (date | checkbox | select | number | text, choices)."""
    annotation = EVENT_TYPES[event_type].model_fields[name].annotation
    ann = str(annotation)
    options = choices(annotation)
    kind = ("date" if "date" in ann else "checkbox" if "bool" in ann else "select" if options
            else "number" if "int" in ann else "text")
    return kind, options


def correction_form(event_type: str, current: dict[str, Any],
                    posted: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The fields a correction of `event_type` may change, prefilled with the values the fact
    holds now (or those just posted, when the correction was refused)."""
    out = []
    for name in sorted(CORRECTABLE[event_type]):
        kind, options = widget(event_type, name)
        was = shown(current.get(name))
        value = posted.get(name, "false" if kind == "checkbox" else "") if posted else was
        out.append({"name": name, "label": field_name(name), "widget": kind,
                    "choices": options, "value": value, "was": was})
    return out


def may_correct(actor: Actor, event: dict[str, Any]) -> bool:
    """A fact someone typed, corrected by the role that recorded it or by an admin."""
    return (event["type"] in CORRECTABLE and not event["data"].get("tacit")
            and may_send(actor.role, "correct")
            and (actor.role is Role.admin or actor.role.value == event["role"]))


def _changes(changes: dict[str, Any], previous: dict[str, Any]) -> list[Change]:
    return [Change(name, shown(previous.get(name)), shown(value))
            for name, value in sorted(changes.items())]


def as_corrected(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events as the facts now stand: corrections applied, superseded tacit outcomes left
    out (for the timeline: it draws the facts, not their history)."""
    changes: dict[int, dict[str, Any]] = {}
    gone: set[int] = set()
    for e in events:
        if e["type"] == "FactCorrected":
            changes.setdefault(e["data"]["seq"], {}).update(e["data"]["changes"])
        elif e["type"] == "TacitOutcomeSuperseded":
            gone.add(e["data"]["superseded_version"])
    if not changes and not gone:
        return list(events)
    out = []
    for e in events:
        if e["version"] in gone and e["data"].get("tacit"):
            continue
        if e["seq"] in changes:
            data = {**e["data"], **changes[e["seq"]]}
            legal = effective_on(e["type"], data)
            e = {**e, "data": data, "effective_on": legal.isoformat() if legal else None}
        out.append(e)
    return out


def rows(every: Sequence[dict[str, Any]], shown_events: Sequence[dict[str, Any]], actor: Actor,
         late_after_days: int, correcting: int | None = None,
         posted: dict[str, str] | None = None) -> list[Row]:
    """One row per event of `shown_events` (a slice of `every`, the study's whole trail, which
    the corrections and supersessions are looked up in: one pass, whatever the study's size)."""
    corrections: dict[int, list[dict[str, Any]]] = {}
    superseding: dict[int, dict[str, Any]] = {}
    for e in every:
        if e["type"] == "FactCorrected":
            corrections.setdefault(e["data"]["seq"], []).append(e)
        elif e["type"] == "TacitOutcomeSuperseded":
            # the tacit outcome, and the expiry the clock wrote just before it
            superseding[e["data"]["superseded_version"]] = e
            superseding[e["data"]["superseded_version"] - 1] = e
    out = []
    for e in shown_events:
        data = e["data"]
        fixes = corrections.get(e["seq"], [])
        current = {**data}
        for fix in fixes:
            current.update(fix["data"]["changes"])
        legal = effective_on(e["type"], current)
        first = as_date(e.get("effective_on"))
        recorded_at = datetime.fromisoformat(e["at"])
        row = Row(event=e, legal=legal.isoformat() if legal else None,
                  legal_before=first.isoformat() if first and first != legal else None,
                  recorded=e["at"][:19].replace("T", " "),
                  late=recorded_late(legal, recorded_at, late_after_days),
                  corrected_by=[(f["seq"], _changes(f["data"]["changes"], f["data"]["previous"]))
                                for f in fixes])
        if e["type"] == "FactCorrected":
            row.corrects = (data["seq"], data["event_type"],
                            _changes(data["changes"], data["previous"]))
        elif e["type"] == "TacitOutcomeSuperseded":
            row.supersedes = next((s["seq"] for s in every
                                   if s["version"] == data["superseded_version"]), None)
        by = superseding.get(e["version"])
        if by is not None and (data.get("tacit") or e["type"] == "DeadlineMissed"):
            row.superseded_by = (by["seq"], by["data"]["by_command"],
                                 str(by["data"]["superseded_on"]))
        row.may_correct = may_correct(actor, e)
        if row.may_correct and correcting == e["seq"]:
            row.form = correction_form(e["type"], current, posted)
        out.append(row)
    return out
