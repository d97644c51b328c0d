"""The portfolio from the read models: a study's recruitment against its plan (the domain's
figures on the participants' facts, counted by day in SQL), and the unit's reports (computed in
SQL) as JSON and CSV. Shared by the JSON API, the web pages and, through the API, the CLI."""

import csv
import io
from datetime import date
from typing import Any

import wallclock
from domain.recruitment import Inclusion, progress
from domain.sites import RecruitmentPlan, Site
from store import ReadModels

SECTIONS = ("studies", "cpp", "ansm", "clocks", "inclusions")
ALL = "all"  # the row of a report that sums the others (every committee, every role...)


async def recruitment(read: ReadModels, study: dict[str, Any],
                      on: date | None = None) -> dict[str, Any]:
    """GET /api/studies/{id}/recruitment for a study's view (domain/recruitment.py)."""
    rows = await read.recruitment_facts(study["id"])
    plan = study.get("recruitment_plan")
    return {"study_id": study["id"], **progress(
        RecruitmentPlan.model_validate(plan) if plan else None,
        [Site.model_validate(site) for site in study.get("sites") or []],
        [Inclusion(r["site"], r["included_on"], r["withdrawn_on"], r["completed_on"], r["n"])
         for r in rows], on or wallclock.today())}


def month_start(day: date, months_back: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 - months_back, 12)
    return date(y, m + 1, 1)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


async def report(read: ReadModels, months: int = 24, on: date | None = None) -> dict[str, Any]:
    """GET /api/reports/portfolio: the unit's figures; the monthly ones over the last `months`
    months (this one included)."""
    day = on or wallclock.today()
    since = month_start(day, months - 1)
    raw = await read.portfolio(since)
    by_state: dict[str, int] = {}
    by_category: dict[str, int] = {}
    for r in raw["studies"]:
        by_state[r["state"]] = by_state.get(r["state"], 0) + r["n"]
        by_category[r["category"]] = by_category.get(r["category"], 0) + r["n"]
    cpp = [{"committee": r["committee"] or ALL, "submitted": r["submitted"],
            "decided": r["decided"], "median_days": r["median_days"], "p90_days": r["p90_days"],
            "information_requests": r["information_requests"],
            "information_request_share": _share(r["information_requests"], r["submitted"]),
            "tacit": r["tacit"]} for r in raw["cpp"]]
    ansm = [{"category": r["category"] or ALL, "submitted": r["submitted"],
             "decided": r["decided"], "median_days": r["median_days"],
             "p90_days": r["p90_days"], "refused": r["refused"], "tacit": r["tacit"]}
            for r in raw["ansm"]]
    clocks = [{"month": r["month"], "role": r["role"] or ALL, "met": r["met"],
               "missed": r["missed"]} for r in raw["clocks"]]
    return {
        "generated_on": day, "since": since.isoformat()[:7], "months": months,
        "studies": {
            "total": sum(by_state.values()), "by_state": by_state, "by_category": by_category,
            "by_state_and_category": [{"state": r["state"], "category": r["category"],
                                       "studies": r["n"]} for r in raw["studies"]],
        },
        "cpp": [r for r in cpp if r["committee"] != ALL],
        "cpp_all": next((r for r in cpp if r["committee"] == ALL), None),
        "ansm": [r for r in ansm if r["category"] != ALL],
        "ansm_all": next((r for r in ansm if r["category"] == ALL), None),
        "clocks": [r for r in clocks if r["role"] == ALL],
        "clocks_by_role": [r for r in clocks if r["role"] != ALL],
        "inclusions": raw["inclusions"],
    }


# --- CSV ----------------------------------------------------------------------------------------
def section_rows(rep: dict[str, Any], section: str) -> list[dict[str, Any]]:
    """One section of the report as a table (the CSV download of that chart)."""
    if section == "studies":
        return rep["studies"]["by_state_and_category"]
    if section == "cpp":
        return rep["cpp"] + ([rep["cpp_all"]] if rep["cpp_all"] else [])
    if section == "ansm":
        return rep["ansm"] + ([rep["ansm_all"]] if rep["ansm_all"] else [])
    if section == "clocks":
        return rep["clocks"] + rep["clocks_by_role"]
    if section == "inclusions":
        return rep["inclusions"]
    raise KeyError(section)


COLUMNS = {
    "studies": ["state", "category", "studies"],
    "cpp": ["committee", "submitted", "decided", "median_days", "p90_days",
            "information_requests", "information_request_share", "tacit"],
    "ansm": ["category", "submitted", "decided", "median_days", "p90_days", "refused", "tacit"],
    "clocks": ["month", "role", "met", "missed"],
    "inclusions": ["month", "included", "studies"],
}
KEYS = {"studies": ("state", "category"), "cpp": ("committee",), "ansm": ("category",),
        "clocks": ("month", "role"), "inclusions": ("month",)}


def section_csv(rep: dict[str, Any], section: str) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS[section], extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(section_rows(rep, section))
    return out.getvalue()


def portfolio_csv(rep: dict[str, Any]) -> str:
    """Every figure on one row of its own: section, the row's keys, the measure, its value
    (a spreadsheet's pivot table gives each chart back)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "key", "subkey", "measure", "value"])
    for section in SECTIONS:
        keys = KEYS[section]
        for row in section_rows(rep, section):
            for measure in COLUMNS[section]:
                if measure in keys:
                    continue
                value = row.get(measure)
                writer.writerow([section, row.get(keys[0]), row.get(keys[1]) if len(keys) > 1
                                 else "", measure, "" if value is None else value])
    return out.getvalue()
