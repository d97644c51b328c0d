"""Participants: registration under a pseudonymous code, consent as the category requires it
(CSP L1122-1-1), minors and the holders of parental authority (L1122-2 II), emergencies and
deferred consent (L1122-1-3), consent form versions and re-consent, inclusion, withdrawal,
objection to the use of the data, completion."""

from datetime import date

from .. import clocks
from .. import commands as c
from .. import events as ev
from ..model import (
    CONSENT_IN_FORCE,
    CONSENT_STRENGTH,
    RUNNING,
    ConsentBy,
    ConsentKind,
    FormChange,
    HolderException,
    ParticipantStatus,
    StudyStatus,
)
from ..regulation import (
    CLUSTER_TRIAL_CONSENT,
    CONSENT_KIND,
    CONSENT_RULES,
    CONVENTION_CATEGORIES,
    DIRECT_BENEFIT,
    MINIMAL_RISK,
    PROTECTED,
    PROTECTED_CATEGORIES,
)
from ..state import Participant, StudyState
from .rules import not_before, require, require_input
from .sites import require_site_includes
from .updates import (
    Mutators,
    close_deadlines,
    current_rules,
    framework_deadline,
    mutator,
    open_deadlines,
    update_participant,
    updated,
)

DEFERRED_CONSENT = "deferred_consent."  # + participant code: own consent after an emergency
RECRUITING = frozenset({StudyStatus.recruiting})  # new participants come in only then


# --- decide -----------------------------------------------------------------------------------
def _participant(s: StudyState, code: str) -> Participant:
    participant = s.participants.get(code)
    require(participant, "unknown_participant", f"no participant {code} in this study")
    assert participant is not None
    return participant


def _recruiting(s: StudyState) -> None:
    require(s.status in RECRUITING, "recruitment_not_open",
            f"participants are included only while recruiting (the study is {s.status.value})")


def register_participant(s: StudyState, cmd: c.RegisterParticipant) -> list[ev.Event]:
    _recruiting(s)
    require(cmd.code not in s.participants, "participant_exists",
            f"participant {cmd.code} is already registered")
    require(not cmd.emergency or s.emergency_inclusion, "emergency_not_in_protocol",
            "emergency inclusion with deferred consent needs a protocol that provides for it "
            "(L1122-1-3): submit the protocol with emergency_inclusion")
    require(not cmd.no_relative_present or (cmd.emergency and s.vital_emergency),
            "vital_emergency_not_in_protocol",
            "inclusion before anyone's consent, no relative being present, needs an emergency "
            "inclusion under a protocol providing for the derogation of an immediate "
            "life-threatening emergency (L1122-1-3): submit the protocol with vital_emergency")
    require_site_includes(s, cmd.site)
    _protected(s, cmd)
    return [ev.ParticipantRegistered(code=cmd.code, majority_on=cmd.majority_on,
                                     emergency=cmd.emergency, site=cmd.site,
                                     no_relative_present=cmd.no_relative_present,
                                     healthy_volunteer=cmd.healthy_volunteer,
                                     protection=cmd.protection, benefit=cmd.benefit)]


def _protected(s: StudyState, cmd: c.RegisterParticipant) -> None:
    """A person the law protects enters a RIPH1 or RIPH2 only on the condition of their
    category (L1121-5 to L1121-8): the benefit expected for them justifies the risk, or, in
    research with minimal risks and constraints only, the benefit for others in their
    situation."""
    require_input(cmd.benefit is None or cmd.protection is not None, "benefit_without_protection",
                  "an inclusion condition (benefit) is recorded for a protected participant only")
    if cmd.protection is None or s.category not in PROTECTED_CATEGORIES:
        return
    source = PROTECTED[cmd.protection].source
    require(cmd.benefit, "protected_participant_needs_benefit",
            f"a {cmd.protection.value.replace('_', ' ')} participant enters a "
            f"{s.category.value} only on its condition ({source}): record the benefit expected "
            "for them (direct_benefit), or, in minimal-risk research, for others in their "
            "situation (others_benefit)")
    require(cmd.benefit == DIRECT_BENEFIT or s.category in MINIMAL_RISK,
            "protected_participant_minimal_risk_only",
            f"research for the benefit of others in their situation includes a "
            f"{cmd.protection.value.replace('_', ' ')} participant only when its risks and "
            f"constraints are minimal, not in a {s.category.value} ({source})")


