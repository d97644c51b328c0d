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
    Protection,
    StudyStatus,
)
from .sites import PaceAlert, RecruitmentPlan, Site


class Ethics(Frozen):
    committee: str | None = None
    platform_file: str | None = None  # the file's number on the national platform (SI RIPH)
    submitted_on: date | None = None
    complete_on: date | None = None
    information_requested_on: date | None = None
    information_supplied_on: date | None = None
    information_requests: int = 0  # requests of the assessment (EU_CTR allows several)
    validation_requested_on: date | None = None  # EU_CTR: the file found incomplete
    validation_supplied_on: date | None = None
    opinion: str | None = None  # favourable | unfavourable
    opinion_on: date | None = None
    conditions: str | None = None  # a favourable opinion subject to conditions (R1124-8)
    conditions_lifted_on: date | None = None
    notified_on: date | None = None  # the opinion's notification to the sponsor
    tacit: bool = False
    lapsed: bool = False  # the sponsor did not complete or answer in time: deemed withdrawn
    second_review: bool = False  # the one second review has been used


class Ansm(Frozen):
    submitted_on: date | None = None
    express_authorization: bool = False
    decision: str | None = None  # authorized | refused
    decision_on: date | None = None
    tacit: bool = False
    notified_on: date | None = None  # RIPH2/3: opinion and summary sent for information
    objected_on: date | None = None  # the ANSM's reasoned objections (L1123-8)
    amended_on: date | None = None  # the sponsor's amended request, once (L1123-8)


class Amendment(Frozen):
    id: str
    substantial: bool
    description: str
    protocol_version: str
    submitted_on: date
    status: str = "pending"  # pending | approved | rejected | recorded
    ethics_opinion: str | None = None
    ansm_decision: str | None = None
    information_requested_on: date | None = None  # the CPP's request on the amendment
    information_supplied_on: date | None = None
    information_requests: int = 0


class SafetyEvent(Frozen):
    id: str
    kind: str
    occurred_on: date
    fatal_or_life_threatening: bool
    aware_on: date | None = None  # the sponsor's awareness (occurred_on when not given)
    declared_on: date | None = None
    assessed_on: date | None = None  # an SAE: the sponsor's assessment (R1123-49, R1123-53)
    susar: bool | None = None  # the assessment's outcome


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
    no_relative_present: bool = False  # a life-threatening emergency: included before consent
    healthy_volunteer: bool = False  # a person with no condition (L1122-2 II: both holders)
    protection: Protection | None = None  # a person the law protects (L1121-5 to L1121-8)
    benefit: str | None = None  # the inclusion condition recorded for them (PROTECTED)
    reconsent_cause: str | None = None  # why re-consent is needed (new form, majority)
    site: str | None = None  # the research site that included them
    completed_on: date | None = None


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
    rules: int = 1  # the edition of the rules it runs under (regulation.RULES)
    status: StudyStatus = StudyStatus.draft
    version: int = 0  # number of events folded: the stream's version
    protocol_version: str | None = None
    emergency_inclusion: bool = False  # the protocol allows deferred consent (L1122-1-3)
    vital_emergency: bool = False  # ...and inclusion before any consent (L1122-1-3 derogation)
    # a RIPH2 whose method rules out individual consent: collective information, non-opposition
    cluster_trial: bool = False
    registration: str | None = None  # ID-RCB or EU CT number
    consent_form_version: str | None = None  # current information and consent form
    consent_form_major: str | None = None  # the version that last changed it majorly
    document_sha256: str | None = None
    sponsor: str | None = None
    insurer: str | None = None
    policy: str | None = None
    cnil_route: str | None = None
    cnil_reference: str | None = None
    cnil_requested_on: date | None = None  # an authorization requested (Loi 78-17 art. 66)
    cnil_decision: str | None = None  # authorized | refused
    cnil_decision_on: date | None = None
    processing_register: str | None = None  # the record of processing activities' entry
    commercial: bool = False  # the sponsor's research is for commercial purposes
    director_informed_on: date | None = None  # R1123-69
    conventions: dict[str, date] = {}  # site ("" for the study's own) -> convention signed
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
    # research sites by code, the study's own recruitment plan, the last behind-plan alert of
    # the study ("") and of each site (domain/sites.py, domain/tracks/sites.py)
    sites: dict[str, Site] = {}
    recruitment_plan: RecruitmentPlan | None = None
    pace_alerts: dict[str, PaceAlert] = {}
    facts: tuple[Fact, ...] = ()
