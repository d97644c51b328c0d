"""Corrections: a mistyped fact (a date, a reference, an opinion, a consent's details) is set
right by a new event that names it; the event itself stays as it was recorded (21 CFR Part 11
§11.10(e): a change must not obscure what was recorded before). The study is then folded from
the facts as corrected, and its clocks judged again."""

from datetime import date
from typing import Any

from pydantic import ValidationError

from . import commands as c
from . import events as ev
from . import history, legal_time
from .errors import InputRefused
from .model import BEFORE_APPROVAL, CONSENT_STRENGTH, ConsentKind, Role, StudyStatus
from .regulation import CONSENT_KIND, RULES
from .state import Fact, StudyState
from .tracks.rules import require, require_input

# The fields a person typed, per event type: what a correction may change. The events the
# rules or the clocks wrote (status changes, reminders, expiries, tacit outcomes) are no one's
# typing: a tacit outcome gives way to the real fact (TacitOutcomeSuperseded), it is not
# corrected.
CORRECTABLE: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in {
    "ProtocolSubmitted": {"version", "document_sha256"},
    "SponsorAssigned": {"sponsor", "commercial"},
    "InsuranceRecorded": {"insurer", "policy"},
    "RegistrationRecorded": {"number"},
    "EthicsSubmitted": {"committee", "submitted_on", "platform_file"},
    "EthicsCompletenessRecorded": {"notified_on"},
    "EthicsInformationRequested": {"requested_on", "questions"},
    "EthicsInformationSupplied": {"supplied_on"},
    "EthicsOpinionRecorded": {"opinion", "opinion_on", "notified_on", "conditions"},
    "SecondReviewRequested": {"committee", "requested_on"},
    "CnilRecorded": {"route", "reference", "requested_on"},
    "CnilDecisionRecorded": {"decision", "decision_on"},
    "ProcessingRegisterRecorded": {"entry", "entered_on"},
    "EthicsConditionsLifted": {"lifted_on"},
    "DirectorInformed": {"informed_on", "site"},
    "ConventionSigned": {"signed_on", "site"},
    "MilestoneNotified": {"notified_on"},
    "AnsmSubmitted": {"submitted_on"},
    "AnsmDecisionRecorded": {"decision", "decision_on"},
    "AnsmObjectionRecorded": {"objected_on", "answer_by", "reasons"},
    "AnsmRequestAmended": {"submitted_on"},
    "ReviewExtended": {"notified_on", "days"},
    "AnsmNotified": {"sent_on"},
    "AmendmentSubmitted": {"description", "submitted_on"},
    "SafetyEventReported": {"occurred_on", "fatal_or_life_threatening", "aware_on"},
    "SafetyEventAssessed": {"assessed_on", "susar", "fatal_or_life_threatening"},
    "SafetyEventDeclared": {"declared_on"},
    "AnnualSafetyReportSubmitted": {"submitted_on"},
    "StudySuspended": {"suspended_on"},
    "ObservationsSubmitted": {"submitted_on"},
    "HaltNotified": {"notified_on"},
    "EndDeclared": {"ended_on", "for_safety"},
    "EndDeclarationSubmitted": {"declared_on"},
    "ResultsReported": {"reported_on"},
    "ConsentFormIssued": {"issued_on"},
    "SiteAdded": {"name", "investigator"},
    "SiteActivated": {"activated_on"},
    "SiteClosed": {"closed_on"},
    # a participant's facts
    "ConsentRecorded": {"consented_on", "consent_form_version", "kind", "by", "witnessed",
                        "holders", "holder_exception"},
    "ParticipantIncluded": {"included_on"},
    "ConsentWithdrawn": {"withdrawn_on"},
    "DataUseObjected": {"objected_on"},
    "ParticipationCompleted": {"completed_on"},
}.items()}
# A corrected outcome changes where the study stands: only while it has not acted on it.
OUTCOMES = frozenset({"opinion", "decision"})
# A participant's fact -> the participant's fields its values live in.
PARTICIPANT_FIELDS: dict[str, dict[str, str]] = {
    "ConsentRecorded": {"consented_on": "consented_on",
                        "consent_form_version": "consent_form_version", "kind": "consent_kind",
                        "by": "consent_by"},
    "ParticipantIncluded": {"included_on": "included_on"},
    "ConsentWithdrawn": {"withdrawn_on": "withdrawn_on"},
    "ParticipationCompleted": {"completed_on": "completed_on"},
}