def needed_kind(s: StudyState) -> ConsentKind:
    """The consent the study requires: its category's, or non-opposition after collective
    information in a RIPH2 cluster trial (L1122-1-4)."""
    if s.cluster_trial and current_rules(s):
        return CLUSTER_TRIAL_CONSENT
    return CONSENT_KIND[s.category]


def _consent_kind(s: StudyState, kind: ConsentKind) -> ConsentKind:
    """The kind recorded: as given when it satisfies the study's requirement, a stronger form
    satisfying a weaker one (written ⊇ express ⊇ non-opposition); before rules edition 2 the
    required kind exactly."""
    needed = needed_kind(s)
    if not current_rules(s):
        require(kind is needed, "consent_kind_mismatch",
                f"a {s.category.value} study needs {needed.value} consent, not {kind.value} "
                f"({CONSENT_RULES[s.category].source})")
        return needed
    stronger = [k.value for k in ConsentKind if CONSENT_STRENGTH[k] > CONSENT_STRENGTH[needed]]
    require(CONSENT_STRENGTH[kind] >= CONSENT_STRENGTH[needed], "consent_kind_mismatch",
            f"a {s.category.value} study needs {needed.value} consent"
            + (f" (or a stronger form: {', '.join(stronger)})" if stronger else "")
            + f", not {kind.value} ({CONSENT_RULES[s.category].source})")
    return kind


def _consent_rules(s: StudyState, p: Participant, cmd: c.ConsentDetails,
                   kind: ConsentKind) -> None:
    """Who consents, how, on which form: the consent rules of the study's category."""
    rule = CONSENT_RULES[s.category]
    require(s.consent_form_version is not None or not current_rules(s),
            "consent_form_not_issued", "the person consents on a version of the information "
            "and consent form: issue it first (issue_consent_form; L1122-1, L1122-1-1)")
    require(s.consent_form_version is None or cmd.consent_form_version == s.consent_form_version,
            "consent_form_not_current", "consent must be given on the current information form "
            f"(version {s.consent_form_version}), not {cmd.consent_form_version}")
    minor = p.majority_on is not None and cmd.consented_on < p.majority_on
    if minor:
        require(cmd.by is ConsentBy.holders, "minor_needs_holders",
                f"{p.code} is a minor until {p.majority_on}: the holders of parental authority "
                f"consent ({rule.source})")
        # L1122-2 II: one holder when the other cannot be reached in time, only in research
        # with minimal risks and constraints on a minor who is not a healthy volunteer
        unavailable = rule.one_holder_if_other_unavailable and not p.healthy_volunteer
        one_suffices = (cmd.holder_exception is HolderException.sole_holder
                        or (cmd.holder_exception is HolderException.other_holder_unavailable
                            and unavailable))
        alone = (" or when the other cannot be reached in time" if unavailable else
                 " (a healthy volunteer: no other exception)" if p.healthy_volunteer else
                 " (this category allows no other exception)")
        require(cmd.holders == 2 or (cmd.holders == 1 and one_suffices), "both_holders_required",
                "a minor needs the consent of both holders of parental authority; one alone "
                f"only as sole holder{alone} ({rule.source})")
    else:
        require(cmd.by is not ConsentBy.holders, "not_a_minor",
                f"{p.code} is not a minor on {cmd.consented_on}: they consent themselves")
        _protected_consent(p, cmd)
    if cmd.by is ConsentBy.relative:
        require(p.emergency and (p.status is ParticipantStatus.registered
                                 or _included_before_consent(p)),
                "relative_consent_emergency_only",
                "a relative consents in the participant's place only at an emergency inclusion "
                "the protocol provides for (L1122-1-3)")
    if cmd.unable_to_write:
        # a written consent, whatever the category's minimum, is attested by a witness
        written = kind is ConsentKind.written if current_rules(s) else (
            rule.witness_if_unable_to_write)
        require(written and cmd.witnessed, "witness_required",
                "a participant who cannot write consents before a witness independent of the "
                "investigator and the sponsor, who attests it (CSP L1122-1-1 al. 1)"
                if written else
                f"a {kind.value} consent is not written: unable_to_write does not apply")


