"""Inputs and outputs of the study workflow: one model per workflow and update, so fields can be
added without breaking running workflows."""

from typing import Any

from pydantic import BaseModel

TASK_QUEUE = "studyflow"
SYSTEM_ACTOR = "studyflow-clock"
SYSTEM_ROLE = "system"


class StudyInput(BaseModel):
    study_id: str
    # continue-as-new carries the folded state, so the new run needs no replay of the old one
    carried_state: dict[str, Any] | None = None
    outbox: list[int] = []  # appends whose notifications still await delivery
    history_limit: int | None = None  # continue as new past this many events (default 2000)


class CommandInput(BaseModel):
    command: dict[str, Any]  # a domain command, `type` included
    actor: str
    role: str
    reason: str
    idempotency_key: str


class CommandResult(BaseModel):
    study: dict[str, Any]  # domain.view of the state after the command
    seqs: list[int]  # audit seq of the events written
    extra: dict[str, Any] = {}  # amendment_id, event_id: ids the command created
