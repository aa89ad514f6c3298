"""Hostile input to the security portal (issue 10).

A corpus of what a hostile or broken client sends to the portal's routes (``/sso``, ``/login``,
``/slo``, ``/artifact``, the admin route that registers SPs): each case is refused with a clear
4xx in the route's own form (an HTML page, a JSON error, a SOAP 1.1 fault on ``/artifact``), and
afterwards the portal still serves its metadata, still logs a persona in end to end, and still
holds the SP registered at the start. Then the rules one at a time (freshness by the test clock,
replay across workers, the bounded replay table, pages that only ever send a browser to an http(s)
URL, ``tpn sp register``), and a fuzz test that sends mutated ArtifactResolve requests.

Cases go to the server's WSGI application in-process (as the server hands it a request:
deterministic, even for a body the portal refuses unread); the checks that the portal still works
go over HTTP to the running server.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import io
import json
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import func, select, update

from tpn.fixtures import population
from tpn.harness.cli import main
from tpn.mocks.core.store import Store
from tpn.mocks.saml import keys, messages, metadata, ns, redirect
from tpn.mocks.sikkerhetsportal import tables
from tpn.mocks.sikkerhetsportal.mock import PortalMock
from tpn.mocks.sikkerhetsportal.portal import PREFIX, Portal
from tpn.mocks.sikkerhetsportal.web import PortalApp

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SP = "https://trusted.example/"  # registered first; every case must leave it registered
ACS = "https://trusted.example/acs"
SLO = "https://trusted.example/slo"
HOSTILE = "https://hostile.example/"  # entityIDs of metadata that must be refused
ADULT = next(p for p in population.personas() if p.born.year < 1990).foedselsnummer
# What no answer may carry: a traceback, SQL, a file path of the server.
LEAKS = (b"Traceback", b'File "', b"SELECT ", b"INSERT ", b"site-packages", b"/work/")


# ---------------------------------------------------------------- requests and answers


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # from the server's root, e.g. /sikkerhetsportal/sso
    query: str = ""
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")


class World:
    """The served portal with one registered SP: what the cases are built from and sent to."""

    def __init__(self, served: PortalMock, key: keys.SigningKey) -> None:
        self.served = served
        self.key = key
        self.host = f"{served.host}:{served.port}"
        self.base = f"{served.base_url}{PREFIX}"

    def now(self) -> dt.datetime:
        return self.served.parts.portal.now()

    def wsgi(self, request: Request) -> Answer:
        """``request`` handed to the server's application as the server would hand it."""
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "PATH_INFO": request.path,
            "QUERY_STRING": request.query,
            "SERVER_NAME": self.served.host,
            "SERVER_PORT": str(self.served.port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": self.host,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(request.body),
            "wsgi.errors": sys.stderr,
        }
        if request.method in ("POST", "PUT") or request.body:
            environ["CONTENT_LENGTH"] = str(len(request.body))
        for name, value in request.headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
        seen: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
            seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

        body = b"".join(self.served.parts.app(environ, start_response))
        return Answer(seen["status"], seen["headers"], body)

    def http(self, request: Request) -> Answer:
        """``request`` over HTTP to the running server."""
        connection = http.client.HTTPConnection(self.served.host, self.served.port, timeout=10)
        try:
            target = request.path + (f"?{request.query}" if request.query else "")
            connection.request(request.method, target, request.body or None, request.headers)
            response = connection.getresponse()
            return Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    # -- what the cases are made of

    def authn(
        self,
        *,
        issued: dt.datetime | None = None,
        request_id: str | None = None,
        issuer: str = SP,
    ) -> bytes:
        return messages.authn_request(
            issuer=issuer,
            destination=f"{self.base}/sso",
            acs_url=ACS,
            now=issued or self.now(),
            request_id=request_id,
        )

    def sso(self, xml: bytes | None = None, *, login: bool = False, **query: str) -> Request:
        signed = redirect.encode(xml or self.authn(), relay_state="/side", key=self.key)
        shortcut = f"&tpn-persona={ADULT}&tpn-method=Minid-PIN" if login else ""
        extra = "".join(f"&{k}={v}" for k, v in query.items())
        return Request("GET", f"{PREFIX}/sso", signed + shortcut + extra)

    def resolve(self, handle: str, *, key: keys.SigningKey | None = None) -> bytes:
        request = etree.Element(
            f"{{{ns.SAMLP}}}ArtifactResolve", nsmap={"samlp": ns.SAMLP, "saml": ns.SAML}
        )
        request.set("ID", messages.new_id())
        request.set("Version", "2.0")
        request.set("IssueInstant", messages.instant(self.now()))
        etree.SubElement(request, f"{{{ns.SAML}}}Issuer").text = SP
        etree.SubElement(request, f"{{{ns.SAMLP}}}Artifact").text = handle
        body = messages.sign(request, key or self.key)
        envelope = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soap": SOAP11})
        etree.SubElement(envelope, f"{{{SOAP11}}}Body").append(body)
        return etree.tostring(envelope)

    # -- the portal still works

    def logs_in(self) -> None:
        """A whole login over HTTP: SSO with the test shortcut, then the artifact resolved."""
        answer = self.http(self.sso(login=True))
        assert answer.status == 302, answer.body[:500]
        location = answer.headers["Location"]
        assert location.startswith(f"{ACS}?SAMLart="), location
        handle = parse_qs(urlsplit(location).query)["SAMLart"][0]
        resolved = self.http(
            Request(
                "POST",
                f"{PREFIX}/artifact",
                body=self.resolve(handle),
                headers={"Content-Type": "text/xml; charset=utf-8"},
            )
        )
        assert resolved.status == 200, resolved.body[:500]
        assertion = etree.fromstring(resolved.body).find(f".//{{{ns.SAML}}}Assertion")
        assert assertion is not None, resolved.body[:500]

    def registered(self) -> list[str]:
        answer = self.http(Request("GET", "/__admin/sikkerhetsportal/sp"))
        assert answer.status == 200
        providers: list[str] = json.loads(answer.body)["providers"]
        return providers

    def still_serves(self) -> None:
        metadata_page = self.http(Request("GET", f"{PREFIX}/metadata"))
        assert metadata_page.status == 200 and b"IDPSSODescriptor" in metadata_page.body
        self.logs_in()
        providers = self.registered()
        assert SP in providers
        assert not [p for p in providers if p.startswith(HOSTILE)], providers


