"""Words shown to people, in English, keyed by stable message keys (`command.<type>` for each
command of the catalogue, `track.<track>` for the timeline's rows, `track.<track>.<framework>`
where a framework gives a row another name). Codes never change with the language."""

MESSAGES: dict[str, str] = {
    "command.create_study": "Create a study",
    "command.submit_protocol": "Submit the protocol",
    "command.assign_sponsor": "Assign the sponsor (promoteur)",
    "command.record_insurance": "Record the insurance (assurance)",
    "command.record_registration": "Record the registration number (ID-RCB / EU CT number)",
    "command.submit_to_ethics": "Submit to the CPP (ethics committee)",
    "command.record_ethics_completeness": "CPP: file complete (dossier complet)",
    "command.ethics_request_information": "CPP: request for information, or incomplete file",
    "command.ethics_information_supplied": "CPP: information supplied, or file completed",
    "command.record_ethics_opinion": "Record the CPP opinion (avis)",
    "command.lift_ethics_conditions": "CPP: the conditions of its favourable opinion are met",
    "command.request_second_review": "Request a second review (second examen)",
    "command.record_cnil": "Record the CNIL formality (MR / autorisation)",
    "command.record_cnil_decision": "Record the CNIL's decision on the authorization",
    "command.record_processing_register": "Enter the research in the record of processing "
                                          "activities (registre)",
    "command.submit_to_ansm": "Submit to the ANSM (authorization)",
    "command.record_ansm_decision": "Record the ANSM decision",
    "command.record_ansm_objection": "ANSM: reasoned objections (the sponsor may amend once)",
    "command.amend_ansm_request": "Send the amended request to the ANSM",
    "command.extend_review": "A reviewing body extends its review (prorogation)",
    "command.notify_ansm": "Send the CPP opinion to the ANSM (information)",
    "command.inform_director": "Inform the establishment's director (before the start)",
    "command.sign_convention": "Sign the convention unique with a site",
    "command.open_recruitment": "Open recruitment",
    "command.notify_milestone": "Notify a milestone in CTIS (start, first visit, end of "
                                "recruitment)",
    "command.close_recruitment": "Close recruitment",
    "command.submit_amendment": "Submit an amendment (modification)",
    "command.report_safety_event": "Report a safety event (vigilance)",
    "command.assess_safety_event": "Sponsor's assessment of a serious adverse event",
    "command.declare_safety_event": "Declare a safety event to the ANSM",
    "command.submit_annual_safety_report": "Submit the annual safety report",
    "command.suspend": "Suspend (suspension / arrêt temporaire)",
    "command.resume": "Resume",
    "command.submit_observations": "Send the sponsor's observations to the authority",
    "command.notify_halt": "Notify the halt to the authority",
    "command.declare_end": "Declare the end of the research",
    "command.submit_end_declaration": "Send the end-of-research declaration",
    "command.report_results": "Report the results",
    "command.archive": "Archive",
    "command.issue_consent_form": "Issue a consent form version (note d'information)",
    "command.correct": "Correct a recorded fact",
    "command.register_participant": "Register a participant (code only)",
    "command.record_consent": "Record a consent (consentement)",
    "command.include": "Include (inclusion)",
    "command.reconsent": "Record a new consent (re-consent)",
    "command.withdraw_consent": "Withdrawal of consent (retrait)",
    "command.object_to_data_use": "Objection to data use (opposition)",
    "command.complete": "Participation completed",
    "command.add_site": "Add a research site (lieu de recherche)",
    "command.activate_site": "Activate a site (it may include)",
    "command.close_site": "Close a site (no more inclusions)",
    "command.set_recruitment_plan": "Set the recruitment plan (target and period)",
    "track.ethics": "Ethics — CPP",
    "track.ethics.EU_CTR": "Validation & Part I — CTIS",
    "track.ethics.EU_MDR": "Validation & authorization — MDR",
    "track.authority": "Authority — ANSM",
    "track.authority.EU_CTR": "Member State decision",
    "track.authority.EU_MDR": "Competent authority — MDR",
    "track.data_protection": "Data protection — CNIL",
    "track.sponsor_insurance": "Sponsor & insurance",
    "track.recruitment": "Recruitment",
    "track.amendments": "Amendments",
    "track.vigilance": "Vigilance",
    "track.end": "End & results",
}

