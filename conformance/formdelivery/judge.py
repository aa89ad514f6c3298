"""The checks: what each requirement demands of what arrived (``run.Arrival``).

Each check takes the arrivals it judges and returns the problems it found, one line each,
naming the delivery; no problem is a pass. A check judges only the deliveries meant for it
(the clean ones for the mapping, a fault's own delivery for that fault) and only where the
delivery arrived, so that one mistake of an engine fails the requirement that names it and
not every requirement after it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree

from tpn.conformance.formdelivery.plan import Delivery
from tpn.conformance.formdelivery.run import Arrival
from tpn.fixtures import population, xmlguard

OSLO = ZoneInfo("Europe/Oslo")
ARCHIVE_NUMBERS = ("saSaar", "saSeknr", "jpJaar", "jpSeknr", "jpJpostnr", "jpJdato")
XML_TYPES = ("application/xml", "text/xml")
PDF_FORMATS = ("PDF", "RA-PDF")
ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
TITLES = ("saTittel", "saOfftittel", "jpInnhold", "jpOffinnhold")

Check = Callable[[list[Arrival]], list[str]]


# ------------------------------------------------------------------ which deliveries


def clean(arrivals: Iterable[Arrival]) -> list[Arrival]:
    """The deliveries of the 15 forms (in a manual run, some of them with a fault)."""
    return [a for a in arrivals if "clean" in a.delivery.purposes]


def faultless(arrivals: Iterable[Arrival]) -> list[Arrival]:
    """The deliveries of the 15 forms that ran without a fault: what counts are judged on
    (a fault's own requirement judges the count of the delivery it rode on)."""
    return [a for a in clean(arrivals) if a.delivery.fault is None]


def arrived(arrivals: Iterable[Arrival]) -> list[Arrival]:
    return [a for a in clean(arrivals) if a.whole]


def for_requirement(arrivals: Iterable[Arrival], requirement: str) -> list[Arrival]:
    return [a for a in arrivals if a.delivery.fault and a.delivery.fault.requirement == requirement]


# ------------------------------------------------------------------ what arrived, read


def main_document(entry: dict[str, Any]) -> dict[str, Any] | None:
    return next((d for d in entry.get("dokument", []) if d.get("dlType") == "H"), None)


def content(doc: dict[str, Any]) -> bytes | None:
    fil = doc.get("fil") or {}
    data = fil.get("content")
    return bytes(data) if data is not None else None


def pdfs(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The entry's PDF renderings: an archive variant of the main document or an attachment."""
    return [
        d
        for d in entry.get("dokument", [])
        if (d.get("veDokformat") in PDF_FORMATS or d.get("veMimeType") == "application/pdf")
        and (d.get("veVariant") == "A" or d.get("dlType") == "V")
    ]


def applicant_name(delivery: Delivery) -> str:
    """The applicant's name as the engine should write it: the form's, or the register's."""
    assert delivery.full is not None
    if delivery.form.applicant == "organisation":
        return organisation(delivery).navn
    return delivery.full.text("Innsender/navn")


def organisation(delivery: Delivery) -> population.Organisation:
    org = delivery.organisation
    assert org is not None
    return next(o for o in population.organisations() if o.organisasjonsnummer == org)


def fold(text: str) -> str:
    """Text compared with whitespace folded (a PDF's text layer breaks lines its own way)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


MAX_DEPTH = 64
MAX_ELEMENTS = 200_000


def parse(data: bytes, what: str) -> etree._Element:
    """A document the engine or the suite wrote, through the hostile-XML guard."""
    return xmlguard.parse(data, max_depth=MAX_DEPTH, max_elements=MAX_ELEMENTS, what=what)


def leaves(data: bytes) -> list[tuple[str, str]]:
    """Every element's path (local names, attributes in brackets) and its text, in order."""
    root = parse(data, "the form")
    out: list[tuple[str, str]] = []

    def walk(el: etree._Element, path: str) -> None:
        attrs = "".join(
            f"[@{etree.QName(k).localname}={v!s}]" for k, v in sorted(el.attrib.items())
        )
        here = f"{path}/{etree.QName(el).localname}{attrs}"
        kids = [c for c in el if isinstance(c.tag, str)]
        if kids:
            for child in kids:
                walk(child, here)
        else:
            out.append((here, el.text or ""))

    walk(root, "")
    return out


def missing_data(given: bytes, archived: bytes) -> list[str]:
    """The job's values the archived document does not hold unchanged (as path = value)."""
    have = list(leaves(archived))
    missing = []
    for leaf in leaves(given):
        if leaf in have:
            have.remove(leaf)
        else:
            missing.append(f"{leaf[0]} = {leaf[1]!r}")
    return missing


def sent_date(delivery: Delivery) -> dt.date:
    assert delivery.full is not None
    text = delivery.full.text("Metadata/innsendtTidspunkt")
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(OSLO).date()


def request_keys(arrival: Arrival, operation: str, key: str) -> list[tuple[str, str] | None]:
    """The external key named ``key`` in each of the engine's ``operation`` requests during the
    delivery, in order: (eksternSystem, nokkel), or None for a request that names none."""
    found: list[tuple[str, str] | None] = []
    for exchange in arrival.archive_requests(operation):
        try:
            root = parse(exchange.request, "the request")
        except xmlguard.Refused:
            continue
        el = next(root.iter(f"{{*}}{key}"), None)
        if el is None:
            found.append(None)
        else:
            found.append((el.findtext("{*}eksternSystem") or "", el.findtext("{*}nokkel") or ""))
    return found


def each(arrivals: Iterable[Arrival], problem: Callable[[Arrival], str | None]) -> list[str]:
    out = []
    for a in arrivals:
        said = problem(a)
        if said:
            out.append(f"{a.delivery.id} ({a.delivery.form.id}): {said}")
    return out


def _issues(found: Iterator[str]) -> str | None:
    listed = list(found)
    return "; ".join(listed) if listed else None


def _case(a: Arrival) -> dict[str, Any]:
    assert a.case is not None
    return a.case


def _entry(a: Arrival) -> dict[str, Any]:
    assert a.entry is not None
    return a.entry


def _key(obj: dict[str, Any], name: str) -> tuple[str, str] | None:
    key = obj.get(name)
    if not isinstance(key, dict):
        return None
    return (str(key.get("eksternSystem") or ""), str(key.get("nokkel") or ""))


def _senders(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [am for am in entry.get("avsmot", []) if str(am.get("amIhtype")) == "0"]


def _sender(a: Arrival) -> dict[str, Any] | None:
    found = _senders(_entry(a))
    return found[0] if len(found) == 1 else None


# ------------------------------------------------------------------ the checks


def form_arrives(arrivals: list[Arrival]) -> list[str]:
    """FD-FORM-001: every clean delivery arrived whole."""

    def problem(a: Arrival) -> str | None:
        if a.whole:
            return None
        return (
            f"{len(a.cases)} new case(s) and {len(a.entries)} new entry(ies), expected one case "
            "with one entry holding the form as main document (dlType H)"
        )

    return each(faultless(arrivals), problem)


def case_key(arrivals: list[Arrival]) -> list[str]:
    """FD-KEY-001."""

    def problem(a: Arrival) -> str | None:
        key = _key(_case(a), "saEksternNokkel")
        if key is None:
            return "the case has no saEksternNokkel"
        if key[1] != a.delivery.referanse:
            return (
                f"saEksternNokkel/nokkel is {key[1]!r}, not the referanse {a.delivery.referanse!r}"
            )
        return None

    return each(arrived(arrivals), problem)


def entry_key(arrivals: list[Arrival]) -> list[str]:
    """FD-KEY-002."""

    def problem(a: Arrival) -> str | None:
        key = _key(_entry(a), "jpEksternNokkel")
        if key is None:
            return "the entry has no jpEksternNokkel"
        if key[1] != a.delivery.referanse:
            return (
                f"jpEksternNokkel/nokkel is {key[1]!r}, not the referanse {a.delivery.referanse!r}"
            )
        return None

    return each(arrived(arrivals), problem)


def one_system(arrivals: list[Arrival]) -> list[str]:
    """FD-KEY-003: one non-empty eksternSystem on every case and entry the engine made."""
    systems: dict[str, list[str]] = {}
    for a in arrivals:
        for obj, name in [(c, "saEksternNokkel") for c in a.cases] + [
            (e, "jpEksternNokkel") for e in a.entries
        ]:
            key = _key(obj, name)
            if key is not None:
                systems.setdefault(key[0], []).append(a.delivery.id)
    problems = (
        [f"an empty eksternSystem (in {', '.join(sorted(set(systems['']))[:5])})"]
        if "" in systems
        else []
    )
    named = sorted(k for k in systems if k)
    if len(named) > 1:
        listed = "; ".join(f"{s!r} in {', '.join(sorted(set(systems[s]))[:3])}" for s in named[:5])
        problems.append(f"{len(named)} different eksternSystem names: {listed}")
    return problems


def same_keys_on_retry(arrivals: list[Arrival]) -> list[str]:
    """FD-KEY-004: every attempt of one delivery sends the keys of its first."""

    def problem(a: Arrival) -> str | None:
        if a.entries and not a.archive_requests("PutJournpost"):
            return "the archive's journal holds none of the engine's PutJournpost requests"
        said = []
        for operation, key in (
            ("PutNoarksak", "saEksternNokkel"),
            ("PutJournpost", "jpEksternNokkel"),
        ):
            keys = request_keys(a, operation, key)
            if len(set(keys)) > 1:
                shown = ", ".join("none" if k is None else f"{k[0]}/{k[1]}" for k in keys[:4])
                said.append(f"{key} changed over its {operation} attempts: {shown}")
        return "; ".join(said) or None

    return each(arrivals, problem)


def one_case(arrivals: list[Arrival]) -> list[str]:
    """FD-CASE-001."""
    return each(
        faultless(arrivals),
        lambda a: None if len(a.cases) == 1 else f"{len(a.cases)} new cases, expected exactly one",
    )


def case_title(arrivals: list[Arrival]) -> list[str]:
    """FD-CASE-002."""

    def problem(a: Arrival) -> str | None:
        title = str(_case(a).get("saTittel") or "")
        if title.startswith(a.delivery.form.title):
            return None
        return f"saTittel {title!r} does not begin with {a.delivery.form.title!r}"

    return each(arrived(arrivals), problem)


def case_per_form(arrivals: list[Arrival]) -> list[str]:
    """FD-CASE-003: the two forms of one applicant make two cases."""
    pair = [a for a in arrivals if "same-applicant" in a.delivery.purposes]
    if len(pair) != 2:
        return [f"the run has {len(pair)} deliveries from one applicant, expected 2"]
    ids = [c["saId"] for a in pair for c in a.cases]
    entries_in = {e.get("_saId") for a in pair for e in a.entries}
    if len(ids) != 2 or len(entries_in) != 2:
        return [
            f"two forms from one applicant made {len(ids)} new case(s), their entries are in "
            f"{len(entries_in)} case(s); expected two cases, one for each referanse"
        ]
    return []


def one_entry(arrivals: list[Arrival]) -> list[str]:
    """FD-JP-001."""

    def problem(a: Arrival) -> str | None:
        if len(a.entries) != 1:
            return f"{len(a.entries)} new entries, expected exactly one"
        if a.case is None or a.entry_case_id != a.case["saId"]:
            return "the entry is not in the case the delivery made"
        return None

    return each(faultless(arrivals), problem)


def entry_incoming(arrivals: list[Arrival]) -> list[str]:
    """FD-JP-002."""
    return each(
        arrived(arrivals),
        lambda a: (
            None
            if _entry(a).get("jpNdoktype") == "I"
            else f"jpNdoktype is {_entry(a).get('jpNdoktype')!r}, not 'I'"
        ),
    )


def entry_title(arrivals: list[Arrival]) -> list[str]:
    """FD-JP-003."""

    def problem(a: Arrival) -> str | None:
        title = str(_entry(a).get("jpInnhold") or "")
        if title.startswith(a.delivery.form.title):
            return None
        return f"jpInnhold {title!r} does not begin with {a.delivery.form.title!r}"

    return each(arrived(arrivals), problem)


def entry_date(arrivals: list[Arrival]) -> list[str]:
    """FD-JP-004."""

    def problem(a: Arrival) -> str | None:
        want = sent_date(a.delivery).isoformat()
        got = str(_entry(a).get("jpDokdato") or "")[:10]
        return None if got == want else f"jpDokdato is {got or 'absent'}, the form was sent {want}"

    return each(arrived(arrivals), problem)


def no_numbers_sent(arrivals: list[Arrival]) -> list[str]:
    """FD-JP-005: no number the archive assigns in any request of the engine's."""

    def problem(a: Arrival) -> str | None:
        if a.entries and not a.archive_requests("PutJournpost"):
            return "the archive's journal holds none of the engine's PutJournpost requests"
        sent: set[str] = set()
        for operation in ("PutNoarksak", "PutJournpost"):
            for exchange in a.archive_requests(operation):
                try:
                    root = parse(exchange.request, "the request")
                except xmlguard.Refused:
                    continue
                for name in ARCHIVE_NUMBERS:
                    if next(root.iter(f"{{*}}{name}"), None) is not None:
                        sent.add(name)
        return f"the engine sent {', '.join(sorted(sent))}" if sent else None

    return each(clean(arrivals), problem)


def provisional(arrivals: list[Arrival]) -> list[str]:
    """FD-JP-006: jpStatus absent or M in what the engine sent."""

    def problem(a: Arrival) -> str | None:
        if a.entries and not a.archive_requests("PutJournpost"):
            return "the archive's journal holds none of the engine's PutJournpost requests"
        for exchange in a.archive_requests("PutJournpost"):
            try:
                root = parse(exchange.request, "the request")
            except xmlguard.Refused:
                continue
            status = root.findtext(".//{*}jpStatus")
            if status not in (None, "M"):
                return f"the engine sent jpStatus {status!r}"
        return None

    return each(clean(arrivals), problem)


def one_sender(arrivals: list[Arrival]) -> list[str]:
    """FD-AM-001."""
    return each(
        arrived(arrivals),
        lambda a: (
            None
            if len(_senders(_entry(a))) == 1
            else f"{len(_senders(_entry(a)))} avsmot with amIhtype 0, expected exactly one"
        ),
    )


def _with_sender(
    arrivals: list[Arrival], check: Callable[[Arrival, dict[str, Any]], str | None]
) -> list[str]:
    def problem(a: Arrival) -> str | None:
        sender = _sender(a)
        return None if sender is None else check(a, sender)  # FD-AM-001 judges a missing one

    return each(arrived(arrivals), problem)


def sender_name(arrivals: list[Arrival]) -> list[str]:
    """FD-AM-002."""

    def check(a: Arrival, sender: dict[str, Any]) -> str | None:
        want = applicant_name(a.delivery)
        got = sender.get("amNavn")
        return None if got == want else f"amNavn is {got!r}, the applicant is {want!r}"

    return _with_sender(arrivals, check)


def _address(delivery: Delivery) -> tuple[str, str, str]:
    assert delivery.full is not None
    if delivery.form.applicant == "organisation":
        a = organisation(delivery).address
        return (a.adresse, a.postnummer, a.poststed)
    return tuple(  # type: ignore[return-value]
        delivery.full.text(f"Innsender/{n}") for n in ("adresse", "postnummer", "poststed")
    )


def sender_address(arrivals: list[Arrival]) -> list[str]:
    """FD-AM-003."""

    def check(a: Arrival, sender: dict[str, Any]) -> str | None:
        want = _address(a.delivery)
        got = tuple(str(sender.get(n) or "") for n in ("amAdresse", "amPostnr", "amPoststed"))
        return None if got == want else f"the sender's address is {got}, the applicant's {want}"

    return _with_sender([a for a in arrivals if a.delivery.form.applicant == "person"], check)


def sender_identity(arrivals: list[Arrival]) -> list[str]:
    """FD-AM-004."""

    def check(a: Arrival, sender: dict[str, Any]) -> str | None:
        assert a.delivery.full is not None
        if a.delivery.form.applicant == "organisation":
            want, name = a.delivery.organisation, "amOrgnr"
        else:
            want, name = a.delivery.full.text("Innsender/foedselsnummer"), "amFodselsnr"
        got = sender.get(name)
        return None if got == want else f"{name} is {got!r}, expected {want!r}"

    return _with_sender(arrivals, check)


def sender_email(arrivals: list[Arrival]) -> list[str]:
    """FD-AM-005 (where the form gives the applicant's e-mail address)."""

    def check(a: Arrival, sender: dict[str, Any]) -> str | None:
        assert a.delivery.full is not None
        el = a.delivery.full.find("Innsender/epost")
        if el is None:
            return None
        got = sender.get("amEpostadr")
        return None if got == el.text else f"amEpostadr is {got!r}, the form's is {el.text!r}"

    return _with_sender([a for a in arrivals if a.delivery.form.applicant == "person"], check)


def main_is_xml(arrivals: list[Arrival]) -> list[str]:
    """FD-DOK-001."""

    def problem(a: Arrival) -> str | None:
        doc = main_document(_entry(a))
        assert doc is not None  # an arrival has one
        said = []
        if doc.get("veDokformat") != "XML":
            said.append(f"veDokformat {doc.get('veDokformat')!r}, not 'XML'")
        if doc.get("veMimeType") not in XML_TYPES:
            said.append(f"veMimeType {doc.get('veMimeType')!r}, not an XML media type")
        if content(doc) is None:
            said.append("the main document has no content")
        return "; ".join(said) or None

    return each(arrived(arrivals), problem)


def _core_rules() -> frozenset[str]:
    from tpn.conformance.catalogue import load

    return frozenset(r.id for r in load("ksxml") if r.level == "core")


def main_valid(arrivals: list[Arrival]) -> list[str]:
    """FD-DOK-002: valid under the form-xml rules of the core level."""
    from tpn.conformance.ksxml.validator import Validator

    validator = Validator()
    core = _core_rules()

    def problem(a: Arrival) -> str | None:
        doc = main_document(_entry(a))
        data = content(doc) if doc else None
        if data is None:
            return None  # FD-DOK-001's
        verdict = validator.check(data, a.delivery.id)
        broken = [f for f in verdict.findings if f.rule in core and f.rule != "KSX-REF-001"]
        if not broken:
            return None
        shown = "; ".join(f"{f.rule} {f.path}: {f.message}" for f in broken[:3])
        more = f" (and {len(broken) - 3} more)" if len(broken) > 3 else ""
        return f"the main document breaks {shown}{more}"

    return each(arrived(arrivals), problem)


def main_holds_the_data(arrivals: list[Arrival]) -> list[str]:
    """FD-DOK-003: every value of the job's document, unchanged, in the archived form."""

    def problem(a: Arrival) -> str | None:
        doc = main_document(_entry(a))
        data = content(doc) if doc else None
        if data is None:
            return None
        try:
            missing = missing_data(a.delivery.document, data)
        except xmlguard.Refused as exc:
            return f"the main document cannot be read: {exc}"
        if not missing:
            return None
        return f"{len(missing)} value(s) of the job missing or changed, e.g. {missing[0]}"

    return each(arrived(arrivals), problem)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdf_rendering(arrivals: list[Arrival]) -> list[str]:
    """FD-DOK-004: a PDF rendering that a PDF reader opens."""

    def problem(a: Arrival) -> str | None:
        found = pdfs(_entry(a))
        if not found:
            return "no PDF rendering (an archive variant or attachment with veDokformat PDF/RA-PDF)"
        data = content(found[0])
        if data is None or not data.startswith(b"%PDF-"):
            return "the PDF rendering is not a PDF"
        try:
            _pdf_text(data)
        except Exception as exc:  # any failure of the reader is the document's
            return f"the PDF rendering cannot be read: {type(exc).__name__}: {exc}"
        return None

    return each(arrived(arrivals), problem)


def pdf_text(arrivals: list[Arrival]) -> list[str]:
    """FD-DOK-005: the rendering's text holds the form's title and the applicant's name."""

    def problem(a: Arrival) -> str | None:
        found = pdfs(_entry(a))
        data = content(found[0]) if found else None
        if data is None:
            return None  # FD-DOK-004's
        try:
            text = fold(_pdf_text(data))
        except Exception:
            return None  # FD-DOK-004's
        lacks = [
            what
            for what in (a.delivery.form.title, applicant_name(a.delivery))
            if fold(what) not in text
        ]
        return f"the PDF's text lacks {' and '.join(map(repr, lacks))}" if lacks else None

    return each(arrived(arrivals), problem)


def main_title(arrivals: list[Arrival]) -> list[str]:
    """FD-DOK-006."""

    def problem(a: Arrival) -> str | None:
        doc = main_document(_entry(a))
        assert doc is not None
        got = doc.get("dbTittel")
        want = a.delivery.form.title
        return None if got == want else f"dbTittel is {got!r}, not {want!r}"

    return each(arrived(arrivals), problem)


def _confidential(arrivals: list[Arrival], yes: bool) -> list[Arrival]:
    return [a for a in arrived(arrivals) if a.delivery.form.confidential is yes]


def _public_title(obj: dict[str, Any], code: str, public: str, who: str, kind: str) -> str | None:
    said = []
    if str(obj.get(code) or "") != "13":
        said.append(f"{code} is {obj.get(code)!r}, not '13'")
    title = obj.get(public)
    if not title:
        said.append(f"no {public}")
    elif fold(who).casefold() in fold(str(title)).casefold():
        said.append(f"{public} {title!r} names the applicant")
    return f"the {kind}: " + "; ".join(said) if said else None


def entry_confidential(arrivals: list[Arrival]) -> list[str]:
    """FD-CONF-001."""
    return each(
        _confidential(arrivals, True),
        lambda a: _public_title(
            _entry(a), "jpTgkode", "jpOffinnhold", applicant_name(a.delivery), "entry"
        ),
    )


def case_confidential(arrivals: list[Arrival]) -> list[str]:
    """FD-CONF-002."""
    return each(
        _confidential(arrivals, True),
        lambda a: _public_title(
            _case(a), "saTgkode", "saOfftittel", applicant_name(a.delivery), "case"
        ),
    )


def no_number_in_titles(arrivals: list[Arrival]) -> list[str]:
    """FD-CONF-003: no 11-digit number in any title of what arrived."""

    def problem(a: Arrival) -> str | None:
        said = []
        for obj in [*a.cases, *a.entries]:
            for name in TITLES:
                value = str(obj.get(name) or "")
                if ELEVEN_DIGITS.search(value):
                    said.append(f"{name} {value!r}")
            for doc in obj.get("dokument", []):
                value = str(doc.get("dbTittel") or "")
                if ELEVEN_DIGITS.search(value):
                    said.append(f"dbTittel {value!r}")
        return "an 11-digit number in " + ", ".join(said) if said else None

    return each(arrivals, problem)


def open_forms_unrestricted(arrivals: list[Arrival]) -> list[str]:
    """FD-CONF-004."""

    def problem(a: Arrival) -> str | None:
        codes = [
            f"{n} {o.get(n)!r}"
            for o, n in ((_case(a), "saTgkode"), (_entry(a), "jpTgkode"))
            if o.get(n)
        ]
        return f"a form that is not confidential got {', '.join(codes)}" if codes else None

    return each(_confidential(arrivals, False), problem)


def matrikkel(arrivals: list[Arrival]) -> list[str]:
    """FD-MATR-001."""

    def problem(a: Arrival) -> str | None:
        assert a.delivery.full is not None
        want = tuple(
            a.delivery.full.text(f"Skjemadata/Eiendom/{n}")
            for n in ("kommunenummer", "gaardsnummer", "bruksnummer")
        )
        got = [
            (str(m.get("kommunenummer")), str(m.get("gaardsnummer")), str(m.get("bruksnummer")))
            for m in _case(a).get("matrikkelnummer", [])
        ]
        return None if want in got else f"the case's matrikkelnummer {got} lacks {want}"

    return each([a for a in arrived(arrivals) if a.delivery.building], problem)


def _organisations(arrivals: list[Arrival]) -> list[Arrival]:
    return [a for a in arrived(arrivals) if a.delivery.form.applicant == "organisation"]


def register_name(arrivals: list[Arrival]) -> list[str]:
    """FD-ORG-001."""

    def check(a: Arrival, sender: dict[str, Any]) -> str | None:
        want = organisation(a.delivery).navn
        got = sender.get("amNavn")
        return None if got == want else f"amNavn is {got!r}, the register's name is {want!r}"

    return _with_sender(_organisations(arrivals), check)


def register_address(arrivals: list[Arrival]) -> list[str]:
    """FD-ORG-002."""

    def check(a: Arrival, sender: dict[str, Any]) -> str | None:
        want = _address(a.delivery)
        got = tuple(str(sender.get(n) or "") for n in ("amAdresse", "amPostnr", "amPoststed"))
        return None if got == want else f"the sender's address is {got}, the register's {want}"

    return _with_sender(_organisations(arrivals), check)


def register_in_form(arrivals: list[Arrival]) -> list[str]:
    """FD-ORG-003: the archived form's Innsender holds the register's name and address."""

    def problem(a: Arrival) -> str | None:
        doc = main_document(_entry(a))
        data = content(doc) if doc else None
        if data is None:
            return None
        try:
            root = parse(data, "the form")
        except xmlguard.Refused:
            return None  # FD-DOK-002's
        org = organisation(a.delivery)
        want = {
            "navn": org.navn,
            "adresse": org.address.adresse,
            "postnummer": org.address.postnummer,
            "poststed": org.address.poststed,
        }
        innsender = root.find("{*}Innsender")
        got = {
            n: (innsender.findtext(f"{{*}}{n}") if innsender is not None else None) for n in want
        }
        wrong = [f"{n} {got[n]!r} (register: {v!r})" for n, v in want.items() if got[n] != v]
        return "Innsender's " + ", ".join(wrong) if wrong else None

    return each(_organisations(arrivals), problem)


def fault_survived(requirement: str) -> Check:
    """FD-FAULT-00x: the fault's delivery ends with exactly one case and one entry."""

    def check(arrivals: list[Arrival]) -> list[str]:
        mine = for_requirement(arrivals, requirement)
        if not mine:
            return [f"the run made no delivery for {requirement}"]

        def problem(a: Arrival) -> str | None:
            if len(a.cases) == 1 and len(a.entries) == 1:
                return None
            return (
                f"under {a.delivery.fault.kind if a.delivery.fault else 'no fault'} on "
                f"{a.delivery.fault.operation if a.delivery.fault else '-'}: {len(a.cases)} new "
                f"case(s) and {len(a.entries)} new entry(ies), expected exactly one of each"
            )

        return each(mine, problem)

    return check


def reports_success(arrivals: list[Arrival]) -> list[str]:
    """FD-REP-001: success reported for every delivery that arrived whole."""
    return each(
        [a for a in arrivals if a.delivery.expect == "arrive" and a.whole],
        lambda a: (
            None
            if a.reply.success is not False
            else f"arrived whole, but the engine reported failure ({a.reply.detail})"
        ),
    )


def no_false_success(arrivals: list[Arrival]) -> list[str]:
    """FD-REP-002: no success reported for a delivery that did not arrive."""
    return each(
        [a for a in arrivals if a.delivery.expect == "refused" or not a.whole],
        lambda a: (
            f"the engine reported success ({a.reply.detail}) though the entry did not arrive"
            if a.reply.success is True and not a.entries
            else None
        ),
    )


def within_deadline(arrivals: list[Arrival]) -> list[str]:
    """FD-REP-003."""
    return each(
        arrivals,
        lambda a: a.reply.detail if a.reply.detail.startswith("no answer within") else None,
    )
