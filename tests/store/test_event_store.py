"""The event store on a real PostgreSQL: concurrency, idempotency, tamper evidence, and read
models written with the events or not at all."""

import hashlib
from datetime import UTC, datetime

import asyncpg
import pytest

from store import OPERATIONS, AppendRequest, ConcurrencyError, EventStore, NewEvent, ReadModels, audit
from store.models import Reply, StoredAnswer, command_answer


def study_view(sid: str, version: int, **over) -> dict:
    return {"id": sid, "title": f"Title {sid}", "category": "RIPH1", "state": "draft",
            "investigator": "Dr A", "version": version, "overdue": False,
            "next_due_on": None, "deadlines": [], "tasks": [], **over}


def request(sid: str, expected: int, n: int = 1, key: str | None = None, **over) -> AppendRequest:
    return AppendRequest(
        stream_id=sid, expected_version=expected,
        events=[NewEvent(type="Something", data={"i": i, "day": "2026-01-02"}) for i in range(n)],
        actor="alice", role="coordinator", reason="because",
        recorded_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        idempotency_key=key or f"{sid}:{expected}",
        **{"study": study_view(sid, expected + n), **over})


async def test_append_then_read_back_in_version_order(store: EventStore):
    result = await store.append(request("s1", 0, n=3))
    assert [e.version for e in result.events] == [1, 2, 3]
    assert result.events[0].prev_hash == "0" * 64
    assert result.events[1].prev_hash == result.events[0].hash
    back = await store.read_stream("s1")
    assert [e.hash for e in back] == [e.hash for e in result.events]


async def test_wrong_expected_version_is_a_concurrency_error_and_writes_nothing(store):
    await store.append(request("s1", 0))
    with pytest.raises(ConcurrencyError):
        await store.append(request("s1", 0, key="other"))
    assert len(await store.read_stream("s1")) == 1


async def test_retry_with_the_same_key_returns_the_first_write(store):
    first = await store.append(request("s1", 0, n=2, key="k"))
    again = await store.append(request("s1", 0, n=2, key="k"))
    assert again.duplicate and [e.seq for e in again.events] == [e.seq for e in first.events]
    assert len(await store.read_stream("s1")) == 2


async def test_chain_verifies_and_survives_the_jsonb_round_trip(store):
    for sid in ("a", "b"):
        await store.append(request(sid, 0, n=2))
        await store.append(request(sid, 2, n=1))
    result = await store.verify()
    assert result.ok and result.events == 6 and result.streams == 2


