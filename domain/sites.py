"""Research sites (lieux de recherche) and recruitment plans: the vocabulary of the state, and
what the unit requires before a site may include, as data."""

from datetime import date
from enum import StrEnum

from .model import Frozen, StudyStatus


class SiteStatus(StrEnum):
    added = "added"  # known to the study, not yet allowed to include
    active = "active"  # includes participants
    closed = "closed"  # includes no one any more; its participants' follow-up goes on


class RecruitmentPlan(Frozen):
    """A target and the period planned to reach it: the study's, or one site's. The plan line
    rises evenly from 0 on `starts_on` to `target` on `ends_on`."""

    target: int
    starts_on: date
    ends_on: date
    # percent below the plan line that counts as behind (RECRUITMENT_BEHIND_PERCENT when set)
    behind_percent: int = 20


class Site(Frozen):
    code: str
    name: str
    investigator: str
    status: SiteStatus = SiteStatus.added
    activated_on: date | None = None
    closed_on: date | None = None
    # the documents attested at activation: requirement code -> its date
    documents: dict[str, date] = {}
    plan: RecruitmentPlan | None = None


class PaceAlert(Frozen):
    """The last time the study (site "") or a site was found behind its plan: the coordinator's
    task stays until the inclusions reach `catch_up`, the figure that was not behind that day."""

    on: date
    planned: float
    included: int
    catch_up: int


class Requirement(Frozen):
    """A document or agreement attested at a site's activation, by the date in the
    `activate_site` field of the same name. `required`: the unit refuses an activation without
    it (`site_requirements_missing`); otherwise the page shows it as missing."""

    field: str
    label: str
    source: str
    required: bool


# What the unit asks of a site before it includes. The study's own approvals (every step its
# category requires, CSP L1121-4) are always needed: a site is activated only once the study is
# ready or recruiting. The documents below are the unit's; set `required` to make one block the
# activation.
SITE_REQUIREMENTS: tuple[Requirement, ...] = (
    # CSP L1121-16-1, R1121-3-1 (décret 2016-1538): the agreement between the sponsor and the
    # establishment of each site (convention unique for industry-sponsored research).
    Requirement(field="agreement_signed_on", label="agreement with the site (convention)",
                source="CSP L1121-16-1, R1121-3-1", required=False),
    # ICH E6(R3) 2.3, 3.6: the investigator and team trained on the protocol before the first
    # participant (the site initiation visit, mise en place).
    Requirement(field="initiation_visit_on", label="site initiation visit (mise en place)",
                source="ICH E6(R3) 2.3, 3.6", required=False),
)
# A site is activated once the study holds every approval its category requires.
ACTIVATION_STATUSES = frozenset({StudyStatus.ready, StudyStatus.recruiting})
# Sites are added before or after the approvals, while the study has a future.
SITE_CHANGE_STATUSES = frozenset({
    StudyStatus.draft, StudyStatus.in_review, StudyStatus.ready, StudyStatus.recruiting,
    StudyStatus.follow_up, StudyStatus.suspended})
# A plan is set before or while the study recruits.
PLAN_STATUSES = frozenset({StudyStatus.draft, StudyStatus.in_review, StudyStatus.ready,
                           StudyStatus.recruiting, StudyStatus.suspended})
# Behind-plan alerts: at most one per study or site in this many days.
ALERT_EVERY_DAYS = 7
STUDY_SCOPE = ""  # the key of the study's own alert beside its sites'
