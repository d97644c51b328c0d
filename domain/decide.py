"""decide(state, command, actor, today) -> events, or RuleViolation naming the rule broken.
tick(state, today) -> the events the clocks produce on that day. Both end with settle(), the
status changes that follow from the facts (every required step done -> ready, ...)."""

from collections.abc import Callable
from datetime import date

from . import clocks
from . import commands as c
from . import events as ev
from .errors import RuleViolation
from .evolve import ACTIVE, fold
from .model import (
    Actor,
    Category,
    ConsentBy,
    Consequence,
    Deadline,
    HolderException,
    ParticipantStatus,
    Step,
    StepStatus,
    StudyStatus,
)
from .regulation import (
    CLOCKS,
    CNIL_ROUTES,
    CONSENT_KIND,
    CONSENT_RULES,
    REQUIRED_STEPS,
    clock_for,
    may_send,
)
from .state import Participant, StudyState

S = StudyStatus
BEFORE_APPROVAL = frozenset({S.draft, S.in_review, S.ready})
APPROVED_RUNNING = frozenset({S.ready, S.recruiting, S.follow_up, S.suspended})
FINISHED = frozenset({S.archived, S.terminated})


# --- steps ------------------------------------------------------------------------------------
def steps(s: StudyState) -> dict[Step, StepStatus]:
    done, pending, busy, no = StepStatus.done, StepStatus.pending, StepStatus.in_progress, \
        StepStatus.rejected

    def ethics() -> StepStatus:
        if s.ethics.opinion == "favourable":
            return done
        if s.ethics.opinion == "unfavourable":
            return no
        return busy if s.ethics.submitted_on else pending

    def ansm() -> StepStatus:
        if s.category is not Category.RIPH1:  # RIPH2/3: sent for information
            return done if s.ansm.notified_on else pending
        if s.ansm.decision:
            return done if s.ansm.decision == "authorized" else no
        return busy if s.ansm.submitted_on else pending

    status = {
        Step.protocol: done if s.protocol_version else pending,
        Step.sponsor: done if s.sponsor else pending,
        Step.insurance: done if s.insurer else pending,
        Step.ethics: ethics(),
        Step.cnil: done if s.cnil_route else pending,
        Step.ansm: ansm(),
    }
    required = REQUIRED_STEPS[s.category]
    return {k: (v if k in required else StepStatus.not_required) for k, v in status.items()}


def missing_steps(s: StudyState) -> list[Step]:
    return [k for k, v in steps(s).items() if v not in (StepStatus.done, StepStatus.not_required)]


# --- helpers ----------------------------------------------------------------------------------
def _require(cond: object, code: str, message: str) -> None:
    if not cond:
        raise RuleViolation(code, message)


def _in(s: StudyState, allowed: frozenset[StudyStatus] | set[StudyStatus], what: str) -> None:
    names = ", ".join(sorted(a.value for a in allowed))
    _require(s.status in allowed, "invalid_state",
             f"{what} is not possible while the study is {s.status.value} (allowed: {names})")


def _not_before(day: date, earlier: date | None, what: str, ref: str) -> None:
    _require(earlier is None or day >= earlier, "date_out_of_order",
             f"{what} ({day}) cannot be before {ref} ({earlier})")


def _changed(s: StudyState, to: StudyStatus, cause: str) -> ev.StudyStatusChanged:
    return ev.StudyStatusChanged(from_status=s.status, to_status=to, cause=cause)


FUTURE_DATES = frozenset({"majority_on"})  # dates that are expected, not facts


def _no_future_dates(command: c.Command, today: date) -> None:
    for name, value in command:
        if isinstance(value, date) and value > today and name not in FUTURE_DATES:
            raise RuleViolation("date_in_future",
                                f"{name} ({value}) is in the future: legal dates are facts that "
                                f"have happened (today is {today})")


# --- one rule set per command -------------------------------------------------------------------
def _submit_protocol(s: StudyState, cmd: c.SubmitProtocol) -> list[ev.Event]:
    _require(s.status is S.draft or (s.status is S.in_review and not s.ethics.submitted_on),
             "protocol_locked", "the protocol can be submitted only in draft or before the "
             "ethics submission; later versions go through submit_amendment")
    out: list[ev.Event] = [ev.ProtocolSubmitted(version=cmd.version,
                                                document_sha256=cmd.document_sha256.lower(),
                                                emergency_inclusion=cmd.emergency_inclusion)]
    if s.status is S.draft:
        out.append(_changed(s, S.in_review, "protocol submitted"))
    return out


