"""Commands: what staff ask for. Field names are the contract's (shared/CONTRACT.md)."""

from datetime import date
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .model import Category, ConsentKind, Framework

# Printable text: control characters (NUL above all, which PostgreSQL cannot store) are refused
# here, before they reach the workflow, rather than failing the append for ever after.
PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500,
                                        pattern=PRINTABLE)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]
# Pseudonymous participant codes only: no names, no e-mail addresses reach the engine.
ParticipantCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,4}-[0-9]{3,8}$")]


class Command(BaseModel):
    # Unknown fields are ignored so that clients may send more than a command needs.
    model_config = ConfigDict(frozen=True, extra="ignore")


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


class RecordConsent(Command):
    type: Literal["record_consent"]
    code: ParticipantCode
    kind: ConsentKind
    consent_form_version: Text
    consented_on: date


class WithdrawConsent(Command):
    type: Literal["withdraw_consent"]
    code: ParticipantCode
    withdrawn_on: date


class ObjectToDataUse(Command):
    type: Literal["object_to_data_use"]
    code: ParticipantCode
    objected_on: date | None = None


class Reconsent(Command):
    type: Literal["reconsent"]
    code: ParticipantCode
    consent_form_version: Text
    consented_on: date


class CompleteParticipation(Command):
    type: Literal["complete"]
    code: ParticipantCode


_STUDY = (
    SubmitProtocol, AssignSponsor, RecordInsurance, SubmitToEthics, RecordEthicsCompleteness,
    EthicsRequestInformation, EthicsInformationSupplied, RecordEthicsOpinion, RequestSecondReview,
    RecordCnil, SubmitToAnsm, RecordAnsmDecision, NotifyAnsm, OpenRecruitment, CloseRecruitment,
    SubmitAmendment, ReportSafetyEvent, DeclareSafetyEvent, SubmitAnnualSafetyReport, Suspend,
    SubmitObservations, NotifyHalt, Resume, DeclareEnd, SubmitEndDeclaration, ReportResults,
    Archive,
)
_PARTICIPANT = (RecordConsent, WithdrawConsent, ObjectToDataUse, Reconsent, CompleteParticipation)

StudyCommand = Annotated[Union[_STUDY], Field(discriminator="type")]  # noqa: UP007
ParticipantCommand = Annotated[Union[_PARTICIPANT], Field(discriminator="type")]  # noqa: UP007
AnyCommand = Annotated[
    Union[(CreateStudy, RegisterParticipant, *_STUDY, *_PARTICIPANT)],  # noqa: UP007
    Field(discriminator="type"),
]
STUDY_COMMAND_TYPES = tuple(c.model_fields["type"].annotation.__args__[0] for c in _STUDY)
PARTICIPANT_COMMAND_TYPES = tuple(
    c.model_fields["type"].annotation.__args__[0] for c in _PARTICIPANT
)
