"""Vocabulary of the domain: enumerations and the small value objects the state is made of."""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Category(StrEnum):
    RIPH1 = "RIPH1"  # interventional (L1121-1 1°)
    RIPH2 = "RIPH2"  # minimal risks and constraints (L1121-1 2°)
    RIPH3 = "RIPH3"  # observational / non-interventional (L1121-1 3°)
    NON_RIPH = "NON_RIPH"  # reuse of existing data, outside the Jardé law


class Framework(StrEnum):
    JARDE = "JARDE"  # French research on the human person (loi Jardé, CSP L1121-1 and after)
    EU_CTR = "EU_CTR"  # medicinal-product trials through CTIS: Regulation (EU) No 536/2014
    EU_MDR = "EU_MDR"  # device clinical investigations: Regulation (EU) 2017/745


class Role(StrEnum):
    investigator = "investigator"
    coordinator = "coordinator"
    regulatory = "regulatory"
    auditor = "auditor"
    admin = "admin"


class StudyStatus(StrEnum):
    draft = "draft"
    in_review = "in_review"
    ready = "ready"
    recruiting = "recruiting"
    follow_up = "follow_up"
    ended = "ended"
    results_reported = "results_reported"
    archived = "archived"
    suspended = "suspended"
    rejected = "rejected"
    terminated = "terminated"


# --- Sets of study statuses the rules share (one place: the domain, the workflow, the pages).
BEFORE_APPROVAL = frozenset({StudyStatus.draft, StudyStatus.in_review, StudyStatus.ready})
APPROVED_RUNNING = frozenset({StudyStatus.ready, StudyStatus.recruiting, StudyStatus.follow_up,
                              StudyStatus.suspended})
# the study runs: consents may be completed, forms change, participants withdraw or finish
RUNNING = frozenset({StudyStatus.recruiting, StudyStatus.follow_up, StudyStatus.suspended})
# nothing more happens to the study: its workflow may complete
FINISHED = frozenset({StudyStatus.archived, StudyStatus.terminated})


class Step(StrEnum):
    protocol = "protocol"
    sponsor = "sponsor"
    insurance = "insurance"
    ethics = "ethics"
    cnil = "cnil"
    ansm = "ansm"


class StepStatus(StrEnum):
    pending = "pending"
    in_progress = "in_progress"
    done = "done"
    not_required = "not_required"
    rejected = "rejected"


class DeadlineStatus(StrEnum):
    open = "open"
    met = "met"
    overdue = "overdue"
    stopped = "stopped"


class Track(StrEnum):
    """The regulatory tracks a study runs on, in the order the timeline shows them: each clock
    and milestone belongs to one."""

    ethics = "ethics"  # CPP (or the EU assessment standing in its place)
    authority = "authority"  # ANSM
    data_protection = "data_protection"  # CNIL
    sponsor_insurance = "sponsor_insurance"
    recruitment = "recruitment"  # and the participants' own clocks
    amendments = "amendments"
    vigilance = "vigilance"
    end = "end"  # end of research and results


class Periods(StrEnum):
    """How a clock counts its days to its due date."""

    calendar = "calendar"  # calendar days (the Code de la santé publique's delays)
    # Reg. (EEC, Euratom) 1182/71 art. 3(4), which governs the periods of the EU regulations:
    # calendar days, but a period that would end on a Saturday, a Sunday or a public holiday ends
    # on the next working day.
    eu = "eu"
    # ...and a CTIS evaluation timer also stands still over the winter clock stop the Member
    # States agree each year (23 December to 7 January).
    eu_evaluation = "eu_evaluation"


class Consequence(StrEnum):
    """What the law attaches to a clock running out."""

    escalate = "escalate"  # someone is late: urgent task and notification
    tacit_rejection = "tacit_rejection"  # CPP silence
    tacit_authorization = "tacit_authorization"  # ANSM silence, most products
    tacit_refusal = "tacit_refusal"  # ANSM silence, products needing express authorization
    window_closes = "window_closes"  # an option lapses (second review)
    lapse = "lapse"  # the sponsor's silence: the application is deemed withdrawn (lapses)
    tacit_acceptance = "tacit_acceptance"  # CNIL silence on an authorization request