@pytest.fixture(scope="module")
def served() -> Iterator[PortalMock]:
    with PortalMock() as mock:
        yield mock


@pytest.fixture(scope="module")
def world(served: PortalMock) -> World:
    found = World(served, keys.generate("trusted.example"))
    answer = found.http(
        Request(
            "POST",
            "/__admin/sikkerhetsportal/sp",
            body=metadata.sp(SP, ACS, SLO, found.key),
            headers={"Content-Type": "application/samlmetadata+xml"},
        )
    )
    assert answer.status == 200, answer.body
    return found


# ---------------------------------------------------------------- hostile metadata


def sp_metadata(
    name: str,
    key: keys.SigningKey,
    *,
    acs: str = "https://hostile.example/acs",
    acs_response: str | None = None,
    slo: str = "https://hostile.example/slo",
    slo_response: str | None = None,
    entity_id: str | None = None,
) -> bytes:
    """SP metadata with the given endpoints, set as attribute values (so that a tab or a newline
    reaches the portal as one: lxml writes it as a character reference)."""
    md = f"{{{ns.MD}}}"
    root = etree.fromstring(metadata.sp(entity_id or f"{HOSTILE}{name}", acs, slo, key))
    found_acs = root.find(f".//{md}AssertionConsumerService")
    found_slo = root.find(f".//{md}SingleLogoutService")
    assert found_acs is not None and found_slo is not None
    found_acs.set("Location", acs)
    found_slo.set("Location", slo)
    if acs_response is not None:
        found_acs.set("ResponseLocation", acs_response)
    if slo_response is not None:
        found_slo.set("ResponseLocation", slo_response)
    return etree.tostring(root)


HOSTILE_KEY = keys.generate("hostile.example")

# Locations that would run script in the portal's origin, or send the browser somewhere the
# portal cannot vouch for: each refused wherever an SP's metadata names an endpoint.
BAD_LOCATIONS = {
    "javascript": "javascript:alert(document.domain)",
    "javascript-upper": "JAVASCRIPT:alert(1)",
    "javascript-leading-space": " javascript:alert(1)",
    "javascript-tab": "java\tscript:alert(1)",
    "javascript-newline": "java\nscript:alert(1)",
    "javascript-nbsp": "\u00a0javascript:alert(1)",
    "data": "data:text/html,<script>alert(1)</script>",
    "vbscript": "vbscript:msgbox(1)",
    "file": "file:///etc/passwd",
    "ftp": "ftp://hostile.example/acs",
    "relative": "/acs",
    "scheme-relative": "//hostile.example/acs",
    "empty": "",
    "no-host": "https:///acs",
    "space-inside": "https://hostile.example/a cs",
    "backslash-host": "https:\\\\hostile.example\\acs",
    "bad-port": "https://hostile.example:99999/acs",
}
ENDPOINTS = {
    "acs": ("acs", "md:AssertionConsumerService Location"),
    "acs-response": ("acs_response", "md:AssertionConsumerService ResponseLocation"),
    "slo": ("slo", "md:SingleLogoutService Location"),
    "slo-response": ("slo_response", "md:SingleLogoutService ResponseLocation"),
}


def register(xml: bytes, **headers: str) -> Callable[[World], Request]:
    return lambda w: Request(
        "POST",
        "/__admin/sikkerhetsportal/sp",
        body=xml,
        headers={"Content-Type": "application/samlmetadata+xml", **headers},
    )


# ---------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Case:
    name: str
    request: Callable[[World], Request]  # may send a request of its own first (a replay)
    status: int
    content_type: str  # the answer's media type
    message: str  # a fragment of the error the answer must carry


HTML, JSON, XML = "text/html", "application/json", "text/xml"


def _replayed(w: World) -> Request:
    first = w.sso(login=True)
    assert w.wsgi(first).status == 302
    return first


def _artifact(
    body: bytes, content_type: str = "text/xml; charset=utf-8"
) -> Callable[[World], Request]:
    headers = {"Content-Type": content_type} if content_type else {}
    return lambda w: Request("POST", f"{PREFIX}/artifact", body=body, headers=headers)


def _envelope(inner: str, *, namespace: str = SOAP11) -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{namespace}" xmlns:samlp="{ns.SAMLP}" '
        f'xmlns:saml="{ns.SAML}"><soap:Body>{inner}</soap:Body></soap:Envelope>'
    ).encode()


_RESOLVE = '<samlp:ArtifactResolve ID="_r" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">'
_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b"<lolz>&lol2;</lolz>"
)


