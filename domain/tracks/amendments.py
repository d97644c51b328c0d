"""Amendments (modifications): a substantial one goes back to the CPP, and to the ANSM for a
RIPH1, before it takes effect (CSP R1123-43, R1123-44); the others take effect at once."""

from datetime import timedelta

from .. import clocks
from .. import commands as c
from .. import events as ev
from ..model import APPROVED_RUNNING, Category
from ..regulation import (
    ASSESSMENT,
    MODIFICATION_DECISION_FROM,
    MODIFICATION_VALIDATION_DAYS,
    ONE_REQUEST,
    REQUEST_SUSPENDS,
    SUBMISSION,
)
from ..state import Amendment, StudyState
from .rules import not_before, require, require_input, require_status
from .updates import (
    Mutators,
    change_deadline,
    close_deadlines,
    current_rules,
    framework_deadline,
    mutator,
    open_deadlines,
    slot_clock,
    update_amendment,
    updated,
)


def _names(amendment_id: str) -> tuple[str, str]:
    """The amendment's committee and authority deadlines."""
    return f"amendment.{amendment_id}.cpp", f"amendment.{amendment_id}.ansm"


def _answer(amendment_id: str, requests: int) -> str:
    return f"amendment.{amendment_id}.sponsor_answer" + (f".{requests}" if requests > 1 else "")


def _decision_from(s: StudyState) -> str:
    """When the authority's clock on a modification starts (MODIFICATION_DECISION_FROM);
    before rules edition 2, at the submission under every framework."""
    return MODIFICATION_DECISION_FROM[s.framework] if current_rules(s) else SUBMISSION


def _authority_slot(s: StudyState) -> str:
    # R1123-44 leaves the research needing an express authorization out of its tacit consent
    return "amendment_ansm_express" if s.ansm.express_authorization else "amendment_ansm"


# --- decide -----------------------------------------------------------------------------------
def submit_amendment(s: StudyState, cmd: c.SubmitAmendment) -> list[ev.Event]:
    require_status(s, APPROVED_RUNNING, "an amendment")
    require_input(cmd.protocol_version != s.protocol_version, "protocol_version_unchanged",
                  "the amendment must bring a new protocol version "
                  f"(current: {s.protocol_version})")
    return [ev.AmendmentSubmitted(amendment_id=f"AM-{len(s.amendments) + 1}",
                                  substantial=cmd.substantial, description=cmd.description,
                                  protocol_version=cmd.protocol_version,
                                  submitted_on=cmd.submitted_on)]


def pending_amendment(s: StudyState, amendment_id: str) -> Amendment:
    """The substantial amendment `amendment_id`, still awaiting its decisions."""
    amendment = s.amendments.get(amendment_id)
    require(amendment, "unknown_amendment", f"no amendment {amendment_id} in this study")
    assert amendment is not None
    require(amendment.substantial and amendment.status == "pending", "amendment_not_pending",
            f"amendment {amendment_id} is not a substantial amendment awaiting decisions")
    return amendment


def record_ethics_opinion(s: StudyState, cmd: c.RecordEthicsOpinion, amendment_id: str) -> None:
    """The CPP's opinion on a pending amendment (record_ethics_opinion with amendment_id)."""
    amendment = pending_amendment(s, amendment_id)
    require(not amendment.ethics_opinion, "ethics_opinion_already_recorded",
            f"the CPP already decided on amendment {amendment_id}")
    not_before(cmd.opinion_on, amendment.submitted_on, "the opinion",
               "the amendment's submission")


