"""The regulatory facts, as data. One place for each: the workflow, the API and the tests all
read them from here. Sources: Code de la santé publique (CSP) as renumbered in 2016 (décret
2016-1537) and amended since (décret 2024-795 for express authorizations)."""

from .model import Category, ConsentKind, Consequence, Frozen, Role, Step

# --- Which steps each category needs before the first participant may be enrolled. ---------
REQUIRED_STEPS: dict[Category, frozenset[Step]] = {
    # RIPH1: sponsor (L1121-1), insurance (L1121-10), CPP opinion (L1121-4), ANSM authorization
    # (L1121-4, L1123-8), CNIL MR-001 or authorization (Loi 78-17 art. 66, 72-73).
    Category.RIPH1: frozenset(Step),
    # RIPH2: same, but ANSM only receives the CPP opinion and summary (L1121-4 al. 3).
    Category.RIPH2: frozenset(Step),
    # RIPH3: no insurance (L1121-10 covers 1° and 2° only); ANSM informed (L1121-4 al. 3).
    Category.RIPH3: frozenset(Step) - {Step.insurance},
    # Data reuse outside the Jardé law: CNIL (MR-004 or authorization via CESREES), no CPP.
    Category.NON_RIPH: frozenset({Step.protocol, Step.cnil}),
}

# --- CNIL routes that fit each category (Loi 78-17 art. 66; CNIL MR-001, MR-003, MR-004). ---
CNIL_ROUTES: dict[Category, frozenset[str]] = {
    Category.RIPH1: frozenset({"MR-001", "authorization"}),
    Category.RIPH2: frozenset({"MR-001", "authorization"}),
    Category.RIPH3: frozenset({"MR-003", "authorization"}),
    Category.NON_RIPH: frozenset({"MR-004", "authorization"}),
}

# --- Consent the law requires per category. -------------------------------------------------
CONSENT_KIND: dict[Category, ConsentKind] = {
    Category.RIPH1: ConsentKind.written,  # L1122-1-1 al. 1: free, informed, written
    Category.RIPH2: ConsentKind.express,  # L1122-1-1 al. 2: free, informed, express
    Category.RIPH3: ConsentKind.non_opposition,  # L1122-1-1 al. 3: not opposed
    Category.NON_RIPH: ConsentKind.non_opposition,  # Loi 78-17 art. 69: information, no objection
}

# --- Who may send what (CONTRACT.md). admin manages tokens, auditor only reads. -------------
_STAFF = frozenset({Role.investigator, Role.coordinator})
_REG = frozenset({Role.coordinator, Role.regulatory})
COMMAND_ROLES: dict[str, frozenset[Role]] = {
    "create_study": frozenset({Role.investigator, Role.coordinator, Role.regulatory}),
    "submit_protocol": _STAFF,
    "assign_sponsor": _REG,
    "record_insurance": _REG,
    "submit_to_ethics": _REG,
    "record_ethics_completeness": _REG,
    "ethics_request_information": _REG,
    "ethics_information_supplied": _REG,
    "record_ethics_opinion": _REG,
    "request_second_review": _REG,
    "record_cnil": _REG,
    "submit_to_ansm": frozenset({Role.regulatory}),
    "record_ansm_decision": frozenset({Role.regulatory}),
    "notify_ansm": frozenset({Role.regulatory}),
    "open_recruitment": frozenset({Role.coordinator}),
    "close_recruitment": frozenset({Role.coordinator}),
    "submit_amendment": _STAFF,
    "report_safety_event": _STAFF,
    "declare_safety_event": frozenset({Role.regulatory}),
    "submit_annual_safety_report": frozenset({Role.regulatory}),
    "suspend": _REG,
    "resume": _REG,
    "declare_end": _REG,
    "submit_end_declaration": _REG,
    "report_results": _REG,
    "archive": frozenset({Role.coordinator}),
    # participant commands
    "register_participant": _STAFF,
    "record_consent": _STAFF,
    "withdraw_consent": _STAFF,
    "object_to_data_use": _STAFF,
    "reconsent": _STAFF,
    "complete": _STAFF,
}
# --- Operator actions: not study commands, audited in the operations stream. -----------------
OPERATOR_ROLES: dict[str, frozenset[Role]] = {
    # ICH E6(R3) / 21 CFR 11.10(b): inspectors and staff obtain accurate, complete copies
    "export_audit": frozenset({Role.auditor, Role.admin, Role.coordinator, Role.regulatory}),
    "write_checkpoint": frozenset({Role.auditor, Role.admin}),
    "manage_tokens": frozenset({Role.admin}),
    "reset_workflow": frozenset({Role.admin}),
    # the Temporal UI shows decrypted payloads only to those who may read the whole record
    "decode_payloads": frozenset({Role.auditor, Role.admin}),
}


def may_operate(role: Role, action: str) -> bool:
    return role in OPERATOR_ROLES.get(action, frozenset())


READ_ROLES = frozenset(Role)  # every role may read; auditor reads the audit trail too


def may_send(role: Role, command_type: str) -> bool:
    return role in COMMAND_ROLES.get(command_type, frozenset())


# --- The deadline table. ---------------------------------------------------------------------
class Clock(Frozen):
    id: str
    label: str
    days: int = 0
    months: int = 0
    role: Role  # who must act while it runs
    at_expiry: Consequence
    source: str


REMINDER_DAYS_BEFORE = (7, 1)  # reminders 7 days and 1 day before a clock falls due

