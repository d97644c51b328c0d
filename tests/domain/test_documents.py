"""Documents behind the facts: which kinds a command takes and requires, the event that carries
them, and the participant's documents StudyFlow refuses."""

import pytest

from domain import RuleViolation, documents
from domain.events import DocumentsAttached
from domain.model import DocumentKind
from domain.regulation import DOCUMENT_RULES, VERSIONED_DOCUMENTS

from .helpers import SHA, run, study

PDF = {"sha256": SHA, "kind": "protocol", "size": 1234, "media_type": "application/pdf",
       "name": "protocol-v1.pdf"}


def _protocol(**fields):
    return {"type": "submit_protocol", "version": "1.0", "document_sha256": SHA, **fields}


def refused(code: str, state, command: dict) -> RuleViolation:
    with pytest.raises(RuleViolation) as e:
        run(state, command)
    assert e.value.code == code, e.value.message
    return e.value


def test_a_command_attaches_its_documents_in_an_event_after_its_fact():
    state, _ = run(None, {"type": "create_study", "title": "T", "category": "RIPH1",
                          "investigator": "Dr A"})
    _, events = run(state, _protocol(documents=[PDF]), "investigator")
    attached = [e for e in events if isinstance(e, DocumentsAttached)]
    assert len(attached) == 1 and events.index(attached[0]) > 0  # after the fact it backs
    doc = attached[0].documents[0]
    assert (doc.sha256, doc.size, doc.media_type, doc.name, doc.kind) == (
        SHA, 1234, "application/pdf", "protocol-v1.pdf", DocumentKind.protocol)
    assert attached[0].version == "1.0" and attached[0].command == "submit_protocol"
    # the event's payload is what the hash chain covers: every field is in it
    assert attached[0].payload()["documents"][0]["name"] == "protocol-v1.pdf"


def test_a_command_without_documents_writes_no_documents_event():
    state, _ = run(None, {"type": "create_study", "title": "T", "category": "RIPH1",
                          "investigator": "Dr A"})
    _, events = run(state, _protocol(), "investigator")
    assert not any(isinstance(e, DocumentsAttached) for e in events)


def test_a_kind_the_command_does_not_take_is_refused_naming_what_it_takes():
    state = study("RIPH1", until="record_insurance")
    e = refused("document_kind_not_accepted", state, {
        "type": "record_insurance", "insurer": "X", "policy": "1",
        "documents": [{**PDF, "kind": "protocol"}]})
    assert "insurance_certificate" in e.message


def test_a_participant_document_is_refused_pointing_to_the_investigator_file():
    state = study("RIPH1", until="submit_protocol")
    e = refused("participant_document_refused", state,
                _protocol(documents=[{**PDF, "kind": "signed_consent"}]))
    assert "investigator's file" in e.message
    with pytest.raises(RuleViolation) as u:
        documents.kind_of("medical_record")
    assert u.value.code == "participant_document_refused"


def test_participant_commands_take_no_document():
    assert not any(kind in DOCUMENT_RULES for kind in (
        "record_consent", "register_participant", "reconsent", "withdraw_consent"))


def test_an_unknown_kind_is_refused():
    state = study("RIPH1", until="submit_protocol")
    refused("unknown_document_kind", state, _protocol(documents=[{**PDF, "kind": "memo"}]))


def test_a_reference_the_store_did_not_resolve_is_refused():
    state = study("RIPH1", until="submit_protocol")
    refused("unknown_document", state,
            _protocol(documents=[{"sha256": SHA, "kind": "protocol"}]))


def test_the_same_document_twice_is_refused():
    state = study("RIPH1", until="submit_protocol")
    refused("duplicate_document", state, _protocol(documents=[PDF, PDF]))


def test_required_kinds_are_data_with_their_source():
    assert DOCUMENT_RULES["record_ethics_opinion"].requires == {
        DocumentKind.ethics_opinion_letter}
    assert documents.missing_required("record_ethics_opinion", []) == ["ethics_opinion_letter"]
    assert documents.missing_required("record_ethics_opinion", ["ethics_opinion_letter"]) == []
    with pytest.raises(RuleViolation) as e:
        documents.require_documents("report_results", ["protocol"])
    assert e.value.code == "document_required" and "R1123-67" in e.value.message
    for rule in DOCUMENT_RULES.values():
        assert rule.requires <= rule.accepts and rule.source
    assert VERSIONED_DOCUMENTS == {DocumentKind.protocol, DocumentKind.information_form,
                                   DocumentKind.investigator_brochure}


def test_an_amendment_document_belongs_to_the_amendment_it_submits():
    state = study("RIPH1", until="declare_end")
    _, events = run(state, {"type": "submit_amendment", "substantial": True,
                            "description": "new arm", "protocol_version": "2.0",
                            "submitted_on": "2026-11-20",
                            "documents": [{**PDF, "kind": "amendment"},
                                          {**PDF, "sha256": "cd" * 32}]}, "investigator")
    attached = next(e for e in events if isinstance(e, DocumentsAttached))
    assert attached.amendment_id and attached.version == "2.0"


def _trail(*events):
    return [{"seq": i, "actor": "a", "at": "2026-01-01T00:00:00", "reason": "r", **e}
            for i, e in enumerate(events, 1)]


def _attached(command, kind, sha, version=None, amendment_id=None):
    return {"type": "DocumentsAttached", "data": {
        "command": command, "version": version, "amendment_id": amendment_id,
        "documents": [{"sha256": sha, "kind": kind, "size": 1, "media_type": "application/pdf",
                       "name": f"{sha}.pdf"}]}}


def test_history_puts_in_force_only_what_its_approvals_cover():
    approved = {"type": "StudyStatusChanged", "data": {"from_status": "in_review",
                                                       "to_status": "ready"}}
    submitted = {"type": "AmendmentSubmitted", "data": {"amendment_id": "AM-1",
                                                        "substantial": True}}
    decided = {"type": "AmendmentDecided", "data": {"amendment_id": "AM-1",
                                                    "outcome": "approved"}}
    v1 = _attached("submit_protocol", "protocol", "a" * 64, "1.0")
    v2 = _attached("submit_amendment", "protocol", "b" * 64, "2.0", "AM-1")
    cert = _attached("record_insurance", "insurance_certificate", "c" * 64)
    before = documents.history(_trail(v1, cert))
    assert before["versions"]["protocol"]["in_force"] is None
    assert [d["status"] for d in before["documents"]] == ["pending", "recorded"]
    pending = documents.history(_trail(v1, cert, approved, submitted, v2))
    assert pending["versions"]["protocol"]["in_force"]["sha256"] == "a" * 64
    assert pending["versions"]["protocol"]["latest"]["status"] == "pending"
    taken = documents.history(_trail(v1, approved, submitted, v2, decided))
    assert taken["versions"]["protocol"]["in_force"]["sha256"] == "b" * 64
    refused = documents.history(_trail(v1, approved, submitted, v2, {
        "type": "AmendmentDecided", "data": {"amendment_id": "AM-1", "outcome": "rejected"}}))
    assert refused["versions"]["protocol"]["in_force"]["sha256"] == "a" * 64
    assert refused["documents"][-1]["status"] == "rejected"
