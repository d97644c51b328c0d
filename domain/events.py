"""Events: what happened, named in the past tense. The event store keeps `type` and the fields
as JSON; `parse_event` turns a stored pair back into the typed event, upcasting an event written
at an older schema version (domain/upcast.py)."""

from datetime import date
from typing import Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from .model import (
    Category,
    ConsentBy,
    ConsentKind,
    FormChange,
    Framework,
    HolderException,
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


class SponsorAssigned(Event):
    type: Literal["SponsorAssigned"] = "SponsorAssigned"
    sponsor: str


class InsuranceRecorded(Event):
    type: Literal["InsuranceRecorded"] = "InsuranceRecorded"
    insurer: str
    policy: str


class EthicsSubmitted(Event):
    type: Literal["EthicsSubmitted"] = "EthicsSubmitted"
    committee: str
    submitted_on: date
    second_review: bool = False


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


class EthicsInformationSupplied(Event):
    type: Literal["EthicsInformationSupplied"] = "EthicsInformationSupplied"
    supplied_on: date
    stage: Stage = "assessment"


class EthicsOpinionRecorded(Event):
    type: Literal["EthicsOpinionRecorded"] = "EthicsOpinionRecorded"
    opinion: Literal["favourable", "unfavourable"]
    opinion_on: date
    tacit: bool = False
    amendment_id: str | None = None


class SecondReviewRequested(Event):
    type: Literal["SecondReviewRequested"] = "SecondReviewRequested"
    committee: str
    requested_on: date


class CnilRecorded(Event):
    type: Literal["CnilRecorded"] = "CnilRecorded"
    route: str
    reference: str


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
        StudyCreated, StudyStatusChanged, ProtocolSubmitted, SponsorAssigned, InsuranceRecorded,
        EthicsSubmitted, EthicsCompletenessRecorded, EthicsInformationRequested,
        EthicsInformationSupplied, EthicsOpinionRecorded, SecondReviewRequested, CnilRecorded,
        AnsmSubmitted, AnsmDecisionRecorded, AnsmNotified, AmendmentSubmitted, AmendmentDecided,
        SafetyEventReported, SafetyEventDeclared, AnnualSafetyReportSubmitted, EndDeclared,
        EndDeclarationSubmitted, ResultsReported, DeadlineReminderDue, DeadlineMissed, ParticipantRegistered,
        ConsentRecorded, ConsentWithdrawn, DataUseObjected, ParticipationCompleted,
        ParticipantIncluded, ReconsentRequired, ConsentFormIssued,
        StudySuspended, ObservationsSubmitted, HaltNotified, TacitOutcomeSuperseded,
        FactCorrected,
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
