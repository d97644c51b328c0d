"""Electronic signatures (21 CFR Part 11 §11.50, §11.70, §11.200; EU GMP Annex 11 §14): the
commands that record a regulatory fact or a consent are signed by the person who sends them,
with a fresh authentication at that moment, and the event carries the signature's
manifestation: the signer's printed name, the date and time (UTC) and the meaning of the
signature. Which commands, and what signing each of them means, is this table."""

from datetime import datetime
from typing import Literal

from .model import Frozen

# command type -> the meaning of the signature, as the manifestation states it
SIGNED_COMMANDS: dict[str, str] = {
    "record_ethics_opinion": "recorded the CPP opinion",
    "record_ansm_decision": "recorded the ANSM decision",
    "record_cnil": "recorded the CNIL formality",
    "record_consent": "recorded the participant's consent",
    "reconsent": "recorded the participant's renewed consent",
    "withdraw_consent": "recorded the participant's withdrawal of consent",
    "declare_safety_event": "declared the safety event to the authorities",
    "declare_end": "declared the end of the study",
    "submit_end_declaration": "approved the end-of-study declaration",
    "report_results": "approved the results summary",
}

# how the signer authenticated again at signing
Method = Literal["password+totp", "password", "oidc", "sign-token"]


class Signature(Frozen):
    """The manifestation kept with a signed event (and covered by its hash)."""

    actor: str  # the account that signed (the event's actor)
    printed_name: str
    signed_at: datetime  # UTC
    meaning: str
    method: Method


def needs_signature(command_type: str) -> bool:
    return command_type in SIGNED_COMMANDS


def meaning(command_type: str) -> str:
    return SIGNED_COMMANDS[command_type]


def manifestation(command_type: str, *, actor: str, printed_name: str, at: datetime,
                  method: Method) -> Signature:
    """The signature of `command_type` by `actor` at `at` (UTC, given: the domain has no
    clock)."""
    return Signature(actor=actor, printed_name=printed_name, signed_at=at,
                     meaning=SIGNED_COMMANDS[command_type], method=method)
