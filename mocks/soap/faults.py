"""Well-formed SOAP 1.1 faults, built in one place.

Every refusal the mocks make on the SOAP side goes through ``Fault``: a ``faultcode`` from SOAP
1.1 §4.4.1 (Client, Server, VersionMismatch, MustUnderstand), a ``faultstring`` that names the
element and the rule, and a ``detail`` (namespace-qualified, as SOAP 1.1 requires for errors
in the Body) carrying the same facts as fields a program can read.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from tpn.fixtures.text import clip as clip_text
from tpn.mocks.soap.ns import SOAP11_ENV

DETAIL_NS = "urn:tpn-harness:fault"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]

log = logging.getLogger("tpn.mocks")

# Characters XML 1.0 cannot carry. lxml raises ValueError on them, and a fault that cannot be
# rendered escapes the endpoint as the server's plain-text 500 page; a soap:Server message
# quotes str(exc), which may hold anything.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML_CHAR.sub("\ufffd", text)


# A message the mocks send may quote what the client sent (a value, an element, libxml2's words
# about a value); it never runs longer than this, whatever the client sent.
MAX_MESSAGE_CHARS = 4000


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` cut to a message's length (``tpn.fixtures.text.clip``)."""
    return clip_text(text, limit)


@dataclass(frozen=True)
class Fault(Exception):
    """A SOAP fault to send back; raised anywhere in the intake, rendered by the endpoint."""

    code: str  # "Client", "Server", "VersionMismatch", "MustUnderstand"
    message: str
    rule: str = ""  # a short rule id, e.g. "xml.dtd", "soap.body", "xsd"
    element: str = ""  # the element the fault is about, when there is one
    line: int | None = None
    http_status: int = 500  # SOAP 1.1 over HTTP: every fault is 500

    def __str__(self) -> str:
        return f"soap:{self.code}: {self.message}"

    def to_bytes(self) -> bytes:
        env = etree.Element(f"{{{SOAP11_ENV}}}Envelope", nsmap={"soap": SOAP11_ENV})
        body = etree.SubElement(env, f"{{{SOAP11_ENV}}}Body")
        fault = etree.SubElement(body, f"{{{SOAP11_ENV}}}Fault")
        # faultcode, faultstring and detail are unqualified children, per SOAP 1.1 §4.4.
        etree.SubElement(fault, "faultcode").text = f"soap:{self.code}"
        message = _xml_safe(clip(self.message))
        etree.SubElement(fault, "faultstring").text = message
        if self.code != "VersionMismatch":
            detail = etree.SubElement(fault, "detail")
            problem = etree.SubElement(detail, f"{{{DETAIL_NS}}}problem", nsmap={"tpn": DETAIL_NS})
            if self.rule:
                problem.set("rule", _xml_safe(self.rule))
            if self.element:
                problem.set("element", _xml_safe(clip(self.element, 256)))
            if self.line is not None:
                problem.set("line", str(self.line))
            problem.text = message
        out: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
        return out


def log_text(exc: BaseException, limit: int = 2000) -> str:
    """``exc``'s traceback for a log, each line clipped to ``limit`` characters."""
    lines = "".join(traceback.format_exception(exc)).splitlines()
    return "\n".join(
        line if len(line) <= limit else f"{line[:limit]}… ({len(line) - limit} more characters)"
        for line in lines
    )


def incident(
    exc: BaseException, where: str, on_error: Callable[[BaseException], None] | None = None
) -> str:
    """Log a failure of the mock's own under a new incident id, hand it to ``on_error`` (so a
    test hears of it: MockServer.check), and return the id, which is all the client is told:
    an exception's text may hold SQL, paths or the request. One id per exception, however many
    layers report it."""
    known: str | None = getattr(exc, "_tpn_incident", None)
    if known is not None:
        return known
    found = secrets.token_hex(4)
    # (An exception type without a __dict__ keeps no id; it may then be logged twice.)
    with contextlib.suppress(AttributeError):
        exc._tpn_incident = found  # type: ignore[attr-defined]
    log.error("%s: internal error, incident %s\n%s", where, found, log_text(exc))
    if on_error is not None:
        on_error(exc)
    return found


def client(message: str, *, rule: str, element: str = "", line: int | None = None) -> Fault:
    return Fault("Client", message, rule=rule, element=element, line=line)


_REASONS = {
    200: "OK",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
}


def respond(
    start_response: StartResponse,
    status: int,
    payload: bytes,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    """Send ``payload`` as text/xml with ``status``: how every SOAP answer and fault leaves.

    No hop-by-hop headers (Connection: close) here: WSGI forbids them; the server decides."""
    headers = [("Content-Type", XML_CONTENT_TYPE), ("Content-Length", str(len(payload)))]
    start_response(f"{status} {_REASONS.get(status, 'Error')}", headers + (extra or []))
    return [payload]
