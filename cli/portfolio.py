"""`studyflow sites`, `recruitment`, `reports` and `calendar`: the portfolio from the shell,
through the HTTP API (the same rules, roles and audit as the API and the web page)."""

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

import wallclock
from api import words
from cli.common import DEFAULT_DIR, DataDir, Token, _, api, fail, show, table, yes
from i18n import N_, format_date, format_number, parse_date

Study = Annotated[str, typer.Option("--study", help="The study's id.")]
Why = Annotated[str, typer.Option("--reason", help="Why (goes to the audit).")]
Day = Annotated[str | None, typer.Option(help="A legal date, DD/MM/YYYY or YYYY-MM-DD "
                                        "(default: today).")]
Json = Annotated[bool, typer.Option("--json", help="The API's JSON instead of a table.")]

sites_app = typer.Typer(help="Research sites (lieux de recherche) of a study.",
                        no_args_is_help=True)
recruitment_app = typer.Typer(help="Recruitment plans and progress against them.",
                              no_args_is_help=True)
reports_app = typer.Typer(help="The unit's portfolio reports (coordinator, regulatory, admin).",
                          no_args_is_help=True)
calendar_app = typer.Typer(help="Your calendar feed (iCalendar) of open deadlines and tasks.",
                           no_args_is_help=True)


def _day(value: str | None) -> str:
    try:
        return (date.fromisoformat(parse_date(value)).isoformat() if value
                else wallclock.today().isoformat())
    except ValueError:
        fail(_("{value} is not a date (DD/MM/YYYY or YYYY-MM-DD)").format(value=repr(value)))


def _command(data_dir: Path, token: str | None, study: str, body: dict[str, Any]) -> None:
    answer = api(data_dir, token, "POST", f"/api/studies/{study}/commands", body)
    _sites_table(answer.get("sites") or [])


def _sites_table(sites: list[dict[str, Any]]) -> None:
    def plan(s: dict[str, Any]) -> str:
        p = s.get("plan")
        return _("{target} by {date}").format(target=p["target"], date=day(p["ends_on"])) if p \
            else ""

    table((N_("site"), N_("name"), N_("investigator"), N_("status"), N_("activated"),
           N_("closed"), N_("plan")),
          [(s["code"], s["name"], s["investigator"], words.status(s["status"]),
            day(s.get("activated_on")), day(s.get("closed_on")), plan(s)) for s in sites])


def day(value: Any) -> str:
    return format_date(value) if value else ""