# After a syntax error libxml2 may name an element "samlp:Aap:Body", which lxml cannot split: the
# hostile-XML guard raised ValueError naming it (a soap:Server fault on the archive's endpoint).
_UNREADABLE_NAME = b'<x xmlns:samlp="urn:x">' + b"<samlp:Aap:Body>" * 40


def _long_logout_id(w: World) -> bytes:
    logout = messages.logout_request(
        issuer=SP, destination=f"{w.base}/slo", name_id="_n", session_index="_s", now=w.now()
    )
    root = etree.fromstring(logout)
    root.set("ID", "_" + "9" * 300)
    return etree.tostring(root)


def _tampered(w: World) -> Request:
    signed = w.resolve("AAQAAA==")
    return _artifact(signed.replace(b"AAQAAA==", b"AAQAAB=="))(w)


def _instant(xml: bytes, text: str) -> bytes:
    root = etree.fromstring(xml)
    root.set("IssueInstant", text)
    return etree.tostring(root)


def _inflating(size: int) -> str:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = compressor.compress(b"<" + b"a" * size) + compressor.flush()
    return quote(base64.b64encode(raw).decode("ascii"), safe="")


CASES: list[Case] = [
    # -- registration: endpoints the portal would send a browser to
    *[
        Case(
            f"register-{where}-{what}",
            register(sp_metadata(f"{where}-{what}", HOSTILE_KEY, **{argument: location})),
            400,
            JSON,
            named,
        )
        for what, location in BAD_LOCATIONS.items()
        for where, (argument, named) in ENDPOINTS.items()
    ],
    Case(
        "register-entity-id-too-long",
        register(sp_metadata("long", HOSTILE_KEY, entity_id=HOSTILE + "a" * 1100)),
        400,
        JSON,
        "longer than 1024 characters",
    ),
    Case(
        "register-body-too-big",
        register(b"<x>" + b"a" * (300 * 1024) + b"</x>"),
        413,
        JSON,
        "262144 bytes",
    ),
    Case(
        "register-content-length-absurd",
        lambda w: Request(
            "POST", "/__admin/sikkerhetsportal/sp", headers={"Content-Length": "9" * 40}
        ),
        413,
        JSON,
        "262144 bytes",
    ),
    Case(
        "register-content-length-not-a-number",
        lambda w: Request(
            "POST", "/__admin/sikkerhetsportal/sp", body=b"<x/>", headers={"Content-Length": "4x"}
        ),
        400,
        JSON,
        "Content-Length",
    ),
    Case("register-dtd", register(_LAUGHS), 400, JSON, "DTD"),
    Case("register-unreadable-name", register(_UNREADABLE_NAME), 400, JSON, "nests deeper than 16"),
    Case("register-not-xml", register(b"\xff\xfe\x00\xc3("), 400, JSON, "not well-formed"),
    Case("register-empty", register(b""), 400, JSON, "metadata"),
    # -- SSO: an AuthnRequest too old, too far ahead, replayed, or absurd
    Case(
        "sso-too-old",
        lambda w: w.sso(w.authn(issued=w.now() - dt.timedelta(minutes=11)), login=True),
        400,
        HTML,
        "before the portal&#39;s time",
    ),
    Case(
        "sso-too-far-ahead",
        lambda w: w.sso(w.authn(issued=w.now() + dt.timedelta(minutes=5)), login=True),
        400,
        HTML,
        "after the portal&#39;s time",
    ),
    Case(
        "sso-year-1",
        lambda w: w.sso(_instant(w.authn(), "0001-01-01T00:00:00+01:00"), login=True),
        400,
        HTML,
        "IssueInstant",
    ),
    Case(
        "sso-year-9999",
        lambda w: w.sso(_instant(w.authn(), "9999-12-31T23:59:59-12:00"), login=True),
        400,
        HTML,
        "IssueInstant",
    ),
    Case("sso-replayed", _replayed, 400, HTML, "was seen before"),
    Case(
        "sso-unreadable-name",
        lambda w: Request("GET", f"{PREFIX}/sso", redirect.encode(_UNREADABLE_NAME, key=w.key)),
        400,
        HTML,
        "nests deeper than 16",
    ),
    Case(
        "sso-unsigned",
        lambda w: Request("GET", f"{PREFIX}/sso", redirect.encode(w.authn())),
        400,
        HTML,
        "not signed",
    ),
    Case(
        "sso-id-too-long",
        lambda w: w.sso(w.authn(request_id="_" + "a" * 300), login=True),
        400,
        HTML,
        "longer than 256 characters",
    ),
    Case(
        "sso-issuer-huge",
        lambda w: w.sso(w.authn(issuer="https://x.example/" + "a" * 20_000)),
        400,
        HTML,
        "is not a registered service provider",
    ),
    Case(
        "sso-parameter-twice",
        lambda w: Request("GET", f"{PREFIX}/sso", w.sso().query + "&SAMLRequest=x"),
        400,
        HTML,
        "names SAMLRequest twice",
    ),
    Case(
        "sso-inflation-bomb",
        lambda w: Request("GET", f"{PREFIX}/sso", f"SAMLRequest={_inflating(10_000_000)}"),
        400,
        HTML,
        "inflates to more than",
    ),
    Case(
        "sso-persona-absurd",
        lambda w: Request("GET", f"{PREFIX}/sso", w.sso().query + "&tpn-persona=" + "9" * 5000),
        400,
        HTML,
        "is not a fødselsnummer",
    ),
    Case(
        "sso-method-absurd",
        lambda w: Request(
            "GET", f"{PREFIX}/sso", w.sso().query + f"&tpn-persona={ADULT}&tpn-method=" + "x" * 5000
        ),
        400,
        HTML,
        "is not one of",
    ),
    Case(
        "sso-host-header",
        lambda w: Request("GET", f"{PREFIX}/sso", w.sso().query, headers={"Host": 'a"><b>x'}),
        400,
        HTML,
        "Host",
    ),
    Case(
        "sso-post",
        lambda w: Request("POST", f"{PREFIX}/sso", w.sso().query),
        405,
        HTML,
        "GET",
    ),
    Case("no-such-page", lambda w: Request("GET", f"{PREFIX}/" + "x" * 5000), 404, HTML, "no page"),
    # -- the login form
    Case(
        "login-body-too-big",
        lambda w: Request("POST", f"{PREFIX}/login", body=b"request=" + b"a" * 70_000),
        413,
        HTML,
        "65536 bytes",
    ),
    Case(
        "login-content-length-absurd",
        lambda w: Request("POST", f"{PREFIX}/login", headers={"Content-Length": "1" + "0" * 30}),
        413,
        HTML,
        "65536 bytes",
    ),
    Case(
        "login-content-length-negative",
        lambda w: Request("POST", f"{PREFIX}/login", headers={"Content-Length": "-1"}),
        400,
        HTML,
        "Content-Length",
    ),
    Case(
        "login-not-utf8",
        lambda w: Request("POST", f"{PREFIX}/login", body=b"request=\xff\xfe"),
        400,
        HTML,
        "not UTF-8",
    ),
    Case(
        "login-request-twice",
        lambda w: Request("POST", f"{PREFIX}/login", body=b"request=_a&request=_b"),
        400,
        HTML,
        "needs one request",
    ),
    Case(
        "login-many-fields",
        lambda w: Request("POST", f"{PREFIX}/login", body=b"&".join([b"a=1"] * 5000)),
        400,
        HTML,
        "more than 16 fields",
    ),
    Case(
        "login-unknown-request-huge",
        lambda w: Request("POST", f"{PREFIX}/login", body=b"request=" + b"x" * 20_000),
        400,
        HTML,
        "no login under way",
    ),
    Case(
        "login-multipart",
        lambda w: Request(
            "POST",
            f"{PREFIX}/login",
            body=b"--b\r\n\r\n",
            headers={"Content-Type": "multipart/form-data; boundary=b"},
        ),
        415,
        HTML,
        "application/x-www-form-urlencoded",
    ),
    # GET /login is the persona search: it needs the login under way, and bounds the search.
    Case("login-get", lambda w: Request("GET", f"{PREFIX}/login"), 400, HTML, "login under way"),
    Case(
        "login-search-unknown-request",
        lambda w: Request("GET", f"{PREFIX}/login", "request=" + "x" * 5000 + "&q=a"),
        400,
        HTML,
        "no login under way",
    ),
    Case(
        "login-put",
        lambda w: Request("PUT", f"{PREFIX}/login"),
        405,
        HTML,
        "takes GET, POST",
    ),
    # -- single logout
    Case("slo-empty", lambda w: Request("GET", f"{PREFIX}/slo"), 400, HTML, "no SAMLRequest"),
    Case(
        "slo-parameter-twice",
        lambda w: Request("GET", f"{PREFIX}/slo", "RelayState=a&RelayState=b&SAMLRequest=x"),
        400,
        HTML,
        "names RelayState twice",
    ),
    Case(
        "slo-id-too-long",
        lambda w: Request("GET", f"{PREFIX}/slo", redirect.encode(_long_logout_id(w), key=w.key)),
        400,
        HTML,
        "longer than 256 characters",
    ),
    Case(
        "slo-unknown-chain",
        lambda w: Request(
            "GET",
            f"{PREFIX}/slo",
            redirect.encode(
                messages.logout_response(
                    issuer=SP, destination=f"{w.base}/slo", in_response_to="_x", now=w.now()
                ),
                parameter="SAMLResponse",
                relay_state="x" * 3000,
                key=w.key,
            ),
        ),
        400,
        HTML,
        "no logout under way",
    ),
    # -- artifact resolution: every error a SOAP 1.1 fault
    Case("artifact-get", lambda w: Request("GET", f"{PREFIX}/artifact"), 405, XML, "by POST"),
    Case("artifact-put", lambda w: Request("PUT", f"{PREFIX}/artifact"), 405, XML, "by POST"),
    Case(
        "artifact-json",
        _artifact(b"{}", "application/json"),
        500,
        XML,
        "is not SOAP 1.1's text/xml",
    ),
    Case(
        "artifact-no-content-type",  # let through to the XML checks, which judge the body
        _artifact(_envelope(_RESOLVE + "</samlp:ArtifactResolve>"), ""),
        500,
        XML,
        "has no samlp:Artifact",
    ),
    Case(
        "artifact-content-type-huge",
        _artifact(_envelope(""), "text/html; x=" + "y" * 5000),
        500,
        XML,
        "is not SOAP 1.1's text/xml",
    ),
    Case(
        "artifact-soap12-content-type",
        _artifact(_envelope(""), "application/soap+xml"),
        500,
        XML,
        "SOAP 1.2",
    ),
    Case(
        "artifact-soap12-envelope",
        _artifact(
            _envelope(
                _RESOLVE + "</samlp:ArtifactResolve>",
                namespace="http://www.w3.org/2003/05/soap-envelope",
            )
        ),
        500,
        XML,
        "SOAP 1.2",
    ),
    Case("artifact-empty", _artifact(b""), 500, XML, "empty"),
    Case(
        "artifact-too-big-announced",
        lambda w: Request(
            "POST",
            f"{PREFIX}/artifact",
            headers={"Content-Type": "text/xml", "Content-Length": str(10**9)},
        ),
        413,
        XML,
        "65536 bytes",
    ),
    Case(
        "artifact-too-big-sent",
        _artifact(_envelope("<x>" + "a" * 70_000 + "</x>")),
        413,
        XML,
        "65536 bytes",
    ),
    Case(
        "artifact-content-length-not-a-number",
        lambda w: Request(
            "POST",
            f"{PREFIX}/artifact",
            body=b"<x/>",
            headers={"Content-Type": "text/xml", "Content-Length": "four"},
        ),
        400,
        XML,
        "Content-Length",
    ),
    Case("artifact-not-xml", _artifact(b"hello"), 500, XML, "not well-formed"),
    Case(
        "artifact-not-utf8",
        _artifact(
            _envelope(_RESOLVE + "<samlp:Artifact>\xff</samlp:Artifact>").replace(
                "\xff".encode(), b"\xff"
            )
        ),
        500,
        XML,
        "not well-formed",
    ),
    Case(
        "artifact-external-entity",
        _artifact(
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + _envelope("<x>&e;</x>")
        ),
        500,
        XML,
        "DTD",
    ),
    Case("artifact-billion-laughs", _artifact(_LAUGHS), 500, XML, "DTD"),
    Case("artifact-unreadable-name", _artifact(_UNREADABLE_NAME), 500, XML, "nests deeper than 16"),
    Case("artifact-wrong-root", _artifact(b"<foo/>"), 500, XML, "Envelope"),
    Case(
        "artifact-wrong-operation",
        _artifact(_envelope('<samlp:AuthnRequest ID="_a"/>')),
        500,
        XML,
        "samlp:ArtifactResolve",
    ),
    Case(
        "artifact-two-operations",
        _artifact(_envelope("<a/><b/>")),
        500,
        XML,
        "exactly one",
    ),
    Case(
        "artifact-no-artifact",
        _artifact(_envelope(_RESOLVE + "</samlp:ArtifactResolve>")),
        500,
        XML,
        "samlp:Artifact",
    ),
    Case(
        "artifact-deep",
        _artifact(_envelope("<a>" * 200 + "</a>" * 200)),
        500,
        XML,
        "deeper",
    ),
    Case(
        "artifact-many-elements",
        _artifact(_envelope(_RESOLVE + "<a/>" * 500 + "</samlp:ArtifactResolve>")),
        500,
        XML,
        "more than",
    ),
    Case(
        "artifact-trailing-slash",
        lambda w: Request(
            "POST", f"{PREFIX}/artifact/", body=b"junk", headers={"Content-Type": "text/xml"}
        ),
        500,
        XML,
        "not well-formed",
    ),
    # A signature that does not verify is a SAML refusal inside a well-formed SOAP answer (SAML
    # Bindings §3.2.3.3: SAML errors are SAML responses, SOAP faults are for SOAP processing).
    Case("artifact-bad-signature", _tampered, 200, XML, "RequestDenied"),
]


