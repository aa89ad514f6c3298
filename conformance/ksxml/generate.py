"""Valid form documents, made from the synthetic population and the form descriptions.

One generator serves two sources of choice: a seeded ``random.Random`` (the fixtures' examples,
the benchmark's 10,000 documents) and hypothesis (the public strategies, which shrink). Both
go through :class:`Chooser`, so a document is valid by construction in either case; the
generator knows the cross-field rules (a child born before the form was sent, a period that
ends after it starts, a property in the receiving municipality).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from lxml import etree

from tpn.conformance.ksxml.model import DataElement, Field, Form, Group, catalogue, form
from tpn.fixtures import population

T = TypeVar("T")

# Forms are "sent" in this window, safely in the past for the not-in-the-future rule.
SENT_FROM = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
SENT_SPAN_MINUTES = 320 * 24 * 60
ZONES = ("Z", "Europe/Oslo")
OSLO = ZoneInfo("Europe/Oslo")

_TEXTS: dict[str, tuple[str, ...]] = {
    "barnehage": (
        "Solstrålen barnehage",
        "Kråkeslottet barnehage",
        "Blåbærtoppen barnehage",
        "Løvetann naturbarnehage",
        "Måltrostveien barnehage",
    ),
    "skole": ("Østre Åsen skole", "Bjørnsletta skole", "Høyenhall skole", "Fjellhaug skole"),
    "fastlege": ("Dr. Åsmund Kjærnes", "Dr. Gøril Sætre", "Legekontoret på Torget"),
    "stedetsNavn": ("Kafé Måken", "Brygga Spiseri", "Ølstua på hjørnet", "Nærbutikken Øst"),
    "vegnavn": ("Storgata", "Kirkeveien", "Fjærevegen", "Ødegårdsveien", "Bakkåsen"),
    "adresse": ("Kirkeveien 12", "Fjærevegen 3 B", "Ødegårdsveien 41", "Bakkåsen 7"),
    "maalernummer": ("VM-104733", "VM-220518", "VM-987002", "VM-455190"),
    "begrunnelse": (
        "Jeg trenger hjelp i hverdagen etter et lårhalsbrudd.",
        "Familien har vokst, og leiligheten vår er for liten.",
        "Søker har nedsatt gangfunksjon og kan ikke bruke buss eller trikk.",
    ),
    "beskrivelse": (
        "Frittstående bod på 12 m² i bakgården, minst 1 m fra nabogrensen.",
        "Grøft for fiberkabel langs fortauet, reasfaltering etter arbeidet.",
        "Treningstilbud for barn og unge to kvelder i uken, og en sommerleir.",
    ),
    "tidligereErfaring": ("Har spilt i to år på skolen.", "Ingen, men er svært motivert."),
    "behovForTilrettelegging": ("Barnet har nøtteallergi.", "Trenger rullestoltilgang."),
}
_FALLBACK_TEXT = ("Tekst med æ, ø og å.",)
# Which kinds of organisation apply for what (organisasjonsform).
_APPLICANT_FORMS = {"KS-TILSKUDD-LAG": ("FLI",), "KS-GRAVETILLATELSE": ("AS",)}


class Chooser(Protocol):
    """Where a generator's choices come from."""

    def choice(self, options: Sequence[T]) -> T: ...

    def integer(self, lo: int, hi: int) -> int: ...

    def text(self, pool: Sequence[str], max_length: int) -> str: ...

    def present(self) -> bool:
        """Whether an optional field or group is filled in."""
        ...


class RandomChooser:
    """Choices from a seeded ``random.Random``; ``complete`` fills in every optional part."""

    def __init__(self, seed: int | random.Random, *, complete: bool = False) -> None:
        self.random = seed if isinstance(seed, random.Random) else random.Random(seed)
        self.complete = complete

    def choice(self, options: Sequence[T]) -> T:
        return options[self.random.randrange(len(options))]

    def integer(self, lo: int, hi: int) -> int:
        return self.random.randint(lo, hi)

    def text(self, pool: Sequence[str], max_length: int) -> str:
        return self.choice(pool)[:max_length]

    def present(self) -> bool:
        return self.complete or self.random.random() < 0.7


@dataclass
class Document:
    """A form document: the form it claims to be and its tree (mutable, for mutations)."""

    form: Form
    root: etree._Element

    def to_bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def copy(self) -> Document:
        return Document(self.form, _copy(self.root))

    def find(self, path: str) -> etree._Element | None:
        """The first element at ``path`` (local names joined by /, from below ``melding``)."""
        return self.root.find(_clark(path, self.form.namespace))

    def findall(self, path: str) -> list[etree._Element]:
        return self.root.findall(_clark(path, self.form.namespace))

    def text(self, path: str) -> str:
        el = self.find(path)
        if el is None or el.text is None:
            raise KeyError(f"{self.form.id}: no {path}")
        return el.text


