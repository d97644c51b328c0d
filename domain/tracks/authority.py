"""Authority: the ANSM's authorization of a RIPH1 (CSP L1121-4, R1123-38; silence is
authorization, or refusal for the products needing express authorization), and the CPP
opinion a RIPH2/RIPH3 sends it for information (L1123-7)."""

from .. import commands as c
from .. import events as ev
from ..model import Category, StudyStatus
from ..state import Ansm, StudyState
from . import amendments
from .rules import not_before, require, require_status
from .updates import Mutators, close_deadlines, framework_deadline, mutator, open_deadlines, updated


# --- decide -----------------------------------------------------------------------------------
def _riph1_only(s: StudyState, what: str) -> None:
    require(s.category is Category.RIPH1, "ansm_authorization_riph1_only",
            f"{what}: only a RIPH1 needs an ANSM authorization (L1121-4); a RIPH2/RIPH3 sends "
            "the CPP opinion for information (notify_ansm)")


def submit_to_ansm(s: StudyState, cmd: c.SubmitToAnsm) -> list[ev.Event]:
    _riph1_only(s, "submit_to_ansm")
    require(s.protocol_version, "protocol_required", "submit the protocol before the ANSM file")
    require_status(s, {StudyStatus.in_review}, "submitting to the ANSM")
    require(not s.ansm.submitted_on, "ansm_already_submitted",
            f"already submitted to the ANSM on {s.ansm.submitted_on}")
    return [ev.AnsmSubmitted(submitted_on=cmd.submitted_on,
                             express_authorization=cmd.express_authorization)]


def record_ansm_decision(s: StudyState, cmd: c.RecordAnsmDecision) -> list[ev.Event]:
    _riph1_only(s, "record_ansm_decision")
    if cmd.amendment_id:
        amendments.record_ansm_decision(s, cmd.amendment_id)
    else:
        require(s.ansm.submitted_on, "ansm_not_submitted",
                "the study was not submitted to the ANSM")
        require(not s.ansm.decision, "ansm_already_decided",
                f"the ANSM already decided ({s.ansm.decision}, {s.ansm.decision_on})")
        not_before(cmd.decision_on, s.ansm.submitted_on, "the decision", "the submission")
    return [ev.AnsmDecisionRecorded(decision=cmd.decision, decision_on=cmd.decision_on,
                                    amendment_id=cmd.amendment_id)]


def notify_ansm(s: StudyState, cmd: c.NotifyAnsm) -> list[ev.Event]:
    require(s.category in (Category.RIPH2, Category.RIPH3), "ansm_notification_riph2_3_only",
            "only a RIPH2 or RIPH3 sends the CPP opinion and summary to the ANSM for information")
    require(s.ethics.opinion == "favourable", "ansm_notification_needs_favourable_opinion",
            "the CPP's favourable opinion is sent to the ANSM: record it first (L1123-7)")
    require(not s.ansm.notified_on, "ansm_already_notified",
            f"the ANSM was informed on {s.ansm.notified_on}")
    not_before(cmd.sent_on, s.ethics.opinion_on, "the notification", "the opinion")
    return [ev.AnsmNotified(sent_on=cmd.sent_on)]


# --- evolve -----------------------------------------------------------------------------------
def on_ansm_submitted(s: StudyState, e: ev.AnsmSubmitted) -> StudyState:
    slot = "ansm_express_authorization" if e.express_authorization else "ansm_authorization"
    s = updated(s, ansm=Ansm(submitted_on=e.submitted_on,
                             express_authorization=e.express_authorization))
    return open_deadlines(s, framework_deadline(s, "ansm_authorization", slot, e.submitted_on))


def on_ansm_decision(s: StudyState, e: ev.AnsmDecisionRecorded) -> StudyState:
    if e.amendment_id:
        return amendments.on_ansm_decision(s, e, e.amendment_id)
    s = updated(s, ansm=s.ansm.model_copy(
        update={"decision": e.decision, "decision_on": e.decision_on, "tacit": e.tacit}))
    s = close_deadlines(s, ["ansm_authorization"], e.decision_on, e.tacit)
    if e.decision == "authorized" and s.category is Category.RIPH1:
        # the yearly safety report runs from the authorization (R1123-61)
        s = open_deadlines(s, framework_deadline(s, "annual_safety_report.1",
                                                 "annual_safety_report", e.decision_on))
    return s


def on_ansm_notified(s: StudyState, e: ev.AnsmNotified) -> StudyState:
    return updated(s, ansm=s.ansm.model_copy(update={"notified_on": e.sent_on}))


EVOLVE: Mutators = dict([
    mutator(ev.AnsmSubmitted, on_ansm_submitted),
    mutator(ev.AnsmDecisionRecorded, on_ansm_decision),
    mutator(ev.AnsmNotified, on_ansm_notified),
])