def _protected_consent(p: Participant, cmd: c.ConsentDetails) -> None:
    """Who consents for an adult the law protects (L1122-2 II): the guardian for a measure with
    representation, the person assisted by the curator for one with assistance."""
    if cmd.by is ConsentBy.relative:
        return  # an emergency inclusion (L1122-1-3) has its own rule
    if p.protection is None or p.protection not in PROTECTED:
        require(cmd.by not in (ConsentBy.representative, ConsentBy.assisted),
                "consent_by_not_applicable",
                f"{p.code} is under no protection measure: they consent themselves")
        return
    rule = PROTECTED[p.protection]
    require(cmd.by in rule.consent_by, "protected_participant_consent_by",
            f"for a participant under {p.protection.value.replace('_', ' ')}, consent is given "
            f"by: {' or '.join(sorted(b.value for b in rule.consent_by))} ({rule.source})")


def _consent_event(s: StudyState, p: Participant, cmd: c.ConsentDetails,
                   kind: ConsentKind) -> ev.ConsentRecorded:
    not_before(cmd.consented_on, p.consented_on, "the consent", "the previous consent")
    not_before(cmd.consented_on, s.recruitment_opened_on, "the consent",
               "the opening of recruitment")
    if current_rules(s) and s.ethics.opinion == "favourable":
        # the research begins only after the CPP's favourable opinion (L1121-4)
        not_before(cmd.consented_on, s.ethics.opinion_on, "the consent",
                   "the CPP's favourable opinion")
    return ev.ConsentRecorded(code=p.code, kind=kind,
                              consent_form_version=cmd.consent_form_version,
                              consented_on=cmd.consented_on, by=cmd.by, witnessed=cmd.witnessed,
                              holders=cmd.holders, holder_exception=cmd.holder_exception)


def _included_before_consent(p: Participant) -> bool:
    """Included in an immediate life-threatening emergency, no relative present (L1122-1-3):
    the person, or the relatives, are asked for their consent as soon as possible."""
    return p.no_relative_present and p.consented_on is None and p.included_on is not None


def record_consent(s: StudyState, cmd: c.RecordConsent) -> list[ev.Event]:
    p = _participant(s, cmd.code)
    deferred = (p.consent_by is ConsentBy.relative and cmd.by is ConsentBy.participant
                ) or _included_before_consent(p)
    require(s.status in RECRUITING or (deferred and s.status in RUNNING),
            "recruitment_not_open",
            f"consents are collected only while recruiting (the study is {s.status.value})")
    kind = _consent_kind(s, cmd.kind)
    require(p.status in (ParticipantStatus.registered, ParticipantStatus.needs_reconsent)
            or (deferred and p.status in CONSENT_IN_FORCE),
            "consent_already_recorded", f"{cmd.code} is {p.status.value}")
    _consent_rules(s, p, cmd, kind)
    return [_consent_event(s, p, cmd, kind)]


def reconsent(s: StudyState, cmd: c.Reconsent) -> list[ev.Event]:
    p = _participant(s, cmd.code)
    require(s.status in RUNNING, "invalid_state",
            f"re-consent is collected while the study runs (it is {s.status.value})")
    require(p.status in (*CONSENT_IN_FORCE, ParticipantStatus.needs_reconsent),
            "consent_not_active", f"{cmd.code} is {p.status.value}: nothing to re-consent")
    require(p.status is ParticipantStatus.needs_reconsent
            or cmd.consent_form_version != p.consent_form_version, "same_consent_form_version",
            f"{cmd.code} already consented to version {p.consent_form_version}")
    # the kind of the consent it renews (the study's, when none is recorded)
    kind = p.consent_kind if p.consent_kind and current_rules(s) else needed_kind(s)
    _consent_rules(s, p, cmd, kind)
    return [_consent_event(s, p, cmd, kind)]


