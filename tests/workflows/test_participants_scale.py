"""A study with 10,000 participants on the time-skipping server: they come in bulk (the CSV
import's path), consent, a major consent form makes them all re-consent, a minor comes of age.
The workflow continues as new whenever its history passes the limit, carrying the folded state
(after every handler has finished), so every run's history stays bounded; the state carried
and the audit record agree at the end."""

import json
from datetime import timedelta

from api import engine
from codec import AesGcmCodec
from domain import fold, parse_event, view
from workflows.models import BulkInput, BulkItem

PARTICIPANTS = 10_000
CHUNK = 500
LIMIT = 120  # history events per run before it continues as new
PAYLOAD_LIMIT = 2 * 1024 * 1024  # Temporal refuses a payload past 2 MB
CODEC = AesGcmCodec([("test", bytes(32))])


async def bulk(harness, sid: str, commands: list[dict], key: str):
    return await engine.send_bulk(harness.client, sid, BulkInput(
        items=[BulkItem(command=c, reason="import") for c in commands], actor="alice",
        role="investigator", idempotency_key=key))


async def test_ten_thousand_participants_keep_a_bounded_history(harness):
    sid = await harness.create(history_limit=LIMIT)
    today = await harness.today()
    await harness.walk(sid, until="-", on=today)
    handle = harness.client.get_workflow_handle(sid)
    first_run = await harness.run_id(sid)
    codes = [f"P-{n:05d}" for n in range(1, PARTICIPANTS + 1)]
    day = today.isoformat()
    longest, carried = 0, 0

    async def measure() -> None:
        nonlocal longest, carried
        history = await handle.fetch_history()
        longest = max(longest, len(history.events))
        started = history.events[0].workflow_execution_started_event_attributes
        if started.continued_execution_run_id:  # a run that carries the folded state in:
            # its size as the production codec stores it (compressed, encrypted)
            sealed = await CODEC.encode(started.input.payloads)
            carried = max(carried, sum(len(p.data) for p in sealed))

    for i in range(0, PARTICIPANTS, CHUNK):
        chunk = codes[i:i + CHUNK]
        result = await bulk(harness, sid, [{"type": "register_participant", "code": c}
                                           for c in chunk], f"reg-{i}")
        assert all(o.applied for o in result.outcomes)
        result = await bulk(harness, sid, [
            {"type": "record_consent", "code": c, "kind": "written", "consent_form_version": "1.0",
             "consented_on": day} for c in chunk], f"consent-{i}")
        assert all(o.applied for o in result.outcomes)
        await measure()
    # a bad row is refused with its rule, the others applied
    result = await bulk(harness, sid, [
        {"type": "register_participant", "code": "P-10001"},
        {"type": "register_participant", "code": "P-00001"},
        {"type": "record_consent", "code": "P-10001", "kind": "express",
         "consent_form_version": "1.0", "consented_on": day}], "mixed")
    assert [(o.applied, o.code) for o in result.outcomes] == [
        (True, None), (False, "participant_exists"), (False, "consent_kind_mismatch")]

    # a major consent form: every consented participant must re-consent
    state = await harness.send(sid, {"type": "issue_consent_form", "version": "2.0",
                                     "change": "major", "issued_on": day}, "investigator")
    assert state["participants"] == {"needs_reconsent": PARTICIPANTS, "registered": 1}
    for i in range(0, 2000, CHUNK):
        await bulk(harness, sid, [{"type": "reconsent", "code": c, "consent_form_version": "2.0",
                                   "consented_on": day} for c in codes[i:i + CHUNK]], f"re-{i}")
        await measure()

    assert await harness.run_id(sid) != first_run  # it did continue as new
    assert longest < LIMIT + 40, longest  # the limit, plus at most one cycle of work
    assert 0 < carried < PAYLOAD_LIMIT / 2, carried
    final = await harness.query(sid)
    assert final["participants"] == {"consented": 2000, "needs_reconsent": PARTICIPANTS - 2000,
                                     "registered": 1}
    events = await harness.store.read_stream(sid)
    state = fold(None, (parse_event(e.type, e.data) for e in events))
    assert state is not None and json.loads(json.dumps(view(state), default=str)) == final
    print(f"\n{PARTICIPANTS} participants: longest run history {longest} events, largest "
          f"carried state {carried / 1024:.0f} KiB, {len(events)} audit events")


async def test_a_minor_is_asked_to_reconsent_on_the_day_of_majority(harness):
    sid = await harness.create()
    today = await harness.today()
    await harness.walk(sid, until="-", on=today)
    majority = today + timedelta(days=40)
    await harness.send(sid, {"type": "register_participant", "code": "P-00042",
                             "majority_on": majority.isoformat()}, "investigator")
    await harness.send(sid, {"type": "record_consent", "code": "P-00042", "kind": "written",
                             "consent_form_version": "1.0", "consented_on": today.isoformat(),
                             "by": "holders", "holders": 2}, "investigator")
    await harness.skip(39)
    assert (await harness.query(sid))["participants"] == {"consented": 1}
    await harness.skip(2)
    assert (await harness.query(sid))["participants"] == {"needs_reconsent": 1}
    assert "ReconsentRequired" in await harness.event_types(sid)
