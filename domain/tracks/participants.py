"""Participants: registration under a pseudonymous code, consent as the category requires it
(CSP L1122-1-1), minors and the holders of parental authority (L1122-2 II), emergencies and
deferred consent (L1122-1-2), consent form versions and re-consent, inclusion, withdrawal,
objection to the use of the data, completion."""

from .. import clocks
from .. import commands as c
from .. import events as ev
from ..model import (
    CONSENT_IN_FORCE,
    RUNNING,
    ConsentBy,
    FormChange,
    HolderException,
    ParticipantStatus,
    StudyStatus,
)
from ..regulation import CONSENT_KIND, CONSENT_RULES
from ..state import Participant, StudyState
from .rules import not_before, require
from .updates import Mutators, close_deadlines, mutator, open_deadlines, update_participant, updated

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
            "(L1122-1-2): submit the protocol with emergency_inclusion")
    return [ev.ParticipantRegistered(code=cmd.code, majority_on=cmd.majority_on,
                                     emergency=cmd.emergency)]


def _consent_rules(s: StudyState, p: Participant, cmd: c.ConsentDetails) -> None:
    """Who consents, how, on which form: the consent rules of the study's category."""
    rule = CONSENT_RULES[s.category]
    require(s.consent_form_version is None or cmd.consent_form_version == s.consent_form_version,
            "consent_form_not_current", "consent must be given on the current information form "
            f"(version {s.consent_form_version}), not {cmd.consent_form_version}")
    minor = p.majority_on is not None and cmd.consented_on < p.majority_on
    if minor:
        require(cmd.by is ConsentBy.holders, "minor_needs_holders",
                f"{p.code} is a minor until {p.majority_on}: the holders of parental authority "
                f"consent ({rule.source})")
        one_suffices = (cmd.holder_exception is HolderException.sole_holder
                        or (cmd.holder_exception is HolderException.other_holder_unavailable
                            and rule.one_holder_if_other_unavailable))
        alone = (" or when the other cannot be reached in time"
                 if rule.one_holder_if_other_unavailable else
                 " (this category allows no other exception)")
        require(cmd.holders == 2 or (cmd.holders == 1 and one_suffices), "both_holders_required",
                "a minor needs the consent of both holders of parental authority; one alone "
                f"only as sole holder{alone} ({rule.source})")
    else:
        require(cmd.by is not ConsentBy.holders, "not_a_minor",
                f"{p.code} is not a minor on {cmd.consented_on}: they consent themselves")
    if cmd.by is ConsentBy.relative:
        require(p.emergency and p.status is ParticipantStatus.registered,
                "relative_consent_emergency_only",
                "a relative consents in the participant's place only at an emergency inclusion "
                "the protocol provides for (L1122-1-2)")
    if cmd.unable_to_write:
        require(rule.witness_if_unable_to_write and cmd.witnessed, "witness_required",
                "a participant who cannot write consents before a witness independent of the "
                f"investigator and the sponsor, who attests it ({rule.source})"
                if rule.witness_if_unable_to_write else
                f"a {s.category.value} consent is not written: unable_to_write does not apply")


def _consent_event(s: StudyState, p: Participant, cmd: c.ConsentDetails) -> ev.ConsentRecorded:
    not_before(cmd.consented_on, p.consented_on, "the consent", "the previous consent")
    not_before(cmd.consented_on, s.recruitment_opened_on, "the consent",
               "the opening of recruitment")
    return ev.ConsentRecorded(code=p.code, kind=CONSENT_KIND[s.category],
                              consent_form_version=cmd.consent_form_version,
                              consented_on=cmd.consented_on, by=cmd.by, witnessed=cmd.witnessed,
                              holders=cmd.holders, holder_exception=cmd.holder_exception)