def _check_answer(case: Case, answer: Answer) -> None:
    assert answer.status == case.status, (answer.status, answer.body[:800])
    media = answer.content_type.split(";")[0].strip()
    assert media == case.content_type, answer.content_type
    assert case.message.encode() in answer.body, answer.body[:800]
    for leak in LEAKS:
        assert leak not in answer.body, (leak, answer.body[:800])
    # Echoed input is cut short: no error answer grows with what was sent.
    assert len(answer.body) < 4096, len(answer.body)
    if media == JSON:
        assert "error" in json.loads(answer.body)
    if media == XML:
        root = etree.fromstring(answer.body, etree.XMLParser(resolve_entities=False))
        assert root.tag == f"{{{SOAP11}}}Envelope"
        code = root.findtext(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault/faultcode")
        if answer.status != 200:
            assert code in ("soap:Client", "soap:VersionMismatch"), answer.body[:800]
        else:
            assert code is None


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_is_refused_and_the_portal_carries_on(world: World, case: Case) -> None:
    answer = world.wsgi(case.request(world))
    world.served.check()  # nothing failed inside the server
    _check_answer(case, answer)
    if answer.status in (302, 303):
        raise AssertionError(f"a refused request must not redirect: {answer.headers}")
    world.still_serves()


def test_the_corpus_names_are_unique() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))


