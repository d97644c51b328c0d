"""Ethics: the CPP's review (CSP R1123-23 I), its one request for information, its opinion and
the one second review by another CPP (L1123-6, R1123-25). Under the EU regulations the same
track carries the validation and Part I assessment of the file."""

from .. import clocks
from .. import commands as c
from .. import events as ev
from ..model import Category, Framework, StudyStatus
from ..regulation import CLOCKS, ONE_REQUEST, REQUEST_SUSPENDS
from ..state import Ethics, StudyState
from . import amendments, authority
from .rules import (
    not_before,
    require,
    require_input,
    require_registration,
    require_status,
    status_changed,
)
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

SECOND_REVIEW = "second_review."  # prefix of the second CPP's deadlines


def deadline_prefix(ethics: Ethics) -> str:
    return SECOND_REVIEW if ethics.second_review else ""


def answer_deadline(prefix: str, requests: int) -> str:
    """The sponsor's answer to the `requests`-th request (EU_CTR allows several)."""
    return prefix + "sponsor_answer" + (f".{requests}" if requests > 1 else "")


def request_suspends(s: StudyState) -> bool:
    """A request for information stops the review's clock (R1123-23 I) rather than extending
    it (Reg. 536/2014 art. 6(8)); before rules edition 2 it stopped under every framework."""
    return s.framework in REQUEST_SUSPENDS or not current_rules(s)


def one_request(s: StudyState) -> bool:
    return s.framework in ONE_REQUEST or not current_rules(s)


# --- decide -----------------------------------------------------------------------------------
def submit_to_ethics(s: StudyState, cmd: c.SubmitToEthics) -> list[ev.Event]:
    require(s.category is not Category.NON_RIPH, "ethics_not_applicable",
            "a NON_RIPH study (reuse of data) does not go to a CPP: use the CNIL route")
    require(s.protocol_version, "protocol_required",
            "submit the protocol before submitting to the CPP")
    require(s.sponsor, "sponsor_required",
            "every RIPH needs a sponsor before the CPP submission (L1121-1)")
    require_status(s, {StudyStatus.in_review}, "submitting to the CPP")
    require(not s.ethics.submitted_on, "ethics_already_submitted",
            f"already submitted to {s.ethics.committee} on {s.ethics.submitted_on}")
    require_registration(s, "the submission to the CPP")
    return [ev.EthicsSubmitted(committee=cmd.committee, submitted_on=cmd.submitted_on,
                               platform_file=cmd.platform_file)]


def _under_review(s: StudyState) -> None:
    require(s.ethics.submitted_on, "ethics_not_submitted", "the study was not submitted to a CPP")
    require(not s.ethics.opinion, "ethics_opinion_already_recorded",
            f"the CPP already gave its opinion ({s.ethics.opinion}, {s.ethics.opinion_on})")


def record_ethics_completeness(s: StudyState, cmd: c.RecordEthicsCompleteness
                               ) -> list[ev.Event]:
    _under_review(s)
    require(not s.ethics.complete_on, "ethics_completeness_already_recorded",
            f"the completeness notice was recorded on {s.ethics.complete_on}")
    not_before(cmd.notified_on, s.ethics.submitted_on, "the completeness notice",
               "the submission")
    return [ev.EthicsCompletenessRecorded(notified_on=cmd.notified_on)]


def _stage(s: StudyState, cmd: c.EthicsRequestInformation) -> str:
    """The stage a request belongs to: as sent, or by default the validation of an EU file not
    yet validated (Reg. 536/2014 art. 5(5)), the assessment otherwise (a Jardé CPP's question
    is on the assessment unless it says the file is incomplete)."""
    if cmd.stage:
        return cmd.stage
    validating = (s.framework is not Framework.JARDE and not s.ethics.complete_on
                  and slot_clock(s, "completeness_answer") is not None)
    return "validation" if validating else "assessment"


