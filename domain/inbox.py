"""Who must act on a participant and who hears of a study's notices: the inbox's rules beside the
study's own tasks (views.tasks). Pure: the store reads rows, these rules say what they mean."""

from datetime import date, timedelta

from .model import ConsentBy, Frozen, ParticipantStatus, Role
from .state import Participant

# The investigator informs the participant and collects the consent (L1122-1, L1122-1-1).
PARTICIPANT_TASK_ROLE = Role.investigator
# A minor who comes of age confirms their consent in their own name (L1122-2 II): the inbox
# shows it this many days before the 18th birthday, so that the visit can be planned.
MAJORITY_HORIZON_DAYS = 30
# Whose consent must be asked again whatever the date (a new major consent form, majority).
RECONSENT_STATUSES = frozenset({ParticipantStatus.needs_reconsent})
# A minor in the research on the consent of the holders of parental authority.
MINOR_CONSENT_BY = ConsentBy.holders
MINOR_ACTIVE_STATUSES = frozenset({ParticipantStatus.consented, ParticipantStatus.included})
PARTICIPANT_TASK_COMMAND = "reconsent"  # the command that clears the task

# The words of the inbox (the titles' codes stay stable; the words may change).
MESSAGES: dict[str, str] = {
    "participant.reconsent": "{code}: consent again ({cause})",
    "participant.majority": "{code}: consents in their own name at majority",
    # a notice as its reader reads it, from its stable parts (study, clock, due date): the
    # English sentence stored with it stays the record of what was sent
    "notice.reminder": "{study}: {clock} due on {due_on}",
    "notice.escalation": "{study}: {clock} fell due on {due_on}",
    "notice.safety": "{study}: {clock}: declare without delay",
    "notice.superseded": "{study}: the outcome at the {clock} due date ({due_on}) is superseded",
    "notice.study": "{study}: {kind}",
    # notices without a clock, told from the parts stored with them (Notification.parts)
    "notice.cpp_silence": "{study}: CPP silence: unfavourable opinion",
    "notice.ansm_silence": "{study}: ANSM silence: {decision}",
    "notice.correction": "{study}: event {seq} ({event}) corrected: {changes}",
    "notice.sae": "{study}: serious adverse event {event_id} of {occurred_on} reported by the "
                  "investigator: assess it (R1123-49)",
    "notice.recruitment": "{study}: recruitment behind plan: {included} included, {planned} "
                          "planned by {on} (target {target})",
    "notice.recruitment_site": "{study}: recruitment behind plan at site {site}: {included} "
                               "included, {planned} planned by {on} (target {target})",
    "notice.status": "{study}: now {state} ({cause})",
}

# Roles a study names one person for: its notices reach that person only, not every holder of
# the role. The study names its investigator; its coordinators and regulatory affairs officers
# are the unit's, and each of them hears of every study.
NAMED_ON_STUDY = frozenset({Role.investigator.value})


class ParticipantTask(Frozen):
    participant: str
    title_key: str  # in MESSAGES
    cause: str | None = None
    due_on: date | None
    overdue: bool
    kind: str = "participant"
    command: str = PARTICIPANT_TASK_COMMAND

    @property
    def title(self) -> str:
        return MESSAGES[self.title_key].format(code=self.participant, cause=self.cause)


def participant_task(p: Participant, today: date) -> ParticipantTask | None:
    """The task a participant puts in the investigator's inbox on `today`, if any: consent
    again when asked to, or, for a minor consented by the holders of parental authority, when
    majority comes within the horizon (overdue once it is past)."""
    if p.status in RECONSENT_STATUSES:
        key = "participant.reconsent"
    elif (p.consent_by is MINOR_CONSENT_BY and p.status in MINOR_ACTIVE_STATUSES
          and p.majority_on is not None
          and p.majority_on <= today + timedelta(days=MAJORITY_HORIZON_DAYS)):
        key = "participant.majority"
    else:
        return None
    return ParticipantTask(participant=p.code, title_key=key, cause=p.reconsent_cause,
                           due_on=p.majority_on,
                           overdue=p.majority_on is not None and p.majority_on < today)


def notice_key(kind: str, deadline: str | None, due_on: date | None) -> str:
    """Which sentence of MESSAGES tells a notice: its kind and the clock it is about (a safety
    event's clock is declared without delay; a clock without a due date is named without one)."""
    if deadline and deadline.startswith("safety."):
        return "notice.safety"
    if deadline and due_on is not None:
        if kind == "reminder":
            return "notice.reminder"
        if kind == "escalation":
            return "notice.escalation"
        if kind == "decision":
            return "notice.superseded"
    return "notice.study"


def has_participant_tasks(role: Role | str) -> bool:
    return str(role) == PARTICIPANT_TASK_ROLE.value


def named_recipient(role: Role | str, study_investigator: str) -> str | None:
    """The one person holding `role` who hears of a study's notices, or None when every holder
    of the role does."""
    return study_investigator if str(role) in NAMED_ON_STUDY else None


def receives(role: Role | str, actor: str, study_investigator: str) -> bool:
    """Whether a person holding `role` hears of a notice sent to that role on the study."""
    named = named_recipient(role, study_investigator)
    return named is None or named == actor
