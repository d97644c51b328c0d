"""Commands: what staff ask for. Field names are the contract's (shared/CONTRACT.md)."""

from datetime import date
from typing import Annotated, Any, Literal, TypeAlias, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .model import Category, ConsentBy, ConsentKind, FormChange, Framework, HolderException

# Printable text: control characters (NUL above all, which PostgreSQL cannot store) are refused
# here, before they reach the workflow, rather than failing the append for ever after.
PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500,
                                        pattern=PRINTABLE)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]
# Pseudonymous participant codes only: no names, no e-mail addresses reach the engine. The
# unit's own format (PARTICIPANT_CODE_PATTERN, e.g. P-0001) is checked at the API; the engine
# itself refuses anything with a space, an @ or more than 32 characters.
ParticipantCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]


class Command(BaseModel):
    # Unknown fields are ignored so that clients may send more than a command needs.
    model_config = ConfigDict(frozen=True, extra="ignore")


# Dates a command may carry that are expected, not facts: they may lie in the future.
EXPECTED_DATES = frozenset({"majority_on"})


class CreateStudy(Command):
    type: Literal["create_study"] = "create_study"
    title: Text
    category: Category
    investigator: Text
    framework: Framework = Framework.JARDE


class SubmitProtocol(Command):
    type: Literal["submit_protocol"]
    version: Text
    document_sha256: Sha256
    emergency_inclusion: bool = False  # the protocol provides for emergency inclusion


class AssignSponsor(Command):
    type: Literal["assign_sponsor"]
    sponsor: Text


class RecordInsurance(Command):
    type: Literal["record_insurance"]
    insurer: Text
    policy: Text


class SubmitToEthics(Command):
    type: Literal["submit_to_ethics"]
    committee: Text
    submitted_on: date


class RecordEthicsCompleteness(Command):
    type: Literal["record_ethics_completeness"]
    notified_on: date


class EthicsRequestInformation(Command):
    type: Literal["ethics_request_information"]
    requested_on: date
    questions: Text


class EthicsInformationSupplied(Command):
    type: Literal["ethics_information_supplied"]
    supplied_on: date


class RecordEthicsOpinion(Command):
    type: Literal["record_ethics_opinion"]
    opinion: Literal["favourable", "unfavourable"]
    opinion_on: date
    amendment_id: str | None = None


class RequestSecondReview(Command):
    type: Literal["request_second_review"]
    committee: Text
    requested_on: date


class RecordCnil(Command):
    type: Literal["record_cnil"]
    route: Literal["MR-001", "MR-003", "MR-004", "authorization"]
    reference: Text


class SubmitToAnsm(Command):
    type: Literal["submit_to_ansm"]
    submitted_on: date
    # Products on the R1127-7 list need an express authorization: silence is refusal.
    express_authorization: bool = False


class RecordAnsmDecision(Command):
    type: Literal["record_ansm_decision"]
    decision: Literal["authorized", "refused"]
    decision_on: date
    amendment_id: str | None = None


class NotifyAnsm(Command):
    type: Literal["notify_ansm"]
    sent_on: date


class OpenRecruitment(Command):
    type: Literal["open_recruitment"]
    opened_on: date | None = None  # default: the day it is recorded


class Correct(Command):
    """Correct a mistyped fact: the event at audit `seq`, the fields and their new values.
    `version`, `recorded_by` and `original` are filled in by the API from the event store."""

    type: Literal["correct"]
    seq: int = Field(gt=0)
    changes: dict[str, Any] = Field(min_length=1, max_length=20)
    version: int | None = None
    recorded_by: str | None = None  # the role that recorded the fact
    original_type: str | None = None
    original: dict[str, Any] | None = None


class CloseRecruitment(Command):
    type: Literal["close_recruitment"]


class SubmitAmendment(Command):
    type: Literal["submit_amendment"]
    substantial: bool
    description: Text
    protocol_version: Text
    submitted_on: date


class ReportSafetyEvent(Command):
    type: Literal["report_safety_event"]
    kind: Literal["susar", "sae", "urgent_safety_measure"]
    occurred_on: date
    fatal_or_life_threatening: bool = False


class DeclareSafetyEvent(Command):
    type: Literal["declare_safety_event"]
    event_id: Text
    declared_on: date


class SubmitAnnualSafetyReport(Command):
    type: Literal["submit_annual_safety_report"]
    submitted_on: date


