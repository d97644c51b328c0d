"""The command catalogue: one entry per command class, saying what the command is (its model),
who may send it, how the rules decide on it (its handler, in the module of its track), which
clocks it meets, what it is called and how a form offers it. Every other table of commands is
derived from here, never written beside it."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from . import commands as c
from . import events as ev
from .model import Role
from .state import StudyState
from .tracks import (
    amendments,
    authority,
    data_protection,
    deadlines,
    ethics,
    lifecycle,
    participants,
    sites,
    vigilance,
)

C = TypeVar("C", bound=c.Command)


@dataclass(frozen=True)
class Form:
    """How the web page offers a command."""

    participant: bool = False  # on a participant's row, not among the study's sign-offs
    # what a blank form starts with where the field's type does not say (see domain/forms.py)
    defaults: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Entry(Generic[C]):
    model: type[C]
    # None for create_study (there is no study yet to decide on: decide() creates it) and for
    # correct (it needs who corrects and today: decide() hands them to domain/corrections.py)
    decide: Callable[[StudyState, C], list[ev.Event]] | None
    roles: frozenset[Role]  # who may send it (CONTRACT.md); every other role gets 403
    meets: tuple[str, ...] = ()  # the clocks it closes: what their reminders ask for
    form: Form | None = Form()

    @property
    def type(self) -> str:
        return c.command_type(self.model)

    @property
    def label_key(self) -> str:
        """Its name's key in the message catalogues (domain/messages_en.py)."""
        return f"command.{self.type}"


# admin manages tokens, auditor only reads: neither sends commands
UNIT_STAFF = frozenset({Role.investigator, Role.coordinator})
FILING_STAFF = frozenset({Role.coordinator, Role.regulatory})  # files with the authorities
REGULATORY_ONLY = frozenset({Role.regulatory})
COORDINATOR_ONLY = frozenset({Role.coordinator})
PARTICIPANT_FORM = Form(participant=True)