def correct(s: StudyState, cmd: c.Correct, role: Role, today: date) -> list[ev.Event]:
    require(cmd.version and cmd.original_type and cmd.original is not None, "unknown_fact",
            f"no event {cmd.seq} in this study")
    assert cmd.version is not None and cmd.original_type and cmd.original is not None
    require(role in (Role.admin, cmd.recorded_by), "role_not_allowed",
            f"event {cmd.seq} was recorded by a {cmd.recorded_by}: only that role or an admin "
            "may correct it")
    kind = cmd.original_type
    fields = CORRECTABLE.get(kind)
    require(fields is not None and not cmd.original.get("tacit"), "fact_not_correctable",
            f"event {cmd.seq} ({kind}) is not a fact someone typed: the rules or the clocks "
            "wrote it" + (", and a tacit outcome gives way to the real fact dated in time"
                          if cmd.original.get("tacit") else ""))
    assert fields is not None
    unknown = sorted(set(cmd.changes) - fields)
    require_input(not unknown, "field_not_correctable",
                  f"{', '.join(unknown)} cannot be corrected on {kind} (correctable: "
                  f"{', '.join(sorted(fields))})")
    # the fact as it stands now: as recorded, or as an earlier correction left it
    current = next((f.data for f in history.corrected_facts(s.facts)
                    if f.version == cmd.version and f.type == kind), cmd.original)
    corrected = _validated(kind, {**current, **cmd.changes}, cmd.seq)
    changes = {k: corrected[k] for k in cmd.changes}
    previous = {k: current.get(k) for k in cmd.changes}
    require_input(changes != previous, "correction_changes_nothing",
                  f"event {cmd.seq} already holds {changes}")
    _not_in_future(changes, today)
    code = cmd.original.get("code") if kind in ev.PARTICIPANT_EVENT_TYPES else None
    if OUTCOMES & set(changes):
        require(s.status in BEFORE_APPROVAL | {StudyStatus.rejected}, "outcome_acted_upon",
                f"the study is {s.status.value}: an opinion or a decision it has acted on is "
                "changed by an amendment, not a correction")
    event = ev.FactCorrected(seq=cmd.seq, version=cmd.version, event_type=kind,
                             changes=changes, previous=previous, code=code)
    if code is None:
        fact = next((f for f in s.facts if f.version == cmd.version and f.type == kind), None)
        require(fact is not None, "unknown_fact", f"no event {cmd.seq} in this study")
        _in_legal_order([*s.facts, Fact(version=s.version + 1, type=event.type,
                                        data=event.payload())])
    else:
        _participant_fact(s, code, kind, changes)
    return [event]


def _validated(kind: str, data: dict[str, Any], seq: int) -> dict[str, Any]:
    try:
        return ev.parse_event(kind, data).payload()
    except ValidationError as e:
        err = e.errors()[0]
        raise InputRefused("invalid_correction", f"event {seq}: "
                           f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None


def _not_in_future(changes: dict[str, Any], today: date) -> None:
    for name, value in changes.items():
        day = legal_time.as_date(value) if name.endswith("_on") else None
        require_input(day is None or day <= today, "date_in_future",
                      f"{name} ({day}) is in the future: legal dates are facts that have "
                      f"happened (today is {today})")


def _in_legal_order(facts: list[Fact]) -> None:
    """Each dated fact on or after the fact it depends on, the history as corrected."""
    latest: dict[tuple[str, Any], date] = {}
    for fact in history.corrected_facts(facts):
        for rule in legal_time.DEPENDS_ON.get(fact.type, ()):
            day = legal_time.as_date(fact.data.get(rule.field))
            anchor = latest.get((rule.anchor, fact.data.get(rule.key) if rule.key else None))
            require_input(day is None or anchor is None or day >= anchor, "date_out_of_order",
                          f"{rule.what} ({day}) cannot be before {rule.anchor_what} ({anchor})")
        day = legal_time.effective_on(fact.type, fact.data)
        if day is not None:
            key = legal_time.ANCHOR_KEY.get(fact.type)
            latest[(fact.type, fact.data.get(key) if key else None)] = day


def _participant_fact(s: StudyState, code: str, kind: str, changes: dict[str, Any]) -> None:
    participant = s.participants.get(code)
    require(participant is not None, "unknown_participant", f"no participant {code} in this study")
    current = s.rules >= RULES
    if "kind" in changes:
        needed = CONSENT_KIND[s.category]
        kind = ConsentKind(changes["kind"])
        # a stronger form satisfies a weaker requirement (written ⊇ express ⊇ non-opposition)
        fits = (CONSENT_STRENGTH[kind] >= CONSENT_STRENGTH[needed] if current
                else kind is needed)
        require_input(fits, "consent_kind_mismatch",
                      f"a {s.category.value} study needs {needed.value} consent, not "
                      f"{changes['kind']}")
    consented = legal_time.as_date(changes.get("consented_on"))
    require_input(not current or consented is None or s.ethics.opinion != "favourable"
                  or s.ethics.opinion_on is None or consented >= s.ethics.opinion_on,
                  "date_out_of_order", f"consented_on ({consented}) cannot be before the CPP's "
                  f"favourable opinion ({s.ethics.opinion_on})")
    for name in ("consented_on", "included_on", "withdrawn_on"):
        day = legal_time.as_date(changes.get(name))
        require_input(day is None or s.recruitment_opened_on is None
                      or day >= s.recruitment_opened_on, "date_out_of_order",
                      f"{name} ({day}) cannot be before recruitment opened "
                      f"({s.recruitment_opened_on})")


def on_participant_fact_corrected(s: StudyState, e: ev.FactCorrected) -> StudyState:
    """A participant's current values follow the correction of the fact they came from; the
    correction of an older fact (a consent given again since) only mends the record."""
    participant = s.participants.get(e.code or "")
    if participant is None:
        return s
    update = {field: e.changes[name]
              for name, field in PARTICIPANT_FIELDS.get(e.event_type, {}).items()
              if name in e.changes and _same(getattr(participant, field), e.previous.get(name))}
    if not update:
        return s
    corrected = participant.model_validate({**participant.model_dump(), **update})
    return s.model_copy(update={"participants": {**s.participants, participant.code: corrected}})


def _same(current: Any, recorded: Any) -> bool:
    return current == recorded or (current is not None and str(
        getattr(current, "value", current)) == str(recorded))