class Suspend(Command):
    type: Literal["suspend"]
    # the sponsor halts it (a notification falls due under the EU regulations), or the
    # authority suspends it (the sponsor has one week for its observations, CSP L1123-11)
    by: Literal["sponsor", "authority"] = "sponsor"
    for_safety: bool = False
    suspended_on: date | None = None  # default: the day it is recorded


class SubmitObservations(Command):
    type: Literal["submit_observations"]
    submitted_on: date


class NotifyHalt(Command):
    type: Literal["notify_halt"]
    notified_on: date


class Resume(Command):
    type: Literal["resume"]


class DeclareEnd(Command):
    type: Literal["declare_end"]
    ended_on: date
    early: bool = False


class SubmitEndDeclaration(Command):
    type: Literal["submit_end_declaration"]
    declared_on: date


class ReportResults(Command):
    type: Literal["report_results"]
    reported_on: date


class Archive(Command):
    type: Literal["archive"]


# --- Participant commands (the participant's code is part of each). --------------------------
class RegisterParticipant(Command):
    type: Literal["register_participant"] = "register_participant"
    code: ParticipantCode
    # a minor's 18th birthday, as a date (never the birth date itself): re-consent falls due then
    majority_on: date | None = None
    emergency: bool = False  # included in an emergency, own consent deferred (L1122-1-2)


class ConsentDetails(Command):
    consent_form_version: Text
    consented_on: date
    by: ConsentBy = ConsentBy.participant
    unable_to_write: bool = False  # the participant cannot write: a witness attests
    witnessed: bool = False
    holders: int | None = Field(None, ge=1, le=2)  # holders of parental authority who consented
    holder_exception: HolderException | None = None  # why one holder consented alone


class RecordConsent(ConsentDetails):
    type: Literal["record_consent"]
    code: ParticipantCode
    kind: ConsentKind


class WithdrawConsent(Command):
    type: Literal["withdraw_consent"]
    code: ParticipantCode
    withdrawn_on: date


class ObjectToDataUse(Command):
    type: Literal["object_to_data_use"]
    code: ParticipantCode
    objected_on: date | None = None


class Reconsent(ConsentDetails):
    type: Literal["reconsent"]
    code: ParticipantCode


class Include(Command):
    type: Literal["include"]
    code: ParticipantCode
    included_on: date


class IssueConsentForm(Command):
    """A new version of the information and consent form; `major` makes every active
    participant re-consent."""

    type: Literal["issue_consent_form"]
    version: Text
    change: FormChange
    issued_on: date


class CompleteParticipation(Command):
    type: Literal["complete"]
    code: ParticipantCode


# One union per audience, in the contract's order (the web page offers forms in this order).
StudyCommandClass: TypeAlias = (
    SubmitProtocol | AssignSponsor | RecordInsurance | SubmitToEthics | RecordEthicsCompleteness
    | EthicsRequestInformation | EthicsInformationSupplied | RecordEthicsOpinion
    | RequestSecondReview | RecordCnil | SubmitToAnsm | RecordAnsmDecision | NotifyAnsm
    | OpenRecruitment | CloseRecruitment | SubmitAmendment | ReportSafetyEvent
    | DeclareSafetyEvent | SubmitAnnualSafetyReport | Suspend | SubmitObservations | NotifyHalt
    | Resume | DeclareEnd | SubmitEndDeclaration | ReportResults | Archive | IssueConsentForm
    | Correct
)
ParticipantCommandClass: TypeAlias = (
    RecordConsent | WithdrawConsent | ObjectToDataUse | Reconsent | Include
    | CompleteParticipation
)
StudyCommand = Annotated[StudyCommandClass, Field(discriminator="type")]
ParticipantCommand = Annotated[ParticipantCommandClass, Field(discriminator="type")]
AnyCommand = Annotated[
    CreateStudy | RegisterParticipant | StudyCommandClass | ParticipantCommandClass,
    Field(discriminator="type"),
]


def command_type(model: type[Command]) -> str:
    """The `type` a command class answers to."""
    return str(get_args(model.model_fields["type"].annotation)[0])


STUDY_COMMAND_TYPES = tuple(command_type(m) for m in get_args(StudyCommandClass))
PARTICIPANT_COMMAND_TYPES = tuple(command_type(m) for m in get_args(ParticipantCommandClass))
