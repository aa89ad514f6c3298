"""Single-rule mutations: a valid document changed so that it breaks exactly one named rule.

They prove the validator (every mutation is refused by exactly its rule, over all 15 forms) and
they are the form-xml profile's defect catalogue: a folder of a vendor's documents with one
mutation in it must fail exactly that requirement. Each mutator returns ``None`` when its rule
has nothing to break in the given document (no Barn group, no Periode …).

A mutation takes care not to break a second rule on the way: a changed check digit keeps the
date, a child born too late still has a valid number, a foreign kommunenummer is a known one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from tpn.conformance.ksxml.findings import local
from tpn.conformance.ksxml.generate import Chooser, Document
from tpn.conformance.ksxml.model import Form, catalogue, forms
from tpn.conformance.ksxml.rules import sent_day
from tpn.fixtures import identifiers, population


@dataclass(frozen=True)
class Mutation:
    """A mutated document: the rule it breaks, what was done, and its bytes."""

    rule: str
    description: str
    data: bytes
    form: str

    def annotated(self) -> bytes:
        """The bytes with a leading ``<!-- breaks: RULE (what) -->`` after the declaration."""
        note = f"<!-- breaks: {self.rule} ({self.description.replace('--', '- -')}) -->\n"
        decl, nl, rest = self.data.partition(b"\n")
        if decl.startswith(b"<?xml"):
            return decl + nl + note.encode() + rest
        return note.encode() + self.data


Mutator = Callable[[Document, Chooser], Mutation | None]


def _elements(doc: Document, name: str, group: str | None = None) -> list[etree._Element]:
    found = [el for el in doc.root.iter(etree.Element) if local(el) == name]
    if group is None:
        return found
    return [el for el in found if (p := el.getparent()) is not None and local(p) == group]


def _where(el: etree._Element) -> str:
    parent = el.getparent()
    return f"{local(parent)}/{local(el)}" if parent is not None else local(el)


def _done(doc: Document, rule: str, description: str) -> Mutation:
    return Mutation(rule, description, doc.to_bytes(), doc.form.id)


def _sent(doc: Document) -> dt.datetime:
    return dt.datetime.fromisoformat(doc.text("Metadata/innsendtTidspunkt"))


# ------------------------------------------------------------------ the document


def not_well_formed(doc: Document, c: Chooser) -> Mutation | None:
    """Writes XML that is not well-formed: cut off, a mismatched tag, or a byte that is not UTF-8."""
    data = doc.to_bytes()
    how = c.choice(("cut", "tag", "byte"))
    if how == "cut":
        return Mutation(
            "KSX-XML-001",
            "the document is cut off before its end",
            data[: len(data) * 2 // 3],
            doc.form.id,
        )
    if how == "tag":
        return Mutation(
            "KSX-XML-001",
            "the closing tag does not match: </meldingen>",
            data.replace(b"</melding>", b"</meldingen>"),
            doc.form.id,
        )
    at = data.index(b"<navn>") + len(b"<navn>")
    return Mutation(
        "KSX-XML-001",
        "a byte that is not UTF-8 (0xff) in Innsender/navn",
        data[:at] + b"\xff" + data[at:],
        doc.form.id,
    )


def hostile(doc: Document, c: Chooser) -> Mutation | None:
    """Sends a DTD with entities, nests too deep, or pads the document past the size limit."""
    data = doc.to_bytes()
    decl, _, rest = data.partition(b"\n")
    how = c.choice(("entity", "deep", "large"))
    if how == "entity":
        dtd = b'<!DOCTYPE melding [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;">]>\n'
        return Mutation(
            "KSX-XML-002",
            "a DTD declaring entities (the start of a billion laughs)",
            decl + b"\n" + dtd + rest,
            doc.form.id,
        )
    if how == "deep":
        deep = b"<n>" * 40 + b"</n>" * 40
        return Mutation(
            "KSX-XML-002",
            "40 nested elements inside Skjemadata",
            data.replace(b"</Skjemadata>", deep + b"</Skjemadata>"),
            doc.form.id,
        )
    pad = b"<!--" + b" " * (2 * 1024 * 1024) + b"-->\n"
    return Mutation(
        "KSX-XML-002", "over 2 MiB (a comment of padding)", decl + b"\n" + pad + rest, doc.form.id
    )


def wrong_namespace(doc: Document, c: Chooser) -> Mutation | None:
    """Puts the root in the namespace of no known form (another version, a form that does not
    exist) or renames melding."""
    data = doc.to_bytes()
    ns = doc.form.namespace.encode()
    how = c.choice(("version", "form", "root"))
    if how == "version":
        other = ns.rsplit(b"/", 1)[0] + b"/9.9"
        return Mutation(
            "KSX-ENV-001",
            "the namespace names version 9.9 of the form",
            data.replace(ns, other),
            doc.form.id,
        )
    if how == "form":
        return Mutation(
            "KSX-ENV-001",
            "the namespace names a form that does not exist",
            data.replace(ns, b"http://skjema.ks.no/KS-UKJENT/1.0"),
            doc.form.id,
        )
    return Mutation(
        "KSX-ENV-001",
        "the root element is <soknad>, not <melding>",
        data.replace(b"<melding", b"<soknad").replace(b"</melding>", b"</soknad>"),
        doc.form.id,
    )


def wrong_names(doc: Document, c: Chooser) -> Mutation | None:
    """Lets Metadata or melding's dataFormat attributes disagree with the namespace's form and version."""
    d = doc.copy()
    other = c.choice([f for f in forms() if f.id != d.form.id])
    how = c.choice(
        ("skjemaId", "skjemaversjon", "dataFormatId", "dataFormatVersion", "dataFormatProvider")
    )
    if how in ("skjemaId", "skjemaversjon"):
        el = d.find(f"Metadata/{how}")
        assert el is not None
        el.text = other.id if how == "skjemaId" else "1.1"
        return _done(d, "KSX-ENV-002", f"Metadata/{how} is {el.text}")
    value = {"dataFormatId": other.id, "dataFormatVersion": "2.0", "dataFormatProvider": "NAV"}
    d.root.set(how, value[how])
    return _done(d, "KSX-ENV-002", f"melding/@{how} is {value[how]}")


def against_schema(doc: Document, c: Chooser) -> Mutation | None:
    """Breaks the form's XSD: a required field left out, one occurring twice, text in a
    number, an undeclared element."""
    d = doc.copy()
    groups = [el for el in d.findall("Skjemadata/*")]
    group = c.choice(groups)
    how = c.choice(("remove", "unknown", "twice", "text"))
    spec = d.form.group(local(group))
    assert spec is not None
    fields = [el for el in group if spec.field(local(el)) is not None]
    if how == "remove":
        required = [
            el
            for el in fields
            if (fs := spec.field(local(el)))
            and fs.min >= 1
            and len([x for x in group if x.tag == el.tag]) == fs.min
        ]
        if required:
            el = c.choice(required)
            group.remove(el)
            return _done(d, "KSX-XSD-001", f"the required {_where(el)} is left out")
    if how == "twice":
        once = [el for el in fields if (fs := spec.field(local(el))) and fs.max == 1]
        if once:
            el = c.choice(once)
            el.addnext(etree.fromstring(etree.tostring(el)))
            return _done(d, "KSX-XSD-001", f"{_where(el)} occurs twice")
    if how == "text":
        numbers = [el for el in fields if catalogue().elements[local(el)].type == "heltall"]
        if numbers:
            el = c.choice(numbers)
            el.text = "mange"
            return _done(d, "KSX-XSD-001", f"{_where(el)} is 'mange', not a number")
    etree.SubElement(group, f"{{{d.form.namespace}}}merknad").text = "Ekstra felt"
    return _done(d, "KSX-XSD-001", f"an undeclared element merknad at the end of {local(group)}")


# ------------------------------------------------------------------ identifiers


def _other_digit(digit: str, c: Chooser) -> str:
    return c.choice([d for d in "0123456789" if d != digit])


def bad_person_number(doc: Document, c: Chooser) -> Mutation | None:
    """Writes a fødselsnummer with a wrong check digit (a typo the form did not catch)."""
    d = doc.copy()
    numbers = _elements(d, "foedselsnummer")
    if not numbers:
        return None
    el = c.choice(numbers)
    number = el.text or ""
    at = c.choice((9, 10))  # a check digit: the date, and so the other rules, stay as they were
    el.text = number[:at] + _other_digit(number[at], c) + number[at + 1 :]
    return _done(d, "KSX-ID-001", f"check digit {at + 1} of {_where(el)} is wrong ({el.text})")


def bad_organisation_number(doc: Document, c: Chooser) -> Mutation | None:
    """Writes an organisasjonsnummer with a wrong check digit."""
    d = doc.copy()
    el = c.choice(_elements(d, "organisasjonsnummer"))
    number = el.text or ""
    el.text = number[:8] + _other_digit(number[8], c)
    return _done(d, "KSX-ID-002", f"the check digit of {_where(el)} is wrong ({el.text})")


def real_person_number(doc: Document, c: Chooser) -> Mutation | None:
    """Fills a test document with a real-format fødselsnummer, not a synthetic one."""
    # Children are left alone: a real-format number needs a birth date no living person has
    # (2030-2039), and a child born then would also break KSX-BARN-001.
    d = doc.copy()
    adults = [
        el
        for el in _elements(d, "foedselsnummer")
        if (p := el.getparent()) is not None and local(p) != "Barn"
    ]
    if not adults:
        return None
    el = c.choice(adults)
    born = dt.date(c.integer(2030, 2039), c.integer(1, 12), c.integer(1, 28))
    el.text = identifiers.first_fnr(born, c.integer(0, 400), synthetic=False)
    return _done(
        d,
        "KSX-ID-003",
        f"{_where(el)} is a real-format number ({el.text}, born {born.isoformat()})",
    )


def _known() -> list[population.Municipality]:
    return list(population.municipalities())


def unknown_municipality(doc: Document, c: Chooser) -> Mutation | None:
    """Sends to a kommunenummer no municipality has (a typo, or a number not 4 digits)."""
    d = doc.copy()
    # Every kommunenummer the same, so that Eiendom still lies in the receiving municipality.
    value = c.choice(("2999", "0000", "123", "03O1"))
    for el in _elements(d, "kommunenummer"):
        el.text = value
    return _done(d, "KSX-KOMM-001", f"kommunenummer is {value!r}")


def bad_postal_code(doc: Document, c: Chooser) -> Mutation | None:
    """Writes a postnummer that is not 4 digits (a 'N-' prefix, a letter O for a zero)."""
    d = doc.copy()
    el = c.choice(_elements(d, "postnummer"))
    value = c.choice(("123", "12345", "O150", "N-0150"))
    el.text = value
    return _done(d, "KSX-POST-001", f"{_where(el)} is {value!r}")


# ------------------------------------------------------------------ metadata


def bad_time(doc: Document, c: Chooser) -> Mutation | None:
    """Writes innsendtTidspunkt without a zone, or in the future (a wrong clock)."""
    d = doc.copy()
    el = d.find("Metadata/innsendtTidspunkt")
    assert el is not None
    if c.choice(("zone", "future")) == "zone":
        el.text = _sent(doc).replace(tzinfo=None).isoformat(timespec="seconds")
        return _done(d, "KSX-TID-001", f"innsendtTidspunkt {el.text} has no zone")
    el.text = f"{c.integer(2090, 2099)}-0{c.integer(1, 9)}-1{c.integer(0, 9)}T12:00:00+01:00"
    return _done(d, "KSX-TID-001", f"innsendtTidspunkt {el.text} is in the future")


def low_level(doc: Document, c: Chooser) -> Mutation | None:
    """Records a security level below the form's minimum, or outside 1-4."""
    d = doc.copy()
    el = d.find("Metadata/sikkerhetsnivaa")
    assert el is not None
    options = [str(n) for n in range(1, d.form.level)] + ["0", "5"]
    el.text = c.choice(options)
    return _done(
        d,
        "KSX-NIVAA-001",
        f"sikkerhetsnivaa is {el.text}; {d.form.id} needs at least {d.form.level}",
    )


