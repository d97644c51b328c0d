"""Data protection: the CNIL formality, a reference methodology that fits the category or an
authorization (Loi 78-17 art. 66, 72-73; MR-001, MR-003, MR-004)."""

from .. import commands as c
from .. import events as ev
from ..model import BEFORE_APPROVAL, Category
from ..regulation import CNIL_ROUTES
from ..state import StudyState
from .rules import require, require_status
from .updates import Mutators, mutator, updated


def record_cnil(s: StudyState, cmd: c.RecordCnil) -> list[ev.Event]:
    allowed = CNIL_ROUTES[s.category]
    require(cmd.route in allowed, "cnil_route_mismatch",
            f"{cmd.route} does not fit a {s.category.value} study: use "
            f"{' or '.join(sorted(allowed))}")
    require_status(s, BEFORE_APPROVAL, "recording the CNIL formality")
    require(cmd.route != "authorization" or s.category is Category.NON_RIPH
            or s.ethics.opinion == "favourable", "cnil_authorization_needs_cpp_opinion",
            "a CNIL authorization is requested after the CPP's favourable opinion")
    return [ev.CnilRecorded(route=cmd.route, reference=cmd.reference)]


def on_cnil_recorded(s: StudyState, e: ev.CnilRecorded) -> StudyState:
    return updated(s, cnil_route=e.route, cnil_reference=e.reference)


EVOLVE: Mutators = dict([mutator(ev.CnilRecorded, on_cnil_recorded)])
