"""The defects that break the archive's transport: a SOAP endpoint that answers the way a
vendor's stack would (an HTML error page, a SOAP 1.2 content type, a WSDL missing an operation,
a parser that expands entities...).

``EndpointFaults`` holds the endpoint seam of each transport defect, which the registry
(``registry.py``) turns on; ``DefectiveEndpoint`` acts on them at the seams ``SoapEndpoint``
offers. Without one on, ``build_archive`` gets the plain ``SoapEndpoint``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from lxml import etree

from tpn.mocks.noark4ws import model as m
from tpn.mocks.soap import intake
from tpn.mocks.soap.endpoint import SendAsIs, SoapEndpoint
from tpn.mocks.soap.faults import Fault, StartResponse
from tpn.mocks.soap.ns import SOAP11_ENV, SOAP12_ENV, WSDL, XS


@dataclass(frozen=True)
class EndpointFaults:
    """Which transport defects are on: each field is the endpoint seam of the defect of the
    same name (``html_faults`` is html-faults')."""

    html_faults: bool = False
    bare_faultcode: bool = False
    soap12_content_type: bool = False
    soap12_accepted: bool = False
    must_understand_ignored: bool = False
    wsdl_incomplete: bool = False
    no_wsdl: bool = False
    wsdl_schema_unqualified: bool = False
    undeclared_response_element: bool = False
    schema_unchecked: bool = False
    deep_nesting_crash: bool = False
    dtd_accepted: bool = False
    unavailable_after_entity_bomb: bool = False

    def __bool__(self) -> bool:
        return any(dataclasses.astuple(self))


def endpoint(faults: EndpointFaults, **kwargs: Any) -> SoapEndpoint:
    """The archive's SOAP endpoint: the reference one, or one with the transport defects."""
    if faults:
        return DefectiveEndpoint(faults=faults, **kwargs)
    return SoapEndpoint(**kwargs)


HTML_ERROR_PAGE = b"""<!DOCTYPE html>
<html><head><title>500 Internal Server Error</title></head>
<body><h1>Internal Server Error</h1>
<p>The server encountered an internal error and was unable to complete your request.</p>
<hr><address>Apache Tomcat/9.0.83</address></body></html>
"""
PLAIN_ERROR_PAGE = b"500 Internal Server Error"
SOAP12_CONTENT_TYPE = "application/soap+xml; charset=utf-8"
NOT_FOUND_PAGE = b"""<!DOCTYPE html>
<html><head><title>404 Not Found</title></head>
<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p>
<hr><address>Apache Tomcat/9.0.83</address></body></html>
"""
RESTARTING_PAGE = b"worker restarting"
RESTART_REQUESTS = 2  # unavailable-after-entity-bomb: how many requests the restart takes
_WSDL_QUERIES = ("wsdl", "wsdl=", "singlewsdl")
# unavailable-after-entity-bomb: an entity whose text names another entity, the bomb's shape.
_NESTED_ENTITY = re.compile(rb"<!ENTITY\s+[^\s>]+\s+(\"[^\"]*|'[^']*)&[A-Za-z_:]")
# dtd-accepted: the vendor's parser expands internal entities (never external ones: no network,
# no files). huge_tree stays off, so libxml2's own amplification and depth limits still refuse
# an expansion bomb, as a syntax error.
_ENTITY_PARSER = etree.XMLParser(
    # "internal" (lxml 5+): True would also read external entities from files.
    resolve_entities="internal",  # type: ignore[arg-type]  # lxml-stubs know only bool
    no_network=True,
    load_dtd=False,
    huge_tree=False,
)
CRASH_DEPTH = 1000  # deep-nesting-crash: the depth at which the recursive parser gives up
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class DefectiveEndpoint(SoapEndpoint):
    """The SOAP endpoint with the transport defects that are on (seams in ``SoapEndpoint``)."""

    def __init__(self, *, faults: EndpointFaults, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.faults = faults
        if faults.wsdl_incomplete:
            self.wsdl = without_operation(self.wsdl, "GetJournpost")
        if faults.wsdl_schema_unqualified:
            self.wsdl = schema_unqualified(self.wsdl)
        self._restarting = 0  # unavailable-after-entity-bomb: requests left to refuse
        self._restart_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        d = self.faults
        query = environ.get("QUERY_STRING", "").lower()
        asks_wsdl = environ.get("REQUEST_METHOD", "GET") == "GET" and query in _WSDL_QUERIES
        if d.no_wsdl and asks_wsdl:
            return _send(start_response, 404, "text/html; charset=utf-8", NOT_FOUND_PAGE)
        if d.unavailable_after_entity_bomb and self._restart_pending():
            return _send(start_response, 503, "text/plain; charset=utf-8", RESTARTING_PAGE)
        return super().__call__(environ, start_response)

    def _restart_pending(self) -> bool:
        with self._restart_lock:
            if self._restarting <= 0:
                return False
            self._restarting -= 1
            return True

    def _fault_payload(self, fault: Fault) -> bytes:
        if self.faults.bare_faultcode:
            return bare_fault(fault)
        return super()._fault_payload(fault)

    def _check_content_type(self, environ: dict[str, Any]) -> None:
        media = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if self.faults.soap12_accepted and media == "application/soap+xml":
            return
        super()._check_content_type(environ)

    def _body_element(self, request: bytes) -> etree._Element:
        d = self.faults
        try:
            root = intake.parse(request, self.limits)
        except Fault as fault:
            said = f"{fault.code}: {fault.message}"
            if fault.rule == "xml.dtd":
                if d.unavailable_after_entity_bomb and _NESTED_ENTITY.search(request[:65536]):
                    # The vendor's parser expanded the bomb and the worker died of it; its
                    # supervisor answers 503 while a new worker starts.
                    with self._restart_lock:
                        self._restarting = RESTART_REQUESTS
                    raise SendAsIs(
                        503, "text/plain; charset=utf-8", RESTARTING_PAGE, f"{said} (crashed)"
                    ) from None
                if d.dtd_accepted:
                    root = self._parse_with_entities(request)
                    return intake.envelope_body(root)
            if d.html_faults and fault.rule in ("xml.syntax", "soap.empty"):
                raise SendAsIs(
                    500, "text/html; charset=utf-8", HTML_ERROR_PAGE, f"{said} (html-faults)"
                ) from None
            if d.deep_nesting_crash and fault.rule == "limit.depth" and self._crashes(request):
                raise SendAsIs(
                    500,
                    "text/plain; charset=utf-8",
                    PLAIN_ERROR_PAGE,
                    "RecursionError (deep-nesting-crash)",
                ) from None
            raise
        if d.soap12_accepted:
            _as_soap11(root)
        understood: list[str] = []
        if d.must_understand_ignored:
            header = root.find(f"{{{SOAP11_ENV}}}Header")
            understood = [str(e.tag) for e in header] if header is not None else []
        return intake.envelope_body(root, understood)

    def _parse_with_entities(self, request: bytes) -> etree._Element:
        """dtd-accepted: the request parsed with its internal entities expanded; a bomb or a
        syntax error is still a soap:Client fault, and the element limits still hold."""
        try:
            root = etree.fromstring(request, _ENTITY_PARSER)
        except etree.XMLSyntaxError as exc:
            raise Fault(
                "Client", f"the request is not well-formed XML: {exc}", rule="xml.syntax"
            ) from None
        count = sum(1 for _ in root.iter())
        if count > self.limits.max_elements:
            raise Fault(
                "Client",
                f"the document has more than {self.limits.max_elements} elements",
                rule="limit.elements",
            )
        return root

    def _crashes(self, request: bytes) -> bool:
        """Whether the vendor's recursive parser would run out of stack on ``request``:
        measured without recursing, by our own parser with the crash depth as its limit."""
        limits = intake.Limits(
            max_body_bytes=self.limits.max_body_bytes,
            max_depth=max(CRASH_DEPTH, self.limits.max_depth),
            max_elements=self.limits.max_elements,
        )
        try:
            intake.parse(request, limits)
        except Fault as fault:
            return fault.rule == "limit.depth"
        return False

    def _validate(self, element: etree._Element) -> None:
        if not self.faults.schema_unchecked:
            super()._validate(element)

    def _dispatch(
        self, environ: dict[str, Any], element: etree._Element, exchange: Any
    ) -> tuple[int, bytes]:
        d = self.faults
        if d.schema_unchecked:
            try:
                status, payload = super()._dispatch(environ, element, exchange)
            except (Fault, SendAsIs):
                raise
            except Exception as exc:  # the codec meeting a value the XSD would have refused
                raise Fault(
                    "Server", f"internal error: {type(exc).__name__}: {exc}", rule="server"
                ) from None
        else:
            status, payload = super()._dispatch(environ, element, exchange)
        if status == 200:
            if d.undeclared_response_element:
                payload = with_server_time(payload)
            if d.soap12_content_type:
                raise SendAsIs(200, SOAP12_CONTENT_TYPE, payload)
        return status, payload


def _as_soap11(root: etree._Element) -> None:
    """soap12-accepted: read a SOAP 1.2 envelope by its local names, as if it were SOAP 1.1."""
    if etree.QName(root).namespace != SOAP12_ENV:
        return
    for el in (root, *root):
        qname = etree.QName(el)
        if qname.namespace == SOAP12_ENV:
            el.tag = f"{{{SOAP11_ENV}}}{qname.localname}"


def with_server_time(payload: bytes) -> bytes:
    """undeclared-response-element: <tpnServerTime> as the answer's last child.

    Last, not right after ``status``: zeep, even with ``strict=False``, drops every element of
    a sequence that follows an unexpected one, so a lenient client would lose the objects and
    fail every test, where only the schema requirements should catch the element."""
    root = etree.fromstring(payload, _PARSER)
    body = root.find(f"{{{SOAP11_ENV}}}Body")
    if body is None or not len(body):
        return payload
    stamp = etree.SubElement(body[0], f"{{{m.NS}}}tpnServerTime")
    stamp.text = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out


def _send(
    start_response: StartResponse, status: int, content_type: str, payload: bytes
) -> list[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(payload)))]
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [payload]