def _assign_sponsor(s: StudyState, cmd: c.AssignSponsor) -> list[ev.Event]:
    _in(s, BEFORE_APPROVAL, "assigning the sponsor")
    _require(not s.ethics.submitted_on, "sponsor_locked",
             "the sponsor is part of the file sent to the CPP: change it by an amendment")
    return [ev.SponsorAssigned(sponsor=cmd.sponsor)]


def _record_insurance(s: StudyState, cmd: c.RecordInsurance) -> list[ev.Event]:
    _in(s, BEFORE_APPROVAL | APPROVED_RUNNING, "recording the insurance")
    return [ev.InsuranceRecorded(insurer=cmd.insurer, policy=cmd.policy)]


def _submit_to_ethics(s: StudyState, cmd: c.SubmitToEthics) -> list[ev.Event]:
    _require(s.category is not Category.NON_RIPH, "ethics_not_applicable",
             "a NON_RIPH study (reuse of data) does not go to a CPP: use the CNIL route")
    _require(s.protocol_version, "protocol_required",
             "submit the protocol before submitting to the CPP")
    _require(s.sponsor, "sponsor_required",
             "every RIPH needs a sponsor before the CPP submission (L1121-1)")
    _in(s, {S.in_review}, "submitting to the CPP")
    _require(not s.ethics.submitted_on, "ethics_already_submitted",
             f"already submitted to {s.ethics.committee} on {s.ethics.submitted_on}")
    return [ev.EthicsSubmitted(committee=cmd.committee, submitted_on=cmd.submitted_on)]


def _ethics_open(s: StudyState) -> None:
    _require(s.ethics.submitted_on, "ethics_not_submitted", "the study was not submitted to a CPP")
    _require(not s.ethics.opinion, "ethics_opinion_already_recorded",
             f"the CPP already gave its opinion ({s.ethics.opinion}, {s.ethics.opinion_on})")


def _record_ethics_completeness(s: StudyState, cmd: c.RecordEthicsCompleteness) -> list[ev.Event]:
    _ethics_open(s)
    _require(not s.ethics.complete_on, "ethics_completeness_already_recorded",
             f"the completeness notice was recorded on {s.ethics.complete_on}")
    _not_before(cmd.notified_on, s.ethics.submitted_on, "the completeness notice", "the submission")
    return [ev.EthicsCompletenessRecorded(notified_on=cmd.notified_on)]


def _validating(s: StudyState) -> bool:
    """The file is still being validated, under a framework whose validation may ask the
    sponsor to complete it (EU_CTR art. 5(5))."""
    return not s.ethics.complete_on and clock_for(s.framework, "completeness_answer") is not None


def _ethics_request_information(s: StudyState, cmd: c.EthicsRequestInformation) -> list[ev.Event]:
    _ethics_open(s)
    _not_before(cmd.requested_on, s.ethics.submitted_on, "the request", "the submission")
    if _validating(s):
        _require(not s.ethics.validation_requested_on, "validation_information_already_requested",
                 "the file may be sent back for completion once during validation "
                 "(Reg. 536/2014 art. 5(5))")
        return [ev.EthicsInformationRequested(requested_on=cmd.requested_on,
                                              questions=cmd.questions, stage="validation")]
    _require(not s.ethics.information_requested_on, "ethics_information_already_requested",
             "the CPP may request information only once (R1123-23 I)")
    return [ev.EthicsInformationRequested(requested_on=cmd.requested_on, questions=cmd.questions)]


def _ethics_information_supplied(s: StudyState, cmd: c.EthicsInformationSupplied) -> list[ev.Event]:
    _ethics_open(s)
    if s.ethics.validation_requested_on and not s.ethics.validation_supplied_on:
        _not_before(cmd.supplied_on, s.ethics.validation_requested_on, "the answer",
                    "the request")
        return [ev.EthicsInformationSupplied(supplied_on=cmd.supplied_on, stage="validation")]
    _require(s.ethics.information_requested_on and not s.ethics.information_supplied_on,
             "no_information_request", "the CPP has no open request for information")
    _not_before(cmd.supplied_on, s.ethics.information_requested_on, "the answer", "the request")
    return [ev.EthicsInformationSupplied(supplied_on=cmd.supplied_on)]


