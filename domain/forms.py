"""Which commands a viewer may send now: each command the role may send is tried against the
current state with plausible fields; the ones `decide` accepts are offered. The rules stay in
decide(): nothing here repeats them."""

from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from . import commands as c
from .decide import decide
from .errors import RuleViolation
from .model import Actor, Role, StudyStatus
from .regulation import CNIL_ROUTES, CONSENT_KIND, may_send
from .state import StudyState

STUDY_FORMS: dict[str, type[BaseModel]] = {
    m.model_fields["type"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in c._STUDY
}
PARTICIPANT_FORMS: dict[str, type[BaseModel]] = {
    m.model_fields["type"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in (c.RegisterParticipant, *c._PARTICIPANT)
}
# while the study runs, participants come, consent, withdraw; decide() says the rest
PARTICIPANTS_RUN = frozenset({StudyStatus.recruiting, StudyStatus.follow_up,
                              StudyStatus.suspended})
# Codes that depend only on the fields a person fills in, not on where the study is.
FIELD_RULES = {"date_out_of_order", "date_in_future", "second_review_window_closed",
               "second_review_same_committee", "protocol_version_unchanged"}


def probe(state: StudyState, kind: str, today: date) -> dict[str, Any]:
    """Plausible fields for `kind` on this study (the form's defaults)."""
    pending = [a.id for a in state.amendments.values() if a.status == "pending"]
    undeclared = [e.id for e in state.safety_events.values()]
    fields: dict[str, Any] = {"type": kind}
    for name, info in STUDY_FORMS[kind].model_fields.items():
        if name == "type":
            continue
        ann = str(info.annotation)
        if "date" in ann:
            fields[name] = today
        elif name == "route":
            fields[name] = sorted(CNIL_ROUTES[state.category])[0]
        elif name == "amendment_id":
            fields[name] = None
        elif name == "event_id":
            fields[name] = undeclared[-1] if undeclared else "SE-1"
        elif name == "opinion":
            fields[name] = "favourable"
        elif name == "decision":
            fields[name] = "authorized"
        elif name == "change":
            fields[name] = "minor"
        elif name == "kind":
            fields[name] = "susar" if kind == "report_safety_event" else CONSENT_KIND[
                state.category].value
        elif name == "document_sha256":
            fields[name] = "0" * 64
        elif name == "protocol_version":
            fields[name] = f"{state.protocol_version or '1.0'}-next"
        elif name == "committee":
            fields[name] = f"another than {state.ethics.committee}"
        elif "bool" in ann:
            fields[name] = False
        else:
            fields[name] = "-"
    if kind in ("record_ethics_opinion", "record_ansm_decision") and pending and not (
            state.ethics.submitted_on and not state.ethics.opinion):
        fields["amendment_id"] = pending[0]
    return fields


def participant_forms(state: StudyState, role: Role, today: date
                      ) -> list[tuple[str, dict[str, Any]]]:
    """The participant commands `role` may send on this study now, with the form's defaults
    (the category's consent kind, the current consent form, today)."""
    if state.status not in PARTICIPANTS_RUN:
        return []
    defaults = {"kind": CONSENT_KIND[state.category].value, "by": "participant",
                "consent_form_version": state.consent_form_version or "",
                **{n: today for n in ("consented_on", "included_on", "withdrawn_on",
                                      "objected_on")}}
    return [(kind, defaults) for kind in PARTICIPANT_FORMS if may_send(role, kind)]


def available(state: StudyState, role: Role, today: date) -> list[str]:
    """The study commands `role` may send now, in the order of the contract."""
    out = []
    actor = Actor(name="probe", role=role)
    for kind, model in STUDY_FORMS.items():
        if not may_send(role, kind):
            continue
        try:
            decide(state, model.model_validate(probe(state, kind, today)), actor, today)
        except RuleViolation as e:
            if e.code not in FIELD_RULES:
                continue
        except ValidationError:
            continue
        out.append(kind)
    return out