def reused_reference(first: Document, second: Document) -> Mutation:
    """The one mutation of a pair: ``second`` sent with ``first``'s referanse (KSX-REF-001)."""
    d = second.copy()
    el = d.find("Metadata/referanse")
    assert el is not None
    el.text = first.text("Metadata/referanse")
    return _done(d, "KSX-REF-001", f"Metadata/referanse {el.text} was used by another document")


def bad_code(doc: Document, c: Chooser) -> Mutation | None:
    """Writes a coded field with a value outside its code list (spraak sv, a misspelt code)."""
    d = doc.copy()
    coded = [
        el
        for el in d.root.iter(etree.Element)
        if local(el) == "spraak"
        or ((e := catalogue().elements.get(local(el))) is not None and e.type == "kode")
    ]
    el = c.choice(coded)
    value = c.choice(("sv", "ukjent", "4", "Piano", "")) if local(el) != "spraak" else "sv"
    el.text = value
    return _done(d, "KSX-KODE-001", f"{_where(el)} is {value!r}, not in its code list")


# ------------------------------------------------------------------ semantics


def wrong_orid(doc: Document, c: Chooser) -> Mutation | None:
    """Gives a field or group the orid or gruppeid of another data element."""
    d = doc.copy()
    marked = [el for el in d.root.iter(etree.Element) if el.get("orid") or el.get("gruppeid")]
    el = c.choice(marked)
    attribute = "orid" if el.get("orid") else "gruppeid"
    value = int(el.get(attribute) or 0) + c.integer(1, 50)
    el.set(attribute, str(value))
    return _done(d, "KSX-ORID-001", f"{_where(el)}/@{attribute} is {value}")