def _pending_amendment(s: StudyState, amendment_id: str) -> None:
    a = s.amendments.get(amendment_id)
    _require(a, "unknown_amendment", f"no amendment {amendment_id} in this study")
    assert a is not None
    _require(a.substantial and a.status == "pending", "amendment_not_pending",
             f"amendment {amendment_id} is not a substantial amendment awaiting decisions")


def _record_ethics_opinion(s: StudyState, cmd: c.RecordEthicsOpinion) -> list[ev.Event]:
    if cmd.amendment_id:
        _pending_amendment(s, cmd.amendment_id)
        _require(not s.amendments[cmd.amendment_id].ethics_opinion, "ethics_opinion_already_recorded",
                 f"the CPP already decided on amendment {cmd.amendment_id}")
        _not_before(cmd.opinion_on, s.amendments[cmd.amendment_id].submitted_on, "the opinion",
                    "the amendment's submission")
    else:
        _ethics_open(s)
        _not_before(cmd.opinion_on, s.ethics.submitted_on, "the opinion", "the submission")
    return [ev.EthicsOpinionRecorded(opinion=cmd.opinion, opinion_on=cmd.opinion_on,
                                     amendment_id=cmd.amendment_id)]


def _request_second_review(s: StudyState, cmd: c.RequestSecondReview) -> list[ev.Event]:
    _require(s.ethics.opinion == "unfavourable", "no_unfavourable_opinion",
             "a second review follows an unfavourable CPP opinion only (L1123-6)")
    _require(not s.ethics.second_review, "second_review_already_used",
             "the sponsor may ask for a second review only once (L1123-6)")
    window = clock_for(s.framework, "second_review_window")
    _require(window, "no_second_review", f"a second review by another committee is a Jardé "
             f"procedure (L1123-6), not a {s.framework.value} one")
    assert s.ethics.opinion_on is not None and window is not None
    limit = clocks.add_months(s.ethics.opinion_on, CLOCKS[window].months)
    _not_before(cmd.requested_on, s.ethics.opinion_on, "the request", "the opinion")
    _require(cmd.requested_on <= limit, "second_review_window_closed",
             f"a second review must be requested within one month of the opinion, by {limit} "
             "(R1123-25)")
    _require(cmd.committee != s.ethics.committee, "second_review_same_committee",
             "the second review is by another CPP than the first (L1123-6)")
    out: list[ev.Event] = [
        ev.SecondReviewRequested(committee=cmd.committee, requested_on=cmd.requested_on),
        ev.EthicsSubmitted(committee=cmd.committee, submitted_on=cmd.requested_on,
                           second_review=True),
    ]
    if s.status is S.rejected:
        out.append(_changed(s, S.in_review, "second review requested"))
    return out


def _record_cnil(s: StudyState, cmd: c.RecordCnil) -> list[ev.Event]:
    allowed = CNIL_ROUTES[s.category]
    _require(cmd.route in allowed, "cnil_route_mismatch",
             f"{cmd.route} does not fit a {s.category.value} study: use "
             f"{' or '.join(sorted(allowed))}")
    _in(s, BEFORE_APPROVAL, "recording the CNIL formality")
    _require(cmd.route != "authorization" or s.category is Category.NON_RIPH
             or s.ethics.opinion == "favourable", "cnil_authorization_needs_cpp_opinion",
             "a CNIL authorization is requested after the CPP's favourable opinion")
    return [ev.CnilRecorded(route=cmd.route, reference=cmd.reference)]


def _riph1(s: StudyState, what: str) -> None:
    _require(s.category is Category.RIPH1, "ansm_authorization_riph1_only",
             f"{what}: only a RIPH1 needs an ANSM authorization (L1121-4); a RIPH2/RIPH3 sends "
             "the CPP opinion for information (notify_ansm)")


def _submit_to_ansm(s: StudyState, cmd: c.SubmitToAnsm) -> list[ev.Event]:
    _riph1(s, "submit_to_ansm")
    _require(s.protocol_version, "protocol_required", "submit the protocol before the ANSM file")
    _in(s, {S.in_review}, "submitting to the ANSM")
    _require(not s.ansm.submitted_on, "ansm_already_submitted",
             f"already submitted to the ANSM on {s.ansm.submitted_on}")
    return [ev.AnsmSubmitted(submitted_on=cmd.submitted_on,
                             express_authorization=cmd.express_authorization)]


