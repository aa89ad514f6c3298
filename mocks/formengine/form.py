"""The engine's own form document, written from the job's data.

The job hands over the form's data as a KS skjema-XML document. It is hostile input: it is
parsed through the project's XML guard (no DTD, bounded size, depth and element count), and
must be the form and the submission the job names. For a form from an organisation the job
carries only the organisasjonsnummer (and the contact person); the engine asks the register
and writes the register's name and address into Innsender, in the envelope XSD's order. What
the engine archives is its own serialisation: UTF-8 with an XML declaration, every value as the
job gave it, whitespace only between elements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree

from tpn.fixtures import xmlguard
from tpn.mocks.formengine.job import DeliveryJob
from tpn.mocks.formengine.register import Enhet

NAMESPACE_PREFIX = "http://skjema.ks.no/"
# The standard's bounds on a form document (KSX-XML-002).
MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_ELEMENTS = 10_000
# InnsenderOrganisasjon in envelope.xsd, in order.
ORGANISATION_ORDER = (
    "organisasjonsnummer",
    "navn",
    "kontaktperson",
    "adresse",
    "postnummer",
    "poststed",
    "epost",
    "telefon",
)

AskRegister = Callable[[str], Enhet]


class FormError(Exception):
    """A job document the engine cannot deliver: the message says which element and why."""


@dataclass(frozen=True)
class Applicant:
    """The applicant as the engine's form names them (Innsender)."""

    kind: Literal["person", "organisation"]
    navn: str
    adresse: str
    postnummer: str
    poststed: str
    epost: str | None
    foedselsnummer: str | None
    organisasjonsnummer: str | None


@dataclass(frozen=True)
class Eiendom:
    """A building form's property, as its matrikkelnummer."""

    kommunenummer: str
    gaardsnummer: int
    bruksnummer: int


@dataclass(frozen=True)
class Form:
    """What the engine delivers: the job's facts, its own document and what it says."""

    job: DeliveryJob
    root: Any  # the engine's document (lxml element; Any: lxml-stubs' types are too narrow here)
    applicant: Applicant
    innsendt: dt.datetime
    eiendom: Eiendom | None

    @property
    def namespace(self) -> str:
        return namespace(self.job)

    def values(self) -> list[tuple[str, str]]:
        """Every value of the document, as (path below melding, text), in document order."""
        out = []
        for el in self.root.iter(etree.Element):
            if len(el) == 0 and el is not self.root:
                path = [etree.QName(a).localname for a in reversed(list(el.iterancestors()))]
                out.append(("/".join([*path[1:], etree.QName(el).localname]), el.text or ""))
        return out


def namespace(job: DeliveryJob) -> str:
    return f"{NAMESPACE_PREFIX}{job.skjema_id}/{job.versjon}"


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _text(parent: Any, ns: str, path: str) -> str | None:
    el = parent.find("/".join(_q(ns, p) for p in path.split("/")))
    return None if el is None else (el.text or "")


def parse(data: bytes, job: DeliveryJob) -> Any:
    """The job's document, parsed through the XML guard, checked to be the job's form."""
    if len(data) > MAX_BYTES:
        raise FormError(f"the document is larger than {MAX_BYTES} bytes")
    try:
        root = xmlguard.parse(
            data, max_depth=MAX_DEPTH, max_elements=MAX_ELEMENTS, what="the job's document"
        )
    except xmlguard.Refused as exc:
        raise FormError(str(exc)) from None
    except etree.XMLSyntaxError as exc:
        raise FormError(f"the job's document is not well-formed XML: {exc}") from None
    ns = namespace(job)
    if root.tag != _q(ns, "melding"):
        raise FormError(
            f"the job's document is not a {job.skjema_id} {job.versjon} form: {root.tag[:120]}"
        )
    referanse = _text(root, ns, "Metadata/referanse")
    if referanse != job.referanse:
        raise FormError(
            f"the document's Metadata/referanse {str(referanse)[:80]!r} is not the job's "
            f"{job.referanse!r}"
        )
    for name in ("Innsender", "Metadata", "Skjemadata"):
        if root.find(_q(ns, name)) is None:
            raise FormError(f"the job's document has no {name}")
    return root


