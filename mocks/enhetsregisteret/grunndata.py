"""The register's answer as the period service wrote it: a ``grunndata`` document, built with
lxml and handed over as one string (``fixtures/standards/enhetsregisteret/grunndata.xsd``).

``grunndata`` holds a ``responseHeader`` (the orgnr asked for, ``hovedStatus`` 0 or -1, and an
``underStatus`` with one coded ``underStatusMelding``), then one ``melding`` per entity: for an
orgnr, the entity's; for ``sokEnhet``, each hit's; none for an error without an entity. What a
``melding`` holds depends on the operation (``Content``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from lxml import etree

from tpn.fixtures import population
from tpn.fixtures.population import Address, Organisation
from tpn.mocks.enhetsregisteret.register import Code, Koder

__all__ = ["Content", "document", "melding"]

# What the header echoes of the client's orgnr, at most.
ECHO_LENGTH = 100
# A name line of the period register held 35 characters; longer names go on in navn2, navn3...
NAME_LINE = 35
MAX_NAME_LINES = 5


class Content(enum.Flag):
    """What one operation's ``melding`` holds beyond organisasjonsnummer and navn."""

    IDENTITY = 0
    MINI = enum.auto()  # addresses and organisasjonsform
    BASIS = enum.auto()  # naeringskode, registreringsdato, konkurs, underAvvikling
    KONTAKT = enum.auto()  # telefon, epost, hjemmeside
    ROLLER = enum.auto()  # roles and the persons holding them


def _text(parent: etree._Element, tag: str, value: str) -> etree._Element:
    child = etree.SubElement(parent, tag)
    child.text = value
    return child


def name_lines(navn: str) -> list[str]:
    """``navn`` in lines of at most 35 characters, broken between words where it can be."""
    lines: list[str] = []
    rest = navn.strip()
    while rest and len(lines) < MAX_NAME_LINES:
        if len(rest) <= NAME_LINE:
            lines.append(rest)
            break
        cut = rest.rfind(" ", 0, NAME_LINE + 1)
        cut = cut if cut > 0 else NAME_LINE
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return lines or [""]


def _address(parent: etree._Element, tag: str, address: Address) -> None:
    element = etree.SubElement(parent, tag)
    _text(element, "adresse1", address.adresse)
    _text(element, "postnr", address.postnummer)
    _text(element, "poststed", address.poststed)
    _text(element, "kommunenummer", address.kommunenummer)
    _text(element, "kommune", population.municipality(address.kommunenummer).navn)
    _text(element, "landkode", "NO")
    _text(element, "land", "Norge")


def _flag(parent: etree._Element, tag: str, since: object) -> None:
    element = _text(parent, tag, "N" if since is None else "J")
    if since is not None:
        element.set("dato", str(since))


def melding(enhet: Organisation, content: Content, koder: Koder) -> etree._Element:
    """One entity's ``melding``, holding what ``content`` asks for."""
    out = etree.Element("melding")
    number = _text(out, "organisasjonsnummer", enhet.organisasjonsnummer)
    number.set("registreringsDato", enhet.registreringsdato.isoformat())
    navn = etree.SubElement(out, "navn")
    for i, line in enumerate(name_lines(enhet.navn), start=1):
        _text(navn, f"navn{i}", line)
    if content & (Content.MINI | Content.BASIS):
        _address(out, "forretningsAdresse", enhet.address)
        # The population keeps one address; the register answers it as the postal one too.
        _address(out, "postAdresse", enhet.address)
        form = etree.SubElement(out, "organisasjonsform")
        _text(form, "orgform", enhet.organisasjonsform)
        _text(form, "orgformBeskrivelse", koder.orgform[enhet.organisasjonsform])
    if content & Content.BASIS:
        kode = etree.SubElement(out, "naeringskode")
        _text(kode, "kode", enhet.naeringskode)
        _text(kode, "beskrivelse", koder.naeringskode[enhet.naeringskode])
        _text(out, "registreringsdato", enhet.registreringsdato.isoformat())
        _flag(out, "konkurs", enhet.konkurs)
        _flag(out, "underAvvikling", enhet.under_avvikling)
    if enhet.slettet is not None:
        _text(out, "slettedato", enhet.slettet.isoformat())
    if content & Content.KONTAKT:
        kontakt = etree.SubElement(out, "kontaktdata")
        _text(kontakt, "telefon", enhet.telefon)
        _text(kontakt, "epost", enhet.epost)
        if enhet.hjemmeside:
            _text(kontakt, "hjemmeside", enhet.hjemmeside)
    if content & Content.ROLLER:
        roller = etree.SubElement(out, "roller")
        for role in enhet.roller:
            who = population.persona(role.person)
            element = etree.SubElement(roller, "rolle", kode=role.rolle)
            _text(element, "beskrivelse", koder.rolle[role.rolle])
            person = etree.SubElement(element, "person")
            _text(person, "fodselsnummer", who.foedselsnummer)
            _text(person, "fornavn", who.fornavn)
            _text(person, "etternavn", who.etternavn)
    return out


def document(
    code: Code,
    text: str,
    meldinger: Iterable[etree._Element] = (),
    *,
    orgnr: str | None,
    koder: Koder,
) -> str:
    """The whole answer, as the string the SOAP answer carries (no XML declaration: it travels
    inside another document's text)."""
    root = etree.Element("grunndata")
    header = etree.SubElement(root, "responseHeader")
    if orgnr is not None:
        _text(header, "orgnr", orgnr[:ECHO_LENGTH])
    _text(header, "hovedStatus", "0" if koder.status[code].ok else "-1")
    under = etree.SubElement(header, "underStatus")
    _text(under, "underStatusMelding", text).set("kode", str(int(code)))
    root.extend(meldinger)
    out: str = etree.tostring(root, encoding="unicode")
    return out