def ethics_request_information(s: StudyState, cmd: c.EthicsRequestInformation
                               ) -> list[ev.Event]:
    if cmd.amendment_id:
        return amendments.request_information(s, cmd, cmd.amendment_id)
    _under_review(s)
    not_before(cmd.requested_on, s.ethics.submitted_on, "the request", "the submission")
    if _stage(s, cmd) == "validation":
        require(slot_clock(s, "completeness_answer"), "no_validation_stage",
                f"a {s.framework.value} file has no completion stage")
        require(not s.ethics.complete_on, "ethics_completeness_already_recorded",
                f"the file was found complete on {s.ethics.complete_on}: a question now is on "
                "the assessment")
        require(not s.ethics.validation_requested_on, "validation_information_already_requested",
                "the file may be sent back for completion once (R1123-23 I; Reg. 536/2014 "
                "art. 5(5); Reg. 2017/745 art. 70(3))")
        return [ev.EthicsInformationRequested(requested_on=cmd.requested_on,
                                              questions=cmd.questions, stage="validation")]
    if one_request(s):
        require(not s.ethics.information_requested_on, "ethics_information_already_requested",
                "the CPP may request information only once (R1123-23 I)")
    else:
        require(not s.ethics.information_requested_on or s.ethics.information_supplied_on,
                "information_request_open", "the sponsor has not answered the request of "
                f"{s.ethics.information_requested_on} yet")
    return [ev.EthicsInformationRequested(requested_on=cmd.requested_on, questions=cmd.questions)]


def ethics_information_supplied(s: StudyState, cmd: c.EthicsInformationSupplied
                                ) -> list[ev.Event]:
    if cmd.amendment_id:
        return amendments.supply_information(s, cmd, cmd.amendment_id)
    _under_review(s)
    if s.ethics.validation_requested_on and not s.ethics.validation_supplied_on:
        not_before(cmd.supplied_on, s.ethics.validation_requested_on, "the answer", "the request")
        return [ev.EthicsInformationSupplied(supplied_on=cmd.supplied_on, stage="validation")]
    require(s.ethics.information_requested_on and not s.ethics.information_supplied_on,
            "no_information_request", "the CPP has no open request for information")
    not_before(cmd.supplied_on, s.ethics.information_requested_on, "the answer", "the request")
    return [ev.EthicsInformationSupplied(supplied_on=cmd.supplied_on)]


def record_ethics_opinion(s: StudyState, cmd: c.RecordEthicsOpinion) -> list[ev.Event]:
    if cmd.amendment_id:
        amendments.record_ethics_opinion(s, cmd, cmd.amendment_id)
    else:
        _under_review(s)
        not_before(cmd.opinion_on, s.ethics.submitted_on, "the opinion", "the submission")
    if cmd.notified_on:
        not_before(cmd.notified_on, cmd.opinion_on, "the notification", "the opinion")
    require_input(not cmd.conditions or (cmd.opinion == "favourable" and not cmd.amendment_id),
                  "conditions_on_a_favourable_opinion_only",
                  "conditions go with the study's favourable opinion (R1124-8)")
    return [ev.EthicsOpinionRecorded(opinion=cmd.opinion, opinion_on=cmd.opinion_on,
                                     amendment_id=cmd.amendment_id, notified_on=cmd.notified_on,
                                     conditions=cmd.conditions)]


def lift_ethics_conditions(s: StudyState, cmd: c.LiftEthicsConditions) -> list[ev.Event]:
    require(s.ethics.conditions and not s.ethics.conditions_lifted_on, "no_ethics_conditions",
            "the CPP's favourable opinion has no conditions left to lift"
            + (f" (lifted on {s.ethics.conditions_lifted_on})"
               if s.ethics.conditions_lifted_on else ""))
    not_before(cmd.lifted_on, s.ethics.opinion_on, "the lifting", "the opinion")
    return [ev.EthicsConditionsLifted(lifted_on=cmd.lifted_on)]