@sites_app.command("list")
def sites_list(study: Study, token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """The study's sites, their status and plans."""
    _sites_table(api(data_dir, token, "GET", f"/api/studies/{study}").get("sites") or [])


@sites_app.command("add")
def sites_add(study: Study, site: Annotated[str, typer.Argument(help="The unit's site code "
                                                                "(SITE_CODE_PATTERN), e.g. S01.")],
              name: Annotated[str, typer.Option(help="The site's name.")],
              investigator: Annotated[str, typer.Option(help="Its principal investigator.")],
              reason: Why, token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Add a site, before or after the approvals (coordinator)."""
    _command(data_dir, token, study, {"type": "add_site", "site": site, "name": name,
                                      "investigator": investigator, "reason": reason})


@sites_app.command("activate")
def sites_activate(study: Study, site: str, reason: Why, on: Day = None,
                   agreement_signed_on: Annotated[str | None, typer.Option(
                       help="The agreement (convention) with the site, signed on.")] = None,
                   initiation_visit_on: Annotated[str | None, typer.Option(
                       help="The site initiation visit, held on.")] = None,
                   token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Activate a site: it includes from that day (the study approved, the unit's documents in)."""
    body: dict[str, Any] = {"type": "activate_site", "site": site, "activated_on": _day(on),
                            "reason": reason}
    if agreement_signed_on:
        body["agreement_signed_on"] = _day(agreement_signed_on)
    if initiation_visit_on:
        body["initiation_visit_on"] = _day(initiation_visit_on)
    _command(data_dir, token, study, body)


@sites_app.command("close")
def sites_close(study: Study, site: str, reason: Why, on: Day = None, token: Token = None,
                data_dir: DataDir = DEFAULT_DIR) -> None:
    """Close a site: no inclusion there after that day."""
    _command(data_dir, token, study, {"type": "close_site", "site": site,
                                      "closed_on": _day(on), "reason": reason})


@recruitment_app.command("plan")
def recruitment_plan(study: Study,
                     target: Annotated[int, typer.Option(help="Participants to include.")],
                     starts_on: Annotated[str, typer.Option(help="DD/MM/YYYY or YYYY-MM-DD")],
                     ends_on: Annotated[str, typer.Option(help="DD/MM/YYYY or YYYY-MM-DD, after the start")],
                     reason: Why,
                     site: Annotated[str | None, typer.Option(
                         help="A site's plan (default: the study's).")] = None,
                     behind_percent: Annotated[int | None, typer.Option(
                         help="Percent below the plan that raises an alert (default: the "
                              "unit's RECRUITMENT_BEHIND_PERCENT).")] = None,
                     token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Set the recruitment plan: a target over a period, for the study or one site."""
    body: dict[str, Any] = {"type": "set_recruitment_plan", "target": target,
                            "starts_on": _day(starts_on), "ends_on": _day(ends_on),
                            "reason": reason}
    if site:
        body["site"] = site
    if behind_percent is not None:
        body["behind_percent"] = behind_percent
    answer = api(data_dir, token, "POST", f"/api/studies/{study}/commands", body)
    plan = answer.get("recruitment_plan")
    print(_("plan set: {target} from {start} to {end}").format(
        target=plan["target"], start=day(plan["starts_on"]), end=day(plan["ends_on"]))
          if plan and not site else _("plan of site {site} set").format(site=site))


@recruitment_app.command("show")
def recruitment_show(study_id: str, as_json: Json = False, token: Token = None,
                     data_dir: DataDir = DEFAULT_DIR) -> None:
    """Recruitment against the plan: in total and per site, with the projected target date."""
    body = api(data_dir, token, "GET", f"/api/studies/{study_id}/recruitment")
    if as_json:
        show(body)
        return
    table(("", N_("included"), N_("target"), N_("planned today"), N_("withdrawn"),
           N_("completed"), N_("behind"), N_("target at this rate")),
          [(label, part["included"], part["target"] or "",
            format_number(part["planned_today"]),
            part["withdrawn"], part["completed"], yes(part["behind"]),
            day(part["projected_target_on"]))
           for label, part in [(_("study"), body), *((s["site"], s) for s in body["by_site"])]])


@reports_app.command("portfolio")
def reports_portfolio(fmt: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
                      months: Annotated[int, typer.Option(help="Months of monthly figures.")] = 24,
                      section: Annotated[str | None, typer.Option(
                          help="One section: studies, cpp, ansm, clocks or inclusions.")] = None,
                      output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
                      token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """The unit's portfolio: studies per state and category, CPP and ANSM decision times,
    clocks met and missed per month, inclusions per month."""
    if fmt not in ("json", "csv"):
        fail(_("--format is json or csv"))
    path = f"/api/reports/{section or 'portfolio'}?months={months}&format={fmt}"
    body = api(data_dir, token, "GET", path)
    if output is not None:
        import json

        output.write_text(body if isinstance(body, str) else json.dumps(
            body, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        print(_("written to {file}").format(file=output))
    elif isinstance(body, str):
        print(body, end="")
    else:
        show(body)


@calendar_app.command("url")
def calendar_url(unit: Annotated[bool, typer.Option("--unit", help="The unit's feed of every "
                                                    "open deadline (managers).")] = False,
                 token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Print your secret calendar feed URL (subscribe to it in Outlook or Thunderbird)."""
    print(api(data_dir, token, "GET",
              f"/api/calendar/feed-url?scope={'unit' if unit else 'person'}")["url"])


@calendar_app.command("revoke")
def calendar_revoke(reason: Why, unit: Annotated[bool, typer.Option(
                        "--unit", help="Only the unit's feed.")] = False,
                    token: Token = None, data_dir: DataDir = DEFAULT_DIR) -> None:
    """Revoke your calendar feed URLs: they stop at once; `calendar url` gives a new one."""
    body: dict[str, Any] = {"reason": reason, **({"scope": "unit"} if unit else {})}
    revoked = api(data_dir, token, "POST", "/api/calendar/revoke", body)["revoked"]
    print(_("revoked: {feeds}").format(feeds=", ".join(revoked)) if revoked
          else _("no live feed to revoke"))
