"""The regulatory facts, as data. One place for each: the workflow, the API and the tests all
read them from here. Sources: Code de la santé publique (CSP) as renumbered in 2016 (décret
2016-1537) and amended since (décret 2024-795 for express authorizations)."""

from typing import TYPE_CHECKING, Any

from .model import Category, ConsentKind, Consequence, Framework, Frozen, Role, Step, Track

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
class ConsentRule(Frozen):
    kind: ConsentKind
    # the participant who cannot write consents before a witness, independent of the
    # investigator and the sponsor, who attests it
    witness_if_unable_to_write: bool
    # a minor: both holders of parental authority consent; one alone when the other cannot be
    # reached in time, for minimal-risk research only (a sole holder always suffices)
    one_holder_if_other_unavailable: bool
    source: str


CONSENT_RULES: dict[Category, ConsentRule] = {
    # L1122-1-1 al. 1: free, informed and written consent; al. 1 in fine: when the person cannot
    # write, it is attested by a trusted person, a family member or a third party independent
    # of the investigator and the sponsor. L1122-2 II: both holders of parental authority.
    Category.RIPH1: ConsentRule(kind=ConsentKind.written, witness_if_unable_to_write=True,
                                one_holder_if_other_unavailable=False,
                                source="CSP L1122-1-1 al. 1, L1122-2 II"),
    # L1122-1-1 al. 2: free, informed and express consent. L1122-2 II al. 2: for research with
    # minimal risks and constraints one holder may consent when the other cannot in time.
    Category.RIPH2: ConsentRule(kind=ConsentKind.express, witness_if_unable_to_write=False,
                                one_holder_if_other_unavailable=True,
                                source="CSP L1122-1-1 al. 2, L1122-2 II"),
    # L1122-1-1 al. 3: informed and not opposed; L1122-2 II: the holders do not object.
    Category.RIPH3: ConsentRule(kind=ConsentKind.non_opposition, witness_if_unable_to_write=False,
                                one_holder_if_other_unavailable=True,
                                source="CSP L1122-1-1 al. 3, L1122-2 II"),
    # Loi 78-17 art. 69-70 (reuse of data, MR-004): individual information, no objection.
    Category.NON_RIPH: ConsentRule(kind=ConsentKind.non_opposition,
                                   witness_if_unable_to_write=False,
                                   one_holder_if_other_unavailable=True,
                                   source="Loi 78-17 art. 69-70"),
}
CONSENT_KIND: dict[Category, ConsentKind] = {c: r.kind for c, r in CONSENT_RULES.items()}

# --- Operator actions: not study commands, audited in the operations stream. -----------------
OPERATOR_ROLES: dict[str, frozenset[Role]] = {
    # ICH E6(R3) / 21 CFR 11.10(b): inspectors and staff obtain accurate, complete copies
    "export_audit": frozenset({Role.auditor, Role.admin, Role.coordinator, Role.regulatory}),
    "write_checkpoint": frozenset({Role.auditor, Role.admin}),
    "manage_tokens": frozenset({Role.admin}),
    "reset_workflow": frozenset({Role.admin}),
    # the Temporal UI shows decrypted payloads only to those who may read the whole record
    "decode_payloads": frozenset({Role.auditor, Role.admin}),
    # bringing running studies in with their dated history: the unit's own staff
    "import_studies": frozenset({Role.coordinator, Role.regulatory}),
}


def may_operate(role: Role, action: str) -> bool:
    return role in OPERATOR_ROLES.get(action, frozenset())


READ_ROLES = frozenset(Role)  # every role may read; auditor reads the audit trail too


