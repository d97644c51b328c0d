"""PostgreSQL: the event store (the audit record) and the read models."""

from .db import connect, create_pool, migrate
from .eventstore import ConcurrencyError, EventStore, VerifyResult
from .models import AppendRequest, AppendResult, NewEvent, Preferences, StoredEvent
from .readmodels import ReadModels, token_hash

__all__ = [
    "AppendRequest", "AppendResult", "ConcurrencyError", "EventStore", "NewEvent",
    "Preferences", "ReadModels", "StoredEvent", "VerifyResult", "connect", "create_pool", "migrate",
    "token_hash",
]
