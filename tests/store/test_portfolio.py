"""The unit's reports, computed in SQL from the read models, checked against a hand-built
portfolio: five studies with dated histories (2025) decided by the domain and written through
the real append (events, study views, participants), then every figure of the report compared
with what the histories say."""

import statistics
from datetime import UTC, date, datetime
from typing import Any

from api import portfolio
from domain import participant_view, view
from domain.state import StudyState
from scenarios import riph1_walk, without
from store import AppendRequest, EventStore, NewEvent, ReadModels
from tests.domain.helpers import run

TODAY = date(2026, 3, 1)  # every history below lies before it


def build(sid: str, category: str, steps: list[tuple[str, dict[str, Any]]]
          ) -> tuple[StudyState, list[Any]]:
    state, events = run(None, {"type": "create_study", "title": f"Study {sid}",
                               "category": category, "investigator": "Dr A"}, today=TODAY)
    for role, command in steps:
        state, more = run(state, command, role, today=TODAY)
        events += more
    return state.model_copy(update={"id": sid}), events


async def write(store: EventStore, state: StudyState, events: list[Any]) -> None:
    await store.append(AppendRequest(
        stream_id=state.id, expected_version=0,
        events=[NewEvent(type=e.type, data=e.payload()) for e in events],
        actor="alice", role="coordinator", reason="hand-built portfolio",
        recorded_at=datetime(2026, 2, 1, tzinfo=UTC), idempotency_key=state.id,
        study={**view(state), "id": state.id},
        participants=[participant_view(p) for p in state.participants.values()]))


