"""The pure domain of StudyFlow: commands, events, state, rules and legal clocks.
No I/O, no clock, no random ids: time and ids come in as data."""

from .catalogue import CATALOGUE, COMMAND_ROLES, MET_BY, may_send
from .commands import AnyCommand, CreateStudy, ParticipantCommand, StudyCommand
from .decide import (
    adopt_rules,
    decide,
    decide_batch,
    missing_steps,
    next_alarm_on,
    settle,
    steps,
    tick,
)
from .errors import BatchRefused, RuleViolation
from .events import Event, parse_event
from .evolve import evolve, fold, replay
from .model import FINISHED, RUNNING, Actor, Category, Role, StudyStatus, Track
from .regulation import CLOCKS, OPERATOR_ROLES, RULES, may_operate
from .state import StudyState
from .views import (
    Notification,
    Task,
    notifications_for,
    participant_view,
    project,
    tasks,
    view,
)

__all__ = [
    "CATALOGUE", "CLOCKS", "COMMAND_ROLES", "FINISHED", "MET_BY", "OPERATOR_ROLES", "RULES",
    "RUNNING", "adopt_rules",
    "Actor", "AnyCommand", "Category", "CreateStudy", "Event", "Notification", "ParticipantCommand",
    "BatchRefused", "Role", "RuleViolation", "StudyCommand", "StudyState", "StudyStatus", "Task",
    "Track", "decide", "decide_batch",
    "evolve", "fold", "may_operate", "may_send", "missing_steps", "next_alarm_on",
    "notifications_for", "parse_event", "participant_view", "project", "replay", "settle", "steps",
    "tasks", "tick", "view",
]
