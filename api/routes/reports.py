"""/api/reports: the unit's portfolio, computed in SQL from the read models, as JSON or CSV."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from .. import portfolio
from ..deps import CurrentActor, Reader, require_may_operate
from ..errors import ApiError

router = APIRouter(prefix="/api/reports", tags=["reports"])
Months = Annotated[int, Query(ge=1, le=240, description="the monthly figures cover this many "
                                                        "months, this one included")]
Format = Annotated[Literal["json", "csv"], Query(alias="format")]


def _csv(text: str, name: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@router.get("/portfolio", summary="The unit's portfolio: states, decision times, clocks, inclusions",
            responses={200: {"content": {"text/csv": {}}}})
async def portfolio_report(actor: CurrentActor, read: Reader, months: Months = 24,
                           fmt: Format = "json") -> Any:
    """Studies per state and category; per CPP, the median and 90th-percentile days from the
    submission to the opinion and the share with an information request; the ANSM's decision
    times per category; clocks met (in the month of the fact that met them) and missed (in the
    month of their due date) per month, in all and per role; inclusions per month. `cpp_all`
    and `ansm_all` are the figures across every committee and category. `?format=csv`: every
    figure on a row of its own (section, key, subkey, measure, value). Coordinators,
    regulatory affairs and admins."""
    require_may_operate(actor, "view_reports")
    rep = await portfolio.report(read, months)
    if fmt == "csv":
        return _csv(portfolio.portfolio_csv(rep), "portfolio")
    return rep


@router.get("/{section}", summary="One section of the portfolio, as a table",
            responses={200: {"content": {"text/csv": {}}}})
async def report_section(section: str, actor: CurrentActor, read: Reader,
                         months: Months = 24, fmt: Format = "json") -> Any:
    """`studies`, `cpp`, `ansm`, `clocks` or `inclusions`: the rows of that chart (the
    `all` row sums the others), as JSON or `?format=csv`."""
    require_may_operate(actor, "view_reports")
    if section not in portfolio.SECTIONS:
        raise ApiError(404, "not_found", f"no report {section!r} (one of: "
                       f"{', '.join(portfolio.SECTIONS)})")
    rep = await portfolio.report(read, months)
    if fmt == "csv":
        return _csv(portfolio.section_csv(rep, section), section)
    return portfolio.section_rows(rep, section)
