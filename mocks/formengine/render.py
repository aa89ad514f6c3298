"""The form as a PDF a person reads: its title, the applicant, and every value it holds.

Written with fpdf2, in Open Sans (the ``ttf-opensans`` package, Apache 2.0: a font that comes
with the engine, never a system path a fresh machine may lack). Open Sans covers Latin-1 and
Latin Extended-A: Norwegian, the Lithuanian and Polish names of the population, and the North,
Lule and South Sami letters (not Skolt Sami's ǥ, ǩ, ǯ: fpdf2 logs them as missing glyphs,
and a reader then cannot extract them). fpdf2 embeds the subset used with its ToUnicode map, so a PDF
reader extracts the names exactly as written. The output is the same bytes for the same form
(its dates are the form's innsendtTidspunkt), so a resend carries an identical attachment,
which the archive does not add twice.
"""

from __future__ import annotations

from fpdf import FPDF
from ttf_opensans import OPENSANS_BOLD, OPENSANS_REGULAR

from tpn.mocks.formengine.form import Form

FONT = "OpenSans"
PRODUCER = "tpn reference form engine"


def render(form: Form) -> bytes:
    """The form as PDF bytes."""
    job = form.job
    pdf = FPDF(format="A4")
    pdf.set_creation_date(form.innsendt)
    pdf.set_title(job.tittel)
    pdf.set_producer(PRODUCER)
    pdf.set_creator(PRODUCER)
    pdf.add_font(FONT, "", OPENSANS_REGULAR.path)
    pdf.add_font(FONT, "B", OPENSANS_BOLD.path)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    def line(text: str, size: float = 10, style: str = "") -> None:
        pdf.set_font(FONT, style, size)
        pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")

    line(job.tittel, 16, "B")
    line(f"{job.skjema_id} {job.versjon}, referanse {job.referanse}", 9)
    pdf.ln(3)
    line(form.applicant.navn, 12, "B")
    address = f"{form.applicant.adresse}, {form.applicant.postnummer} {form.applicant.poststed}"
    line(address.strip(" ,"))
    line(f"Sendt {form.innsendt.isoformat()}")
    pdf.ln(3)
    for path, value in form.values():
        line(f"{path}: {value}", 9)
    return bytes(pdf.output())
