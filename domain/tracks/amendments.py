"""Amendments (modifications): a substantial one goes back to the CPP, and to the ANSM for a
RIPH1, before it takes effect (CSP R1123-43, R1123-44); the others take effect at once."""

from .. import commands as c
from .. import events as ev
from ..model import APPROVED_RUNNING, Category
from ..state import Amendment, StudyState
from .rules import not_before, require, require_input, require_status
from .updates import (
    Mutators,
    close_deadlines,
    framework_deadline,
    mutator,
    open_deadlines,
    update_amendment,
    updated,
)


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


def record_ansm_decision(s: StudyState, amendment_id: str) -> None:
    """The ANSM's decision on a pending amendment (record_ansm_decision with amendment_id)."""
    amendment = pending_amendment(s, amendment_id)
    require(not amendment.ansm_decision, "ansm_already_decided",
            f"the ANSM already decided on amendment {amendment_id}")


def outcomes(s: StudyState) -> list[ev.Event]:
    """The pending amendments whose decisions are all in: approved, or rejected by either."""
    out: list[ev.Event] = []
    for amendment in s.amendments.values():
        if amendment.status != "pending":
            continue
        needs_ansm = s.category is Category.RIPH1
        if amendment.ethics_opinion == "unfavourable" or amendment.ansm_decision == "refused":
            out.append(ev.AmendmentDecided(amendment_id=amendment.id, outcome="rejected"))
        elif amendment.ethics_opinion == "favourable" and (
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
    opened = [framework_deadline(s, f"amendment.{amendment.id}.cpp", "amendment_cpp",
                                 e.submitted_on, subject=amendment.id)]
    if s.category is Category.RIPH1:
        opened.append(framework_deadline(s, f"amendment.{amendment.id}.ansm", "amendment_ansm",
                                         e.submitted_on, subject=amendment.id))
    return open_deadlines(s, *opened)


def on_amendment_decided(s: StudyState, e: ev.AmendmentDecided) -> StudyState:
    s = update_amendment(s, e.amendment_id, status=e.outcome)
    if e.outcome == "approved":
        return updated(s, protocol_version=s.amendments[e.amendment_id].protocol_version)
    return s


def on_ethics_opinion(s: StudyState, e: ev.EthicsOpinionRecorded, amendment_id: str
                      ) -> StudyState:
    s = update_amendment(s, amendment_id, ethics_opinion=e.opinion)
    return close_deadlines(s, [f"amendment.{amendment_id}.cpp"], e.opinion_on, e.tacit)


def on_ansm_decision(s: StudyState, e: ev.AnsmDecisionRecorded, amendment_id: str
                     ) -> StudyState:
    s = update_amendment(s, amendment_id, ansm_decision=e.decision)
    return close_deadlines(s, [f"amendment.{amendment_id}.ansm"], e.decision_on, e.tacit)


EVOLVE: Mutators = dict([
    mutator(ev.AmendmentSubmitted, on_amendment_submitted),
    mutator(ev.AmendmentDecided, on_amendment_decided),
])
