"""Authority: the ANSM's authorization of a RIPH1 (CSP L1121-4, R1123-38; silence is
authorization, or refusal for the products needing express authorization), and the CPP
opinion a RIPH2/RIPH3 sends it for information (L1123-7)."""

from datetime import date, timedelta

from .. import clocks
from .. import commands as c
from .. import events as ev
from ..model import Category, Deadline, DeadlineStatus, Framework, StudyStatus
from ..regulation import ASSESSMENT, AUTHORITY_CLOCK_FROM, CLOCKS, SUBMISSION, VALIDATION
from ..state import Ansm, StudyState
from . import amendments
from .rules import not_before, require, require_input, require_registration, require_status
from .updates import (
    Mutators,
    change_deadline,
    close_deadlines,
    current_rules,
    framework_deadline,
    mutator,
    open_deadlines,
    slot_clock,
    updated,
)

AUTHORIZATION = "ansm_authorization"  # the deadline of the authority's decision
OBJECTION_ANSWER = "ansm_objection_answer"


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
    require_registration(s, "the submission to the ANSM")
    return [ev.AnsmSubmitted(submitted_on=cmd.submitted_on,
                             express_authorization=cmd.express_authorization)]


def record_ansm_objection(s: StudyState, cmd: c.RecordAnsmObjection) -> list[ev.Event]:
    _riph1_only(s, "record_ansm_objection")
    require(s.framework is Framework.JARDE, "ansm_objection_jarde_only",
            "reasoned objections the sponsor answers by amending its request are a Jardé "
            f"procedure (L1123-8), not a {s.framework.value} one")
    require(s.ansm.submitted_on, "ansm_not_submitted", "the study was not submitted to the ANSM")
    require(not s.ansm.decision, "ansm_already_decided",
            f"the ANSM already decided ({s.ansm.decision}, {s.ansm.decision_on})")
    require(not s.ansm.objected_on, "ansm_objection_once",
            f"the ANSM objected on {s.ansm.objected_on}: the sponsor may amend its request only "
            "once; the ANSM now authorizes or refuses (L1123-8)")
    not_before(cmd.objected_on, s.ansm.submitted_on, "the objection", "the submission")
    require_input(cmd.answer_by > cmd.objected_on, "date_out_of_order",
                  f"the date set for the amended request ({cmd.answer_by}) follows the "
                  f"objection ({cmd.objected_on})")
    return [ev.AnsmObjectionRecorded(objected_on=cmd.objected_on, answer_by=cmd.answer_by,
                                     reasons=cmd.reasons)]


def amend_ansm_request(s: StudyState, cmd: c.AmendAnsmRequest) -> list[ev.Event]:
    _riph1_only(s, "amend_ansm_request")
    require(s.ansm.objected_on, "no_ansm_objection",
            "the sponsor amends its request to answer the ANSM's objections (L1123-8): none "
            "was recorded")
    require(not s.ansm.amended_on, "ansm_request_already_amended",
            f"the request was amended on {s.ansm.amended_on}: once only (L1123-8)")
    require(not s.ansm.decision, "ansm_already_decided",
            f"the ANSM already decided ({s.ansm.decision}, {s.ansm.decision_on})")
    not_before(cmd.submitted_on, s.ansm.objected_on, "the amended request", "the objection")
    return [ev.AnsmRequestAmended(submitted_on=cmd.submitted_on)]


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


# --- the authority's clock ---------------------------------------------------------------------
def _clock_from(s: StudyState) -> str:
    """What the authority's clock runs from (regulation.AUTHORITY_CLOCK_FROM); before rules
    edition 2, from the submission under every framework."""
    return AUTHORITY_CLOCK_FROM[s.framework] if current_rules(s) else SUBMISSION


def _starts_on(s: StudyState) -> date | None:
    """The day the authority's clock starts, once the fact it runs from is known."""
    if not s.ansm.submitted_on:
        return None
    anchor = _clock_from(s)
    if anchor == ASSESSMENT:  # the Part I conclusion (Reg. 536/2014 art. 8(1))
        return s.ethics.opinion_on if s.ethics.opinion == "favourable" else None
    if anchor == VALIDATION:  # the validation date (Reg. 2017/745 art. 70(7)(b))
        if s.ethics.complete_on:
            return s.ethics.complete_on
        check = s.deadlines.get("cpp_completeness")
        validation = slot_clock(s, "cpp_completeness")
        return check.due_on if check else s.ansm.submitted_on + timedelta(
            days=CLOCKS[validation].days if validation else 0)
    return s.ansm.submitted_on


def refresh_clock(s: StudyState) -> StudyState:
    """The authority's decision clock opened, or moved, once the fact it runs from is known
    (the submission, the Part I conclusion, the validation date)."""
    if s.ansm.decision or s.ansm.objected_on:
        return s
    current: Deadline | None = s.deadlines.get(AUTHORIZATION)
    if current is not None and (current.closed_on or current.status is not DeadlineStatus.open):
        return s
    starts_on = _starts_on(s)
    if starts_on is None or (current is not None and current.starts_on == starts_on):
        return s
    if current is not None:
        return change_deadline(s, AUTHORIZATION, clocks.reanchor, starts_on)
    slot = "ansm_express_authorization" if s.ansm.express_authorization else AUTHORIZATION
    return open_deadlines(s, framework_deadline(s, AUTHORIZATION, slot, starts_on))


# --- evolve -----------------------------------------------------------------------------------
def on_ansm_submitted(s: StudyState, e: ev.AnsmSubmitted) -> StudyState:
    s = updated(s, ansm=Ansm(submitted_on=e.submitted_on,
                             express_authorization=e.express_authorization))
    return refresh_clock(s)


def on_objection_recorded(s: StudyState, e: ev.AnsmObjectionRecorded) -> StudyState:
    """The objections answer the request: no tacit authorization follows; the sponsor amends
    by the date set, or the request is rejected (L1123-8)."""
    s = updated(s, ansm=s.ansm.model_copy(update={"objected_on": e.objected_on}))
    s = close_deadlines(s, [AUTHORIZATION], e.objected_on)
    answer = Deadline(name=OBJECTION_ANSWER, clock=OBJECTION_ANSWER, starts_on=e.objected_on,
                      due_on=e.answer_by)
    return open_deadlines(s, answer)


def on_request_amended(s: StudyState, e: ev.AnsmRequestAmended) -> StudyState:
    """The amended request is a new request: the authority's clock runs again from it."""
    s = updated(s, ansm=s.ansm.model_copy(update={"amended_on": e.submitted_on}))
    s = close_deadlines(s, [OBJECTION_ANSWER], e.submitted_on)
    slot = "ansm_express_authorization" if s.ansm.express_authorization else AUTHORIZATION
    return open_deadlines(s, framework_deadline(s, AUTHORIZATION, slot, e.submitted_on))


def on_ansm_decision(s: StudyState, e: ev.AnsmDecisionRecorded) -> StudyState:
    if e.amendment_id:
        return amendments.on_ansm_decision(s, e, e.amendment_id)
    s = updated(s, ansm=s.ansm.model_copy(
        update={"decision": e.decision, "decision_on": e.decision_on, "tacit": e.tacit}))
    s = close_deadlines(s, [AUTHORIZATION, OBJECTION_ANSWER], e.decision_on, e.tacit)
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
    mutator(ev.AnsmObjectionRecorded, on_objection_recorded),
    mutator(ev.AnsmRequestAmended, on_request_amended),
])
