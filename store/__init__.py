"""PostgreSQL: the event store (the audit record) and the read models."""

from . import audit, backup, operations
from .db import APP_ROLE, app_dsn, connect, create_pool, migrate, open_database
from .eventstore import CHECKPOINTS, OPERATIONS, ConcurrencyError, EventStore, VerifyResult
from .models import AppendRequest, AppendResult, NewEvent, Preferences, StoredEvent
from .readmodels import ReadModels, token_hash

__all__ = [
    "APP_ROLE", "audit", "backup", "operations", "CHECKPOINTS", "OPERATIONS", "app_dsn", "open_database",
    "AppendRequest", "AppendResult", "ConcurrencyError", "EventStore", "NewEvent",
    "Preferences", "ReadModels", "StoredEvent", "VerifyResult", "connect", "create_pool", "migrate",
    "token_hash",
]