def _record_ansm_decision(s: StudyState, cmd: c.RecordAnsmDecision) -> list[ev.Event]:
    _riph1(s, "record_ansm_decision")
    if cmd.amendment_id:
        _pending_amendment(s, cmd.amendment_id)
        _require(not s.amendments[cmd.amendment_id].ansm_decision, "ansm_already_decided",
                 f"the ANSM already decided on amendment {cmd.amendment_id}")
    else:
        _require(s.ansm.submitted_on, "ansm_not_submitted", "the study was not submitted to the ANSM")
        _require(not s.ansm.decision, "ansm_already_decided",
                 f"the ANSM already decided ({s.ansm.decision}, {s.ansm.decision_on})")
        _not_before(cmd.decision_on, s.ansm.submitted_on, "the decision", "the submission")
    return [ev.AnsmDecisionRecorded(decision=cmd.decision, decision_on=cmd.decision_on,
                                    amendment_id=cmd.amendment_id)]


def _notify_ansm(s: StudyState, cmd: c.NotifyAnsm) -> list[ev.Event]:
    _require(s.category in (Category.RIPH2, Category.RIPH3), "ansm_notification_riph2_3_only",
             "only a RIPH2 or RIPH3 sends the CPP opinion and summary to the ANSM for information")
    _require(s.ethics.opinion == "favourable", "ansm_notification_needs_favourable_opinion",
             "the CPP's favourable opinion is sent to the ANSM: record it first (L1123-7)")
    _require(not s.ansm.notified_on, "ansm_already_notified",
             f"the ANSM was informed on {s.ansm.notified_on}")
    _not_before(cmd.sent_on, s.ethics.opinion_on, "the notification", "the opinion")
    return [ev.AnsmNotified(sent_on=cmd.sent_on)]


def _open_recruitment(s: StudyState, cmd: c.OpenRecruitment) -> list[ev.Event]:
    if s.status is S.in_review:
        missing = ", ".join(m.value for m in missing_steps(s))
        raise RuleViolation("steps_incomplete", f"recruitment needs every step the "
                            f"{s.category.value} category requires; still missing: {missing}")
    _in(s, {S.ready}, "opening recruitment")
    return [_changed(s, S.recruiting, "recruitment opened")]


def _close_recruitment(s: StudyState, cmd: c.CloseRecruitment) -> list[ev.Event]:
    _in(s, {S.recruiting}, "closing recruitment")
    return [_changed(s, S.follow_up, "recruitment closed")]


def _submit_amendment(s: StudyState, cmd: c.SubmitAmendment) -> list[ev.Event]:
    _in(s, APPROVED_RUNNING, "an amendment")
    _require(cmd.protocol_version != s.protocol_version, "protocol_version_unchanged",
             f"the amendment must bring a new protocol version (current: {s.protocol_version})")
    return [ev.AmendmentSubmitted(amendment_id=f"AM-{len(s.amendments) + 1}",
                                  substantial=cmd.substantial, description=cmd.description,
                                  protocol_version=cmd.protocol_version,
                                  submitted_on=cmd.submitted_on)]


def _report_safety_event(s: StudyState, cmd: c.ReportSafetyEvent) -> list[ev.Event]:
    _in(s, APPROVED_RUNNING | {S.ended}, "reporting a safety event")
    return [ev.SafetyEventReported(event_id=f"SE-{len(s.safety_events) + 1}", kind=cmd.kind,
                                   occurred_on=cmd.occurred_on,
                                   fatal_or_life_threatening=cmd.fatal_or_life_threatening)]


def _declare_safety_event(s: StudyState, cmd: c.DeclareSafetyEvent) -> list[ev.Event]:
    se = s.safety_events.get(cmd.event_id)
    _require(se, "unknown_safety_event", f"no safety event {cmd.event_id} in this study")
    assert se is not None
    waiting = [n for n in (f"safety.{se.id}", f"safety.{se.id}.followup")
               if n in s.deadlines and clocks.is_waiting(s.deadlines[n])]
    _require(waiting, "safety_event_already_declared",
             f"{se.id} was declared on {se.declared_on} and needs nothing more")
    _not_before(cmd.declared_on, se.declared_on or se.occurred_on, "the declaration",
                "the event or its first declaration")
    return [ev.SafetyEventDeclared(event_id=se.id, declared_on=cmd.declared_on)]


def _submit_annual_safety_report(s: StudyState, cmd: c.SubmitAnnualSafetyReport) -> list[ev.Event]:
    _require(any(d.clock == "annual_safety_report" for d in s.deadlines.values()),
             "no_annual_safety_report_due",
             "the annual safety report runs from the ANSM authorization of a RIPH1 (R1123-61)")
    return [ev.AnnualSafetyReportSubmitted(submitted_on=cmd.submitted_on)]