# ---------------------------------------------------------------- the rules, one at a time


def test_a_cookie_header_costs_linear_time(world: World) -> None:
    """http.cookies before Python 3.11.10 unquotes backslashes in quadratic time (CVE-2024-7592):
    a 60 KB Cookie header took seconds of a worker's time on every request."""
    cookie = 'tpn_sso="' + '\\"' * 30_000 + '"; other=1'
    started = time.perf_counter()
    answer = world.wsgi(
        Request("GET", f"{PREFIX}/sso", world.sso().query, headers={"Cookie": cookie})
    )
    elapsed = time.perf_counter() - started
    assert answer.status == 200 and b"Innloggingsmetode" in answer.body  # no SSO session
    assert elapsed < 0.5, elapsed
    world.still_serves()


def test_a_javascript_acs_is_refused_with_the_endpoint_and_the_rule(world: World) -> None:
    xml = sp_metadata("exact", HOSTILE_KEY, acs="javascript:alert(1)")
    answer = world.http(register(xml)(world))
    assert answer.status == 400
    assert json.loads(answer.body) == {
        "error": "the metadata cannot be registered: https://hostile.example/exact: "
        "md:AssertionConsumerService Location 'javascript:alert(1)' is refused: its scheme is "
        "'javascript'; the portal sends browsers to this endpoint, so it must be an absolute "
        "http or https URL"
    }


