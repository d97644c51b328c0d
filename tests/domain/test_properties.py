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
from domain.state import StudyState

from .helpers import SAMPLE_DAYS, TODAY, samples

_PARSE: TypeAdapter[Any] = TypeAdapter(AnyCommand)

steps_strategy = st.lists(
    st.tuples(st.sampled_from(samples()), st.sampled_from(list(Role)),
              st.integers(min_value=0, max_value=SAMPLE_DAYS)),
    min_size=1, max_size=40)


def walk(category: str, steps: list[Any]) -> tuple[StudyState, list[Any]]:
    """The study `steps` leave (each command tried on its day, the clocks run in between), and
    every event they produced."""
    today = TODAY
    history = decide(None, _PARSE.validate_python({
        "type": "create_study", "title": "P", "category": category, "investigator": "I"}),
        Actor(name="a", role=Role.coordinator), today, "study-p")
    state = fold(None, history)
    assert state is not None
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
    return state, history


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(category=st.sampled_from(["RIPH1", "RIPH2", "RIPH3", "NON_RIPH"]), steps=steps_strategy)
def test_random_command_sequences_keep_the_study_consistent(category, steps):
    state, history = walk(category, steps)
    assert fold(None, history) == state


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(category=st.sampled_from(["RIPH1", "RIPH2", "RIPH3", "NON_RIPH"]), steps=steps_strategy)
def test_folding_a_study_again_from_its_facts_changes_nothing(category, steps):
    """What a correction or a supersession relies on: a study folded again from its recorded
    facts, the settled outcomes worked out anew, is the study the events built."""
    state, _ = walk(category, steps)
    assert history.refold(state, evolve, settle) == state