def request_information(s: StudyState, cmd: c.EthicsRequestInformation, amendment_id: str
                        ) -> list[ev.Event]:
    """The committee's question on a pending amendment: R1123-43 sends the amendment through
    R1123-23 I (one request, the clock suspended, 60 days in all); under Reg. 536/2014 art. 18
    the requests extend the assessment by 31 days at most."""
    amendment = pending_amendment(s, amendment_id)
    cpp, _ = _names(amendment_id)
    require(cpp in s.deadlines, "no_amendment_review",
            f"no committee review runs on amendment {amendment_id} under {s.framework.value}")
    require(not amendment.ethics_opinion, "ethics_opinion_already_recorded",
            f"the CPP already decided on amendment {amendment_id}")
    not_before(cmd.requested_on, amendment.submitted_on, "the request",
               "the amendment's submission")
    if s.framework in ONE_REQUEST:
        require(not amendment.information_requested_on, "ethics_information_already_requested",
                f"the CPP may request information on amendment {amendment_id} only once "
                "(R1123-43, R1123-23 I)")
    else:
        require(not amendment.information_requested_on or amendment.information_supplied_on,
                "information_request_open", "the sponsor has not answered the request of "
                f"{amendment.information_requested_on} yet")
    return [ev.EthicsInformationRequested(requested_on=cmd.requested_on,
                                          questions=cmd.questions, amendment_id=amendment_id)]


def supply_information(s: StudyState, cmd: c.EthicsInformationSupplied, amendment_id: str
                       ) -> list[ev.Event]:
    amendment = pending_amendment(s, amendment_id)
    require(amendment.information_requested_on and not amendment.information_supplied_on,
            "no_information_request",
            f"the CPP has no open request for information on amendment {amendment_id}")
    not_before(cmd.supplied_on, amendment.information_requested_on, "the answer", "the request")
    return [ev.EthicsInformationSupplied(supplied_on=cmd.supplied_on,
                                         amendment_id=amendment_id)]


def record_ansm_decision(s: StudyState, amendment_id: str) -> None:
    """The ANSM's decision on a pending amendment (record_ansm_decision with amendment_id)."""
    amendment = pending_amendment(s, amendment_id)
    require(not amendment.ansm_decision, "ansm_already_decided",
            f"the ANSM already decided on amendment {amendment_id}")


def outcomes(s: StudyState) -> list[ev.Event]:
    """The pending amendments whose decisions are all in: approved, or rejected by either."""
    out: list[ev.Event] = []
    needs_ansm = s.category is Category.RIPH1
    # Reg. 2017/745 art. 75(3): one national clock; the ethics committee's negative opinion
    # stops the modification, its silence does not
    needs_ethics = slot_clock(s, "amendment_cpp") is not None or not needs_ansm
    for amendment in s.amendments.values():
        if amendment.status != "pending":
            continue
        if amendment.ethics_opinion == "unfavourable" or amendment.ansm_decision == "refused":
            out.append(ev.AmendmentDecided(amendment_id=amendment.id, outcome="rejected"))
        elif (amendment.ethics_opinion == "favourable" or not needs_ethics) and (
                amendment.ansm_decision == "authorized" or not needs_ansm):
            out.append(ev.AmendmentDecided(amendment_id=amendment.id, outcome="approved"))
    return out


# --- evolve -----------------------------------------------------------------------------------
def on_amendment_submitted(s: StudyState, e: ev.AmendmentSubmitted) -> StudyState:
    amendment = Amendment(id=e.amendment_id, substantial=e.substantial,
                          description=e.description, protocol_version=e.protocol_version,
                          submitted_on=e.submitted_on,
                          status="pending" if e.substantial else "recorded")
    s = updated(s, amendments={**s.amendments, amendment.id: amendment})
    if not e.substantial:  # takes effect at once
        return updated(s, protocol_version=e.protocol_version)
    s = close_deadlines(s, [n for n, d in s.deadlines.items()
                            if d.clock == "urgent_measure_followup"], e.submitted_on)
    cpp, ansm = _names(amendment.id)
    # Reg. 536/2014 art. 17(2), 18: the assessment runs from the validation date, by default
    # the day the Member State had to validate
    validation = MODIFICATION_VALIDATION_DAYS.get(s.framework, 0) if current_rules(s) else 0
    opened = [framework_deadline(s, cpp, "amendment_cpp",
                                 e.submitted_on + timedelta(days=validation),
                                 subject=amendment.id)]
    if s.category is Category.RIPH1 and _decision_from(s) == SUBMISSION:
        opened.append(framework_deadline(s, ansm, _authority_slot(s), e.submitted_on,
                                         subject=amendment.id))
    return open_deadlines(s, *opened)


