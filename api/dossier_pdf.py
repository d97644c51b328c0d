"""The inspection dossier's PDF summary: the study, its steps, its clocks, the signatures, its
participants counted by status. No personal data: no participant codes, no names but the
staff who signed."""

from typing import Any

from fpdf import FPDF

from store.audit import signature_line


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
    pdf = _Summary()
    pdf.set_title(_latin(f"Inspection dossier - {study.get('title')}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, _latin(f"{study.get('title')} ({study.get('id')})"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for label, value in (("Category", study.get("category")), ("State", study.get("state")),
                         ("Registration", study.get("registration")),
                         ("Dossier generated (UTC)", generated_at),
                         ("Audit chain head", chain_head)):
        pdf.cell(0, 5, _latin(f"{label}: {value or '-'}"), new_x="LMARGIN", new_y="NEXT")
    pdf.heading("Steps")
    pdf.rows(("step", "status"), [(name, (s or {}).get("status"))
                                  for name, s in sorted((study.get("steps") or {}).items())])
    pdf.heading("Clocks")
    pdf.rows(("clock", "due on", "status"),
             [(d.get("name"), d.get("due_on"), d.get("status"))
              for d in study.get("deadlines") or []])
    pdf.heading("Signatures")
    pdf.rows(("seq", "event", "signature"),
             [(e["seq"], e["type"], signature_line(e["signature"]))
              for e in trail if e.get("signature")])
    pdf.heading("Participants by status")
    pdf.rows(("status", "count"), sorted((study.get("participants") or {}).items()))
    return bytes(pdf.output())
