"""The event store's contract (store/port.py), run against PostgreSQL and its in-memory twin:
optimistic concurrency, idempotency, the hash chain, the global order, checkpoints."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from store import (
    CHECKPOINTS,
    AppendRequest,
    ConcurrencyError,
    EventStorePort,
    InMemoryEventStore,
    NewEvent,
    ReadModels,
)
from store.chain import GENESIS, event_hash
from store.models import Reply, command_answer

from .conftest import Tamper

AT = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def batch(sid: str, expected: int, n: int = 1, key: str | None = None) -> AppendRequest:
    return AppendRequest(
        stream_id=sid, expected_version=expected,
        events=[NewEvent(type="Something", data={
            "i": i, "day": "2026-01-02", "text": "é ü 中", "nested": {"b": [1, 2.5], "a": None}})
            for i in range(n)],
        actor="alice", role="coordinator", reason="because", recorded_at=AT,
        idempotency_key=key or f"{sid}:{expected}")


async def test_a_new_stream_is_empty_at_version_zero(any_store: EventStorePort):
    assert await any_store.read_stream("nobody") == []
    assert await any_store.head("nobody") == 0


async def test_append_then_read_back_in_version_order_chained_from_genesis(
        any_store: EventStorePort):
    written = (await any_store.append(batch("s1", 0, n=3))).events
    assert [e.version for e in written] == [1, 2, 3]
    assert written[0].prev_hash == GENESIS
    assert [e.prev_hash for e in written[1:]] == [e.hash for e in written[:-1]]
    back = await any_store.read_stream("s1")
    assert back == written
    assert back[0].data == {"i": 0, "day": "2026-01-02", "text": "é ü 中",
                            "nested": {"b": [1, 2.5], "a": None}}
    assert back[0].recorded_at == AT and back[0].idempotency_key == "s1:0:0"
    assert await any_store.head("s1") == 3


async def test_each_hash_is_the_sha256_of_the_previous_hash_and_the_content(
        any_store: EventStorePort):
    await any_store.append(batch("s1", 0, n=2))
    prev = GENESIS
    for e in await any_store.read_stream("s1"):
        assert e.hash == event_hash(prev, stream_id=e.stream_id, version=e.version, type=e.type,
                                    data=e.data, actor=e.actor, role=e.role, reason=e.reason,
                                    recorded_at=e.recorded_at,
                                    idempotency_key=e.idempotency_key)
        prev = e.hash


async def test_the_same_content_gives_the_same_hash_as_it_always_did(any_store: EventStorePort):
    # the hash of this content since the first release: a store, or a change to the formula,
    # that hashes otherwise would fail to verify every event already recorded
    written = (await any_store.append(batch("s1", 0, n=1))).events[0]
    assert written.hash == "8c61f5b5a0445927a404a933ed7fbecd9d968b40cacc3dd14e4ad2a60f57c306"


async def test_an_event_may_name_its_own_actor(any_store: EventStorePort):
    req = batch("s1", 0, n=2)
    req.events[1] = NewEvent(type="DeadlineMissed", data={}, actor="studyflow-clock",
                             role="system", reason="the clock fell due")
    first, second = (await any_store.append(req)).events
    assert (first.actor, first.role, first.reason) == ("alice", "coordinator", "because")
    assert (second.actor, second.role, second.reason) == ("studyflow-clock", "system",
                                                          "the clock fell due")
    assert (await any_store.verify()).ok


@pytest.mark.parametrize("expected", [0, 2])
async def test_a_wrong_expected_version_is_a_concurrency_error_and_writes_nothing(
        any_store: EventStorePort, expected: int):
    await any_store.append(batch("s1", 0))
    with pytest.raises(ConcurrencyError):
        await any_store.append(batch("s1", expected, key="other"))
    assert len(await any_store.read_stream("s1")) == 1
    assert await any_store.head("s1") == 1


async def test_of_two_writers_at_the_same_version_exactly_one_wins(any_store: EventStorePort):
    await any_store.append(batch("s1", 0))
    results = await asyncio.gather(*(any_store.append(batch("s1", 1, key=f"w{i}"))
                                     for i in range(4)), return_exceptions=True)
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, ConcurrencyError) for r in results if isinstance(r, BaseException))
    assert [e.version for e in await any_store.read_stream("s1")] == [1, 2]


async def test_a_retry_with_the_same_key_returns_the_first_write(any_store: EventStorePort):
    first = await any_store.append(batch("s1", 0, n=2, key="k"))
    await any_store.append(batch("s1", 2, key="later"))
    # the retry comes after another write: its expected version is stale, the key answers
    again = await any_store.append(batch("s1", 0, n=2, key="k"))
    assert again.duplicate and not first.duplicate
    assert again.events == first.events
    assert len(await any_store.read_stream("s1")) == 3


async def test_a_key_sent_again_at_the_head_returns_the_first_write(any_store: EventStorePort):
    """The retry expects exactly the version the first write left (a command's key decided again
    once its run renewed): the first write answers, nothing is added."""
    first = await any_store.append(batch("s1", 0, n=2, key="k"))
    again = await any_store.append(batch("s1", 2, n=2, key="k"))
    assert again.duplicate and not first.duplicate
    assert again.events == first.events
    assert len(await any_store.read_stream("s1")) == 2


async def test_seq_is_global_and_grows_with_every_event(any_store: EventStorePort):
    for sid in ("a", "b", "a"):
        await any_store.append(batch(sid, await any_store.head(sid), n=2))
    everything = await any_store.events_after(0)
    seqs = [e.seq for e in everything]
    assert len(seqs) == 6 and seqs == sorted(set(seqs))
    assert [e.stream_id for e in everything] == ["a", "a", "b", "b", "a", "a"]
    assert [e.version for e in await any_store.events_after(0, "a")] == [1, 2, 3, 4]
    page = await any_store.events_after(seqs[1], limit=3)
    assert [e.seq for e in page] == seqs[2:5]
    assert await any_store.events_after(seqs[-1]) == []


async def test_every_chain_verifies(any_store: EventStorePort):
    for sid in ("a", "b"):
        await any_store.append(batch(sid, 0, n=2))
        await any_store.append(batch(sid, 2, n=1))
    result = await any_store.verify()
    assert result.ok and result.events == 6 and result.streams == 2
    assert result.first_broken is None


async def test_verify_names_an_altered_event(any_store: EventStorePort, tamper: Tamper):
    await any_store.append(batch("s0", 0, n=2))
    await any_store.append(batch("s1", 0, n=4))
    await tamper("s1", 3, "rewritten")
    result = await any_store.verify()
    assert not result.ok and result.first_broken is not None
    broken = result.first_broken
    assert (broken.stream_id, broken.version) == ("s1", 3) and "altered" in broken.problem
    assert broken.seq == (await any_store.read_stream("s1"))[2].seq


async def test_system_streams_take_concurrent_records_one_after_the_other(
        any_store: EventStorePort):
    events = await asyncio.gather(*(any_store.record("operations", "TokenIssued", {"n": i},
                                                     actor="ops", role="admin", reason="test")
                                    for i in range(5)))
    assert sorted(e.version for e in events) == [1, 2, 3, 4, 5]
    assert sorted(e.data["n"] for e in await any_store.read_stream("operations")) == [0, 1, 2,
                                                                                     3, 4]
    assert all(datetime.now(UTC) - e.recorded_at < timedelta(minutes=5) for e in events)


async def test_checkpoints_hold_the_heads_written_since_the_last_and_verify_checks_them(
        any_store: EventStorePort, tamper: Tamper):
    await any_store.append(batch("s1", 0, n=2))
    first = await any_store.checkpoint(actor="audit", role="system", reason="daily")
    await any_store.append(batch("s2", 0, n=3))
    second = await any_store.checkpoint(actor="audit", role="system", reason="daily")
    s1, s2 = await any_store.read_stream("s1"), await any_store.read_stream("s2")
    assert first.stream_id == CHECKPOINTS and first.type == "AuditCheckpoint"
    assert first.data == {"through_seq": s1[-1].seq, "streams": 1,
                          "heads": {"s1": {"version": 2, "hash": s1[-1].hash}}}
    assert second.data == {"through_seq": s2[-1].seq, "streams": 1,
                           "heads": {"s2": {"version": 3, "hash": s2[-1].hash}}}
    assert second.version == 2 and second.prev_hash == first.hash
    result = await any_store.verify()
    assert result.ok and result.checkpoint_heads == 2 and result.streams == 3

    empty = await any_store.checkpoint(actor="audit", role="system", reason="nothing new")
    assert empty.data == {"through_seq": s2[-1].seq, "streams": 0, "heads": {}}

    await tamper("s2", 2, "rewritten")
    assert (await any_store.verify()).first_broken.version == 2  # type: ignore[union-attr]


async def test_a_reply_is_the_command_answer_of_its_own_events(any_store: EventStorePort):
    view = {"id": "s1", "title": "T", "category": "RIPH1", "state": "draft",
            "investigator": "Dr A", "version": 3, "overdue": False, "next_due_on": None,
            "deadlines": [], "tasks": []}
    result = await any_store.append(batch("s1", 0, n=3).model_copy(update={
        "study": view, "replies": [Reply(actor="alice", key="k", status=200, first=1, count=1,
                                         extra={"amendment_id": "am-1"})]}))
    expected = command_answer(view, [result.events[1].seq], {"amendment_id": "am-1"})
    if isinstance(any_store, InMemoryEventStore):
        assert any_store.answers[("alice", "k")] == (200, expected)
    else:
        assert await ReadModels(any_store.pool).stored_answer("alice", "k") == (  # type: ignore[attr-defined]
            200, expected)