def wrong_receiver(doc: Document, c: Chooser) -> Mutation | None:
    """Names one municipality's number with another's name or organisasjonsnummer."""
    d = doc.copy()
    number = d.text("Mottaker/kommunenummer")
    other = c.choice([m for m in _known() if m.kommunenummer != number])
    if c.choice(("navn", "orgnr")) == "navn":
        el = d.find("Mottaker/kommunenavn")
        assert el is not None
        el.text = other.navn
        return _done(d, "KSX-MOT-001", f"Mottaker is {number} but names {other.navn}")
    el = d.find("Mottaker/organisasjonsnummer")
    assert el is not None
    el.text = other.organisasjonsnummer
    return _done(d, "KSX-MOT-001", f"Mottaker is {number} but has {other.navn}'s orgnr")


def wrong_child(doc: Document, c: Chooser) -> Mutation | None:
    """Puts the applicant in as the child, or a child born after the form was sent."""
    d = doc.copy()
    kids = _elements(d, "foedselsnummer", "Barn")
    if not kids:
        return None
    el = c.choice(kids)
    if c.choice(("applicant", "unborn")) == "applicant":
        el.text = d.text("Innsender/foedselsnummer")
        return _done(d, "KSX-BARN-001", "the child's number is the applicant's")
    born = sent_day(_sent(doc)) + dt.timedelta(days=c.integer(1, 365))
    el.text = identifiers.first_fnr(born, c.integer(0, 400))
    return _done(
        d, "KSX-BARN-001", f"the child is born {born.isoformat()}, after the form was sent"
    )