def _suspend(s: StudyState, cmd: c.Suspend) -> list[ev.Event]:
    _in(s, {S.in_review, S.ready, S.recruiting, S.follow_up}, "suspending")
    assert cmd.suspended_on is not None  # decide() dates it
    return [ev.StudySuspended(by=cmd.by, for_safety=cmd.for_safety,
                              suspended_on=cmd.suspended_on),
            _changed(s, S.suspended, f"suspended by the {cmd.by}"
                                     + (" for safety" if cmd.for_safety else ""))]


def _open_deadline(s: StudyState, name: str, what: str, law: str) -> Deadline:
    d = s.deadlines.get(name)
    _require(d is not None and d.closed_on is None, f"no_{name}_due",
             f"no {what} is due in this study ({law})")
    assert d is not None
    return d


def _submit_observations(s: StudyState, cmd: c.SubmitObservations) -> list[ev.Event]:
    d = _open_deadline(s, "sponsor_observations", "observations to the authority",
                       "CSP L1123-11")
    _not_before(cmd.submitted_on, d.starts_on, "the observations", "the suspension")
    return [ev.ObservationsSubmitted(submitted_on=cmd.submitted_on)]


def _notify_halt(s: StudyState, cmd: c.NotifyHalt) -> list[ev.Event]:
    d = _open_deadline(s, "halt_notification", "halt notification",
                       "a halt is notified under the EU regulations only")
    _not_before(cmd.notified_on, d.starts_on, "the notification", "the halt")
    return [ev.HaltNotified(notified_on=cmd.notified_on)]


def _resume(s: StudyState, cmd: c.Resume) -> list[ev.Event]:
    _in(s, {S.suspended}, "resuming")
    return [_changed(s, s.suspended_from or S.ready, "resumed")]


def _declare_end(s: StudyState, cmd: c.DeclareEnd) -> list[ev.Event]:
    _in(s, {S.ready, S.recruiting, S.follow_up, S.suspended}, "declaring the end")
    return [ev.EndDeclared(ended_on=cmd.ended_on, early=cmd.early),
            _changed(s, S.ended, "end of research (early)" if cmd.early else "end of research")]


def _submit_end_declaration(s: StudyState, cmd: c.SubmitEndDeclaration) -> list[ev.Event]:
    d = s.deadlines.get("end_declaration")
    _require(d and clocks.is_waiting(d), "no_end_declaration_due",
             "the end-of-research declaration follows declare_end, once (R1123-66)")
    _not_before(cmd.declared_on, s.ended_on, "the declaration", "the end of the research")
    return [ev.EndDeclarationSubmitted(declared_on=cmd.declared_on)]


def _report_results(s: StudyState, cmd: c.ReportResults) -> list[ev.Event]:
    _in(s, {S.ended}, "reporting results")
    _not_before(cmd.reported_on, s.ended_on, "the results", "the end of the research")
    return [ev.ResultsReported(reported_on=cmd.reported_on),
            _changed(s, S.results_reported, "results reported")]


def _archive(s: StudyState, cmd: c.Archive) -> list[ev.Event]:
    _in(s, {S.results_reported}, "archiving")
    return [_changed(s, S.archived, "archived")]


# --- participants -------------------------------------------------------------------------------
PARTICIPANT_OPEN = frozenset({S.recruiting})
P = ParticipantStatus
# the study runs: consents may be completed, forms change, participants withdraw or finish
RUNNING = frozenset({S.recruiting, S.follow_up, S.suspended})


def _participant(s: StudyState, code: str) -> Participant:
    p = s.participants.get(code)
    _require(p, "unknown_participant", f"no participant {code} in this study")
    assert p is not None
    return p


def _register_participant(s: StudyState, cmd: c.RegisterParticipant) -> list[ev.Event]:
    _require(s.status in PARTICIPANT_OPEN, "recruitment_not_open",
             f"participants are included only while recruiting (the study is {s.status.value})")
    _require(cmd.code not in s.participants, "participant_exists",
             f"participant {cmd.code} is already registered")
    _require(not cmd.emergency or s.emergency_inclusion, "emergency_not_in_protocol",
             "emergency inclusion with deferred consent needs a protocol that provides for it "
             "(L1122-1-2): submit the protocol with emergency_inclusion")
    return [ev.ParticipantRegistered(code=cmd.code, majority_on=cmd.majority_on,
                                     emergency=cmd.emergency)]


