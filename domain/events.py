"""Events: what happened, named in the past tense. The event store keeps `type` and the fields
as JSON; `parse_event` turns a stored pair back into the typed event, upcasting an event written
at an older schema version (domain/upcast.py)."""

from datetime import date
from typing import Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from .documents import AttachedDocument
from .model import (
    Category,
    ConsentBy,
    ConsentKind,
    FormChange,
    Framework,
    HolderException,
    Protection,
    StudyStatus,
)
from .upcast import upcast, with_version


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    # The shape of this event type's data. Change a field only with a new version and its
    # upcaster in domain/upcast.py: events already stored keep the shape they were written in.
    schema_version: ClassVar[int] = 1

    def payload(self) -> dict[str, Any]:
        """The data to store: the fields, and the schema version when above 1 (so that the
        events written before versions existed hash as they always did)."""
        return with_version(self.model_dump(mode="json", exclude={"type"}),
                            self.schema_version)


class StudyCreated(Event):
    type: Literal["StudyCreated"] = "StudyCreated"
    study_id: str
    title: str
    category: Category
    investigator: str
    framework: Framework = Framework.JARDE
    rules: int = 1  # the rules edition it runs under (regulation.RULES); 1 before editions


class RulesAdopted(Event):
    """A study created under an older edition of the rules runs under this one from now on
    (the clocks already running keep their due dates)."""

    type: Literal["RulesAdopted"] = "RulesAdopted"
    rules: int


class RegistrationRecorded(Event):
    """The research's registration number: its ID-RCB (ANSM) or its EU CT number (CTIS)."""

    type: Literal["RegistrationRecorded"] = "RegistrationRecorded"
    number: str


class StudyStatusChanged(Event):
    type: Literal["StudyStatusChanged"] = "StudyStatusChanged"
    from_status: StudyStatus
    to_status: StudyStatus
    on: date | None = None  # its legal date, where the change has one (recruitment opened)
    cause: str


class StudySuspended(Event):
    type: Literal["StudySuspended"] = "StudySuspended"
    by: Literal["sponsor", "authority"]
    for_safety: bool
    suspended_on: date


class ObservationsSubmitted(Event):
    type: Literal["ObservationsSubmitted"] = "ObservationsSubmitted"
    submitted_on: date


class HaltNotified(Event):
    type: Literal["HaltNotified"] = "HaltNotified"
    notified_on: date


class ProtocolSubmitted(Event):
    type: Literal["ProtocolSubmitted"] = "ProtocolSubmitted"
    version: str
    document_sha256: str
    emergency_inclusion: bool = False
    cluster_trial: bool = False
    vital_emergency: bool = False


class SponsorAssigned(Event):
    type: Literal["SponsorAssigned"] = "SponsorAssigned"
    sponsor: str
    commercial: bool = False  # research for commercial purposes (L1121-16-1: convention unique)


class InsuranceRecorded(Event):
    type: Literal["InsuranceRecorded"] = "InsuranceRecorded"
    insurer: str
    policy: str


class EthicsSubmitted(Event):
    type: Literal["EthicsSubmitted"] = "EthicsSubmitted"
    committee: str
    submitted_on: date
    second_review: bool = False
    platform_file: str | None = None  # the national platform's file number (R1123-20)


class EthicsCompletenessRecorded(Event):
    type: Literal["EthicsCompletenessRecorded"] = "EthicsCompletenessRecorded"
    notified_on: date


# `stage`: the request of the assessment (CPP, Part I), or, where the framework has one, of the
# validation of the file (EU_CTR art. 5(5)).
Stage = Literal["assessment", "validation"]


class EthicsInformationRequested(Event):
    type: Literal["EthicsInformationRequested"] = "EthicsInformationRequested"
    requested_on: date
    questions: str
    stage: Stage = "assessment"
    amendment_id: str | None = None


class EthicsInformationSupplied(Event):
    type: Literal["EthicsInformationSupplied"] = "EthicsInformationSupplied"
    supplied_on: date
    stage: Stage = "assessment"
    amendment_id: str | None = None


class EthicsOpinionRecorded(Event):
    type: Literal["EthicsOpinionRecorded"] = "EthicsOpinionRecorded"
    opinion: Literal["favourable", "unfavourable"]
    opinion_on: date
    tacit: bool = False
    amendment_id: str | None = None
    notified_on: date | None = None  # its notification to the sponsor (R1123-25)
    conditions: str | None = None  # a favourable opinion subject to these conditions


