"""Legal time: each fact's legal date, the order of a batch of dated commands, late entries."""

from datetime import UTC, date, datetime
from typing import get_args

from domain import legal_time
from domain.events import DomainEvent

# dates that are no fact's legal date: a minor's expected majority, a reminder's target
NOT_FACT_DATES = {("ParticipantRegistered", "majority_on"), ("DeadlineReminderDue", "due_on"),
                  ("ConsentWithdrawn", "data_kept_until"),
                  # a plan's period is expected, not a fact that happened
                  ("RecruitmentPlanSet", "starts_on"), ("RecruitmentPlanSet", "ends_on")}


def _event_classes() -> list[type]:
    union = get_args(DomainEvent)[0]
    return list(get_args(union))


def test_every_dated_event_names_its_legal_date() -> None:
    for cls in _event_classes():
        name = cls.model_fields["type"].default
        dates = [f for f, info in cls.model_fields.items() if "date" in str(info.annotation)
                 and (name, f) not in NOT_FACT_DATES]
        if not dates:
            continue
        if name in legal_time.DAY_AFTER:
            continue
        assert legal_time.EVENT_DATE_FIELD.get(name) in dates, name


def test_effective_on_reads_the_stored_date() -> None:
    assert legal_time.effective_on("EthicsOpinionRecorded",
                                   {"opinion": "favourable", "opinion_on": "2026-03-02"}
                                   ) == date(2026, 3, 2)
    assert legal_time.effective_on("SponsorAssigned", {"sponsor": "CHU"}) is None


def test_a_missed_deadline_takes_effect_the_day_after_its_due_date() -> None:
    assert legal_time.effective_on("DeadlineMissed", {"deadline": "cpp_opinion",
                                                      "due_on": "2026-03-31"}) == date(2026, 4, 1)


def test_batch_is_ordered_by_legal_date_undated_commands_keep_their_place() -> None:
    commands = [
        {"type": "record_ethics_opinion", "opinion_on": "2026-03-10"},
        {"type": "submit_to_ethics", "submitted_on": "2026-01-05"},
        {"type": "open_recruitment"},  # stays after the facts written before it
        {"type": "ethics_request_information", "requested_on": "2026-01-20"},
        {"type": "register_participant", "code": "P-001", "majority_on": "2030-01-01"},
    ]
    order = [commands[i]["type"] for i in legal_time.legal_order(commands)]
    assert order == ["submit_to_ethics", "ethics_request_information",
                     "record_ethics_opinion", "open_recruitment", "register_participant"]


def test_commands_of_the_same_day_keep_their_written_order() -> None:
    commands = [{"type": "b", "sent_on": "2026-01-01"}, {"type": "a", "sent_on": "2026-01-01"}]
    assert legal_time.legal_order(commands) == [0, 1]


def test_recorded_late_counts_days_after_the_legal_date() -> None:
    at = datetime(2026, 3, 20, 9, tzinfo=UTC)
    assert legal_time.recorded_late(date(2026, 3, 12), at, 7)
    assert not legal_time.recorded_late(date(2026, 3, 13), at, 7)
    assert not legal_time.recorded_late(None, at, 7)