# --- The deadline table. ---------------------------------------------------------------------
class Clock(Frozen):
    id: str
    label: str
    track: Track  # the timeline row it runs on
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
        Clock(id="cpp_completeness", label="CPP completeness notice", track=Track.ethics, days=10,
              role=Role.regulatory, at_expiry=Consequence.escalate, source="CSP R1123-23 I"),
        # CSP R1123-23 I: opinion within 45 days of the completeness notice; silence is an
        # unfavourable opinion (rejection). Never auto-approve.
        Clock(id="cpp_opinion", label="CPP opinion", track=Track.ethics, days=45,
              role=Role.regulatory, at_expiry=Consequence.tacit_rejection,
              source="CSP R1123-23 I"),
        # CSP R1123-23 I: with its one request for information the CPP has 60 days in all, the
        # clock suspended from the request until the sponsor's answer.
        Clock(id="cpp_opinion_with_request", label="CPP opinion (after a request)",
              track=Track.ethics, days=60, role=Role.regulatory,
              at_expiry=Consequence.tacit_rejection, source="CSP R1123-23 I"),
        # CSP R1123-23 I: the sponsor answers the CPP's request within 12 days.
        Clock(id="sponsor_answer", label="Sponsor answer to the CPP", track=Track.ethics, days=12,
              role=Role.regulatory, at_expiry=Consequence.escalate, source="CSP R1123-23 I"),
        # CSP R1123-25, L1123-6: after an unfavourable opinion the sponsor may ask, once,
        # within one month, for a second review by another CPP.
        Clock(id="second_review_window", label="Second review request window", track=Track.ethics,
              months=1, role=Role.regulatory, at_expiry=Consequence.window_closes,
              source="CSP R1123-25, L1123-6"),
        # CSP R1123-38: ANSM decides on a RIPH1 within 60 days of the complete file, not
        # suspended by its questions; silence is authorization...
        Clock(id="ansm_authorization", label="ANSM authorization", track=Track.authority, days=60,
              role=Role.regulatory, at_expiry=Consequence.tacit_authorization,
              source="CSP R1123-38"),
        # ...except for the products on the R1127-7 list (décret 2024-795), whose silence is
        # refusal.
        Clock(id="ansm_express_authorization", label="ANSM express authorization",
              track=Track.authority, days=60, role=Role.regulatory,
              at_expiry=Consequence.tacit_refusal,
              source="CSP R1123-38, R1127-7 (décret 2024-795)"),
        # CSP R1123-43 -> R1123-23: a substantial modification goes to the CPP: 45 days.
        Clock(id="amendment_cpp", label="CPP opinion on the amendment", track=Track.amendments,
              days=45, role=Role.regulatory, at_expiry=Consequence.tacit_rejection,
              source="CSP R1123-43, R1123-23"),
        # CSP R1123-44: ANSM on a substantial modification of a RIPH1: 35 days, silence is
        # authorization.
        Clock(id="amendment_ansm", label="ANSM decision on the amendment", track=Track.amendments,
              days=35, role=Role.regulatory, at_expiry=Consequence.tacit_authorization,
              source="CSP R1123-44"),
        # CSP R1123-53/54 (and Regulation 536/2014 art. 42, Annex III 2.4): a fatal or
        # life-threatening SUSAR is declared without delay and at the latest within 7 days;
        # any other within 15 days; a follow-up report within 8 more days.
        Clock(id="susar_fatal", label="Fatal / life-threatening SUSAR declaration",
              track=Track.vigilance, days=7, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="CSP R1123-53, R1123-54; Reg. 536/2014 art. 42"),
        Clock(id="susar", label="SUSAR declaration", track=Track.vigilance, days=15,
              role=Role.regulatory, at_expiry=Consequence.escalate, source="CSP R1123-53"),
        Clock(id="susar_followup", label="SUSAR follow-up report", track=Track.vigilance, days=8,
              role=Role.regulatory, at_expiry=Consequence.escalate,
              source="CSP R1123-53, R1123-54"),
        # CSP R1123-62: an urgent safety measure is followed within 15 days by a substantial
        # modification (or the end declaration).
        Clock(id="urgent_measure_followup", label="Amendment after an urgent safety measure",
              track=Track.vigilance, days=15, role=Role.coordinator,
              at_expiry=Consequence.escalate, source="CSP R1123-62"),
        # CSP R1123-61: annual safety report, each year from the ANSM authorization date.
        Clock(id="annual_safety_report", label="Annual safety report", track=Track.vigilance,
              months=12, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="CSP R1123-61"),
        # CSP R1123-66: end-of-research declaration within 90 days (15 days if early, with
        # reasons).
        Clock(id="end_declaration", label="End-of-research declaration", track=Track.end, days=90,
              role=Role.regulatory, at_expiry=Consequence.escalate, source="CSP R1123-66"),
        Clock(id="end_declaration_early", label="Early end-of-research declaration",
              track=Track.end, days=15, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="CSP R1123-66"),
        # CSP R1123-67: final report and results summary within one year of the end.
        Clock(id="results", label="Final report and results summary", track=Track.end, months=12,
              role=Role.coordinator, at_expiry=Consequence.escalate, source="CSP R1123-67"),
        # CSP L1122-1-2: in an emergency the consent of a family member or trusted person is
        # enough to include; the participant's own consent is sought "as soon as possible"
        # (dès que possible). The law gives no number: 7 days is the unit's working limit,
        # after which the coordinator is alerted.
        Clock(id="deferred_consent",
              label="Participant's own consent after an emergency inclusion",
              track=Track.recruitment, days=7, role=Role.investigator,
              at_expiry=Consequence.escalate, source="CSP L1122-1-2 (dès que possible)"),
        # CSP L1123-11: before suspending or forbidding a research, the authority lets the
        # sponsor present its observations within one week (save imminent risk).
        Clock(id="sponsor_observations", label="Sponsor observations to the authority",
              track=Track.authority, days=7, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="CSP L1123-11"),

        # --- EU_CTR: Regulation (EU) No 536/2014, through CTIS --------------------------------
        # Art. 5(3): the reporting Member State validates the application within 10 days...
        Clock(id="ctr_validation", label="CTIS validation", track=Track.ethics, days=10,
              role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 536/2014 art. 5(3)"),
        # Art. 5(5): an incomplete file goes back to the sponsor, who completes it within 10
        # days or the application lapses; the Member State then validates within 5 days.
        Clock(id="ctr_validation_answer", label="Sponsor completion of the file (CTIS)",
              track=Track.ethics, days=10, role=Role.regulatory,
              at_expiry=Consequence.tacit_rejection, source="Reg. 536/2014 art. 5(5)"),
        Clock(id="ctr_validation_recheck", label="CTIS validation of the completed file",
              track=Track.ethics, days=5, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 536/2014 art. 5(5)"),
        # Art. 6(4): Part I assessment report within 45 days of the validation date...
        Clock(id="ctr_assessment", label="Part I assessment (CTIS)", track=Track.ethics, days=45,
              role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 536/2014 art. 6(4)"),
        # ...art. 6(8): with a request for information, by at most 31 more days; the clock
        # stops while the sponsor answers, within 12 days, or the application lapses.
        Clock(id="ctr_assessment_with_request", label="Part I assessment after an RFI",
              track=Track.ethics, days=45 + 31, role=Role.regulatory,
              at_expiry=Consequence.escalate, source="Reg. 536/2014 art. 6(8)"),
        Clock(id="ctr_sponsor_answer", label="Sponsor answer to the RFI (CTIS)",
              track=Track.ethics, days=12, role=Role.regulatory,
              at_expiry=Consequence.tacit_rejection, source="Reg. 536/2014 art. 6(8)"),
        # Art. 8(1): each Member State concerned decides within 5 days of the reporting date;
        # art. 8(4): silence makes the conclusion on Part I its decision.
        Clock(id="ctr_decision", label="Member State decision (CTIS)", track=Track.authority,
              days=5, role=Role.regulatory, at_expiry=Consequence.tacit_authorization,
              source="Reg. 536/2014 art. 8(1), 8(4)"),
        # Art. 37(1), 37(4): the end of the trial is notified within 15 days...
        Clock(id="ctr_notification", label="End-of-trial notification in CTIS", track=Track.end,
              days=15, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 536/2014 art. 37"),
        # ...art. 38(1): and so is a temporary halt.
        Clock(id="ctr_halt", label="Temporary halt notification in CTIS", track=Track.authority,
              days=15, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 536/2014 art. 38(1)"),
        # Art. 37(4): summary of results within one year of the end of the trial.
        Clock(id="ctr_results", label="Summary of results in CTIS", track=Track.end, months=12,
              role=Role.coordinator, at_expiry=Consequence.escalate,
              source="Reg. 536/2014 art. 37(4)"),

        # --- EU_MDR: Regulation (EU) 2017/745, device clinical investigations -------------------
        # Art. 70(1): validation within 10 days of the application.
        Clock(id="mdr_validation", label="Validation of the application (MDR)",
              track=Track.ethics, days=10, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 2017/745 art. 70(1)"),
        # Art. 70(7)(b): authorization within 45 days of the validation date, extendable by 20
        # days for consultation with experts.
        Clock(id="mdr_authorization", label="Authorization of the investigation (MDR)",
              track=Track.ethics, days=45, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 2017/745 art. 70(7)(b)"),
        Clock(id="mdr_authorization_extended", label="Authorization (MDR, extended by 20 days)",
              track=Track.ethics, days=45 + 20, role=Role.regulatory,
              at_expiry=Consequence.escalate, source="Reg. 2017/745 art. 70(7)(b)"),
        # Art. 75(3): a substantial modification may be implemented 38 days after its
        # notification unless the Member State refused it.
        Clock(id="mdr_modification", label="Substantial modification (MDR)",
              track=Track.amendments, days=38, role=Role.regulatory,
              at_expiry=Consequence.tacit_authorization, source="Reg. 2017/745 art. 75(3)"),
        # Art. 77(1): a temporary halt or early termination is notified within 15 days, within
        # 24 hours when it is for safety reasons.
        Clock(id="mdr_halt", label="Halt notification (MDR)", track=Track.authority, days=15,
              role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 2017/745 art. 77(1)"),
        Clock(id="mdr_halt_safety", label="Halt for safety notification (MDR)",
              track=Track.authority, days=1, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 2017/745 art. 77(1)"),
        # Art. 77(5): clinical investigation report within one year of the end.
        Clock(id="mdr_report", label="Clinical investigation report (MDR)", track=Track.end,
              months=12, role=Role.coordinator, at_expiry=Consequence.escalate,
              source="Reg. 2017/745 art. 77(5)"),
    ]
}

# Each framework runs the same workflow: its clocks stand in the same slots (the Jardé clock
# ids). A slot mapped to None has no clock under that framework. Unlisted slots keep the Jardé
# clock (vigilance, annual report...).
FRAMEWORK_CLOCKS: dict[Framework, dict[str, str | None]] = {
    Framework.JARDE: {"halt_notification": None, "halt_notification_safety": None,
                      "completeness_answer": None, "completeness_recheck": None},
    Framework.EU_CTR: {
        "cpp_completeness": "ctr_validation", "completeness_answer": "ctr_validation_answer",
        "completeness_recheck": "ctr_validation_recheck", "cpp_opinion": "ctr_assessment",
        "cpp_opinion_with_request": "ctr_assessment_with_request",
        "sponsor_answer": "ctr_sponsor_answer", "second_review_window": None,
        "ansm_authorization": "ctr_decision", "ansm_express_authorization": "ctr_decision",
        "amendment_cpp": "ctr_assessment", "amendment_ansm": "ctr_decision",
        "end_declaration": "ctr_notification", "end_declaration_early": "ctr_notification",
        "halt_notification": "ctr_halt", "halt_notification_safety": "ctr_halt",
        "results": "ctr_results",
    },
    Framework.EU_MDR: {
        "cpp_completeness": "mdr_validation", "cpp_opinion": "mdr_authorization",
        "completeness_answer": None, "completeness_recheck": None,
        "cpp_opinion_with_request": "mdr_authorization_extended",
        "second_review_window": None,
        "ansm_authorization": "mdr_authorization",
        "ansm_express_authorization": "mdr_authorization",
        "amendment_cpp": "mdr_modification", "amendment_ansm": "mdr_modification",
        "end_declaration": "mdr_halt", "end_declaration_early": "mdr_halt",
        "halt_notification": "mdr_halt", "halt_notification_safety": "mdr_halt_safety",
        "results": "mdr_report",
    },
}


def clock_for(framework: Framework, slot: str) -> str | None:
    """The clock that runs in `slot` under `framework` (None: no such clock there)."""
    return FRAMEWORK_CLOCKS[framework].get(slot, slot)


# Who may send each command and which command meets each clock are the command catalogue's
# (domain/catalogue.py), which reads this module: they are looked up there on first use.
if TYPE_CHECKING:
    from .catalogue import COMMAND_ROLES, MET_BY, may_send  # noqa: F401


def __getattr__(name: str) -> Any:
    if name in ("COMMAND_ROLES", "MET_BY", "may_send"):
        from . import catalogue

        return getattr(catalogue, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