class EthicsConditionsLifted(Event):
    """The committee's chair found the sponsor's answers met the conditions of its favourable
    opinion (R1124-8)."""

    type: Literal["EthicsConditionsLifted"] = "EthicsConditionsLifted"
    lifted_on: date


class EthicsSubmissionLapsed(Event):
    """The sponsor did not complete the file or answer in time: the application is deemed
    withdrawn (CSP R1123-23 I; Reg. 536/2014 art. 5(5), 6(8); Reg. 2017/745 art. 70(3))."""

    type: Literal["EthicsSubmissionLapsed"] = "EthicsSubmissionLapsed"
    deadline: str
    lapsed_on: date
    amendment_id: str | None = None


class ReviewExtended(Event):
    """A reviewing body extends its own clock (R1123-44, Reg. 2017/745 art. 75(4)...)."""

    type: Literal["ReviewExtended"] = "ReviewExtended"
    deadline: str
    notified_on: date
    days: int


class SecondReviewRequested(Event):
    type: Literal["SecondReviewRequested"] = "SecondReviewRequested"
    committee: str
    requested_on: date


class CnilRecorded(Event):
    type: Literal["CnilRecorded"] = "CnilRecorded"
    route: str
    reference: str
    requested_on: date | None = None  # an authorization: the request to the CNIL


class CnilDecisionRecorded(Event):
    type: Literal["CnilDecisionRecorded"] = "CnilDecisionRecorded"
    decision: Literal["authorized", "refused"]
    decision_on: date
    tacit: bool = False


class ProcessingRegisterRecorded(Event):
    """The research's entry in the controller's record of processing activities (GDPR art. 30),
    which a reference methodology presupposes."""

    type: Literal["ProcessingRegisterRecorded"] = "ProcessingRegisterRecorded"
    entry: str
    entered_on: date


class DirectorInformed(Event):
    """The establishment's director informed before the research starts (R1123-69)."""

    type: Literal["DirectorInformed"] = "DirectorInformed"
    informed_on: date
    site: str | None = None


class ConventionSigned(Event):
    """The convention unique between a commercial sponsor and a site (L1121-16-1)."""

    type: Literal["ConventionSigned"] = "ConventionSigned"
    signed_on: date
    site: str | None = None


class MilestoneNotified(Event):
    """A milestone notified in CTIS (Reg. 536/2014 art. 36)."""

    type: Literal["MilestoneNotified"] = "MilestoneNotified"
    milestone: Literal["start", "first_visit", "recruitment_end"]
    notified_on: date


class AnsmSubmitted(Event):
    type: Literal["AnsmSubmitted"] = "AnsmSubmitted"
    submitted_on: date
    express_authorization: bool = False


class AnsmDecisionRecorded(Event):
    type: Literal["AnsmDecisionRecorded"] = "AnsmDecisionRecorded"
    decision: Literal["authorized", "refused"]
    decision_on: date
    tacit: bool = False
    amendment_id: str | None = None


class AnsmObjectionRecorded(Event):
    """The ANSM's reasoned objections to a RIPH1 (L1123-8): the sponsor may amend, once."""

    type: Literal["AnsmObjectionRecorded"] = "AnsmObjectionRecorded"
    objected_on: date
    answer_by: date  # the date the ANSM sets for the amended request
    reasons: str


class AnsmRequestAmended(Event):
    type: Literal["AnsmRequestAmended"] = "AnsmRequestAmended"
    submitted_on: date


class AnsmNotified(Event):
    type: Literal["AnsmNotified"] = "AnsmNotified"
    sent_on: date


class AmendmentSubmitted(Event):
    type: Literal["AmendmentSubmitted"] = "AmendmentSubmitted"
    amendment_id: str
    substantial: bool
    description: str
    protocol_version: str
    submitted_on: date


class AmendmentDecided(Event):
    """A substantial amendment has all its decisions: it takes effect, or it is rejected."""

    type: Literal["AmendmentDecided"] = "AmendmentDecided"
    amendment_id: str
    outcome: Literal["approved", "rejected"]