def record_consent(s: StudyState, cmd: c.RecordConsent) -> list[ev.Event]:
    p = _participant(s, cmd.code)
    deferred = p.consent_by is ConsentBy.relative and cmd.by is ConsentBy.participant
    require(s.status in RECRUITING or (deferred and s.status in RUNNING),
            "recruitment_not_open",
            f"consents are collected only while recruiting (the study is {s.status.value})")
    needed = CONSENT_KIND[s.category]
    require(cmd.kind is needed, "consent_kind_mismatch",
            f"a {s.category.value} study needs {needed.value} consent, not {cmd.kind.value} "
            f"({CONSENT_RULES[s.category].source})")
    require(p.status in (ParticipantStatus.registered, ParticipantStatus.needs_reconsent)
            or (deferred and p.status in CONSENT_IN_FORCE),
            "consent_already_recorded", f"{cmd.code} is {p.status.value}")
    _consent_rules(s, p, cmd)
    return [_consent_event(s, p, cmd)]


def reconsent(s: StudyState, cmd: c.Reconsent) -> list[ev.Event]:
    p = _participant(s, cmd.code)
    require(s.status in RUNNING, "invalid_state",
            f"re-consent is collected while the study runs (it is {s.status.value})")
    require(p.status in (*CONSENT_IN_FORCE, ParticipantStatus.needs_reconsent),
            "consent_not_active", f"{cmd.code} is {p.status.value}: nothing to re-consent")
    require(p.status is ParticipantStatus.needs_reconsent
            or cmd.consent_form_version != p.consent_form_version, "same_consent_form_version",
            f"{cmd.code} already consented to version {p.consent_form_version}")
    _consent_rules(s, p, cmd)
    return [_consent_event(s, p, cmd)]


def include(s: StudyState, cmd: c.Include) -> list[ev.Event]:
    _recruiting(s)
    p = _participant(s, cmd.code)
    require(p.status is ParticipantStatus.consented, "consent_required",
            f"{cmd.code} is {p.status.value}: inclusion needs a valid consent (L1122-1-1)")
    require(p.consent_major == s.consent_form_major, "consent_not_current_major",
            f"{cmd.code} consented to a form before major version {s.consent_form_major}: "
            "re-consent first")
    not_before(cmd.included_on, p.consented_on, "the inclusion", "the consent")
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
    return [ev.ParticipationCompleted(code=cmd.code)]


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
    return update_participant(s, e.code, majority_on=e.majority_on, emergency=e.emergency)


def on_consent_recorded(s: StudyState, e: ev.ConsentRecorded) -> StudyState:
    included = s.participants[e.code].included_on
    deferred = DEFERRED_CONSENT + e.code
    if e.by is ConsentBy.relative:  # the participant's own consent is now awaited
        s = open_deadlines(s, clocks.open_deadline(deferred, "deferred_consent", e.consented_on,
                                                   subject=e.code))
    else:
        s = close_deadlines(s, [deferred], e.consented_on)
    status = ParticipantStatus.included if included else ParticipantStatus.consented
    return update_participant(s, e.code, status=status, consent_kind=e.kind,
                              consent_form_version=e.consent_form_version,
                              consent_major=s.consent_form_major, consent_by=e.by,
                              consented_on=e.consented_on, reconsent_cause=None)


def on_included(s: StudyState, e: ev.ParticipantIncluded) -> StudyState:
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
    return updated(s, consent_form_major=e.version, participants={
        **s.participants, **{
            code: p.model_copy(update={"status": ParticipantStatus.needs_reconsent,
                                       "reconsent_cause": cause})
            for code, p in s.participants.items() if p.status in CONSENT_IN_FORCE}})


def on_consent_withdrawn(s: StudyState, e: ev.ConsentWithdrawn) -> StudyState:
    s = close_deadlines(s, [DEFERRED_CONSENT + e.code], e.withdrawn_on)
    return update_participant(s, e.code, status=ParticipantStatus.withdrawn,
                              withdrawn_on=e.withdrawn_on)


def on_data_use_objected(s: StudyState, e: ev.DataUseObjected) -> StudyState:
    return update_participant(s, e.code, status=ParticipantStatus.objected, objected=True)


def on_completed(s: StudyState, e: ev.ParticipationCompleted) -> StudyState:
    return update_participant(s, e.code, status=ParticipantStatus.completed)


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