def include(s: StudyState, cmd: c.Include) -> list[ev.Event]:
    _recruiting(s)
    p = _participant(s, cmd.code)
    if (current_rules(s) and p.no_relative_present and p.status is ParticipantStatus.registered):
        # the derogation of an immediate life-threatening emergency (L1122-1-3)
        return [ev.ParticipantIncluded(code=cmd.code, included_on=cmd.included_on)]
    require(p.status is ParticipantStatus.consented, "consent_required",
            f"{cmd.code} is {p.status.value}: inclusion needs a valid consent (L1122-1-1)")
    require(p.consent_major == s.consent_form_major, "consent_not_current_major",
            f"{cmd.code} consented to a form before major version {s.consent_form_major}: "
            "re-consent first")
    not_before(cmd.included_on, p.consented_on, "the inclusion", "the consent")
    require_site_includes(s, p.site, cmd.included_on)
    if current_rules(s) and s.commercial and s.category in CONVENTION_CATEGORIES:
        signed = s.conventions.get(p.site or "")
        where = f"site {p.site}" if p.site else "the establishment"
        require(signed is not None and signed <= cmd.included_on, "convention_unique_required",
                f"a commercial sponsor's research includes at {where} once its convention "
                "unique is signed (sign_convention; L1121-16-1, R1121-3-1)"
                + (f": signed only on {signed}" if signed else ""))
    return [ev.ParticipantIncluded(code=cmd.code, included_on=cmd.included_on)]


def withdraw_consent(s: StudyState, cmd: c.WithdrawConsent) -> list[ev.Event]:
    p = _participant(s, cmd.code)
    require(p.status in (ParticipantStatus.registered, *CONSENT_IN_FORCE,
                         ParticipantStatus.needs_reconsent), "consent_not_active",
            f"{cmd.code} is {p.status.value}: there is no consent to withdraw")
    not_before(cmd.withdrawn_on, p.consented_on, "the withdrawal", "the consent")
    return [ev.ConsentWithdrawn(code=cmd.code, withdrawn_on=cmd.withdrawn_on,
                                data_kept_until=cmd.withdrawn_on)]


def object_to_data_use(s: StudyState, cmd: c.ObjectToDataUse) -> list[ev.Event]:
    p = _participant(s, cmd.code)
    require(not p.objected, "already_objected",
            f"{cmd.code} already objected to the use of their data")
    return [ev.DataUseObjected(code=cmd.code, objected_on=cmd.objected_on)]


def complete(s: StudyState, cmd: c.CompleteParticipation) -> list[ev.Event]:
    p = _participant(s, cmd.code)
    require(p.status in CONSENT_IN_FORCE, "consent_not_active",
            f"{cmd.code} is {p.status.value}: only a participant with a valid consent completes")
    not_before(cmd.completed_on or date.max, p.included_on or p.consented_on, "the completion",
               "the inclusion")
    return [ev.ParticipationCompleted(code=cmd.code, completed_on=cmd.completed_on)]


def issue_consent_form(s: StudyState, cmd: c.IssueConsentForm) -> list[ev.Event]:
    require(s.status not in (StudyStatus.ended, StudyStatus.results_reported,
                             StudyStatus.archived, StudyStatus.terminated, StudyStatus.rejected),
            "invalid_state", f"no new consent form once the study is {s.status.value}")
    require(cmd.version != s.consent_form_version, "same_consent_form_version",
            f"version {cmd.version} is already the current form")
    return [ev.ConsentFormIssued(version=cmd.version, change=cmd.change, issued_on=cmd.issued_on)]


def reconsent_due(s: StudyState) -> list[Participant]:
    """Minors consented for by their parents, whose majority comes: the participant consents
    in their own name (L1122-2 II: the research goes on only with the adult's consent)."""
    return [p for p in s.participants.values() if p.majority_on
            and p.status in CONSENT_IN_FORCE and p.consent_by is ConsentBy.holders]


# --- evolve -----------------------------------------------------------------------------------
def on_registered(s: StudyState, e: ev.ParticipantRegistered) -> StudyState:
    return update_participant(s, e.code, majority_on=e.majority_on, emergency=e.emergency,
                              site=e.site, healthy_volunteer=e.healthy_volunteer,
                              no_relative_present=e.no_relative_present,
                              protection=e.protection, benefit=e.benefit)