def _consent_rules(s: StudyState, p: Participant, cmd: c.ConsentDetails) -> None:
    """Who consents, how, on which form: the consent rules of the study's category."""
    rule = CONSENT_RULES[s.category]
    _require(s.consent_form_version is None or cmd.consent_form_version == s.consent_form_version,
             "consent_form_not_current", f"consent must be given on the current information form "
             f"(version {s.consent_form_version}), not {cmd.consent_form_version}")
    minor = p.majority_on is not None and cmd.consented_on < p.majority_on
    if minor:
        _require(cmd.by is ConsentBy.holders, "minor_needs_holders",
                 f"{p.code} is a minor until {p.majority_on}: the holders of parental authority "
                 f"consent ({rule.source})")
        one_ok = (cmd.holder_exception is HolderException.sole_holder
                  or (cmd.holder_exception is HolderException.other_holder_unavailable
                      and rule.one_holder_if_other_unavailable))
        alone = (" or when the other cannot be reached in time"
                 if rule.one_holder_if_other_unavailable else
                 " (this category allows no other exception)")
        _require(cmd.holders == 2 or (cmd.holders == 1 and one_ok), "both_holders_required",
                 "a minor needs the consent of both holders of parental authority; one alone "
                 f"only as sole holder{alone} ({rule.source})")
    else:
        _require(cmd.by is not ConsentBy.holders, "not_a_minor",
                 f"{p.code} is not a minor on {cmd.consented_on}: they consent themselves")
    if cmd.by is ConsentBy.relative:
        _require(p.emergency and p.status is P.registered, "relative_consent_emergency_only",
                 "a relative consents in the participant's place only at an emergency inclusion "
                 "the protocol provides for (L1122-1-2)")
    if cmd.unable_to_write:
        _require(rule.witness_if_unable_to_write and cmd.witnessed, "witness_required",
                 "a participant who cannot write consents before a witness independent of the "
                 f"investigator and the sponsor, who attests it ({rule.source})"
                 if rule.witness_if_unable_to_write else
                 f"a {s.category.value} consent is not written: unable_to_write does not apply")


def _consent_event(s: StudyState, p: Participant, cmd: c.ConsentDetails) -> ev.ConsentRecorded:
    _not_before(cmd.consented_on, p.consented_on, "the consent", "the previous consent")
    return ev.ConsentRecorded(code=p.code, kind=CONSENT_KIND[s.category],
                              consent_form_version=cmd.consent_form_version,
                              consented_on=cmd.consented_on, by=cmd.by, witnessed=cmd.witnessed,
                              holders=cmd.holders, holder_exception=cmd.holder_exception)


def _record_consent(s: StudyState, cmd: c.RecordConsent) -> list[ev.Event]:
    p = _participant(s, cmd.code)
    deferred = p.consent_by is ConsentBy.relative and cmd.by is ConsentBy.participant
    _require(s.status in PARTICIPANT_OPEN or (deferred and s.status in RUNNING),
             "recruitment_not_open",
             f"consents are collected only while recruiting (the study is {s.status.value})")
    needed = CONSENT_KIND[s.category]
    _require(cmd.kind is needed, "consent_kind_mismatch",
             f"a {s.category.value} study needs {needed.value} consent, not {cmd.kind.value} "
             f"({CONSENT_RULES[s.category].source})")
    _require(p.status in (P.registered, P.needs_reconsent) or (deferred and p.status in ACTIVE),
             "consent_already_recorded", f"{cmd.code} is {p.status.value}")
    _consent_rules(s, p, cmd)
    return [_consent_event(s, p, cmd)]


def _reconsent(s: StudyState, cmd: c.Reconsent) -> list[ev.Event]:
    p = _participant(s, cmd.code)
    _require(s.status in RUNNING, "invalid_state",
             f"re-consent is collected while the study runs (it is {s.status.value})")
    _require(p.status in (*ACTIVE, P.needs_reconsent),
             "consent_not_active", f"{cmd.code} is {p.status.value}: nothing to re-consent")
    _require(p.status is P.needs_reconsent or cmd.consent_form_version != p.consent_form_version,
             "same_consent_form_version",
             f"{cmd.code} already consented to version {p.consent_form_version}")
    _consent_rules(s, p, cmd)
    return [_consent_event(s, p, cmd)]