def bare_fault(fault: Fault) -> bytes:
    """bare-faultcode: the fault with an unqualified faultcode ("Client") and an empty
    faultstring, as a hand-written fault template would have it."""
    root = etree.fromstring(fault.to_bytes(), _PARSER)
    for el in root.iter("faultcode"):
        el.text = fault.code
    for el in root.iter("faultstring"):
        el.text = ""
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out


def schema_unqualified(wsdl: bytes) -> bytes:
    """wsdl-schema-unqualified: the WSDL's schemas without elementFormDefault (so "unqualified",
    XSD's default: local elements would then have no namespace)."""
    root = etree.fromstring(wsdl, _PARSER)
    for schema in root.iter(f"{{{XS}}}schema"):
        if "elementFormDefault" in schema.attrib:
            del schema.attrib["elementFormDefault"]
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out


def without_operation(wsdl: bytes, operation: str) -> bytes:
    """wsdl-incomplete: the WSDL without ``operation``: its messages, its portType operation
    and its binding operation (the types stay; a hand-edited WSDL would keep them too)."""
    root = etree.fromstring(wsdl, _PARSER)
    doomed = [
        *root.findall(f"{{{WSDL}}}portType/{{{WSDL}}}operation[@name='{operation}']"),
        *root.findall(f"{{{WSDL}}}binding/{{{WSDL}}}operation[@name='{operation}']"),
        *(
            el
            for el in root.findall(f"{{{WSDL}}}message")
            if el.get("name") in (f"{operation}Request", f"{operation}Response")
        ),
    ]
    for el in doomed:
        parent = el.getparent()
        assert parent is not None
        parent.remove(el)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out
