"""The intake guard: what every SOAP mock does with a request before anything else reads it.

Order matters: the cheap byte-level refusals (size, emptiness, DTD) come before any parser
sees the document; parsing tracks depth and element count as it goes and stops at the first
breach, so a hostile document costs at most what it took to reach the limit. What comes out
is a parsed SOAP 1.1 envelope whose Body holds exactly one element, or a ``Fault``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from tpn.fixtures import xmlguard
from tpn.fixtures.text import local_name
from tpn.fixtures.xmlguard import SHAPE, Shape
from tpn.mocks.core import bodies
from tpn.mocks.core.bodies import Readable
from tpn.mocks.soap.faults import Fault, client
from tpn.mocks.soap.ns import SOAP11_ENV, SOAP12_ENV

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds on a request; the defaults let a 20 MB document (27 MB of base64) through.

    The README's "Reliability" section lists them; a request over one gets a soap:Client fault
    whose faultstring names the limit and whose detail carries the rule (``limit.*``).
    """

    max_body_bytes: int = 32 * MIB
    max_depth: int = 64
    max_elements: int = 100_000
    # The document's shape (namespaces, attributes, names, text): what keeps the work per
    # request linear in its size.
    shape: Shape = SHAPE

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_depth", "max_elements"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be at least 1, got {getattr(self, name)}")


def read_body(stream: Readable, content_length: str | None, limits: Limits) -> bytes:
    """Read the request body, refusing an over-size one before reading it where possible, and a
    short one (it ended before its Content-Length) after: never processed."""
    try:
        return bodies.read(stream, content_length, limits.max_body_bytes)
    except bodies.BodyError as exc:
        raise client(exc.message, rule=exc.rule) from None


def parse(body: bytes, limits: Limits) -> etree._Element:
    """Parse ``body``, enforcing depth and element-count limits while parsing."""
    if not body.strip():
        raise client(
            "the request body is empty; a SOAP 1.1 envelope was expected", rule="soap.empty"
        )
    try:
        # The guard refuses a DTD from the bytes before it parses: entity bombs and external
        # entities live there.
        return xmlguard.parse(
            body,
            max_depth=limits.max_depth,
            max_elements=limits.max_elements,
            what="the request",
            shape=limits.shape,
        )
    except xmlguard.Refused as exc:
        if exc.rule == "xml.dtd":
            raise client(
                "the request contains a DTD (<!DOCTYPE); SOAP messages must not contain one "
                "(SOAP 1.1 §3), and DTDs and entity declarations are refused",
                rule="xml.dtd",
            ) from None
        raise client(exc.message, rule=exc.rule, line=exc.line, element=exc.element) from None


def envelope_body(root: etree._Element, understood_headers: Iterable[str] = ()) -> etree._Element:
    """The one element in the SOAP 1.1 Body of ``root``, or a Fault saying what is wrong."""
    name, namespace = local(root), namespace_of(root)
    if name == "Envelope" and namespace != SOAP11_ENV:
        version = "SOAP 1.2" if namespace == SOAP12_ENV else f"namespace {namespace!r}"
        raise Fault(
            "VersionMismatch",
            f"the envelope is {version}; this endpoint speaks SOAP 1.1 ({SOAP11_ENV})",
            rule="soap.version",
            element="Envelope",
        )
    if name != "Envelope":
        raise client(
            f"the request is not a SOAP envelope: its root element is <{name}>, "
            f"expected {{{SOAP11_ENV}}}Envelope",
            rule="soap.envelope",
            element=name,
        )
    children = [c for c in root if isinstance(c.tag, str)]
    header = None
    if children and children[0].tag == f"{{{SOAP11_ENV}}}Header":
        header = children.pop(0)
    if len(children) != 1 or children[0].tag != f"{{{SOAP11_ENV}}}Body":
        found = ", ".join(f"<{local(c)}>" for c in children) or "nothing"
        raise client(
            f"soap:Envelope must hold an optional soap:Header and then one soap:Body; found {found}",
            rule="soap.body",
            element="Envelope",
        )
    if header is not None:
        _check_must_understand(header, set(understood_headers))
    body = children[0]
    entries = [c for c in body if isinstance(c.tag, str)]
    if len(entries) != 1:
        raise client(
            f"soap:Body must hold exactly one element (the operation's request); found {len(entries)}",
            rule="soap.body",
            element="Body",
        )
    return entries[0]


def _check_must_understand(header: etree._Element, understood: set[str]) -> None:
    for entry in header:
        if not isinstance(entry.tag, str):
            continue
        flag = entry.get(f"{{{SOAP11_ENV}}}mustUnderstand", "0").strip()
        if flag in ("1", "true") and entry.tag not in understood:
            raise Fault(
                "MustUnderstand",
                f"header <{entry.tag}> is marked mustUnderstand and this endpoint does not "
                "process it (SOAP 1.1 §4.2.3)",
                rule="soap.mustUnderstand",
                element=local(entry),
            )


def schema_errors(schema: etree.XMLSchema, element: etree._Element) -> Fault | None:
    """A Client fault naming the first XSD violation in ``element``, or None when it is valid."""
    if schema.validate(element):
        return None
    log: Any = schema.error_log  # lxml-stubs lack the log's sequence protocol
    err = log[0]
    # libxml2 writes "Element '{ns}name': <rule>"; keep the rule, name the element plainly.
    text = err.message
    element_name = ""
    if text.startswith("Element '"):
        end = text.find("'", 9)
        element_name = text[9:end].rpartition("}")[2] if end > 9 else ""
        text = text[end + 2 :].strip() if end > 9 else text
    where = f" (line {err.line})" if err.line else ""
    path = _local_path(err.path) if err.path else element_name
    return client(
        f"schema violation at {path}{where}: {text}",
        rule="xsd",
        element=element_name,
        line=err.line or None,
    )


def local(el: Any) -> str:
    """An element's local name, whatever the element is called (``text.local_name``)."""
    return local_name(el.tag)


def namespace_of(el: Any) -> str | None:
    tag = el.tag
    return tag[1 : tag.index("}")] if isinstance(tag, str) and tag.startswith("{") else None


def _local_path(path: str) -> str:
    # "/soap11env:Envelope/soap11env:Body/tns:PutNoarksakRequest/tns:noarksak" -> local names.
    return "/".join(p.split(":")[-1] for p in path.split("/"))
