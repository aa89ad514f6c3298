"""The KS skjema-XML validator: the form's XSD plus the standard's business rules, by rule id.

Order: size and DTD are refused from the bytes (KSX-XML-002), then the document is parsed with
depth and element limits (KSX-XML-002) or found not well-formed (KSX-XML-001); the root's
namespace names the form (KSX-ENV-001); the form's XSD runs, and each of its complaints is
filed under the rule it is about (a bad postnummer under KSX-POST-001, a wrong orid under
KSX-ORID-001, anything else under KSX-XSD-001); then the business rules run. Uniqueness of
``referanse`` (KSX-REF-001) is a property of a batch: :meth:`Validator.run` checks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from tpn.conformance.ksxml import rules, schemas
from tpn.conformance.ksxml.findings import Finding, Verdict, line_of, local, path_of
from tpn.conformance.ksxml.model import NAMESPACE_PREFIX, Form, by_namespace, catalogue, forms
from tpn.fixtures import xmlguard

MIB = 1024 * 1024
MAX_BYTES = 2 * MIB
MAX_DEPTH = 32
MAX_ELEMENTS = 10_000
MAX_SCHEMA_FINDINGS = 100  # per document: enough to fix by, cheap to report

# Elements whose *value* errors in the XSD belong to a rule of their own.
_VALUE_RULES = {
    "foedselsnummer": "KSX-ID-001",
    "organisasjonsnummer": "KSX-ID-002",
    "kommunenummer": "KSX-KOMM-001",
    "postnummer": "KSX-POST-001",
    "innsendtTidspunkt": "KSX-TID-001",
    "sikkerhetsnivaa": "KSX-NIVAA-001",
    "spraak": "KSX-KODE-001",
}
_ATTRIBUTE_RULES = {
    "orid": "KSX-ORID-001",
    "gruppeid": "KSX-ORID-001",
    "dataFormatId": "KSX-ENV-002",
    "dataFormatVersion": "KSX-ENV-002",
    "dataFormatProvider": "KSX-ENV-002",
}
# libxml2's error types for a value its type refuses (as against structure: order, presence).
_VALUE_ERRORS = (
    "FACET",
    "PATTERN",
    "ENUMERATION",
    "INCLUSIVE",
    "EXCLUSIVE",
    "DATATYPE",
    "LENGTH",
    "DIGITS",
    "CVC_AU",
)
_DECLARED_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)")
_ATTRIBUTE = re.compile(r"^Element '[^']*', attribute '([^']+)': ")
_ELEMENT = re.compile(r"^Element '[^']*': ")


def _coded() -> dict[str, str]:
    return {name: "KSX-KODE-001" for name, e in catalogue().elements.items() if e.type == "kode"}


class Validator:
    """Validates form documents; one instance compiles each form's XSD once and keeps its clock.

    ``synthetic_only`` refuses real-format person numbers (KSX-ID-003), as anything that stores
    data in a shared sandbox should; ``now`` is the clock for "not in the future" (default:
    when the validator was made).
    """

    def __init__(
        self,
        *,
        synthetic_only: bool = False,
        now: dt.datetime | None = None,
        max_bytes: int = MAX_BYTES,
        max_depth: int = MAX_DEPTH,
        max_elements: int = MAX_ELEMENTS,
    ) -> None:
        if now is not None and now.tzinfo is None:
            raise ValueError("now must carry a zone (e.g. datetime.now(UTC))")
        self.synthetic_only = synthetic_only
        self.now = now or dt.datetime.now(dt.UTC)
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.max_elements = max_elements
        self._value_rules = {**_coded(), **_VALUE_RULES}

    def check(self, data: bytes, source: str = "<document>") -> Verdict:
        """The verdict on one document (every rule but KSX-REF-001, which needs a batch)."""
        digest = hashlib.sha256(data).hexdigest()
        base = {"source": source, "sha256": digest, "size": len(data)}
        try:
            root = self._parse(data)
        except _Refused as exc:
            return Verdict(form=None, findings=(exc.finding,), **base)  # type: ignore[arg-type]
        form, problem = self._form(root)
        if form is None:
            assert problem is not None
            return Verdict(form=None, findings=(problem,), **base)  # type: ignore[arg-type]
        doc = rules.Document(form, root, self.now, self.synthetic_only)
        found = self._schema(form, root, doc)
        for rule in rules.RULES:
            found.extend(rule(doc))
        ref = doc.one("Metadata", "referanse")
        found.sort(key=lambda f: (f.line or 0, f.rule))
        return Verdict(
            form=form.id,
            findings=tuple(found),
            referanse=doc.value(ref),
            referanse_at=(line_of(ref), path_of(ref)) if ref is not None else (None, ""),
            **base,  # type: ignore[arg-type]
        )

    def run(self, documents: Iterable[tuple[str, bytes]]) -> Iterator[Verdict]:
        """Verdicts on a batch, in order; a referanse seen before fails KSX-REF-001."""
        seen: dict[str, str] = {}  # per form engine: across forms too
        for source, data in documents:
            verdict = self.check(data, source)
            if verdict.referanse is not None:
                first = seen.setdefault(verdict.referanse, source)
                if first != source:
                    line, path = verdict.referanse_at
                    verdict = verdict.with_finding(
                        Finding(
                            "KSX-REF-001",
                            f"referanse {verdict.referanse} was already used by {first}; "
                            "each submission needs its own",
                            line,
                            path,
                        )
                    )
            yield verdict

    # -- stages

    def _parse(self, data: bytes) -> etree._Element:
        if len(data) > self.max_bytes:
            # A reader may have stopped at max_bytes + 1: the true size can be larger still.
            raise _Refused(
                "KSX-XML-002", f"the document is larger than the limit of {self.max_bytes} bytes"
            )
        if b"\x00" in data[:4]:
            # UTF-16 or UTF-32 without a byte-order mark: NUL bytes are valid UTF-8, so the
            # decoding check below would let them through.
            raise _Refused(
                "KSX-XML-001", "the document is UTF-16 or UTF-32; KS skjema-XML is UTF-8", 1
            )
        declared = _DECLARED_ENCODING.match(data)
        if declared and declared[1].decode("ascii", "replace").upper() not in ("UTF-8", "UTF8"):
            name = declared[1].decode("ascii", "replace")
            raise _Refused(
                "KSX-XML-001", f"the document declares encoding {name}; KS skjema-XML is UTF-8", 1
            )
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise _Refused(
                "KSX-XML-001",
                f"the document is not UTF-8: byte {exc.start} "
                f"(0x{data[exc.start]:02x}) cannot start a character",
                line,
            ) from None
        try:
            root = xmlguard.parse(data, max_depth=self.max_depth, max_elements=self.max_elements)
        except xmlguard.Refused as exc:
            rule = "KSX-XML-001" if exc.rule == "xml.syntax" else "KSX-XML-002"
            raise _Refused(rule, exc.message, exc.line) from None
        version = root.getroottree().docinfo.xml_version
        if version != "1.0":
            raise _Refused(
                "KSX-XML-001", f"the document is XML {version}; KS skjema-XML is XML 1.0", 1
            )
        return root

    def _form(self, root: etree._Element) -> tuple[Form | None, Finding | None]:
        ns = etree.QName(root).namespace or ""
        form = by_namespace().get(ns)
        where = (line_of(root), f"/{local(root)}")
        if form is not None and local(root) == "melding":
            return form, None
        if form is not None:
            why = f"the root element is <{local(root)}>; a form document's root is <melding>"
        elif ns.startswith(NAMESPACE_PREFIX):
            skjema_id, _, version = ns[len(NAMESPACE_PREFIX) :].partition("/")
            versions = [f.version for f in forms() if f.id == skjema_id]
            why = (
                f"{skjema_id} has version {', '.join(versions)}, not {version!r}"
                if versions
                else f"{skjema_id!r} is not one of the 15 forms"
            )
        else:
            why = (
                f"the root element is in namespace {ns!r}; a form document's root is melding in "
                f"{NAMESPACE_PREFIX}<skjemaId>/<versjon> (e.g. {forms()[0].namespace})"
            )
        return None, Finding("KSX-ENV-001", why, *where)

    def _schema(self, form: Form, root: etree._Element, doc: rules.Document) -> list[Finding]:
        schema = schemas.schema(form.id)
        if schema.validate(root):
            return []
        found: list[Finding] = []
        seen: set[tuple[str, str]] = set()
        places: set[tuple[str, str]] = set()
        tree = root.getroottree()
        log: Any = schema.error_log  # lxml-stubs lack the log's sequence protocol
        for err in log:
            # One place, one complaint: a thousand bad attributes on one field must not cost a
            # thousand lookups (libxml2 also reports one bad value twice: type, then facet).
            place = (err.path or "", err.type_name)
            if place in places:
                continue
            places.add(place)
            if len(found) >= MAX_SCHEMA_FINDINGS:
                found.append(
                    Finding("KSX-XSD-001", f"more schema errors: the first {len(found)} are shown")
                )
                break
            el = _at(tree, err.path, err.line, err.message)
            rule, text = self._classify(form, err.type_name, err.message, el)
            value_error = any(k in err.type_name for k in _VALUE_ERRORS)
            if el is not None and value_error and not _ATTRIBUTE.match(err.message):
                doc.flagged.add(el)  # reported: the business rules leave its value alone
            path = path_of(el) if el is not None else ""
            if (rule, path) in seen:
                continue
            seen.add((rule, path))
            found.append(Finding(rule, text, err.line or None, path))
        return found

    def _classify(
        self, form: Form, type_name: str, message: str, el: etree._Element | None
    ) -> tuple[str, str]:
        attribute = _ATTRIBUTE.match(message)
        if attribute:
            text = f"attribute {attribute[1]}: {message[attribute.end() :]}"
            if any(k in type_name for k in _VALUE_ERRORS):
                return _ATTRIBUTE_RULES.get(attribute[1], "KSX-XSD-001"), text
            return "KSX-XSD-001", text
        text = _ELEMENT.sub("", message)
        # Name elements plainly: "{ns}navn" -> "navn".
        text = re.sub(r"\{[a-z]+:[^}]*\}", "", text)
        if el is not None and (etree.QName(el).namespace or "") != form.namespace:
            # Plain names would hide the mistake: <navn> in no namespace "is not expected" where
            # <navn> is expected.
            ns = etree.QName(el).namespace
            where = f"namespace {ns}" if ns else "no namespace"
            text = (
                f"<{local(el)}> is in {where}, not in the form's namespace {form.namespace}: {text}"
            )
        if el is not None and any(k in type_name for k in _VALUE_ERRORS):
            return self._value_rules.get(local(el), "KSX-XSD-001"), text
        return "KSX-XSD-001", text


class _Refused(Exception):
    def __init__(self, rule: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.finding = Finding(rule, message, line, "")


def _at(
    tree: etree._ElementTree, path: str | None, line: int | None, message: str
) -> etree._Element | None:
    """The element an XSD complaint is about: by libxml2's path, or, where that path has
    prefixes XPath cannot resolve, by the element's name on the complaint's line."""
    if path:
        try:
            found = tree.xpath(path)
        except etree.XPathError:
            found = None
        if isinstance(found, list) and found and isinstance(found[0], etree._Element):
            return found[0]
    named = re.match(r"^Element '([^']+)'", message)
    if named is None or not line:
        return None
    tag = named[1] if named[1].startswith("{") or ":" not in named[1] else None
    for el in tree.iter(etree.Element):
        if line_of(el) == line and (tag is None or el.tag == tag):
            return el
    return None
