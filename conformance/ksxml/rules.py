"""The business rules of KS skjema-XML, beyond each form's XSD (``ks-skjema-xml.md``).

Each rule looks only at values that are there and well-formed enough to judge: a value the XSD
already refused (a postnummer of three digits, a level of 7) was reported under its own rule
id, and a missing element is the XSD's to report. So one mistake gives one finding.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import ZoneInfo

from lxml import etree

from tpn.conformance.ksxml.findings import Finding, line_of, local, path_of
from tpn.conformance.ksxml.model import Form
from tpn.fixtures import identifiers, population

SKEW = dt.timedelta(minutes=5)
OSLO = ZoneInfo("Europe/Oslo")


@dataclass
class Document:
    """A parsed document as the rules see it: its elements by local name, in document order."""

    form: Form
    root: etree._Element
    now: dt.datetime
    synthetic_only: bool
    flagged: set[etree._Element] = field(default_factory=set)  # already reported by the XSD
    by_name: dict[str, list[etree._Element]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for el in self.root.iter(etree.Element):
            self.by_name.setdefault(local(el), []).append(el)

    def all(self, name: str) -> list[etree._Element]:
        return self.by_name.get(name, [])

    def one(self, parent: str, name: str) -> etree._Element | None:
        """The ``name`` child of the first ``parent`` element (e.g. Metadata/referanse)."""
        for el in self.all(name):
            up = el.getparent()
            if up is not None and local(up) == parent:
                return el
        return None

    def value(self, el: etree._Element | None) -> str | None:
        """The element's value as the XSD reads it (comments and processing instructions
        inside it left out), unless it is missing, not a simple value, or the XSD already
        refused it."""
        if el is None or el in self.flagged:
            return None
        parts = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str):
                return None  # element content: the XSD's to judge
            parts.append(child.tail or "")  # the text after a comment or PI
        text = "".join(parts)
        return text if text else None


def finding(rule: str, el: etree._Element, message: str) -> Finding:
    return Finding(rule, message, line_of(el), path_of(el))


Rule = Callable[[Document], Iterator[Finding]]


@cache
def _municipalities() -> dict[str, population.Municipality]:
    return {m.kommunenummer: m for m in population.municipalities()}


def envelope_names(doc: Document) -> Iterator[Finding]:
    """KSX-ENV-002 for Metadata (the root's attributes are fixed in the XSD)."""
    for name, expected in (("skjemaId", doc.form.id), ("skjemaversjon", doc.form.version)):
        el = doc.one("Metadata", name)
        got = doc.value(el)
        if el is not None and got is not None and got != expected:
            yield finding(
                "KSX-ENV-002",
                el,
                f"Metadata/{name} is {got!r}, but the namespace is {doc.form.id} "
                f"{doc.form.version}: expected {expected!r}",
            )


def person_numbers(doc: Document) -> Iterator[Finding]:
    """KSX-ID-001, and KSX-ID-003 when only synthetic numbers are accepted."""
    for el in doc.all("foedselsnummer"):
        number = doc.value(el)
        if number is None:
            continue
        check = identifiers.check_person(number)
        if check.reason is not None:
            kind = "number" if check.kind == identifiers.Kind.UNKNOWN else str(check.kind)
            yield finding("KSX-ID-001", el, f"{number} is not a valid {kind}: {check.reason}")
        elif doc.synthetic_only and not identifiers.is_synthetic(number):
            yield finding(
                "KSX-ID-003",
                el,
                f"{number} is a real-format {check.kind}; only synthetic numbers "
                "(month 41-52 or 81-92) are accepted here",
            )


def organisation_numbers(doc: Document) -> Iterator[Finding]:
    for el in doc.all("organisasjonsnummer"):
        number = doc.value(el)
        if number is None:
            continue
        check = identifiers.check_orgnr(number)
        if check.reason is not None:
            yield finding("KSX-ID-002", el, f"{number} is not a valid orgnr: {check.reason}")


def municipality_numbers(doc: Document) -> Iterator[Finding]:
    known = _municipalities()
    for el in doc.all("kommunenummer"):
        number = doc.value(el)
        if number is None:
            continue
        reason = identifiers.check_kommunenummer(number, known)
        if reason is not None:
            yield finding("KSX-KOMM-001", el, reason)


def postal_codes(doc: Document) -> Iterator[Finding]:
    for el in doc.all("postnummer"):
        number = doc.value(el)
        if number is None:
            continue
        reason = identifiers.check_postnummer(number)
        if reason is not None:
            yield finding("KSX-POST-001", el, reason)


# xs:dateTime as XSD reads it: a year of four digits or more, 24:00:00 for the end of a day.
_DATETIME = re.compile(r"^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$")
FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def parse_datetime(text: str) -> dt.datetime | None:
    """An xs:dateTime with a zone, as an aware datetime; years past 9999 are FAR_FUTURE, and
    ``None`` means no zone or not a dateTime (the XSD's to report)."""
    m = _DATETIME.match(text.strip())
    if m is None:
        return None
    year = int(m[1])
    if year > 9999:
        return FAR_FUTURE
    if year < 1:
        return None  # before the common era: not a submission time, and past anyway
    zone = (
        dt.UTC
        if m[8] == "Z"
        else dt.timezone(
            (1 if m[8][0] == "+" else -1)
            * dt.timedelta(hours=int(m[8][1:3]), minutes=int(m[8][4:]))
        )
    )
    end_of_day = (m[4], m[5], m[6]) == ("24", "00", "00")
    try:
        moment = dt.datetime(
            year,
            int(m[2]),
            int(m[3]),
            0 if end_of_day else int(m[4]),
            int(m[5]),
            int(m[6]),
            tzinfo=zone,
        )
    except ValueError:
        return None
    return moment + dt.timedelta(days=1) if end_of_day else moment


def sent_at(doc: Document) -> dt.datetime | None:
    """innsendtTidspunkt, when it is a dateTime with a zone."""
    text = doc.value(doc.one("Metadata", "innsendtTidspunkt"))
    return parse_datetime(text) if text is not None else None


def sent_day(moment: dt.datetime) -> dt.date:
    """The day a form was sent, in Norway: the day the municipality receives it."""
    if moment == FAR_FUTURE:
        return dt.date.max
    return moment.astimezone(OSLO).date()


def submission_time(doc: Document) -> Iterator[Finding]:
    el = doc.one("Metadata", "innsendtTidspunkt")
    moment = sent_at(doc)
    if el is None or moment is None:
        return
    if moment > doc.now + SKEW:
        yield finding(
            "KSX-TID-001",
            el,
            f"innsendtTidspunkt {el.text} is in the future (now is "
            f"{doc.now.isoformat(timespec='seconds')})",
        )


def security_level(doc: Document) -> Iterator[Finding]:
    el = doc.one("Metadata", "sikkerhetsnivaa")
    text = doc.value(el)
    if el is None or text is None:
        return
    try:
        level = int(text.strip())  # xs:integer: "+3" and "03" are 3
    except ValueError:
        return
    if level < doc.form.level:
        yield finding(
            "KSX-NIVAA-001",
            el,
            f"sikkerhetsnivaa {text.strip()} is below {doc.form.id}'s minimum level "
            f"{doc.form.level}",
        )


def receiver(doc: Document) -> Iterator[Finding]:
    """KSX-MOT-001: kommunenavn and organisasjonsnummer are those of the kommunenummer."""
    number = doc.value(doc.one("Mottaker", "kommunenummer"))
    municipality = _municipalities().get(number or "")
    if municipality is None:
        return  # unknown or missing: KSX-KOMM-001's or the XSD's to report
    name_el = doc.one("Mottaker", "kommunenavn")
    name = doc.value(name_el)
    if name_el is not None and name is not None and name.strip() != municipality.navn:
        yield finding(
            "KSX-MOT-001",
            name_el,
            f"kommunenavn is {name!r}, but kommunenummer {number} is {municipality.navn!r}",
        )
    org_el = doc.one("Mottaker", "organisasjonsnummer")
    org = doc.value(org_el)
    valid_org = org is not None and identifiers.check_orgnr(org).valid
    if org_el is not None and valid_org and org != municipality.organisasjonsnummer:
        yield finding(
            "KSX-MOT-001",
            org_el,
            f"organisasjonsnummer is {org}, but {municipality.navn} ({number}) is "
            f"{municipality.organisasjonsnummer}",
        )


def children(doc: Document) -> Iterator[Finding]:
    """KSX-BARN-001: a child is not the applicant, and was born by the day the form was sent."""
    applicant = doc.value(doc.one("Innsender", "foedselsnummer"))
    moment = sent_at(doc)
    for el in doc.all("foedselsnummer"):
        group = el.getparent()
        number = doc.value(el)
        if group is None or local(group) != "Barn" or number is None:
            continue
        if number == applicant:
            yield finding("KSX-BARN-001", el, f"the child {number} is the applicant")
            continue
        if moment is None or not identifiers.check_person(number).valid:
            continue
        born = identifiers.birth_date(number)
        day = sent_day(moment)
        if born > day:
            yield finding(
                "KSX-BARN-001",
                el,
                f"the child {number} is born {born.isoformat()}, after the form was sent "
                f"({day.isoformat()}, in Norway)",
            )


_DATE = re.compile(r"^(-?\d{4,})-(\d\d)-(\d\d)(Z|[+-]\d\d:\d\d)?$")


def _date(doc: Document, el: etree._Element | None) -> dt.date | None:
    """An xs:date (its zone, if any, does not move the day); years past 9999 are date.max."""
    text = doc.value(el)
    m = _DATE.match(text.strip()) if text is not None else None
    if m is None or int(m[1]) < 1:
        return None
    if int(m[1]) > 9999:
        return dt.date.max
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def periods(doc: Document) -> Iterator[Finding]:
    for group in doc.all("Periode"):
        kids = {local(c): c for c in group.iterchildren(etree.Element)}
        start, end = _date(doc, kids.get("fraDato")), _date(doc, kids.get("tilDato"))
        if start is not None and end is not None and start > end:
            yield finding(
                "KSX-PERIODE-001",
                kids["fraDato"],
                f"the period starts {start.isoformat()}, after it ends ({end.isoformat()})",
            )


def properties(doc: Document) -> Iterator[Finding]:
    """KSX-MATR-001: an Eiendom lies in the receiving municipality."""
    receiving = doc.value(doc.one("Mottaker", "kommunenummer"))
    known = _municipalities()
    if receiving not in known:
        return  # an unknown receiver is KSX-KOMM-001's (or the XSD's) to report
    for el in doc.all("kommunenummer"):
        group = el.getparent()
        number = doc.value(el)
        if group is None or local(group) != "Eiendom" or number is None or receiving is None:
            continue
        if number in known and number != receiving:
            yield finding(
                "KSX-MATR-001",
                el,
                f"the property lies in {number} ({known[number].navn}), but the form is sent "
                f"to {receiving}",
            )


RULES: tuple[Rule, ...] = (
    envelope_names,
    person_numbers,
    organisation_numbers,
    municipality_numbers,
    postal_codes,
    submission_time,
    security_level,
    receiver,
    children,
    periods,
    properties,
)
