"""Property: whatever staff send, in whatever order, from whatever role, on whatever day, the
domain only ever refuses with a RuleViolation, stays consistent, and folding the events it
produced rebuilds exactly the same state (what the audit replays is what the workflow held)."""

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from domain import (
    Actor,
    AnyCommand,
    RuleViolation,
    StudyStatus,
    decide,
    evolve,
    fold,
    history,
    missing_steps,
    settle,
    tick,
)
from domain.model import Role

from .helpers import SAMPLE_DAYS, TODAY, samples

_PARSE: TypeAdapter[Any] = TypeAdapter(AnyCommand)

steps_strategy = st.lists(
    st.tuples(st.sampled_from(samples()), st.sampled_from(list(Role)),
              st.integers(min_value=0, max_value=SAMPLE_DAYS)),
    min_size=1, max_size=40)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(category=st.sampled_from(["RIPH1", "RIPH2", "RIPH3", "NON_RIPH"]), steps=steps_strategy)
def test_random_command_sequences_keep_the_study_consistent(category, steps):
    today = TODAY
    history = decide(None, _PARSE.validate_python({
        "type": "create_study", "title": "P", "category": category, "investigator": "I"}),
        Actor(name="a", role=Role.coordinator), today, "study-p")
    state = fold(None, history)
    for command, role, wait in steps:
        today += timedelta(days=wait)
        events = tick(state, today)
        try:
            events += decide(fold(state, events), _PARSE.validate_python(command),
                             Actor(name="a", role=role), today, "study-p")
        except RuleViolation:
            pass
        state = fold(state, events)
        history += events
        assert state.version == len(history)
        if state.status is StudyStatus.ready:
            assert missing_steps(state) == []
        for d in state.deadlines.values():
            assert d.due_on >= d.starts_on
    assert fold(None, history) == state


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(category=st.sampled_from(["RIPH1", "RIPH2", "RIPH3", "NON_RIPH"]), steps=steps_strategy)
def test_folding_a_study_again_from_its_facts_changes_nothing(category, steps):
    """What a correction or a supersession relies on: a study folded again from its recorded
    facts, the settled outcomes worked out anew, is the study the events built."""
    today = TODAY
    state = fold(None, decide(None, _PARSE.validate_python({
        "type": "create_study", "title": "P", "category": category, "investigator": "I"}),
        Actor(name="a", role=Role.coordinator), today, "study-p"))
    for command, role, wait in steps:
        today += timedelta(days=wait)
        events = tick(state, today)
        try:
            events += decide(fold(state, events), _PARSE.validate_python(command),
                             Actor(name="a", role=role), today, "study-p")
        except RuleViolation:
            pass
        state = fold(state, events)
    assert history.refold(state, evolve, settle) == state
