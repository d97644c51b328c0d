"""The study's life: protocol, sponsor and insurance, recruitment, suspension (the sponsor's
halt, the authority's suspension), the end of the research, its results and the archive."""

from datetime import date

from .. import clocks
from .. import commands as c
from .. import events as ev
from ..errors import RuleViolation
from ..model import (
    APPROVED_RUNNING,
    BEFORE_APPROVAL,
    Category,
    Deadline,
    StepStatus,
    StudyStatus,
)
from ..regulation import CONVENTION_CATEGORIES, RULES
from ..state import StudyState
from ..steps import missing_steps, steps
from .rules import not_before, require, require_input, require_status, status_changed
from .updates import (
    Mutators,
    close_deadlines,
    current_rules,
    framework_deadline,
    mutator,
    open_deadlines,
    updated,
)


# --- decide -----------------------------------------------------------------------------------
def create_study(study_id: str, cmd: c.CreateStudy, rules: int = RULES) -> list[ev.Event]:
    return [ev.StudyCreated(study_id=study_id, title=cmd.title, category=cmd.category,
                            investigator=cmd.investigator, framework=cmd.framework,
                            rules=rules)]


def adopt_rules(s: StudyState, rules: int) -> list[ev.Event]:
    """A study recorded under an older edition takes up this one (the workflow does, behind
    its patch: domain/regulation.py RULES)."""
    return [ev.RulesAdopted(rules=rules)] if s.rules < rules else []


def record_registration(s: StudyState, cmd: c.RecordRegistration) -> list[ev.Event]:
    require(not s.registration, "registration_already_recorded",
            f"the study is registered as {s.registration}: a mistyped number is corrected "
            "(correct), never registered twice")
    return [ev.RegistrationRecorded(number=cmd.number)]


def submit_protocol(s: StudyState, cmd: c.SubmitProtocol) -> list[ev.Event]:
    require(s.status is StudyStatus.draft
            or (s.status is StudyStatus.in_review and not s.ethics.submitted_on),
            "protocol_locked", "the protocol can be submitted only in draft or before the "
            "ethics submission; later versions go through submit_amendment")
    require(not cmd.cluster_trial or s.category is Category.RIPH2, "cluster_trial_riph2_only",
            "collective information and non-opposition in place of consent are for a RIPH2 "
            "whose method rules out individual consent (L1122-1-4)")
    out: list[ev.Event] = [ev.ProtocolSubmitted(version=cmd.version,
                                                document_sha256=cmd.document_sha256.lower(),
                                                emergency_inclusion=cmd.emergency_inclusion,
                                                cluster_trial=cmd.cluster_trial,
                                                vital_emergency=cmd.vital_emergency)]
    if s.status is StudyStatus.draft:
        out.append(status_changed(s, StudyStatus.in_review, "protocol submitted"))
    return out


def assign_sponsor(s: StudyState, cmd: c.AssignSponsor) -> list[ev.Event]:
    require_status(s, BEFORE_APPROVAL, "assigning the sponsor")
    require(not s.ethics.submitted_on, "sponsor_locked",
            "the sponsor is part of the file sent to the CPP: change it by an amendment")
    return [ev.SponsorAssigned(sponsor=cmd.sponsor, commercial=cmd.commercial)]


def record_insurance(s: StudyState, cmd: c.RecordInsurance) -> list[ev.Event]:
    require_status(s, BEFORE_APPROVAL | APPROVED_RUNNING, "recording the insurance")
    return [ev.InsuranceRecorded(insurer=cmd.insurer, policy=cmd.policy)]


def open_recruitment(s: StudyState, cmd: c.OpenRecruitment) -> list[ev.Event]:
    if s.status is StudyStatus.in_review:
        missing = ", ".join(m.value for m in missing_steps(s))
        raise RuleViolation("steps_incomplete", f"recruitment needs every step the "
                            f"{s.category.value} category requires; still missing: {missing}")
    require_status(s, {StudyStatus.ready}, "opening recruitment")
    assert cmd.opened_on is not None  # decide() dates it
    approved = max(filter(None, [s.ethics.opinion_on, s.ansm.decision_on, s.ansm.notified_on]),
                   default=None)
    not_before(cmd.opened_on, approved, "the opening of recruitment", "the last approval")
    if current_rules(s):
        _may_start(s, cmd.opened_on)
    return [ev.StudyStatusChanged(from_status=s.status, to_status=StudyStatus.recruiting,
                                  cause="recruitment opened", on=cmd.opened_on)]


