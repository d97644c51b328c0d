"""The commands that record a regulatory fact are signed: the table names real commands, each
with a meaning the manifestation states."""

from datetime import UTC, datetime

from domain.catalogue import COMMAND_ROLES
from domain.signatures import SIGNED_COMMANDS, manifestation, needs_signature


def test_every_signed_command_is_a_command_of_the_catalogue():
    assert set(SIGNED_COMMANDS) <= set(COMMAND_ROLES)


def test_the_regulatory_facts_of_issue_17_are_signed():
    for kind in ("record_ethics_opinion", "record_ansm_decision", "record_consent",
                 "declare_end"):
        assert needs_signature(kind), kind
    assert not needs_signature("assign_sponsor") and not needs_signature("correct")


def test_the_manifestation_names_the_signer_the_time_and_the_meaning():
    at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    s = manifestation("record_ethics_opinion", actor="cmartin", printed_name="Claire Martin",
                      at=at, method="oidc")
    assert s.model_dump(mode="json") == {
        "actor": "cmartin", "printed_name": "Claire Martin", "signed_at": "2026-03-01T09:30:00Z",
        "meaning": "recorded the CPP opinion", "method": "oidc"}
