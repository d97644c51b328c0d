"""The calendar feed speaks the unit's language (LANGUAGE): its titles as the inbox words
them, its descriptions and its name from the catalogues; its UIDs and dates do not change."""

from datetime import UTC, date, datetime

import icalendar

from api import calendar

NOW = datetime(2026, 12, 20, 6, 0, tzinfo=UTC)
TASK = {"study_id": "st-123", "study_title": "ASPIRE", "kind": "deadline",
        "title": "Record the CPP opinion (avis): due 2026-12-15", "due_on": date(2026, 12, 15),
        "deadline": "cpp_opinion", "command": "record_ethics_opinion", "participant": None,
        "overdue": True, "clock": "cpp_opinion"}
DEADLINE = {"study_id": "st-123", "study_title": "ASPIRE", "kind": "deadline",
            "title": "CPP opinion: due 2026-12-15", "label": "CPP opinion", "clock": "cpp_opinion",
            "name": "cpp_opinion", "deadline": "cpp_opinion", "command": None, "role": "regulatory",
            "due_on": date(2026, 12, 15), "overdue": False}
PERSON = {"scope": "person", "actor": "rachid", "role": "regulatory"}
UNIT = {"scope": "unit", "actor": "claire", "role": "coordinator"}


def _feed(feed, rows, language):
    cal = icalendar.Calendar.from_ical(calendar.render(feed, rows, "https://sf.example", NOW,
                                                       language=language))
    return cal, list(cal.walk("VEVENT"))


def test_a_person_feed_in_french_words_its_tasks_as_the_inbox_does():
    cal, (event,) = _feed(PERSON, [TASK], "fr")
    assert str(cal.get("x-wr-calname")) == "StudyFlow — rachid (affaires réglementaires)"
    assert str(event.get("summary")) == "EN RETARD · Enregistrer l'avis du CPP — ASPIRE"
    description = str(event.get("description"))
    assert "Étude : ASPIRE (st-123)" in description
    assert "À faire : Enregistrer l'avis du CPP" in description
    for english in ("OVERDUE", "Study:", "To do:", "due "):
        assert english not in description + str(event.get("summary"))


def test_the_unit_feed_in_french_names_each_clock_and_its_due_date():
    cal, (event,) = _feed(UNIT, [DEADLINE], "fr")
    assert str(cal.get("x-wr-calname")) == "StudyFlow — les échéances ouvertes de l'unité"
    assert str(event.get("summary")) == "Avis du CPP : échéance le 15/12/2026 — ASPIRE"
    assert "Qui agit : affaires réglementaires" in str(event.get("description"))


def test_the_english_feed_keeps_its_words():
    _cal, (task,) = _feed(PERSON, [TASK], "en")
    assert str(task.get("summary")) == f"OVERDUE · {TASK['title']} — ASPIRE"
    _cal, (deadline,) = _feed(UNIT, [DEADLINE], "en")
    assert str(deadline.get("summary")) == "CPP opinion: due 2026-12-15 — ASPIRE"
    assert "Who acts: regulatory affairs" in str(deadline.get("description"))


def test_the_language_changes_no_uid_and_no_date():
    for feed, row in ((PERSON, TASK), (UNIT, DEADLINE)):
        (_, (fr,)), (_, (en,)) = _feed(feed, [row], "fr"), _feed(feed, [row], "en")
        assert str(fr.get("uid")) == str(en.get("uid"))
        assert fr.get("dtstart").dt == en.get("dtstart").dt == date(2026, 12, 15)


def test_a_task_without_due_date_shows_on_the_legal_day_the_feed_is_read():
    """Read at 23:30 UTC on 31 December, the feed is read on 1 January in Paris: a task with no
    due date shows that day, not on the UTC date."""
    undated = {**TASK, "due_on": None, "overdue": False, "title": "Consent again"}
    cal = icalendar.Calendar.from_ical(calendar.render(
        PERSON, [undated], "https://sf.example", datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
        language="en"))
    (event,) = cal.walk("VEVENT")
    assert event.get("dtstart").dt == date(2027, 1, 1)
