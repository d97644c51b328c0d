"""Data protection: the CNIL formality, a reference methodology that fits the category or an
authorization (Loi 78-17 art. 66, 72-73; MR-001, MR-003, MR-004)."""

from .. import clocks
from .. import commands as c
from .. import events as ev
from ..model import BEFORE_APPROVAL, Category
from ..regulation import CLUSTER_TRIAL_ROUTES, CNIL_ROUTES
from ..state import StudyState
from .rules import not_before, require, require_status
from .updates import Mutators, close_deadlines, current_rules, mutator, open_deadlines, updated

AUTHORIZATION = "cnil_authorization"  # the deadline of the CNIL's decision


def routes(s: StudyState) -> frozenset[str]:
    """The CNIL routes that fit the study: its category's, and MR-003 for a RIPH2 cluster
    trial with collective information (L1122-1-4)."""
    if s.cluster_trial and current_rules(s):
        return CLUSTER_TRIAL_ROUTES
    return CNIL_ROUTES[s.category]


def record_cnil(s: StudyState, cmd: c.RecordCnil) -> list[ev.Event]:
    allowed = routes(s)
    require(cmd.route in allowed, "cnil_route_mismatch",
            f"{cmd.route} does not fit a {s.category.value} study: use "
            f"{' or '.join(sorted(allowed))}")
    require_status(s, BEFORE_APPROVAL, "recording the CNIL formality")
    require(cmd.route != "authorization" or s.category is Category.NON_RIPH
            or s.ethics.opinion == "favourable", "cnil_authorization_needs_cpp_opinion",
            "a CNIL authorization is requested after the CPP's favourable opinion")
    requested = cmd.requested_on if cmd.route == "authorization" and current_rules(s) else None
    if requested and s.ethics.opinion_on:
        not_before(requested, s.ethics.opinion_on, "the request", "the CPP's opinion")
    require(not s.cnil_requested_on or s.cnil_decision == "refused", "cnil_authorization_pending",
            f"the CNIL's authorization requested on {s.cnil_requested_on} awaits its decision")
    return [ev.CnilRecorded(route=cmd.route, reference=cmd.reference, requested_on=requested)]


def record_cnil_decision(s: StudyState, cmd: c.RecordCnilDecision) -> list[ev.Event]:
    require(s.cnil_requested_on and not s.cnil_decision, "no_cnil_authorization_pending",
            "no CNIL authorization request awaits a decision (Loi 78-17 art. 66)")
    not_before(cmd.decision_on, s.cnil_requested_on, "the decision", "the request")
    return [ev.CnilDecisionRecorded(decision=cmd.decision, decision_on=cmd.decision_on)]


def record_processing_register(s: StudyState, cmd: c.RecordProcessingRegister
                               ) -> list[ev.Event]:
    require(s.cnil_route, "cnil_route_required",
            "record the CNIL formality first: the register's entry names its route")
    require(not s.processing_register, "processing_register_already_recorded",
            f"the research is entered in the record of processing activities as "
            f"{s.processing_register}")
    return [ev.ProcessingRegisterRecorded(entry=cmd.entry, entered_on=cmd.entered_on)]


def on_cnil_recorded(s: StudyState, e: ev.CnilRecorded) -> StudyState:
    s = updated(s, cnil_route=e.route, cnil_reference=e.reference,
                cnil_requested_on=e.requested_on, cnil_decision=None, cnil_decision_on=None)
    if e.requested_on is None:
        return s
    return open_deadlines(s, clocks.open_deadline(AUTHORIZATION, AUTHORIZATION, e.requested_on))


def on_cnil_decision(s: StudyState, e: ev.CnilDecisionRecorded) -> StudyState:
    s = updated(s, cnil_decision=e.decision, cnil_decision_on=e.decision_on)
    return close_deadlines(s, [AUTHORIZATION], e.decision_on, e.tacit)


def on_processing_register(s: StudyState, e: ev.ProcessingRegisterRecorded) -> StudyState:
    return updated(s, processing_register=e.entry)


EVOLVE: Mutators = dict([
    mutator(ev.CnilRecorded, on_cnil_recorded),
    mutator(ev.CnilDecisionRecorded, on_cnil_decision),
    mutator(ev.ProcessingRegisterRecorded, on_processing_register),
])
