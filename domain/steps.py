"""The steps a study needs before it may recruit, and where each one stands."""

from .model import Category, Step, StepStatus
from .regulation import REQUIRED_STEPS
from .state import StudyState


def steps(s: StudyState) -> dict[Step, StepStatus]:
    done, pending, busy, refused = (StepStatus.done, StepStatus.pending, StepStatus.in_progress,
                                    StepStatus.rejected)

    def ethics() -> StepStatus:
        if s.ethics.opinion == "favourable":
            return done
        if s.ethics.opinion == "unfavourable" or s.ethics.lapsed:
            return refused
        return busy if s.ethics.submitted_on else pending

    def ansm() -> StepStatus:
        if s.category is not Category.RIPH1:  # RIPH2/3: sent for information
            return done if s.ansm.notified_on else pending
        if s.ansm.decision:
            return done if s.ansm.decision == "authorized" else refused
        return busy if s.ansm.submitted_on else pending

    def cnil() -> StepStatus:
        if not s.cnil_route:
            return pending
        if not s.cnil_requested_on:  # a reference methodology (or before rules edition 2)
            return done
        # an authorization: once the CNIL decides, or its silence does (Loi 78-17 art. 66)
        return {"authorized": done, "refused": refused}.get(s.cnil_decision or "", busy)

    status = {
        Step.protocol: done if s.protocol_version else pending,
        Step.sponsor: done if s.sponsor else pending,
        Step.insurance: done if s.insurer else pending,
        Step.ethics: ethics(),
        Step.cnil: cnil(),
        Step.ansm: ansm(),
    }
    required = REQUIRED_STEPS[s.category]
    return {k: (v if k in required else StepStatus.not_required) for k, v in status.items()}


def missing_steps(s: StudyState) -> list[Step]:
    return [k for k, v in steps(s).items() if v not in (StepStatus.done, StepStatus.not_required)]