def request_second_review(s: StudyState, cmd: c.RequestSecondReview) -> list[ev.Event]:
    require(s.ethics.opinion == "unfavourable", "no_unfavourable_opinion",
            "a second review follows an unfavourable CPP opinion only (L1123-6)")
    require(not s.ethics.second_review, "second_review_already_used",
            "the sponsor may ask for a second review only once (L1123-6)")
    window = slot_clock(s, "second_review_window")
    require(window, "no_second_review", "a second review by another committee is a Jardé "
            f"procedure (L1123-6), not a {s.framework.value} one")
    assert s.ethics.opinion_on is not None and window is not None
    # one month from the opinion's notification (R1123-25), its date when none is recorded
    notified = s.ethics.notified_on or s.ethics.opinion_on
    limit = clocks.add_months(notified, CLOCKS[window].months)
    not_before(cmd.requested_on, s.ethics.opinion_on, "the request", "the opinion")
    require_input(cmd.requested_on <= limit, "second_review_window_closed",
                  "a second review must be requested within one month of the opinion's "
                  f"notification ({notified}), by {limit} (R1123-25)")
    require_input(cmd.committee != s.ethics.committee, "second_review_same_committee",
                  "the second review is by another CPP than the first, designated through the "
                  "national platform (L1123-6, R1123-25)")
    out: list[ev.Event] = [
        ev.SecondReviewRequested(committee=cmd.committee, requested_on=cmd.requested_on),
        ev.EthicsSubmitted(committee=cmd.committee, submitted_on=cmd.requested_on,
                           second_review=True, platform_file=cmd.platform_file),
    ]
    if s.status is StudyStatus.rejected:
        out.append(status_changed(s, StudyStatus.in_review, "second review requested"))
    return out


# --- evolve -----------------------------------------------------------------------------------
def on_ethics_submitted(s: StudyState, e: ev.EthicsSubmitted) -> StudyState:
    ethics = Ethics(committee=e.committee, submitted_on=e.submitted_on,
                    platform_file=e.platform_file,
                    second_review=e.second_review or s.ethics.second_review)
    prefix = deadline_prefix(ethics)
    completeness = framework_deadline(s, prefix + "cpp_completeness", "cpp_completeness",
                                      e.submitted_on)
    # The 45 days run from the completeness notice; until it is recorded, from the day the
    # CPP had to give it (R1123-23 I).
    assert completeness is not None  # every framework checks the file first
    opinion = framework_deadline(s, prefix + "cpp_opinion", "cpp_opinion", completeness.due_on)
    s = open_deadlines(updated(s, ethics=ethics), completeness, opinion)
    return authority.refresh_clock(s)


def _ethics(s: StudyState, **fields: object) -> StudyState:
    return updated(s, ethics=s.ethics.model_copy(update=fields))


def on_completeness_recorded(s: StudyState, e: ev.EthicsCompletenessRecorded) -> StudyState:
    prefix = deadline_prefix(s.ethics)
    s = _ethics(s, complete_on=e.notified_on)
    s = close_deadlines(s, [prefix + "cpp_completeness"], e.notified_on)
    s = change_deadline(s, prefix + "cpp_opinion", clocks.reanchor, e.notified_on)
    return authority.refresh_clock(s)


def on_information_requested(s: StudyState, e: ev.EthicsInformationRequested) -> StudyState:
    if e.amendment_id:
        return amendments.on_information_requested(s, e, e.amendment_id,
                                                   request_suspends(s))
    prefix = deadline_prefix(s.ethics)
    if e.stage == "validation":
        s = _ethics(s, validation_requested_on=e.requested_on)
        s = change_deadline(s, prefix + "cpp_completeness", clocks.stop, e.requested_on,
                            s.deadlines[prefix + "cpp_completeness"].clock)
        return open_deadlines(s, framework_deadline(s, prefix + "completeness_answer",
                                                    "completeness_answer", e.requested_on))
    requests = s.ethics.information_requests + 1
    s = _ethics(s, information_requested_on=e.requested_on, information_supplied_on=None,
                information_requests=requests)
    s = close_deadlines(s, [prefix + "cpp_completeness"], e.requested_on)
    longer = slot_clock(s, "cpp_opinion_with_request")
    opinion = s.deadlines.get(prefix + "cpp_opinion")
    if request_suspends(s):
        s = change_deadline(s, prefix + "cpp_opinion", clocks.stop, e.requested_on, longer)
    elif longer and opinion is not None and opinion.clock != longer:
        # the requests extend the assessment by 31 days in all (Reg. 536/2014 art. 6(8))
        s = change_deadline(s, prefix + "cpp_opinion", clocks.switch, longer)
    return open_deadlines(s, framework_deadline(s, answer_deadline(prefix, requests),
                                                "sponsor_answer", e.requested_on))


