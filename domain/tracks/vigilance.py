"""Vigilance: safety events and their declaration to the ANSM (CSP R1123-49 to R1123-54), the
urgent safety measure followed by an amendment (R1123-62), the annual safety report
(R1123-61)."""

from .. import clocks
from .. import commands as c
from .. import events as ev
from ..model import APPROVED_RUNNING, StudyStatus
from ..state import SafetyEvent, StudyState
from .rules import not_before, require, require_status
from .updates import Mutators, close_deadlines, framework_deadline, mutator, open_deadlines, updated


# --- decide -----------------------------------------------------------------------------------
def report_safety_event(s: StudyState, cmd: c.ReportSafetyEvent) -> list[ev.Event]:
    require_status(s, APPROVED_RUNNING | {StudyStatus.ended}, "reporting a safety event")
    return [ev.SafetyEventReported(event_id=f"SE-{len(s.safety_events) + 1}", kind=cmd.kind,
                                   occurred_on=cmd.occurred_on,
                                   fatal_or_life_threatening=cmd.fatal_or_life_threatening)]


def declare_safety_event(s: StudyState, cmd: c.DeclareSafetyEvent) -> list[ev.Event]:
    event = s.safety_events.get(cmd.event_id)
    require(event, "unknown_safety_event", f"no safety event {cmd.event_id} in this study")
    assert event is not None
    waiting = [n for n in (f"safety.{event.id}", f"safety.{event.id}.followup")
               if n in s.deadlines and clocks.is_waiting(s.deadlines[n])]
    require(waiting, "safety_event_already_declared",
            f"{event.id} was declared on {event.declared_on} and needs nothing more")
    not_before(cmd.declared_on, event.declared_on or event.occurred_on, "the declaration",
               "the event or its first declaration")
    return [ev.SafetyEventDeclared(event_id=event.id, declared_on=cmd.declared_on)]


def submit_annual_safety_report(s: StudyState, cmd: c.SubmitAnnualSafetyReport
                                ) -> list[ev.Event]:
    require(any(d.clock == "annual_safety_report" for d in s.deadlines.values()),
            "no_annual_safety_report_due",
            "the annual safety report runs from the ANSM authorization of a RIPH1 (R1123-61)")
    return [ev.AnnualSafetyReportSubmitted(submitted_on=cmd.submitted_on)]


# --- evolve -----------------------------------------------------------------------------------
def on_safety_event_reported(s: StudyState, e: ev.SafetyEventReported) -> StudyState:
    event = SafetyEvent(id=e.event_id, kind=e.kind, occurred_on=e.occurred_on,
                        fatal_or_life_threatening=e.fatal_or_life_threatening)
    s = updated(s, safety_events={**s.safety_events, event.id: event})
    if e.kind == "urgent_safety_measure":
        slot = "urgent_measure_followup"
    else:
        slot = "susar_fatal" if e.fatal_or_life_threatening else "susar"
    return open_deadlines(s, framework_deadline(s, f"safety.{event.id}", slot, e.occurred_on,
                                                subject=event.id))


def on_safety_event_declared(s: StudyState, e: ev.SafetyEventDeclared) -> StudyState:
    event = s.safety_events[e.event_id]
    name = f"safety.{event.id}"
    if event.declared_on is not None:  # the follow-up report
        return close_deadlines(s, [name + ".followup"], e.declared_on)
    s = updated(s, safety_events={**s.safety_events, event.id: event.model_copy(
        update={"declared_on": e.declared_on})})
    s = close_deadlines(s, [name], e.declared_on)
    if event.kind == "susar":
        s = open_deadlines(s, framework_deadline(s, name + ".followup", "susar_followup",
                                                 e.declared_on, subject=event.id))
    return s


def on_annual_safety_report(s: StudyState, e: ev.AnnualSafetyReportSubmitted) -> StudyState:
    current = [d for d in s.deadlines.values() if d.clock == "annual_safety_report"]
    last = max(current, key=lambda d: d.starts_on)
    s = close_deadlines(s, [last.name], e.submitted_on)
    return open_deadlines(s, framework_deadline(s, f"annual_safety_report.{len(current) + 1}",
                                                "annual_safety_report", last.due_on))


EVOLVE: Mutators = dict([
    mutator(ev.SafetyEventReported, on_safety_event_reported),
    mutator(ev.SafetyEventDeclared, on_safety_event_declared),
    mutator(ev.AnnualSafetyReportSubmitted, on_annual_safety_report),
])
