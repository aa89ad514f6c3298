"""The floor of what a Python WSGI server can do for one SOAP read: parse, check, fixed answer.

Used by ``bench_noark4ws.py`` as a reference beside the archive. It parses the request with
lxml (with the same safety settings an intake guard would use) and checks that the body holds a
GetJournpost request, so it does the unavoidable part of the archive's work; it answers with the
exact bytes the archive gave for the same request, read once at import from the file named in
``BARE_LXML_ANSWER``. No schema, no database, no journal: anything the archive spends beyond this
app is the price of those.

Serve it from this folder, e.g. ``gunicorn -w 2 bare_lxml_app:app`` or
``granian --interface wsgi --workers 2 bare_lxml_app:app``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lxml import etree

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "http://www.arkivverket.no/Noark4-1-WS-WD/types"
_BODY = f"{{{SOAP11_ENV}}}Body"
_GET_JOURNPOST = f"{{{NS}}}GetJournpostRequest"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]

# Entities and the network off, as any server taking XML from strangers must have them.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _load_answer() -> bytes:
    path = os.environ.get("BARE_LXML_ANSWER")
    if not path:
        raise RuntimeError("BARE_LXML_ANSWER must name the file holding the answer bytes")
    return Path(path).read_bytes()


ANSWER = _load_answer()
_OK_HEADERS = [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(ANSWER)))]
_BAD = b"not a GetJournpost request\n"
_BAD_HEADERS = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(_BAD)))]


def _is_get_journpost(body: bytes) -> bool:
    """True when ``body`` is a SOAP 1.1 envelope whose body's first child is GetJournpostRequest."""
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        return False
    soap_body = root.find(_BODY)
    if soap_body is None or len(soap_body) == 0:
        return False
    return soap_body[0].tag == _GET_JOURNPOST


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/isalive":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
        return [b"ok\n"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    if environ.get("REQUEST_METHOD") != "POST" or not _is_get_journpost(body):
        start_response("400 Bad Request", list(_BAD_HEADERS))
        return [_BAD]
    start_response("200 OK", list(_OK_HEADERS))
    return [ANSWER]
