"""A RIPH1 study's walk from draft to recruiting, as (role, command) pairs: the tests that drive
the real stack over HTTP share it."""

from typing import Any


def riph1_walk(day: str) -> list[tuple[str, dict[str, Any]]]:
    """The commands after creation, legal dates on `day` (ISO)."""
    return [
        ("investigator", {"type": "submit_protocol", "version": "1.0",
                          "document_sha256": "ab" * 32}),
        ("coordinator", {"type": "assign_sponsor", "sponsor": "AP-HP"}),
        ("regulatory", {"type": "record_insurance", "insurer": "SHAM", "policy": "P-1"}),
        ("regulatory", {"type": "submit_to_ethics", "committee": "CPP Est", "submitted_on": day}),
        ("regulatory", {"type": "submit_to_ansm", "submitted_on": day}),
        ("regulatory", {"type": "record_ethics_opinion", "opinion": "favourable",
                        "opinion_on": day}),
        ("coordinator", {"type": "record_cnil", "route": "MR-001", "reference": "R-1"}),
        ("regulatory", {"type": "record_ansm_decision", "decision": "authorized",
                        "decision_on": day}),
        ("coordinator", {"type": "open_recruitment"}),
    ]
