"""Vigilance: safety events and their declaration to the ANSM (CSP R1123-49 to R1123-54), the
urgent safety measure followed by an amendment (R1123-62), the annual safety report
(R1123-61)."""

from datetime import date

from .. import clocks
from .. import commands as c
from .. import events as ev
from ..model import APPROVED_RUNNING, Framework, StudyStatus
from ..regulation import SUSAR_CATEGORIES
from ..state import SafetyEvent, StudyState
from .rules import not_before, require, require_status
from .updates import (
    Mutators,
    close_deadlines,
    current_rules,
    framework_deadline,
    mutator,
    open_deadlines,
    updated,
)


def declares_susars(s: StudyState) -> bool:
    """A SUSAR opens a declaration clock: R1123-53 concerns the research of L1121-1 1° (RIPH1);
    a trial under Reg. 536/2014 reports them (art. 42); before rules edition 2, every study."""
    return (s.category in SUSAR_CATEGORIES or s.framework is not Framework.JARDE
            or not current_rules(s))


def _susar_slot(fatal: bool) -> str:
    return "susar_fatal" if fatal else "susar"


# --- decide -----------------------------------------------------------------------------------
def report_safety_event(s: StudyState, cmd: c.ReportSafetyEvent) -> list[ev.Event]:
    require_status(s, APPROVED_RUNNING | {StudyStatus.ended}, "reporting a safety event")
    if cmd.aware_on:
        not_before(cmd.aware_on, cmd.occurred_on, "the sponsor's awareness", "the event")
    return [ev.SafetyEventReported(event_id=f"SE-{len(s.safety_events) + 1}", kind=cmd.kind,
                                   occurred_on=cmd.occurred_on,
                                   fatal_or_life_threatening=cmd.fatal_or_life_threatening,
                                   aware_on=cmd.aware_on)]


def assess_safety_event(s: StudyState, cmd: c.AssessSafetyEvent) -> list[ev.Event]:
    """The sponsor assesses a serious adverse event the investigator reported without delay
    (R1123-49): a suspected unexpected serious adverse reaction is declared (R1123-53)."""
    event = s.safety_events.get(cmd.event_id)
    require(event is None or event.assessed_on is None, "safety_event_already_assessed",
            f"{cmd.event_id} was assessed on {event.assessed_on if event else None}")
    require(any(e.kind == "sae" and e.assessed_on is None for e in s.safety_events.values()),
            "no_sae_to_assess", "no serious adverse event awaits the sponsor's assessment "
            "(R1123-49)")
    require(event is not None and event.kind == "sae", "unknown_safety_event",
            f"no serious adverse event {cmd.event_id} in this study")
    assert event is not None
    not_before(cmd.assessed_on, event.aware_on or event.occurred_on, "the assessment",
               "the event")
    return [ev.SafetyEventAssessed(event_id=event.id, assessed_on=cmd.assessed_on,
                                   susar=cmd.susar,
                                   fatal_or_life_threatening=cmd.fatal_or_life_threatening)]


def declare_safety_event(s: StudyState, cmd: c.DeclareSafetyEvent) -> list[ev.Event]:
    event = s.safety_events.get(cmd.event_id)
    require(event, "unknown_safety_event", f"no safety event {cmd.event_id} in this study")
    assert event is not None
    require(event.kind != "sae" or event.assessed_on is not None, "safety_event_not_assessed",
            f"{event.id} is a serious adverse event: the sponsor assesses it first "
            "(assess_safety_event); a SUSAR is then declared (R1123-49, R1123-53)")
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
def _declaration(s: StudyState, event_id: str, fatal: bool, aware_on: date) -> StudyState:
    if not declares_susars(s):
        return s
    return open_deadlines(s, framework_deadline(s, f"safety.{event_id}", _susar_slot(fatal),
                                                aware_on, subject=event_id))


def on_safety_event_reported(s: StudyState, e: ev.SafetyEventReported) -> StudyState:
    event = SafetyEvent(id=e.event_id, kind=e.kind, occurred_on=e.occurred_on,
                        fatal_or_life_threatening=e.fatal_or_life_threatening,
                        aware_on=e.aware_on)
    s = updated(s, safety_events={**s.safety_events, event.id: event})
    if e.kind == "urgent_safety_measure":
        return open_deadlines(s, framework_deadline(s, f"safety.{event.id}",
                                                    "urgent_measure_followup", e.occurred_on,
                                                    subject=event.id))
    if e.kind == "sae" and current_rules(s):
        # the investigator's notice to the sponsor, who assesses it (R1123-49): a task, no
        # declaration clock
        return s
    # the clock runs from the sponsor's awareness (R1123-53), the event's date by default
    return _declaration(s, event.id, e.fatal_or_life_threatening, e.aware_on or e.occurred_on)


def on_safety_event_assessed(s: StudyState, e: ev.SafetyEventAssessed) -> StudyState:
    event = s.safety_events[e.event_id].model_copy(update={
        "assessed_on": e.assessed_on, "susar": e.susar,
        "fatal_or_life_threatening": e.fatal_or_life_threatening})
    s = updated(s, safety_events={**s.safety_events, event.id: event})
    if not e.susar:
        return s
    return _declaration(s, event.id, e.fatal_or_life_threatening, e.assessed_on)


def on_safety_event_declared(s: StudyState, e: ev.SafetyEventDeclared) -> StudyState:
    event = s.safety_events[e.event_id]
    name = f"safety.{event.id}"
    if event.declared_on is not None:  # the follow-up report
        return close_deadlines(s, [name + ".followup"], e.declared_on)
    s = updated(s, safety_events={**s.safety_events, event.id: event.model_copy(
        update={"declared_on": e.declared_on})})
    first = s.deadlines.get(name)
    s = close_deadlines(s, [name], e.declared_on)
    if event.kind == "susar" or event.susar:
        # R1123-53 last al.: 8 days from the first report of a fatal or life-threatening one;
        # for the others, 8 days from the end of the 15-day limit
        starts_on = e.declared_on
        if (current_rules(s) and s.framework is Framework.JARDE and first is not None
                and not event.fatal_or_life_threatening):
            starts_on = first.due_on
        s = open_deadlines(s, framework_deadline(s, name + ".followup", "susar_followup",
                                                 starts_on, subject=event.id))
    return s


def on_annual_safety_report(s: StudyState, e: ev.AnnualSafetyReportSubmitted) -> StudyState:
    current = [d for d in s.deadlines.values() if d.clock == "annual_safety_report"]
    last = max(current, key=lambda d: d.starts_on)
    s = close_deadlines(s, [last.name], e.submitted_on)
    if current_rules(s) and s.ended_on and s.ended_on <= last.due_on:
        return s  # yearly for the duration of the research, none after its end (R1123-61)
    return open_deadlines(s, framework_deadline(s, f"annual_safety_report.{len(current) + 1}",
                                                "annual_safety_report", last.due_on))


EVOLVE: Mutators = dict([
    mutator(ev.SafetyEventReported, on_safety_event_reported),
    mutator(ev.SafetyEventDeclared, on_safety_event_declared),
    mutator(ev.SafetyEventAssessed, on_safety_event_assessed),
    mutator(ev.AnnualSafetyReportSubmitted, on_annual_safety_report),
])
