"""Malformed input in plain words, per field: which field, what it expects (the format, the
allowed values), in the caller's language. The raw pydantic message stays out of sight."""

from typing import Any

from domain.commands import (
    PARTICIPANT_COMMAND_TYPES,
    PRINTABLE,
    REGISTRATION,
    STUDY_COMMAND_TYPES,
)
from i18n import N_
from i18n import gettext as _

# the command types, which a discriminated union puts in an error's location
_TAGS = {*STUDY_COMMAND_TYPES, *PARTICIPANT_COMMAND_TYPES}

# the field's words in the forms; a field not listed shows its name with spaces
FIELD_NAMES: dict[str, str] = {
    "reason": N_("Reason"), "title": N_("Title"), "category": N_("Category"),
    "investigator": N_("Investigator"), "document_sha256": N_("Document fingerprint (SHA-256)"),
    "version": N_("Version"), "sponsor": N_("Sponsor"), "insurer": N_("Insurer"), "policy": N_("Policy number"),
    "committee": N_("Committee (CPP)"), "submitted_on": N_("Submitted on"), "opinion": N_("Opinion"),
    "opinion_on": N_("Opinion on"), "decision": N_("Decision"), "decision_on": N_("Decision on"),
    "route": N_("CNIL route"), "reference": N_("Reference"), "kind": N_("Kind"),
    "occurred_on": N_("Occurred on"), "fatal_or_life_threatening": N_("Fatal or life-threatening"),
    "event_id": N_("Safety event"), "declared_on": N_("Declared on"), "ended_on": N_("Ended on"),
    "early": N_("Early end"), "reported_on": N_("Reported on"), "consented_on": N_("Consented on"),
    "consent_form_version": N_("Consent form version"), "code": N_("Participant code"),
    "number": N_("Registration number"), "amendment_id": N_("Amendment"), "holders": N_("Holders"),
    "sole_holder": N_("Sole holder of parental authority"), "majority_on": N_("Majority on"),
    "substantial": N_("Substantial"), "description": N_("Description"),
    "protocol_version": N_("Protocol version"), "requested_on": N_("Requested on"),
    "supplied_on": N_("Supplied on"), "sent_on": N_("Sent on"), "site": N_("Site"), "name": N_("Name"),
    "activated_on": N_("Activated on"), "closed_on": N_("Closed on"), "target": N_("Target"),
    "starts_on": N_("Starts on"), "ends_on": N_("Ends on"), "withdrawn_on": N_("Withdrawn on"),
    "included_on": N_("Included on"), "questions": N_("Questions"), "type": N_("Command"),
    "agreement_signed_on": N_("Agreement signed on"), "answer_by": N_("Answer by"),
    "assessed_on": N_("Assessed on"), "aware_on": N_("Sponsor aware on"),
    "behind_percent": N_("Alert when behind by (%)"), "benefit": N_("Expected benefit"),
    "by": N_("Consent given by"), "change": N_("Change"), "cluster_trial": N_("Cluster trial"),
    "commercial": N_("Commercial purpose"), "completed_on": N_("Completed on"),
    "conditions": N_("Conditions"), "days": N_("Days"), "deadline": N_("Deadline"),
    "emergency": N_("Emergency inclusion"),
    "emergency_inclusion": N_("The protocol provides for emergency inclusion"),
    "entered_on": N_("Entered on"), "entry": N_("Register entry"),
    "express_authorization": N_("Express authorization"), "for_safety": N_("For safety"),
    "healthy_volunteer": N_("Healthy volunteer"), "holder_exception": N_("Exception (one holder)"),
    "informed_on": N_("Informed on"), "initiation_visit_on": N_("Initiation visit on"),
    "issued_on": N_("Issued on"), "lifted_on": N_("Lifted on"), "milestone": N_("Milestone"),
    "no_relative_present": N_("No relative present"), "notified_on": N_("Notified on"),
    "objected_on": N_("Objected on"), "opened_on": N_("Opened on"),
    "platform_file": N_("National platform file"), "protection": N_("Protection measure"),
    "reasons": N_("Reasons"), "signed_on": N_("Signed on"), "stage": N_("Stage"),
    "susar": N_("SUSAR"), "suspended_on": N_("Suspended on"),
    "unable_to_write": N_("Unable to write"), "vital_emergency": N_("Vital emergency"),
    "witnessed": N_("Witnessed"),
    # the other fields of the events' data (the audit trail's columns, a correction's notice)
    "by_command": N_("Superseded by the command"), "catch_up": N_("Catch-up needed"),
    "cause": N_("Cause"), "changes": N_("Changes"), "command": N_("Command"),
    "consequence": N_("Consequence"), "data_kept_until": N_("Data kept until"),
    "days_before": N_("Days before the due date"), "documents": N_("Documents"),
    "due_on": N_("Due on"), "event_type": N_("Corrected fact"),
    "framework": N_("Legal framework"), "from_status": N_("From the stage"),
    "included": N_("Included"), "lapsed_on": N_("Lapsed on"), "on": N_("Legal date"),
    "outcome": N_("Outcome"), "planned": N_("Planned"), "previous": N_("Previous values"),
    "rules": N_("Rules edition"), "second_review": N_("Second review"),
    "seq": N_("Audit sequence"), "study_id": N_("Study"),
    "superseded_on": N_("Superseded on"), "superseded_version": N_("Superseded version"),
    "tacit": N_("Tacit (by silence)"), "to_status": N_("To the stage"),
}


