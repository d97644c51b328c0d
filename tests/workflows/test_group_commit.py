"""Commands sent at once to one study are applied in one append (group commit), and each still
gets its own answer or its own refusal, with its own actor and reason in the audit."""

import asyncio

from api import engine
from domain import RuleViolation


async def test_concurrent_commands_share_appends_and_keep_their_own_answers(harness):
    sid = await harness.create()
    await harness.walk(sid, until="-", on=await harness.today())
    before = len(await harness.store.read_stream(sid))
    codes = [f"P-{n:04d}" for n in range(1, 21)] + ["P-0001"]  # the last one twice

    async def register(n: int, code: str):
        return await engine.send_command(
            harness.client, sid, {"type": "register_participant", "code": code},
            actor=f"nurse-{n}", role="investigator", reason=f"visit {n}")

    results = await asyncio.gather(*(register(n, c) for n, c in enumerate(codes)),
                                   return_exceptions=True)
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], RuleViolation)
    assert refused[0].code == "participant_exists"
    answered = [r for r in results if not isinstance(r, Exception)]
    seqs = [s for r in answered for s in r.seqs]
    assert len(seqs) == len(set(seqs)) == 20  # each its own event
    events = (await harness.store.read_stream(sid))[before:]
    assert [e.type for e in events] == ["ParticipantRegistered"] * 20
    for e in events:  # who and why, per command even when appended together
        n = int(e.actor.removeprefix("nurse-"))
        assert e.reason == f"visit {n}" and e.data["code"] == codes[n]
    batches = {e.idempotency_key.rsplit(":", 1)[0] for e in events}
    assert len(batches) < 20, batches  # some appends carried several commands
    final = await harness.query(sid)
    assert final["participants"] == {"registered": 20}


async def test_a_command_accepted_alone_is_decided_once(harness, monkeypatch):
    """The validator's decision is the handler's when the study did not change in between
    (workflows/study.py `validated`); commands sent together are each decided again on the
    state the ones before them left (the test above: no duplicate registration slips by)."""
    import domain

    sid = await harness.create()
    calls: list[str] = []
    decide = domain.decide

    def counted(state, command, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(command.type)
        return decide(state, command, *args, **kwargs)

    monkeypatch.setattr(domain, "decide", counted)
    await engine.send_command(harness.client, sid, {"type": "assign_sponsor",
                                                    "sponsor": "AP-HP"},
                              actor="ana", role="coordinator", reason="agreed")
    assert calls == ["assign_sponsor"]
    assert (await harness.query(sid))["steps"]["sponsor"]["status"] == "done"