def on_consent_recorded(s: StudyState, e: ev.ConsentRecorded) -> StudyState:
    included = s.participants[e.code].included_on
    deferred = DEFERRED_CONSENT + e.code
    if e.by is ConsentBy.relative:  # the participant's own consent is now awaited
        s = open_deadlines(s, clocks.open_deadline(deferred, "deferred_consent", e.consented_on,
                                                   subject=e.code))
    else:
        s = close_deadlines(s, [deferred], e.consented_on)
    if current_rules(s) and "notice.first_visit" not in s.deadlines:
        # Reg. 536/2014 art. 36(2): the first visit of the first subject, notified in 15 days
        s = open_deadlines(s, framework_deadline(s, "notice.first_visit", "first_visit_notice",
                                                 e.consented_on, subject=e.code))
    status = ParticipantStatus.included if included else ParticipantStatus.consented
    return update_participant(s, e.code, status=status, consent_kind=e.kind,
                              consent_form_version=e.consent_form_version,
                              consent_major=s.consent_form_major, consent_by=e.by,
                              consented_on=e.consented_on, reconsent_cause=None)


def on_included(s: StudyState, e: ev.ParticipantIncluded) -> StudyState:
    p = s.participants[e.code]
    if p.no_relative_present and p.consented_on is None:
        # included before anyone's consent: it is sought as soon as possible (L1122-1-3)
        s = open_deadlines(s, clocks.open_deadline(DEFERRED_CONSENT + e.code, "deferred_consent",
                                                   e.included_on, subject=e.code))
    return update_participant(s, e.code, status=ParticipantStatus.included,
                              included_on=e.included_on)


def on_reconsent_required(s: StudyState, e: ev.ReconsentRequired) -> StudyState:
    return update_participant(s, e.code, status=ParticipantStatus.needs_reconsent,
                              reconsent_cause=e.cause)


def on_consent_form_issued(s: StudyState, e: ev.ConsentFormIssued) -> StudyState:
    s = updated(s, consent_form_version=e.version)
    if e.change is not FormChange.major:
        return s
    cause = f"major consent form version {e.version}"
    # those who consented on this very version (before it was recorded as issued) keep their
    # consent: asking them again on the same form would loop
    same = {code: p.model_copy(update={"consent_major": e.version})
            for code, p in s.participants.items()
            if current_rules(s) and p.status in CONSENT_IN_FORCE
            and p.consent_form_version == e.version}
    return updated(s, consent_form_major=e.version, participants={
        **s.participants, **{
            code: p.model_copy(update={"status": ParticipantStatus.needs_reconsent,
                                       "reconsent_cause": cause})
            for code, p in s.participants.items()
            if p.status in CONSENT_IN_FORCE and code not in same}, **same})


def on_consent_withdrawn(s: StudyState, e: ev.ConsentWithdrawn) -> StudyState:
    s = close_deadlines(s, [DEFERRED_CONSENT + e.code], e.withdrawn_on)
    return update_participant(s, e.code, status=ParticipantStatus.withdrawn,
                              withdrawn_on=e.withdrawn_on)


def on_data_use_objected(s: StudyState, e: ev.DataUseObjected) -> StudyState:
    return update_participant(s, e.code, status=ParticipantStatus.objected, objected=True)


def on_completed(s: StudyState, e: ev.ParticipationCompleted) -> StudyState:
    return update_participant(s, e.code, status=ParticipantStatus.completed,
                              completed_on=e.completed_on)


EVOLVE: Mutators = dict([
    mutator(ev.ParticipantRegistered, on_registered),
    mutator(ev.ConsentRecorded, on_consent_recorded),
    mutator(ev.ParticipantIncluded, on_included),
    mutator(ev.ReconsentRequired, on_reconsent_required),
    mutator(ev.ConsentFormIssued, on_consent_form_issued),
    mutator(ev.ConsentWithdrawn, on_consent_withdrawn),
    mutator(ev.DataUseObjected, on_data_use_objected),
    mutator(ev.ParticipationCompleted, on_completed),
])