class SafetyEventReported(Event):
    type: Literal["SafetyEventReported"] = "SafetyEventReported"
    event_id: str
    kind: Literal["susar", "sae", "urgent_safety_measure"]
    occurred_on: date
    fatal_or_life_threatening: bool
    aware_on: date | None = None  # the sponsor's awareness (occurred_on when not given)


class SafetyEventAssessed(Event):
    """The sponsor's assessment of a serious adverse event: a SUSAR to declare, or not."""

    type: Literal["SafetyEventAssessed"] = "SafetyEventAssessed"
    event_id: str
    assessed_on: date
    susar: bool
    fatal_or_life_threatening: bool


class SafetyEventDeclared(Event):
    type: Literal["SafetyEventDeclared"] = "SafetyEventDeclared"
    event_id: str
    declared_on: date


class AnnualSafetyReportSubmitted(Event):
    type: Literal["AnnualSafetyReportSubmitted"] = "AnnualSafetyReportSubmitted"
    submitted_on: date


class EndDeclared(Event):
    type: Literal["EndDeclared"] = "EndDeclared"
    ended_on: date
    early: bool
    for_safety: bool = False


class EndDeclarationSubmitted(Event):
    type: Literal["EndDeclarationSubmitted"] = "EndDeclarationSubmitted"
    declared_on: date


class ResultsReported(Event):
    type: Literal["ResultsReported"] = "ResultsReported"
    reported_on: date


class DeadlineReminderDue(Event):
    type: Literal["DeadlineReminderDue"] = "DeadlineReminderDue"
    deadline: str
    due_on: date
    days_before: int


class DeadlineMissed(Event):
    type: Literal["DeadlineMissed"] = "DeadlineMissed"
    deadline: str
    due_on: date
    consequence: str


class ParticipantRegistered(Event):
    type: Literal["ParticipantRegistered"] = "ParticipantRegistered"
    code: str
    majority_on: date | None = None
    emergency: bool = False
    no_relative_present: bool = False
    healthy_volunteer: bool = False
    protection: Protection | None = None
    benefit: str | None = None
    site: str | None = None


class ConsentRecorded(Event):
    type: Literal["ConsentRecorded"] = "ConsentRecorded"
    code: str
    kind: ConsentKind
    consent_form_version: str
    consented_on: date
    by: ConsentBy = ConsentBy.participant
    witnessed: bool = False
    holders: int | None = None
    holder_exception: HolderException | None = None


class ParticipantIncluded(Event):
    type: Literal["ParticipantIncluded"] = "ParticipantIncluded"
    code: str
    included_on: date


class ReconsentRequired(Event):
    """A minor came of age: their own consent is now needed."""

    type: Literal["ReconsentRequired"] = "ReconsentRequired"
    code: str
    cause: str
    due_on: date


class ConsentFormIssued(Event):
    type: Literal["ConsentFormIssued"] = "ConsentFormIssued"
    version: str
    change: FormChange
    issued_on: date


class ConsentWithdrawn(Event):
    type: Literal["ConsentWithdrawn"] = "ConsentWithdrawn"
    code: str
    withdrawn_on: date
    data_kept_until: date  # data collected before withdrawal stays (L1122-1-1, last al.)


class DataUseObjected(Event):
    type: Literal["DataUseObjected"] = "DataUseObjected"
    code: str
    objected_on: date | None = None


class ParticipationCompleted(Event):
    type: Literal["ParticipationCompleted"] = "ParticipationCompleted"
    code: str
    completed_on: date | None = None  # None in the events recorded before it was asked for


class SiteAdded(Event):
    type: Literal["SiteAdded"] = "SiteAdded"
    site: str
    name: str
    investigator: str


class SiteActivated(Event):
    type: Literal["SiteActivated"] = "SiteActivated"
    site: str
    activated_on: date
    documents: dict[str, date] = {}  # the unit's requirements attested: field -> date


class SiteClosed(Event):
    type: Literal["SiteClosed"] = "SiteClosed"
    site: str
    closed_on: date


class RecruitmentPlanSet(Event):
    type: Literal["RecruitmentPlanSet"] = "RecruitmentPlanSet"
    target: int
    starts_on: date
    ends_on: date
    behind_percent: int
    site: str | None = None  # None: the study's own plan


