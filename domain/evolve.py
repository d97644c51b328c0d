"""evolve(state, event) -> state: the only way a study's state changes. Pure and total over
the events decide() can produce; folding a stream's events rebuilds the state."""

from collections.abc import Iterable
from datetime import date

from . import clocks
from . import events as ev
from .model import (
    Category,
    ConsentBy,
    Deadline,
    DeadlineStatus,
    FormChange,
    ParticipantStatus,
    StudyStatus,
)
from .regulation import CLOCKS, Consequence, clock_for
from .state import Amendment, Ansm, Ethics, Participant, SafetyEvent, StudyState

SECOND_REVIEW = "second_review."  # prefix of the second CPP's deadlines
DEFERRED_CONSENT = "deferred_consent."  # + participant code: own consent after an emergency
# participants whose consent is in force (a new major form or majority asks them again)
ACTIVE = frozenset({ParticipantStatus.consented, ParticipantStatus.included})


def fold(state: StudyState | None, events: Iterable[ev.Event]) -> StudyState | None:
    for e in events:
        state = evolve(state, e)
    return state


def evolve(state: StudyState | None, event: ev.Event) -> StudyState:
    if isinstance(event, ev.StudyCreated):
        return StudyState(id=event.study_id, title=event.title, category=event.category,
                          investigator=event.investigator, framework=event.framework, version=1)
    if state is None:
        raise ValueError(f"{event.type} before StudyCreated")
    new = _apply(state, event)
    return new.model_copy(update={"version": state.version + 1})


def ethics_prefix(e: Ethics) -> str:
    return SECOND_REVIEW if e.second_review else ""


def _deadline_op(s: StudyState, name: str, op, *args) -> StudyState:  # type: ignore[no-untyped-def]
    if name not in s.deadlines:
        return s
    return s.model_copy(update={"deadlines": {**s.deadlines, name: op(s.deadlines[name], *args)}})


def _close(s: StudyState, names: Iterable[str], on: date) -> StudyState:
    for name in names:
        s = _deadline_op(s, name, clocks.close, on)
    return s


def _open(s: StudyState, *deadlines) -> StudyState:  # type: ignore[no-untyped-def]
    return s.model_copy(update={"deadlines": {**s.deadlines, **{
        d.name: d for d in deadlines if d is not None}}})


def _deadline(s: StudyState, name: str, slot: str, starts_on: date,
              subject: str | None = None) -> Deadline | None:
    """The deadline `name` running the study's framework's clock for `slot`, if it has one."""
    clock = clock_for(s.framework, slot)
    return clocks.open_deadline(name, clock, starts_on, subject) if clock else None


def _set(s: StudyState, **fields) -> StudyState:  # type: ignore[no-untyped-def]
    return s.model_copy(update=fields)


def _participant(s: StudyState, code: str, **fields) -> StudyState:  # type: ignore[no-untyped-def]
    p = s.participants.get(code) or Participant(code=code)
    return _set(s, participants={**s.participants, code: p.model_copy(update=fields)})


def _amendment(s: StudyState, amendment_id: str, **fields) -> StudyState:  # type: ignore[no-untyped-def]
    a = s.amendments[amendment_id]
    return _set(s, amendments={**s.amendments, amendment_id: a.model_copy(update=fields)})