def _include(s: StudyState, cmd: c.Include) -> list[ev.Event]:
    _require(s.status in PARTICIPANT_OPEN, "recruitment_not_open",
             f"participants are included only while recruiting (the study is {s.status.value})")
    p = _participant(s, cmd.code)
    _require(p.status is P.consented, "consent_required",
             f"{cmd.code} is {p.status.value}: inclusion needs a valid consent (L1122-1-1)")
    _require(p.consent_major == s.consent_form_major, "consent_not_current_major",
             f"{cmd.code} consented to a form before major version {s.consent_form_major}: "
             "re-consent first")
    _not_before(cmd.included_on, p.consented_on, "the inclusion", "the consent")
    return [ev.ParticipantIncluded(code=cmd.code, included_on=cmd.included_on)]


def _withdraw_consent(s: StudyState, cmd: c.WithdrawConsent) -> list[ev.Event]:
    p = _participant(s, cmd.code)
    _require(p.status in (P.registered, *ACTIVE, P.needs_reconsent), "consent_not_active",
             f"{cmd.code} is {p.status.value}: there is no consent to withdraw")
    _not_before(cmd.withdrawn_on, p.consented_on, "the withdrawal", "the consent")
    return [ev.ConsentWithdrawn(code=cmd.code, withdrawn_on=cmd.withdrawn_on,
                                data_kept_until=cmd.withdrawn_on)]


def _object_to_data_use(s: StudyState, cmd: c.ObjectToDataUse) -> list[ev.Event]:
    p = _participant(s, cmd.code)
    _require(not p.objected, "already_objected",
             f"{cmd.code} already objected to the use of their data")
    return [ev.DataUseObjected(code=cmd.code, objected_on=cmd.objected_on)]


def _complete(s: StudyState, cmd: c.CompleteParticipation) -> list[ev.Event]:
    p = _participant(s, cmd.code)
    _require(p.status in ACTIVE, "consent_not_active",
             f"{cmd.code} is {p.status.value}: only a participant with a valid consent completes")
    return [ev.ParticipationCompleted(code=cmd.code)]


def _issue_consent_form(s: StudyState, cmd: c.IssueConsentForm) -> list[ev.Event]:
    _require(s.status not in (S.ended, S.results_reported, S.archived, S.terminated, S.rejected),
             "invalid_state", f"no new consent form once the study is {s.status.value}")
    _require(cmd.version != s.consent_form_version, "same_consent_form_version",
             f"version {cmd.version} is already the current form")
    return [ev.ConsentFormIssued(version=cmd.version, change=cmd.change, issued_on=cmd.issued_on)]


def reconsent_due(s: StudyState) -> list[Participant]:
    """Minors consented for by their parents, whose majority comes: the participant consents
    in their own name (L1122-2 II: the research goes on only with the adult's consent)."""
    return [p for p in s.participants.values() if p.majority_on and p.status in ACTIVE
            and p.consent_by is ConsentBy.holders]


RULES: dict[str, Callable[[StudyState, c.Command], list[ev.Event]]] = {
    "submit_protocol": _submit_protocol, "assign_sponsor": _assign_sponsor,
    "record_insurance": _record_insurance, "submit_to_ethics": _submit_to_ethics,
    "record_ethics_completeness": _record_ethics_completeness,
    "ethics_request_information": _ethics_request_information,
    "ethics_information_supplied": _ethics_information_supplied,
    "record_ethics_opinion": _record_ethics_opinion,
    "request_second_review": _request_second_review, "record_cnil": _record_cnil,
    "submit_to_ansm": _submit_to_ansm, "record_ansm_decision": _record_ansm_decision,
    "notify_ansm": _notify_ansm, "open_recruitment": _open_recruitment,
    "close_recruitment": _close_recruitment, "submit_amendment": _submit_amendment,
    "report_safety_event": _report_safety_event, "declare_safety_event": _declare_safety_event,
    "submit_annual_safety_report": _submit_annual_safety_report, "suspend": _suspend,
    "submit_observations": _submit_observations, "notify_halt": _notify_halt,
    "resume": _resume, "declare_end": _declare_end,
    "submit_end_declaration": _submit_end_declaration, "report_results": _report_results,
    "archive": _archive, "register_participant": _register_participant,
    "record_consent": _record_consent, "withdraw_consent": _withdraw_consent,
    "object_to_data_use": _object_to_data_use, "reconsent": _reconsent, "complete": _complete,
    "include": _include, "issue_consent_form": _issue_consent_form,
}  # type: ignore[dict-item]


