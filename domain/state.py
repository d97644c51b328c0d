"""The folded state of one study: what `evolve` builds from its events."""

from datetime import date
from typing import Any

from .model import (
    Category,
    ConsentBy,
    ConsentKind,
    Deadline,
    Framework,
    Frozen,
    ParticipantStatus,
    StudyStatus,
)


class Ethics(Frozen):
    committee: str | None = None
    submitted_on: date | None = None
    complete_on: date | None = None
    information_requested_on: date | None = None
    information_supplied_on: date | None = None
    validation_requested_on: date | None = None  # EU_CTR: the file found incomplete
    validation_supplied_on: date | None = None
    opinion: str | None = None  # favourable | unfavourable
    opinion_on: date | None = None
    tacit: bool = False
    second_review: bool = False  # the one second review has been used


class Ansm(Frozen):
    submitted_on: date | None = None
    express_authorization: bool = False
    decision: str | None = None  # authorized | refused
    decision_on: date | None = None
    tacit: bool = False
    notified_on: date | None = None  # RIPH2/3: opinion and summary sent for information


class Amendment(Frozen):
    id: str
    substantial: bool
    description: str
    protocol_version: str
    submitted_on: date
    status: str = "pending"  # pending | approved | rejected | recorded
    ethics_opinion: str | None = None
    ansm_decision: str | None = None


class SafetyEvent(Frozen):
    id: str
    kind: str
    occurred_on: date
    fatal_or_life_threatening: bool
    declared_on: date | None = None


class Participant(Frozen):
    code: str
    status: ParticipantStatus = ParticipantStatus.registered
    consent_kind: ConsentKind | None = None
    consent_form_version: str | None = None
    consent_major: str | None = None  # the study's major form version when consent was given
    consent_by: ConsentBy | None = None
    consented_on: date | None = None
    included_on: date | None = None
    withdrawn_on: date | None = None
    objected: bool = False  # to the use of their data (kept apart from the consent status)
    majority_on: date | None = None  # a minor's 18th birthday: re-consent falls due then
    emergency: bool = False  # included in an emergency, own consent deferred
    reconsent_cause: str | None = None  # why re-consent is needed (new form, majority)


class Fact(Frozen):
    """A study-level event as folded: kept so that a correction or a superseded tacit outcome
    can fold the study again (a participant's events are kept apart, in its own state)."""

    version: int
    type: str
    data: dict[str, Any]


class StudyState(Frozen):
    id: str
    title: str
    category: Category
    investigator: str
    framework: Framework = Framework.JARDE
    status: StudyStatus = StudyStatus.draft
    version: int = 0  # number of events folded: the stream's version
    protocol_version: str | None = None
    emergency_inclusion: bool = False  # the protocol allows deferred consent (L1122-1-2)
    consent_form_version: str | None = None  # current information and consent form
    consent_form_major: str | None = None  # the version that last changed it majorly
    document_sha256: str | None = None
    sponsor: str | None = None
    insurer: str | None = None
    policy: str | None = None
    cnil_route: str | None = None
    cnil_reference: str | None = None
    ethics: Ethics = Ethics()
    ansm: Ansm = Ansm()
    suspended_from: StudyStatus | None = None
    ended_on: date | None = None
    early_end: bool = False
    results_reported_on: date | None = None
    deadlines: dict[str, Deadline] = {}
    amendments: dict[str, Amendment] = {}
    safety_events: dict[str, SafetyEvent] = {}
    participants: dict[str, Participant] = {}
    recruitment_opened_on: date | None = None
    facts: tuple[Fact, ...] = ()
