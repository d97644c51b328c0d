"""Legal time and recorded time. Every fact has two times: the legal date it took effect (the
date the CPP signed its opinion, the day the participant consented) and the moment someone
typed it. The law, and so every clock, runs on legal dates only; the audit shows both."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from .commands import EXPECTED_DATES

# The field of each event that carries its legal date. An event type not listed here has no
# legal date of its own (a status change, a sponsor's name): its `effective_on` is null.
EVENT_DATE_FIELD: dict[str, str] = {
    "StudySuspended": "suspended_on",
    "ObservationsSubmitted": "submitted_on",
    "HaltNotified": "notified_on",
    "EthicsSubmitted": "submitted_on",
    "EthicsCompletenessRecorded": "notified_on",
    "EthicsInformationRequested": "requested_on",
    "EthicsInformationSupplied": "supplied_on",
    "EthicsOpinionRecorded": "opinion_on",
    "SecondReviewRequested": "requested_on",
    "AnsmSubmitted": "submitted_on",
    "AnsmDecisionRecorded": "decision_on",
    "AnsmNotified": "sent_on",
    "AmendmentSubmitted": "submitted_on",
    "SafetyEventReported": "occurred_on",
    "SafetyEventDeclared": "declared_on",
    "AnnualSafetyReportSubmitted": "submitted_on",
    "EndDeclared": "ended_on",
    "EndDeclarationSubmitted": "declared_on",
    "ResultsReported": "reported_on",
    "ConsentRecorded": "consented_on",
    "ParticipantIncluded": "included_on",
    "ConsentFormIssued": "issued_on",
    "ConsentWithdrawn": "withdrawn_on",
    "DataUseObjected": "objected_on",
    "ReconsentRequired": "due_on",
    "TacitOutcomeSuperseded": "superseded_on",
}
# A missed deadline takes effect the day after its due date: the whole due date belongs to
# whoever must act (domain/clocks.py).
DAY_AFTER = frozenset({"DeadlineMissed"})



def effective_on(event_type: str, data: Mapping[str, Any]) -> date | None:
    """The legal date of a stored event (`data` as stored: dates as ISO strings or dates)."""
    if event_type in DAY_AFTER:
        due = _as_date(data.get("due_on"))
        return due + timedelta(days=1) if due else None
    field = EVENT_DATE_FIELD.get(event_type)
    return _as_date(data.get(field)) if field else None


def command_date(command: Mapping[str, Any]) -> date | None:
    """The legal date a command carries (the first `*_on` field that is a fact), if any."""
    for name, value in command.items():
        if name.endswith("_on") and name not in EXPECTED_DATES and value is not None:
            return _as_date(value)
    return None


def legal_order(commands: Sequence[Mapping[str, Any]]) -> list[int]:
    """The indices of `commands` in legal-date order. A command without a date of its own
    (assign a sponsor, open recruitment) stays after every fact written before it; commands
    of the same day keep the order they were written in."""
    keys: list[tuple[date, int]] = []
    latest = date.min
    for i, command in enumerate(commands):
        dated = command_date(command)
        latest = max(latest, dated) if dated else latest
        keys.append((dated or latest, i))
    return [i for _, i in sorted(keys)]


def recorded_late(effective: date | None, recorded_at: datetime, late_after_days: int) -> bool:
    """Recorded more than `late_after_days` days after the fact took effect."""
    return effective is not None and (recorded_at.date() - effective).days > late_after_days


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