# Each refusal code's rule in one sentence: `error.message` in a language other than English
# (the English message is the detailed one the rule writes). The codes never change;
# tests/test_i18n.py checks that every code raised has its sentence here.
REFUSALS: dict[str, str] = {
    "already_objected": "The participant has already objected to the use of their data.",
    "amendment_not_pending": "This amendment is not a substantial amendment awaiting decisions.",
    "ansm_already_decided": "The ANSM has already decided.",
    "ansm_already_notified": "The ANSM has already been informed.",
    "ansm_already_submitted": "The file has already been submitted to the ANSM.",
    "ansm_authorization_riph1_only": (
        "Only a RIPH1 needs an authorization from the ANSM (L1121-4); a RIPH2 or RIPH3 sends the "
        "CPP opinion for information."
    ),
    "ansm_not_submitted": "The study has not been submitted to the ANSM.",
    "ansm_notification_needs_favourable_opinion": (
        "The favourable opinion of the CPP is sent to the ANSM: record it first (L1123-7)."
    ),
    "ansm_notification_riph2_3_only": (
        "Only a RIPH2 or RIPH3 sends the CPP opinion and summary to the ANSM for information."
    ),
    "ansm_objection_jarde_only": (
        "Reasoned objections answered by an amended request are a Jardé procedure (L1123-8)."
    ),
    "ansm_objection_once": (
        "The ANSM has already objected: the sponsor may amend its request only once (L1123-8)."
    ),
    "ansm_request_already_amended": "The request to the ANSM has already been amended once (L1123-8).",
    "authentication_failed": "Sign-in failed: check the name and the password.",
    "benefit_without_protection": (
        "An inclusion condition (benefit) is recorded for a protected participant only."
    ),
    "both_holders_required": (
        "A minor needs the consent of both holders of parental authority; one alone only as sole "
        "holder."
    ),
    "cluster_trial_riph2_only": (
        "Collective information and non-opposition in place of consent are for a RIPH2 whose method"
        " rules out individual consent (L1122-1-4)."
    ),
    "cnil_authorization_needs_cpp_opinion": (
        "A CNIL authorization is requested after the favourable opinion of the CPP."
    ),
    "cnil_authorization_pending": "The CNIL's authorization awaits its decision.",
    "cnil_route_mismatch": "This CNIL formality does not fit the study's category.",
    "cnil_route_required": "Record the CNIL formality first: the register's entry names its route.",
    "conditions_on_a_favourable_opinion_only": (
        "Conditions go with a favourable opinion of the CPP (R1124-8)."
    ),
    "consent_already_recorded": "A consent is already recorded for this participant.",
    "consent_by_not_applicable": "This participant is under no protection measure: they consent themselves.",
    "consent_form_not_current": "Consent must be given on the current version of the information form.",
    "consent_form_not_issued": "Issue the information and consent form first (L1122-1, L1122-1-1).",
    "consent_kind_mismatch": "The study's category requires another kind of consent.",
    "consent_not_active": "This participant has no active consent to renew.",
    "consent_not_current_major": (
        "The participant consented to an earlier major version of the form: a new consent comes "
        "first."
    ),
    "consent_required": "Inclusion needs a valid consent (L1122-1-1).",
    "convention_already_signed": "The convention unique is already signed.",
    "convention_commercial_only": (
        "The convention unique binds a commercial sponsor's RIPH1 or RIPH2 to the site (L1121-16-1,"
        " R1121-3-1)."
    ),
    "convention_unique_required": (
        "A commercial sponsor's research includes at a site once its convention unique is signed "
        "(L1121-16-1, R1121-3-1)."
    ),
    "correction_changes_nothing": "Nothing to correct: change at least one value.",
    "csrf": "The form expired or came from elsewhere: reload the page.",
    "date_in_future": "A legal date cannot be in the future: it is the date of a fact that has happened.",
    "date_out_of_order": "This date comes before a date it must follow.",
    "director_not_informed": (
        "The sponsor informs the establishment's director before the research starts (R1123-69)."
    ),
    "document_kind_not_accepted": (
        "This command does not take a document of that kind: attach one of the kinds its form "
        "offers."
    ),
    "document_missing": (
        "The document is recorded but its file is missing from the store: run "
        "`studyflow audit verify`."
    ),
    "document_not_found": "No stored document has this fingerprint (SHA-256).",
    "document_required": (
        "This fact rests on a document (the CPP opinion letter, the insurance certificate, the ANSM "
        "decision...): attach it."
    ),
    "document_sha256_mismatch": (
        "The fingerprint typed is not the one of the protocol attached: leave it blank or give the "
        "SHA-256 of the file."
    ),
    "document_too_large": "The document is larger than the unit's limit (setting DOCUMENT_MAX_BYTES).",
    "duplicate_document": "The same document is referenced twice.",
    "emergency_not_in_protocol": (
        "Emergency inclusion with deferred consent needs a protocol that provides for it "
        "(L1122-1-3)."
    ),
    "engine_unavailable": "The workflow engine did not answer in time; send again.",
    "database_unavailable": "The database is not reachable; try again later.",
    "internal_error": "An unexpected error occurred; it has been logged.",
    "empty_document": "The file is empty.",
    "ethics_already_submitted": "The file has already been submitted to a CPP.",
    "ethics_completeness_already_recorded": (
        "The CPP's notice of completeness (recevabilité) is already recorded."
    ),
    "ethics_conditions_pending": (
        "The favourable opinion of the CPP is subject to conditions: the research starts once they "
        "are met."
    ),
    "ethics_information_already_requested": (
        "The CPP may request information only once (R1123-43, R1123-23 I)."
    ),
    "ethics_not_applicable": "A NON_RIPH study (reuse of data) does not go to a CPP: use the CNIL route.",
    "ethics_not_submitted": "The study has not been submitted to a CPP.",
    "ethics_opinion_already_recorded": "The CPP has already given its opinion.",
    "export_not_found": "No export is recorded under this number.",
    "extension_after_due_date": "A review cannot be extended after its due date.",
    "extension_too_long": "This extension is longer than the texts allow.",
    "fact_not_correctable": (
        "This event was written by the rules or the clocks, not typed by someone: it cannot be "
        "corrected."
    ),
    "fact_not_found": "No such event in this study.",
    "field_not_correctable": "This field cannot be corrected on this event.",
    "field_too_long": "A text field of the upload (kind, reason) is too long.",
    "file_required": "The upload carries no file.",
    "forbidden": "Your role may not do this.",
    "information_request_open": "The sponsor has not yet answered the request for information.",
    "invalid_correction": "The corrected value is not valid.",
    "invalid_document_name": (
        "The file name must be a plain name of at most 255 characters: no path and no control "
        "characters."
    ),
    "invalid_expiry": "A personal token expires in 1 to 365 days.",
    "invalid_payloads": "The payloads are not in the expected form.",
    "invalid_reason": "The reason must be printable text of at most 2000 characters.",
    "invalid_sha256": "A document is named by its SHA-256 fingerprint (64 hexadecimal characters).",
    "invalid_state": "This step is not possible at the study's current stage.",
    "label_required": "Name the token (what script uses it).",
    "minor_needs_holders": "The participant is a minor: the holders of parental authority consent.",
    "multipart_required": "Send the document as multipart/form-data, with its file.",
    "no_amendment_review": "No committee review runs on this amendment under this framework.",
    "no_annual_safety_report_due": (
        "The annual safety report runs from the ANSM authorization of a RIPH1 (R1123-61)."
    ),
    "no_ansm_objection": "No objection of the ANSM is recorded: there is nothing to answer (L1123-8).",
    "no_cnil_authorization_pending": "No CNIL authorization request awaits a decision.",
    "no_end_declaration_due": (
        "The declaration of the end of the research follows the end of the research, once "
        "(R1123-66)."
    ),
    "no_ethics_conditions": "The favourable opinion of the CPP has no conditions left to lift.",
    "no_extendable_review": "No running review in this study may be extended.",
    "no_information_request": "The CPP has no open request for information.",
    "no_sae_to_assess": "No serious adverse event (EIG) awaits the sponsor's assessment (R1123-49).",
    "no_second_review": "A second review by another committee is a Jardé procedure (L1123-6).",
    "no_unfavourable_opinion": "A second review follows an unfavourable CPP opinion only (L1123-6).",
    "no_validation_stage": "This framework has no completeness stage.",
    "not_a_minor": "The date of majority must be after today; an adult is registered without it.",
    "not_found": "Nothing was found at this address.",
    "oidc_not_configured": "Sign-in with a directory is not set up.",
    "outcome_acted_upon": (
        "An opinion or decision the study has acted on is changed by an amendment, not a "
        "correction."
    ),
    "participant_code_pattern": (
        "The participant code does not have the pseudonymous format of the unit (never a name or an"
        " e-mail address)."
    ),
    "participant_document_refused": (
        "A document about one participant (signed consent form, medical record, case report form)"
        " belongs in the investigator's file at the site, not in StudyFlow, which keeps "
        "pseudonymous codes only."
    ),
    "participant_exists": "This participant is already registered.",
    "participant_not_found": "No such participant in this study.",
    "processing_register_already_recorded": (
        "The research is already entered in the record of processing activities."
    ),
    "protected_participant_consent_by": (
        "For a participant under this protection measure, consent is given by someone else."
    ),
    "protected_participant_minimal_risk_only": (
        "A protected participant enters research for the benefit of others only when its risks and "
        "constraints are minimal."
    ),
    "protected_participant_needs_benefit": (
        "A protected participant enters this category only on its condition: record the expected "
        "benefit."
    ),
    "protocol_locked": (
        "The protocol can be submitted only in draft or before the CPP submission; later versions "
        "go through an amendment."
    ),
    "protocol_required": "Submit the protocol first.",
    "protocol_version_unchanged": "The amendment must bring a new protocol version.",
    "reason_required": "Give a reason: it goes to the audit trail.",
    "recruitment_not_open": "Participants are included only while the study is recruiting.",
    "registration_already_recorded": (
        "The study is already registered: a mistyped number is corrected, never registered twice."
    ),
    "registration_required": (
        "Record the registration number (ID-RCB, or EU CT number for a trial filed in CTIS) first."
    ),
    "relative_consent_emergency_only": (
        "A relative consents in the participant's place only at an emergency inclusion the protocol"
        " provides for (L1122-1-3)."
    ),
    "review_already_extended": "This review has already been extended.",
    "review_not_extendable": "This is not a running review that may be extended.",
    "role_not_allowed": "Your role may not send this command.",
    "safety_event_already_assessed": "This safety event has already been assessed.",
    "safety_event_already_declared": "This safety event has already been declared.",
    "safety_event_not_assessed": (
        "A serious adverse event (EIG) is first assessed by the sponsor; a SUSAR is then declared "
        "(R1123-49, R1123-53)."
    ),
    "same_consent_form_version": "The participant has already consented to this version.",
    "second_review_already_used": "The sponsor may ask for a second review only once (L1123-6).",
    "second_review_same_committee": "The second review is by another CPP than the first (L1123-6, R1123-25).",
    "second_review_window_closed": (
        "A second review must be requested within one month of the opinion's notification "
        "(R1123-25)."
    ),
    "signature_failed": "The directory authenticated someone else: the command was not signed.",
    "signature_required": "This command records a regulatory fact: it must be signed (authenticate again).",
    "site_already_active": "This site is already active.",
    "site_closed": "This site is closed: add it again under a new code.",
    "site_code_pattern": "The site code does not have the unit's format.",
    "site_exists": "This site is already in the study.",
    "site_not_active": "Inclusions at a site need it activated first.",
    "site_requirements_missing": "The unit's documents for this site are not all in.",
    "sponsor_locked": "The sponsor is part of the file sent to the CPP: change it by an amendment.",
    "sponsor_required": "Every RIPH needs a sponsor before the CPP submission (L1121-1).",
    "steps_incomplete": "Recruitment needs every step the category requires.",
    "study_closed": "The study is closed.",
    "study_exists": "This study already exists.",
    "study_id_required": "A study identifier is required.",
    "study_not_approved": (
        "A site is activated once the study holds every approval its category requires (L1121-4)."
    ),
    "study_not_found": "No such study.",
    "tacit_outcome_acted_upon": (
        "A second review was requested after the tacit unfavourable opinion: the first opinion can "
        "no longer replace it."
    ),
    "tacit_outcome_in_force": (
        "The deadline passed with nothing recorded: the tacit outcome stands; a later fact cannot "
        "replace it."
    ),
    "token_not_found": "You have no active token with this identifier.",
    "too_large": "The import file is too large.",
    "too_many_attempts": "Too many failed sign-ins: try again in a few minutes.",
    "too_many_items": "Too many items in one call: send them in several calls.",
    "unauthorized": "Sign in first (a valid bearer token is required).",
    "undecodable": "These payloads cannot be decoded.",
    "unknown_amendment": "No such amendment in this study.",
    "unknown_command": "This command type does not exist.",
    "unknown_document": (
        "No stored document has this fingerprint: upload the file first, then reference it."
    ),
    "unknown_document_kind": "StudyFlow does not know this document kind.",
    "unknown_fact": "No such event in this study.",
    "unknown_participant": "No such participant in this study.",
    "unknown_safety_event": "No such serious adverse event in this study.",
    "unknown_site": "No such site in this study: add it first.",
    "unknown_study": "No such study.",
    "unsupported_document_type": (
        "Documents are PDF, DOCX, ODT, XLSX, PNG, JPEG or TXT, as read from their content (not "
        "their name)."
    ),
    "validation_information_already_requested": "The file may be sent back for completion only once.",
    "vital_emergency_not_in_protocol": (
        "Inclusion before anyone's consent needs a protocol providing for the vital emergency "
        "derogation."
    ),
    "witness_required": (
        "A participant who cannot write consents before an independent witness who attests it "
        "(L1122-1-1)."
    ),
    "method_not_allowed": "This address does not accept this method.",
    "http_error": "The request could not be served.",
}