def on_information_supplied(s: StudyState, e: ev.EthicsInformationSupplied) -> StudyState:
    if e.amendment_id:
        return amendments.on_information_supplied(s, e, e.amendment_id)
    prefix = deadline_prefix(s.ethics)
    if e.stage == "validation":
        # the Member State validates the completed file within 5 days; the assessment runs
        # from the validation date
        s = _ethics(s, validation_supplied_on=e.supplied_on)
        s = close_deadlines(s, [prefix + "completeness_answer"], e.supplied_on)
        recheck = framework_deadline(s, prefix + "cpp_completeness", "completeness_recheck",
                                     e.supplied_on)
        assert recheck is not None
        s = open_deadlines(s, recheck)
        s = change_deadline(s, prefix + "cpp_opinion", clocks.reanchor, recheck.due_on)
        return authority.refresh_clock(s)
    s = _ethics(s, information_supplied_on=e.supplied_on)
    s = close_deadlines(s, [answer_deadline(prefix, max(1, s.ethics.information_requests))],
                        e.supplied_on)
    if (opinion := s.deadlines.get(prefix + "cpp_opinion")) and opinion.stopped_on:
        s = change_deadline(s, prefix + "cpp_opinion", clocks.restart, e.supplied_on)
    return s


def on_opinion_recorded(s: StudyState, e: ev.EthicsOpinionRecorded) -> StudyState:
    if e.amendment_id:
        return amendments.on_ethics_opinion(s, e, e.amendment_id)
    prefix = deadline_prefix(s.ethics)
    s = _ethics(s, opinion=e.opinion, opinion_on=e.opinion_on, tacit=e.tacit,
                notified_on=e.notified_on, conditions=e.conditions)
    s = close_deadlines(s, [prefix + "cpp_completeness", prefix + "cpp_opinion",
                            prefix + "completeness_answer",
                            *(answer_deadline(prefix, n)
                              for n in range(1, s.ethics.information_requests + 1))],
                        e.opinion_on, e.tacit)
    if e.opinion == "unfavourable" and not s.ethics.second_review:
        # one month from the opinion's notification (R1123-25)
        s = open_deadlines(s, framework_deadline(s, "second_review_window",
                                                 "second_review_window",
                                                 e.notified_on or e.opinion_on))
    return authority.refresh_clock(s)


def on_conditions_lifted(s: StudyState, e: ev.EthicsConditionsLifted) -> StudyState:
    return _ethics(s, conditions_lifted_on=e.lifted_on)


def on_submission_lapsed(s: StudyState, e: ev.EthicsSubmissionLapsed) -> StudyState:
    """The sponsor's silence: the file is deemed withdrawn, and so the study's review fails
    (no second review follows: there was no opinion)."""
    if e.amendment_id:
        return amendments.on_lapsed(s, e, e.amendment_id)
    prefix = deadline_prefix(s.ethics)
    s = _ethics(s, lapsed=True)
    s = close_deadlines(s, [e.deadline], e.lapsed_on, tacit=True)
    return close_deadlines(s, [prefix + "cpp_completeness", prefix + "cpp_opinion"],
                           e.lapsed_on)


def on_second_review_requested(s: StudyState, e: ev.SecondReviewRequested) -> StudyState:
    return close_deadlines(s, ["second_review_window"], e.requested_on)


EVOLVE: Mutators = dict([
    mutator(ev.EthicsSubmitted, on_ethics_submitted),
    mutator(ev.EthicsCompletenessRecorded, on_completeness_recorded),
    mutator(ev.EthicsInformationRequested, on_information_requested),
    mutator(ev.EthicsInformationSupplied, on_information_supplied),
    mutator(ev.EthicsOpinionRecorded, on_opinion_recorded),
    mutator(ev.SecondReviewRequested, on_second_review_requested),
    mutator(ev.EthicsSubmissionLapsed, on_submission_lapsed),
    mutator(ev.EthicsConditionsLifted, on_conditions_lifted),
])
