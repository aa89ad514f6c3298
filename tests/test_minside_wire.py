"""MinSide on the wire beyond its business rules: hostile input answered as soap:Client faults
that name the rule, injected faults after the commit leaving exactly one message and one case,
the WSDL drift check, durability across a restart on a file store, the composition's
``/minside`` (state, reset) and the router's order (an endpoint's exact path before a site)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from ms_support import CITIZEN, melding, sak, session
from zeep.transports import Transport

from tpn.fixtures import standard_file
from tpn.harness import schema
from tpn.mocks.compose import ComposedMock
from tpn.mocks.core.app import MockApp
from tpn.mocks.core.config import MockConfig
from tpn.mocks.minside.mock import (
    MELDINGSBOKS_PATH,
    MINESAKER_PATH,
    SERVICES,
    MinSideMock,
    MinSidePart,
)
from tpn.mocks.minside.model import NS
from tpn.mocks.soap.wsdl import PLACEHOLDER_URL

DETAIL = "{urn:tpn-harness:fault}problem"


def _post(http: requests.Session, url: str, body: bytes) -> requests.Response:
    return http.post(
        url, data=body, headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=10
    )


def _envelope(inner: str, prolog: str = "") -> bytes:
    return (
        f'{prolog}<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:m="{NS}"><s:Body>{inner}</s:Body></s:Envelope>'
    ).encode()


def _fault(response: requests.Response) -> tuple[str | None, str | None]:
    """(faultcode, rule) of a fault answer."""
    root = etree.fromstring(response.content)
    problem = root.find(f".//detail/{DETAIL}")
    if problem is None:
        problem = next(root.iter("{*}problem"))
    return root.findtext(".//faultcode"), problem.get("rule")


@pytest.fixture(scope="module")
def ms() -> Any:
    with MinSideMock() as mock:
        yield mock


@pytest.fixture(autouse=True)
def _fresh(ms: MinSideMock) -> None:
    ms.reset()


# ---------------------------------------------------------------- hostile input


def test_a_dtd_is_refused_naming_the_rule(ms: MinSideMock) -> None:
    body = _envelope(
        "<m:HentMeldingStatusRequest><m:meldingId>&x;</m:meldingId>"
        "<m:avsenderOrgnr>390301006</m:avsenderOrgnr></m:HentMeldingStatusRequest>",
        prolog='<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY x "boom">]>',
    )
    answer = _post(session(), ms.service_url(MELDINGSBOKS_PATH), body)
    assert answer.status_code == 500
    assert _fault(answer) == ("soap:Client", "xml.dtd")


def test_deep_nesting_is_refused_naming_the_rule(ms: MinSideMock) -> None:
    deep = "<m:x>" * 5000 + "</m:x>" * 5000
    answer = _post(session(), ms.service_url(MELDINGSBOKS_PATH), _envelope(deep))
    assert answer.status_code == 500
    assert _fault(answer) == ("soap:Client", "limit.depth")


def test_an_element_the_schema_lacks_is_a_client_fault(ms: MinSideMock) -> None:
    inner = (
        "<m:HentMeldingStatusRequest><m:meldingId>1</m:meldingId>"
        "<m:avsenderOrgnr>390301006</m:avsenderOrgnr><m:passord>x</m:passord>"
        "</m:HentMeldingStatusRequest>"
    )
    answer = _post(session(), ms.service_url(MELDINGSBOKS_PATH), _envelope(inner))
    assert _fault(answer) == ("soap:Client", "xsd")


def test_an_operation_of_another_service_is_not_taken_here(ms: MinSideMock) -> None:
    inner = "<m:HentTjenesterRequest/>"
    answer = _post(session(), ms.service_url(MELDINGSBOKS_PATH), _envelope(inner))
    assert _fault(answer) == ("soap:Client", "soap.operation")


def test_a_time_no_calendar_holds_is_a_client_fault(ms: MinSideMock) -> None:
    fields = sak(tidspunkt="99999-01-01T00:00:00")
    inner = "".join(f"<m:{k}>{v}</m:{k}>" for k, v in fields.items())
    body = _envelope(
        f"<m:OppdaterSaksstatusRequest><m:sak>{inner}</m:sak></m:OppdaterSaksstatusRequest>"
    )
    answer = _post(session(), ms.service_url(MINESAKER_PATH), body)
    assert _fault(answer) == ("soap:Client", "value.range")


# ---------------------------------------------------------------- faults after the commit


def _client(ms: MinSideMock, path: str, timeout: float = 10) -> Any:
    transport = Transport(session=session(), operation_timeout=timeout)
    return zeep.Client(ms.wsdl(path), transport=transport).service


@pytest.mark.parametrize("kind", ["drop-after-commit", "delay-after-commit"])
def test_a_lost_answer_to_sendmelding_leaves_one_message(ms: MinSideMock, kind: str) -> None:
    seconds = 1.5 if kind == "delay-after-commit" else None
    ms.inject(kind, operation="SendMelding", seconds=seconds)
    impatient = _client(ms, MELDINGSBOKS_PATH, timeout=0.5)
    with pytest.raises(requests.RequestException):
        impatient.SendMelding(melding=melding())
    assert ms.minside.counts()["minside_meldinger"] == 1  # committed, though never answered
    again = _client(ms, MELDINGSBOKS_PATH).SendMelding(melding=melding())
    [stored] = ms.minside.messages_for(CITIZEN)
    assert again.meldingId == stored.meldingId
    assert [e.fault_kind for e in ms.journal()] == [kind, None]


@pytest.mark.parametrize("kind", ["drop-after-commit", "delay-after-commit"])
def test_a_lost_answer_to_oppdatersaksstatus_leaves_one_case(ms: MinSideMock, kind: str) -> None:
    seconds = 1.5 if kind == "delay-after-commit" else None
    ms.inject(kind, operation="OppdaterSaksstatus", seconds=seconds)
    with pytest.raises(requests.RequestException):
        _client(ms, MINESAKER_PATH, timeout=0.5).OppdaterSaksstatus(sak=sak())
    again = _client(ms, MINESAKER_PATH).OppdaterSaksstatus(sak=sak())
    assert again.type == "OK"
    assert [c.saksnummer for c in ms.minside.cases_for(CITIZEN)] == ["2007/123"]


def test_an_error_status_fault_stores_nothing(ms: MinSideMock) -> None:
    ms.inject("error-status", operation="SendMelding")
    answer = _client(ms, MELDINGSBOKS_PATH).SendMelding(melding=melding())
    assert answer.status.type == "ERROR"
    assert [m.code for m in answer.status.message] == ["INTERNAL_ERROR"]
    assert ms.minside.counts()["minside_meldinger"] == 0


def test_every_service_takes_faults(ms: MinSideMock) -> None:
    assert set(SERVICES) <= set(ms.parts.faults.paths)


# ---------------------------------------------------------------- the schema


def test_fixture_files_match_the_model() -> None:
    for name, data in schema.exported_files("minside").items():
        assert standard_file("minside", name).read_bytes() == data, (
            f"fixtures/standards/minside/{name} is stale: "
            "run `tpn schema export --standard minside`"
        )


def test_served_wsdl_is_the_fixture_with_the_servers_address(ms: MinSideMock) -> None:
    http = session()
    for path in SERVICES:
        name = path.rpartition("/")[2]
        served = http.get(ms.wsdl(path), timeout=10).content
        fixture = standard_file("minside", f"{name}.wsdl").read_bytes()
        exported = fixture.replace(
            f"{schema.SERVE_ADDRESS}{path}".encode(), PLACEHOLDER_URL.encode()
        )
        assert served == exported.replace(PLACEHOLDER_URL.encode(), ms.service_url(path).encode())
        xsd = http.get(f"{ms.service_url(path)}?xsd", timeout=10).content
        assert xsd == standard_file("minside", f"{name}.xsd").read_bytes()


# ---------------------------------------------------------------- durability, composition


def test_messages_and_cases_survive_a_restart(tmp_path: Path) -> None:
    config = MockConfig(db=f"sqlite:///{tmp_path}/minside.db")
    with MinSideMock(config) as first:
        sent = _client(first, MELDINGSBOKS_PATH).SendMelding(melding=melding())
        _client(first, MINESAKER_PATH).OppdaterSaksstatus(sak=sak())
    with MinSideMock(config) as second:
        [kept] = second.minside.messages_for(CITIZEN)
        assert kept.meldingId == sent.meldingId
        assert [c.status for c in second.minside.cases_for(CITIZEN)] == ["MOTTATT"]
        resent = _client(second, MELDINGSBOKS_PATH).SendMelding(melding=melding())
        assert resent.meldingId == sent.meldingId


def test_the_composition_serves_minside_and_counts_and_resets_it() -> None:
    with ComposedMock() as mocks:
        http = session()
        box = zeep.Client(
            f"{mocks.url}{MELDINGSBOKS_PATH}?wsdl", transport=Transport(session=http)
        ).service
        assert box.SendMelding(melding=melding()).status.type == "OK"
        state = http.get(f"{mocks.url}/__admin/state", timeout=10).json()
        assert state["minside_meldinger"] == 1 and state["noarksak"] == 0
        assert http.post(f"{mocks.url}/__admin/reset", timeout=10).status_code == 200
        assert mocks.parts.part(MinSidePart).minside.counts()["minside_meldinger"] == 0


def _app(answer: bytes) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [answer]

    return app


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/minside/meldingsboks", b"endpoint"),
        ("/minside/meldingsboks/", b"endpoint"),
        ("/minside", b"site"),
        ("/minside/", b"site"),
        ("/minside/meldinger/1", b"site"),
        ("/minside/meldingsboksen", b"site"),
    ],
)
def test_an_endpoints_exact_path_wins_over_a_sites_prefix(path: str, expected: bytes) -> None:
    app = MockApp(
        {"/minside/meldingsboks": _app(b"endpoint")},
        _app(b"admin"),
        sites={"/minside": _app(b"site")},
    )
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    assert b"".join(app(environ, lambda status, headers: None)) == expected


def test_clock_moments_are_the_test_clocks(ms: MinSideMock) -> None:
    ms.set_clock(dt.datetime(2007, 12, 31, 23, 59))
    _client(ms, MELDINGSBOKS_PATH).SendMelding(melding=melding())
    assert ms.minside.messages_for(CITIZEN)[0].mottatt == dt.datetime(2007, 12, 31, 23, 59)
