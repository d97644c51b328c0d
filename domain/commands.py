"""Commands: what staff ask for. Field names are the contract's (shared/CONTRACT.md)."""

from datetime import date
from typing import Annotated, Any, Literal, TypeAlias, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    field_validator,
    model_validator,
)

from .documents import DocumentRef
from .model import (
    Category,
    ConsentBy,
    ConsentKind,
    FormChange,
    Framework,
    HolderException,
    Protection,
)

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
# The research's registration number: an ID-RCB, which the ANSM gives every research under the
# Jardé law (2026-A01234-56), or the EU CT number CTIS gives a trial (2026-512345-12-00).
ID_RCB = r"\d{4}-A\d{5}-\d{2}"
EU_CT_NUMBER = r"\d{4}-5\d{5}-\d{2}-\d{2}"
REGISTRATION = rf"^(?:{ID_RCB}|{EU_CT_NUMBER})$"
RegistrationNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=REGISTRATION)]
# Research sites are known by the unit's codes (SITE_CODE_PATTERN, checked at the API); the
# engine itself refuses anything with a space or more than 32 characters.
SiteCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]


class Command(BaseModel):
    # Unknown fields are ignored so that clients may send more than a command needs.
    model_config = ConfigDict(frozen=True, extra="ignore")
    # the documents behind the fact: [{"sha256", "kind"}], of the kinds the command takes
    # (regulation.DOCUMENT_RULES); the API resolves each in the document store
    documents: tuple[DocumentRef, ...] = ()


# Dates a command may carry that are expected, not facts: they may lie in the future.
EXPECTED_DATES = frozenset({"majority_on", "starts_on", "ends_on", "answer_by"})


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
    # ...and for its derogation in an immediate life-threatening emergency, when no relative is
    # present: inclusion before anyone's consent (L1122-1-3)
    vital_emergency: bool = False
    # a RIPH2 cluster trial: collective information and non-opposition (L1122-1-4)
    cluster_trial: bool = False


class RecordRegistration(Command):
    type: Literal["record_registration"]
    number: RegistrationNumber


class AssignSponsor(Command):
    type: Literal["assign_sponsor"]
    sponsor: Text
    commercial: bool = False  # an industry sponsor, for commercial purposes (L1121-16-1)


class RecordInsurance(Command):
    type: Literal["record_insurance"]
    insurer: Text
    policy: Text


class SubmitToEthics(Command):
    type: Literal["submit_to_ethics"]
    committee: Text  # the committee the national platform designated by random draw
    submitted_on: date
    platform_file: Text | None = None  # the file's number on the national platform (R1123-20)


class RecordEthicsCompleteness(Command):
    type: Literal["record_ethics_completeness"]
    notified_on: date


class EthicsRequestInformation(Command):
    type: Literal["ethics_request_information"]
    requested_on: date
    questions: Text
    # "validation": the file is incomplete (the sponsor completes it); "assessment": a question
    # on a complete file. By default: the validation stage while an EU file is not validated,
    # the assessment otherwise.
    stage: Literal["validation", "assessment"] | None = None
    amendment_id: str | None = None  # a question on that pending substantial amendment


class EthicsInformationSupplied(Command):
    type: Literal["ethics_information_supplied"]
    supplied_on: date
    amendment_id: str | None = None


class RecordEthicsOpinion(Command):
    type: Literal["record_ethics_opinion"]
    opinion: Literal["favourable", "unfavourable"]
    opinion_on: date
    amendment_id: str | None = None
    notified_on: date | None = None  # its notification to the sponsor, if not opinion_on
    conditions: Text | None = None  # favourable subject to these conditions (R1124-8)


class LiftEthicsConditions(Command):
    type: Literal["lift_ethics_conditions"]
    lifted_on: date


class RequestSecondReview(Command):
    type: Literal["request_second_review"]
    committee: Text  # the new committee the national platform designated (R1123-25)
    requested_on: date
    platform_file: Text | None = None


class ExtendReview(Command):
    """A reviewing body extends its own clock: the ANSM on a modification (R1123-44, 10 days
    at most), the Member State on a device modification (Reg. 2017/745 art. 75(4), 7 days)..."""

    type: Literal["extend_review"]
    deadline: Text  # the deadline it extends (its name in the study's deadlines)
    notified_on: date
    days: int = Field(gt=0, le=60)


class RecordAnsmObjection(Command):
    type: Literal["record_ansm_objection"]
    objected_on: date
    answer_by: date  # the date the ANSM sets for the amended request
    reasons: Text


class AmendAnsmRequest(Command):
    type: Literal["amend_ansm_request"]
    submitted_on: date


class RecordCnil(Command):
    type: Literal["record_cnil"]
    route: Literal["MR-001", "MR-003", "MR-004", "authorization"]
    reference: Text
    requested_on: date | None = None  # an authorization: the request (default: today)


class RecordCnilDecision(Command):
    type: Literal["record_cnil_decision"]
    decision: Literal["authorized", "refused"]
    decision_on: date


