"""The form schemas: generated from the form descriptions, shipped in ``fixtures/``, compiled once.

``envelope.xsd`` (Innsender, Mottaker, Metadata and the identifier types) and
``dataelementer.xsd`` (one type per data element, carrying its fixed ``orid``) have no target
namespace: each form's XSD includes both, so every element of a document is in the form's own
namespace (chameleon includes), as the standard asks.

``python -m tpn.conformance.ksxml.schemas --write DIR`` regenerates the files in a source
checkout's ``fixtures/standards/ksxml``; ``--check DIR`` fails if they differ from the
descriptions (the project's tests do the same).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from xml.sax.saxutils import quoteattr

from lxml import etree

from tpn.conformance.ksxml.model import STANDARD, Catalogue, DataElement, Form, catalogue, forms
from tpn.fixtures import standard_file

XS = "http://www.w3.org/2001/XMLSchema"
# SERES's own attributes on a field (seres:guid) are allowed, as the standard says.
SERES = "http://seres.no/xsd/forvaltningsdata"
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_GENERATED = "Generated from forms.toml and dataelementer.toml; do not edit by hand."

# Identifier and envelope types, by the data-element type that uses them.
_IDENTIFIER_TYPES = {
    "foedselsnummer": "Foedselsnummer",
    "kommunenummer": "Kommunenummer",
    "postnummer": "Postnummer",
    "registreringsnummer": "Registreringsnummer",
    "kontonummer": "Kontonummer",
}


def _restriction(base: str, *facets: tuple[str, object]) -> str:
    inner = "".join(f"<xs:{k} value={quoteattr(str(v))}/>" for k, v in facets)
    return f'<xs:restriction base="{base}">{inner}</xs:restriction>'


def _simple(name: str, body: str, doc: str = "") -> str:
    note = (
        f"\n    <xs:annotation><xs:documentation>{doc}</xs:documentation></xs:annotation>"
        if doc
        else ""
    )
    return f'  <xs:simpleType name="{name}">{note}\n    {body}\n  </xs:simpleType>\n'


def _sequence(name: str, children: list[tuple[str, str, int, int]], extra: str = "") -> str:
    rows = []
    for child, type_, lo, hi in children:
        occurs = "" if lo == 1 else f' minOccurs="{lo}"'
        occurs += "" if hi == 1 else f' maxOccurs="{hi}"'
        rows.append(f'      <xs:element name="{child}" type="{type_}"{occurs}/>\n')
    return (
        f'  <xs:complexType name="{name}">\n    <xs:sequence>\n{"".join(rows)}    </xs:sequence>\n'
        f"{extra}  </xs:complexType>\n"
    )


def envelope() -> str:
    """``envelope.xsd``: the parts every form shares."""
    types = [
        _simple(
            "Foedselsnummer",
            _restriction("xs:string", ("pattern", "[0-9]{11}")),
            "A fødselsnummer or D-number (check digits: business rule KSX-ID-001).",
        ),
        _simple(
            "Organisasjonsnummer",
            _restriction("xs:string", ("pattern", "[0-9]{9}")),
            "An organisasjonsnummer (check digit: business rule KSX-ID-002).",
        ),
        _simple("Kommunenummer", _restriction("xs:string", ("pattern", "[0-9]{4}"))),
        _simple("Postnummer", _restriction("xs:string", ("pattern", "[0-9]{4}"))),
        _simple(
            "Registreringsnummer", _restriction("xs:string", ("pattern", "[A-Z]{2}[0-9]{4,5}"))
        ),
        _simple("Kontonummer", _restriction("xs:string", ("pattern", "[0-9]{11}"))),
        _simple(
            "Tidspunkt",
            _restriction("xs:dateTime", ("pattern", ".+(Z|[+\\-][0-9]{2}:[0-9]{2})")),
            "xs:dateTime with a zone: XSD 1.0 can only demand one by pattern.",
        ),
        _simple(
            "Sikkerhetsnivaa", _restriction("xs:integer", ("minInclusive", 1), ("maxInclusive", 4))
        ),
        _simple(
            "Spraak",
            _restriction(
                "xs:string", ("enumeration", "nb"), ("enumeration", "nn"), ("enumeration", "en")
            ),
        ),
        _simple(
            "DataFormatProvider",
            _restriction("xs:string", ("enumeration", "KS"), ("enumeration", "SERES")),
        ),
        _simple("Skjemaversjon", _restriction("xs:string", ("pattern", "[0-9]+\\.[0-9]+"))),
        _simple(
            "Referanse",
            _restriction("xs:string", ("pattern", "[A-Za-z0-9._:\\-]{1,64}")),
            "The form engine's unique id of the submission (idempotent delivery).",
        ),
        _simple("Tekst", _restriction("xs:string", ("minLength", 1), ("maxLength", 200))),
        _simple(
            "Epost",
            _restriction(
                "xs:string", ("maxLength", 254), ("pattern", "[^@\\s]+@[^@\\s]+\\.[^@\\s]+")
            ),
        ),
        _simple("Telefon", _restriction("xs:string", ("pattern", "\\+?[0-9][0-9 ]{7,19}"))),
    ]
    contact = [("epost", "Epost", 0, 1), ("telefon", "Telefon", 0, 1)]
    address = [
        ("adresse", "Tekst", 1, 1),
        ("postnummer", "Postnummer", 1, 1),
        ("poststed", "Tekst", 1, 1),
    ]
    complex_ = [
        _sequence(
            "InnsenderPerson",
            [
                ("foedselsnummer", "Foedselsnummer", 1, 1),
                ("navn", "Tekst", 1, 1),
                *address,
                *contact,
            ],
        ),
        _sequence("Kontaktperson", [("navn", "Tekst", 1, 1), *contact]),
        _sequence(
            "InnsenderOrganisasjon",
            [
                ("organisasjonsnummer", "Organisasjonsnummer", 1, 1),
                ("navn", "Tekst", 1, 1),
                ("kontaktperson", "Kontaktperson", 1, 1),
                *address,
                *contact,
            ],
        ),
        _sequence(
            "Mottaker",
            [
                ("kommunenummer", "Kommunenummer", 1, 1),
                ("kommunenavn", "Tekst", 1, 1),
                ("organisasjonsnummer", "Organisasjonsnummer", 1, 1),
            ],
        ),
        _sequence(
            "Metadata",
            [
                ("skjemaId", "Tekst", 1, 1),
                ("skjemaversjon", "Skjemaversjon", 1, 1),
                ("innsendtTidspunkt", "Tidspunkt", 1, 1),
                ("referanse", "Referanse", 1, 1),
                ("sikkerhetsnivaa", "Sikkerhetsnivaa", 1, 1),
                ("spraak", "Spraak", 1, 1),
            ],
        ),
    ]
    return (
        f"{_HEAD}<!-- KS skjema-XML: the envelope every form includes (no target namespace: it\n"
        f"     takes the namespace of the form that includes it). {_GENERATED} -->\n"
        f'<xs:schema xmlns:xs="{XS}" elementFormDefault="qualified" '
        f'attributeFormDefault="unqualified">\n'
        f"{''.join(types)}{''.join(complex_)}</xs:schema>\n"
    )


def _value_type(element: DataElement, cat: Catalogue) -> tuple[str, str]:
    """The simple type a data element's value has: (type name, definition or '' if shared)."""
    if element.type in _IDENTIFIER_TYPES:
        return _IDENTIFIER_TYPES[element.type], ""
    name = f"{element.name}Verdi"
    if element.type == "tekst":
        body = _restriction("xs:string", ("minLength", 1), ("maxLength", element.max or 200))
    elif element.type == "langtekst":
        body = _restriction("xs:string", ("minLength", 1), ("maxLength", 4000))
    elif element.type == "dato":
        body = _restriction("xs:date")
    elif element.type == "boolsk":
        body = _restriction("xs:boolean")
    elif element.type == "beloep":
        body = _restriction(
            "xs:decimal", ("minInclusive", 0), ("fractionDigits", 2), ("totalDigits", 12)
        )
    elif element.type == "heltall":
        facets: list[tuple[str, object]] = []
        if element.min is not None:
            facets.append(("minInclusive", element.min))
        if element.max is not None:
            facets.append(("maxInclusive", element.max))
        body = _restriction("xs:integer", *facets)
    else:  # kode
        body = _restriction("xs:string", *(("enumeration", c) for c in cat.codes(element)))
    return name, _simple(name, body)


