"""What staff see of a study: the JSON view the API answers with and the read models store,
the inbox tasks, and the notifications an event calls for. Pure: computed from the state."""

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from . import clocks, inbox, recruitment
from . import events as ev
from .catalogue import MET_BY
from .evolve import replay
from .model import (
    APPROVED_RUNNING,
    BEFORE_APPROVAL,
    FINISHED,
    Category,
    Deadline,
    Frozen,
    Periods,
    Role,
    StudyStatus,
)
from .regulation import CLOCKS, REFERENCE_METHODOLOGIES, RULES
from .state import Participant, StudyState
from .steps import steps


class Task(Frozen):
    role: Role
    kind: str  # deadline | action
    title: str
    due_on: date | None = None
    deadline: str | None = None
    overdue: bool = False
    command: str | None = None  # what clears it


class Notification(Frozen):
    role: Role
    kind: str  # reminder | escalation | decision
    message: str  # in English, as the rules wrote it: the record of what was sent
    urgent: bool
    deadline: str | None = None
    # a notice without a clock: the key of its sentence in inbox.MESSAGES and the values it
    # names (codes, ISO dates), for a reader of another language (i18n/notices.py)
    parts: dict[str, Any] | None = None


def told(title: str, key: str, **values: Any) -> dict[str, Any]:
    """A notice's English sentence and the parts it is told from, as Notification fields."""
    return {"message": inbox.MESSAGES[key].format(study=title, **values),
            "parts": {"key": key, **values}}


PERIODS_SOURCE = {Periods.eu: "; Reg. 1182/71 art. 3(4)",
                  Periods.eu_evaluation: "; Reg. 1182/71 art. 3(4); CTIS winter clock stop"}


def deadline_view(d: Deadline) -> dict[str, Any]:
    clock = CLOCKS[d.clock]
    return {
        "name": d.name, "label": clock.label, "clock": d.clock, "starts_on": d.starts_on,
        "due_on": d.due_on, "status": d.status.value, "stopped_on": d.stopped_on,
        "stopped_days": d.stopped_days, "closed_on": d.closed_on, "role": clock.role.value,
        "at_expiry": clock.at_expiry.value, "periods": d.periods.value,
        "source": clock.source + PERIODS_SOURCE.get(d.periods, ""),
        "waiting": clocks.is_waiting(d),
    }


def participant_view(p: Participant) -> dict[str, Any]:
    return p.model_dump(mode="json")


def project(events: Iterable[tuple[str, dict[str, Any]]]) -> tuple[dict[str, Any],
                                                                   list[dict[str, Any]]]:
    """A study's read models from its recorded events (type, data): what the workflow wrote
    with its last append, rebuilt from the audit record alone."""
    state = replay(events)
    if state is None:
        raise ValueError("no StudyCreated event: not a study")
    return view(state), [participant_view(p) for p in state.participants.values()]


def tasks(s: StudyState) -> list[Task]:
    out = [
        Task(role=CLOCKS[d.clock].role, kind="deadline", deadline=d.name, due_on=d.due_on,
             title=f"{CLOCKS[d.clock].label}: due {d.due_on}", overdue=clocks.is_overdue(d),
             command=MET_BY[d.clock])
        for d in s.deadlines.values() if clocks.is_waiting(d)
    ]
    if s.status is StudyStatus.ready:
        out.append(Task(role=Role.coordinator, kind="action", command="open_recruitment",
                        title="Every approval is in: open recruitment"))
    if s.registration is None and s.category is not Category.NON_RIPH and s.status in (
            BEFORE_APPROVAL | APPROVED_RUNNING):
        out.append(Task(role=Role.coordinator, kind="action", command="record_registration",
                        title="Record the registration number (ID-RCB, or the EU CT number of "
                              "a CTIS trial): every submission and export names it"))
    if (s.cnil_route in REFERENCE_METHODOLOGIES and not s.processing_register
            and s.status not in FINISHED):
        out.append(Task(role=Role.coordinator, kind="action",
                        command="record_processing_register",
                        title=f"Enter the research in the record of processing activities "
                              f"({s.cnil_route}; GDPR art. 30)"))
    out += [Task(role=Role.regulatory, kind="action", command="assess_safety_event",
                 due_on=e.aware_on or e.occurred_on,
                 title=f"Assess serious adverse event {e.id} of {e.occurred_on}: a SUSAR to "
                       "declare, or not (R1123-49, R1123-53)")
            for e in s.safety_events.values()
            if e.kind == "sae" and e.assessed_on is None and s.rules >= RULES]
    out += [Task(role=Role.coordinator, kind="recruitment", command="set_recruitment_plan",
                 due_on=alert.on, title=(
                     f"Recruitment behind plan{f' at site {key}' if key else ''}: "
                     f"{alert.included} included, {alert.planned:g} planned by {alert.on}"))
            for key, alert in recruitment.open_alerts(s)]
    return sorted(out, key=lambda t: (not t.overdue, t.due_on or date.max, t.title))


