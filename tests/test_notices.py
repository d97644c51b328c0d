"""A notice read in its reader's language from its stable parts (i18n/notices.py)."""

from datetime import date

import i18n
from i18n.notices import notice_text

BASE = {"study_id": "st-1", "study_title": "ASPIRE", "deadline": "cpp_opinion",
        "clock": "cpp_opinion", "due_on": date(2026, 12, 15)}


def test_a_reminder_and_an_escalation_name_the_clock_and_the_due_date_in_french():
    with i18n.use("fr"):
        reminder = notice_text({**BASE, "kind": "reminder"})
        missed = notice_text({**BASE, "kind": "escalation"})
        label = i18n.gettext(i18n.notices.CLOCKS["cpp_opinion"].label)
    assert reminder == f"ASPIRE : {label}, échéance le 15/12/2026"
    assert missed == f"ASPIRE : {label}, échéance dépassée le 15/12/2026"


def test_in_english_the_rules_sentence_is_read_and_the_parts_read_without_it():
    with i18n.use("en"):
        assert notice_text({**BASE, "kind": "reminder", "message": "as sent"}) == "as sent"
        assert notice_text({**BASE, "kind": "reminder"}).endswith("due on 2026-12-15")


def test_a_notice_without_a_clock_reads_its_kind():
    with i18n.use("fr"):
        text = notice_text({"study_id": "st-1", "study_title": None, "kind": "correction",
                            "deadline": None})
    assert text == "st-1 : Correction"


def test_a_task_reads_in_french_from_its_stable_parts():
    from api import words

    with i18n.use("fr"):
        clock = i18n.gettext(i18n.notices.CLOCKS["cpp_opinion"].label)
        # a deadline no command clears: the clock's name, never the English sentence
        assert words.task({"title": "CPP opinion: due 2026-12-15", "clock": "cpp_opinion",
                           "command": None}) == clock
        assert words.task({"title": "Record the registration number", "clock": None,
                           "command": "record_registration"}) == words.command(
            "record_registration")
        reconsent = words.task({"title": "P-001: consent again (majority)", "command":
                                "reconsent", "participant": "P-001",
                                "title_key": "participant.reconsent", "cause": "majority"})
        form = words.task({"title": "x", "participant": "P-002", "command": "reconsent",
                           "title_key": "participant.reconsent",
                           "cause": "major consent form version 3"})
    assert reconsent == "P-001 : nouveau consentement à recueillir (majorité)"
    assert "P-002" in form and "version majeure 3" in form
    with i18n.use("en"):
        assert words.task({"title": "CPP opinion: due 2026-12-15", "clock": "cpp_opinion",
                           "command": None}) == "CPP opinion: due 2026-12-15"