def _copy(root: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(root))


def _clark(path: str, ns: str) -> str:
    return "/".join(f"{{{ns}}}{p}" if p not in (".", "..") else p for p in path.split("/"))


def sent_at(chooser: Chooser) -> tuple[dt.datetime, str]:
    """When a form was sent, written in UTC (``Z``) or in Norwegian time with its offset."""
    moment = SENT_FROM + dt.timedelta(minutes=chooser.integer(0, SENT_SPAN_MINUTES))
    if chooser.choice(ZONES) == "Z":
        return moment, moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment, moment.astimezone(OSLO).isoformat(timespec="seconds")


def adults(on: dt.date) -> list[population.Persona]:
    return [p for p in population.personas() if (on - p.born).days >= 18 * 365 + 5]


class _Builder:
    def __init__(self, f: Form, chooser: Chooser) -> None:
        self.form = f
        self.chooser = chooser
        self.ns = f.namespace
        self.cat = catalogue()

    def el(self, parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        child = etree.SubElement(parent, f"{{{self.ns}}}{name}")
        if text is not None:
            child.text = text
        return child

    def build(self) -> Document:
        c = self.chooser
        f = self.form
        sent, sent_text = sent_at(c)
        self.sent = sent.date()
        # The form's namespace as the default one: documents read as the standard shows them.
        root = etree.Element(f"{{{self.ns}}}melding", nsmap={None: self.ns})  # type: ignore[dict-item]
        root.set("dataFormatProvider", c.choice(("KS", "SERES")))
        root.set("dataFormatId", f.id)
        root.set("dataFormatVersion", f.version)
        innsender = self.el(root, "Innsender")
        if f.applicant == "person":
            self.applicant = self._person_applicant()
            home = self.applicant.address
            self._person(innsender, self.applicant)
        else:
            self.organisation = self._organisation_applicant()
            home = self.organisation.address
            self._organisation(innsender, self.organisation)
        self.municipality = population.municipality(home.kommunenummer)
        mottaker = self.el(root, "Mottaker")
        self.el(mottaker, "kommunenummer", self.municipality.kommunenummer)
        self.el(mottaker, "kommunenavn", self.municipality.navn)
        self.el(mottaker, "organisasjonsnummer", self.municipality.organisasjonsnummer)
        meta = self.el(root, "Metadata")
        self.el(meta, "skjemaId", f.id)
        self.el(meta, "skjemaversjon", f.version)
        self.el(meta, "innsendtTidspunkt", sent_text)
        self.el(meta, "referanse", str(uuid.UUID(int=c.integer(0, 2**128 - 1))))
        self.el(meta, "sikkerhetsnivaa", str(c.integer(f.level, 4)))
        self.el(meta, "spraak", c.choice(("nb", "nn", "en")))
        data = self.el(root, "Skjemadata")
        for g in f.groups:
            self._groups(data, g)
        return Document(f, root)

    # -- the applicant

    def _person_applicant(self) -> population.Persona:
        if self.form.group("Barn") is not None:
            parents = [
                fam.parents[0]
                for fam in population.families()
                if any(ch.born <= self.sent for ch in fam.children)
            ]
            return self.chooser.choice(parents)
        return self.chooser.choice(adults(self.sent))

    def _organisation_applicant(self) -> population.Organisation:
        kinds = _APPLICANT_FORMS.get(self.form.id, ("AS", "ENK"))
        orgs = [o for o in population.organisations() if o.organisasjonsform in kinds]
        return self.chooser.choice(orgs)

    def _contact(self, parent: etree._Element, epost: str | None, telefon: str | None) -> None:
        if epost and self.chooser.present():
            self.el(parent, "epost", epost)
        if telefon and self.chooser.present():
            self.el(parent, "telefon", telefon)

    def _address(self, parent: etree._Element, address: population.Address) -> None:
        self.el(parent, "adresse", address.adresse)
        self.el(parent, "postnummer", address.postnummer)
        self.el(parent, "poststed", address.poststed)

    def _person(self, parent: etree._Element, p: population.Persona) -> None:
        self.el(parent, "foedselsnummer", p.foedselsnummer)
        self.el(parent, "navn", p.navn)
        self._address(parent, p.address)
        self._contact(parent, p.epost, p.telefon)

    def _organisation(self, parent: etree._Element, o: population.Organisation) -> None:
        self.el(parent, "organisasjonsnummer", o.organisasjonsnummer)
        self.el(parent, "navn", o.navn)
        contact = self.el(parent, "kontaktperson")
        person = population.persona(o.kontaktperson)
        self.el(contact, "navn", person.navn)
        self._contact(contact, person.epost, person.telefon)
        self._address(parent, o.address)
        self._contact(parent, o.epost, o.telefon)

    # -- Skjemadata

    def _groups(self, data: etree._Element, g: Group) -> None:
        c = self.chooser
        if g.name == "Barn":
            children = [ch for ch in population.children_of(self.applicant) if ch.born <= self.sent]
            count = c.integer(1, min(g.max, len(children)))
            for child in children[:count]:
                group = self._group(data, g)
                self.field(group, "foedselsnummer", child.foedselsnummer)
                self.field(group, "fornavn", child.fornavn)
                self.field(group, "etternavn", child.etternavn)
            return
        if g.name in ("Styrer", "Stedfortreder"):
            taken = {e.text for e in data.iter(f"{{{self.ns}}}foedselsnummer")}
            person = c.choice([p for p in adults(self.sent) if p.foedselsnummer not in taken])
            group = self._group(data, g)
            self.field(group, "foedselsnummer", person.foedselsnummer)
            self.field(group, "navn", person.navn)
            return
        if g.min == 0 and not c.present():
            return
        for _ in range(c.integer(max(g.min, 1), g.max)):
            self._fields(self._group(data, g), g)

    def _group(self, data: etree._Element, g: Group) -> etree._Element:
        group = self.el(data, g.name)
        group.set("gruppeid", str(g.definition.id))
        return group

    def _fields(self, group: etree._Element, g: Group) -> None:
        c = self.chooser
        start = self.sent + dt.timedelta(days=c.integer(0, 90))
        for fl in g.fields:
            if fl.min == 0 and not c.present():
                continue
            for value in self._values(g, fl, start):
                self.field(group, fl.name, value)

    def field(self, group: etree._Element, name: str, value: str) -> None:
        """A field element, with the ``orid`` of its data element."""
        self.el(group, name, value).set("orid", str(self.cat.elements[name].id))

    def _values(self, g: Group, fl: Field, start: dt.date) -> list[str]:
        c = self.chooser
        e = fl.element
        if fl.max > 1:  # repeated codes: distinct, in code-list order
            codes = self.cat.codes(e)
            count = c.integer(max(fl.min, 1), min(fl.max, len(codes)))
            first = c.integer(0, len(codes) - count)
            return list(codes[first : first + count])
        if g.name == "Eiendom" and e.name == "kommunenummer":
            return [self.municipality.kommunenummer]
        if g.name in ("Skjenkested", "Utsalgssted") and e.name in (
            "adresse",
            "postnummer",
            "poststed",
        ):
            return [getattr(self.organisation.address, e.name)]
        if e.name == "fraDato":
            return [start.isoformat()]
        if e.name == "tilDato":
            return [(start + dt.timedelta(days=c.integer(1, 730))).isoformat()]
        if e.name == "avlesningsdato":
            return [(self.sent - dt.timedelta(days=c.integer(0, 30))).isoformat()]
        return [self._value(e, start)]

    def _value(self, e: DataElement, start: dt.date) -> str:
        c = self.chooser
        match e.type:
            case "tekst" | "langtekst":
                return c.text(_TEXTS.get(e.name, _FALLBACK_TEXT), e.max or 4000)
            case "dato":
                return start.isoformat()
            case "heltall":
                lo = e.min if e.min is not None else 0
                hi = e.max if e.max is not None else 1_000_000
                return str(c.integer(lo, hi))
            case "beloep":
                kroner = c.integer(0, 5_000_000)
                return f"{kroner}.{c.integer(0, 99):02d}" if c.present() else str(kroner)
            case "boolsk":
                return c.choice(("true", "false"))
            case "kode":
                return c.choice(self.cat.codes(e))
            case "registreringsnummer":
                letters = c.choice(("AB", "BT", "DN", "EL", "KH", "NF", "SV", "ZX"))
                return f"{letters}{c.integer(10000, 99999)}"
            case "kontonummer":
                return f"{c.integer(1000, 9999)}{c.integer(10, 99)}{c.integer(10000, 99999)}"
            case _:
                raise ValueError(f"{e.name}: no generator for type {e.type}")


def document(f: Form | str, chooser: Chooser) -> Document:
    """A valid document of form ``f`` (a :class:`Form` or its skjemaId)."""
    return _Builder(form(f) if isinstance(f, str) else f, chooser).build()


def example(f: Form | str, seed: int = 2007) -> Document:
    """The fixtures' example of a form: every optional part filled in, the same every time."""
    return document(f, RandomChooser(seed, complete=True))