class RecruitmentBehindPlan(Event):
    """The study (site None) or a site found more than its plan's percent behind the plan line
    on `on`: a task and a notice for the coordinator, at most once a week."""

    type: Literal["RecruitmentBehindPlan"] = "RecruitmentBehindPlan"
    site: str | None
    on: date
    planned: float
    included: int
    target: int
    catch_up: int  # the inclusions that were not behind that day


class TacitOutcomeSuperseded(Event):
    """A tacit outcome (the consequence a clock gave a silence) gives way to the real fact,
    recorded late but dated on or before the clock's due date. The tacit event stays in the
    record; the state is folded as if the fact had been recorded in time."""

    type: Literal["TacitOutcomeSuperseded"] = "TacitOutcomeSuperseded"
    superseded_version: int  # the stream version of the tacit outcome
    deadline: str
    due_on: date
    consequence: str
    by_command: str  # the command recording the real fact
    superseded_on: date  # the real fact's legal date


class DocumentsAttached(Event):
    """The documents behind the fact just recorded by `command` (domain/documents.py): their
    hash, size, media type, original name and kind, covered by the study's hash chain."""

    type: Literal["DocumentsAttached"] = "DocumentsAttached"
    command: str
    documents: list[AttachedDocument]
    version: str | None = None  # the version the documents are (protocol, form...)
    amendment_id: str | None = None  # the amendment they belong to, in force when it is


class FactCorrected(Event):
    """A mistyped fact set right. The event it names stays as it was recorded (21 CFR 11.10(e));
    the state is folded from the facts as corrected."""

    type: Literal["FactCorrected"] = "FactCorrected"
    seq: int  # the audit sequence number of the corrected event
    version: int  # its version in the study's stream
    event_type: str
    changes: dict[str, Any]
    previous: dict[str, Any]  # the values the changes replace
    code: str | None = None  # the participant, for a participant's fact


DomainEvent = Annotated[
    Union[  # noqa: UP007
        StudyCreated, RulesAdopted, RegistrationRecorded, StudyStatusChanged, ProtocolSubmitted,
        SponsorAssigned, InsuranceRecorded,
        EthicsSubmitted, EthicsCompletenessRecorded, EthicsInformationRequested,
        EthicsInformationSupplied, EthicsOpinionRecorded, SecondReviewRequested, CnilRecorded,
        AnsmSubmitted, AnsmDecisionRecorded, AnsmNotified, AmendmentSubmitted, AmendmentDecided,
        SafetyEventReported, SafetyEventDeclared, AnnualSafetyReportSubmitted, EndDeclared,
        EndDeclarationSubmitted, ResultsReported, DeadlineReminderDue, DeadlineMissed, ParticipantRegistered,
        ConsentRecorded, ConsentWithdrawn, DataUseObjected, ParticipationCompleted,
        ParticipantIncluded, ReconsentRequired, ConsentFormIssued,
        StudySuspended, ObservationsSubmitted, HaltNotified, TacitOutcomeSuperseded,
        FactCorrected, EthicsSubmissionLapsed, ReviewExtended, AnsmObjectionRecorded,
        AnsmRequestAmended, SafetyEventAssessed, EthicsConditionsLifted, CnilDecisionRecorded,
        ProcessingRegisterRecorded, DirectorInformed, ConventionSigned, MilestoneNotified,
        SiteAdded, SiteActivated, SiteClosed, RecruitmentPlanSet,
        RecruitmentBehindPlan, DocumentsAttached,
    ],
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[Event] = TypeAdapter(DomainEvent)
# What happens to one participant: a study's other rules never depend on these.
PARTICIPANT_EVENT_TYPES = frozenset(e.model_fields["type"].default for e in (
    ParticipantRegistered, ConsentRecorded, ConsentWithdrawn, DataUseObjected,
    ParticipationCompleted, ParticipantIncluded, ReconsentRequired))


EVENT_TYPES: dict[str, type[Event]] = {
    cls.model_fields["type"].default: cls for cls in get_args(get_args(DomainEvent)[0])}


def parse_event(type_: str, data: dict[str, Any]) -> Event:
    """A stored event (type, data) as the typed event this code knows, upcast from the schema
    version it was written at."""
    cls = EVENT_TYPES.get(type_)
    if cls is not None:
        data = upcast(type_, data, cls.schema_version)
    return _ADAPTER.validate_python({**data, "type": type_})