def test_http_and_https_endpoints_in_any_case_are_accepted() -> None:
    portal = Portal(Store("sqlite://"), "http://portal.test")
    xml = sp_metadata(
        "fine", HOSTILE_KEY, acs="HTTPS://sp.example:8443/acs?x=1", slo_response="http://sp/slo"
    )
    provider = portal.register(xml)
    assert provider.acs[0].location == "HTTPS://sp.example:8443/acs?x=1"
    assert provider.slo[0].response_location == "http://sp/slo"


def test_the_number_of_sps_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from tpn.mocks.sikkerhetsportal import portal as portal_module

    monkeypatch.setattr(portal_module, "MAX_PROVIDERS", 2)
    portal = Portal(Store("sqlite://"), "http://portal.test")
    for name in ("a", "b"):
        portal.register(sp_metadata(name, HOSTILE_KEY))
    with pytest.raises(metadata.MetadataError, match="holds 2 service providers, its limit"):
        portal.register(sp_metadata("c", HOSTILE_KEY))
    portal.register(sp_metadata("b", HOSTILE_KEY))  # re-registering one is no new one
    assert portal.providers() == [f"{HOSTILE}a", f"{HOSTILE}b"]


def test_the_logout_response_goes_to_the_response_location(world: World) -> None:
    """SAML Metadata §2.2.2: responses go to an endpoint's ResponseLocation when it has one."""
    now = [dt.datetime.now(dt.UTC)]
    portal = _portal_at(now)
    xml = sp_metadata(
        "slo", world.key, acs=ACS, slo=SLO, slo_response="https://trusted.example/slo-done"
    )
    entity = portal.register(xml).entity_id
    request = messages.authn_request(
        issuer=entity, destination=portal.sso_url, acs_url=ACS, now=now[0]
    )
    answer = portal.login(portal.check(redirect.encode(request, key=world.key)), ADULT, "BankID")
    assert answer.artifact is not None
    resolved = portal.resolve(answer.artifact, entity)
    assert resolved is not None
    name_id = etree.fromstring(resolved.data).findtext(f".//{{{ns.SAML}}}NameID")
    assert name_id
    logout = messages.logout_request(
        issuer=entity, destination=portal.slo_url, name_id=name_id, session_index="_s", now=now[0]
    )
    target = portal.logout(redirect.encode(logout, key=world.key))
    assert target.startswith("https://trusted.example/slo-done?SAMLResponse=")


def test_the_freshness_window_is_the_portals_clock(world: World) -> None:
    served = world.served
    try:
        # The SP's request is issued by the real clock; the portal's test clock runs 6 minutes on.
        issued = dt.datetime.now(dt.UTC)
        served.set_clock(issued + dt.timedelta(minutes=6), frozen=True)
        page = world.http(world.sso(world.authn(issued=issued), login=True))
        assert page.status == 400 and "Location" not in page.headers
        text = page.body.decode()
        assert f"IssueInstant {messages.instant(issued)}" in text
        assert f"portal&#39;s time {messages.instant(world.now())}" in text
        assert "at most 5 minutes before its time and 1 minute after it" in text
        # Back by 4 minutes: the same moment is now 2 minutes old, and accepted.
        served.set_clock(issued + dt.timedelta(minutes=2), frozen=True)
        assert world.http(world.sso(world.authn(issued=issued), login=True)).status == 302
    finally:
        served.parts.clock.reset()
    world.still_serves()


def _portal_at(moment: list[dt.datetime], store: Store | None = None) -> Portal:
    return Portal(store or Store("sqlite://"), "http://portal.test", now=lambda: moment[0])


def _sso(portal: Portal, key: keys.SigningKey, issued: dt.datetime, request_id: str = "") -> str:
    xml = messages.authn_request(
        issuer=SP,
        destination=portal.sso_url,
        acs_url=ACS,
        now=issued,
        request_id=request_id or messages.new_id(),
    )
    return redirect.encode(xml, key=key)


def _call(app: PortalApp, query: str) -> tuple[int, dict[str, str], bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"{PREFIX}/sso",
        "QUERY_STRING": query,
        "HTTP_HOST": "portal.test",
        "wsgi.input": io.BytesIO(b""),
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (dt.timedelta(minutes=-5), True),
        (dt.timedelta(minutes=-5, seconds=-1), False),
        (dt.timedelta(minutes=1), True),
        (dt.timedelta(minutes=1, seconds=1), False),
        (dt.timedelta(0), True),
    ],
)
def test_the_window_is_five_minutes_back_and_one_ahead(
    world: World, offset: dt.timedelta, accepted: bool
) -> None:
    from tpn.mocks.sikkerhetsportal import freshness

    assert (
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=1),
    ) == (freshness.MAX_AGE, freshness.MAX_AHEAD)
    now = [dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)]
    portal = _portal_at(now)
    portal.register(metadata.sp(SP, ACS, SLO, world.key))
    status, headers, _ = _call(PortalApp(portal), _sso(portal, world.key, now[0] + offset))
    assert (status == 200) is accepted and "Location" not in headers


