"""The event store's data: what is appended and what comes back. Pydantic only (no asyncpg),
so that workflow code can import it inside Temporal's sandbox."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class NewEvent(BaseModel):
    type: str
    data: dict[str, Any]
    # Who caused this one event, when it is not the batch's actor (a legal clock that fell due
    # while a command was applied).
    actor: str | None = None
    role: str | None = None
    reason: str | None = None
    # the electronic signature's manifestation (domain.signatures.Signature as JSON), for the
    # events of a command that records a regulatory fact
    signature: dict[str, Any] | None = None


class StoredAnswer(BaseModel):
    """A caller's answer kept for its idempotent retries (the `idempotency` table), written in
    the append's transaction: a caller that dies between the append and its own write of the
    answer finds it on its retry, never an append it cannot recognise as its own."""

    actor: str
    key: str
    status: int
    body: dict[str, Any]


class Reply(BaseModel):
    """A command's answer kept for its caller's idempotent retries (the `idempotency` table),
    shaped by the append itself from the rows it writes (`command_answer`), in the same
    statement: the caller makes no write of its own, and one that dies after the append finds
    its answer on the retry."""

    actor: str
    key: str
    status: int
    first: int  # the command's events are the request's events[first:first + count]
    count: int
    # the ids the command created (amendment_id, event_id)
    extra: dict[str, Any] = Field(default_factory=dict)


def command_answer(study: dict[str, Any], seqs: list[int], extra: dict[str, Any]
                   ) -> dict[str, Any]:
    """What a command answers: the study's view after it, the audit seqs of its events (`seq`
    the last), the ids it created. The `append_batch_replying` statement shapes the same."""
    return {**study, "seq": max(seqs, default=None), "seqs": seqs, **extra}


class AppendRequest(BaseModel):
    stream_id: str
    expected_version: int  # the stream's version before these events (0 for a new stream)
    events: list[NewEvent]
    actor: str
    role: str
    reason: str
    recorded_at: datetime  # UTC, the workflow's clock
    idempotency_key: str  # per batch; event i is stored under f"{key}:{i}"
    study: dict[str, Any] | None = None  # domain.view after the events -> read models
    participants: list[dict[str, Any]] = Field(default_factory=list)
    notifications: list[dict[str, Any]] = Field(default_factory=list)
    # idempotent answers that stand or fall with the events
    answers: list[StoredAnswer] = Field(default_factory=list)
    # answers shaped from the appended rows (command_answer)
    replies: list[Reply] = Field(default_factory=list)


class StoredEvent(BaseModel):
    seq: int
    stream_id: str
    version: int
    type: str
    data: dict[str, Any]
    actor: str
    role: str
    reason: str
    recorded_at: datetime
    idempotency_key: str
    prev_hash: str
    hash: str
    signature: dict[str, Any] | None = None


class AppendResult(BaseModel):
    events: list[StoredEvent]
    duplicate: bool = False


class Seq(BaseModel):
    seq: int


class Appended(BaseModel):
    """The append activity's answer to the workflow: where each event went in the record, all
    it keeps of them (histories recorded before carried the whole stored events: the other
    fields are ignored on replay)."""

    events: list[Seq]
    # whether the notices the events raised are for delivery now (e-mail, webhook): False when
    # no channel would carry them (histories recorded before always delivered)
    deliver: bool = True
    # the batch's key was already in the record: these are the seqs of that first write
    duplicate: bool = False


_PART = r"[^@\s\x00-\x1f\x7f]+"  # no blank, no control character
Email = Annotated[str, StringConstraints(pattern=rf"^{_PART}@{_PART}\.{_PART}$", max_length=254)]


class Preferences(BaseModel):
    """How a person wants to hear of notifications: urgent ones always come at once; routine
    ones either in one daily digest (the default) or one by one."""
    model_config = ConfigDict(extra="forbid")
    email: Email | None = None
    digest: bool = True
