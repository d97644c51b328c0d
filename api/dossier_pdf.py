"""The inspection dossier's PDF summary: the study, its steps, its clocks, the signatures, its
participants counted by status. No personal data: no participant codes, no names but the
staff who signed."""

from typing import Any

from fpdf import FPDF

from i18n import gettext as _
from store.audit import signature_line

from . import words


def _latin(text: Any) -> str:
    """The PDF's core fonts write Latin-1: anything else becomes '?'."""
    return str(text).encode("latin-1", "replace").decode("latin-1")


class _Summary(FPDF):
    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("Helvetica", "B", 12)
        self.cell(0, 7, _latin(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=9)

    def rows(self, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            self.cell(0, 5, "-", new_x="LMARGIN", new_y="NEXT")
            return
        with self.table(text_align="LEFT", line_height=5) as table:
            table.row([_latin(h) for h in header])
            for r in rows:
                table.row([_latin("" if v is None else v) for v in r])


def summary(study: dict[str, Any], trail: list[dict[str, Any]], generated_at: str,
            chain_head: str) -> bytes:
    """In the reader's language (the request's): the labels and the words of the codes."""
    pdf = _Summary()
    pdf.set_title(_latin(_("Inspection dossier - {title}").format(title=study.get("title"))))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, _latin(f"{study.get('title')} ({study.get('id')})"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    state = study.get("state")
    for label, value in ((_("Category"), study.get("category")),
                         (_("State"), words.state(state) if state else None),
                         (_("Registration"), study.get("registration")),
                         (_("Dossier generated (UTC)"), generated_at),
                         (_("Audit chain head"), chain_head)):
        pdf.cell(0, 5, _latin(_("{label}: {value}").format(label=label, value=value or "-")),
                 new_x="LMARGIN", new_y="NEXT")
    steps = words.steps()
    pdf.heading(_("Steps"))
    pdf.rows((_("step"), _("status")),
             [(steps.get(name, name), words.status((s or {}).get("status")))
              for name, s in sorted((study.get("steps") or {}).items())])
    pdf.heading(_("Clocks"))
    pdf.rows((_("clock"), _("due on"), _("status")),
             [(_(d["label"]) if d.get("label") else d.get("name"), d.get("due_on"),
               words.status(d.get("status")))
              for d in study.get("deadlines") or []])
    pdf.heading(_("Signatures"))
    pdf.rows((_("seq"), _("event"), _("signature")),
             [(e["seq"], words.event(e["type"]), signature_line(e["signature"]))
              for e in trail if e.get("signature")])
    pdf.heading(_("Participants by status"))
    pdf.rows((_("status"), _("count")),
             sorted((words.status(k), n) for k, n in (study.get("participants") or {}).items()))
    return bytes(pdf.output())