def test_a_replay_is_refused_by_another_worker_sharing_the_store(
    world: World, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    now = [dt.datetime.now(dt.UTC)]
    first, second = _portal_at(now, Store(url)), _portal_at(now, Store(url))
    first.register(metadata.sp(SP, ACS, SLO, world.key))
    query = _sso(first, world.key, now[0], "_once") + f"&tpn-persona={ADULT}"
    assert _call(PortalApp(first), query)[0] == 302
    status, headers, page = _call(PortalApp(second), query)
    assert status == 400 and "Location" not in headers
    assert "AuthnRequest _once from https://trusted.example/ was seen before" in page.decode()
    # Another SP may use the same ID: it is its own request, not a replay of this one.
    other_key = keys.generate("other.example")
    second.register(metadata.sp("https://other.example/", ACS + "2", SLO, other_key))
    other = messages.authn_request(
        issuer="https://other.example/",
        destination=second.sso_url,
        acs_url=ACS + "2",
        now=now[0],
        request_id="_once",
    )
    assert _call(PortalApp(second), redirect.encode(other, key=other_key))[0] == 200


def _remembered(portal: Portal) -> int:
    with portal.store.read() as conn:
        count: int = conn.execute(
            select(func.count()).select_from(tables.seen_requests)
        ).scalar_one()
    return count


def test_remembered_ids_expire_after_the_window_so_the_table_stays_small(world: World) -> None:
    now = [dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)]
    portal = _portal_at(now)
    portal.register(metadata.sp(SP, ACS, SLO, world.key))
    app = PortalApp(portal)
    for _ in range(5):
        assert _call(app, _sso(portal, world.key, now[0]))[0] == 200
    assert _remembered(portal) == 5
    # Past the window every one of them would be refused as too old: they are forgotten.
    now[0] += dt.timedelta(minutes=5, seconds=1)
    assert _call(app, _sso(portal, world.key, now[0]))[0] == 200
    assert _remembered(portal) == 1


def test_a_full_replay_table_refuses_new_requests_rather_than_forget(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tpn.mocks.sikkerhetsportal import freshness

    monkeypatch.setattr(freshness, "MAX_REMEMBERED", 3)
    now = [dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)]
    portal = _portal_at(now)
    portal.register(metadata.sp(SP, ACS, SLO, world.key))
    app = PortalApp(portal)
    for _ in range(3):
        assert _call(app, _sso(portal, world.key, now[0]))[0] == 200
    status, _, page = _call(app, _sso(portal, world.key, now[0]))
    assert status == 503 and "remembers 3 AuthnRequest IDs" in page.decode()
    assert _remembered(portal) == 3


def test_a_stored_registration_with_a_script_url_never_reaches_a_page(world: World) -> None:
    """Metadata registered before the rule (or written into the store by hand) is refused when
    used: the POST binding's form is only ever rendered with an http(s) action."""
    portal = Portal(Store("sqlite://"), "http://portal.test")
    portal.register(metadata.sp(SP, ACS, SLO, world.key, binding=ns.POST))
    evil = metadata.sp(SP, "javascript:alert(1)", SLO, world.key, binding=ns.POST)
    with portal.store.write() as conn:
        conn.execute(update(tables.providers).values(metadata=evil))
    xml = messages.authn_request(
        issuer=SP, destination=portal.sso_url, acs_url="javascript:alert(1)", binding=ns.POST
    )
    query = redirect.encode(xml, key=world.key) + f"&tpn-persona={ADULT}"
    status, headers, page = _call(PortalApp(portal), query)
    assert status == 400 and "Location" not in headers
    assert b"javascript:" not in page.replace(b"&#39;javascript:alert(1)&#39;", b"")
    assert b"no longer passes the portal&#39;s checks" in page


def test_the_post_form_refuses_an_action_that_is_not_http(world: World) -> None:
    from tpn.mocks.sikkerhetsportal import web

    with pytest.raises(web.LoginError, match="will not send a browser to 'javascript:x'"):
        web.render("post.html", action="javascript:x", response="", relay_state=None)
    page = web.render("post.html", action="https://sp.example/acs", response="", relay_state='"><')
    assert 'action="https://sp.example/acs"' in page and "&#34;&gt;&lt;" in page


def test_tpn_sp_register_refuses_a_script_url_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'mocks.sqlite3'}"
    path = tmp_path / "sp.xml"
    path.write_bytes(sp_metadata("cli", HOSTILE_KEY, slo="java\nscript:alert(1)"))
    code = main(["sp", "register", str(path), "--db", db])
    err = capsys.readouterr().err
    # harness/sp.py says 1 today; the issue asks 2 for every bad input (see the report).
    assert code != 0
    assert err.count("\n") == 1 and err.startswith("tpn sp: error: ")
    assert "md:SingleLogoutService Location 'java\\nscript:alert(1)' is refused" in err
    assert main(["sp", "list", "--db", db]) == 0
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- fuzzing /artifact