def on_amendment_decided(s: StudyState, e: ev.AmendmentDecided) -> StudyState:
    s = update_amendment(s, e.amendment_id, status=e.outcome)
    if e.outcome == "approved":
        return updated(s, protocol_version=s.amendments[e.amendment_id].protocol_version)
    return s


def on_ethics_opinion(s: StudyState, e: ev.EthicsOpinionRecorded, amendment_id: str
                      ) -> StudyState:
    s = update_amendment(s, amendment_id, ethics_opinion=e.opinion)
    amendment = s.amendments[amendment_id]
    cpp, ansm = _names(amendment_id)
    s = close_deadlines(s, [cpp, *(_answer(amendment_id, n)
                                   for n in range(1, amendment.information_requests + 1))],
                        e.opinion_on, e.tacit)
    if (e.opinion == "favourable" and s.category is Category.RIPH1
            and _decision_from(s) == ASSESSMENT and ansm not in s.deadlines):
        # Reg. 536/2014 art. 19: the Member State decides within 5 days of the conclusion
        s = open_deadlines(s, framework_deadline(s, ansm, _authority_slot(s), e.opinion_on,
                                                 subject=amendment_id))
    return s


def on_information_requested(s: StudyState, e: ev.EthicsInformationRequested,
                             amendment_id: str, suspends: bool) -> StudyState:
    amendment = s.amendments[amendment_id]
    requests = amendment.information_requests + 1
    s = update_amendment(s, amendment_id, information_requested_on=e.requested_on,
                         information_supplied_on=None, information_requests=requests)
    cpp, _ = _names(amendment_id)
    longer = slot_clock(s, "amendment_cpp_with_request")
    if suspends and s.framework in REQUEST_SUSPENDS:
        s = change_deadline(s, cpp, clocks.stop, e.requested_on, longer)
    elif longer and s.deadlines[cpp].clock != longer:
        s = change_deadline(s, cpp, clocks.switch, longer)
    return open_deadlines(s, framework_deadline(s, _answer(amendment_id, requests),
                                                "amendment_sponsor_answer", e.requested_on,
                                                subject=amendment_id))


def on_information_supplied(s: StudyState, e: ev.EthicsInformationSupplied,
                            amendment_id: str) -> StudyState:
    s = update_amendment(s, amendment_id, information_supplied_on=e.supplied_on)
    requests = max(1, s.amendments[amendment_id].information_requests)
    s = close_deadlines(s, [_answer(amendment_id, requests)], e.supplied_on)
    cpp, _ = _names(amendment_id)
    if (deadline := s.deadlines.get(cpp)) and deadline.stopped_on:
        s = change_deadline(s, cpp, clocks.restart, e.supplied_on)
    return s


def on_lapsed(s: StudyState, e: ev.EthicsSubmissionLapsed, amendment_id: str) -> StudyState:
    """The sponsor did not answer in time: the modification is deemed withdrawn."""
    s = update_amendment(s, amendment_id, status="lapsed")
    s = close_deadlines(s, [e.deadline], e.lapsed_on, tacit=True)
    return close_deadlines(s, [n for n, d in s.deadlines.items() if d.subject == amendment_id],
                           e.lapsed_on)


def on_ansm_decision(s: StudyState, e: ev.AnsmDecisionRecorded, amendment_id: str
                     ) -> StudyState:
    s = update_amendment(s, amendment_id, ansm_decision=e.decision)
    return close_deadlines(s, [f"amendment.{amendment_id}.ansm"], e.decision_on, e.tacit)


EVOLVE: Mutators = dict([
    mutator(ev.AmendmentSubmitted, on_amendment_submitted),
    mutator(ev.AmendmentDecided, on_amendment_decided),
])
