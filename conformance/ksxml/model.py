"""The KS skjema-XML forms as data: the 15 forms, their groups and fields, the data elements and
code lists (``fixtures/standards/ksxml/forms.toml`` and ``dataelementer.toml``).

Everything else (the XSDs, the validator's rules, the document generator, the mutations) reads
the forms from here, so a form is described once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from tpn.fixtures import standard_file

STANDARD = "ksxml"
NAMESPACE_PREFIX = "http://skjema.ks.no/"
TYPES = (
    "tekst",
    "langtekst",
    "dato",
    "heltall",
    "beloep",
    "boolsk",
    "kode",
    "foedselsnummer",
    "kommunenummer",
    "postnummer",
    "registreringsnummer",
    "kontonummer",
)
_FIELD = re.compile(r"^(?P<name>[A-Za-z]+)(?:(?P<opt>\?)|\{(?P<lo>\d+),(?P<hi>\d+)\})?$")


@dataclass(frozen=True)
class DataElement:
    """A data element of the catalogue: what an ``orid`` points at."""

    id: int
    name: str
    type: str
    definition: str
    source: str
    max: int | None = None
    min: int | None = None
    codelist: str | None = None


@dataclass(frozen=True)
class GroupDefinition:
    """A group of the catalogue: what a ``gruppeid`` points at."""

    id: int
    name: str
    definition: str
    source: str


@dataclass(frozen=True)
class Field:
    """A field of a form's group: a data element and how often it occurs."""

    element: DataElement
    min: int = 1
    max: int = 1

    @property
    def name(self) -> str:
        return self.element.name


@dataclass(frozen=True)
class Group:
    """A group of a form's Skjemadata, with its fields in order."""

    definition: GroupDefinition
    fields: tuple[Field, ...]
    min: int = 1
    max: int = 1

    @property
    def name(self) -> str:
        return self.definition.name

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Form:
    """One of the 15 prioritised services."""

    id: str
    version: str
    title: str
    title_en: str
    applicant: Literal["person", "organisation"]
    confidential: bool
    level: int
    groups: tuple[Group, ...]

    @property
    def namespace(self) -> str:
        return f"{NAMESPACE_PREFIX}{self.id}/{self.version}"

    @property
    def schema_name(self) -> str:
        return f"{self.id}.xsd"

    def group(self, name: str) -> Group | None:
        return next((g for g in self.groups if g.name == name), None)


@dataclass(frozen=True)
class Catalogue:
    """The data elements, groups and code lists, by name."""

    elements: Mapping[str, DataElement]
    groups: Mapping[str, GroupDefinition]
    codelists: Mapping[str, Mapping[str, str]]

    def codes(self, element: DataElement) -> tuple[str, ...]:
        if element.codelist is None:
            return ()
        return tuple(self.codelists[element.codelist])


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads(standard_file(STANDARD, name).read_text(encoding="utf-8"))


@cache
def catalogue() -> Catalogue:
    data = _toml("dataelementer.toml")
    elements: dict[str, DataElement] = {}
    for raw in data["element"]:
        element = DataElement(**raw)
        if element.type not in TYPES:
            raise ValueError(f"data element {element.name}: unknown type {element.type!r}")
        if element.type == "kode" and element.codelist not in data["codelist"]:
            raise ValueError(f"data element {element.name}: unknown code list {element.codelist}")
        if element.name in elements:
            raise ValueError(f"data element {element.name} is defined twice")
        elements[element.name] = element
    groups = {g["name"]: GroupDefinition(**g) for g in data["group"]}
    ids = [e.id for e in elements.values()] + [g.id for g in groups.values()]
    if len(ids) != len(set(ids)):
        raise ValueError("dataelementer.toml gives one id to two elements or groups")
    return Catalogue(elements, groups, data["codelist"])


def _field(spec: str, known: Mapping[str, DataElement], where: str) -> Field:
    match = _FIELD.match(spec)
    if match is None or match["name"] not in known:
        raise ValueError(f"{where}: {spec!r} is not a known field (name, name? or name{{m,n}})")
    element = known[match["name"]]
    if match["opt"]:
        return Field(element, 0, 1)
    if match["lo"] is not None:
        return Field(element, int(match["lo"]), int(match["hi"]))
    return Field(element)


@cache
def forms() -> tuple[Form, ...]:
    cat = catalogue()
    found: list[Form] = []
    for raw in _toml("forms.toml")["form"]:
        groups: list[Group] = []
        for g in raw["groups"]:
            where = f"{raw['id']}/{g['name']}"
            if g["name"] not in cat.groups:
                raise ValueError(f"{where}: no such group in dataelementer.toml")
            fields = tuple(_field(s, cat.elements, where) for s in g["fields"])
            groups.append(Group(cat.groups[g["name"]], fields, g.get("min", 1), g.get("max", 1)))
        found.append(
            Form(
                id=raw["id"],
                version=raw["version"],
                title=raw["title"],
                title_en=raw["title_en"],
                applicant=raw["applicant"],
                confidential=raw["confidential"],
                level=raw["level"],
                groups=tuple(groups),
            )
        )
    return tuple(found)


def form(skjema_id: str) -> Form:
    """The form with ``skjema_id``; a KeyError that lists the known ones otherwise."""
    for f in forms():
        if f.id == skjema_id:
            return f
    known = ", ".join(f.id for f in forms())
    raise KeyError(f"no form {skjema_id!r}; the forms are {known}")


@cache
def by_namespace() -> Mapping[str, Form]:
    return {f.namespace: f for f in forms()}


def fields_named(f: Form, name: str) -> Iterator[tuple[Group, Field]]:
    """Every (group, field) of ``f`` whose field is the data element ``name``."""
    for g in f.groups:
        for fl in g.fields:
            if fl.name == name:
                yield g, fl
