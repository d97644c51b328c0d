"""Inputs and outputs of the study workflow: one model per workflow and update, so fields can be
added without breaking running workflows."""

from typing import Any

from pydantic import BaseModel, Field

from store.models import StoredAnswer

TASK_QUEUE = "studyflow"
SYSTEM_ACTOR = "studyflow-clock"
SYSTEM_ROLE = "system"


class StudyInput(BaseModel):
    study_id: str
    # continue-as-new carries the folded state, so the new run needs no replay of the old one
    carried_state: dict[str, Any] | None = None
    # appends whose notifications still await delivery
    outbox: list[int] = Field(default_factory=list)
    history_limit: int | None = None  # continue as new past this many events (default HISTORY_LIMIT)


class CommandInput(BaseModel):
    command: dict[str, Any]  # a domain command, `type` included
    actor: str
    role: str
    reason: str
    idempotency_key: str
    # the electronic signature's manifestation (domain.signatures.Signature as JSON) when the
    # command records a regulatory fact: kept with each of its events
    signature: dict[str, Any] | None = None
    # the caller's key (its Idempotency-Key, scoped) under which the append keeps its answer,
    # with the answer's HTTP status: a retry finds it without a write of the caller's own
    answer_key: str | None = None
    answer_status: int = 200


class BulkItem(BaseModel):
    command: dict[str, Any]  # a participant command, `type` and `code` included
    reason: str
    signature: dict[str, Any] | None = None
    # the caller's answer for this item, kept with the append when the item is applied (so a
    # re-run finds the item applied however it died after the append)
    answer: StoredAnswer | None = None


class BulkInput(BaseModel):
    """Many participant commands from one caller, decided in order and made durable in one
    append (a CSV import, the bulk endpoint)."""

    items: list[BulkItem]
    actor: str
    role: str
    idempotency_key: str


class BatchItem(BaseModel):
    command: dict[str, Any]  # a study or participant command, `type` included
    reason: str
    role: str | None = None  # the role it is recorded under (default: the caller's)
    signature: dict[str, Any] | None = None


class BatchInput(BaseModel):
    """Dated commands applied together, in legal-date order, the clocks judged once at the
    end; all of them or none (a history typed in one go, a study brought in by an import)."""

    items: list[BatchItem]
    actor: str
    role: str
    idempotency_key: str
    # the caller's scoped key under which the append keeps the answer (as CommandInput's)
    answer_key: str | None = None


class BulkOutcome(BaseModel):
    applied: bool
    code: str | None = None  # the rule that refused it
    message: str | None = None


class BulkResult(BaseModel):
    study: dict[str, Any]
    outcomes: list[BulkOutcome]  # one per item, in order
    seqs: list[int]


class CommandResult(BaseModel):
    study: dict[str, Any]  # domain.view of the state after the command
    seqs: list[int]  # audit seq of the events written
    # amendment_id, event_id: ids the command created
    extra: dict[str, Any] = Field(default_factory=dict)
