"""The pure domain of StudyFlow: commands, events, state, rules and legal clocks.
No I/O, no clock, no random ids: time and ids come in as data."""

from .commands import AnyCommand, CreateStudy, ParticipantCommand, StudyCommand
from .decide import decide, missing_steps, next_alarm_on, settle, steps, tick
from .errors import RuleViolation
from .events import Event, parse_event
from .evolve import evolve, fold
from .model import Actor, Category, Role, StudyStatus
from .regulation import CLOCKS, COMMAND_ROLES, OPERATOR_ROLES, may_operate, may_send
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
    "CLOCKS", "COMMAND_ROLES", "OPERATOR_ROLES", "Actor", "AnyCommand", "Category", "CreateStudy", "Event",
    "Notification", "ParticipantCommand", "Role", "RuleViolation", "StudyCommand", "StudyState",
    "StudyStatus", "Task", "decide", "evolve", "fold", "may_operate", "may_send", "missing_steps",
    "next_alarm_on", "notifications_for", "parse_event", "participant_view", "project", "settle", "steps",
    "tasks", "tick", "view",
]
