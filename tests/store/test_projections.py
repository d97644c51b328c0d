"""The projections on a real PostgreSQL: the investigators' inbox adds the participants' tasks
(domain/inbox.py's rules) to the studies' own, and notices reach the people the domain names."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from store import AppendRequest, EventStore, NewEvent, Preferences, ReadModels
from store.projections import Notifications

from .test_event_store import study_view


def participant(code: str, status: str, *, by: str | None = "holders",
                majority_on: date | None = None, cause: str | None = None) -> dict[str, Any]:
    return {"code": code, "status": status, "consent_by": by, "reconsent_cause": cause,
            "majority_on": majority_on.isoformat() if majority_on else None,
            "consent_form_version": "1"}


async def append(store: EventStore, sid: str, **over: Any) -> int:
    result = await store.append(AppendRequest(
        stream_id=sid, expected_version=0, events=[NewEvent(type="Something", data={})],
        actor="alice", role="coordinator", reason="test",
        recorded_at=datetime(2026, 1, 2, tzinfo=UTC), idempotency_key=sid, **over))
    return result.events[-1].seq


@pytest.fixture
async def today(pool) -> date:
    return await pool.fetchval("SELECT current_date")


async def test_the_investigators_inbox_lists_participants_to_consent_again(
        store: EventStore, read_models: ReadModels, today: date):
    def day(n: int) -> date:
        return today + timedelta(days=n)

    await append(store, "s1", study=study_view("s1", 1, tasks=[
        {"role": "investigator", "kind": "deadline", "title": "Annual report: due",
         "due_on": day(10).isoformat(), "deadline": "annual", "overdue": False,
         "command": "submit_annual_safety_report"}]), participants=[
        participant("P-01", "needs_reconsent", by="participant", cause="consent form 2.0"),
        participant("P-02", "consented", majority_on=day(30)),
        participant("P-03", "included", majority_on=day(31)),
        participant("P-04", "included", majority_on=day(-1)),
        participant("P-05", "consented", by="participant", majority_on=day(3)),
        participant("P-06", "withdrawn", majority_on=day(3)),
    ])
    inbox = await read_models.tasks_for_role("investigator")
    assert [(t["participant"], t["title"], t["due_on"], t["overdue"]) for t in inbox] == [
        ("P-04", "P-04: consents in their own name at majority", day(-1), True),
        (None, "Annual report: due", day(10), False),
        ("P-02", "P-02: consents in their own name at majority", day(30), False),
        ("P-01", "P-01: consent again (consent form 2.0)", None, False),
    ]
    assert {t["study_title"] for t in inbox} == {"Title s1"}
    assert {t["command"] for t in inbox if t["participant"]} == {"reconsent"}
    assert {t["kind"] for t in inbox if t["participant"]} == {"participant"}
    assert await read_models.tasks_for_role("coordinator") == []
    assert len(await read_models.tasks_for_role("investigator", limit=2)) == 2


async def test_a_notice_reaches_the_studys_investigator_and_every_coordinator(
        store: EventStore, read_models: ReadModels, pool):
    for actor, role in (("Dr Martin", "investigator"), ("Dr Other", "investigator"),
                        ("carol", "coordinator"), ("colin", "coordinator")):
        await read_models.set_person(actor, role, Preferences(email=f"{actor[-5:]}@chu.test"))
    notices = [{"role": role, "kind": "reminder", "message": f"for {role}", "urgent": False}
               for role in ("investigator", "coordinator")]
    seq = await append(store, "s1", study=study_view("s1", 1), notifications=notices)
    await append(store, "s2", study=study_view("s2", 1, investigator="Dr Other"),
                 notifications=notices[:1])
    n = Notifications(pool)
    sent = await n.of_append("s1", seq)
    assert {x["role"]: x["investigator"] for x in sent} == {"investigator": "Dr A",
                                                            "coordinator": "Dr A"}
    for x in sent:
        x["investigator"] = "Dr Martin"
    to = {x["role"]: [p["actor"] for p in await n.recipients(x)] for x in sent}
    assert to == {"investigator": ["Dr Martin"], "coordinator": ["carol", "colin"]}

    people = {p["actor"]: p for p in await n.digest_people()}
    assert [i["study_id"] for i in await n.digest_items(people["Dr Other"])] == ["s2"]
    assert [i["study_id"] for i in await n.digest_items(people["carol"])] == ["s1"]
    assert await n.digest_items(people["Dr Martin"]) == []  # s1's investigator is "Dr A"
    first = (await n.digest_items(people["carol"]))[0]["id"]
    await n.mark_digest("carol", first)
    assert await n.digest_items({**people["carol"], "last_digest": first}) == []

    assert not await n.delivered(first, "carol", "email")
    await n.record_delivery(first, "carol", "email")
    await n.record_delivery(first, "carol", "email")  # once only
    assert await n.delivered(first, "carol", "email")
    assert (await n.counts()) == {"reminders": 3, "delivered": {"email": 1}}


async def test_a_notice_without_a_clock_keeps_its_parts_and_reads_whole_in_french(
        store: EventStore, read_models: ReadModels, pool):
    """Migration 041: the parts a notice is told from are stored with it (a notice of the same
    append without parts, or written before, has none and reads as study + kind)."""
    import i18n
    from domain.views import Notification, told
    from i18n.notices import notice_text

    sae = Notification(role="regulatory", kind="action", urgent=False, **told(
        "Title s1", "notice.sae", event_id="EIG-7", occurred_on="2026-03-29"))
    older = {"role": "regulatory", "kind": "correction", "message": "as written then",
             "urgent": False}
    await append(store, "s1", study=study_view("s1", 1),
                 notifications=[sae.model_dump(mode="json"), older])
    rows = {r["kind"]: r for r in await read_models.notifications(role="regulatory")}
    assert rows["action"]["parts"] == {"key": "notice.sae", "event_id": "EIG-7",
                                       "occurred_on": "2026-03-29"}
    assert rows["action"]["message"] == ("Title s1: serious adverse event EIG-7 of 2026-03-29 "
                                         "reported by the investigator: assess it (R1123-49)")
    assert rows["correction"]["parts"] is None
    with i18n.use("fr"):
        assert notice_text(rows["action"]) == (
            "Title s1 : événement indésirable grave (EIG) EIG-7 du 29/03/2026 déclaré par "
            "l'investigateur : à évaluer (R1123-49)")
        assert notice_text(rows["correction"]) == "Title s1 : Correction"
    with i18n.use("en"):
        assert notice_text(rows["action"]) == rows["action"]["message"]
    # the inbox and the e-mails read the same parts
    inbox = await Notifications(pool).inbox("rita", "regulatory")
    assert {n["kind"]: n["parts"] for n in inbox}["action"]["key"] == "notice.sae"
    seq = (await store.read_stream("s1"))[-1].seq
    sent = await Notifications(pool).of_append("s1", seq)
    assert {n["kind"]: n["parts"] for n in sent}["action"]["event_id"] == "EIG-7"


async def test_mark_all_read_reads_the_counted_window_in_one_statement(store: EventStore, pool):
    """'Mark all read' reads every notice the header counts (the latest 500), beyond the
    inbox's first page of 100, and only the person's own: another investigator's study stays
    unread for them, and a second call changes nothing."""
    notices = [{"role": "investigator", "kind": "reminder", "message": f"m{i}", "urgent": False}
               for i in range(150)]
    await append(store, "s1", study=study_view("s1", 1), notifications=notices)
    await append(store, "s2", study=study_view("s2", 1, investigator="Dr Other"),
                 notifications=notices[:3])
    n = Notifications(pool)
    assert len(await n.inbox("Dr A", "investigator")) == 100  # a page
    assert await n.unread("Dr A", "investigator") == 150
    assert await n.mark_all_read("Dr A", "investigator") == 150
    assert await n.unread("Dr A", "investigator") == 0
    assert all(x["read"] for x in await n.inbox("Dr A", "investigator", limit=500))
    assert await n.unread("Dr Other", "investigator") == 3
    assert await n.mark_all_read("Dr A", "investigator") == 0
