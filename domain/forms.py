"""Which commands a viewer may send now: each study command the role may send is tried against
the current state with a blank form's values; the ones `decide` accepts are offered. The rules
stay in decide() and the catalogue: nothing here repeats them."""

from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from . import clocks
from .catalogue import CATALOGUE, PARTICIPANT_FORMS, STUDY_FORMS, may_send
from .decide import decide
from .errors import InputRefused, RuleViolation
from .model import RUNNING, Actor, Role
from .regulation import CNIL_ROUTES, CONSENT_KIND, EXTENSIONS
from .sites import SiteStatus
from .state import StudyState

__all__ = ["PARTICIPANT_FORMS", "STUDY_FORMS", "available", "participant_forms", "probe"]


def probe(state: StudyState, kind: str, today: date) -> dict[str, Any]:
    """What the form for `kind` starts with on this study: values a person would plausibly
    type (today's date, the category's CNIL route, the pending amendment...)."""
    model = STUDY_FORMS[kind]
    entry = CATALOGUE[model]
    pending = [a.id for a in state.amendments.values() if a.status == "pending"]
    reported = [e.id for e in state.safety_events.values()]
    # an opinion or a decision is on the pending amendment unless the study's own review is open
    amendment = pending[0] if pending and not (
        state.ethics.submitted_on and not state.ethics.opinion) else None
    by_name: dict[str, Any] = {
        "route": sorted(CNIL_ROUTES[state.category])[0],
        "amendment_id": amendment,
        "event_id": reported[-1] if reported else "SE-1",
        "document_sha256": "0" * 64,
        "protocol_version": f"{state.protocol_version or '1.0'}-next",
        "committee": f"another than {state.ethics.committee}",
        # a site form is on offer when there is a site it may act on
        "site": _site_for(state, kind),
        "stage": None,  # by default, the stage the study is at
        # a well-formed number, so that the form is offered while none is recorded
        "number": state.registration or "2026-A00000-00",
        "deadline": next((name for name, d in state.deadlines.items()
                          if d.clock in EXTENSIONS and clocks.is_waiting(d)), "-"),
    }
    fields: dict[str, Any] = {"type": kind}
    for name, info in model.model_fields.items():
        if name in ("type", "documents"):  # the form takes files beside its fields
            continue
        annotation = str(info.annotation)
        if name == "ends_on":  # a planned period ends after it starts
            fields[name] = today + timedelta(days=365)
        elif "date" in annotation:
            fields[name] = today
        elif entry.form and name in entry.form.defaults:
            fields[name] = entry.form.defaults[name]
        elif name in by_name:
            fields[name] = by_name[name]
        elif "bool" in annotation:
            fields[name] = False
        else:
            fields[name] = "-"
    return fields


def _site_for(state: StudyState, kind: str) -> str | None:
    """The site a blank site form names: a new code to add, the first site that may be
    activated or closed; none for the study's own plan."""
    wanted = {"activate_site": {SiteStatus.added},
              "close_site": {SiteStatus.added, SiteStatus.active}}.get(kind)
    if kind == "add_site":
        return next(f"S{n:02d}" for n in range(1, 1000) if f"S{n:02d}" not in state.sites)
    if wanted is None:
        return None
    return next((code for code, site in state.sites.items() if site.status in wanted), "-")


def participant_forms(state: StudyState, role: Role, today: date
                      ) -> list[tuple[str, dict[str, Any]]]:
    """The participant commands `role` may send on this study now, with the form's defaults
    (the category's consent kind, the current consent form, today)."""
    if state.status not in RUNNING:
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
        except InputRefused:
            pass  # refused for the values probed, not for where the study stands
        except RuleViolation:
            continue
        except ValidationError:
            continue
        out.append(kind)
    return out
