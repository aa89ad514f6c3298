"""Hostile and broken requests against a running archive, over raw HTTP.

Every refusal must be a well-formed SOAP 1.1 Fault (``text/xml``, never an HTML or plain-text
page) whose faultstring names the element or the rule, must be journalled with its outcome, and
must leave the endpoint serving: after each one a valid request still gets its answer.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tpn.mocks.core.app import MockApp
from tpn.mocks.core.config import MockConfig
from tpn.mocks.noark4ws import ArchiveMock
from tpn.mocks.soap.faults import DETAIL_NS
from tpn.mocks.soap.intake import Limits
from tpn.mocks.soap.ns import SOAP11_ENV, SOAP12_ENV

NS = "http://www.arkivverket.no/Noark4-1-WS-WD/types"
TEXT_XML = "text/xml; charset=utf-8"
BODY_LIMIT = (
    256 * 1024
)  # small, so that over-size tests are quick (the 10,000-deep body is ~110 KB)
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'


def envelope(
    inner: str, header: str = "", *, env_ns: str = SOAP11_ENV, prolog: str = DECLARATION
) -> bytes:
    return (
        f"{prolog}"
        f'<soap:Envelope xmlns:soap="{env_ns}" xmlns:n="{NS}">{header}'
        f"<soap:Body>{inner}</soap:Body></soap:Envelope>"
    ).encode()


def put_noarksak(noarksak: str) -> bytes:
    return envelope(
        f"<n:PutNoarksakRequest><n:noarksak>{noarksak}</n:noarksak></n:PutNoarksakRequest>"
    )


VALID_PUT = put_noarksak("<n:saTittel>Byggesak Storgata 1</n:saTittel>")
LOL = '<!ENTITY lol0 "lolololololololololo">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def server() -> Iterator[ArchiveMock]:
    mock = ArchiveMock(MockConfig(limits=Limits(max_body_bytes=BODY_LIMIT)))
    with mock:
        yield mock


@pytest.fixture
def archive(server: ArchiveMock) -> Iterator[ArchiveMock]:
    server.reset()
    yield server
    server.check()  # an exception inside the server fails the test that caused it


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False  # no proxies from the environment, and ~1 ms faster per call
        yield session


# ---------------------------------------------------------------------------- helpers


def post(
    http: requests.Session,
    archive: ArchiveMock,
    body: Any,
    content_type: str | None = TEXT_XML,
    **headers: str,
) -> requests.Response:
    if content_type is not None:
        headers["Content-Type"] = content_type
    return http.post(archive.url, data=body, headers=headers, timeout=30)


def assert_fault(
    resp: requests.Response,
    code: str,
    *,
    status: int = 500,
    rule: str | None = None,
    names: tuple[str, ...] = (),
) -> str:
    """Check that ``resp`` is a well-formed SOAP 1.1 fault; return its faultstring."""
    assert resp.status_code == status, resp.text[:500]
    assert resp.headers["Content-Type"] == TEXT_XML
    assert b"<html" not in resp.content.lower()
    root = etree.fromstring(resp.content, SAFE_PARSER)
    assert root.tag == f"{{{SOAP11_ENV}}}Envelope"
    body = root.find(f"{{{SOAP11_ENV}}}Body")
    assert body is not None and len(body) == 1
    fault = body[0]
    assert fault.tag == f"{{{SOAP11_ENV}}}Fault"
    faultcode = fault.findtext("faultcode") or ""
    prefix, _, local = faultcode.partition(":")
    assert fault.nsmap.get(prefix) == SOAP11_ENV and local == code, faultcode
    faultstring = fault.findtext("faultstring") or ""
    for name in names:
        assert name in faultstring, f"{name!r} not in faultstring {faultstring!r}"
    problem = fault.find(f"detail/{{{DETAIL_NS}}}problem")
    if code == "VersionMismatch":
        assert fault.find("detail") is None
    else:
        assert problem is not None
        if rule is not None:
            assert problem.get("rule") == rule
    return faultstring


def assert_journalled(
    archive: ArchiveMock, code: str, *, status: int = 500, request: bytes | None = None
) -> None:
    last = archive.journal()[-1]
    assert (last.service, last.http_status, last.outcome) == ("Noark4WS", status, f"fault:{code}")
    assert last.validation.startswith(f"{code}: ")
    if request is not None:
        assert last.request == request[: len(last.request)] and last.request_size == len(request)


def assert_still_serves(http: requests.Session, archive: ArchiveMock) -> None:
    resp = post(http, archive, VALID_PUT)
    assert resp.status_code == 200, resp.text[:500]
    root = etree.fromstring(resp.content, SAFE_PARSER)
    assert root.find(f".//{{{NS}}}status").get("type") == "OK"  # type: ignore[union-attr]
    last = archive.journal()[-1]
    assert (last.operation, last.http_status, last.outcome, last.validation) == (
        "PutNoarksak",
        200,
        "ok",
        "valid",
    )


def refused(
    http: requests.Session,
    archive: ArchiveMock,
    body: bytes,
    code: str = "Client",
    *,
    rule: str | None,
    names: tuple[str, ...] = (),
    content_type: str = TEXT_XML,
) -> str:
    """POST ``body``; check fault, journal entry and that the endpoint still serves."""
    resp = post(http, archive, body, content_type)
    text = assert_fault(resp, code, rule=rule, names=names)
    # The endpoint reads the body before it checks the Content-Type but drops it when that check
    # fails, so those journal entries have an empty request (reported to the lead).
    assert_journalled(archive, code, request=body if content_type == TEXT_XML else None)
    assert_still_serves(http, archive)
    return text


# ---------------------------------------------------------------------------- DTDs and entities


def test_billion_laughs_is_refused_fast(http: requests.Session, archive: ArchiveMock) -> None:
    body = envelope(
        "<n:PutNoarksakRequest><n:noarksak><n:saTittel>&lol9;</n:saTittel></n:noarksak>"
        "</n:PutNoarksakRequest>",
        prolog=f'<?xml version="1.0"?><!DOCTYPE soap:Envelope [{LOL}]>',
    )
    started = time.perf_counter()
    resp = post(http, archive, body)
    assert time.perf_counter() - started < 2.0
    text = assert_fault(resp, "Client", rule="xml.dtd", names=("DTD", "<!DOCTYPE"))
    assert "lol" not in resp.text
    assert text
    assert_journalled(archive, "Client", request=body)
    assert_still_serves(http, archive)
    assert archive.archive.counts()["noarksak"] == 1  # only the probe's case, nothing from the bomb


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_external_entity_to_a_local_file_never_leaks(
    http: requests.Session, archive: ArchiveMock, tmp_path: Path, encoding: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4f1c", encoding="utf-8")
    text = (
        f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
        f'<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        f'<soap:Envelope xmlns:soap="{SOAP11_ENV}" xmlns:n="{NS}"><soap:Body><n:PutNoarksakRequest>'
        "<n:noarksak><n:saTittel>&xxe;</n:saTittel></n:noarksak></n:PutNoarksakRequest></soap:Body></soap:Envelope>"
    )
    body = text.encode(encoding)
    resp = post(http, archive, body)
    # Both are caught by the scan of the prolog (UTF-16 is read as text first).
    assert_fault(resp, "Client", rule="xml.dtd", names=("DTD",))
    assert "TOP-SECRET" not in resp.text
    assert all(b"TOP-SECRET" not in e.response for e in archive.journal())
    assert archive.archive.counts()["noarksak"] == 0
    assert_journalled(archive, "Client", request=body)
    assert_still_serves(http, archive)


def test_doctype_after_declaration_comments_and_pis(
    http: requests.Session, archive: ArchiveMock
) -> None:
    prolog = (
        '\ufeff<?xml version="1.0" encoding="utf-8"?>\n'
        "<!-- archived by ?> -->\n<?app x?>\n<!DOCTYPE soap:Envelope>\n"
    )
    refused(
        http,
        archive,
        envelope("<n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>", prolog=prolog),
        rule="xml.dtd",
        names=("DTD", "SOAP 1.1 §3"),
    )


def test_parameter_entities(http: requests.Session, archive: ArchiveMock, tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(
        "<!ENTITY % all \"<!ENTITY leak SYSTEM 'file:///etc/hostname'>\">", encoding="utf-8"
    )
    prolog = (
        f'<?xml version="1.0"?><!DOCTYPE soap:Envelope [<!ENTITY % remote SYSTEM "{dtd.as_uri()}">'
        "%remote; %all; <!ENTITY % inner \"<!ENTITY x 'y'>\"> %inner;]>"
    )
    refused(
        http,
        archive,
        envelope(
            "<n:GetNoarksakRequest><n:saId>&leak;</n:saId></n:GetNoarksakRequest>", prolog=prolog
        ),
        rule="xml.dtd",
        names=("DTD",),
    )


def test_utf16_document_with_dtd_is_refused_before_parsing(
    http: requests.Session, archive: ArchiveMock
) -> None:
    text = (
        f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE soap:Envelope [<!ENTITY t "Tittel">]>'
        f'<soap:Envelope xmlns:soap="{SOAP11_ENV}" xmlns:n="{NS}"><soap:Body><n:PutNoarksakRequest>'
        "<n:noarksak><n:saTittel>&t;</n:saTittel></n:noarksak></n:PutNoarksakRequest></soap:Body></soap:Envelope>"
    )
    faultstring = refused(http, archive, text.encode("utf-16"), rule="xml.dtd", names=("DTD",))
    # the prolog scan's words: a UTF-16 prolog is read as text before any parser sees it
    assert faultstring.startswith("the request contains a DTD (<!DOCTYPE)")


def test_cdata_that_mentions_a_doctype_is_not_refused(
    http: requests.Session, archive: ArchiveMock
) -> None:
    title = "<!DOCTYPE html><html><body>Søknad</body></html>"
    body = put_noarksak(f"<!-- <!DOCTYPE x> --><n:saTittel><![CDATA[{title}]]></n:saTittel>")
    resp = post(http, archive, body)
    assert resp.status_code == 200, resp.text[:500]
    root = etree.fromstring(resp.content, SAFE_PARSER)
    assert root.find(f".//{{{NS}}}status").get("type") == "OK"  # type: ignore[union-attr]
    assert root.findtext(f".//{{{NS}}}saTittel") == title
    assert archive.journal()[-1].outcome == "ok"


# ---------------------------------------------------------------------------- size and depth


def test_ten_thousand_deep_nesting_is_refused_by_the_depth_rule_fast(
    http: requests.Session, archive: ArchiveMock
) -> None:
    deep = "<n:x>" * 10_000 + "</n:x>" * 10_000
    body = envelope(f"<n:PutNoarksakRequest>{deep}</n:PutNoarksakRequest>")
    started = time.perf_counter()
    resp = post(http, archive, body)
    assert time.perf_counter() - started < 2.0
    assert_fault(resp, "Client", rule="limit.depth", names=("deeper than 64", "<x>"))
    assert_journalled(archive, "Client", request=body)
    assert_still_serves(http, archive)


def test_oversize_body_with_content_length_is_a_500_fault(
    http: requests.Session, archive: ArchiveMock
) -> None:
    body = put_noarksak("<n:saTittel>" + "x" * (BODY_LIMIT + 1) + "</n:saTittel>")
    resp = post(http, archive, body)
    assert_fault(
        resp,
        "Client",
        status=500,
        rule="limit.size",
        names=(f"limit of {BODY_LIMIT}", f"{len(body)} bytes"),
    )
    assert_journalled(archive, "Client", status=500)
    assert_still_serves(http, archive)


def test_body_at_the_limit_is_not_refused_for_size(
    http: requests.Session, archive: ArchiveMock
) -> None:
    filler = "x" * (BODY_LIMIT - len(put_noarksak("<n:saTittel></n:saTittel>")))
    body = put_noarksak(f"<n:saTittel>{filler}</n:saTittel>")
    assert len(body) == BODY_LIMIT
    resp = post(http, archive, body)
    assert resp.status_code == 200, resp.text[:300]


def test_body_without_content_length_is_a_fault(
    http: requests.Session, archive: ArchiveMock
) -> None:
    # requests sends a generator chunked; wsgiref cannot read a chunked body, so the endpoint
    # asks for a length instead (the size limit without a length is tested in test_intake.py).
    resp = post(http, archive, (chunk for chunk in [b"x" * (BODY_LIMIT + 10)]))
    assert "Content-Length" not in resp.request.headers
    assert_fault(resp, "Client", status=500, rule="http.length", names=("Content-Length",))
    assert_journalled(archive, "Client", status=500)
    assert_still_serves(http, archive)


# ---------------------------------------------------------------------------- not XML, not SOAP 1.1


@pytest.mark.parametrize(
    ("body", "rule", "names"),
    [
        (b"", "soap.empty", ("empty",)),
        (b" \r\n\t ", "soap.empty", ("empty",)),
        (b"GET / HTTP/1.1 is not XML", "xml.syntax", ("not well-formed XML",)),
        (b'{"json": true}', "xml.syntax", ("not well-formed XML",)),
        (
            b'<?xml version="1.0" encoding="utf-8"?><x>\xff\xfe\xc3\x28</x>',
            "xml.syntax",
            ("not well-formed XML",),
        ),
        (
            put_noarksak("<n:saTittel>ok</n:saTittel>").replace(b">ok<", b">\xe6\xf8\xe5<"),
            "xml.syntax",
            ("not well-formed XML",),
        ),
        (
            f'<n:GetNoarksakRequest xmlns:n="{NS}"><n:saId>1</n:saId>'
            "</n:GetNoarksakRequest>".encode(),
            "soap.envelope",
            ("not a SOAP envelope", "<GetNoarksakRequest>"),
        ),
        (
            f'<soap:Envelope xmlns:soap="{SOAP11_ENV}"/>'.encode(),
            "soap.body",
            ("soap:Body", "found nothing"),
        ),
        (
            f'<soap:Envelope xmlns:soap="{SOAP11_ENV}"><soap:Header/></soap:Envelope>'.encode(),
            "soap.body",
            ("soap:Body", "found nothing"),
        ),
        (
            envelope("<n:GetNoarksakRequest/><n:GetJournpostRequest/>"),
            "soap.body",
            ("exactly one element", "found 2"),
        ),
        (envelope(""), "soap.body", ("exactly one element", "found 0")),
        (
            envelope("<n:DeleteNoarksakRequest/>"),
            "soap.operation",
            ("DeleteNoarksakRequest", "GetNoarksakRequest", "PutJournpostRequest", NS),
        ),
        (
            envelope('<x:GetNoarksakRequest xmlns:x="urn:wrong"/>'),
            "soap.operation",
            ("{urn:wrong}GetNoarksakRequest",),
        ),
    ],
    ids=[
        "empty",
        "whitespace",
        "text",
        "json",
        "invalid-utf8",
        "latin1-bytes-in-utf8",
        "not-envelope",
        "no-body",
        "header-no-body",
        "two-body-elements",
        "empty-body",
        "unknown-operation",
        "operation-wrong-namespace",
    ],
)
def test_not_a_soap11_message(
    http: requests.Session, archive: ArchiveMock, body: bytes, rule: str, names: tuple[str, ...]
) -> None:
    refused(http, archive, body, rule=rule, names=names)


def test_soap12_envelope_is_a_version_mismatch(
    http: requests.Session, archive: ArchiveMock
) -> None:
    body = envelope(
        "<n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>", env_ns=SOAP12_ENV
    )
    refused(http, archive, body, "VersionMismatch", rule=None, names=("SOAP 1.2", SOAP11_ENV))


def test_soap12_content_type_is_a_version_mismatch(
    http: requests.Session, archive: ArchiveMock
) -> None:
    body = envelope("<n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>")
    refused(
        http,
        archive,
        body,
        "VersionMismatch",
        rule=None,
        names=("application/soap+xml", "SOAP 1.2"),
        content_type="application/soap+xml; charset=utf-8",
    )


@pytest.mark.parametrize("content_type", ["application/xml", "text/plain", "text/html"])
def test_other_content_type_is_a_client_fault(
    http: requests.Session, archive: ArchiveMock, content_type: str
) -> None:
    body = envelope("<n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>")
    refused(
        http,
        archive,
        body,
        rule="http.content-type",
        names=(content_type, "text/xml"),
        content_type=content_type,
    )


def test_must_understand_header(http: requests.Session, archive: ArchiveMock) -> None:
    header = (
        '<soap:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
        'oasis-200401-wss-wssecurity-secext-1.0.xsd" soap:mustUnderstand="1"/></soap:Header>'
    )
    body = envelope("<n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>", header)
    refused(
        http,
        archive,
        body,
        "MustUnderstand",
        rule="soap.mustUnderstand",
        names=("Security", "mustUnderstand"),
    )


def test_header_without_must_understand_is_ignored(
    http: requests.Session, archive: ArchiveMock
) -> None:
    header = (
        '<soap:Header><t:Trace xmlns:t="urn:trace" soap:mustUnderstand="0">abc</t:Trace>'
        "</soap:Header>"
    )
    resp = post(
        http,
        archive,
        envelope("<n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>", header),
    )
    assert resp.status_code == 200, resp.text[:300]


# ---------------------------------------------------------------------------- schema


@pytest.mark.parametrize(
    ("noarksak", "element", "names"),
    [
        ("<n:saSaar>2024</n:saSaar>", "noarksak", ("saTittel", "Missing child element")),
        (
            "<n:saSaar>abc</n:saSaar><n:saTittel>T</n:saTittel>",
            "saSaar",
            ("saSaar", "'abc'", "xs:integer"),
        ),
        (
            "<n:saDato>31.12.2024</n:saDato><n:saTittel>T</n:saTittel>",
            "saDato",
            ("saDato", "xs:date"),
        ),
        (
            "<n:saTittel>T</n:saTittel><n:saFarge>rød</n:saFarge>",
            "saFarge",
            ("saFarge", "not expected"),
        ),
        (
            "<n:saTittel>T</n:saTittel><n:saSaar>2024</n:saSaar>",
            "saSaar",
            ("saSaar", "not expected"),
        ),
    ],
    ids=[
        "missing-saTittel",
        "saSaar-not-integer",
        "saDato-not-date",
        "unknown-child",
        "wrong-order",
    ],
)
def test_schema_invalid_request_names_the_element(
    http: requests.Session,
    archive: ArchiveMock,
    noarksak: str,
    element: str,
    names: tuple[str, ...],
) -> None:
    body = put_noarksak(noarksak)
    resp = post(http, archive, body)
    assert_fault(
        resp,
        "Client",
        rule="xsd",
        names=("schema violation at /PutNoarksakRequest/noarksak", *names),
    )
    problem = etree.fromstring(resp.content, SAFE_PARSER).find(f".//{{{DETAIL_NS}}}problem")
    assert problem is not None and problem.get("element") == element
    assert_journalled(archive, "Client", request=body)
    assert archive.archive.counts()["noarksak"] == 0
    assert_still_serves(http, archive)


# ---------------------------------------------------------------------------- HTTP methods


def test_get_without_wsdl_is_405_with_a_fault(http: requests.Session, archive: ArchiveMock) -> None:
    resp = http.get(archive.url, timeout=10)
    assert_fault(resp, "Client", status=405, rule="http.method", names=("POST", "?wsdl"))
    assert "POST" in resp.headers["Allow"]
    assert http.get(archive.wsdl_url, timeout=10).status_code == 200
    assert_still_serves(http, archive)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_with_a_fault(
    http: requests.Session, archive: ArchiveMock, method: str
) -> None:
    resp = http.request(
        method, archive.url, data=VALID_PUT, headers={"Content-Type": TEXT_XML}, timeout=10
    )
    assert_fault(resp, "Client", status=405, rule="http.method", names=(method, "POST"))
    assert_still_serves(http, archive)


# ---------------------------------------------------------------------------- authentication

CREDENTIALS = ("arkivar", "hemmelig")


@pytest.fixture(scope="module")
def guarded() -> Iterator[ArchiveMock]:
    mock = ArchiveMock(MockConfig(auth=CREDENTIALS))
    with mock:
        yield mock


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        _basic("arkivar", "feil"),
        _basic("ukjent", "hemmelig"),
        "Bearer abc",
        "Basic !!!",
        "Basic \xf8\xe6",
        "Basic " + base64.b64encode(b"arkivar:\xff").decode(),
    ],
    ids=[
        "none",
        "wrong-password",
        "wrong-user",
        "bearer",
        "not-base64",
        "latin1-header",
        "not-utf8",
    ],
)
def test_auth_required_when_configured(
    http: requests.Session, guarded: ArchiveMock, authorization: str | None
) -> None:
    headers = {"Content-Type": TEXT_XML} | (
        {"Authorization": authorization} if authorization else {}
    )
    resp = http.post(guarded.url, data=VALID_PUT, headers=headers, timeout=10)
    assert_fault(resp, "Client", status=401, rule="http.auth", names=("authentication required",))
    assert resp.headers["WWW-Authenticate"].startswith("Basic ")
    assert guarded.archive.counts()["noarksak"] == 0
    guarded.check()


def test_auth_covers_the_wsdl_but_not_isalive(http: requests.Session, guarded: ArchiveMock) -> None:
    assert_fault(http.get(guarded.wsdl_url, timeout=10), "Client", status=401, rule="http.auth")
    alive = http.get(f"{guarded.base_url}/isalive", timeout=10)
    assert (alive.status_code, alive.text) == (200, "ok\n")
    assert http.get(guarded.wsdl_url, auth=CREDENTIALS, timeout=10).status_code == 200


def test_correct_credentials_work(http: requests.Session, guarded: ArchiveMock) -> None:
    resp = http.post(
        guarded.url,
        data=VALID_PUT,
        headers={"Content-Type": TEXT_XML},
        auth=CREDENTIALS,
        timeout=10,
    )
    assert resp.status_code == 200, resp.text[:300]
    assert guarded.journal()[-1].outcome == "ok"
    guarded.check()


def test_norwegian_credentials_in_utf8() -> None:
    # Regression: hmac.compare_digest raised TypeError on non-ASCII str, so "bjørn" crashed
    # every request into a plain-text 500. In-process: the WSGI app alone, no server.
    def endpoint(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", TEXT_XML)])
        return [b"<ok/>"]

    app = MockApp({"/svc": endpoint}, endpoint, auth=("bjørn", "blåbær-æøå"))

    def call(authorization: str | None) -> str:
        seen: list[str] = []
        environ = {"PATH_INFO": "/svc", "REQUEST_METHOD": "POST", "wsgi.input": io.BytesIO(b"")}
        if authorization is not None:
            # WSGI hands headers over as Latin-1 decoded str (PEP 3333).
            environ["HTTP_AUTHORIZATION"] = authorization.encode("utf-8").decode("latin-1")
        app(environ, lambda status, headers, *_: seen.append(status))
        return seen[0]

    assert call(_basic("bjørn", "blåbær-æøå")) == "200 OK"
    assert call(_basic("bjørn", "blåbær")) == "401 Unauthorized"
    assert (
        call("Basic " + base64.b64encode("bjørn:blåbær-æøå".encode("latin-1")).decode())
        == "401 Unauthorized"
    )
    assert call("Basic bjørn") == "401 Unauthorized"


# ---------------------------------------------------------------------------- fuzzing

SNIPPETS = [
    b"<!DOCTYPE x>",
    b"&lol;",
    b"&#0;",
    b"&#x110000;",
    b"]]>",
    b"<![CDATA[",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"<",
    b">",
    b"</",
    b"'",
    b'"',
    b"<?xml version='1.0'?>",
    b"<soap:Header/>",
    b"<n:saTittel>",
    b'soap:mustUnderstand="1"',
    b"xmlns:n='urn:x'",
    b"\xef\xbb\xbf",
    b"\r\n",
    "æøå".encode(),
]
# Names in the valid envelope; swapping one for another keeps the XML well-formed (when both
# tags of a pair are swapped) and reaches the envelope, operation and schema checks.
TOKENS = [
    b"soap",
    b"n",
    b"Envelope",
    b"Header",
    b"Body",
    b"PutNoarksakRequest",
    b"GetNoarksakRequest",
    b"noarksak",
    b"saTittel",
    b"saSaar",
    b"saId",
    b"journpost",
    b"Fault",
    b"xmlns",
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """VALID_PUT with a few byte-level or token-level changes."""
    data = VALID_PUT
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["token", "token", "text", "byte", "delete", "insert", "duplicate"])
        )
        pos = draw(st.integers(0, len(data)))
        if kind == "token":
            data = data.replace(
                draw(st.sampled_from(TOKENS)),
                draw(st.sampled_from(TOKENS)),
                draw(st.sampled_from([1, -1])),
            )
        elif kind == "text":
            title = draw(
                st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
            )
            data = data.replace(
                b"Byggesak Storgata 1", title.replace("&", "&amp;").replace("<", "&lt;").encode()
            )
        elif kind == "byte":
            data = data[:pos] + bytes([draw(st.integers(0, 255))]) + data[pos + 1 :]
        elif kind == "delete":
            data = data[:pos] + data[pos + draw(st.integers(1, 40)) :]
        elif kind == "insert":
            data = (
                data[:pos]
                + draw(st.sampled_from(SNIPPETS) | st.binary(min_size=1, max_size=8))
                + data[pos:]
            )
        else:
            start = draw(st.integers(0, len(data)))
            data = data[:pos] + data[start : start + draw(st.integers(1, 60))] + data[pos:]
    return data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(st.binary(max_size=2048), mutated()))
def test_fuzzed_requests_always_get_soap(
    http: requests.Session, server: ArchiveMock, body: bytes
) -> None:
    resp = post(http, server, body)
    assert resp.status_code in (200, 500), resp.text[:300]
    assert resp.headers["Content-Type"] == TEXT_XML
    root = etree.fromstring(resp.content, SAFE_PARSER)
    assert root.tag == f"{{{SOAP11_ENV}}}Envelope"
    is_fault = root.find(f"{{{SOAP11_ENV}}}Body/{{{SOAP11_ENV}}}Fault") is not None
    assert is_fault == (resp.status_code == 500)
    if is_fault:
        assert_fault(resp, root.findtext(".//faultcode", default="").partition(":")[2])
    assert server.errors == [], server.errors