def _apply(s: StudyState, e: ev.Event) -> StudyState:  # noqa: C901 - one case per event type
    match e:
        case ev.StudyStatusChanged():
            if e.to_status is StudyStatus.suspended:
                return _set(s, status=e.to_status, suspended_from=e.from_status)
            return _set(s, status=e.to_status, suspended_from=None)
        case ev.StudySuspended() if e.by == "authority":
            return _open(s, _deadline(s, "sponsor_observations", "sponsor_observations",
                                      e.suspended_on))
        case ev.StudySuspended():
            slot = "halt_notification_safety" if e.for_safety else "halt_notification"
            return _open(s, _deadline(s, "halt_notification", slot, e.suspended_on))
        case ev.ObservationsSubmitted():
            return _close(s, ["sponsor_observations"], e.submitted_on)
        case ev.HaltNotified():
            return _close(s, ["halt_notification"], e.notified_on)
        case ev.ProtocolSubmitted():
            return _set(s, protocol_version=e.version, document_sha256=e.document_sha256,
                        emergency_inclusion=e.emergency_inclusion)
        case ev.SponsorAssigned():
            return _set(s, sponsor=e.sponsor)
        case ev.InsuranceRecorded():
            return _set(s, insurer=e.insurer, policy=e.policy)
        case ev.CnilRecorded():
            return _set(s, cnil_route=e.route, cnil_reference=e.reference)
        case ev.EthicsSubmitted():
            ethics = Ethics(committee=e.committee, submitted_on=e.submitted_on,
                            second_review=e.second_review or s.ethics.second_review)
            p = ethics_prefix(ethics)
            completeness = _deadline(s, p + "cpp_completeness", "cpp_completeness",
                                                e.submitted_on)
            # The 45 days run from the completeness notice; until it is recorded, from the
            # day the CPP had to give it (R1123-23 I).
            assert completeness is not None  # every framework checks the file first
            opinion = _deadline(s, p + "cpp_opinion", "cpp_opinion", completeness.due_on)
            return _open(_set(s, ethics=ethics), completeness, opinion)
        case ev.EthicsCompletenessRecorded():
            p = ethics_prefix(s.ethics)
            s = _set(s, ethics=s.ethics.model_copy(update={"complete_on": e.notified_on}))
            s = _close(s, [p + "cpp_completeness"], e.notified_on)
            return _deadline_op(s, p + "cpp_opinion", clocks.reanchor, e.notified_on)
        case ev.EthicsInformationRequested(stage="validation"):
            p = ethics_prefix(s.ethics)
            s = _set(s, ethics=s.ethics.model_copy(
                update={"validation_requested_on": e.requested_on}))
            s = _deadline_op(s, p + "cpp_completeness", clocks.stop, e.requested_on,
                             s.deadlines[p + "cpp_completeness"].clock)
            return _open(s, _deadline(s, p + "completeness_answer", "completeness_answer",
                                      e.requested_on))
        case ev.EthicsInformationSupplied(stage="validation"):
            # the Member State validates the completed file within 5 days; the assessment
            # runs from the validation date
            p = ethics_prefix(s.ethics)
            s = _set(s, ethics=s.ethics.model_copy(
                update={"validation_supplied_on": e.supplied_on}))
            s = _close(s, [p + "completeness_answer"], e.supplied_on)
            recheck = _deadline(s, p + "cpp_completeness", "completeness_recheck", e.supplied_on)
            assert recheck is not None
            s = _open(s, recheck)
            return _deadline_op(s, p + "cpp_opinion", clocks.reanchor, recheck.due_on)
        case ev.EthicsInformationRequested():
            p = ethics_prefix(s.ethics)
            s = _set(s, ethics=s.ethics.model_copy(
                update={"information_requested_on": e.requested_on}))
            s = _close(s, [p + "cpp_completeness"], e.requested_on)
            s = _deadline_op(s, p + "cpp_opinion", clocks.stop, e.requested_on,
                             clock_for(s.framework, "cpp_opinion_with_request"))
            return _open(s, _deadline(s, p + "sponsor_answer", "sponsor_answer",
                                                 e.requested_on))
        case ev.EthicsInformationSupplied():
            p = ethics_prefix(s.ethics)
            s = _set(s, ethics=s.ethics.model_copy(
                update={"information_supplied_on": e.supplied_on}))
            s = _close(s, [p + "sponsor_answer"], e.supplied_on)
            return _deadline_op(s, p + "cpp_opinion", clocks.restart, e.supplied_on)
        case ev.EthicsOpinionRecorded() if e.amendment_id:
            s = _amendment(s, e.amendment_id, ethics_opinion=e.opinion)
            return _close(s, [f"amendment.{e.amendment_id}.cpp"], e.opinion_on)
        case ev.EthicsOpinionRecorded():
            p = ethics_prefix(s.ethics)
            s = _set(s, ethics=s.ethics.model_copy(
                update={"opinion": e.opinion, "opinion_on": e.opinion_on, "tacit": e.tacit}))
            s = _close(s, [p + "cpp_completeness", p + "cpp_opinion", p + "sponsor_answer",
                           p + "completeness_answer"],
                       e.opinion_on)
            if e.opinion == "unfavourable" and not s.ethics.second_review:
                s = _open(s, _deadline(s, "second_review_window",
                                                  "second_review_window", e.opinion_on))
            return s
        case ev.SecondReviewRequested():
            return _close(s, ["second_review_window"], e.requested_on)
        case ev.AnsmSubmitted():
            clock = "ansm_express_authorization" if e.express_authorization else "ansm_authorization"
            s = _set(s, ansm=Ansm(submitted_on=e.submitted_on,
                                  express_authorization=e.express_authorization))
            return _open(s, _deadline(s, "ansm_authorization", clock, e.submitted_on))
        case ev.AnsmDecisionRecorded() if e.amendment_id:
            s = _amendment(s, e.amendment_id, ansm_decision=e.decision)
            return _close(s, [f"amendment.{e.amendment_id}.ansm"], e.decision_on)
        case ev.AnsmDecisionRecorded():
            s = _set(s, ansm=s.ansm.model_copy(
                update={"decision": e.decision, "decision_on": e.decision_on, "tacit": e.tacit}))
            s = _close(s, ["ansm_authorization"], e.decision_on)
            if e.decision == "authorized" and s.category is Category.RIPH1:
                s = _open(s, _deadline(s, "annual_safety_report.1",
                                                  "annual_safety_report", e.decision_on))
            return s
        case ev.AnsmNotified():
            return _set(s, ansm=s.ansm.model_copy(update={"notified_on": e.sent_on}))
        case ev.AmendmentSubmitted():
            a = Amendment(id=e.amendment_id, substantial=e.substantial,
                          description=e.description, protocol_version=e.protocol_version,
                          submitted_on=e.submitted_on,
                          status="pending" if e.substantial else "recorded")
            s = _set(s, amendments={**s.amendments, a.id: a})
            if not e.substantial:  # takes effect at once
                return _set(s, protocol_version=e.protocol_version)
            s = _close(s, [n for n, d in s.deadlines.items()
                           if d.clock == "urgent_measure_followup"], e.submitted_on)
            opened = [_deadline(s, f"amendment.{a.id}.cpp", "amendment_cpp",
                                           e.submitted_on, subject=a.id)]
            if s.category is Category.RIPH1:
                opened.append(_deadline(s, f"amendment.{a.id}.ansm", "amendment_ansm",
                                                   e.submitted_on, subject=a.id))
            return _open(s, *opened)
        case ev.AmendmentDecided():
            s = _amendment(s, e.amendment_id, status=e.outcome)
            if e.outcome == "approved":
                return _set(s, protocol_version=s.amendments[e.amendment_id].protocol_version)
            return s
        case ev.SafetyEventReported():
            se = SafetyEvent(id=e.event_id, kind=e.kind, occurred_on=e.occurred_on,
                             fatal_or_life_threatening=e.fatal_or_life_threatening)
            s = _set(s, safety_events={**s.safety_events, se.id: se})
            if e.kind == "urgent_safety_measure":
                clock = "urgent_measure_followup"
            else:
                clock = "susar_fatal" if e.fatal_or_life_threatening else "susar"
            return _open(s, _deadline(s, f"safety.{se.id}", clock, e.occurred_on,
                                                 subject=se.id))
        case ev.SafetyEventDeclared():
            se = s.safety_events[e.event_id]
            name = f"safety.{se.id}"
            if se.declared_on is not None:  # the follow-up report
                return _close(s, [name + ".followup"], e.declared_on)
            s = _set(s, safety_events={**s.safety_events, se.id: se.model_copy(
                update={"declared_on": e.declared_on})})
            s = _close(s, [name], e.declared_on)
            if se.kind == "susar":
                s = _open(s, _deadline(s, name + ".followup", "susar_followup",
                                                  e.declared_on, subject=se.id))
            return s
        case ev.AnnualSafetyReportSubmitted():
            current = [d for d in s.deadlines.values() if d.clock == "annual_safety_report"]
            last = max(current, key=lambda d: d.starts_on)
            s = _close(s, [last.name], e.submitted_on)
            n = len(current) + 1
            return _open(s, _deadline(s, f"annual_safety_report.{n}",
                                                 "annual_safety_report", last.due_on))
        case ev.EndDeclared():
            clock = "end_declaration_early" if e.early else "end_declaration"
            s = _set(s, ended_on=e.ended_on, early_end=e.early)
            return _open(s, _deadline(s, "end_declaration", clock, e.ended_on),
                         _deadline(s, "results", "results", e.ended_on))
        case ev.EndDeclarationSubmitted():
            return _close(s, ["end_declaration"], e.declared_on)
        case ev.ResultsReported():
            s = _set(s, results_reported_on=e.reported_on)
            return _close(s, ["results"], e.reported_on)
        case ev.DeadlineReminderDue():
            d = s.deadlines[e.deadline]
            sent = {f"reminder_{n}" for n in clocks.REMINDER_DAYS_BEFORE if n >= e.days_before}
            return _open(s, d.model_copy(update={"alarms_sent": tuple(
                sorted(set(d.alarms_sent) | sent))}))
        case ev.DeadlineMissed():
            d = s.deadlines[e.deadline]
            met = CLOCKS[d.clock].at_expiry in (Consequence.tacit_authorization,
                                                Consequence.window_closes)
            return _open(s, d.model_copy(update={
                "status": DeadlineStatus.met if met else DeadlineStatus.overdue,
                "closed_on": d.due_on if met else None,
                "alarms_sent": (*d.alarms_sent, clocks.EXPIRY)}))
        case ev.ParticipantRegistered():
            return _participant(s, e.code, majority_on=e.majority_on, emergency=e.emergency)
        case ev.ConsentRecorded():
            p = s.participants[e.code]
            deferred = DEFERRED_CONSENT + e.code
            if e.by is ConsentBy.relative:  # the participant's own consent is now awaited
                s = _open(s, clocks.open_deadline(deferred, "deferred_consent", e.consented_on,
                                                  subject=e.code))
            else:
                s = _close(s, [deferred], e.consented_on)
            status = ParticipantStatus.included if p.included_on else ParticipantStatus.consented
            return _participant(s, e.code, status=status, consent_kind=e.kind,
                                consent_form_version=e.consent_form_version,
                                consent_major=s.consent_form_major, consent_by=e.by,
                                consented_on=e.consented_on, reconsent_cause=None)
        case ev.ParticipantIncluded():
            return _participant(s, e.code, status=ParticipantStatus.included,
                                included_on=e.included_on)
        case ev.ReconsentRequired():
            return _participant(s, e.code, status=ParticipantStatus.needs_reconsent,
                                reconsent_cause=e.cause)
        case ev.ConsentFormIssued():
            s = _set(s, consent_form_version=e.version)
            if e.change is not FormChange.major:
                return s
            cause = f"major consent form version {e.version}"
            return _set(s, consent_form_major=e.version, participants={
                **s.participants, **{
                    code: p.model_copy(update={"status": ParticipantStatus.needs_reconsent,
                                               "reconsent_cause": cause})
                    for code, p in s.participants.items() if p.status in ACTIVE}})
        case ev.ConsentWithdrawn():
            s = _close(s, [DEFERRED_CONSENT + e.code], e.withdrawn_on)
            return _participant(s, e.code, status=ParticipantStatus.withdrawn,
                                withdrawn_on=e.withdrawn_on)
        case ev.DataUseObjected():
            return _participant(s, e.code, status=ParticipantStatus.objected, objected=True)
        case ev.ParticipationCompleted():
            return _participant(s, e.code, status=ParticipantStatus.completed)
    raise ValueError(f"no evolve rule for {e.type}")
