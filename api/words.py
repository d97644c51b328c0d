"""The words for the codes people see on a page: roles, states, statuses, the audit trail's
event names. One table per kind of code, each text a catalogue entry (i18n); the codes stay
in the API and the exports, the words are for people."""

from functools import partial
from typing import Any

import i18n
from i18n import N_, reasons
from i18n import gettext as _

ROLES = {
    "system": N_("StudyFlow (legal clock)"),
    "investigator": N_("investigator"), "coordinator": N_("coordinator"),
    "regulatory": N_("regulatory affairs"), "auditor": N_("auditor"), "admin": N_("administrator"),
}
STATES = {
    "draft": N_("draft"), "in_review": N_("in review"), "ready": N_("ready to start"),
    "recruiting": N_("recruiting"), "follow_up": N_("follow-up"), "ended": N_("ended"),
    "results_reported": N_("results reported"), "archived": N_("archived"),
    "suspended": N_("suspended"), "rejected": N_("rejected"), "terminated": N_("terminated"),
}
STATUSES = {  # steps, deadlines, participants, sites
    "pending": N_("pending"), "in_progress": N_("in progress"), "done": N_("done"),
    "not_required": N_("not required"), "open": N_("open"), "met": N_("met"),
    "overdue": N_("overdue"), "stopped": N_("stopped"), "registered": N_("registered"),
    "consented": N_("consented"), "included": N_("included"),
    "needs_reconsent": N_("needs a new consent"), "withdrawn": N_("withdrawn"),
    "objected": N_("objected"), "completed": N_("completed"), "added": N_("added"),
    "active": N_("active"), "closed": N_("closed"), "waiting": N_("waiting"),
    "favourable": N_("favourable"), "unfavourable": N_("unfavourable"),
    "authorized": N_("authorized"), "refused": N_("refused"),
    "written": N_("written consent"), "express": N_("express consent"),
    "non_opposition": N_("non-opposition"), "susar": N_("SUSAR"),
    "sae": N_("serious adverse event (EIG)"),
    "urgent_safety_measure": N_("urgent safety measure"), "participant": N_("the participant"),
    "holders": N_("the holders of parental authority"), "true": N_("yes"), "false": N_("no"),
}
EVENTS = {
    "StudyCreated": N_("Study created"), "RulesAdopted": N_("Rules edition adopted"),
    "RegistrationRecorded": N_("Registration number recorded"),
    "StudyStatusChanged": N_("Study stage changed"), "ProtocolSubmitted": N_("Protocol submitted"),
    "SponsorAssigned": N_("Sponsor assigned"), "InsuranceRecorded": N_("Insurance recorded"),
    "EthicsSubmitted": N_("Submitted to the CPP"),
    "EthicsCompletenessRecorded": N_("CPP: file declared complete (recevabilité)"),
    "EthicsInformationRequested": N_("CPP: request for information"),
    "EthicsInformationSupplied": N_("CPP: information supplied"),
    "EthicsOpinionRecorded": N_("Opinion of the CPP recorded"),
    "SecondReviewRequested": N_("Second review requested"),
    "CnilRecorded": N_("CNIL formality recorded"), "AnsmSubmitted": N_("Submitted to the ANSM"),
    "AnsmDecisionRecorded": N_("ANSM decision recorded"),
    "AnsmNotified": N_("CPP opinion sent to the ANSM"),
    "AmendmentSubmitted": N_("Amendment submitted"), "AmendmentDecided": N_("Amendment decided"),
    "SafetyEventReported": N_("Safety event reported"),
    "SafetyEventDeclared": N_("Safety event declared to the ANSM"),
    "AnnualSafetyReportSubmitted": N_("Annual safety report submitted"),
    "EndDeclared": N_("End of the research"),
    "EndDeclarationSubmitted": N_("End-of-research declaration sent"),
    "ResultsReported": N_("Results reported"), "DeadlineReminderDue": N_("Deadline reminder"),
    "DeadlineMissed": N_("Deadline missed"), "ParticipantRegistered": N_("Participant registered"),
    "ConsentRecorded": N_("Consent recorded"), "ConsentWithdrawn": N_("Consent withdrawn"),
    "DataUseObjected": N_("Objection to data use"),
    "ParticipationCompleted": N_("Participation completed"),
    "ParticipantIncluded": N_("Participant included"),
    "ReconsentRequired": N_("New consent required"),
    "ConsentFormIssued": N_("Information and consent form issued"),
    "StudySuspended": N_("Study suspended"),
    "ObservationsSubmitted": N_("Sponsor's observations sent"),
    "HaltNotified": N_("Halt notified"), "TacitOutcomeSuperseded": N_("Tacit outcome superseded"),
    "FactCorrected": N_("Fact corrected"), "EthicsSubmissionLapsed": N_("CPP submission lapsed"),
    "ReviewExtended": N_("Review extended"),
    "AnsmObjectionRecorded": N_("ANSM objections recorded"),
    "AnsmRequestAmended": N_("Amended request sent to the ANSM"),
    "SafetyEventAssessed": N_("Safety event assessed by the sponsor"),
    "EthicsConditionsLifted": N_("Conditions of the CPP opinion lifted"),
    "CnilDecisionRecorded": N_("CNIL decision recorded"),
    "ProcessingRegisterRecorded": N_("Entered in the record of processing activities"),
    "DirectorInformed": N_("Establishment's director informed"),
    "ConventionSigned": N_("Convention unique signed"),
    "MilestoneNotified": N_("Milestone notified"), "SiteAdded": N_("Site added"),
    "SiteActivated": N_("Site activated"), "SiteClosed": N_("Site closed"),
    "RecruitmentPlanSet": N_("Recruitment plan set"),
    "RecruitmentBehindPlan": N_("Recruitment behind plan"),
    "AuditExported": N_("Audit trail exported"),
    "DocumentsAttached": N_("Documents attached"), "DocumentUploaded": N_("Document uploaded"),
    "DocumentRead": N_("Document downloaded"),
    "DossierExported": N_("Inspection dossier exported"),
}
# the essential documents (domain.model.DocumentKind), as a French research unit names them
DOCUMENT_KINDS = {
    "protocol": N_("protocol"), "information_form": N_("information form"),
    "investigator_brochure": N_("investigator's brochure"),
    "insurance_certificate": N_("insurance certificate"),
    "ethics_opinion_letter": N_("CPP opinion letter"), "ansm_decision": N_("ANSM decision"),
    "cnil_receipt": N_("CNIL receipt"), "amendment": N_("amendment"),
    "safety_report": N_("safety report"), "end_declaration": N_("end-of-research declaration"),
    "results_summary": N_("results summary"), "convention": N_("convention unique"),
    "correspondence": N_("correspondence"),
}
# a document's status (domain.documents.history): a document, not a study
DOCUMENT_STATUSES = {
    "approved": N_("approved"), "pending": N_("awaiting approval"),
    "rejected": N_("not approved"), "recorded": N_("recorded"),
}