async def test_the_app_role_may_not_change_events_and_the_owner_meets_the_trigger(
        store, pool, superuser):
    await store.append(request("s1", 0))
    for sql in ("UPDATE events SET reason = 'x'", "DELETE FROM events", "TRUNCATE events"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await pool.execute(sql)
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await superuser.execute(sql)
    assert (await store.verify()).ok


async def test_a_failed_append_leaves_no_read_model_behind(store, read_models: ReadModels):
    bad = request("s1", 0)
    bad.study["deadlines"] = [{"name": "x"}]  # malformed: the projection fails
    with pytest.raises(asyncpg.PostgresError):
        await store.append(bad)
    assert await read_models.get_study("s1") is None
    assert await store.read_stream("s1") == []


async def test_read_models_follow_the_events(store, read_models: ReadModels):
    view = study_view("s1", 1, overdue=True, next_due_on="2026-01-10", deadlines=[{
        "name": "cpp_opinion", "clock": "cpp_opinion", "label": "CPP opinion",
        "role": "regulatory", "starts_on": "2026-01-01", "due_on": "2026-01-10",
        "status": "overdue", "waiting": True, "closed_on": None}],
        tasks=[{"role": "regulatory", "kind": "deadline", "title": "CPP opinion",
                "due_on": "2026-01-10", "deadline": "cpp_opinion", "overdue": True}])
    await store.append(request("s1", 0, study=view, notifications=[
        {"role": "regulatory", "kind": "escalation", "message": "late", "urgent": True}]))
    await store.append(request("s2", 0))
    studies, total = await read_models.list_studies(overdue=True)
    assert total == 1 and studies[0]["id"] == "s1"
    everything, total = await read_models.list_studies()
    assert [s["id"] for s in everything] == ["s1", "s2"]  # overdue first
    assert (await read_models.tasks_for_role("regulatory"))[0]["deadline"] == "cpp_opinion"
    assert (await read_models.notifications(role="regulatory"))[0]["urgent"] is True
    assert (await read_models.get_study("s1"))["deadlines"][0]["due_on"] == "2026-01-10"
    found, _ = await read_models.list_studies(q_text="TITLE S2")
    assert [s["id"] for s in found] == ["s2"]


async def test_tasks_and_deadlines_follow_the_view_only_when_they_change(store, pool):
    """The append skips the deadlines and tasks when the view's lists are unchanged (most
    appends): a change still reaches the tables, an unchanged list leaves them as they were."""
    deadline = {"name": "cpp_opinion", "clock": "cpp_opinion", "label": "CPP opinion",
                "role": "regulatory", "starts_on": "2026-01-01", "due_on": "2026-01-10",
                "status": "running", "waiting": True, "closed_on": None}
    task = {"role": "regulatory", "kind": "deadline", "title": "CPP opinion",
            "due_on": "2026-01-10", "deadline": "cpp_opinion", "overdue": False}

    async def tables() -> tuple[list, list]:
        return ([(r["name"], r["status"]) for r in await pool.fetch(
                    "SELECT name, status FROM deadlines WHERE study_id = 's1'")],
                [(r["title"], r["overdue"]) for r in await pool.fetch(
                    "SELECT title, overdue FROM tasks WHERE study_id = 's1'")])

    await store.append(request("s1", 0, study=study_view("s1", 1, deadlines=[deadline],
                                                         tasks=[task])))
    assert await tables() == ([("cpp_opinion", "running")], [("CPP opinion", False)])
    await store.append(request("s1", 1, study=study_view("s1", 2, deadlines=[deadline],
                                                         tasks=[task])))
    assert await tables() == ([("cpp_opinion", "running")], [("CPP opinion", False)])
    late = {**deadline, "status": "overdue"}
    await store.append(request("s1", 2, study=study_view("s1", 3, deadlines=[late],
                                                         tasks=[{**task, "overdue": True}])))
    assert await tables() == ([("cpp_opinion", "overdue")], [("CPP opinion", True)])
    await store.append(request("s1", 3, study=study_view("s1", 4, deadlines=[late], tasks=[])))
    assert await tables() == ([("cpp_opinion", "overdue")], [])


async def test_tokens_are_stored_hashed_and_can_be_revoked(read_models: ReadModels, pool):
    token = await read_models.create_token("alice", "coordinator")
    assert await read_models.resolve_token(token) == ("alice", "coordinator")
    stored = await pool.fetchval("SELECT token_hash FROM tokens")
    assert token not in stored and len(stored) == 64
    assert await read_models.revoke_token(token)
    assert await read_models.resolve_token(token) is None
    expired = await read_models.create_token("bob", "auditor",
                                             expires_at=datetime(2000, 1, 1, tzinfo=UTC))
    assert await read_models.resolve_token(expired) is None


async def test_export_jsonl_and_csv_with_a_manifest_recorded_in_the_audit(store):
    await store.append(request("s1", 0, n=2))
    await store.append(request("s2", 0, n=1))
    jsonl, manifest = await audit.export(store, "s1", "jsonl", actor="ines", role="auditor",
                                         reason="inspection")
    assert len(jsonl.splitlines()) == 2 and '"study_id": "s1"' in jsonl
    assert manifest["count"] == 2 and manifest["heads"]["s1"]["version"] == 2
    assert manifest["sha256"] == hashlib.sha256(jsonl.encode()).hexdigest()
    csv_text, _ = await audit.export(store, None, "csv", actor="ines", role="auditor",
                                     reason="inspection")
    # s1, s2 and the first export's own record
    assert csv_text.splitlines()[0].startswith("seq,study_id") and len(csv_text.splitlines()) == 5
    [first, second] = await store.read_stream(OPERATIONS)
    assert (first.type, first.actor, first.reason) == ("AuditExported", "ines", "inspection")
    assert first.data["scope"] == "s1" and second.data["scope"] == "all"
    assert (await store.verify()).ok


async def test_the_answers_an_append_carries_are_stored_with_it_or_not_at_all(store, read_models):
    answer = StoredAnswer(actor="alice", key="bulk r1", status=200,
                          body={"status": "applied", "participant": "P-0001"})
    await store.append(request("s1", 0, answers=[answer]))
    assert await read_models.stored_answer("alice", "bulk r1") == (200, answer.body)
    other = answer.model_copy(update={"key": "bulk r2"})
    with pytest.raises(ConcurrencyError):
        await store.append(request("s1", 0, key="other", answers=[other]))
    assert await read_models.stored_answer("alice", "bulk r2") is None


async def test_commands_answers_are_shaped_from_the_appended_rows_in_the_same_statement(
        store, read_models):
    """Two commands in one append (group commit), each caller's answer kept under its key:
    the study's view, the seqs of its own events, the ids it created (command_answer); a
    refused append keeps none."""
    replies = [Reply(actor="alice", key="POST s1  k1", status=200, first=0, count=2),
               Reply(actor="bob", key="POST s1  k2", status=201, first=2, count=1,
                     extra={"event_id": "se-1"})]
    req = request("s1", 0, n=4, replies=replies)  # the 4th event: a clock's
    result = await store.append(req)
    seqs = [e.seq for e in result.events]
    assert req.study is not None
    assert await read_models.stored_answer("alice", "POST s1  k1") == (
        200, command_answer(req.study, seqs[:2], {}))
    assert await read_models.stored_answer("bob", "POST s1  k2") == (
        201, {**req.study, "seq": seqs[2], "seqs": [seqs[2]], "event_id": "se-1"})
    late = Reply(actor="carol", key="POST s1  k3", status=200, first=0, count=1)
    with pytest.raises(ConcurrencyError):
        await store.append(request("s1", 0, key="other", replies=[late]))
    assert await read_models.stored_answer("carol", "POST s1  k3") is None


async def test_a_study_page_reads_a_window_of_its_trail(store, read_models: ReadModels):
    """The study page reads the study's own facts and its latest events, never the whole
    trail of a study of 10,000 participants."""
    kinds = ["StudyCreated", "ParticipantRegistered", "ConsentRecorded", "FactCorrected",
             "ParticipantRegistered"]
    for version, kind in enumerate(kinds):
        await store.append(request("s1", version, key=f"k{version}").model_copy(
            update={"events": [NewEvent(type=kind, data={"i": version})]}))
    own = await read_models.study_events_without("s1", {"ParticipantRegistered",
                                                        "ConsentRecorded"})
    assert [(e["version"], e["type"]) for e in own] == [(1, "StudyCreated"),
                                                        (4, "FactCorrected")]
    latest = await read_models.latest_study_events("s1", 2)
    assert [e["version"] for e in latest] == [5, 4]
    assert [e["version"] for e in await read_models.latest_study_events(
        "s1", 2, without={"ParticipantRegistered"})] == [4, 3]


async def test_the_study_row_is_updated_in_place_and_written_again_when_missing(store, pool):
    """Migration 041: after a study's first append its row is updated (created_at kept, every
    column following the view); a row removed meanwhile (a rebuild) is written again."""
    async def row() -> dict:
        return dict(await pool.fetchrow(
            "SELECT state, version, overdue, next_due_on::text, created_at, updated_at, "
            "view->>'state' AS view_state FROM studies WHERE id = 's1'"))

    first_at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    await store.append(request("s1", 0))
    later = datetime(2026, 2, 1, tzinfo=UTC)
    await store.append(request("s1", 1, study=study_view(
        "s1", 2, state="submitted", overdue=True, next_due_on="2026-02-10")).model_copy(
        update={"recorded_at": later}))
    assert await row() == {"state": "submitted", "version": 2, "overdue": True,
                           "next_due_on": "2026-02-10", "created_at": first_at,
                           "updated_at": later, "view_state": "submitted"}
    await pool.execute("DELETE FROM studies WHERE id = 's1'")
    await store.append(request("s1", 2, study=study_view("s1", 3)))
    assert (await row())["version"] == 3


async def test_a_batch_returns_its_events_and_notifies_with_its_last_seq(store, read_models):
    result = await store.append(request("s1", 0, n=3, notifications=[
        {"role": "regulatory", "kind": "escalation", "message": "late", "urgent": True}]))
    assert result.events == await store.read_stream("s1")
    [note] = await read_models.notifications(role="regulatory")
    assert note["seq"] == result.events[-1].seq


async def test_read_models_keep_the_json_the_canonical_encoding_gave(store, read_models):
    """The views go to PostgreSQL through orjson, not the hash's canonical JSON: the same
    values come back (dates as ISO text, datetimes as str(), integer keys as text, and an
    integer orjson refuses through the canonical way)."""
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    extra = {"at": at, "on": at.date(), "by_key": {1: "a"}, "big": 2 ** 70, "ratio": 0.1}
    await store.append(request("s1", 0, study=study_view("s1", 1, **extra)))
    stored = await read_models.get_study("s1")
    assert {k: stored[k] for k in extra} == {"at": str(at), "on": "2026-01-02",
                                             "by_key": {"1": "a"}, "big": 2 ** 70, "ratio": 0.1}
