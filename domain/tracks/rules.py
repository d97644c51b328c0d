"""What the decide handlers of every track share: refusing with a stable code and a message
that names the rule."""

from collections.abc import Iterable
from datetime import date

from .. import events as ev
from ..errors import InputRefused, RuleViolation
from ..model import StudyStatus
from ..regulation import RULES
from ..state import StudyState


def require(condition: object, code: str, message: str) -> None:
    if not condition:
        raise RuleViolation(code, message)


def require_input(condition: object, code: str, message: str) -> None:
    """A rule on the values typed, not on where the study stands."""
    if not condition:
        raise InputRefused(code, message)


def require_status(s: StudyState, allowed: Iterable[StudyStatus], what: str) -> None:
    allowed = frozenset(allowed)
    names = ", ".join(sorted(a.value for a in allowed))
    require(s.status in allowed, "invalid_state",
            f"{what} is not possible while the study is {s.status.value} (allowed: {names})")


def require_registration(s: StudyState, what: str) -> None:
    """Registration first: every submission names the research's registration number (from
    rules edition 2: the histories recorded before it had none)."""
    require(s.registration or s.rules < RULES, "registration_required",
            f"{what} names the research's registration number: record the ID-RCB (or, for a "
            "trial filed in CTIS, the EU CT number) first (record_registration)")


def not_before(day: date, earlier: date | None, what: str, ref: str) -> None:
    require_input(earlier is None or day >= earlier, "date_out_of_order",
                  f"{what} ({day}) cannot be before {ref} ({earlier})")


def status_changed(s: StudyState, to: StudyStatus, cause: str) -> ev.StudyStatusChanged:
    return ev.StudyStatusChanged(from_status=s.status, to_status=to, cause=cause)
