"""Stored events evolve by upcasting on read, never by editing rows (the audit's hashes cover
them as written). An event type's `schema_version` (domain/events.py) says the shape the code
reads; an event written at an older version is carried up one version at a time by the
upcasters registered here, keyed by (type, the version it upgrades from).

A version above 1 is stored with the event, in its data under SCHEMA_KEY; version 1, every event
written before versions existed, carries no key, so their hashes are unchanged. To change an
event type: bump its `schema_version`, and register the step from the version before, e.g.

    @upcaster("EthicsSubmitted", 1)
    def _ethics_submitted_v1(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "committee_id": data.pop("committee")}
"""

from collections.abc import Callable
from typing import Any

SCHEMA_KEY = "schema"  # in a stored event's data, when its version is above 1

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


class UpcastError(ValueError):
    """A stored event this code cannot read: no way from its version to the current one."""


def register(type_: str, from_version: int, step: Upcaster) -> Upcaster:
    if (type_, from_version) in UPCASTERS:
        raise ValueError(f"an upcaster of {type_} v{from_version} is already registered")
    UPCASTERS[(type_, from_version)] = step
    return step


def upcaster(type_: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register the decorated function as the step of `type_` from `from_version` to the next."""
    return lambda step: register(type_, from_version, step)


def stored_version(data: dict[str, Any]) -> int:
    return int(data.get(SCHEMA_KEY, 1))


def with_version(data: dict[str, Any], version: int) -> dict[str, Any]:
    """An event's data as stored: with its schema version when above 1."""
    return data if version == 1 else {**data, SCHEMA_KEY: version}


def upcast(type_: str, data: dict[str, Any], current: int) -> dict[str, Any]:
    """A stored event's data (without SCHEMA_KEY) in the shape of version `current`."""
    version = stored_version(data)
    if version == current and SCHEMA_KEY not in data:
        return data
    if version > current:
        raise UpcastError(f"{type_} v{version} was written by newer code (this one reads "
                          f"v{current})")
    body = {k: v for k, v in data.items() if k != SCHEMA_KEY}
    while version < current:
        step = UPCASTERS.get((type_, version))
        if step is None:
            raise UpcastError(f"no upcaster for {type_} from v{version} (to v{current})")
        body, version = step(dict(body)), version + 1
    return body
