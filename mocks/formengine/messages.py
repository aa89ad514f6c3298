"""What the engine sends the archive: the case and the entry of one form (FD § Case, § Entry).

The profile's decisions, written out (``fixtures/standards/formdelivery/requirements.toml``):

- the case (PutNoarksak): ``saTittel`` the form's title, then " - " and the applicant's name;
  ``saEksternNokkel`` {the engine's system, the form's referanse}; for a confidential form
  ``saU1`` 1, ``saTgkode`` 13 and ``saOfftittel`` the form's title alone (no name); for a
  building form ``matrikkelnummer`` from Skjemadata/Eiendom. No numbers, no status.
- the entry (PutJournpost): ``jpNdoktype`` I, ``jpDokdato`` the date of innsendtTidspunkt in
  Norwegian time, ``jpInnhold`` as saTittel, ``jpEksternNokkel`` {system, referanse},
  ``jpSaEksternNokkel`` the case's key; confidential: ``jpU1`` 1, ``jpTgkode`` 13,
  ``jpOffinnhold`` the title alone; one ``avsmot`` with ``amIhtype`` 0, the applicant (name,
  postal address, e-mail, and ``amFodselsnr`` or ``amOrgnr``); the documents: the engine's form
  XML as main document (``dlType`` H, ``veDokformat`` XML, ``application/xml``) and its PDF as
  an attachment (``dlType`` V, ``veDokformat`` PDF, ``application/pdf``), both titled with the
  form's title. No jpStatus: the archive registers an incoming entry as M, and a resend then
  never asks for a status change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tpn.mocks.formengine.form import Form

OSLO = ZoneInfo("Europe/Oslo")
SYSTEM = "TPN-REFERANSEMOTOR"  # the engine's eksternSystem, one name for all its deliveries
TILGANGSKODE = "13"  # duty of confidentiality (N4WS § Code lists)


@dataclass(frozen=True)
class Keys:
    """An external key: the engine's system and its own key for the object."""

    system: str
    nokkel: str

    def message(self) -> dict[str, str]:
        return {"eksternSystem": self.system, "nokkel": self.nokkel}


@dataclass(frozen=True)
class Filing:
    """One entry the engine puts: the keys of the case it goes into, its own keys, and its
    documents. The engine puts each case named by a filing once, before its first entry."""

    case: Keys
    entry: Keys
    documents: list[dict[str, Any]]


@dataclass(frozen=True)
class Titles:
    """The titles of a delivery: the full one (case and entry), the public one (confidential
    forms) and the documents'."""

    full: str
    public: str
    document: str


def keys_of_form(form: Form) -> Keys:
    """The reference: the engine's system name and the form's referanse."""
    return Keys(SYSTEM, form.job.referanse)


def one_entry(keys: Keys, documents: list[dict[str, Any]]) -> list[Filing]:
    """The reference: one case and one entry, both with the form's keys, holding every
    document (the form XML and its rendering)."""
    return [Filing(keys, keys, documents)]


def titles_of_form(form: Form) -> Titles:
    """The reference: the title and the applicant's name; publicly the title alone."""
    title = form.job.tittel
    name = form.applicant.navn.strip()
    return Titles(full=f"{title} - {name}" if name else title, public=title, document=title)


def dokdato(form: Form) -> dt.date:
    """The date the form was sent, in Norwegian time."""
    return form.innsendt.astimezone(OSLO).date()


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None and v != ""}


def noarksak(form: Form, keys: Keys | None, titles: Titles) -> dict[str, Any]:
    sak: dict[str, Any] = {
        "saTittel": titles.full,
        "saEksternNokkel": keys.message() if keys is not None else None,
    }
    if form.job.confidential:
        sak |= {"saU1": "1", "saTgkode": TILGANGSKODE, "saOfftittel": titles.public}
    if form.eiendom is not None:
        e = form.eiendom
        sak["matrikkelnummer"] = [
            {
                "kommunenummer": e.kommunenummer,
                "gaardsnummer": e.gaardsnummer,
                "bruksnummer": e.bruksnummer,
            }
        ]
    return _present(sak)


def avsender(form: Form) -> dict[str, Any]:
    a = form.applicant
    return _present(
        {
            "amOrgnr": a.organisasjonsnummer if a.kind == "organisation" else None,
            "amFodselsnr": a.foedselsnummer if a.kind == "person" else None,
            "amIhtype": "0",
            "amNavn": a.navn,
            "amAdresse": a.adresse,
            "amPostnr": a.postnummer,
            "amPoststed": a.poststed,
            "amEpostadr": a.epost,
        }
    )


def dokumenter(form: Form, titles: Titles, xml: bytes, pdf: bytes | None) -> list[dict[str, Any]]:
    name = f"{form.job.skjema_id}-{form.job.referanse}"
    out: list[dict[str, Any]] = [
        {
            "dlType": "H",
            "dbTittel": titles.document,
            "veDokformat": "XML",
            "fil": {"base64": xml},
            "veFilnavn": f"{name}.xml",
            "veMimeType": "application/xml",
        }
    ]
    if pdf is not None:
        # veDokformat PDF, not RA-PDF: the rendering is a plain PDF, not checked as PDF/A.
        out.append(
            {
                "dlType": "V",
                "dbTittel": titles.document,
                "veDokformat": "PDF",
                "fil": {"base64": pdf},
                "veFilnavn": f"{name}.pdf",
                "veMimeType": "application/pdf",
            }
        )
    return out


def journpost(
    form: Form,
    keys: Keys | None,
    case: Keys | None,
    titles: Titles,
    documents: list[dict[str, Any]],
) -> dict[str, Any]:
    jp: dict[str, Any] = {
        "jpNdoktype": "I",
        "jpDokdato": dokdato(form),
        "jpInnhold": titles.full,
        "jpEksternNokkel": keys.message() if keys is not None else None,
        "jpSaEksternNokkel": case.message() if case is not None else None,
        "avsmot": [avsender(form)],
        "dokument": documents,
    }
    if form.job.confidential:
        jp |= {"jpU1": "1", "jpTgkode": TILGANGSKODE, "jpOffinnhold": titles.public}
    return _present(jp)