def dataelementer() -> str:
    """``dataelementer.xsd``: a type per data element, its value type and fixed ``orid``."""
    cat = catalogue()
    parts: list[str] = []
    for element in cat.elements.values():
        base, simple = _value_type(element, cat)
        parts.append(simple)
        parts.append(
            f'  <xs:complexType name="{element.name}Type">\n'
            f"    <xs:annotation><xs:documentation>{element.id} {element.name}: "
            f"{_escape(element.definition)}</xs:documentation></xs:annotation>\n"
            f'    <xs:simpleContent><xs:extension base="{base}">'
            f'<xs:attribute name="orid" type="xs:positiveInteger" fixed="{element.id}"/>'
            f'<xs:anyAttribute namespace="{SERES}" processContents="lax"/>'
            f"</xs:extension></xs:simpleContent>\n  </xs:complexType>\n"
        )
    return (
        f"{_HEAD}<!-- KS skjema-XML: the project's data elements, one type each, with the fixed\n"
        f"     orid of the catalogue (dataelementer.toml). {_GENERATED} -->\n"
        f'<xs:schema xmlns:xs="{XS}" elementFormDefault="qualified" '
        f'attributeFormDefault="unqualified">\n{"".join(parts)}</xs:schema>\n'
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def form_schema(f: Form) -> str:
    """``forms/<skjemaId>.xsd``."""
    applicant = "InnsenderPerson" if f.applicant == "person" else "InnsenderOrganisasjon"
    melding = _sequence(
        "Melding",
        [
            ("Innsender", applicant, 1, 1),
            ("Mottaker", "Mottaker", 1, 1),
            ("Metadata", "Metadata", 1, 1),
            ("Skjemadata", "Skjemadata", 1, 1),
        ],
        '    <xs:attribute name="dataFormatProvider" type="DataFormatProvider" use="required"/>\n'
        f'    <xs:attribute name="dataFormatId" type="xs:string" use="required" fixed="{f.id}"/>\n'
        '    <xs:attribute name="dataFormatVersion" type="xs:string" use="required" '
        f'fixed="{f.version}"/>\n',
    )
    skjemadata = _sequence("Skjemadata", [(g.name, g.name, g.min, g.max) for g in f.groups])
    groups = [
        _sequence(
            g.name,
            [(fl.name, f"{fl.name}Type", fl.min, fl.max) for fl in g.fields],
            f'    <xs:attribute name="gruppeid" type="xs:positiveInteger" '
            f'fixed="{g.definition.id}"/>\n',
        )
        for g in f.groups
    ]
    about = (
        f"{f.id} {f.version}: {f.title} ({f.title_en}). Applicant: {f.applicant}; "
        f"confidential: {'yes' if f.confidential else 'no'}; minimum security level: {f.level}."
    )
    return (
        f"{_HEAD}<!-- {_escape(about)}\n     {_GENERATED} -->\n"
        f'<xs:schema xmlns:xs="{XS}" xmlns="{f.namespace}" targetNamespace="{f.namespace}"\n'
        f'           elementFormDefault="qualified" attributeFormDefault="unqualified" '
        f'version="{f.version}">\n'
        '  <xs:include schemaLocation="../envelope.xsd"/>\n'
        '  <xs:include schemaLocation="../dataelementer.xsd"/>\n'
        '  <xs:element name="melding" type="Melding"/>\n'
        f"{melding}{skjemadata}{''.join(groups)}</xs:schema>\n"
    )


def generated() -> Mapping[str, str]:
    """Every schema file, by its path under ``fixtures/standards/ksxml``."""
    files = {"envelope.xsd": envelope(), "dataelementer.xsd": dataelementer()}
    for f in forms():
        files[f"forms/{f.schema_name}"] = form_schema(f)
    return files


@cache
def schema(skjema_id: str) -> etree.XMLSchema:
    """The compiled XSD of a form, from the shipped files (compiled once per process)."""
    path = standard_file(STANDARD, f"forms/{skjema_id}.xsd")
    # The shipped files are ours; the parser still refuses network access and entities.
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with path.open("rb") as fh:
        doc = etree.parse(fh, parser, base_url=str(path))
    return etree.XMLSchema(doc)


def differences(folder: Path) -> list[str]:
    """The generated files that are missing from ``folder`` or differ from it."""
    return [
        name
        for name, text in generated().items()
        if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tpn.conformance.ksxml.schemas")
    parser.add_argument("--write", type=Path, metavar="DIR", help="write the schemas into DIR")
    parser.add_argument("--check", type=Path, metavar="DIR", help="exit 1 if DIR's differ")
    args = parser.parse_args(argv)
    if args.write:
        for name, text in generated().items():
            target = args.write / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        print(f"wrote {len(generated())} schemas into {args.write}")
    if args.check:
        stale = differences(args.check)
        for name in stale:
            print(f"{args.check / name}: differs from the form descriptions", file=sys.stderr)
        return 1 if stale else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