# the formats a pattern asks for, in words (the pattern itself is for developers)
FORMATS: dict[str, str] = {
    PRINTABLE: N_("printable text, without control characters"),
    r"^[0-9a-fA-F]{64}$": N_("the document's SHA-256 fingerprint: 64 characters 0-9 and a-f"),
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$": N_("a code of letters, digits, '.', '_' or '-' "
                                           "(32 characters at most)"),
    REGISTRATION: N_("an ID-RCB (2026-A01234-56) or an EU CT number (2026-512345-12-00)"),
}


def field_name(name: str) -> str:
    return _(FIELD_NAMES[name]) if name in FIELD_NAMES else name.replace("_", " ")


def _expected(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return _("is required")
    if kind == "extra_forbidden":
        return _("is not a field of this command")
    if kind in ("literal_error", "enum"):
        return _("must be one of: {values}").format(values=ctx.get("expected", ""))
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return _("does not have the expected format: {format}").format(
            format=_(FORMATS[pattern]) if pattern in FORMATS else pattern)
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("expects a date, dd/mm/yyyy or yyyy-mm-dd")
    if kind.startswith("int"):
        return _("expects a whole number")
    if kind.startswith("float"):
        return _("expects a number")
    if kind.startswith("bool"):
        return _("expects yes or no")
    if kind in ("string_too_short", "too_short"):
        return _("must not be empty")
    if kind in ("string_too_long", "too_long"):
        return _("is too long")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return _("is out of the allowed range")
    if kind == "union_tag_invalid":
        return _("must be one of: {values}").format(values=ctx.get("expected_tags", ""))
    if kind == "value_error":
        return str(err.get("msg", "")).removeprefix("Value error, ")
    return _("is not valid")


def plain(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{"loc", "field", "msg"}]: the field as the form names it, the message in words."""
    out = []
    for err in errors:
        loc = [x for x in err.get("loc", ()) if x not in ("body",)]
        # a discriminated union puts the command type in the location: not a field
        names = [str(x) for x in loc if isinstance(x, str) and x not in _TAGS]
        field = names[-1] if names else ""
        # a field the command lacks is named as typed, so that the typo shows
        shown = field if err.get("type") == "extra_forbidden" else field_name(field)
        msg = _("{field}: {problem}").format(field=shown, problem=_expected(err)) if field \
            else _expected(err)
        out.append({"loc": list(err.get("loc", ())), "field": field, "msg": msg})
    return out


def message(details: list[dict[str, Any]]) -> str:
    return "; ".join(d["msg"] for d in details)


def whole_number(text: str | None) -> int | None:
    """A whole number typed in a form field or a header: ASCII digits only, else None (str's
    isdigit() takes "²", which int() refuses)."""
    return int(text) if text and text.isascii() and text.isdigit() else None