TOKENS = [
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#x110000;",
    b"&e;",
    b"<!--",
    b"-->",
    b"<![CDATA[",
    b"]]>",
    b"\x00",
    b"\xff",
    b"\xc3",
    "ø".encode(),
    b'"',
    b"'",
    b"=",
    b"<x>",
    b"</x>",
    b'xmlns:x="urn:x"',
    b'xmlns="urn:y"',
    b"<!DOCTYPE x [<!ENTITY e 'x'>]>",
    b"<?xml version='1.0' encoding='latin-1'?>",
    b"<?xml version='1.0' encoding='utf-16'?>",
    b'ID="_dup"',
    b"<samlp:Artifact>",
    b"</samlp:Artifact>",
    b"<ds:Signature>",
    b"soap:",
    b"samlp:",
    b"ds:",
    b"\r\n",
    b" " * 64,
    b"<a>" * 40,
    b'x="' + b"y" * 1000 + b'"',
]
MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 1 << 20), st.integers(0, 255)),
    st.tuples(st.just("delete"), st.integers(0, 1 << 20), st.integers(1, 64)),
    st.tuples(
        st.just("insert"),
        st.integers(0, 1 << 20),
        st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=24)),
    ),
    st.tuples(st.just("truncate"), st.integers(0, 1 << 20), st.just(0)),
    st.tuples(st.just("repeat"), st.integers(0, 1 << 20), st.integers(2, 100)),
)
MEDIA = st.sampled_from(
    ["text/xml; charset=utf-8"] * 6 + ["text/xml", "application/soap+xml", "", "text/plain"]
)
FUZZ_MAX = 60_000  # under the body limit: an over-size body is the corpus's business


def mutate(data: bytes, mutations: list[tuple[str, int, Any]]) -> bytes:
    for kind, at, arg in mutations:
        i = at % (len(data) + 1)
        if kind == "flip" and data:
            i = min(i, len(data) - 1)
            data = data[:i] + bytes([arg]) + data[i + 1 :]
        elif kind == "delete":
            data = data[:i] + data[i + arg :]
        elif kind == "insert":
            data = data[:i] + arg + data[i:]
        elif kind == "truncate":
            data = data[:i]
        elif kind == "repeat":
            data = data[:i] + data[i : i + 16] * arg + data[i:]
    return data[:FUZZ_MAX]


@pytest.fixture(scope="module")
def seeds(world: World) -> list[bytes]:
    signed = world.resolve("AAQAAA==")
    unsigned = signed.split(b"<ds:Signature")[0] + signed.split(b"</ds:Signature>")[1]
    plain = _envelope(_RESOLVE + "<samlp:Artifact>x</samlp:Artifact></samlp:ArtifactResolve>")
    return [signed, unsigned, plain]


def test_mutated_artifact_resolves_never_get_a_server_fault(
    world: World, seeds: list[bytes]
) -> None:
    @settings(
        max_examples=250,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        seed=st.sampled_from(range(len(seeds))),
        mutations=st.lists(MUTATION, min_size=1, max_size=6),
        media=MEDIA,
    )
    def one(seed: int, mutations: list[tuple[str, int, Any]], media: str) -> None:
        body = mutate(seeds[seed], mutations)
        headers = {"Content-Type": media} if media else {}
        answer = world.http(Request("POST", f"{PREFIX}/artifact", body=body, headers=headers))
        world.served.check()
        assert answer.content_type.startswith("text/xml"), (answer.status, answer.body[:300])
        root = etree.fromstring(answer.body, etree.XMLParser(resolve_entities=False))
        assert root.tag == f"{{{SOAP11}}}Envelope", answer.body[:300]
        code = root.findtext(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault/faultcode")
        assert code != "soap:Server", answer.body[:800]
        assert (code is None) == (answer.status == 200), (answer.status, answer.body[:300])
        for leak in LEAKS:
            assert leak not in answer.body, answer.body[:800]
        assert world.http(Request("GET", "/isalive")).status == 200

    one()
    world.still_serves()


XML_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"))
    | st.sampled_from("\t\n"),
    max_size=300,
)


def test_signed_artifact_resolves_with_any_content_are_answered(world: World) -> None:
    """Signed by the registered SP, so they pass the signature check: whatever the artifact and
    the ID, the answer is an ArtifactResponse (a real artifact's Response once, else none)."""
    status = world.http(world.sso(login=True))
    real = parse_qs(urlsplit(status.headers["Location"]).query)["SAMLart"][0]

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        handle=st.one_of(XML_TEXT, st.just(real), st.just(real + " "), st.just(real.lower())),
        request_id=st.from_regex(r"_[A-Za-z0-9._-]{0,200}", fullmatch=True),
    )
    def one(handle: str, request_id: str) -> None:
        root = etree.fromstring(world.resolve("x"))
        resolve = root[0][0]
        resolve.set("ID", request_id)
        artifact = resolve.find(f"{{{ns.SAMLP}}}Artifact")
        assert artifact is not None
        artifact.text = handle
        resolve.remove(resolve.find(f"{{{ns.DS}}}Signature"))
        root[0].replace(resolve, messages.sign(resolve, world.key))
        answer = world.http(
            Request(
                "POST",
                f"{PREFIX}/artifact",
                body=etree.tostring(root),
                headers={"Content-Type": "text/xml"},
            )
        )
        world.served.check()
        if not handle.strip():  # no artifact at all: the client's mistake
            assert answer.status == 500 and b"has no samlp:Artifact" in answer.body
            return
        assert answer.status == 200, answer.body[:500]
        response = etree.fromstring(answer.body)[0][0]
        assert response.tag == f"{{{ns.SAMLP}}}ArtifactResponse"
        assert response.get("InResponseTo") == request_id
        code = response.find(f"{{{ns.SAMLP}}}Status/{{{ns.SAMLP}}}StatusCode")
        assert code is not None and code.get("Value") == ns.SUCCESS, answer.body[:500]

    one()
    world.still_serves()