CLOCKS: dict[str, Clock] = {
    c.id: c
    for c in [
        # CSP R1123-23 I: the CPP checks the file is complete and says so within 10 days.
        Clock(id="cpp_completeness", label="CPP completeness notice", days=10,
              role=Role.regulatory, at_expiry=Consequence.escalate, source="CSP R1123-23 I"),
        # CSP R1123-23 I: opinion within 45 days of the completeness notice; silence is an
        # unfavourable opinion (rejection). Never auto-approve.
        Clock(id="cpp_opinion", label="CPP opinion", days=45, role=Role.regulatory,
              at_expiry=Consequence.tacit_rejection, source="CSP R1123-23 I"),
        # CSP R1123-23 I: with its one request for information the CPP has 60 days in all, the
        # clock suspended from the request until the sponsor's answer.
        Clock(id="cpp_opinion_with_request", label="CPP opinion (after a request)", days=60,
              role=Role.regulatory, at_expiry=Consequence.tacit_rejection,
              source="CSP R1123-23 I"),
        # CSP R1123-23 I: the sponsor answers the CPP's request within 12 days.
        Clock(id="sponsor_answer", label="Sponsor answer to the CPP", days=12,
              role=Role.regulatory, at_expiry=Consequence.escalate, source="CSP R1123-23 I"),
        # CSP R1123-25, L1123-6: after an unfavourable opinion the sponsor may ask, once,
        # within one month, for a second review by another CPP.
        Clock(id="second_review_window", label="Second review request window", months=1,
              role=Role.regulatory, at_expiry=Consequence.window_closes,
              source="CSP R1123-25, L1123-6"),
        # CSP R1123-38: ANSM decides on a RIPH1 within 60 days of the complete file, not
        # suspended by its questions; silence is authorization...
        Clock(id="ansm_authorization", label="ANSM authorization", days=60,
              role=Role.regulatory, at_expiry=Consequence.tacit_authorization,
              source="CSP R1123-38"),
        # ...except for the products on the R1127-7 list (décret 2024-795), whose silence is
        # refusal.
        Clock(id="ansm_express_authorization", label="ANSM express authorization", days=60,
              role=Role.regulatory, at_expiry=Consequence.tacit_refusal,
              source="CSP R1123-38, R1127-7 (décret 2024-795)"),
        # CSP R1123-43 -> R1123-23: a substantial modification goes to the CPP: 45 days.
        Clock(id="amendment_cpp", label="CPP opinion on the amendment", days=45,
              role=Role.regulatory, at_expiry=Consequence.tacit_rejection,
              source="CSP R1123-43, R1123-23"),
        # CSP R1123-44: ANSM on a substantial modification of a RIPH1: 35 days, silence is
        # authorization.
        Clock(id="amendment_ansm", label="ANSM decision on the amendment", days=35,
              role=Role.regulatory, at_expiry=Consequence.tacit_authorization,
              source="CSP R1123-44"),
        # CSP R1123-53/54: a fatal or life-threatening SUSAR is declared "sans délai": due the
        # day it is known, escalated at once; any other SUSAR within 15 days; a follow-up
        # report within 8 more days.
        Clock(id="susar_fatal", label="Fatal / life-threatening SUSAR declaration", days=0,
              role=Role.regulatory, at_expiry=Consequence.escalate,
              source="CSP R1123-53, R1123-54"),
        Clock(id="susar", label="SUSAR declaration", days=15, role=Role.regulatory,
              at_expiry=Consequence.escalate, source="CSP R1123-53"),
        Clock(id="susar_followup", label="SUSAR follow-up report", days=8, role=Role.regulatory,
              at_expiry=Consequence.escalate, source="CSP R1123-53, R1123-54"),
        # CSP R1123-62: an urgent safety measure is followed within 15 days by a substantial
        # modification (or the end declaration).
        Clock(id="urgent_measure_followup", label="Amendment after an urgent safety measure",
              days=15, role=Role.coordinator, at_expiry=Consequence.escalate,
              source="CSP R1123-62"),
        # CSP R1123-61: annual safety report, each year from the ANSM authorization date.
        Clock(id="annual_safety_report", label="Annual safety report", months=12,
              role=Role.regulatory, at_expiry=Consequence.escalate, source="CSP R1123-61"),
        # CSP R1123-66: end-of-research declaration within 90 days (15 days if early, with
        # reasons).
        Clock(id="end_declaration", label="End-of-research declaration", days=90,
              role=Role.regulatory, at_expiry=Consequence.escalate, source="CSP R1123-66"),
        Clock(id="end_declaration_early", label="Early end-of-research declaration", days=15,
              role=Role.regulatory, at_expiry=Consequence.escalate, source="CSP R1123-66"),
        # CSP R1123-67: final report and results summary within one year of the end.
        Clock(id="results", label="Final report and results summary", months=12,
              role=Role.coordinator, at_expiry=Consequence.escalate, source="CSP R1123-67"),
    ]
}


# The command that meets each clock (what a reminder asks staff to do).
MET_BY: dict[str, str] = {
    "cpp_completeness": "record_ethics_completeness", "cpp_opinion": "record_ethics_opinion",
    "cpp_opinion_with_request": "record_ethics_opinion",
    "sponsor_answer": "ethics_information_supplied",
    "second_review_window": "request_second_review",
    "ansm_authorization": "record_ansm_decision",
    "ansm_express_authorization": "record_ansm_decision",
    "amendment_cpp": "record_ethics_opinion", "amendment_ansm": "record_ansm_decision",
    "susar": "declare_safety_event", "susar_fatal": "declare_safety_event",
    "susar_followup": "declare_safety_event", "urgent_measure_followup": "submit_amendment",
    "annual_safety_report": "submit_annual_safety_report",
    "end_declaration": "submit_end_declaration", "end_declaration_early": "submit_end_declaration",
    "results": "report_results",
}
