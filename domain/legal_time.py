"""Legal time and recorded time. Every fact has two times: the legal date it took effect (the
date the CPP signed its opinion, the day the participant consented) and the moment someone
typed it. The law, and so every clock, runs on legal dates only; the audit shows both."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from .commands import EXPECTED_DATES
from .regulation import legal_day

# The field of each event that carries its legal date. An event type not listed here has no
# legal date of its own (a status change, a sponsor's name): its `effective_on` is null.
EVENT_DATE_FIELD: dict[str, str] = {
    "StudyStatusChanged": "on",
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
    "EthicsSubmissionLapsed": "lapsed_on",
    "ReviewExtended": "notified_on",
    "AnsmObjectionRecorded": "objected_on",
    "AnsmRequestAmended": "submitted_on",
    "SafetyEventAssessed": "assessed_on",
    "EthicsConditionsLifted": "lifted_on",
    "CnilRecorded": "requested_on",
    "CnilDecisionRecorded": "decision_on",
    "ProcessingRegisterRecorded": "entered_on",
    "DirectorInformed": "informed_on",
    "ConventionSigned": "signed_on",
    "MilestoneNotified": "notified_on",
    "ParticipationCompleted": "completed_on",
    "SiteActivated": "activated_on",
    "SiteClosed": "closed_on",
    "RecruitmentBehindPlan": "on",
}
# A missed deadline takes effect the day after its due date: the whole due date belongs to
# whoever must act (domain/clocks.py).
DAY_AFTER = frozenset({"DeadlineMissed"})



class DependsOn(NamedTuple):
    """A dated fact cannot come before the fact it answers (an opinion before its submission):
    `field` of the dependent event is on or after the legal date of the latest `anchor`
    (the one with the same `key`, for an amendment's or a safety event's own facts)."""

    field: str
    anchor: str
    what: str
    anchor_what: str
    key: str | None = None


DEPENDS_ON: dict[str, tuple[DependsOn, ...]] = {
    "EthicsCompletenessRecorded": (
        DependsOn("notified_on", "EthicsSubmitted", "the completeness notice", "the submission"),),
    "EthicsInformationRequested": (
        DependsOn("requested_on", "EthicsSubmitted", "the request", "the submission"),
        DependsOn("requested_on", "AmendmentSubmitted", "the request",
                  "the amendment's submission", key="amendment_id")),
    "EthicsInformationSupplied": (
        DependsOn("supplied_on", "EthicsInformationRequested", "the answer", "the request"),),
    "EthicsOpinionRecorded": (
        DependsOn("opinion_on", "EthicsSubmitted", "the opinion", "the submission"),
        DependsOn("opinion_on", "AmendmentSubmitted", "the opinion", "the amendment's submission",
                  key="amendment_id")),
    "SecondReviewRequested": (
        DependsOn("requested_on", "EthicsOpinionRecorded", "the request", "the opinion"),),
    "AnsmDecisionRecorded": (
        DependsOn("decision_on", "AnsmSubmitted", "the decision", "the submission"),
        DependsOn("decision_on", "AmendmentSubmitted", "the decision",
                  "the amendment's submission", key="amendment_id")),
    "AnsmNotified": (DependsOn("sent_on", "EthicsOpinionRecorded", "the notification",
                               "the opinion"),),
    "SafetyEventDeclared": (DependsOn("declared_on", "SafetyEventReported", "the declaration",
                                      "the event", key="event_id"),),
    "SafetyEventAssessed": (DependsOn("assessed_on", "SafetyEventReported", "the assessment",
                                      "the event", key="event_id"),),
    "CnilDecisionRecorded": (DependsOn("decision_on", "CnilRecorded", "the CNIL's decision",
                                       "the request"),),
    "EthicsConditionsLifted": (DependsOn("lifted_on", "EthicsOpinionRecorded", "the lifting",
                                         "the opinion"),),
    "AnsmObjectionRecorded": (DependsOn("objected_on", "AnsmSubmitted", "the objection",
                                        "the submission"),),
    "AnsmRequestAmended": (DependsOn("submitted_on", "AnsmObjectionRecorded",
                                     "the amended request", "the objection"),),
    "EndDeclarationSubmitted": (DependsOn("declared_on", "EndDeclared", "the declaration",
                                          "the end of the research"),),
    "ResultsReported": (DependsOn("reported_on", "EndDeclared", "the results",
                                  "the end of the research"),),
    "SiteClosed": (DependsOn("closed_on", "SiteActivated", "the site's closure",
                             "its activation", key="site"),),
}
# The facts that several others may answer, told apart by their id.
ANCHOR_KEY = {"AmendmentSubmitted": "amendment_id", "SafetyEventReported": "event_id",
              "SiteActivated": "site"}


def effective_on(event_type: str, data: Mapping[str, Any]) -> date | None:
    """The legal date of a stored event (`data` as stored: dates as ISO strings or dates)."""
    if event_type in DAY_AFTER:
        due = as_date(data.get("due_on"))
        return due + timedelta(days=1) if due else None
    field = EVENT_DATE_FIELD.get(event_type)
    return as_date(data.get(field)) if field else None


def command_date(command: Mapping[str, Any]) -> date | None:
    """The legal date a command carries (the first `*_on` field that is a fact), if any."""
    for name, value in command.items():
        if name.endswith("_on") and name not in EXPECTED_DATES and value is not None:
            return as_date(value)
    return None


# Commands that name the research rather than record a dated fact: a batch applies them first
# (every submission names the registration number, whatever order the history was typed in).
NAMING_FIRST = frozenset({"record_registration"})


def legal_order(commands: Sequence[Mapping[str, Any]]) -> list[int]:
    """The indices of `commands` in legal-date order. A command without a date of its own
    (assign a sponsor, open recruitment) stays after every fact written before it, save the
    ones that name the research (NAMING_FIRST), which come first; commands of the same day keep
    the order they were written in."""
    keys: list[tuple[date, int]] = []
    latest = date.min
    for i, command in enumerate(commands):
        dated = command_date(command)
        latest = max(latest, dated) if dated else latest
        first = command.get("type") in NAMING_FIRST
        keys.append((date.min if first else dated or latest, i))
    return [i for _, i in sorted(keys)]


def recorded_late(effective: date | None, recorded_at: datetime, late_after_days: int) -> bool:
    """Recorded more than `late_after_days` legal days after the fact took effect (the day of
    recording counted in Paris, as the fact's own date is)."""
    return effective is not None and (legal_day(recorded_at) - effective).days > late_after_days


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
