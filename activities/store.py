"""The event-store activity: makes a batch of events durable, with the read models, in one
PostgreSQL transaction. Idempotent: a retry with the same key returns the first write."""

from collections.abc import Callable
from typing import Any

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.models import CheckpointResult
from domain import replay
from i18n import reasons
from store import ConcurrencyError, EventStorePort
from store.models import Appended, AppendRequest, Seq


class StoreActivities:
    def __init__(self, store: EventStorePort,
                 deliverable: Callable[[list[dict[str, Any]]], bool]) -> None:
        """`deliverable(notifications)`: whether delivering the append's notices may send
        anything (NotifyActivities.deliverable)."""
        self.store, self.deliverable = store, deliverable

    @activity.defn(name="append_events")
    async def append_events(self, request: AppendRequest) -> Appended:
        try:
            result = await self.store.append(request)
            return Appended(events=[Seq(seq=e.seq) for e in result.events],
                            deliver=self.deliverable(request.notifications),
                            duplicate=result.duplicate)
        except ConcurrencyError as e:
            # Another writer holds this version: retrying cannot help, the workflow must know.
            raise ApplicationError(str(e), type="ConcurrencyError", non_retryable=True) from e
        except asyncpg.DataError as e:
            # Data PostgreSQL refuses (the domain should have caught it): retrying would hold
            # the study for ever; fail the command instead.
            raise ApplicationError(str(e), type="UnstorableData", non_retryable=True) from e

    @activity.defn(name="load_study")
    async def load_study(self, study_id: str) -> dict[str, Any] | None:
        """The study's state folded from its audit record, as a run carries it: the workflow
        takes it up when the record turns out ahead of its run (an append made by a local
        activity whose workflow task was then lost, see workflows/study.py)."""
        state = replay((e.type, e.data) for e in await self.store.read_stream(study_id))
        return None if state is None else state.model_dump(mode="json", exclude_defaults=True)

    @activity.defn(name="write_checkpoint")
    async def write_checkpoint(self) -> CheckpointResult:
        """The daily audit checkpoint. Its hash is logged: kept outside the database (log
        archive, export manifests) it anchors the whole record."""
        event = await self.store.checkpoint(actor="studyflow-audit", role="system",
                                            reason=reasons.DAILY_CHECKPOINT)
        activity.logger.info("audit checkpoint", extra={"seq": event.seq, "hash": event.hash,
                                                         "streams": event.data["streams"]})
        return CheckpointResult(seq=event.seq, hash=event.hash, streams=event.data["streams"])
