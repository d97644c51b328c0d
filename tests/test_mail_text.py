"""The e-mails say what to do, by when, and link to the study's page, in the unit's language."""

from datetime import UTC, date, datetime

from activities import mail_text

NOTICE = {"id": 1, "study_id": "st-123", "study_title": "ASPIRE", "kind": "reminder",
          "message": "ASPIRE: CPP opinion due on 2026-12-15 (7 days left)", "urgent": False,
          "deadline": "cpp_opinion", "clock": "cpp_opinion", "due_on": date(2026, 12, 15),
          "created_at": datetime(2026, 12, 8, 6, 0, tzinfo=UTC)}


def test_a_notice_in_french_says_what_to_do_by_when_with_the_link():
    subject, body = mail_text.notice(NOTICE, "https://studyflow.chu.example/", "fr")
    assert subject == "[StudyFlow] ASPIRE"
    # the notice's sentence, as the inbox shows it: the clock and its due date
    assert body.splitlines()[0] == "ASPIRE : Avis du CPP, échéance le 15/12/2026"
    assert "Que faire : Enregistrer l'avis du CPP" in body
    assert "Avant le : 15/12/2026" in body
    assert "https://studyflow.chu.example/studies/st-123" in body
    assert "due on" not in body  # no English word


def test_a_notice_in_english_keeps_the_rules_sentence_first():
    subject, body = mail_text.notice({**NOTICE, "urgent": True}, "http://127.0.0.1:8000", "en")
    assert subject == "[StudyFlow] URGENT ASPIRE"
    assert body.splitlines()[0] == NOTICE["message"]
    assert "What to do: Record the CPP opinion (avis)" in body and "By: 2026-12-15" in body
    assert "http://127.0.0.1:8000/studies/st-123" in body


def test_a_digest_has_one_line_per_notice_each_with_its_link():
    subject, body = mail_text.digest([NOTICE, {**NOTICE, "id": 2}], "https://sf.example", "fr")
    assert subject == "[StudyFlow] Récapitulatif quotidien : 2 avis"
    assert len(body.splitlines()) == 2
    assert all("https://sf.example/studies/st-123" in line for line in body.splitlines())
    assert body.startswith("- 08/12/2026 ASPIRE : Avis du CPP, échéance le 15/12/2026 — ")


def test_a_notice_without_a_clock_says_its_kind_and_study():
    n = {**NOTICE, "kind": "action", "deadline": None, "clock": None, "due_on": None}
    _subject, body = mail_text.notice(n, "https://sf.example", "fr")
    assert body.splitlines()[0] == "ASPIRE : Action requise"