# how a browser's session was opened (api/auth/sessions.py)
SIGN_IN = {"token": N_("personal token"), "password": N_("password and second factor"),
           "oidc": N_("the hospital's sign-on (OIDC)")}


def _lookup(table: dict[str, str], code: object) -> str:
    text = str(getattr(code, "value", code) if code is not None else "")
    return _(table[text]) if text in table else text.replace("_", " ")


# each table's reader: a code (or an enum member) in the reader's words
role = partial(_lookup, ROLES)
state = partial(_lookup, STATES)
status = partial(_lookup, STATUSES)
event = partial(_lookup, EVENTS)
sign_in = partial(_lookup, SIGN_IN)
document_kind = partial(_lookup, DOCUMENT_KINDS)
document_status = partial(_lookup, DOCUMENT_STATUSES)


def roles(codes: object) -> str:
    """The roles that may act, in words: "coordinator or regulatory affairs"."""
    names = [role(c) for c in codes]  # type: ignore[attr-defined]
    return _(" or ").join(names) if names else "—"


FILTERS = {"role": role, "state": state, "status": status, "event": event, "roles": roles,
           "document_kind": document_kind, "document_status": document_status,
           "sign_in": sign_in}


STEPS = {
    "protocol": N_("Protocol"), "sponsor": N_("Sponsor"), "insurance": N_("Insurance"),
    "ethics": N_("Opinion of the CPP"), "cnil": N_("CNIL formality"), "ansm": N_("ANSM"),
}
# the command that moves each step on: its roles are the ones to act while it waits
STEP_COMMANDS = {
    "protocol": "submit_protocol", "sponsor": "assign_sponsor", "insurance": "record_insurance",
    "ethics": "submit_to_ethics", "cnil": "record_cnil", "ansm": "submit_to_ansm",
}