def reversed_period(doc: Document, c: Chooser) -> Mutation | None:
    """Swaps a period's fraDato and tilDato."""
    d = doc.copy()
    periods = _elements(d, "Periode")
    if not periods:
        return None
    group = c.choice(periods)
    start, end = _child(group, "fraDato"), _child(group, "tilDato")
    start.text, end.text = end.text, start.text
    return _done(d, "KSX-PERIODE-001", f"Periode runs from {start.text} back to {end.text}")


def _child(group: etree._Element, name: str) -> etree._Element:
    return next(el for el in group if local(el) == name)


def foreign_property(doc: Document, c: Chooser) -> Mutation | None:
    """Sends a property in another municipality to this one."""
    d = doc.copy()
    places = _elements(d, "kommunenummer", "Eiendom")
    if not places:
        return None
    el = c.choice(places)
    other = c.choice([m for m in _known() if m.kommunenummer != el.text])
    el.text = other.kommunenummer
    return _done(d, "KSX-MATR-001", f"the property lies in {other.navn} ({other.kommunenummer})")


MUTATORS: dict[str, Mutator] = {
    "KSX-XML-001": not_well_formed,
    "KSX-XML-002": hostile,
    "KSX-ENV-001": wrong_namespace,
    "KSX-ENV-002": wrong_names,
    "KSX-XSD-001": against_schema,
    "KSX-ID-001": bad_person_number,
    "KSX-ID-002": bad_organisation_number,
    "KSX-ID-003": real_person_number,
    "KSX-KOMM-001": unknown_municipality,
    "KSX-POST-001": bad_postal_code,
    "KSX-TID-001": bad_time,
    "KSX-NIVAA-001": low_level,
    "KSX-KODE-001": bad_code,
    "KSX-ORID-001": wrong_orid,
    "KSX-MOT-001": wrong_receiver,
    "KSX-BARN-001": wrong_child,
    "KSX-PERIODE-001": reversed_period,
    "KSX-MATR-001": foreign_property,
}
"""Every rule but KSX-REF-001 (a property of two documents: :func:`reused_reference`)."""

PAIR_RULES = ("KSX-REF-001",)


def possible(f: Form, rule: str) -> bool:
    """Whether documents of form ``f`` can break ``rule`` at all (some only when an optional
    group is there: the mutator still returns ``None`` for a document without it)."""

    def has_number(skip: tuple[str, ...]) -> bool:
        return f.applicant == "person" or any(
            g.field("foedselsnummer") is not None for g in f.groups if g.name not in skip
        )

    needs = {
        "KSX-BARN-001": lambda: f.group("Barn") is not None,
        "KSX-PERIODE-001": lambda: f.group("Periode") is not None,
        "KSX-MATR-001": lambda: f.group("Eiendom") is not None,
        "KSX-ID-001": lambda: has_number(()),
        "KSX-ID-003": lambda: has_number(("Barn",)),
    }
    check = needs.get(rule)
    return check() if check is not None else True


def mutate(doc: Document, rule: str, chooser: Chooser) -> Mutation | None:
    """``doc`` changed to break exactly ``rule``, or ``None`` if it has nothing to break."""
    try:
        mutator = MUTATORS[rule]
    except KeyError:
        known = ", ".join(MUTATORS)
        raise KeyError(f"no single-document mutation for {rule!r}; there are: {known}") from None
    return mutator(doc, chooser)