ENTRIES: tuple[Entry[Any], ...] = (
    Entry(c.CreateStudy, None, UNIT_STAFF | FILING_STAFF, form=None),
    # --- study commands, in the contract's order (the page offers them so) ---
    Entry(c.SubmitProtocol, lifecycle.submit_protocol, UNIT_STAFF),
    Entry(c.AssignSponsor, lifecycle.assign_sponsor, FILING_STAFF),
    Entry(c.RecordInsurance, lifecycle.record_insurance, FILING_STAFF),
    Entry(c.RecordRegistration, lifecycle.record_registration, FILING_STAFF),
    Entry(c.SubmitToEthics, ethics.submit_to_ethics, FILING_STAFF),
    Entry(c.RecordEthicsCompleteness, ethics.record_ethics_completeness, FILING_STAFF,
          meets=("cpp_completeness", "cpp_completeness_recheck", "ctr_validation",
                 "ctr_validation_recheck", "mdr_validation", "mdr_validation_recheck")),
    Entry(c.EthicsRequestInformation, ethics.ethics_request_information, FILING_STAFF),
    Entry(c.EthicsInformationSupplied, ethics.ethics_information_supplied, FILING_STAFF,
          meets=("sponsor_answer", "cpp_completion", "ctr_validation_answer",
                 "ctr_sponsor_answer", "mdr_validation_answer")),
    Entry(c.RecordEthicsOpinion, ethics.record_ethics_opinion, FILING_STAFF,
          meets=("cpp_opinion", "cpp_opinion_with_request", "amendment_cpp",
                 "amendment_cpp_with_request", "ctr_assessment", "ctr_assessment_with_request",
                 "ctr_modification_assessment", "ctr_modification_assessment_with_request",
                 "mdr_authorization", "mdr_authorization_extended"),
          form=Form(defaults={"opinion": "favourable"})),
    Entry(c.LiftEthicsConditions, ethics.lift_ethics_conditions, FILING_STAFF),
    Entry(c.RequestSecondReview, ethics.request_second_review, FILING_STAFF,
          meets=("second_review_window",)),
    Entry(c.RecordCnil, data_protection.record_cnil, FILING_STAFF),
    Entry(c.RecordCnilDecision, data_protection.record_cnil_decision, FILING_STAFF,
          meets=("cnil_authorization",), form=Form(defaults={"decision": "authorized"})),
    Entry(c.RecordProcessingRegister, data_protection.record_processing_register,
          FILING_STAFF),
    Entry(c.SubmitToAnsm, authority.submit_to_ansm, REGULATORY_ONLY),
    Entry(c.RecordAnsmDecision, authority.record_ansm_decision, REGULATORY_ONLY,
          meets=("ansm_authorization", "ansm_express_authorization", "amendment_ansm",
                 "amendment_ansm_express", "ctr_decision", "ctr_modification_decision",
                 "mdr_modification"),
          form=Form(defaults={"decision": "authorized"})),
    Entry(c.RecordAnsmObjection, authority.record_ansm_objection, REGULATORY_ONLY),
    Entry(c.AmendAnsmRequest, authority.amend_ansm_request, REGULATORY_ONLY,
          meets=("ansm_objection_answer",)),
    Entry(c.ExtendReview, deadlines.extend_review, FILING_STAFF,
          form=Form(defaults={"days": "7"})),
    Entry(c.NotifyAnsm, authority.notify_ansm, REGULATORY_ONLY),
    Entry(c.InformDirector, lifecycle.inform_director, FILING_STAFF),
    Entry(c.SignConvention, lifecycle.sign_convention, FILING_STAFF),
    Entry(c.OpenRecruitment, lifecycle.open_recruitment, COORDINATOR_ONLY),
    Entry(c.NotifyMilestone, lifecycle.notify_milestone, FILING_STAFF,
          meets=("ctr_start_notice", "ctr_first_visit_notice", "ctr_recruitment_end_notice"),
          form=Form(defaults={"milestone": "start"})),
    Entry(c.CloseRecruitment, lifecycle.close_recruitment, COORDINATOR_ONLY),
    Entry(c.SubmitAmendment, amendments.submit_amendment, UNIT_STAFF,
          meets=("urgent_measure_followup",)),
    Entry(c.ReportSafetyEvent, vigilance.report_safety_event, UNIT_STAFF,
          form=Form(defaults={"kind": "susar"})),
    Entry(c.AssessSafetyEvent, vigilance.assess_safety_event, REGULATORY_ONLY),
    Entry(c.DeclareSafetyEvent, vigilance.declare_safety_event, REGULATORY_ONLY,
          meets=("susar", "susar_fatal", "susar_followup", "susar_fatal_v1", "ctr_susar",
                 "ctr_susar_fatal")),
    Entry(c.SubmitAnnualSafetyReport, vigilance.submit_annual_safety_report, REGULATORY_ONLY,
          meets=("annual_safety_report",)),
    Entry(c.Suspend, lifecycle.suspend, FILING_STAFF),
    Entry(c.SubmitObservations, lifecycle.submit_observations, FILING_STAFF,
          meets=("sponsor_observations",)),
    Entry(c.NotifyHalt, lifecycle.notify_halt, FILING_STAFF,
          meets=("ctr_halt", "mdr_halt", "mdr_halt_safety")),
    Entry(c.Resume, lifecycle.resume, FILING_STAFF),
    Entry(c.DeclareEnd, lifecycle.declare_end, FILING_STAFF),
    Entry(c.SubmitEndDeclaration, lifecycle.submit_end_declaration, FILING_STAFF,
          meets=("end_declaration", "end_declaration_early", "ctr_notification")),
    Entry(c.ReportResults, lifecycle.report_results, FILING_STAFF,
          meets=("results", "ctr_results", "mdr_report", "mdr_report_early")),
    Entry(c.Archive, lifecycle.archive, COORDINATOR_ONLY),
    Entry(c.IssueConsentForm, participants.issue_consent_form, UNIT_STAFF,
          form=Form(defaults={"change": "minor"})),
    # --- the portfolio: research sites and recruitment plans (CONTRACT.md "Portfolio") ---
    Entry(c.AddSite, sites.add_site, COORDINATOR_ONLY),
    Entry(c.ActivateSite, sites.activate_site, COORDINATOR_ONLY),
    Entry(c.CloseSite, sites.close_site, COORDINATOR_ONLY),
    Entry(c.SetRecruitmentPlan, sites.set_recruitment_plan, COORDINATOR_ONLY,
          form=Form(defaults={"target": "100", "behind_percent": "20"})),
    # the role that recorded the fact, or an admin (checked against the fact itself)
    Entry(c.Correct, None, UNIT_STAFF | FILING_STAFF | {Role.admin}, form=None),
    # --- participant commands ---
    Entry(c.RegisterParticipant, participants.register_participant, UNIT_STAFF,
          form=PARTICIPANT_FORM),
    Entry(c.RecordConsent, participants.record_consent, UNIT_STAFF,
          meets=("deferred_consent",), form=PARTICIPANT_FORM),
    Entry(c.WithdrawConsent, participants.withdraw_consent, UNIT_STAFF, form=PARTICIPANT_FORM),
    Entry(c.ObjectToDataUse, participants.object_to_data_use, UNIT_STAFF,
          form=PARTICIPANT_FORM),
    Entry(c.Reconsent, participants.reconsent, UNIT_STAFF, form=PARTICIPANT_FORM),
    Entry(c.Include, participants.include, UNIT_STAFF, form=PARTICIPANT_FORM),
    Entry(c.CompleteParticipation, participants.complete, UNIT_STAFF, form=PARTICIPANT_FORM),
)
CATALOGUE: dict[type[c.Command], Entry[Any]] = {entry.model: entry for entry in ENTRIES}

# --- derived tables ---------------------------------------------------------------------------
COMMAND_ROLES: dict[str, frozenset[Role]] = {entry.type: entry.roles for entry in ENTRIES}
# the command that meets each clock (what a reminder asks staff to do)
MET_BY: dict[str, str] = {clock: entry.type for entry in ENTRIES for clock in entry.meets}
STUDY_FORMS: dict[str, type[c.Command]] = {
    entry.type: entry.model for entry in ENTRIES if entry.form and not entry.form.participant}
PARTICIPANT_FORMS: dict[str, type[c.Command]] = {
    entry.type: entry.model for entry in ENTRIES if entry.form and entry.form.participant}


def may_send(role: Role, command_type: str) -> bool:
    return role in COMMAND_ROLES.get(command_type, frozenset())


def labels(messages: Mapping[str, str]) -> dict[str, str]:
    """Each command's name in one language (a message catalogue)."""
    return {entry.type: messages[entry.label_key] for entry in ENTRIES}
