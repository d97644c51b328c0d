"""Sample studies as data, written once: a RIPH1 study's walk from draft to recruiting and a
participant's inclusion, as (role, command) steps. The tests, the benchmarks and the demo adapt
these steps to their channel (HTTP calls, engine updates, the domain's decide, a browser)
instead of writing the walk again; dates are parameters so that each can place it in time."""

from datetime import date
from typing import Any

Step = tuple[str, dict[str, Any]]  # (the role that sends it, the command with its "type")

PROTOCOL_SHA256 = "ab" * 32
COMMITTEE = "CPP Île-de-France I"
REGISTRATION = "2026-A01234-56"  # the research's ID-RCB
CONSENT_FORM = "1.0"  # the information and consent form's first version
STUDY: dict[str, Any] = {"title": "ASPIRE - aspirine à faible dose après une naissance prématurée",
                         "category": "RIPH1", "investigator": "Pr. Claire Martin"}


def _iso(day: date | str) -> str:
    return day.isoformat() if isinstance(day, date) else day


def riph1_walk(on: date | str, *, submitted_on: date | str | None = None,
               ansm_submitted_on: date | str | None = None,
               opinion_on: date | str | None = None, decision_on: date | str | None = None,
               completeness_on: date | str | None = None,
               ansm_notified_on: date | str | None = None,
               opened_on: date | str | None = None,
               committee: str = COMMITTEE, registration: str = REGISTRATION) -> list[Step]:
    """The commands after creation that take a RIPH1 study to recruiting; every legal date is
    `on` unless given. The registration number comes first (every submission names it); the
    first information and consent form is issued, and the establishment's director informed, at
    the opinion, before recruitment opens.
    `completeness_on` adds the CPP's completeness notice (its clock met); `ansm_notified_on`
    adds the opinion sent to the ANSM for information, the RIPH2/RIPH3 step (refused for a
    RIPH1: for walks adapted to the other categories); without `opened_on`, recruitment opens
    the day it is recorded."""
    ethics_on = _iso(submitted_on or on)
    steps: list[Step] = [
        ("investigator", {"type": "submit_protocol", "version": "1.0",
                          "document_sha256": PROTOCOL_SHA256}),
        ("coordinator", {"type": "assign_sponsor", "sponsor": "AP-HP"}),
        ("regulatory", {"type": "record_insurance", "insurer": "Relyens",
                        "policy": "RC-2026-0042"}),
        ("coordinator", {"type": "record_registration", "number": registration}),
        ("regulatory", {"type": "submit_to_ethics", "committee": committee,
                        "submitted_on": ethics_on}),
    ]
    if completeness_on:
        steps.append(("regulatory", {"type": "record_ethics_completeness",
                                     "notified_on": _iso(completeness_on)}))
    steps += [
        ("regulatory", {"type": "submit_to_ansm",
                        "submitted_on": _iso(ansm_submitted_on or submitted_on or on)}),
        ("regulatory", {"type": "record_ethics_opinion", "opinion": "favourable",
                        "opinion_on": _iso(opinion_on or on)}),
    ]
    if ansm_notified_on:
        steps.append(("regulatory", {"type": "notify_ansm", "sent_on": _iso(ansm_notified_on)}))
    steps += [
        ("coordinator", {"type": "record_cnil", "route": "MR-001", "reference": "MR001-2026-117"}),
        ("regulatory", {"type": "record_ansm_decision", "decision": "authorized",
                        "decision_on": _iso(decision_on or on)}),
        ("investigator", {"type": "issue_consent_form", "version": CONSENT_FORM,
                          "change": "major", "issued_on": _iso(opinion_on or on)}),
        # the establishment's director hears of the research before it starts (R1123-69)
        ("coordinator", {"type": "inform_director", "informed_on": _iso(opinion_on or on)}),
        ("coordinator", {"type": "open_recruitment",
                         **({"opened_on": _iso(opened_on)} if opened_on else {})}),
    ]
    return steps


def inclusion(code: str, on: date | str) -> list[Step]:
    """A participant of a recruiting RIPH1 study: registered under a pseudonymous code, written
    consent to form version 1.0, included, all on `on`."""
    day = _iso(on)
    return [
        ("investigator", {"type": "register_participant", "code": code}),
        ("investigator", {"type": "record_consent", "code": code, "kind": "written",
                          "consent_form_version": CONSENT_FORM, "consented_on": day}),
        ("investigator", {"type": "include", "code": code, "included_on": day}),
    ]


def until(steps: list[Step], command_type: str | None) -> list[Step]:
    """The steps before the first `command_type` (all of them if it is not there)."""
    types = [command["type"] for _, command in steps]
    return steps[:types.index(command_type)] if command_type in types else list(steps)


def only(steps: list[Step], *command_types: str) -> list[Step]:
    return [(role, command) for role, command in steps if command["type"] in command_types]


def without(steps: list[Step], *command_types: str) -> list[Step]:
    return [(role, command) for role, command in steps if command["type"] not in command_types]


def http_call(study_id: str, command: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Where the HTTP API takes a command: (path, body without what the path says)."""
    base = f"/api/studies/{study_id}"
    if command["type"] == "register_participant":
        return f"{base}/participants", {k: v for k, v in command.items() if k != "type"}
    if "code" in command:
        body = {k: v for k, v in command.items() if k != "code"}
        return f"{base}/participants/{command['code']}/commands", body
    return f"{base}/commands", command


# --- the sample study's documents: (command type, kind, file name, title, lines) -------------
DOCUMENTS: list[tuple[str, str, str, str, list[str]]] = [
    ("submit_protocol", "protocol", "ASPIRE-protocole-v1.0.pdf", "ASPIRE - Protocole v1.0",
     ["Essai randomise, aspirine a faible dose apres naissance prematuree.",
      "Promoteur : AP-HP. Investigateur coordonnateur : Pr. Claire Martin."]),
    ("issue_consent_form", "information_form", "ASPIRE-note-information-v1.0.pdf",
     "Note d'information et formulaire de consentement v1.0",
     ["Version vierge, approuvee par le CPP (aucune donnee de participant)."]),
    ("record_insurance", "insurance_certificate", "attestation-assurance-Relyens.txt",
     "Attestation d'assurance", ["Relyens, police RC-2026-0042 (CSP L1121-10)."]),
    ("record_ethics_opinion", "ethics_opinion_letter", "avis-CPP-favorable.pdf",
     "Avis favorable du CPP Ile-de-France I", ["Avis rendu sur le dossier complet (R1123-24)."]),
    ("record_ansm_decision", "ansm_decision", "decision-ANSM-autorisation.pdf",
     "Decision d'autorisation de l'ANSM", ["Autorisation de la recherche (L1123-8)."]),
    ("record_cnil", "cnil_receipt", "engagement-conformite-MR-001.txt",
     "Engagement de conformite MR-001", ["Reference MR001-2026-117."]),
]


def document_file(name: str, title: str, lines: list[str]) -> bytes:
    """A small sample document: a PDF (fpdf2) or a text file, by its name."""
    if name.endswith(".txt"):
        return "\n".join([title, "", *lines, ""]).encode()
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