def _may_start(s: StudyState, on: date) -> None:
    """What the research needs before it starts, beyond its approvals."""
    require(not s.ethics.conditions or s.ethics.conditions_lifted_on, "ethics_conditions_pending",
            f"the CPP's favourable opinion is subject to conditions ({s.ethics.conditions}): "
            "the research starts once its chair has found them met (lift_ethics_conditions; "
            "R1124-8)")
    if s.category is Category.NON_RIPH:
        return
    require(s.director_informed_on, "director_not_informed",
            "the sponsor informs the establishment's director before the research starts "
            "(inform_director; R1123-69)")
    assert s.director_informed_on is not None
    not_before(on, s.director_informed_on, "the opening of recruitment",
               "the director's information")


def close_recruitment(s: StudyState, cmd: c.CloseRecruitment) -> list[ev.Event]:
    require_status(s, {StudyStatus.recruiting}, "closing recruitment")
    assert cmd.closed_on is not None  # decide() dates it
    not_before(cmd.closed_on, s.recruitment_opened_on, "the end of recruitment", "its opening")
    return [ev.StudyStatusChanged(from_status=s.status, to_status=StudyStatus.follow_up,
                                  cause="recruitment closed", on=cmd.closed_on)]


def inform_director(s: StudyState, cmd: c.InformDirector) -> list[ev.Event]:
    require_status(s, BEFORE_APPROVAL | APPROVED_RUNNING, "informing the director")
    return [ev.DirectorInformed(informed_on=cmd.informed_on, site=cmd.site)]


def sign_convention(s: StudyState, cmd: c.SignConvention) -> list[ev.Event]:
    require(s.commercial and s.category in CONVENTION_CATEGORIES, "convention_commercial_only",
            "the convention unique binds a sponsor's research for commercial purposes of "
            "category RIPH1 or RIPH2 to the site (L1121-16-1, R1121-3-1): assign the sponsor "
            "as commercial first")
    key = cmd.site or ""
    require_input(not cmd.site or not s.sites or cmd.site in s.sites, "unknown_site",
                  f"no site {cmd.site} in this study")
    require(key not in s.conventions, "convention_already_signed",
            f"the convention{f' for site {cmd.site}' if cmd.site else ''} was signed on "
            f"{s.conventions.get(key)}")
    return [ev.ConventionSigned(signed_on=cmd.signed_on, site=cmd.site)]


def notify_milestone(s: StudyState, cmd: c.NotifyMilestone) -> list[ev.Event]:
    deadline = _due(s, f"notice.{cmd.milestone}", f"{cmd.milestone.replace('_', ' ')} notice",
                    "Reg. 536/2014 art. 36, for a trial filed in CTIS")
    not_before(cmd.notified_on, deadline.starts_on, "the notice", "the milestone")
    return [ev.MilestoneNotified(milestone=cmd.milestone, notified_on=cmd.notified_on)]


def suspend(s: StudyState, cmd: c.Suspend) -> list[ev.Event]:
    require_status(s, {StudyStatus.in_review, StudyStatus.ready, StudyStatus.recruiting,
                       StudyStatus.follow_up}, "suspending")
    assert cmd.suspended_on is not None  # decide() dates it
    return [ev.StudySuspended(by=cmd.by, for_safety=cmd.for_safety,
                              suspended_on=cmd.suspended_on),
            status_changed(s, StudyStatus.suspended, f"suspended by the {cmd.by}"
                           + (" for safety" if cmd.for_safety else ""))]


def _due(s: StudyState, name: str, what: str, law: str) -> Deadline:
    """The deadline `name`, which must still be open."""
    deadline = s.deadlines.get(name)
    require(deadline is not None and deadline.closed_on is None, f"no_{name}_due",
            f"no {what} is due in this study ({law})")
    assert deadline is not None
    return deadline


def submit_observations(s: StudyState, cmd: c.SubmitObservations) -> list[ev.Event]:
    deadline = _due(s, "sponsor_observations", "observations to the authority", "CSP L1123-11")
    not_before(cmd.submitted_on, deadline.starts_on, "the observations", "the suspension")
    return [ev.ObservationsSubmitted(submitted_on=cmd.submitted_on)]


def notify_halt(s: StudyState, cmd: c.NotifyHalt) -> list[ev.Event]:
    deadline = _due(s, "halt_notification", "halt notification",
                    "a halt is notified under the EU regulations only")
    not_before(cmd.notified_on, deadline.starts_on, "the notification", "the halt")
    return [ev.HaltNotified(notified_on=cmd.notified_on)]