def view(s: StudyState) -> dict[str, Any]:
    """The study as the contract shows it (GET /api/studies/{id})."""
    deadlines = sorted(s.deadlines.values(), key=lambda d: (d.starts_on, d.due_on, d.name))
    waiting = [d.due_on for d in deadlines if clocks.is_waiting(d)]
    st = steps(s)
    details: dict[str, dict[str, Any]] = {
        "protocol": {"version": s.protocol_version, "document_sha256": s.document_sha256},
        "sponsor": {"sponsor": s.sponsor},
        "insurance": {"insurer": s.insurer, "policy": s.policy},
        "ethics": s.ethics.model_dump(mode="json"),
        "cnil": {"route": s.cnil_route, "reference": s.cnil_reference,
                 "requested_on": s.cnil_requested_on, "decision": s.cnil_decision,
                 "decision_on": s.cnil_decision_on, "register_entry": s.processing_register},
        "ansm": s.ansm.model_dump(mode="json"),
    }
    return {
        "id": s.id, "title": s.title, "category": s.category.value,
        "framework": s.framework.value, "investigator": s.investigator,
        "state": s.status.value, "version": s.version, "protocol_version": s.protocol_version,
        "sponsor": s.sponsor, "registration": s.registration, "rules": s.rules,
        "commercial": s.commercial, "director_informed_on": s.director_informed_on,
        "conventions": dict(s.conventions),
        "steps": {k.value: {"status": v.value, **details[k.value]} for k, v in st.items()},
        "deadlines": [deadline_view(d) for d in deadlines],
        "participants": dict(Counter(p.status.value for p in s.participants.values())),
        "consent_form": {"version": s.consent_form_version, "major": s.consent_form_major},
        "amendments": [a.model_dump(mode="json") for a in s.amendments.values()],
        "safety_events": [e.model_dump(mode="json") for e in s.safety_events.values()],
        "overdue": any(clocks.is_overdue(d) for d in deadlines),
        "next_due_on": min(waiting, default=None),
        "tasks": [t.model_dump(mode="json") for t in tasks(s)],
        "suspended_from": s.suspended_from.value if s.suspended_from else None,
        "ended_on": s.ended_on, "results_reported_on": s.results_reported_on,
        "sites": [site.model_dump(mode="json") for site in s.sites.values()],
        "recruitment_plan": s.recruitment_plan.model_dump(mode="json")
        if s.recruitment_plan else None,
    }


def notifications_for(s: StudyState, events: list[ev.Event]) -> list[Notification]:
    """Who must hear of these events. Reminders are routine (digest); escalations, tacit
    decisions and fatal SUSARs are urgent."""
    out: list[Notification] = []
    for e in events:
        match e:
            case ev.DeadlineReminderDue():
                clock = CLOCKS[s.deadlines[e.deadline].clock]
                out.append(Notification(role=clock.role, kind="reminder", urgent=False,
                                        deadline=e.deadline, message=(
                    f"{s.title}: {clock.label} due on {e.due_on} ({e.days_before} day"
                    f"{'s' if e.days_before > 1 else ''} left)")))
            case ev.DeadlineMissed():
                clock = CLOCKS[s.deadlines[e.deadline].clock]
                for role in sorted({clock.role, Role.coordinator}):
                    out.append(Notification(role=role, kind="escalation", urgent=True,
                                            deadline=e.deadline, message=(
                        f"{s.title}: {clock.label} fell due on {e.due_on} "
                        f"({e.consequence.replace('_', ' ')}; {clock.source})")))
            case ev.EthicsOpinionRecorded(tacit=True) | ev.AnsmDecisionRecorded(tacit=True):
                said = told(s.title, "notice.cpp_silence") if isinstance(
                    e, ev.EthicsOpinionRecorded) else told(s.title, "notice.ansm_silence",
                                                           decision=str(e.decision))
                for role in (Role.coordinator, Role.regulatory, Role.investigator):
                    out.append(Notification(role=role, kind="decision", urgent=True, **said))
            case ev.TacitOutcomeSuperseded():
                # those told of the tacit outcome hear that it no longer holds, and why
                for role in (Role.coordinator, Role.regulatory, Role.investigator):
                    out.append(Notification(role=role, kind="decision", urgent=True,
                                            deadline=e.deadline, message=(
                        f"{s.title}: the {e.consequence.replace('_', ' ')} at the {e.deadline} "
                        f"due date ({e.due_on}) is superseded by the {e.by_command} dated "
                        f"{e.superseded_on}, recorded late but in time")))
            case ev.FactCorrected():
                out.append(Notification(role=Role.coordinator, kind="correction", urgent=False,
                                        **told(s.title, "notice.correction", seq=e.seq,
                                               event=e.event_type, changes=e.changes)))
            case ev.SafetyEventReported(fatal_or_life_threatening=True) | ev.SafetyEventAssessed(
                    susar=True, fatal_or_life_threatening=True) if (
                    f"safety.{e.event_id}" in s.deadlines):
                kind = "SUSAR" if isinstance(e, ev.SafetyEventAssessed) else e.kind.upper()
                out.append(Notification(role=Role.regulatory, kind="escalation", urgent=True,
                                        deadline=f"safety.{e.event_id}", message=(
                    f"{s.title}: fatal or life-threatening {kind} {e.event_id}: "
                    "declare without delay (R1123-53)")))
            case ev.SafetyEventReported(kind="sae") if s.rules >= RULES:
                out.append(Notification(role=Role.regulatory, kind="action", urgent=(
                    e.fatal_or_life_threatening), **told(
                    s.title, "notice.sae", event_id=e.event_id, occurred_on=str(e.occurred_on))))
            case ev.RecruitmentBehindPlan():
                figures = {"included": e.included, "planned": f"{e.planned:g}", "on": str(e.on),
                           "target": e.target}
                out.append(Notification(role=Role.coordinator, kind="recruitment", urgent=False,
                                        **(told(s.title, "notice.recruitment_site", site=e.site,
                                                **figures) if e.site else
                                           told(s.title, "notice.recruitment", **figures))))
            case ev.StudyStatusChanged(to_status=StudyStatus.ready | StudyStatus.rejected):
                for role in (Role.coordinator, Role.investigator):
                    out.append(Notification(role=role, kind="decision", urgent=False,
                                            **told(s.title, "notice.status",
                                                   state=e.to_status.value, cause=e.cause)))
    return out
