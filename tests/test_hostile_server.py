"""The hostile-input corpus of the served mocks (`tpn serve`: archive, admin side, the front).

Every case is one request a hostile or careless client sends, with the answer it must get: the
HTTP status, the SOAP fault code or the archive's status and message code, and the text that
names the rule or limit. After each case the server must still answer (``/isalive`` and a
valid request) and the case stored before the corpus ran must be intact. The corpus grows
with each class of problem found: add a ``Case`` to ``CASES``.

Beside it: the slow clients (bodies that trickle, stop or end early), over both servers; the
work a request may cost (namespace declarations); and a hypothesis fuzz of mutated valid
requests to every operation, none of which may give a ``soap:Server`` fault, a non-XML answer
or a dead worker.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from model_strategies import instances
from served import Served

from tpn.mocks.core.front import BODY_BUDGET
from tpn.mocks.noark4ws import model as m
from tpn.mocks.noark4ws.search import MAX_CRITERIA, MAX_PATTERN_BYTES, MAX_VALUE_CHARS
from tpn.mocks.soap import codec
from tpn.mocks.soap.intake import Limits

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "http://www.arkivverket.no/Noark4-1-WS-WD/types"
XML = {"Content-Type": "text/xml; charset=utf-8"}
JSON_TYPE = {"Content-Type": "application/json"}
SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
TITLE = "Byggesak Storgata 1 (stored before the corpus)"
# What no answer may carry: a traceback, SQL, a file path of the server.
LEAKS = re.compile(r"Traceback|File \"|SELECT |INSERT |sqlite3|sqlalchemy|/site-packages/|\.py\b")
LIMITS = Limits()


def envelope(inner: str, *, env_attrs: str = "", body_attrs: str = "") -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{SOAP}" xmlns:n="{NS}" {env_attrs}>'
        f"<soap:Body {body_attrs}>{inner}</soap:Body></soap:Envelope>"
    ).encode()


def put_sak(fields: str) -> bytes:
    return envelope(
        f"<n:PutNoarksakRequest><n:noarksak>{fields}</n:noarksak></n:PutNoarksakRequest>"
    )


def criteria(n: int) -> bytes:
    one = (
        "<n:searchCriteria><n:fieldName>saTittel</n:fieldName>"
        "<n:fieldValue>{}</n:fieldValue></n:searchCriteria>"
    )
    return envelope(
        "<n:GetNoarksakRequest>"
        + "".join(one.format(i) for i in range(n))
        + "</n:GetNoarksakRequest>"
    )


def search_for(value: str) -> bytes:
    return envelope(
        "<n:GetNoarksakRequest><n:searchCriteria><n:fieldName>saTittel</n:fieldName>"
        f"<n:fieldValue>{value}</n:fieldValue></n:searchCriteria></n:GetNoarksakRequest>"
    )


def decls(n: int, prefix: str = "p") -> str:
    return " ".join(f'xmlns:{prefix}{i}="urn:tpn:x{i}"' for i in range(n))


@dataclass(frozen=True)
class Case:
    """One hostile request and the answer it must get."""

    name: str
    body: bytes | Callable[[], bytes] = b""
    path: str = "/noark4ws"
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=lambda: dict(XML))
    status: int = 500
    fault: str | None = "Client"  # the SOAP faultcode; None: not a fault
    archive_status: str | None = None  # an answer's status/@type (OK, WARNING, ERROR)
    code: str | None = None  # the archive's message code, or the fault's detail rule
    text: str = ""  # a regular expression the answer's text must match
    json: bool = False  # a JSON answer (the admin side) with {"error": ...}
    max_answer: int = 8 * 1024  # echoed input is clipped: no answer is longer
    raw: bool = False  # sent as written, over a socket (requests would mend the headers)

    def data(self) -> bytes:
        return self.body() if callable(self.body) else self.body


CASES: list[Case] = [
    # ---- bounded work per request: the document's shape, checked while parsing ------------
    Case(
        "namespace declarations on the envelope (quadratic in the schema check)",
        lambda: envelope(
            "<n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>",
            env_attrs=decls(32_000),
        ),
        code="limit.namespaces",
        text=f"more than {LIMITS.shape.max_namespaces} namespaces on one element",
    ),
    Case(
        "namespace declarations in scope, a few on each element",
        lambda: envelope(
            "<n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>",
            env_attrs=decls(30, "a"),
            body_attrs=decls(30, "b") + " " + decls(30, "c"),
        ),
        code="limit.namespaces",
        text="namespaces on one element|namespace declarations in scope",
    ),
    Case(
        "attributes on one element",
        lambda: put_sak(
            "<n:saTittel "
            + " ".join(f'a{i}="x"' for i in range(LIMITS.shape.max_attributes + 1))
            + ">t</n:saTittel>"
        ),
        code="limit.attributes",
        text=f"more than {LIMITS.shape.max_attributes} attributes on <saTittel>",
    ),
    Case(
        "attributes named like namespaces, behind a comment full of xmlns",
        lambda: envelope(
            "<!--"
            + "xmlns " * 500
            + "--><n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>",
            env_attrs=" ".join(f'xmlnsa{i}="x"' for i in range(1000)),
        ),
        code="limit.attributes",
        text=f"more than {LIMITS.shape.max_attributes} attributes on <Envelope>",
    ),
    Case(
        "an element name longer than the limit",
        lambda: put_sak(f"<n:{'x' * 300}>t</n:{'x' * 300}>"),
        code="limit.name",
        text=f"element name longer than {LIMITS.shape.max_name_chars} characters",
    ),
    Case(
        "an attribute value longer than the limit",
        lambda: put_sak(
            f'<n:saTittel a="{"v" * (LIMITS.shape.max_attribute_chars + 1)}">t</n:saTittel>'
        ),
        code="limit.text",
        text=f"attribute value longer than {LIMITS.shape.max_attribute_chars} characters",
    ),
    Case(
        "a namespace name longer than the limit",
        lambda: envelope(
            "<n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>",
            env_attrs=f'xmlns:long="urn:{"u" * 3000}"',
        ),
        code="limit.name",
        text=f"namespace name longer than {LIMITS.shape.max_uri_chars}",
    ),
    Case(
        "a name with two colons (lxml's QName refuses it)",
        lambda: envelope("<n:GetNoarksakRequest><n:a:b>1</n:a:b></n:GetNoarksakRequest>"),
        code="xml.syntax",
        text="not well-formed XML: Failed to parse QName 'n:a:b'",
    ),
    Case(
        "names with two colons nested past the depth limit (the message must not fail on them)",
        lambda: envelope("<n:a:b>" * 80 + "</n:a:b>" * 80),
        code="limit.depth",
        text=rf"nests deeper than {LIMITS.max_depth} elements \(at <n:a:b>\)",
    ),
    # ---- values the XSD allows but the archive cannot hold ---------------------------------
    Case(
        "a date after year 9999",
        put_sak("<n:saDato>10000-01-01</n:saDato><n:saTittel>t</n:saTittel>"),
        code="value.range",
        text=r"saDato: the year of '10000-01-01' is outside 1\.\.9999",
    ),
    Case(
        "a date before year 1",
        put_sak("<n:saDato>-0044-03-15</n:saDato><n:saTittel>t</n:saTittel>"),
        code="value.range",
        text=r"saDato: the year of '-0044-03-15' is outside 1\.\.9999",
    ),
    Case(
        "an integer of 5,000 digits",
        put_sak(f"<n:saSaar>{'9' * 5000}</n:saSaar><n:saTittel>t</n:saTittel>"),
        code="value.range",
        text=rf"saSaar: the integer 9{{40}}… \(4960 more characters\) has 5000 digits; the archive "
        rf"holds integers of at most {codec.MAX_INTEGER_DIGITS}",
    ),
    Case(
        "an integer of 4,300 digits, held (past 64 bits a selector finds nothing)",
        envelope(
            "<n:GetJournpostRequest><n:lopenummer><n:jpJaar>2026</n:jpJaar>"
            f"<n:jpSeknr>-{'9' * 4300}</n:jpSeknr></n:lopenummer></n:GetJournpostRequest>"
        ),
        status=200,
        fault=None,
    ),
    Case(
        "an integer of 4,301 digits in a selector",
        envelope(
            "<n:GetJournpostRequest><n:lopenummer><n:jpJaar>2026</n:jpJaar>"
            f"<n:jpSeknr>+000{'1' * 4301}</n:jpSeknr></n:lopenummer></n:GetJournpostRequest>"
        ),
        code="value.range",
        text="jpSeknr: the integer .* has 4301 digits",
    ),
    Case(
        "more search criteria than the archive takes",
        lambda: criteria(MAX_CRITERIA + 1),
        status=200,
        fault=None,
        archive_status="ERROR",
        code="INVALID_VALUE",
        text=f"searchCriteria: {MAX_CRITERIA + 1} criteria in one request; the archive takes at "
        f"most {MAX_CRITERIA}",
    ),
    Case(
        "twenty thousand search criteria (over SQLite's own limits)",
        lambda: criteria(20_000),
        status=200,
        fault=None,
        archive_status="ERROR",
        code="INVALID_VALUE",
        text=f"at most {MAX_CRITERIA}",
    ),
    Case(
        "a megabyte of saId, echoed in the answer",
        lambda: envelope(
            f"<n:GetNoarksakRequest><n:saId>{'7' * 1_000_000}</n:saId></n:GetNoarksakRequest>"
        ),
        status=200,
        fault=None,
        archive_status="ERROR",
        code="NOT_FOUND",
        text=r"more characters\)$",
    ),
    Case(
        "a search value of a megabyte (a LIKE pattern over SQLite's limit)",
        lambda: search_for("%" * 1_000_000),
        status=200,
        fault=None,
        archive_status="ERROR",
        code="INVALID_VALUE",
        text=f"the value for 'saTittel' has 1000000 characters; the archive searches with at most "
        f"{MAX_VALUE_CHARS}",
    ),
    Case(
        "the longest search value, all escapes",
        lambda: search_for("%" * MAX_VALUE_CHARS),
        status=200,
        fault=None,
        archive_status="OK",
    ),
    Case(
        "a search value that case folding lengthens past SQLite's LIKE limit",
        lambda: search_for("\u0390" * MAX_VALUE_CHARS),
        status=200,
        fault=None,
        archive_status="ERROR",
        code="INVALID_VALUE",
        text=f"makes a search pattern of 60002 bytes .* at most {MAX_PATTERN_BYTES}",
    ),
    Case(
        "a search value that case folding lengthens to just under the limit",
        lambda: search_for("\u0390" * ((MAX_PATTERN_BYTES - 2) // 6)),
        status=200,
        fault=None,
        archive_status="OK",
    ),
    # ---- the body: announced, read and limited before the app sees it ----------------------
    Case(
        "a Content-Length over the limit (the body is never sent)",
        b"",
        headers={**XML, "Content-Length": str(200 * 1024 * 1024)},
        code="limit.size",
        text=f"request body of {200 * 1024 * 1024} bytes is over the limit of "
        f"{LIMITS.max_body_bytes} bytes",
    ),
    Case(
        "a Content-Length that is not a number",
        b"<x/>",
        headers={**XML, "Content-Length": "12abc"},
        raw=True,
        status=400,
        fault=None,
    ),
    # ---- the admin side: JSON in, JSON out, every value checked ---------------------------
    Case(
        "the clock set to year 9999 and left running",
        json.dumps({"now": "9999-12-31T23:59:00", "frozen": False}).encode(),
        path="/__admin/clock",
        method="PUT",
        headers=dict(JSON_TYPE),
        status=400,
        fault=None,
        json=True,
        text=r'"now" must be from 1900-01-01T00:00:00 to 9900-12-31T23:59:59',
    ),
    Case(
        "the clock before 1900",
        json.dumps({"now": "0001-01-01T00:00:00"}).encode(),
        path="/__admin/clock",
        method="PUT",
        headers=dict(JSON_TYPE),
        status=400,
        fault=None,
        json=True,
        text=r'"now" must be from 1900',
    ),
    Case(
        'the string "false" for frozen',
        json.dumps({"now": "2026-12-31T23:59:00", "frozen": "false"}).encode(),
        path="/__admin/clock",
        method="PUT",
        headers=dict(JSON_TYPE),
        status=400,
        fault=None,
        json=True,
        text=r'"frozen" must be true or false \(JSON\), got "false"',
    ),
    Case(
        "a clock that is not a time",
        json.dumps({"now": "tomorrow"}).encode(),
        path="/__admin/clock",
        method="PUT",
        headers=dict(JSON_TYPE),
        status=400,
        fault=None,
        json=True,
        text=r'"now" must be an ISO 8601 date and time',
    ),
    Case(
        "a clock body that is not an object",
        b"[1, 2, 3]",
        path="/__admin/clock",
        method="PUT",
        headers=dict(JSON_TYPE),
        status=400,
        fault=None,
        json=True,
        text="the body must be a JSON object",
    ),
    Case(
        "an unknown field in the clock body",
        json.dumps({"now": "2026-12-31T23:59:00", "when": 1}).encode(),
        path="/__admin/clock",
        method="PUT",
        headers=dict(JSON_TYPE),
        status=400,
        fault=None,
        json=True,
        text="unknown field 'when'",
    ),
    Case(
        "JSON nested thirty thousand deep",
        b"[" * 30_000 + b"]" * 30_000,
        path="/__admin/clock",
        method="PUT",
        headers=dict(JSON_TYPE),
        status=400,
        fault=None,
        json=True,
        text="nests too deeply",
    ),
    Case(
        "a JSON number of 5,000 digits",
        b'{"now": ' + b"9" * 5000 + b"}",
        path="/__admin/clock",
        method="PUT",
        headers=dict(JSON_TYPE),
        status=400,
        fault=None,
        json=True,
        text="the body is not JSON",
    ),
    Case(
        "not JSON at all",
        b"\xff\xfe not json",
        path="/__admin/clock",
        method="PUT",
        headers=dict(JSON_TYPE),
        status=400,
        fault=None,
        json=True,
        text="the body is not JSON",
    ),
    Case(
        "a 200 MB admin body (announced; never read)",
        b"",
        path="/__admin/clock",
        method="PUT",
        headers={**JSON_TYPE, "Content-Length": str(200 * 1024 * 1024)},
        status=413,
        fault=None,
        json=True,
        text="request body of 209715200 bytes is over the limit of 65536 bytes",
    ),
    Case(
        "journal limit=-1",
        path="/__admin/journal?limit=-1",
        method="GET",
        status=400,
        fault=None,
        json=True,
        text="limit must be a whole number from 1 to 1000, got '-1'",
    ),
    Case(
        "journal limit over the maximum",
        path="/__admin/journal?limit=1000000",
        method="GET",
        status=400,
        fault=None,
        json=True,
        text="limit must be a whole number from 1 to 1000",
    ),
    Case(
        "journal after= a number past 64 bits",
        path="/__admin/journal?after=99999999999999999999999999",
        method="GET",
        status=400,
        fault=None,
        json=True,
        text="after must be a whole number from 0 to 9223372036854775807",
    ),
    Case(
        "journal after= not a number",
        path="/__admin/journal?after=ten",
        method="GET",
        status=400,
        fault=None,
        json=True,
        text="after must be a whole number",
    ),
    Case(
        "journal limit= a superscript digit",
        path="/__admin/journal?limit=%C2%B2",
        method="GET",
        status=400,
        fault=None,
        json=True,
        text="limit must be a whole number from 1 to 1000, got '²'",
    ),
    Case(
        "journal after= two minus signs",
        path="/__admin/journal?after=--5",
        method="GET",
        status=400,
        fault=None,
        json=True,
        text="after must be a whole number from 0",
    ),
    Case(
        "a clock in a time zone that runs past the first day",
        json.dumps({"now": "0001-01-01T00:00:00+05:00"}).encode(),
        path="/__admin/clock",
        method="PUT",
        headers=dict(JSON_TYPE),
        status=400,
        fault=None,
        json=True,
        text=r'"now" must be from 1900',
    ),
    Case(
        "a clock in a time zone that runs past the last day",
        json.dumps({"now": "9999-12-31T23:59:00-05:00"}).encode(),
        path="/__admin/clock",
        method="PUT",
        headers=dict(JSON_TYPE),
        status=400,
        fault=None,
        json=True,
        text=r'"now" must be from 1900',
    ),
    Case(
        "a 100 KiB clock body (announced; the clock takes 64 KiB, refused unread)",
        b"",
        path="/__admin/clock",
        method="PUT",
        headers={**JSON_TYPE, "Content-Length": str(100 * 1024)},
        status=413,
        fault=None,
        json=True,
        text="of 102400 bytes is over the limit of 65536 bytes",
    ),
    Case(
        "an unknown admin route",
        path="/__admin/nothing",
        method="GET",
        status=404,
        fault=None,
        json=True,
        text="no admin route GET /__admin/nothing",
        max_answer=16 * 1024,
    ),
]


# ---------------------------------------------------------------------------- the server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = Served(tmp_path_factory.mktemp("hostile") / "archive.db", workers=2)
    server.start()
    try:
        yield server
    finally:
        assert server.stop() == []


@pytest.fixture(scope="module")
def stored(served: Served) -> str:
    """A case stored before the corpus runs; every case must leave it as it was."""
    r = served.http.post(
        served.url, data=put_sak(f"<n:saTittel>{TITLE}</n:saTittel>"), headers=XML, timeout=10
    )
    assert r.status_code == 200, r.text
    return re.search(r"<tns:saId>(\d+)</tns:saId>", r.text).group(1)  # type: ignore[union-attr]


def still_serving(served: Served, said: str) -> None:
    assert served.http.get(f"{served.base_url}/isalive", timeout=5).status_code == 200
    r = served.http.post(
        served.url,
        data=envelope(f"<n:GetNoarksakRequest><n:saId>{said}</n:saId></n:GetNoarksakRequest>"),
        headers=XML,
        timeout=10,
    )
    assert r.status_code == 200 and f"<tns:saTittel>{TITLE}</tns:saTittel>" in r.text, r.text[:500]


def send(served: Served, case: Case) -> requests.Response:
    url = f"{served.base_url}{case.path}"
    data = case.data()
    if case.raw or ("Content-Length" in case.headers and not data):
        return _raw(served, case, data)
    return served.http.request(case.method, url, data=data, headers=case.headers, timeout=60)


def _raw(served: Served, case: Case, data: bytes) -> requests.Response:
    """The request exactly as the case writes it; with no body, the one announced is never
    sent, so the answer must come without it."""
    head = "".join(f"{k}: {v}\r\n" for k, v in case.headers.items())
    with socket.create_connection(("127.0.0.1", served.port), timeout=20) as s:
        s.sendall(f"{case.method} {case.path} HTTP/1.1\r\nHost: x\r\n{head}\r\n".encode() + data)
        raw = _read_response(s)
    return _parse_response(raw)


def _read_response(s: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n" + rest


def _parse_response(raw: bytes) -> requests.Response:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    r = requests.Response()
    r.status_code = int(lines[0].split()[1])
    for line in lines[1:]:
        k, _, v = line.partition(":")
        r.headers[k.strip()] = v.strip()
    r._content = body
    return r


def judge(case: Case, r: requests.Response) -> None:
    """The answer ``case`` must get, and nothing it must not carry."""
    text = r.content.decode("utf-8", "replace")
    assert r.status_code == case.status, f"{case.name}: HTTP {r.status_code}: {text[:500]}"
    assert not LEAKS.search(text), f"{case.name}: the answer leaks: {LEAKS.search(text)}"
    assert len(r.content) <= case.max_answer, f"{case.name}: a {len(r.content)}-byte answer"
    if case.json:
        assert r.headers["Content-Type"].startswith("application/json")
        assert re.search(case.text, r.json()["error"]), r.json()
        return
    if case.fault is None and case.archive_status is None:
        return  # a refusal at the HTTP level: the status says it
    assert r.headers["Content-Type"].startswith("text/xml"), r.headers
    root = etree.fromstring(r.content, SAFE)
    if case.fault is not None:
        assert root.findtext(".//faultcode") == f"soap:{case.fault}", text[:500]
        problem = root.find(".//{urn:tpn-harness:fault}problem")
        assert problem is not None and problem.get("rule") == case.code, text[:500]
        assert re.search(case.text, root.findtext(".//faultstring") or ""), text[:800]
    else:
        status = root.find(f".//{{{NS}}}status")
        assert status is not None and status.get("type") == case.archive_status, text[:500]
        if case.code is not None:
            message = status.find(f"{{{NS}}}message")
            assert message is not None and message.get("code") == case.code, text[:500]
            assert re.search(case.text, message.text or ""), (message.text or "")[:500]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus(served: Served, stored: str, case: Case) -> None:
    started = time.monotonic()
    r = send(served, case)
    elapsed = time.monotonic() - started
    judge(case, r)
    still_serving(served, stored)
    # Not a timing test: a generous bound that a quadratic cost (minutes) would still break.
    assert elapsed < 20, f"{case.name} took {elapsed:.1f} s"


def test_the_clock_refusals_left_the_clock_alone(served: Served, stored: str) -> None:
    clock = served.http.get(f"{served.base_url}/__admin/clock", timeout=5).json()
    assert clock["set"] is False, clock
    # ... and a running clock set within the range keeps the archive writing.
    put = served.http.put(
        f"{served.base_url}/__admin/clock",
        json={"now": "9900-12-31T23:59:00", "frozen": False},
        timeout=5,
    )
    assert put.status_code == 200, put.text
    try:
        r = served.http.post(
            served.url, data=put_sak("<n:saTittel>Late</n:saTittel>"), headers=XML, timeout=10
        )
        assert r.status_code == 200 and "<tns:saSaar>9900</tns:saSaar>" in r.text, r.text[:500]
    finally:
        served.http.delete(f"{served.base_url}/__admin/clock", timeout=5)
    still_serving(served, stored)


# ---------------------------------------------------------------------------- slow clients


@pytest.fixture(scope="module", params=["granian", "gunicorn"])
def impatient(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """A server that gives a body two seconds to arrive."""
    server = Served(
        tmp_path_factory.mktemp(f"slow-{request.param}") / "archive.db",
        workers=2,
        server=request.param,
        extra=("--body-timeout", "2"),
    )
    server.start()
    try:
        yield server
    finally:
        assert server.stop() == []


def _stall(port: int, announced: int = 1000, sent: bytes = b"<soap:Env") -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(
        b"POST /noark4ws HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
        + f"Content-Length: {announced}\r\n\r\n".encode()
        + sent
    )
    return s


def journal_size(server: Served) -> int:
    return len(server.http.get(f"{server.base_url}/__admin/journal", timeout=5).json())


def test_slow_bodies_stall_nobody_and_get_408(impatient: Served) -> None:
    stalled = [_stall(impatient.port) for _ in range(6)]  # three per worker
    try:
        time.sleep(0.3)
        # Meanwhile everyone else is served, at once (a stalled worker would take 2 s or more).
        for _ in range(5):
            assert (
                impatient.http.get(f"{impatient.base_url}/isalive", timeout=1.5).status_code == 200
            )
            r = impatient.http.post(
                impatient.url,
                data=put_sak("<n:saTittel>Served</n:saTittel>"),
                headers=XML,
                timeout=1.5,
            )
            assert r.status_code == 200, r.text[:300]
        for s in stalled:
            r = _parse_response(_read_response(s))
            assert r.status_code == 408, r.content[:300]
            assert b"soap:Client" in r.content and b'rule="limit.time"' in r.content
            assert b"did not arrive within 2 s" in r.content
            assert s.recv(10) == b"", "the connection must be closed after a 408"
    finally:
        for s in stalled:
            s.close()


def test_a_trickling_body_is_cut_at_the_deadline(impatient: Served) -> None:
    """A byte a second keeps each read short: the deadline is for the whole body."""
    s = _stall(impatient.port, announced=100, sent=b"<")
    started = time.monotonic()
    try:
        s.settimeout(0.9)
        while True:
            try:
                data = s.recv(65536)
                break
            except TimeoutError:
                s.sendall(b"x")
        elapsed = time.monotonic() - started
        assert data.startswith(b"HTTP/1.1 408"), data[:200]
        assert elapsed < 10, elapsed
    finally:
        s.close()


def test_a_body_shorter_than_announced_is_never_processed(impatient: Served) -> None:
    before = journal_size(impatient)
    valid = put_sak("<n:saTittel>Half a request</n:saTittel>")
    s = _stall(impatient.port, announced=len(valid) + 100, sent=valid)  # complete XML, but short
    s.shutdown(socket.SHUT_WR)
    try:
        s.settimeout(10)
        answer = s.recv(65536)
    finally:
        s.close()
    # Nothing (the client half-closed), or the fault that says the body was not processed.
    assert answer == b"" or (
        answer.startswith(b"HTTP/1.1 500") and b"ended before its Content-Length" in answer
    ), answer[:300]
    time.sleep(0.2)
    assert journal_size(impatient) == before, "a short body reached the archive"
    state = impatient.http.get(f"{impatient.base_url}/__admin/state", timeout=5).json()
    found = impatient.http.post(
        impatient.url,
        data=envelope(
            "<n:GetNoarksakRequest><n:searchCriteria><n:fieldName>saTittel</n:fieldName>"
            "<n:fieldValue>Half a request</n:fieldValue></n:searchCriteria></n:GetNoarksakRequest>"
        ),
        headers=XML,
        timeout=5,
    )
    assert "<tns:noarksak>" not in found.text, (state, found.text[:300])


def test_namespace_floods_do_not_stall_the_server(served: Served) -> None:
    """Two requests of a few MiB of declarations each (it took a 2-worker server over a minute
    to answer anything): refused as they are parsed, while /isalive keeps answering."""
    flood = envelope("<n:GetNoarksakRequest/>", env_attrs=decls(150_000))
    answers: list[int] = []
    threads = [
        threading.Thread(
            target=lambda: answers.append(
                requests.post(served.url, data=flood, headers=XML, timeout=60).status_code
            )
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for _ in range(5):
        assert served.http.get(f"{served.base_url}/isalive", timeout=5).status_code == 200
    for t in threads:
        t.join(60)
    assert answers == [500, 500]


# ---------------------------------------------------------------------------- fuzzing

OPERATIONS = {
    op: cls
    for op, cls in {
        "PutNoarksak": m.PutNoarksakRequest,
        "GetNoarksak": m.GetNoarksakRequest,
        "PutJournpost": m.PutJournpostRequest,
        "GetJournpost": m.GetJournpostRequest,
    }.items()
}
HOSTILE_TEXT = st.sampled_from(
    [
        "10000-01-01",
        "-0001-12-31",
        "0000-01-01",
        "9" * 30,
        "9" * 5000,
        "-" + "9" * 25,
        str(2**63),
        "1e999",
        "",
        " ",
        "\u202e",
        "&lt;x/&gt;",
        "'; DROP TABLE n4_sak; --",
        "%" * 50,
        "x" * 10_000,
        "\u0390" * 9_000,
    ]
)


def _serialise(obj: Any) -> bytes:
    env = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"s": SOAP, "t": NS})
    body = etree.SubElement(env, f"{{{SOAP}}}Body")
    codec.to_element(obj, body, f"{{{NS}}}{type(obj).get_type_name()}")
    out: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
    return out


@st.composite
def mutated_requests(draw: st.DrawFn) -> bytes:
    """A valid request of some operation, then a few element-level mutations of it."""
    op = draw(st.sampled_from(sorted(OPERATIONS)))
    root = etree.fromstring(_serialise(draw(instances(OPERATIONS[op]))))
    for _ in range(draw(st.integers(1, 4))):
        elements = list(root.iter())
        el = draw(st.sampled_from(elements))
        kind = draw(st.sampled_from(["text", "text", "drop", "duplicate", "attr", "ns", "rename"]))
        parent = el.getparent()
        if kind == "text":
            el.text = draw(HOSTILE_TEXT | st.text(max_size=30).filter(_xml_chars))
        elif kind == "drop" and parent is not None:
            parent.remove(el)
        elif kind == "duplicate" and parent is not None:
            for _ in range(draw(st.integers(1, 300))):
                parent.append(etree.fromstring(etree.tostring(el)))
        elif kind == "attr":
            el.set(
                draw(st.sampled_from(["a", "type", f"{{{NS}}}x", f"{{{SOAP}}}mustUnderstand"])), "1"
            )
        elif kind == "ns":
            el.set(f"{{urn:tpn:fuzz{draw(st.integers(0, 99))}}}x", "y")
        else:
            namespace = draw(st.sampled_from([NS, SOAP, "urn:other"]))
            el.tag = f"{{{namespace}}}{draw(st.sampled_from(['saId', 'Body', 'x', 'noarksak']))}"
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def _xml_chars(text: str) -> bool:
    return all(
        ch in "\t\n\r" or 0x20 <= ord(ch) <= 0xD7FF or 0xE000 <= ord(ch) <= 0xFFFD for ch in text
    )


@pytest.fixture(scope="module")
def fuzzed(served: Served) -> Iterator[Served]:
    pids = sorted(served.workers_pids())
    yield served
    # No worker died (and was replaced) while the fuzz ran.
    assert sorted(served.workers_pids()) == pids


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=mutated_requests())
def test_fuzzed_requests_never_get_a_server_fault(fuzzed: Served, body: bytes) -> None:
    r = fuzzed.http.post(fuzzed.url, data=body, headers=XML, timeout=30)
    assert r.status_code in (200, 500), r.text[:300]
    assert r.headers["Content-Type"].startswith("text/xml"), r.headers
    root = etree.fromstring(r.content, SAFE)  # well-formed XML, or this raises
    assert root.tag == f"{{{SOAP}}}Envelope"
    code = root.findtext(".//faultcode")
    assert code != "soap:Server", r.text[:800]
    assert (code is not None) == (r.status_code == 500)
    assert not LEAKS.search(r.text), r.text[:800]


def test_the_corpus_covers_every_class_the_issue_names() -> None:
    """A guard against a corpus that shrinks: each class keeps at least one case."""
    names = " ".join(c.name for c in CASES)
    for word in (
        "namespace",
        "attributes",
        "name longer",
        "year 9999",
        "4,300 digits",
        "criteria",
        "echoed",
        "LIKE",
        "Content-Length",
        "frozen",
        "nested",
        "200 MB",
        "limit=-1",
        "superscript",
        "time zone",
        "like namespaces",
        "digits",
    ):
        assert word in names, word


def test_the_clock_range_holds_in_the_store(tmp_path: Path) -> None:
    """A clock stored before the range was checked (or written straight into the store) never
    makes "now" fail: the archive keeps writing, in the last year it can hold."""
    from tpn.mocks.core.config import MockConfig
    from tpn.mocks.core.settings import settings_table
    from tpn.mocks.noark4ws import build_archive

    parts = build_archive(MockConfig(db=f"sqlite:///{tmp_path / 'c.db'}"))
    with parts.store.write() as conn:
        conn.execute(
            settings_table.insert(),
            {
                "key": "clock",
                "value": json.dumps({"at": 253402300790.0, "frozen": False, "set_at": 0}),
            },
        )
    assert parts.clock.now().year == 9999
    answer = parts.archive.handle(
        "PutNoarksak", m.PutNoarksakRequest(noarksak=m.NoarksakType(saTittel="Late"))
    )
    assert answer.status.type == "OK" and answer.noarksak.saSaar == 9999


def test_bodies_in_flight_are_bounded_per_worker(tmp_path: Path) -> None:
    """Each body is held whole while it arrives: past the worker's budget, the next one is
    answered 503 at once instead of held (they would otherwise hold 32 MiB each)."""
    server = Served(tmp_path / "a.db", workers=1, extra=("--body-timeout", "5"))
    server.start()
    stalled: list[socket.socket] = []
    try:
        big = LIMITS.max_body_bytes - 1
        stalled = [_stall(server.port, announced=big, sent=b"<") for _ in range(BODY_BUDGET // big)]
        time.sleep(0.3)
        extra = _stall(server.port, announced=big, sent=b"<")
        answer = _parse_response(_read_response(extra))
        extra.close()
        assert answer.status_code == 503, answer.content[:300]
        assert answer.headers["retry-after"] == "1"
        assert b'rule="limit.busy"' in answer.content
        # Small requests still get through: the budget is for bodies, not for everyone.
        assert server.http.get(f"{server.base_url}/isalive", timeout=2).status_code == 200
        r = server.http.post(
            server.url, data=put_sak("<n:saTittel>t</n:saTittel>"), headers=XML, timeout=2
        )
        assert r.status_code == 200, r.text[:300]
    finally:
        for s in stalled:
            s.close()
        assert server.stop() == []


def test_no_body_is_read_without_credentials(tmp_path: Path) -> None:
    """With --auth, a request without credentials is answered 401 on its headers: its body,
    announced at the limit, is never waited for."""
    auth = tmp_path / "auth"
    auth.write_text("arkiv:hemmelig\n", encoding="utf-8")
    server = Served(tmp_path / "a.db", workers=1, extra=("--auth-file", str(auth)))
    server.start()
    try:
        s = _stall(server.port, announced=LIMITS.max_body_bytes, sent=b"<")
        s.settimeout(5)
        answer = _parse_response(_read_response(s))
        s.close()
        assert answer.status_code == 401, answer.content[:300]
        assert "Basic" in answer.headers["www-authenticate"]
    finally:
        assert server.stop() == []


def test_a_failure_on_the_admin_side_reaches_the_test() -> None:
    """The admin side answers its own failures as JSON, and the test hears of them."""
    from tpn.mocks.core.server import ServerError
    from tpn.mocks.noark4ws import ArchiveMock

    archive = ArchiveMock()
    archive.start()

    def broken() -> dict[str, Any]:
        raise ZeroDivisionError("admin bug")

    archive.parts.archive.counts = broken  # type: ignore[method-assign]
    archive.parts.app.admin._state = broken
    r = requests.get(f"{archive.base_url}/__admin/state", timeout=10)
    assert r.status_code == 500 and re.fullmatch(
        r"internal error \(incident [0-9a-f]{8}\); the server's log has it", r.json()["error"]
    )
    with pytest.raises(ServerError, match="admin bug"):
        archive.stop()


def _chunked(port: int, path: str, body: bytes, content_type: str) -> requests.Response:
    chunks = b"".join(
        b"%x\r\n" % len(body[i : i + 4096]) + body[i : i + 4096] + b"\r\n"
        for i in range(0, len(body), 4096)
    )
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(
            f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n".encode()
            + b"Transfer-Encoding: chunked\r\n\r\n"
            + chunks
            + b"0\r\n\r\n"
        )
        return _parse_response(_read_response(s))


def test_chunked_bodies_are_read_within_the_routes_limit(impatient: Served) -> None:
    clock = json.dumps({"now": "2026-12-31T23:59:00", "frozen": True}).encode()
    ok = _chunked(impatient.port, "/__admin/clock", clock, "application/json")
    assert ok.status_code == 200, ok.content[:300]
    impatient.http.delete(f"{impatient.base_url}/__admin/clock", timeout=5)
    big = _chunked(impatient.port, "/__admin/clock", b" " * (70 * 1024) + clock, "application/json")
    assert big.status_code == 413, big.content[:300]
    assert "is over the limit of 65536 bytes" in big.json()["error"]
