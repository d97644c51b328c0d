"""PostgreSQL: the event store (the audit record; its port in port.py, its in-memory twin in
memory.py), the read models (one projection per table in projections/) and the access tables."""

from . import audit, backup, operations
from .chain import CHECKPOINTS, OPERATIONS, ConcurrencyError, VerifyResult
from .db import APP_ROLE, app_dsn, connect, create_pool, migrate, open_database
from .eventstore import EventStore
from .memory import InMemoryEventStore
from .models import AppendRequest, AppendResult, NewEvent, Preferences, StoredEvent
from .port import EventStorePort
from .projections import Projections
from .readmodels import ReadModels, token_hash

__all__ = [
    "APP_ROLE", "audit", "backup", "operations", "CHECKPOINTS", "OPERATIONS", "app_dsn", "open_database",
    "AppendRequest", "AppendResult", "ConcurrencyError", "EventStore", "EventStorePort",
    "InMemoryEventStore", "NewEvent", "Preferences", "Projections", "ReadModels", "StoredEvent",
    "VerifyResult", "connect", "create_pool", "migrate", "token_hash",
]