def include(code: str, on: str, site: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    return [("investigator", {"type": "register_participant", "code": code,
                              **({"site": site} if site else {})}),
            ("investigator", {"type": "record_consent", "code": code, "kind": "written",
                              "consent_form_version": "1.0", "consented_on": on}),
            ("investigator", {"type": "include", "code": code, "included_on": on})]


def portfolio_histories() -> list[tuple[StudyState, list[Any]]]:
    a = riph1_walk("2025-01-06", opinion_on="2025-02-15", decision_on="2025-02-25",
                   opened_on="2025-03-01", committee="CPP Est")
    a += [("coordinator", {"type": "add_site", "site": "S01", "name": "Nord",
                           "investigator": "Dr N"}),
          ("coordinator", {"type": "activate_site", "site": "S01", "activated_on": "2025-03-01"})]
    a += [s for n in (1, 2, 3) for s in include(f"P-000{n}", "2025-04-10", "S01")]
    a += [s for n in (4, 5) for s in include(f"P-000{n}", "2025-05-12", "S01")]
    b = without(riph1_walk("2025-01-06", opinion_on="2025-03-17", decision_on="2025-03-07",
                           committee="CPP Est"), "open_recruitment")
    at = next(i for i, (_, c) in enumerate(b) if c["type"] == "submit_to_ansm")
    b[at:at] = [("regulatory", {"type": "ethics_request_information",
                                "requested_on": "2025-01-26", "questions": "Q"}),
                ("regulatory", {"type": "ethics_information_supplied",
                                "supplied_on": "2025-02-05"})]
    c = without(riph1_walk("2025-01-11", opinion_on="2025-02-10", ansm_notified_on="2025-02-12",
                           opened_on="2025-03-01", committee="CPP Ouest"),
                "submit_to_ansm", "record_ansm_decision")
    c = [(r, {**cmd, "route": "MR-001"} if cmd["type"] == "record_cnil" else cmd)
         for r, cmd in c]
    c += [(r, {**cmd, "kind": "express"} if cmd["type"] == "record_consent" else cmd)
          for r, cmd in include("P-0001", "2025-05-20")]
    d = [s for s in riph1_walk("2025-06-01", committee="CPP Ouest")
         if s[1]["type"] in ("record_registration", "submit_protocol", "assign_sponsor",
                            "submit_to_ethics")]
    return [build("study-a", "RIPH1", a), build("study-b", "RIPH1", b),
            build("study-c", "RIPH2", c), build("study-d", "RIPH3", d),
            build("study-e", "NON_RIPH", [])]


def p90(values: list[float]) -> float:
    """percentile_cont(0.9): linear between the two closest ranks."""
    ordered = sorted(values)
    rank = 0.9 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


async def test_the_reports_figures_are_the_histories(store: EventStore, read_models: ReadModels):
    histories = portfolio_histories()
    for state, events in histories:
        await write(store, state, events)
    rep = await portfolio.report(read_models, months=60, on=TODAY)
    # a clock still waiting past its day counts as missed from the database's today on
    db_today = await store.pool.fetchval("SELECT current_date")

    # studies per state and category
    assert rep["studies"]["total"] == 5
    assert rep["studies"]["by_state"] == {"draft": 1, "in_review": 1, "ready": 1,
                                          "recruiting": 2}
    assert {(r["state"], r["category"], r["studies"])
            for r in rep["studies"]["by_state_and_category"]} == {
        ("draft", "NON_RIPH", 1), ("in_review", "RIPH3", 1), ("ready", "RIPH1", 1),
        ("recruiting", "RIPH1", 1), ("recruiting", "RIPH2", 1)}

    # CPP: A 40 days, B 70 (with its request), C 30; D still waiting
    cpp = {r["committee"]: r for r in rep["cpp"]}
    assert cpp["CPP Est"] == {"committee": "CPP Est", "submitted": 2, "decided": 2,
                              "median_days": 55.0, "p90_days": 67.0, "information_requests": 1,
                              "information_request_share": 0.5, "tacit": 0}
    assert (cpp["CPP Ouest"]["submitted"], cpp["CPP Ouest"]["decided"],
            cpp["CPP Ouest"]["median_days"], cpp["CPP Ouest"]["information_request_share"]) == (
        2, 1, 30.0, 0.0)
    assert rep["cpp_all"]["median_days"] == statistics.median([40, 70, 30]) == 40
    assert rep["cpp_all"]["p90_days"] == round(p90([40, 70, 30]), 1) == 64.0

    # ANSM (RIPH1 only): A 50 days, B 60
    assert [(r["category"], r["decided"], r["median_days"], r["p90_days"]) for r in rep["ansm"]
            ] == [("RIPH1", 2, 55.0, 59.0)]

    # inclusions: three in April, two in May at A and one in May at C
    assert [(r["month"], r["included"], r["studies"]) for r in rep["inclusions"]] == [
        ("2025-04", 3, 1), ("2025-05", 3, 2)]

    # clocks: met in the month of the fact that met them, missed in the month they fell due
    expected: dict[tuple[str, str], list[int]] = {}
    for state, _ in histories:
        for d in state.deadlines.values():
            if d.status.value == "met" and d.closed_on:
                expected.setdefault((d.closed_on.isoformat()[:7], "all"), [0, 0])[0] += 1
            elif d.status.value == "overdue" or (d.status.value == "open"
                                                 and d.due_on < db_today):
                expected.setdefault((d.due_on.isoformat()[:7], "all"), [0, 0])[1] += 1
    got = {(r["month"], r["role"]): [r["met"], r["missed"]] for r in rep["clocks"]}
    assert got == expected
    # B's sponsor answered the CPP's request in time, in February; D's CPP never said its
    # file was complete: missed in June (as the clock's due date says), regulatory's to act
    assert got[("2025-02", "all")][0] >= 1
    assert got[("2025-06", "all")][1] >= 1
    by_role = {(r["month"], r["role"]): r for r in rep["clocks_by_role"]}
    assert by_role[("2025-06", "regulatory")]["missed"] >= 1
    assert sum(r["met"] for r in rep["clocks_by_role"]) == sum(v[0] for v in expected.values())


async def test_the_csv_carries_the_same_figures(store: EventStore, read_models: ReadModels):
    for state, events in portfolio_histories():
        await write(store, state, events)
    rep = await portfolio.report(read_models, months=60, on=TODAY)
    long = portfolio.portfolio_csv(rep).splitlines()
    assert long[0] == "section,key,subkey,measure,value"
    assert "cpp,CPP Est,,median_days,55.0" in long
    assert "cpp,all,,p90_days,64.0" in long
    assert "studies,recruiting,RIPH2,studies,1" in long
    assert "inclusions,2025-05,,included,3" in long
    table = portfolio.section_csv(rep, "cpp").splitlines()
    assert table[0].startswith("committee,submitted,decided,median_days,p90_days")
    assert table[-1].startswith("all,4,3,40.0,64.0")


async def test_a_studys_recruitment_reads_its_participants_rows(store: EventStore,
                                                                 read_models: ReadModels):
    state, events = portfolio_histories()[0]
    await write(store, state, events)
    study = await read_models.get_study("study-a")
    assert study is not None
    out = await portfolio.recruitment(read_models, study, TODAY)
    assert out["included"] == 5 and out["by_site"][0]["included"] == 5
    assert [(p["on"].isoformat(), p["included"]) for p in out["curve"]] == [
        ("2025-04-10", 3), ("2025-05-12", 5), ("2026-03-01", 5)]


async def test_iso_date_reads_an_iso_date_and_nothing_else(pool):
    """The generated date columns' rule (migration 030, PL/pgSQL since 042): an ISO date is a
    date; anything else, NULL included, is NULL."""
    got = await pool.fetchrow("SELECT iso_date('2026-02-28') AS day, iso_date('28/02/2026') "
                              "AS french, iso_date('2026-02-28T10:00') AS stamp, "
                              "iso_date(NULL) AS missing")
    assert dict(got) == {"day": date(2026, 2, 28), "french": None, "stamp": None,
                         "missing": None}