def resume(s: StudyState, cmd: c.Resume) -> list[ev.Event]:
    require_status(s, {StudyStatus.suspended}, "resuming")
    return [status_changed(s, s.suspended_from or StudyStatus.ready, "resumed")]


def declare_end(s: StudyState, cmd: c.DeclareEnd) -> list[ev.Event]:
    require_status(s, APPROVED_RUNNING, "declaring the end")
    return [ev.EndDeclared(ended_on=cmd.ended_on, early=cmd.early or cmd.for_safety,
                           for_safety=cmd.for_safety),
            status_changed(s, StudyStatus.ended,
                           "end of research (early)" if cmd.early else "end of research")]


def submit_end_declaration(s: StudyState, cmd: c.SubmitEndDeclaration) -> list[ev.Event]:
    deadline = s.deadlines.get("end_declaration")
    require(deadline and clocks.is_waiting(deadline), "no_end_declaration_due",
            "the end-of-research declaration follows declare_end, once (R1123-66)")
    not_before(cmd.declared_on, s.ended_on, "the declaration", "the end of the research")
    return [ev.EndDeclarationSubmitted(declared_on=cmd.declared_on)]


def report_results(s: StudyState, cmd: c.ReportResults) -> list[ev.Event]:
    require_status(s, {StudyStatus.ended}, "reporting results")
    not_before(cmd.reported_on, s.ended_on, "the results", "the end of the research")
    return [ev.ResultsReported(reported_on=cmd.reported_on),
            status_changed(s, StudyStatus.results_reported, "results reported")]


def archive(s: StudyState, cmd: c.Archive) -> list[ev.Event]:
    require_status(s, {StudyStatus.results_reported}, "archiving")
    return [status_changed(s, StudyStatus.archived, "archived")]


def review_outcome(s: StudyState) -> list[ev.Event]:
    """In review: rejected as soon as a required step is refused, ready once all are done."""
    if s.status is not StudyStatus.in_review:
        return []
    status = steps(s)
    if StepStatus.rejected in status.values():
        refused = [k.value for k, v in status.items() if v is StepStatus.rejected]
        return [status_changed(s, StudyStatus.rejected, f"{' and '.join(refused)} unfavourable")]
    if not missing_steps(s):
        return [status_changed(s, StudyStatus.ready, "every required step is done")]
    return []


# --- evolve -----------------------------------------------------------------------------------
def on_status_changed(s: StudyState, e: ev.StudyStatusChanged) -> StudyState:
    if e.to_status is StudyStatus.recruiting and e.on and not s.recruitment_opened_on:
        s = updated(s, recruitment_opened_on=e.on)
    if e.on and current_rules(s):  # Reg. 536/2014 art. 36(1), (3): notified within 15 days
        name = {StudyStatus.recruiting: "start", StudyStatus.follow_up: "recruitment_end"}.get(
            e.to_status)
        if name and f"notice.{name}" not in s.deadlines:
            s = open_deadlines(s, framework_deadline(s, f"notice.{name}", f"{name}_notice",
                                                     e.on))
    if e.to_status is StudyStatus.suspended:
        return updated(s, status=e.to_status, suspended_from=e.from_status)
    return updated(s, status=e.to_status, suspended_from=None)


def on_suspended(s: StudyState, e: ev.StudySuspended) -> StudyState:
    if e.by == "authority":  # the sponsor's observations first (L1123-11)
        return open_deadlines(s, framework_deadline(s, "sponsor_observations",
                                                    "sponsor_observations", e.suspended_on))
    slot = "halt_notification_safety" if e.for_safety else "halt_notification"
    return open_deadlines(s, framework_deadline(s, "halt_notification", slot, e.suspended_on))


def on_observations_submitted(s: StudyState, e: ev.ObservationsSubmitted) -> StudyState:
    return close_deadlines(s, ["sponsor_observations"], e.submitted_on)


def on_halt_notified(s: StudyState, e: ev.HaltNotified) -> StudyState:
    return close_deadlines(s, ["halt_notification"], e.notified_on)


def on_protocol_submitted(s: StudyState, e: ev.ProtocolSubmitted) -> StudyState:
    return updated(s, protocol_version=e.version, document_sha256=e.document_sha256,
                   emergency_inclusion=e.emergency_inclusion, cluster_trial=e.cluster_trial,
                   vital_emergency=e.vital_emergency)


