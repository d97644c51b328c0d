"""The inbox's rules (domain/inbox.py): which participants need the investigator, with what
title and due date, and who among the holders of a role hears of a study's notices."""

from datetime import date, timedelta

import pytest

from domain import inbox
from domain.model import ConsentBy, ParticipantStatus, Role
from domain.state import Participant

TODAY = date(2026, 5, 4)
P = ParticipantStatus


def minor(status: ParticipantStatus, majority_in: int | None,
          by: ConsentBy = ConsentBy.holders) -> Participant:
    return Participant(code="P-0007", status=status, consent_by=by,
                       majority_on=None if majority_in is None else TODAY + timedelta(majority_in))


def test_a_participant_asked_to_consent_again_has_a_task_whatever_the_date():
    p = Participant(code="P-0001", status=P.needs_reconsent, reconsent_cause="consent form 2.0")
    task = inbox.participant_task(p, TODAY)
    assert task is not None
    assert (task.title, task.kind, task.command, task.due_on, task.overdue) == (
        "P-0001: consent again (consent form 2.0)", "participant", "reconsent", None, False)


@pytest.mark.parametrize(("status", "days", "by", "shown"), [
    (P.consented, inbox.MAJORITY_HORIZON_DAYS, ConsentBy.holders, True),
    (P.included, 0, ConsentBy.holders, True),
    (P.included, inbox.MAJORITY_HORIZON_DAYS + 1, ConsentBy.holders, False),
    (P.included, None, ConsentBy.holders, False),
    (P.included, 3, ConsentBy.participant, False),  # already consents in their own name
    (P.withdrawn, 3, ConsentBy.holders, False),
    (P.registered, 3, ConsentBy.holders, False),
])
def test_a_minor_shows_within_the_horizon_of_their_majority(
        status: ParticipantStatus, days: int | None, by: ConsentBy, shown: bool):
    task = inbox.participant_task(minor(status, days, by), TODAY)
    assert (task is not None) is shown
    if task:
        assert task.title == "P-0007: consents in their own name at majority"
        assert task.due_on == TODAY + timedelta(days or 0) and not task.overdue


def test_a_majority_past_is_overdue():
    task = inbox.participant_task(minor(P.consented, -1), TODAY)
    assert task is not None and task.overdue


def test_only_investigators_have_participant_tasks():
    assert [r for r in Role if inbox.has_participant_tasks(r)] == [Role.investigator]
    assert inbox.has_participant_tasks("investigator")


def test_a_studys_notices_reach_its_investigator_by_name_and_every_other_role_holder():
    assert inbox.receives(Role.investigator, "Dr Martin", "Dr Martin")
    assert not inbox.receives("investigator", "Dr Other", "Dr Martin")
    for role in (Role.coordinator, Role.regulatory):
        assert inbox.receives(role, "anyone", "Dr Martin")
        assert inbox.named_recipient(role, "Dr Martin") is None
    assert inbox.named_recipient(Role.investigator, "Dr Martin") == "Dr Martin"


def test_every_title_key_has_words():
    assert {"participant.reconsent", "participant.majority"} <= set(inbox.MESSAGES)


def test_a_notice_is_told_by_its_kind_and_its_clock():
    due = date(2026, 12, 15)
    assert inbox.notice_key("reminder", "cpp_opinion", due) == "notice.reminder"
    assert inbox.notice_key("escalation", "cpp_opinion", due) == "notice.escalation"
    assert inbox.notice_key("decision", "cpp_opinion", due) == "notice.superseded"
    assert inbox.notice_key("escalation", "safety.SE-1", due) == "notice.safety"
    assert inbox.notice_key("escalation", "cpp_opinion", None) == "notice.study"
    assert inbox.notice_key("correction", None, None) == "notice.study"
    keys = {inbox.notice_key(k, d, due) for k in ("reminder", "escalation", "decision", "x")
            for d in (None, "cpp_opinion", "safety.SE-1")}
    assert keys <= set(inbox.MESSAGES)
