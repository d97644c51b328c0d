"""decide(state, command, actor, today) -> events, or RuleViolation naming the rule broken.
tick(state, today) -> the events the clocks produce on that day. Both end with settle(), the
status changes that follow from the facts (every required step done -> ready, ...). The rules
of each command are in the module of its track (domain/tracks), found through the catalogue."""

from collections.abc import Sequence
from datetime import date

from . import clocks, corrections, documents, legal_time, recruitment, supersession
from . import commands as c
from . import events as ev
from .catalogue import CATALOGUE
from .errors import BatchRefused, InputRefused, RuleViolation
from .evolve import fold, settle
from .model import FINISHED, Actor
from .regulation import CLOCKS, RULES
from .state import StudyState
from .steps import missing_steps, steps
from .tracks import lifecycle
from .tracks.deadlines import consequence
from .tracks.participants import reconsent_due
from .tracks.rules import require

__all__ = ["adopt_rules", "decide", "decide_batch", "missing_steps", "next_alarm_on", "settle",
           "steps", "tick"]


def adopt_rules(state: StudyState) -> list[ev.Event]:
    """The events by which a study recorded under an older edition of the rules takes up this
    one (none if it runs under it already)."""
    return lifecycle.adopt_rules(state, RULES)


def _no_future_dates(command: c.Command, today: date) -> None:
    for name, value in command:
        if isinstance(value, date) and value > today and name not in c.EXPECTED_DATES:
            raise InputRefused("date_in_future",
                               f"{name} ({value}) is in the future: legal dates are facts that "
                               f"have happened (today is {today})")


def decide(state: StudyState | None, command: c.Command, actor: Actor, today: date,
           study_id: str | None = None, rules: int = RULES) -> list[ev.Event]:
    """`rules`: the edition a study created now runs under (a workflow replaying a history
    recorded before an edition creates the study under the one it was recorded under)."""
    entry = CATALOGUE[type(command)]
    require(actor.role in entry.roles, "role_not_allowed",
            f"a {actor.role.value} may not send {entry.type}")
    _no_future_dates(command, today)
    attached = documents.attach(entry.type, command.documents)
    if isinstance(command, c.CreateStudy):
        require(state is None, "study_exists", "this study already exists")
        require(study_id, "study_id_required", "a study id is required")
        return lifecycle.create_study(study_id or "", command, rules)
    require(state is not None, "unknown_study", "no such study")
    assert state is not None
    require(state.status not in FINISHED, "study_closed", f"the study is {state.status.value}")
    if isinstance(command, c.RegisterParticipant):
        require(command.majority_on is None or command.majority_on > today, "not_a_minor",
                f"majority_on ({command.majority_on}) is a minor's 18th birthday: it must be "
                "after today; an adult is registered without it")
    if isinstance(command, c.Suspend) and command.suspended_on is None:
        command = command.model_copy(update={"suspended_on": today})
    if isinstance(command, c.OpenRecruitment) and command.opened_on is None:
        command = command.model_copy(update={"opened_on": today})
    if isinstance(command, c.CloseRecruitment) and command.closed_on is None:
        command = command.model_copy(update={"closed_on": today})
    if (isinstance(command, c.RecordCnil) and command.route == "authorization"
            and command.requested_on is None):
        command = command.model_copy(update={"requested_on": today})
    if isinstance(command, c.CompleteParticipation) and command.completed_on is None:
        command = command.model_copy(update={"completed_on": today})
    if isinstance(command, c.Correct):
        out = corrections.correct(state, command, actor.role, today)
    else:
        assert entry.decide is not None
        # the real fact behind a tacit outcome: decided on the study as if it came in time
        out = supersession.superseding(state, command)
        out += entry.decide(fold(state, out) or state, command)
    if attached:
        out.append(_documents_attached(entry.type, command, attached, out))
    after = fold(state, out)
    assert after is not None
    return out + settle(after)


def _documents_attached(kind: str, command: c.Command,
                        attached: list[documents.AttachedDocument],
                        out: list[ev.Event]) -> ev.DocumentsAttached:
    """After the fact's own events: the amendment it submitted or decided, the version."""
    fields = dict(command)
    amendment = next((e.amendment_id for e in out if isinstance(e, ev.AmendmentSubmitted)),
                     fields.get("amendment_id"))
    return ev.DocumentsAttached(command=kind, documents=attached,
                                version=documents.version_of(fields), amendment_id=amendment)


def decide_batch(state: StudyState | None, commands: Sequence[tuple[c.Command, Actor]],
                 today: date, study_id: str | None = None, rules: int = RULES
                 ) -> tuple[StudyState | None, list[tuple[int, list[ev.Event]]]]:
    """Dated commands sent together (a history typed in one go, an import): decided in legal-
    date order, each on the state the ones before it left, the clocks ticked by none of them
    (the caller ticks once, at the end), so that no expiry is produced that the same batch
    disproves. All or nothing: the first refusal refuses the batch, naming its index."""
    order = legal_time.legal_order([dict(command) for command, _ in commands])
    decided: list[tuple[int, list[ev.Event]]] = []
    for index in order:
        command, actor = commands[index]
        try:
            events = decide(state, command, actor, today, study_id, rules)
        except RuleViolation as e:
            raise BatchRefused(e.code, f"command {index} ({command.type}): "  # type: ignore[attr-defined]
                               f"{e.message}", index) from None
        state = fold(state, events)
        decided.append((index, events))
    return state, decided


def tick(s: StudyState, today: date) -> list[ev.Event]:
    """The events the legal clocks produce by `today`: the latest reminder due, or the expiry
    with its legal consequence."""
    out: list[ev.Event] = []
    for d in sorted(s.deadlines.values(), key=lambda d: (d.due_on, d.name)):
        due = clocks.pending_alarms(d, today)
        if not due:
            continue
        if clocks.EXPIRY in due:
            at_expiry = CLOCKS[d.clock].at_expiry
            out.append(ev.DeadlineMissed(deadline=d.name, due_on=d.due_on,
                                         consequence=at_expiry.value))
            out.extend(consequence(at_expiry, d.subject, d.due_on, d.name))
        else:
            days = min(int(a.removeprefix("reminder_")) for a in due)
            out.append(ev.DeadlineReminderDue(deadline=d.name, due_on=d.due_on, days_before=days))
    out += [ev.ReconsentRequired(code=p.code, cause="majority", due_on=p.majority_on)
            for p in reconsent_due(s) if p.majority_on and p.majority_on <= today]
    # recruitment behind its plan: only studies with a plan, so histories recorded before
    # plans existed replay unchanged
    out += recruitment.pace_alerts(s, today)
    if not out:
        return out
    after = fold(s, out)
    assert after is not None
    return out + settle(after)


def next_alarm_on(s: StudyState) -> date | None:
    majorities = [p.majority_on for p in reconsent_due(s) if p.majority_on]
    return min(filter(None, [clocks.next_alarm_on(s.deadlines), *majorities,
                              recruitment.next_check_on(s)]), default=None)
