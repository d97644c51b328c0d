"""Stored events evolve by upcasting on read, never by editing rows: streams written with
today's events still fold to the same state once an event type has moved to a new schema
version, on either event store, and their hash chains still verify."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain import events as ev
from domain import fold, project
from domain.upcast import SCHEMA_KEY, UPCASTERS, UpcastError, upcast
from store import AppendRequest, EventStorePort, NewEvent

DAY = date(2026, 3, 2)
TODAY: list[ev.Event] = [
    ev.StudyCreated(study_id="study-up", title="Upcasting", category="RIPH2",
                    investigator="Dr Martin"),
    ev.ProtocolSubmitted(version="1.0", document_sha256="ab" * 32),
    ev.SponsorAssigned(sponsor="AP-HP"),
    ev.EthicsSubmitted(committee="CPP Ouest", submitted_on=DAY),
    ev.ParticipantRegistered(code="P-0001", majority_on=date(2030, 1, 1)),
]


def as_v1(data: dict[str, Any]) -> dict[str, Any]:
    """StudyCreated as (we pretend) it was first written: the investigator under `pi`, and no
    `framework` (every study was under the Jardé law then)."""
    old = {k: v for k, v in data.items() if k not in ("investigator", "framework", SCHEMA_KEY)}
    return {**old, "pi": data["investigator"]}


def study_created_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """The test-only upcaster: a renamed field and an added one."""
    data["investigator"] = data.pop("pi")
    data.setdefault("framework", "JARDE")
    return data


@pytest.fixture
def study_created_v2(monkeypatch: pytest.MonkeyPatch) -> None:
    """StudyCreated moves to schema version 2, with its upcaster from version 1."""
    monkeypatch.setattr(ev.StudyCreated, "schema_version", 2)
    monkeypatch.setitem(UPCASTERS, ("StudyCreated", 1), study_created_v1_to_v2)


async def write(store: EventStorePort, stream_id: str, data: list[dict[str, Any]]) -> None:
    await store.append(AppendRequest(
        stream_id=stream_id, expected_version=0,
        events=[NewEvent(type=e.type, data=d) for e, d in zip(TODAY, data, strict=True)],  # type: ignore[attr-defined]
        actor="alice", role="coordinator", reason="test",
        recorded_at=datetime(2026, 3, 2, 9, tzinfo=UTC), idempotency_key=stream_id))


async def read_back(store: EventStorePort, stream_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [(e.type, e.data) for e in await store.read_stream(stream_id)]


def test_todays_events_are_version_1_and_store_no_version_key():
    # events written before versions existed hash as they did: nothing is added to their data
    assert all(type(e).schema_version == 1 and SCHEMA_KEY not in e.payload() for e in TODAY)


async def test_streams_written_before_and_after_a_new_version_fold_to_the_same_state(
        any_store: EventStorePort, monkeypatch: pytest.MonkeyPatch):
    expected = fold(None, TODAY)
    assert expected is not None and expected.investigator == "Dr Martin"
    # written by the code of version 1
    await write(any_store, "old", [as_v1(TODAY[0].payload()), *(e.payload() for e in TODAY[1:])])
    with pytest.raises(Exception, match="pi"):  # today's code, without an upcaster, refuses it
        fold(None, (ev.parse_event(t, d) for t, d in await read_back(any_store, "old")))

    # the code moves StudyCreated to version 2: new events carry the version
    monkeypatch.setattr(ev.StudyCreated, "schema_version", 2)
    monkeypatch.setitem(UPCASTERS, ("StudyCreated", 1), study_created_v1_to_v2)
    assert TODAY[0].payload()[SCHEMA_KEY] == 2
    await write(any_store, "new", [e.payload() for e in TODAY])

    # (the folded state keeps each fact as today's code writes it: version 2 now)
    expected = fold(None, TODAY)
    for stream_id in ("old", "new"):
        stored = await read_back(any_store, stream_id)
        assert fold(None, (ev.parse_event(t, d) for t, d in stored)) == expected, stream_id
        assert project(stored)[0]["investigator"] == "Dr Martin"  # the rebuild's path
    assert (await any_store.read_stream("old"))[0].data.keys() >= {"pi"}  # rows as written
    assert (await any_store.verify()).ok


def test_upcasting_goes_one_version_at_a_time(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(UPCASTERS, ("X", 1), lambda d: {"b": d["a"]})
    monkeypatch.setitem(UPCASTERS, ("X", 2), lambda d: {**d, "c": 0})
    assert upcast("X", {"a": 1}, 3) == {"b": 1, "c": 0}
    assert upcast("X", {"b": 1, SCHEMA_KEY: 2}, 3) == {"b": 1, "c": 0}
    assert upcast("X", {"b": 1, "c": 0, SCHEMA_KEY: 3}, 3) == {"b": 1, "c": 0}
    with pytest.raises(UpcastError, match="newer"):
        upcast("X", {SCHEMA_KEY: 4}, 3)
    with pytest.raises(UpcastError, match="no upcaster for Y from v1"):
        upcast("Y", {}, 2)


def test_a_stored_event_is_not_changed_by_reading_it(study_created_v2: None):
    data = as_v1(TODAY[0].payload())
    before = dict(data)
    assert ev.parse_event("StudyCreated", data) == TODAY[0]
    assert data == before
