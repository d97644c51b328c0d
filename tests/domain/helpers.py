"""Building studies for the rule tests: parse a command as the API would, decide, fold."""

from datetime import date, timedelta
from typing import Any

from pydantic import TypeAdapter

from domain import Actor, AnyCommand, StudyState, decide, fold, tick
from scenarios import riph1_walk

TODAY = date(2026, 11, 24)
_PARSE: TypeAdapter[Any] = TypeAdapter(AnyCommand)
SHA = "ab" * 32


def day(n: int) -> str:
    """An ISO date n days after TODAY (negative: before)."""
    return (TODAY + timedelta(days=n)).isoformat()


def run(state: StudyState | None, command: dict[str, Any], role: str = "coordinator",
        today: date = TODAY) -> tuple[StudyState, list[Any]]:
    events = decide(state, _PARSE.validate_python(command), Actor(name="t", role=role), today,
                    study_id="study-t")
    new = fold(state, events)
    assert new is not None
    return new, events


def advance(state: StudyState, today: date) -> tuple[StudyState, list[Any]]:
    events = tick(state, today)
    new = fold(state, events)
    assert new is not None
    return new, events


# the shared RIPH1 walk, with the RIPH2/RIPH3 step of the opinion sent to the ANSM (SKIP below)
WALK = riph1_walk(day(-30), opinion_on=day(-2), decision_on=day(-1), ansm_notified_on=day(-1),
                  committee="CPP A")
CNIL = {"RIPH1": "MR-001", "RIPH2": "MR-001", "RIPH3": "MR-003", "NON_RIPH": "MR-004"}
SKIP = {  # steps that do not apply to a category
    "RIPH1": {"notify_ansm"},
    "RIPH2": {"submit_to_ansm", "record_ansm_decision"},
    "RIPH3": {"submit_to_ansm", "record_ansm_decision", "record_insurance"},
    "NON_RIPH": {"assign_sponsor", "record_insurance", "record_registration", "inform_director",
                 "submit_to_ethics",
                 "submit_to_ansm", "record_ethics_opinion", "notify_ansm",
                 "record_ansm_decision"},
}


def study(category: str = "RIPH1", until: str | None = None,
          framework: str = "JARDE", emergency_inclusion: bool = False) -> StudyState:
    """A study of `category` walked through its steps, stopping before `until`."""
    state, _ = run(None, {"type": "create_study", "title": "T", "category": category,
                          "investigator": "Dr A", "framework": framework})
    for role, command in WALK:
        if command["type"] == until:
            break
        if command["type"] in SKIP[category]:
            continue
        if command["type"] == "record_cnil":
            command = {**command, "route": CNIL[category]}
        if command["type"] == "submit_protocol" and emergency_inclusion:
            command = {**command, "emergency_inclusion": True}
        state, _ = run(state, command, role)
    return state


SAMPLE_DAYS = 40


def samples() -> list[dict[str, Any]]:
    """One plausible body per command type (dates in the past), for property tests."""
    d = day(-SAMPLE_DAYS)
    return [
        {"type": "submit_protocol", "version": "1.0", "document_sha256": SHA},
        {"type": "submit_protocol", "version": "1.1", "document_sha256": SHA},
        {"type": "assign_sponsor", "sponsor": "AP-HP"},
        {"type": "record_insurance", "insurer": "I", "policy": "P"},
        {"type": "record_registration", "number": "2026-A01234-56"},
        {"type": "submit_to_ethics", "committee": "CPP A", "submitted_on": d},
        {"type": "record_ethics_completeness", "notified_on": d},
        {"type": "ethics_request_information", "requested_on": d, "questions": "Q"},
        {"type": "ethics_information_supplied", "supplied_on": d},
        {"type": "record_ethics_opinion", "opinion": "favourable", "opinion_on": d},
        {"type": "record_ethics_opinion", "opinion": "unfavourable", "opinion_on": d},
        {"type": "request_second_review", "committee": "CPP B", "requested_on": d},
        {"type": "record_cnil", "route": "MR-001", "reference": "R"},
        {"type": "record_cnil", "route": "MR-003", "reference": "R"},
        {"type": "record_cnil", "route": "MR-004", "reference": "R"},
        {"type": "submit_to_ansm", "submitted_on": d},
        {"type": "record_ansm_decision", "decision": "authorized", "decision_on": d},
        {"type": "notify_ansm", "sent_on": d},
        {"type": "open_recruitment"}, {"type": "close_recruitment"},
        {"type": "submit_amendment", "substantial": True, "description": "x",
         "protocol_version": "2.0", "submitted_on": d},
        {"type": "record_ethics_opinion", "opinion": "favourable", "opinion_on": d,
         "amendment_id": "AM-1"},
        {"type": "report_safety_event", "kind": "susar", "occurred_on": d,
         "fatal_or_life_threatening": True},
        {"type": "declare_safety_event", "event_id": "SE-1", "declared_on": d},
        {"type": "submit_annual_safety_report", "submitted_on": d},
        {"type": "suspend"}, {"type": "resume"},
        {"type": "suspend", "by": "authority"}, {"type": "suspend", "for_safety": True},
        {"type": "submit_observations", "submitted_on": d},
        {"type": "notify_halt", "notified_on": d},
        {"type": "declare_end", "ended_on": d, "early": False},
        {"type": "submit_end_declaration", "declared_on": d},
        {"type": "report_results", "reported_on": d}, {"type": "archive"},
        {"type": "register_participant", "code": "P-0001"},
        {"type": "record_consent", "code": "P-0001", "kind": "written",
         "consent_form_version": "1", "consented_on": d},
        {"type": "withdraw_consent", "code": "P-0001", "withdrawn_on": d},
        {"type": "complete", "code": "P-0001"},
        {"type": "add_site", "site": "S01", "name": "Site 1", "investigator": "Dr S"},
        {"type": "activate_site", "site": "S01", "activated_on": d},
        {"type": "close_site", "site": "S01", "closed_on": d},
        {"type": "set_recruitment_plan", "target": 5, "starts_on": d, "ends_on": day(100)},
        {"type": "register_participant", "code": "P-0002", "site": "S01"},
    ]
