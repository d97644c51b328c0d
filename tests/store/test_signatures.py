"""Electronic signatures in the event store, on both stores: the manifestation is kept with
its event and covered by its hash; an event without one keeps the hash it always had (so the
record written before signatures still verifies); a signature altered afterwards breaks the
chain there."""

from datetime import UTC, datetime

import pytest

from store import AppendRequest, EventStorePort, InMemoryEventStore, NewEvent
from store.chain import GENESIS, canonical, chain_hash, timestamp

SIGNATURE = {"actor": "cmartin", "printed_name": "Claire Martin",
             "signed_at": "2026-01-02T03:04:05.000001Z", "meaning": "recorded the CPP opinion",
             "method": "password+totp"}
AT = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def appended(sid: str, signature: dict | None) -> AppendRequest:
    return AppendRequest(
        stream_id=sid, expected_version=0, actor="cmartin", role="regulatory",
        reason="letter received", recorded_at=AT, idempotency_key=f"{sid}:k",
        events=[NewEvent(type="EthicsOpinionRecorded", data={"opinion": "favourable"},
                         signature=signature),
                NewEvent(type="DeadlineMet", data={"name": "cpp_opinion"},
                         actor="studyflow-clock", role="system", reason="legal clock")])


async def test_a_signature_is_kept_with_its_event_and_read_back(any_store: EventStorePort):
    result = await any_store.append(appended("s1", SIGNATURE))
    assert result.events[0].signature == SIGNATURE
    assert result.events[1].signature is None  # the clock's event is nobody's signature
    back = await any_store.read_stream("s1")
    assert back[0].signature == SIGNATURE and back[1].signature is None
    assert (await any_store.verify()).ok


async def test_an_unsigned_event_keeps_the_hash_of_the_formula_before_signatures(
        any_store: EventStorePort):
    event = (await any_store.append(appended("s2", None))).events[0]
    before = canonical({"stream_id": "s2", "version": 1, "type": "EthicsOpinionRecorded",
                        "data": {"opinion": "favourable"}, "actor": "cmartin",
                        "role": "regulatory", "reason": "letter received",
                        "recorded_at": timestamp(AT), "idempotency_key": "s2:k:0"})
    assert event.hash == chain_hash(GENESIS, before)


async def test_the_hash_covers_the_signature(any_store: EventStorePort):
    signed = (await any_store.append(appended("s3", SIGNATURE))).events[0]
    unsigned = (await any_store.append(appended("s4", None))).events[0]
    assert signed.hash != chain_hash(GENESIS, canonical({"x": 1}))
    assert signed.data == unsigned.data and signed.hash != unsigned.hash


@pytest.mark.parametrize("field", ["printed_name", "meaning"])
async def test_a_signature_altered_afterwards_breaks_the_chain(store, superuser, field: str):
    await store.append(appended("s5", SIGNATURE))
    async with superuser.transaction():
        await superuser.execute("ALTER TABLE events DISABLE TRIGGER USER")
        await superuser.execute(
            f"UPDATE events SET signature = jsonb_set(signature, '{{{field}}}', '\"forged\"') "
            "WHERE stream_id = 's5' AND version = 1")
        await superuser.execute("ALTER TABLE events ENABLE TRIGGER USER")
    result = await store.verify()
    assert not result.ok and result.first_broken.stream_id == "s5"
    assert result.first_broken.version == 1 and "altered" in result.first_broken.problem


async def test_a_signature_removed_afterwards_breaks_the_chain_in_memory():
    store = InMemoryEventStore()
    await store.append(appended("s6", SIGNATURE))
    store.rows[0]["signature"] = None
    result = await store.verify()
    assert not result.ok and result.first_broken.version == 1
