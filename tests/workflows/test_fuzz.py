"""Random command sequences through the real workflow (time-skipping server, real PostgreSQL):
every refusal is a RuleViolation that leaves no trace, and folding the events stored in the
audit record rebuilds exactly the state the workflow holds."""

import json
import random

import pytest

from domain import RuleViolation, fold, parse_event, view
from domain.model import Role

from ..domain.helpers import samples

ROLES = [r.value for r in Role]


@pytest.mark.parametrize("seed", range(6))
async def test_random_sequences_fold_back_to_the_workflows_state(harness, seed):
    rng = random.Random(seed)
    sid = await harness.create(category=rng.choice(["RIPH1", "RIPH2", "RIPH3", "NON_RIPH"]))
    accepted = refused = 0
    for _ in range(25):
        if rng.random() < 0.15:
            await harness.skip(rng.choice([1, 7, 20, 50]))
        before = len(await harness.store.read_stream(sid))
        try:
            await harness.send(sid, rng.choice(samples()), role=rng.choice(ROLES))
            accepted += 1
        except RuleViolation as e:
            refused += 1
            assert e.code and e.message
            stored = await harness.store.read_stream(sid)
            # a refusal writes nothing (clock events that fell due meanwhile aside)
            assert all(ev.actor == "studyflow-clock" for ev in stored[before:])
        events = await harness.store.read_stream(sid)
        state = fold(None, (parse_event(e.type, e.data) for e in events))
        assert state is not None and state.version == len(events)
        assert json.loads(json.dumps(view(state), default=str)) == await harness.query(sid)
    assert accepted + refused == 25
    assert (await harness.store.verify()).ok
