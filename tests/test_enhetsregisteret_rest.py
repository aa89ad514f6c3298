"""Enhetsregisteret beyond the operations: the REST shape, hostile input, the WSDL's drift, the
composition tpn serve runs, and any 9-digit string answered with well-formed grunndata."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from er_support import (
    AS,
    KOMMUNE,
    KONKURS,
    SAFE,
    SLETTET,
    UNDER_AVVIKLING,
    UNKNOWN,
    envelope,
    post,
    returned,
    session,
    valid,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tpn.fixtures import standard_file
from tpn.harness import schema
from tpn.harness.cli import main
from tpn.mocks.compose import ComposedMock
from tpn.mocks.enhetsregisteret import DEFAULT_CREDENTIALS, EnhetsregisteretMock
from tpn.mocks.enhetsregisteret.rest import MAX_PATH
from tpn.mocks.soap.ns import WSDL

USER, PASSWORD = DEFAULT_CREDENTIALS


@pytest.fixture(scope="module")
def er() -> Iterator[EnhetsregisteretMock]:
    with EnhetsregisteretMock() as mock:
        yield mock


@pytest.fixture(scope="module")
def http() -> requests.Session:
    return session()


# ---------------------------------------------------------------------- REST


def test_rest_gives_an_entity_as_json(er: EnhetsregisteretMock, http: requests.Session) -> None:
    r = http.get(f"{er.api_url}/enheter/{AS}", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    address = {
        "adresse": ["Sandakerveien 24"],
        "postnummer": "0484",
        "poststed": "Oslo",
        "kommunenummer": "0301",
        "kommune": "Oslo",
        "landkode": "NO",
        "land": "Norge",
    }
    assert r.json() == {
        "organisasjonsnummer": AS,
        "navn": "Kafé Løvetann AS",
        "organisasjonsform": {"kode": "AS", "beskrivelse": "Aksjeselskap"},
        "forretningsadresse": address,
        "postadresse": address,
        "registreringsdatoEnhetsregisteret": r.json()["registreringsdatoEnhetsregisteret"],
        "naeringskode1": {"kode": "56.101", "beskrivelse": "Drift av restauranter og kafeer"},
        "konkurs": False,
        "underAvvikling": False,
        "hjemmeside": "kafe-lovetann.example.com",
    }


def test_rest_flags_and_dates(er: EnhetsregisteretMock, http: requests.Session) -> None:
    konkurs = http.get(f"{er.api_url}/enheter/{KONKURS}", timeout=10).json()
    assert (konkurs["konkurs"], konkurs["konkursdato"], konkurs["underAvvikling"]) == (
        True,
        "2006-11-03",
        False,
    )
    winding = http.get(f"{er.api_url}/enheter/{UNDER_AVVIKLING}", timeout=10).json()
    assert (winding["underAvvikling"], winding["underAvviklingDato"]) == (True, "2007-01-15")
    komm = http.get(f"{er.api_url}/enheter/{KOMMUNE}", timeout=10).json()
    assert komm["organisasjonsform"] == {"kode": "KOMM", "beskrivelse": "Kommune"}


@pytest.mark.parametrize(
    ("tail", "status", "error"),
    [
        (f"enheter/{UNKNOWN}", 404, f"no entity with organisasjonsnummer {UNKNOWN} in "),
        (f"enheter/{SLETTET}", 410, f"organisasjonsnummer {SLETTET} was deleted from "),
        ("enheter/12345", 400, "organisasjonsnummer '12345' is not 9 digits"),
        ("enheter/390301007", 400, "'390301007' is not 9 digits with a valid mod-11"),
        ("enheter/", 400, "organisasjonsnummer '' is not 9 digits"),
        (f"enheter/{AS}/roller", 404, "no resource at"),
        ("underenheter/1", 404, "entities are at /enhetsregisteret/api/enheter/{orgnr}"),
        ("", 404, "no resource at"),
    ],
)
def test_rest_errors_are_json(
    er: EnhetsregisteretMock, http: requests.Session, tail: str, status: int, error: str
) -> None:
    r = http.get(f"{er.api_url}/{tail}", timeout=10)
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert error in r.json()["error"]


def test_a_deleted_entity_is_gone_with_its_date(
    er: EnhetsregisteretMock, http: requests.Session
) -> None:
    r = http.get(f"{er.api_url}/enheter/{SLETTET}", timeout=10)
    assert r.status_code == 410
    assert r.json()["slettedato"] == "2005-06-30"
    assert r.json()["organisasjonsnummer"] == SLETTET


def test_rest_is_bounded(er: EnhetsregisteretMock, http: requests.Session) -> None:
    long = http.get(f"{er.api_url}/enheter/{'9' * MAX_PATH}", timeout=10)
    assert long.status_code == 414 and "over 256 characters" in long.json()["error"]
    query = http.get(f"{er.api_url}/enheter/{AS}?q={'x' * 3000}", timeout=10)
    assert query.status_code == 414
    posted = http.post(f"{er.api_url}/enheter/{AS}", data=b"{}", timeout=10)
    assert posted.status_code == 405 and posted.headers["Allow"] == "GET, HEAD"
    head = http.head(f"{er.api_url}/enheter/{AS}", timeout=10)
    assert head.status_code == 200 and head.content == b""


def test_rest_is_open_while_the_soap_side_wants_basic() -> None:
    from tpn.mocks.core.config import MockConfig

    with EnhetsregisteretMock(MockConfig(auth=("kommune", "hemmelig"))) as er:
        r = session().get(f"{er.api_url}/enheter/{AS}", timeout=10)
        assert r.status_code == 200


def test_rest_exchanges_are_journalled(er: EnhetsregisteretMock, http: requests.Session) -> None:
    er.parts.journal.clear()
    http.get(f"{er.api_url}/enheter/{AS}", timeout=10)
    http.get(f"{er.api_url}/enheter/{UNKNOWN}", timeout=10)
    found = [
        (e.service, e.operation, e.http_status, e.outcome)
        for e in er.journal()
        if e.service == "enhetsregisteret"
    ]
    assert found == [
        ("enhetsregisteret", "enheter", 200, "ok"),
        ("enhetsregisteret", "enheter", 404, "refused"),
    ]


# ---------------------------------------------------------------------- hostile SOAP


DTD = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
    + envelope("hentBasisdata", userid=USER, password=PASSWORD, orgnr="&a;")[0:]
)


def _deep(depth: int) -> bytes:
    inner = "<x>" * depth + "</x>" * depth
    return envelope("hentBasisdata", userid=USER, password=PASSWORD, orgnr=KOMMUNE).replace(
        b"</er:hentBasisdata>", inner.encode() + b"</er:hentBasisdata>"
    )


@pytest.mark.parametrize(
    ("name", "data", "rule", "text"),
    [
        ("dtd and entity", DTD, "xml.dtd", "DTD"),
        ("deep nesting", _deep(200), "limit.depth", "nest"),
        (
            "not an operation",
            envelope("hentAlt", userid=USER, password=PASSWORD, orgnr=KOMMUNE),
            "soap.operation",
            "hentAlt is not an operation of ErFr",
        ),
        (
            "orgnr missing",
            envelope("hentBasisdata", userid=USER, password=PASSWORD),
            "xsd",
            "orgnr",
        ),
        ("not XML", b"<soapenv:Envelope", None, ""),
    ],
)
def test_hostile_input_is_a_client_fault_naming_the_rule(
    er: EnhetsregisteretMock,
    http: requests.Session,
    name: str,
    data: bytes,
    rule: str | None,
    text: str,
) -> None:
    r = post(http, er.url, data)
    assert r.status_code == 500, f"{name}: {r.text[:300]}"
    root = etree.fromstring(r.content, SAFE)
    assert root.findtext(".//faultcode") == "soap:Client", r.text[:300]
    problem = root.find(".//{urn:tpn-harness:fault}problem")
    assert problem is not None
    if rule is not None:
        assert problem.get("rule", "").startswith(rule), r.text[:500]
    assert text.lower() in (root.findtext(".//faultstring") or "").lower(), r.text[:500]
    # And it still answers.
    data = envelope("hentBasisdataMini", userid=USER, password=PASSWORD, orgnr=KOMMUNE)
    assert "<hovedStatus>0</hovedStatus>" in returned(post(http, er.url, data))


def test_a_refusal_is_journalled(er: EnhetsregisteretMock, http: requests.Session) -> None:
    er.parts.journal.clear()
    post(http, er.url, DTD)
    [exchange] = er.journal()
    assert (exchange.service, exchange.http_status, exchange.outcome) == (
        "ErFr",
        500,
        "fault:Client",
    )


# ---------------------------------------------------------------------- any 9 digits


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    orgnr=st.text(alphabet="0123456789", min_size=9, max_size=9),
    operation=st.sampled_from(
        ("hentBasisdataMini", "hentBasisdata", "hentKontaktdata", "hentRoller")
    ),
)
def test_any_nine_digits_get_well_formed_grunndata_never_a_fault(
    er: EnhetsregisteretMock, http: requests.Session, orgnr: str, operation: str
) -> None:
    data = envelope(operation, userid=USER, password=PASSWORD, orgnr=orgnr)
    root = valid(returned(post(http, er.url, data)))
    kode = root.find("responseHeader/underStatus/underStatusMelding").get("kode")  # type: ignore[union-attr]
    assert kode in ("0", "1020", "1021", "1022")
    assert root.findtext("responseHeader/hovedStatus") == ("0" if kode == "0" else "-1")


# ---------------------------------------------------------------------- WSDL drift


def test_fixture_files_match_the_model() -> None:
    for name, data in schema.exported_files("enhetsregisteret").items():
        assert standard_file("enhetsregisteret", name).read_bytes() == data, (
            f"fixtures/standards/enhetsregisteret/{name} is stale: "
            "run `tpn schema export --standard enhetsregisteret`"
        )


def test_served_wsdl_is_the_fixture_with_the_servers_address(
    er: EnhetsregisteretMock, http: requests.Session
) -> None:
    served = http.get(er.wsdl_url, timeout=10)
    fixture = standard_file("enhetsregisteret", "erfr.wsdl").read_bytes()
    assert served.content == fixture.replace(schema.ER_ADDRESS.encode(), er.url.encode())
    xsd = http.get(f"{er.url}?xsd", timeout=10)
    assert xsd.content == standard_file("enhetsregisteret", "erfr.xsd").read_bytes()
    root = etree.fromstring(fixture)
    ops = {op.get("name") for op in root.iterfind(f"{{{WSDL}}}portType/{{{WSDL}}}operation")}
    assert ops == {
        "hentBasisdataMini",
        "hentBasisdata",
        "hentKontaktdata",
        "hentRoller",
        "sokEnhet",
    }


def test_export_check_reports_a_stale_file(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path)
    assert main(["schema", "export", "--standard", "enhetsregisteret", "--out", out]) == 0
    assert (
        main(["schema", "export", "--standard", "enhetsregisteret", "--out", out, "--check"]) == 0
    )
    with open(f"{out}/erfr.xsd", "wb") as stale:
        stale.write(b"<stale/>")
    assert (
        main(["schema", "export", "--standard", "enhetsregisteret", "--out", out, "--check"]) == 1
    )
    assert "--standard enhetsregisteret" in capsys.readouterr().err


# ---------------------------------------------------------------------- tpn serve's composition


def test_the_composition_tpn_serve_runs_answers_at_enhetsregisteret() -> None:
    with ComposedMock() as mocks:
        http = session()
        base = mocks.base_url
        data = envelope("hentBasisdataMini", userid=USER, password=PASSWORD, orgnr=KOMMUNE)
        root = valid(returned(post(http, f"{base}/enhetsregisteret", data)))
        assert root.findtext("melding/navn/navn1") == "Oslo kommune"
        rest = http.get(f"{base}/enhetsregisteret/api/enheter/{KOMMUNE}", timeout=10)
        assert rest.json()["navn"] == "Oslo kommune"
        state = http.get(f"{base}/__admin/state", timeout=10).json()
        assert state["enhetsregisteret_enheter"] == 38
        assert http.post(f"{base}/__admin/reset", timeout=10).status_code == 200
        assert (
            http.get(f"{base}/__admin/state", timeout=10).json()["enhetsregisteret_enheter"] == 38
        )
        # The archive beside it is untouched by the new routes.
        assert http.get(f"{base}/noark4ws?wsdl", timeout=10).status_code == 200