def decide(state: StudyState | None, command: c.Command, actor: Actor, today: date,
           study_id: str | None = None) -> list[ev.Event]:
    kind: str = command.type  # type: ignore[attr-defined]
    _require(may_send(actor.role, kind), "role_not_allowed",
             f"a {actor.role.value} may not send {kind}")
    _no_future_dates(command, today)
    if isinstance(command, c.CreateStudy):
        _require(state is None, "study_exists", "this study already exists")
        _require(study_id, "study_id_required", "a study id is required")
        return [ev.StudyCreated(study_id=study_id or "", title=command.title,
                                category=command.category, investigator=command.investigator,
                                framework=command.framework)]
    _require(state is not None, "unknown_study", "no such study")
    assert state is not None
    _require(state.status not in FINISHED, "study_closed", f"the study is {state.status.value}")
    if isinstance(command, c.RegisterParticipant):
        _require(command.majority_on is None or command.majority_on > today, "not_a_minor",
                 f"majority_on ({command.majority_on}) is a minor's 18th birthday: it must be "
                 "after today; an adult is registered without it")
    if isinstance(command, c.Suspend) and command.suspended_on is None:
        command = command.model_copy(update={"suspended_on": today})
    out = RULES[kind](state, command)
    return out + settle(fold(state, out))  # type: ignore[arg-type]


# --- what follows from the facts -----------------------------------------------------------------
def settle(s: StudyState) -> list[ev.Event]:
    out: list[ev.Event] = []
    for a in s.amendments.values():
        if a.status != "pending":
            continue
        needs_ansm = s.category is Category.RIPH1
        if a.ethics_opinion == "unfavourable" or a.ansm_decision == "refused":
            out.append(ev.AmendmentDecided(amendment_id=a.id, outcome="rejected"))
        elif a.ethics_opinion == "favourable" and (a.ansm_decision == "authorized" or not needs_ansm):
            out.append(ev.AmendmentDecided(amendment_id=a.id, outcome="approved"))
    if s.status is S.in_review:
        st = steps(s)
        if StepStatus.rejected in st.values():
            which = [k.value for k, v in st.items() if v is StepStatus.rejected]
            out.append(_changed(s, S.rejected, f"{' and '.join(which)} unfavourable"))
        elif not missing_steps(s):
            out.append(_changed(s, S.ready, "every required step is done"))
    return out


def tick(s: StudyState, today: date) -> list[ev.Event]:
    """The events the legal clocks produce by `today`: the latest reminder due, or the expiry
    with its legal consequence."""
    out: list[ev.Event] = []
    for d in sorted(s.deadlines.values(), key=lambda d: (d.due_on, d.name)):
        due = clocks.pending_alarms(d, today)
        if not due:
            continue
        if clocks.EXPIRY in due:
            clock = CLOCKS[d.clock]
            out.append(ev.DeadlineMissed(deadline=d.name, due_on=d.due_on,
                                         consequence=clock.at_expiry.value))
            out.extend(_consequence(d.clock, clock.at_expiry, d.subject, d.due_on))
        else:
            days = min(int(a.removeprefix("reminder_")) for a in due)
            out.append(ev.DeadlineReminderDue(deadline=d.name, due_on=d.due_on, days_before=days))
    out += [ev.ReconsentRequired(code=p.code, cause="majority", due_on=p.majority_on)
            for p in reconsent_due(s) if p.majority_on and p.majority_on <= today]
    if not out:
        return out
    after = fold(s, out)
    assert after is not None
    return out + settle(after)


def _consequence(clock_id: str, at_expiry: Consequence, subject: str | None,
                 due_on: date) -> list[ev.Event]:
    if at_expiry is Consequence.tacit_rejection:
        return [ev.EthicsOpinionRecorded(opinion="unfavourable", opinion_on=due_on, tacit=True,
                                         amendment_id=subject)]
    if at_expiry in (Consequence.tacit_authorization, Consequence.tacit_refusal):
        decision = "authorized" if at_expiry is Consequence.tacit_authorization else "refused"
        return [ev.AnsmDecisionRecorded(decision=decision, decision_on=due_on, tacit=True,
                                        amendment_id=subject)]
    return []


def next_alarm_on(s: StudyState) -> date | None:
    majorities = [p.majority_on for p in reconsent_due(s) if p.majority_on]
    return min(filter(None, [clocks.next_alarm_on(s.deadlines), *majorities]), default=None)