class ConsentKind(StrEnum):
    written = "written"
    express = "express"
    non_opposition = "non_opposition"


# A stronger form of consent satisfies a weaker requirement: a written, signed consent is the
# usual proof of an express one, and whoever consents does not object (written ⊇ express ⊇
# non-opposition).
CONSENT_STRENGTH: dict[ConsentKind, int] = {
    ConsentKind.non_opposition: 0, ConsentKind.express: 1, ConsentKind.written: 2}


class ParticipantStatus(StrEnum):
    registered = "registered"
    consented = "consented"
    included = "included"  # consent valid for the current major form: in the research
    needs_reconsent = "needs_reconsent"
    withdrawn = "withdrawn"
    objected = "objected"
    completed = "completed"


# participants whose consent is in force (a new major form or majority asks them again)
CONSENT_IN_FORCE = frozenset({ParticipantStatus.consented, ParticipantStatus.included})


class ConsentBy(StrEnum):
    """Whose consent a record is."""

    participant = "participant"
    holders = "holders"  # of parental authority, for a minor (L1122-2 II)
    relative = "relative"  # emergency inclusion: a family member or trusted person (L1122-1-3)
    # the legal representative of an adult under protection (tutelle, habilitation familiale
    # with representation), or of a minor's guardian (L1122-2 II)
    representative = "representative"
    # the person, assisted by the curator (curatelle) or the person empowered (L1122-2 II)
    assisted = "assisted"


class HolderException(StrEnum):
    """When one holder of parental authority consents alone (L1122-2 II)."""

    sole_holder = "sole_holder"  # only one holder exercises parental authority
    other_holder_unavailable = "other_holder_unavailable"  # minimal-risk research only


class FormChange(StrEnum):
    major = "major"  # every active participant re-consents before going on
    minor = "minor"  # information only: consents stay valid


class Protection(StrEnum):
    """Participants the law protects (CSP L1121-5 to L1121-8, L1122-2): each with who consents
    and the conditions of their inclusion (domain/regulation.py PROTECTED)."""

    pregnant = "pregnant"  # pregnant, parturient or breastfeeding woman (L1121-5)
    deprived_of_liberty = "deprived_of_liberty"  # by a judicial or administrative decision (L1121-6)
    hospitalized_without_consent = "hospitalized_without_consent"  # psychiatric care (L1121-6)
    tutelle = "tutelle"  # adult under guardianship (L1121-8, L1122-2 II)
    curatelle = "curatelle"  # adult under curatorship (L1121-8, L1122-2 II)
    habilitation_familiale = "habilitation_familiale"  # family empowerment (L1121-8, L1122-2 II)


class DocumentKind(StrEnum):
    """The essential documents StudyFlow keeps with the facts (ICH E6(R3) appendix C): each about
    the study as a whole. Documents about one participant are not among them
    (regulation.PARTICIPANT_DOCUMENTS)."""

    protocol = "protocol"
    information_form = "information_form"  # information and consent form (blank)
    investigator_brochure = "investigator_brochure"
    insurance_certificate = "insurance_certificate"
    ethics_opinion_letter = "ethics_opinion_letter"
    ansm_decision = "ansm_decision"
    cnil_receipt = "cnil_receipt"
    amendment = "amendment"
    safety_report = "safety_report"
    end_declaration = "end_declaration"
    results_summary = "results_summary"
    convention = "convention"
    correspondence = "correspondence"  # a letter to or from an authority, a question answered


class Actor(Frozen):
    name: str
    role: Role


class Deadline(Frozen):
    """One running legal clock of a study. `name` is unique in the study; `clock` keys the
    deadline table."""

    name: str
    clock: str
    starts_on: date
    due_on: date
    status: DeadlineStatus = DeadlineStatus.open
    stopped_on: date | None = None
    stopped_days: int = 0
    closed_on: date | None = None
    extended_days: int = 0  # days the reviewing body added (R1123-44, MDR art. 75(4)...)
    periods: Periods = Periods.calendar  # how its days count (the clock's, under rules >= 2)
    alarms_sent: tuple[str, ...] = ()
    subject: str | None = None  # the amendment or safety event it belongs to
