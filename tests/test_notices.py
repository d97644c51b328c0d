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


def _notices(events, **state):
    """The notices the rules write for `events` on a study titled ASPIRE."""
    from domain.model import Category
    from domain.state import StudyState
    from domain.views import notifications_for

    s = StudyState(id="st-1", title="ASPIRE", category=Category.RIPH1, investigator="Dr A",
                   **state)
    return notifications_for(s, events)


def test_every_notice_without_a_clock_reads_whole_in_french_from_its_parts():
    from domain import events as ev
    from domain.model import StudyStatus

    found = _notices([
        ev.EthicsOpinionRecorded.model_construct(opinion="unfavourable", tacit=True),
        ev.AnsmDecisionRecorded.model_construct(decision="authorized", tacit=True),
        ev.FactCorrected.model_construct(seq=12, version=3, event_type="EthicsSubmitted",
                                         changes={"submitted_on": "2026-01-05"}),
        ev.RecruitmentBehindPlan.model_construct(site="S2", included=3, planned=7.5,
                                                 on=date(2026, 6, 1), target=40),
        ev.StudyStatusChanged.model_construct(from_status=StudyStatus.in_review,
                                              to_status=StudyStatus.rejected,
                                              cause="ethics and ansm unfavourable"),
    ])
    texts = []
    with i18n.use("fr"):
        for n in found:
            assert n.parts, n
            texts.append(notice_text({"study_id": "st-1", "study_title": "ASPIRE",
                                      "kind": n.kind, "message": n.message,
                                      "parts": n.model_dump(mode="json")["parts"]}))
    assert sorted(set(texts)) == sorted({
        "ASPIRE : silence du CPP : avis défavorable",
        "ASPIRE : silence de l'ANSM : autorisée",
        "ASPIRE : fait n° 12 (Soumis au CPP) rectifié : Soumis le : 05/01/2026",
        "ASPIRE : recrutement en retard sur le plan au lieu S2 : 3 inclus, 7,5 prévus au "
        "01/06/2026 (objectif 40)",
        "ASPIRE : désormais rejetée (défavorable : Avis du CPP, ANSM)",
    })
    # in English, the sentences the rules wrote, as before the parts were kept
    assert sorted({n.message for n in found}) == sorted({
        "ASPIRE: CPP silence: unfavourable opinion", "ASPIRE: ANSM silence: authorized",
        "ASPIRE: event 12 (EthicsSubmitted) corrected: {'submitted_on': '2026-01-05'}",
        "ASPIRE: recruitment behind plan at site S2: 3 included, 7.5 planned by 2026-06-01 "
        "(target 40)",
        "ASPIRE: now rejected (ethics and ansm unfavourable)",
    })