def prefill_from_register(root: Any, job: DeliveryJob, ask: AskRegister) -> None:
    """For an organisation's form, Innsender's name, address (and the register's e-mail and
    telephone, where it has them) from Enhetsregisteret, in the XSD's order."""
    if job.organisasjonsnummer is None:
        return
    ns = namespace(job)
    innsender = root.find(_q(ns, "Innsender"))
    orgnr = _text(innsender, ns, "organisasjonsnummer")
    if orgnr != job.organisasjonsnummer:
        raise FormError(
            f"Innsender/organisasjonsnummer {str(orgnr)[:20]!r} is not the job's "
            f"{job.organisasjonsnummer}"
        )
    enhet = ask(job.organisasjonsnummer)
    from_register = {
        "navn": enhet.navn,
        "adresse": enhet.adresse,
        "postnummer": enhet.postnummer,
        "poststed": enhet.poststed,
        "epost": enhet.epost,
        "telefon": enhet.telefon,
    }
    kept = {etree.QName(c).localname: c for c in innsender if isinstance(c.tag, str)}
    for child in list(innsender):
        innsender.remove(child)
    innsender.text = None
    for name in ORGANISATION_ORDER:
        value = from_register.get(name)
        if value is not None:
            etree.SubElement(innsender, _q(ns, name)).text = value
        elif name in kept:
            innsender.append(kept[name])


def keep_job_data(root: Any, job: DeliveryJob, ask: AskRegister) -> None:
    """Innsender as the job gave it (what an engine that never asks the register writes)."""


def applicant(form_root: Any, job: DeliveryJob) -> Applicant:
    """The applicant as the engine's document names them."""
    ns = namespace(job)
    innsender = form_root.find(_q(ns, "Innsender"))
    epost = _text(innsender, ns, "epost")
    if job.applicant == "organisation" and not epost:
        # An organisation's mail is its contact person's when the register gives none.
        epost = _text(innsender, ns, "kontaktperson/epost")
    return Applicant(
        kind=job.applicant,
        navn=_text(innsender, ns, "navn") or "",
        adresse=_text(innsender, ns, "adresse") or "",
        postnummer=_text(innsender, ns, "postnummer") or "",
        poststed=_text(innsender, ns, "poststed") or "",
        epost=epost or None,
        foedselsnummer=_text(innsender, ns, "foedselsnummer"),
        organisasjonsnummer=_text(innsender, ns, "organisasjonsnummer"),
    )


def innsendt(form_root: Any, job: DeliveryJob) -> dt.datetime:
    text = _text(form_root, namespace(job), "Metadata/innsendtTidspunkt") or ""
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise FormError(
            f"Metadata/innsendtTidspunkt {text[:40]!r} is not a date and time"
        ) from None
    if when.tzinfo is None:
        raise FormError(f"Metadata/innsendtTidspunkt {text[:40]!r} has no zone")
    return when


def eiendom(form_root: Any, job: DeliveryJob) -> Eiendom | None:
    """A building form's Eiendom (Skjemadata/Eiendom), or None for other forms."""
    if not job.building:
        return None
    ns = namespace(job)
    found = form_root.find(f"{_q(ns, 'Skjemadata')}/{_q(ns, 'Eiendom')}")
    if found is None:
        raise FormError(f"{job.skjema_id} is a building form, but Skjemadata has no Eiendom")
    values = {
        name: (_text(found, ns, name) or "").strip()
        for name in ("kommunenummer", "gaardsnummer", "bruksnummer")
    }
    try:
        return Eiendom(
            values["kommunenummer"], int(values["gaardsnummer"]), int(values["bruksnummer"])
        )
    except ValueError:
        raise FormError(f"Skjemadata/Eiendom is not a matrikkelnummer: {values}") from None


def tidy(root: Any) -> None:
    """Drop the whitespace between elements (never inside a value), so that the engine's
    serialisation decides the layout; comments and processing instructions are no data."""
    etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)
    for el in root.iter():
        if len(el):
            el.text = None if el.text is None or not el.text.strip() else el.text
        if el is not root and el.tail is not None and not el.tail.strip():
            el.tail = None


def serialise(root: Any) -> bytes:
    """The engine's document: UTF-8 with an XML declaration, indented between elements."""
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return out