def steps() -> dict[str, str]:
    return {name: _(text) for name, text in STEPS.items()}


# the reasons the system writes (i18n/reasons.py: their msgids are the stored words), and
# the few shown in other words than stored
REASONS = {**{r: r for r in reasons.KNOWN}, "legal clock": N_("by the legal clock"),
           "inspection dossier": N_("inspection dossier"),
           "inspection dossier (web)": N_("inspection dossier (web)")}


def reason(text: object) -> str:
    """A reason the system wrote, in words; a person's reason as they typed it."""
    return _(REASONS[str(text)]) if str(text) in REASONS else str(text or "")


def command(kind: str) -> str:
    from domain.catalogue import labels
    from domain.messages_en import MESSAGES
    return _(labels(MESSAGES).get(kind, kind))


def may_not_send(role_code: str, kind: str, allowed: list[str]) -> str:
    """The 403 of a command: who asked, what, and which roles may send it."""
    return _("A {role} may not send “{command}”; it is for: {roles}.").format(
        role=role(role_code), command=command(kind), roles=roles(allowed))


# why a participant consents again (domain: state.Participant.reconsent_cause)
# and why a study's stage changed (domain/tracks/lifecycle.py: review_outcome)
CAUSES = {"majority": N_("majority"),
          "every required step is done": N_("every required step is done")}
MAJOR_FORM = "major consent form version "
UNFAVOURABLE = " unfavourable"  # "ethics and ansm unfavourable": the steps refused


def cause(text: object) -> str:
    text = str(text or "")
    if text.startswith(MAJOR_FORM):
        return _("new major version {version} of the information and consent form").format(
            version=text.removeprefix(MAJOR_FORM))
    if text.endswith(UNFAVOURABLE):
        named = steps()
        refused = text.removesuffix(UNFAVOURABLE).split(" and ")
        return _("unfavourable: {steps}").format(
            steps=", ".join(named.get(step, step) for step in refused))
    return _(CAUSES[text]) if text in CAUSES else text


def task(t: Any) -> str:
    """A task's title in the current language. In English, the sentence the rules wrote;
    otherwise from its stable parts: a participant's task by its words (domain/inbox.py), an
    action by the command that clears it, a deadline without one by its clock's name."""
    from domain.inbox import MESSAGES as TASKS
    from domain.regulation import CLOCKS

    if i18n.current() == "en":
        return str(t["title"])
    if (key := t.get("title_key")) in TASKS:
        return _(TASKS[str(key)]).format(code=t.get("participant"), cause=cause(t.get("cause")))
    if t.get("command"):
        return command(str(t["command"]))
    if clock := CLOCKS.get(str(t.get("clock") or "")):
        return _(clock.label)
    return _(str(t["title"]))


FILTERS["reason"] = reason
FILTERS["task"] = task
