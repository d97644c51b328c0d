"""The regulatory facts, as data. One place for each: the workflow, the API and the tests all
read them from here. Sources: Code de la santé publique (CSP) as renumbered in 2016 (décret
2016-1537) and amended since (décret 2024-795 for express authorizations)."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .model import (
    Category,
    ConsentBy,
    ConsentKind,
    Consequence,
    DocumentKind,
    Framework,
    Frozen,
    Periods,
    Protection,
    Role,
    Step,
    Track,
)

# --- Editions of these rules. ------------------------------------------------------------------
# A study runs under the edition it was created under (StudyCreated.rules) or last adopted
# (RulesAdopted): a workflow replaying history recorded under an older edition decides as it did
# then (workflows/study.py adopts this one behind `workflow.patched`). Edition 2 (issue 15): the
# deadline table checked row by row against the texts.
RULES = 2

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
# A RIPH2 whose method is incompatible with individual consent (a cluster trial): the CPP may
# accept collective information and each person's right to object (CSP L1122-1-4); such research
# needs no express consent and falls within MR-003 (CNIL délibération 2018-154), beside MR-001.
CLUSTER_TRIAL_ROUTES = frozenset({"MR-001", "MR-003", "authorization"})
# The reference methodologies: a commitment of conformity, and an entry in the controller's
# record of processing activities (GDPR art. 30) for each research under it.
REFERENCE_METHODOLOGIES = frozenset({"MR-001", "MR-003", "MR-004"})
# Loi 78-17 art. 66 III: outside every MR, the CNIL authorizes; it decides within two months of
# the request, once renewable by a reasoned decision of its president; its silence is acceptance
# (Conseil d'État, avis 393836 on the loi 2018-493: "la décision est réputée favorable").
CNIL_AUTHORIZATION_MONTHS = 2

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
# CSP L1122-1-4: a RIPH2 cluster trial informs collectively; each person may object.
CLUSTER_TRIAL_CONSENT = ConsentKind.non_opposition


# --- Participants the law protects (CSP L1121-5 to L1121-8, L1122-2 II). ------------------
class ProtectedRule(Frozen):
    # who consents for them (ConsentBy values accepted)
    consent_by: frozenset[ConsentBy]
    source: str


# In RIPH1 and RIPH2 (L1121-1 1° and 2°) these persons are solicited only when the benefit
# expected for them (or their child) justifies the foreseeable risk, or, research with minimal
# risks and constraints only, for the benefit of others in the same situation when research of
# comparable efficacy cannot be done on another part of the population. A RIPH3 sets no such
# condition. BENEFITS: the condition a participant's inclusion records.
DIRECT_BENEFIT = "direct_benefit"  # the benefit expected for them justifies the risk
OTHERS_BENEFIT = "others_benefit"  # benefit for others in their situation; minimal risks only
BENEFITS = frozenset({DIRECT_BENEFIT, OTHERS_BENEFIT})
# the categories whose risks and constraints are minimal by definition (L1121-1 2°)
MINIMAL_RISK = frozenset({Category.RIPH2})
PROTECTED_CATEGORIES = frozenset({Category.RIPH1, Category.RIPH2})
PROTECTED: dict[Protection, ProtectedRule] = {
    # L1121-5: pregnant women, parturients, breastfeeding mothers consent themselves
    Protection.pregnant: ProtectedRule(consent_by=frozenset({ConsentBy.participant}),
                                       source="CSP L1121-5"),
    # L1121-6: persons deprived of liberty by a judicial or administrative decision, persons
    # in psychiatric care without their consent (L3212-1, L3213-1)
    Protection.deprived_of_liberty: ProtectedRule(
        consent_by=frozenset({ConsentBy.participant}), source="CSP L1121-6"),
    Protection.hospitalized_without_consent: ProtectedRule(
        consent_by=frozenset({ConsentBy.participant}), source="CSP L1121-6"),
    # L1121-8, L1122-2 II: an adult under a protection measure with representation consents
    # through the person in charge of it (the guardian); with assistance, the person consents
    # assisted by the curator
    Protection.tutelle: ProtectedRule(consent_by=frozenset({ConsentBy.representative}),
                                      source="CSP L1121-8, L1122-2 II"),
    Protection.curatelle: ProtectedRule(consent_by=frozenset({ConsentBy.assisted}),
                                        source="CSP L1121-8, L1122-2 II"),
    Protection.habilitation_familiale: ProtectedRule(
        consent_by=frozenset({ConsentBy.representative, ConsentBy.assisted}),
        source="CSP L1121-8, L1122-2 II"),
}

# --- Sites. ---------------------------------------------------------------------------------------
# CSP L1121-16-1 IV, R1121-3-1: a research of L1121-1 1° or 2° for commercial purposes in a
# health establishment is the subject of one convention ("convention unique") between the
# sponsor and the establishment, signed before its first inclusion there.
CONVENTION_CATEGORIES = frozenset({Category.RIPH1, Category.RIPH2})

# --- Vigilance. ---------------------------------------------------------------------------------
# CSP R1123-53: the sponsor declares SUSARs to the ANSM for the research of L1121-1 1°.
SUSAR_CATEGORIES = frozenset({Category.RIPH1})

# --- Essential documents: which command takes which, and which it cannot go without. -------
class DocumentRule(Frozen):
    accepts: frozenset[DocumentKind]
    # required only where the unit turns requirements on (setting DOCUMENTS_REQUIRED): a history
    # brought in from paper keeps its documents in the paper file
    requires: frozenset[DocumentKind] = frozenset()
    source: str


D = DocumentKind
# The file sent to the CPP and the ANSM: protocol, information form, investigator's brochure
# (arrêté du 2 décembre 2016 fixant le contenu du dossier, CSP R1123-20, R1123-30).
SUBMISSION_FILE = frozenset({D.protocol, D.information_form, D.investigator_brochure,
                             D.correspondence})
DOCUMENT_RULES: dict[str, DocumentRule] = {
    "submit_protocol": DocumentRule(accepts=SUBMISSION_FILE, requires=frozenset({D.protocol}),
                                    source="CSP R1123-20; ICH E6(R3) C.2"),
    # L1121-10: the sponsor's insurance, attested by the insurer's certificate (R1121-4)
    "record_insurance": DocumentRule(accepts=frozenset({D.insurance_certificate}),
                                     requires=frozenset({D.insurance_certificate}),
                                     source="CSP L1121-10, R1121-4"),
    "submit_to_ethics": DocumentRule(accepts=SUBMISSION_FILE, source="CSP R1123-20"),
    "ethics_information_supplied": DocumentRule(accepts=SUBMISSION_FILE | {D.amendment},
                                                source="CSP R1123-23 I"),
    # R1123-24: the CPP's reasoned opinion is notified in writing: its letter is the fact
    "record_ethics_opinion": DocumentRule(accepts=frozenset({D.ethics_opinion_letter}),
                                          requires=frozenset({D.ethics_opinion_letter}),
                                          source="CSP R1123-24"),
    "lift_ethics_conditions": DocumentRule(accepts=frozenset({D.ethics_opinion_letter,
                                                              D.correspondence}),
                                           source="CSP R1124-8"),
    "record_cnil": DocumentRule(accepts=frozenset({D.cnil_receipt}),
                                source="Loi 78-17 art. 66, 73"),
    "record_cnil_decision": DocumentRule(accepts=frozenset({D.cnil_receipt}),
                                         source="Loi 78-17 art. 66 III"),
    "submit_to_ansm": DocumentRule(accepts=SUBMISSION_FILE, source="CSP R1123-30"),
    # L1123-8, R1123-38: the ANSM's decision is notified to the sponsor
    "record_ansm_decision": DocumentRule(accepts=frozenset({D.ansm_decision}),
                                         requires=frozenset({D.ansm_decision}),
                                         source="CSP L1123-8, R1123-38"),
    "notify_ansm": DocumentRule(accepts=frozenset({D.ethics_opinion_letter, D.protocol}),
                                source="CSP L1121-4 al. 3"),
    "sign_convention": DocumentRule(accepts=frozenset({D.convention}),
                                    source="CSP L1121-16-1 IV"),
    # R1123-42: the request for a substantial modification, with the documents it changes
    "submit_amendment": DocumentRule(accepts=SUBMISSION_FILE | {D.amendment},
                                     requires=frozenset({D.amendment}),
                                     source="CSP L1123-9, R1123-42"),
    "issue_consent_form": DocumentRule(accepts=frozenset({D.information_form}),
                                       requires=frozenset({D.information_form}),
                                       source="CSP L1122-1"),
    "report_safety_event": DocumentRule(accepts=frozenset({D.safety_report}),
                                        source="CSP R1123-46"),
    "declare_safety_event": DocumentRule(accepts=frozenset({D.safety_report}),
                                         source="CSP R1123-53"),
    "submit_annual_safety_report": DocumentRule(accepts=frozenset({D.safety_report}),
                                                requires=frozenset({D.safety_report}),
                                                source="CSP R1123-61"),
    "declare_end": DocumentRule(accepts=frozenset({D.end_declaration}), source="CSP R1123-66"),
    "submit_end_declaration": DocumentRule(accepts=frozenset({D.end_declaration}),
                                           requires=frozenset({D.end_declaration}),
                                           source="CSP R1123-66"),
    "report_results": DocumentRule(accepts=frozenset({D.results_summary}),
                                   requires=frozenset({D.results_summary}),
                                   source="CSP R1123-67"),
}
# The documents that have versions: the page shows the one in force and the one approved.
VERSIONED_DOCUMENTS = frozenset({D.protocol, D.information_form, D.investigator_brochure})
# Documents about one participant (a signed consent form, a medical record, a case report form)
# stay in the investigator's file at the site (ICH E6(R3) C.3; CSP R1121-13): StudyFlow keeps
# pseudonymous codes only, never a document that names a person.
PARTICIPANT_DOCUMENTS = frozenset({"signed_consent", "consent_form_signed", "medical_record",
                                   "case_report_form", "identification_log"})
INVESTIGATOR_FILE = ("documents about one participant (signed consent forms, medical records, "
                     "case report forms) belong in the investigator's file at the site, not "
                     "in StudyFlow, which keeps pseudonymous codes only")
# The size limit of one document (setting DOCUMENT_MAX_BYTES) and the types accepted, by the
# media type read from the content (not from the name or the client's word).
DOCUMENT_MEDIA_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "text/plain": "TXT",
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
    # bringing running studies in with their dated history: the unit's own staff
    "import_studies": frozenset({Role.coordinator, Role.regulatory}),
    # the unit's portfolio (/reports) and the calendar of every open deadline: its managers
    "view_reports": frozenset({Role.coordinator, Role.regulatory, Role.admin}),
    "unit_calendar": frozenset({Role.coordinator, Role.regulatory, Role.admin}),
    # the study's documents and its inspection dossier: the people of the study and the
    # inspector (ICH E6(R3) C.1: direct access to the essential records); admin manages tokens
    "upload_documents": frozenset({Role.investigator, Role.coordinator, Role.regulatory}),
    "read_documents": frozenset({Role.investigator, Role.coordinator, Role.regulatory,
                                 Role.auditor}),
    "export_dossier": frozenset({Role.coordinator, Role.regulatory, Role.auditor}),
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
    periods: Periods = Periods.calendar


EU, EVALUATION = Periods.eu, Periods.eu_evaluation
# Legal days are the calendar days of France (Code de la santé publique): a clock due on a day
# runs to the end of that day in Paris, and fires at 00:00 Paris time the day after, summer
# time included (workflows/study.py, behind the "legal-days-paris" patch).
LEGAL_TIME_ZONE = ZoneInfo("Europe/Paris")


def legal_day(at: datetime) -> date:
    """The legal day of an instant: its calendar day in Paris. From 22:00 or 23:00 UTC (summer
    or winter time) it is already the next day there, whatever the UTC date or the machine's
    zone says. A naive time names no instant, so it is refused rather than guessed."""
    if at.utcoffset() is None:
        raise ValueError(f"a legal day needs an aware instant, not the naive {at.isoformat()}")
    return at.astimezone(LEGAL_TIME_ZONE).date()


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
        # CSP R1123-23 I: a file found incomplete goes back to the sponsor, who completes it
        # within 10 days or is deemed to have withdrawn it...
        Clock(id="cpp_completion", label="Sponsor completion of the file (CPP)",
              track=Track.ethics, days=10, role=Role.regulatory, at_expiry=Consequence.lapse,
              source="CSP R1123-23 I"),
        # ...and the CPP says within 5 days whether the completed file is complete.
        Clock(id="cpp_completeness_recheck", label="CPP completeness of the completed file",
              track=Track.ethics, days=5, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="CSP R1123-23 I"),
        # CSP R1123-25, L1123-6: after an unfavourable opinion the sponsor may ask, once,
        # within one month of its notification, for a second review by another CPP, designated
        # through the national platform.
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
        # CSP L1123-8: an ANSM's reasoned objections: the sponsor may amend its request, once,
        # by the date the ANSM sets; otherwise the request is rejected.
        Clock(id="ansm_objection_answer", label="Amended request after the ANSM's objections",
              track=Track.authority, role=Role.regulatory, at_expiry=Consequence.tacit_refusal,
              source="CSP L1123-8"),
        # CSP R1123-43 -> R1123-23: a substantial modification goes to the CPP: 45 days...
        Clock(id="amendment_cpp", label="CPP opinion on the amendment", track=Track.amendments,
              days=45, role=Role.regulatory, at_expiry=Consequence.tacit_rejection,
              source="CSP R1123-43, R1123-23"),
        # ...60 in all with its one request for information, suspended until the answer.
        Clock(id="amendment_cpp_with_request", label="CPP opinion on the amendment (after a "
              "request)", track=Track.amendments, days=60, role=Role.regulatory,
              at_expiry=Consequence.tacit_rejection, source="CSP R1123-43, R1123-23 I"),
        # CSP R1123-44: ANSM on a substantial modification of a RIPH1: 35 days from the
        # complete request, extendable by 10 days at most when it needs more information
        # (EXTENSIONS); silence is authorization...
        Clock(id="amendment_ansm", label="ANSM decision on the amendment", track=Track.amendments,
              days=35, role=Role.regulatory, at_expiry=Consequence.tacit_authorization,
              source="CSP R1123-44"),
        # ...except for research needing an express authorization (R1127-7 list), which R1123-44
        # leaves out: its silence is refusal.
        Clock(id="amendment_ansm_express", label="ANSM decision on the amendment (express "
              "authorization)", track=Track.amendments, days=35, role=Role.regulatory,
              at_expiry=Consequence.tacit_refusal, source="CSP R1123-44, R1127-7"),
        # CSP R1123-53 1° (RIPH1 only): a fatal or life-threatening SUSAR is declared "sans
        # délai" from the day the sponsor knows of it: due that very day, escalated at once...
        Clock(id="susar_fatal", label="Fatal / life-threatening SUSAR declaration",
              track=Track.vigilance, days=0, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="CSP R1123-53 1°, R1123-54"),
        # ...2°: any other within 15 days of the day the sponsor knows of it...
        Clock(id="susar", label="SUSAR declaration", track=Track.vigilance, days=15,
              role=Role.regulatory, at_expiry=Consequence.escalate, source="CSP R1123-53 2°"),
        # ...last al.: the follow-up report within 8 days of the first report of a fatal one, 8
        # days after the 15-day limit for the others.
        Clock(id="susar_followup", label="SUSAR follow-up report", track=Track.vigilance, days=8,
              role=Role.regulatory, at_expiry=Consequence.escalate,
              source="CSP R1123-53, R1123-54"),
        # Rules edition 1 ran the fatal SUSAR on 7 days, in every category: kept for the studies
        # whose recorded history still runs under it.
        Clock(id="susar_fatal_v1", label="Fatal / life-threatening SUSAR declaration (7 days)",
              track=Track.vigilance, days=7, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="CSP R1123-53, R1123-54 (rules edition 1)"),
        # CSP R1123-62: an urgent safety measure is followed within 15 days by a substantial
        # modification, or by the declaration of the research's end.
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
        # Reg. 536/2014 art. 36: the start of the trial, the first visit of the first subject and
        # the end of recruitment are each notified in CTIS within 15 days.
        Clock(id="ctr_start_notice", label="Start of the trial notified in CTIS",
              track=Track.recruitment, days=15, role=Role.regulatory,
              at_expiry=Consequence.escalate, source="Reg. 536/2014 art. 36(1)", periods=EU),
        Clock(id="ctr_first_visit_notice", label="First visit of the first subject notified in "
              "CTIS", track=Track.recruitment, days=15, role=Role.regulatory,
              at_expiry=Consequence.escalate, source="Reg. 536/2014 art. 36(2)", periods=EU),
        Clock(id="ctr_recruitment_end_notice", label="End of recruitment notified in CTIS",
              track=Track.recruitment, days=15, role=Role.regulatory,
              at_expiry=Consequence.escalate, source="Reg. 536/2014 art. 36(3)", periods=EU),
        # Loi 78-17 art. 66 III: outside every reference methodology the CNIL authorizes within
        # two months of the request (renewable once by its president); its silence is
        # acceptance (CNIL_AUTHORIZATION_MONTHS).
        Clock(id="cnil_authorization", label="CNIL authorization", track=Track.data_protection,
              months=CNIL_AUTHORIZATION_MONTHS, role=Role.regulatory,
              at_expiry=Consequence.tacit_acceptance, source="Loi 78-17 art. 66 III"),
        # CSP L1122-1-3: in an emergency the consent of a family member or trusted person is
        # enough to include; the participant's own consent is sought "as soon as possible"
        # (dès que possible). The law gives no number: 7 days is the unit's working limit,
        # after which the coordinator is alerted.
        Clock(id="deferred_consent",
              label="Participant's own consent after an emergency inclusion",
              track=Track.recruitment, days=7, role=Role.investigator,
              at_expiry=Consequence.escalate, source="CSP L1122-1-3 (dès que possible)"),
        # CSP L1123-11: before suspending or forbidding a research, the authority lets the
        # sponsor present its observations within one week (save imminent risk).
        Clock(id="sponsor_observations", label="Sponsor observations to the authority",
              track=Track.authority, days=7, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="CSP L1123-11"),

        # --- EU_CTR: Regulation (EU) No 536/2014, through CTIS --------------------------------
        # Every period of the regulation counts as Reg. 1182/71 says (EU: never ending on a
        # weekend or public holiday); the evaluation timers of CTIS also stop over winter
        # (EVALUATION; EMA's CTIS evaluation timelines).
        # Art. 5(3): the reporting Member State validates the application within 10 days...
        Clock(id="ctr_validation", label="CTIS validation", track=Track.ethics, days=10,
              role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 536/2014 art. 5(3)", periods=EVALUATION),
        # Art. 5(5): an incomplete file goes back to the sponsor, who completes it within 10
        # days or the application lapses; the Member State then validates within 5 days.
        Clock(id="ctr_validation_answer", label="Sponsor completion of the file (CTIS)",
              track=Track.ethics, days=10, role=Role.regulatory,
              at_expiry=Consequence.lapse, source="Reg. 536/2014 art. 5(5)", periods=EVALUATION),
        Clock(id="ctr_validation_recheck", label="CTIS validation of the completed file",
              track=Track.ethics, days=5, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 536/2014 art. 5(5)", periods=EVALUATION),
        # Art. 6(4): Part I assessment report within 45 days of the validation date...
        Clock(id="ctr_assessment", label="Part I assessment (CTIS)", track=Track.ethics, days=45,
              role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 536/2014 art. 6(4)", periods=EVALUATION),
        # ...art. 6(8): requests for information extend it by at most 31 days in all (the 12
        # the sponsor has to answer each, and the Member State's review of the answers): the
        # clock does not stop, and several requests may be made within it; art. 6(7): 50 more
        # days for an advanced therapy (EXTENSIONS).
        Clock(id="ctr_assessment_with_request", label="Part I assessment after an RFI",
              track=Track.ethics, days=45 + 31, role=Role.regulatory,
              at_expiry=Consequence.escalate, source="Reg. 536/2014 art. 6(8)", periods=EVALUATION),
        # art. 6(8): the sponsor answers within 12 days, or the application lapses.
        Clock(id="ctr_sponsor_answer", label="Sponsor answer to the RFI (CTIS)",
              track=Track.ethics, days=12, role=Role.regulatory,
              at_expiry=Consequence.lapse, source="Reg. 536/2014 art. 6(8)", periods=EVALUATION),
        # Art. 8(1): each Member State concerned decides within 5 days of the reporting date
        # (the Part I conclusion); art. 8(4): its silence makes the conclusion its decision.
        Clock(id="ctr_decision", label="Member State decision (CTIS)", track=Track.authority,
              days=5, role=Role.regulatory, at_expiry=Consequence.tacit_authorization,
              source="Reg. 536/2014 art. 8(1), 8(4)", periods=EVALUATION),
        # Art. 42(2): a fatal or life-threatening SUSAR reported within 7 days of the sponsor's
        # awareness; any other within 15 days.
        Clock(id="ctr_susar_fatal", label="Fatal / life-threatening SUSAR report (EudraVigilance)",
              track=Track.vigilance, days=7, role=Role.regulatory,
              at_expiry=Consequence.escalate, source="Reg. 536/2014 art. 42(2)(a)", periods=EU),
        Clock(id="ctr_susar", label="SUSAR report (EudraVigilance)", track=Track.vigilance,
              days=15, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 536/2014 art. 42(2)(b)", periods=EU),
        # Substantial modification of Part I: art. 17(2): validated within 6 days of the
        # submission (MODIFICATION_VALIDATION_DAYS); art. 18: assessed within 38 days of the
        # validation date, extended by at most 31 days by requests for information...
        Clock(id="ctr_modification_assessment", label="Assessment of the modification (CTIS)",
              track=Track.amendments, days=38, role=Role.regulatory,
              at_expiry=Consequence.escalate, source="Reg. 536/2014 art. 17(2), 18", periods=EVALUATION),
        Clock(id="ctr_modification_assessment_with_request",
              label="Assessment of the modification after an RFI (CTIS)",
              track=Track.amendments, days=38 + 31, role=Role.regulatory,
              at_expiry=Consequence.escalate, source="Reg. 536/2014 art. 18", periods=EVALUATION),
        # ...art. 19: each Member State decides within 5 days of the reporting date; its silence
        # makes the conclusion its decision.
        Clock(id="ctr_modification_decision", label="Member State decision on the modification",
              track=Track.amendments, days=5, role=Role.regulatory,
              at_expiry=Consequence.tacit_authorization, source="Reg. 536/2014 art. 19", periods=EVALUATION),
        # Art. 37(1), 37(4): the end of the trial is notified within 15 days...
        Clock(id="ctr_notification", label="End-of-trial notification in CTIS", track=Track.end,
              days=15, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 536/2014 art. 37", periods=EU),
        # ...art. 38(1): and so is a temporary halt.
        Clock(id="ctr_halt", label="Temporary halt notification in CTIS", track=Track.authority,
              days=15, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 536/2014 art. 38(1)", periods=EU),
        # Art. 37(4): summary of results within one year of the end of the trial.
        Clock(id="ctr_results", label="Summary of results in CTIS", track=Track.end, months=12,
              role=Role.coordinator, at_expiry=Consequence.escalate,
              source="Reg. 536/2014 art. 37(4)", periods=EU),

        # --- EU_MDR: Regulation (EU) 2017/745, device clinical investigations -------------------
        # Art. 70(1): validation within 10 days of the application.
        Clock(id="mdr_validation", label="Validation of the application (MDR)",
              track=Track.ethics, days=10, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 2017/745 art. 70(1)"),
        # Art. 70(3): an incomplete application: the sponsor completes it within 10 days, which
        # the Member State may extend by 20 at most (EXTENSIONS), or it is deemed to have
        # lapsed; art. 70(4): the Member State then validates within 5 days.
        Clock(id="mdr_validation_answer", label="Sponsor completion of the application (MDR)",
              track=Track.ethics, days=10, role=Role.regulatory, at_expiry=Consequence.lapse,
              source="Reg. 2017/745 art. 70(3)"),
        Clock(id="mdr_validation_recheck", label="Validation of the completed application (MDR)",
              track=Track.ethics, days=5, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 2017/745 art. 70(4)"),
        # Art. 70(7)(b): authorization within 45 days of the validation date, extendable by 20
        # days for consultation with experts (a request; its clock does not stop).
        Clock(id="mdr_authorization", label="Authorization of the investigation (MDR)",
              track=Track.ethics, days=45, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 2017/745 art. 70(7)(b)"),
        Clock(id="mdr_authorization_extended", label="Authorization (MDR, extended by 20 days)",
              track=Track.ethics, days=45 + 20, role=Role.regulatory,
              at_expiry=Consequence.escalate, source="Reg. 2017/745 art. 70(7)(b)"),
        # Art. 75(3): a substantial modification may be implemented 38 days after its
        # notification unless the Member State refused it or an ethics committee gave a
        # negative opinion; art. 75(4): the Member State may extend that by 7 days to consult
        # experts (EXTENSIONS).
        Clock(id="mdr_modification", label="Substantial modification (MDR)",
              track=Track.amendments, days=38, role=Role.regulatory,
              at_expiry=Consequence.tacit_authorization, source="Reg. 2017/745 art. 75(3), (4)"),
        # Art. 77(1): a temporary halt or early termination is notified within 15 days, within
        # 24 hours when it is for safety reasons.
        Clock(id="mdr_halt", label="Halt notification (MDR)", track=Track.authority, days=15,
              role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 2017/745 art. 77(1)"),
        Clock(id="mdr_halt_safety", label="Halt for safety notification (MDR)",
              track=Track.authority, days=1, role=Role.regulatory, at_expiry=Consequence.escalate,
              source="Reg. 2017/745 art. 77(1)"),
        # Art. 77(5): clinical investigation report within one year of the end, within three
        # months of an early termination or temporary halt.
        Clock(id="mdr_report", label="Clinical investigation report (MDR)", track=Track.end,
              months=12, role=Role.coordinator, at_expiry=Consequence.escalate,
              source="Reg. 2017/745 art. 77(5)"),
        Clock(id="mdr_report_early", label="Clinical investigation report after an early end "
              "(MDR)", track=Track.end, months=3, role=Role.coordinator,
              at_expiry=Consequence.escalate, source="Reg. 2017/745 art. 77(5)"),
    ]
}

# Each framework runs the same workflow: its clocks stand in the same slots (the Jardé clock
# ids). A slot mapped to None has no clock under that framework. Unlisted slots keep the Jardé
# clock (vigilance, annual report...).
FRAMEWORK_CLOCKS: dict[Framework, dict[str, str | None]] = {
    Framework.JARDE: {"halt_notification": None, "halt_notification_safety": None,
                      # no Jardé start notice clock: its delay was not found in the texts
                      "start_notice": None, "first_visit_notice": None,
                      "recruitment_end_notice": None,
                      "completeness_answer": "cpp_completion",
                      "completeness_recheck": "cpp_completeness_recheck",
                      "amendment_sponsor_answer": "sponsor_answer",
                      "end_declaration_safety": "end_declaration_early",
                      "results_early": "results"},
    Framework.EU_CTR: {
        "cpp_completeness": "ctr_validation", "completeness_answer": "ctr_validation_answer",
        "completeness_recheck": "ctr_validation_recheck", "cpp_opinion": "ctr_assessment",
        "cpp_opinion_with_request": "ctr_assessment_with_request",
        "sponsor_answer": "ctr_sponsor_answer", "second_review_window": None,
        "ansm_authorization": "ctr_decision", "ansm_express_authorization": "ctr_decision",
        "ansm_objection_answer": None,
        "amendment_cpp": "ctr_modification_assessment",
        "amendment_cpp_with_request": "ctr_modification_assessment_with_request",
        "amendment_sponsor_answer": "ctr_sponsor_answer",
        "amendment_ansm": "ctr_modification_decision",
        "amendment_ansm_express": "ctr_modification_decision",
        "susar_fatal": "ctr_susar_fatal", "susar": "ctr_susar",
        "end_declaration": "ctr_notification", "end_declaration_early": "ctr_notification",
        "end_declaration_safety": "ctr_notification",
        "halt_notification": "ctr_halt", "halt_notification_safety": "ctr_halt",
        "results": "ctr_results", "results_early": "ctr_results",
        "start_notice": "ctr_start_notice", "first_visit_notice": "ctr_first_visit_notice",
        "recruitment_end_notice": "ctr_recruitment_end_notice",
    },
    Framework.EU_MDR: {
        "cpp_completeness": "mdr_validation", "cpp_opinion": "mdr_authorization",
        "completeness_answer": "mdr_validation_answer",
        "completeness_recheck": "mdr_validation_recheck",
        "cpp_opinion_with_request": "mdr_authorization_extended",
        "second_review_window": None, "ansm_objection_answer": None,
        "ansm_authorization": "mdr_authorization",
        "ansm_express_authorization": "mdr_authorization",
        # one national clock for a modification (art. 75(3)): the ethics committee's negative
        # opinion stops it, its silence does not
        "amendment_cpp": None, "amendment_cpp_with_request": None,
        "amendment_sponsor_answer": None,
        "amendment_ansm": "mdr_modification", "amendment_ansm_express": "mdr_modification",
        "end_declaration": "mdr_halt", "end_declaration_early": "mdr_halt",
        "end_declaration_safety": "mdr_halt_safety",
        "halt_notification": "mdr_halt", "halt_notification_safety": "mdr_halt_safety",
        "results": "mdr_report", "results_early": "mdr_report_early",
        "start_notice": None, "first_visit_notice": None, "recruitment_end_notice": None,
    },
}
# The slots rules edition 1 filled otherwise (kept for the studies still running under it).
LEGACY_CLOCKS: dict[Framework, dict[str, str | None]] = {
    Framework.JARDE: {"susar_fatal": "susar_fatal_v1", "completeness_answer": None,
                      "completeness_recheck": None, "amendment_ansm_express": "amendment_ansm"},
    Framework.EU_CTR: {"amendment_cpp": "ctr_assessment", "amendment_ansm": "ctr_decision",
                       "amendment_ansm_express": "ctr_decision", "susar_fatal": "susar_fatal_v1",
                       "susar": "susar", "start_notice": None, "first_visit_notice": None,
                       "recruitment_end_notice": None},
    Framework.EU_MDR: {"completeness_answer": None, "completeness_recheck": None,
                       "amendment_cpp": "mdr_modification", "results_early": "mdr_report",
                       "end_declaration_safety": "mdr_halt", "susar_fatal": "susar_fatal_v1"},
}


def clock_for(framework: Framework, slot: str, rules: int = RULES) -> str | None:
    """The clock that runs in `slot` under `framework` (None: no such clock there), in the rules
    edition `rules`."""
    if rules < RULES and slot in LEGACY_CLOCKS[framework]:
        return LEGACY_CLOCKS[framework][slot]
    return FRAMEWORK_CLOCKS[framework].get(slot, slot)


# What the authority's clock runs from. CSP R1123-38: the ANSM's 60 days run from the complete
# file it received; Reg. 536/2014 art. 8(1): the Member State decides within 5 days of the
# reporting date, the Part I conclusion; Reg. 2017/745 art. 70(7)(b): 45 days from the
# validation date.
SUBMISSION, ASSESSMENT, VALIDATION = "submission", "assessment", "validation"
AUTHORITY_CLOCK_FROM: dict[Framework, str] = {
    Framework.JARDE: SUBMISSION, Framework.EU_CTR: ASSESSMENT, Framework.EU_MDR: VALIDATION}
# ...and on a substantial modification: R1123-44 (from the complete request), Reg. 536/2014
# art. 19 (from the reporting date), Reg. 2017/745 art. 75(3) (from the notification).
MODIFICATION_DECISION_FROM: dict[Framework, str] = {
    Framework.JARDE: SUBMISSION, Framework.EU_CTR: ASSESSMENT, Framework.EU_MDR: SUBMISSION}
# Reg. 536/2014 art. 17(2): the modification is validated within 6 days of its submission; its
# assessment (art. 18) runs from the validation date.
MODIFICATION_VALIDATION_DAYS: dict[Framework, int] = {Framework.EU_CTR: 6}
# A request for information suspends the review's clock under the Jardé law (R1123-23 I: the
# clock runs again at the answer), and the CPP makes one; Reg. 536/2014 art. 6(8), 18 extend the
# period instead, by 31 days at most in all, whatever the number of requests; so does the
# consultation of experts under Reg. 2017/745 art. 70(7)(b).
REQUEST_SUSPENDS = frozenset({Framework.JARDE})
ONE_REQUEST = frozenset({Framework.JARDE})
# The days a reviewing body may add to its own clock, by the clock it extends.
EXTENSIONS: dict[str, int] = {
    "amendment_ansm": 10,  # CSP R1123-44: "prolongé pour une durée maximale de dix jours"
    "amendment_ansm_express": 10,  # CSP R1123-44
    "mdr_modification": 7,  # Reg. 2017/745 art. 75(4): "by a further seven days"
    "mdr_validation_answer": 10,  # Reg. 2017/745 art. 70(3): to 20 days at most
    "ctr_assessment": 50,  # Reg. 536/2014 art. 6(7): advanced therapy, 50 days
    "ctr_assessment_with_request": 50,  # Reg. 536/2014 art. 6(7)
}


# Who may send each command and which command meets each clock are the command catalogue's
# (domain/catalogue.py), which reads this module: they are looked up there on first use.
if TYPE_CHECKING:
    from .catalogue import COMMAND_ROLES, MET_BY, may_send  # noqa: F401


def __getattr__(name: str) -> Any:
    if name in ("COMMAND_ROLES", "MET_BY", "may_send"):
        from . import catalogue

        return getattr(catalogue, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