class RecordProcessingRegister(Command):
    type: Literal["record_processing_register"]
    entry: Text  # the entry's reference in the record of processing activities
    entered_on: date


class InformDirector(Command):
    type: Literal["inform_director"]
    informed_on: date
    site: Text | None = None


class SignConvention(Command):
    type: Literal["sign_convention"]
    signed_on: date
    site: Text | None = None  # the site it covers (None: the study's own establishment)


class NotifyMilestone(Command):
    type: Literal["notify_milestone"]
    milestone: Literal["start", "first_visit", "recruitment_end"]
    notified_on: date


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
    closed_on: date | None = None  # default: the day it is recorded


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
    aware_on: date | None = None  # the day the sponsor knew of it (default: occurred_on)


class AssessSafetyEvent(Command):
    """The sponsor's assessment of a serious adverse event (R1123-49, R1123-53): a suspected
    unexpected serious adverse reaction is then declared from the day of the assessment."""

    type: Literal["assess_safety_event"]
    event_id: Text
    assessed_on: date
    susar: bool
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
    for_safety: bool = False  # stopped early on safety grounds


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
    emergency: bool = False  # included in an emergency, own consent deferred (L1122-1-3)
    # an immediate life-threatening emergency with no relative present (L1122-1-3 derogation)
    no_relative_present: bool = False
    healthy_volunteer: bool = False  # a person with no condition
    protection: Protection | None = None  # a person the law protects (L1121-5 to L1121-8)
    # the condition of their inclusion in a RIPH1/RIPH2 (regulation.PROTECTED)
    benefit: Literal["direct_benefit", "others_benefit"] | None = None
    site: SiteCode | None = None  # the site that includes them (it must be active)


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
    completed_on: date | None = None  # default: the day it is recorded


# --- Sites and recruitment plans (domain/tracks/sites.py). ------------------------------------
class AddSite(Command):
    type: Literal["add_site"]
    site: SiteCode
    name: Text
    investigator: Text


class ActivateSite(Command):
    """The site may include from `activated_on`; the documents the unit asks for
    (domain/sites.py SITE_REQUIREMENTS) are attested by their dates."""

    type: Literal["activate_site"]
    site: SiteCode
    activated_on: date
    agreement_signed_on: date | None = None
    initiation_visit_on: date | None = None


class CloseSite(Command):
    type: Literal["close_site"]
    site: SiteCode
    closed_on: date


class SetRecruitmentPlan(Command):
    """The study's target and planned period, or one site's (`site`)."""

    type: Literal["set_recruitment_plan"]
    target: int = Field(gt=0, le=1_000_000)
    starts_on: date
    ends_on: date
    site: SiteCode | None = None
    # percent below the plan that counts as behind (default: the RECRUITMENT_BEHIND_PERCENT
    # setting, filled in by the API)
    behind_percent: int | None = Field(None, ge=1, le=100)

    @field_validator("target", "behind_percent", mode="before")
    @classmethod
    def _no_bool(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("a positive integer is expected, not a boolean")
        return value

    @model_validator(mode="after")
    def _period(self) -> "SetRecruitmentPlan":
        if self.ends_on <= self.starts_on:
            raise ValueError(f"the planned period ends ({self.ends_on}) on or before it starts "
                             f"({self.starts_on})")
        return self


# One union per audience, in the contract's order (the web page offers forms in this order).
StudyCommandClass: TypeAlias = (
    SubmitProtocol | AssignSponsor | RecordInsurance | RecordRegistration | SubmitToEthics
    | RecordEthicsCompleteness
    | EthicsRequestInformation | EthicsInformationSupplied | RecordEthicsOpinion
    | LiftEthicsConditions | RequestSecondReview | RecordCnil | RecordCnilDecision
    | RecordProcessingRegister | SubmitToAnsm | RecordAnsmDecision | RecordAnsmObjection
    | AmendAnsmRequest | ExtendReview | NotifyAnsm | InformDirector | SignConvention
    | OpenRecruitment | NotifyMilestone | CloseRecruitment | SubmitAmendment | ReportSafetyEvent
    | AssessSafetyEvent | DeclareSafetyEvent | SubmitAnnualSafetyReport | Suspend
    | SubmitObservations | NotifyHalt
    | Resume | DeclareEnd | SubmitEndDeclaration | ReportResults | Archive | IssueConsentForm
    | Correct | AddSite | ActivateSite | CloseSite | SetRecruitmentPlan
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
# built once per process: built in the workflow's module, which the SDK's sandbox imports
# again for each study, it cost 2% of the worker's CPU in bench/lifecycle.py
ANY_COMMAND: TypeAdapter[Any] = TypeAdapter(AnyCommand)


def command_type(model: type[Command]) -> str:
    """The `type` a command class answers to."""
    return str(get_args(model.model_fields["type"].annotation)[0])


STUDY_COMMAND_TYPES = tuple(command_type(m) for m in get_args(StudyCommandClass))
PARTICIPANT_COMMAND_TYPES = tuple(command_type(m) for m in get_args(ParticipantCommandClass))