def on_rules_adopted(s: StudyState, e: ev.RulesAdopted) -> StudyState:
    return updated(s, rules=e.rules)


def on_registration_recorded(s: StudyState, e: ev.RegistrationRecorded) -> StudyState:
    return updated(s, registration=e.number)


def on_sponsor_assigned(s: StudyState, e: ev.SponsorAssigned) -> StudyState:
    return updated(s, sponsor=e.sponsor, commercial=e.commercial)


def on_director_informed(s: StudyState, e: ev.DirectorInformed) -> StudyState:
    return updated(s, director_informed_on=s.director_informed_on or e.informed_on)


def on_convention_signed(s: StudyState, e: ev.ConventionSigned) -> StudyState:
    return updated(s, conventions={**s.conventions, e.site or "": e.signed_on})


def on_milestone_notified(s: StudyState, e: ev.MilestoneNotified) -> StudyState:
    return close_deadlines(s, [f"notice.{e.milestone}"], e.notified_on)


def on_insurance_recorded(s: StudyState, e: ev.InsuranceRecorded) -> StudyState:
    return updated(s, insurer=e.insurer, policy=e.policy)


def on_end_declared(s: StudyState, e: ev.EndDeclared) -> StudyState:
    s = updated(s, ended_on=e.ended_on, early_end=e.early)
    if not current_rules(s):
        slot = "end_declaration_early" if e.early else "end_declaration"
        return open_deadlines(s, framework_deadline(s, "end_declaration", slot, e.ended_on),
                              framework_deadline(s, "results", "results", e.ended_on))
    # within 15 days if early, 24 hours when stopped for safety under Reg. 2017/745 art. 77(1)
    slot = ("end_declaration_safety" if e.for_safety else
            "end_declaration_early" if e.early else "end_declaration")
    # Reg. 2017/745 art. 77(5): the report within 3 months of an early end
    results = "results_early" if e.early else "results"
    # the end-of-research declaration concerns research on the human person (R1123-66)
    declaration = (framework_deadline(s, "end_declaration", slot, e.ended_on)
                   if s.category is not Category.NON_RIPH else None)
    # the yearly safety report runs for the duration of the research (R1123-61): the one not
    # yet due when it ends is no longer owed
    s = close_deadlines(s, [d.name for d in s.deadlines.values()
                            if d.clock == "annual_safety_report" and d.closed_on is None
                            and d.due_on > e.ended_on], e.ended_on)
    return open_deadlines(s, declaration,
                          framework_deadline(s, "results", results, e.ended_on))


def on_end_declaration_submitted(s: StudyState, e: ev.EndDeclarationSubmitted) -> StudyState:
    s = close_deadlines(s, ["end_declaration"], e.declared_on)
    if current_rules(s):
        # R1123-62: the end declaration answers an urgent safety measure as an amendment does
        s = close_deadlines(s, [n for n, d in s.deadlines.items()
                                if d.clock == "urgent_measure_followup"], e.declared_on)
    return s


def on_results_reported(s: StudyState, e: ev.ResultsReported) -> StudyState:
    s = updated(s, results_reported_on=e.reported_on)
    return close_deadlines(s, ["results"], e.reported_on)


EVOLVE: Mutators = dict([
    mutator(ev.StudyStatusChanged, on_status_changed),
    mutator(ev.StudySuspended, on_suspended),
    mutator(ev.ObservationsSubmitted, on_observations_submitted),
    mutator(ev.HaltNotified, on_halt_notified),
    mutator(ev.ProtocolSubmitted, on_protocol_submitted),
    mutator(ev.SponsorAssigned, on_sponsor_assigned),
    mutator(ev.InsuranceRecorded, on_insurance_recorded),
    mutator(ev.EndDeclared, on_end_declared),
    mutator(ev.EndDeclarationSubmitted, on_end_declaration_submitted),
    mutator(ev.ResultsReported, on_results_reported),
    mutator(ev.RulesAdopted, on_rules_adopted),
    mutator(ev.RegistrationRecorded, on_registration_recorded),
    mutator(ev.DirectorInformed, on_director_informed),
    mutator(ev.ConventionSigned, on_convention_signed),
    mutator(ev.MilestoneNotified, on_milestone_notified),
    # the documents change no rule's outcome: the page and the dossier read them from the trail
    mutator(ev.DocumentsAttached, lambda s, e: s),
])
