"""tpn.testing: the reference mocks in a test's own process, reached through `responses` with
no socket, by a vendor's zeep and requests code unchanged; beside the vendor's own use of
`responses`; with the journal, clock, faults and defects to steer and assert on."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import requests
import responses
import zeep
from lxml import etree
from ms_support import tjeneste
from zeep.exceptions import Fault

from tpn.testing import BASE_URL, InProcessMocks

# ---------------------------------------------------------------- zeep, unchanged


def test_zeep_files_and_reads_a_case_in_process(
    tpn_archive: Any, tpn_mocks: InProcessMocks
) -> None:
    client = zeep.Client(tpn_archive.wsdl_url)
    put = client.service.PutNoarksak(noarksak={"saTittel": "Søknad om byggetillatelse"})
    assert put.status.type == "OK", put.status
    sak = put.noarksak
    got = client.service.GetNoarksak(saksnummer={"saSaar": sak.saSaar, "saSeknr": sak.saSeknr})
    assert got.noarksak[0].saTittel == "Søknad om byggetillatelse"
    # What the archive holds, and what the journal recorded, to assert on.
    assert tpn_archive.counts()["noarksak"] == 1
    assert [e.operation for e in tpn_mocks.journal()] == ["PutNoarksak", "GetNoarksak"]
    assert tpn_mocks.journal(operation="PutNoarksak")[0].http_status == 200


def test_no_socket_is_opened(monkeypatch: pytest.MonkeyPatch, tpn_archive: Any) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr("socket.socket.connect", refuse)
    assert requests.get(tpn_archive.wsdl_url, timeout=5).status_code == 200


def test_the_portal_names_itself_at_the_base_url(tpn_portal: Any) -> None:
    metadata = requests.get(tpn_portal.metadata_url, timeout=5)
    assert metadata.status_code == 200
    assert f'entityID="{BASE_URL}/sikkerhetsportal/metadata"'.encode() in metadata.content
    assert f"{BASE_URL}/sikkerhetsportal/artifact".encode() in metadata.content


def test_minside_takes_a_service_into_its_catalogue(tpn_minside: Any) -> None:
    catalogue = zeep.Client(f"{tpn_minside.tjenestekatalog_url}?wsdl").service
    answer = catalogue.RegistrerTjeneste(tjeneste=tjeneste())
    assert answer.status.type == "OK", answer.status
    [held] = tpn_minside.contents()["tjenester"]
    assert held["tjenesteId"] == "oslo-barnehage"
    for url in (tpn_minside.meldingsboks_url, tpn_minside.minesaker_url):
        assert requests.get(f"{url}?wsdl", timeout=5).status_code == 200


def test_enhetsregisteret_answers_over_soap_and_rest(tpn_enhetsregisteret: Any) -> None:
    register = zeep.Client(tpn_enhetsregisteret.wsdl_url)
    user, password = tpn_enhetsregisteret.credentials
    answer = register.service.hentBasisdataMini(userid=user, password=password, orgnr="390301006")
    assert "Oslo kommune" in str(answer)
    rest = requests.get(f"{tpn_enhetsregisteret.api_url}/enheter/390301006", timeout=5)
    assert rest.status_code == 200
    assert rest.json()["navn"] == "Oslo kommune"


# ---------------------------------------------------------------- steering


def test_the_test_clock_steers_the_archive(tpn_mocks: InProcessMocks, tpn_archive: Any) -> None:
    tpn_mocks.set_clock(dt.datetime(2031, 2, 3, 10, 0))
    client = zeep.Client(tpn_archive.wsdl_url)
    sak = client.service.PutNoarksak(noarksak={"saTittel": "Klage"}).noarksak
    assert sak.saSaar == 2031
    assert sak.saDato == dt.date(2031, 2, 3)


def test_an_injected_soap_fault(tpn_mocks: InProcessMocks, tpn_archive: Any) -> None:
    injected = tpn_mocks.inject_fault("soap-server-fault", operation="PutNoarksak")
    client = zeep.Client(tpn_archive.wsdl_url)
    with pytest.raises(Fault):
        client.service.PutNoarksak(noarksak={"saTittel": "Klage"})
    assert tpn_archive.counts()["noarksak"] == 0
    [entry] = tpn_mocks.journal(operation="PutNoarksak")
    assert entry.fault_id == injected.id
    # Only once: the next call is handled.
    assert client.service.PutNoarksak(noarksak={"saTittel": "Klage"}).status.type == "OK"


def test_a_dropped_answer_is_a_connection_error_after_the_commit(
    tpn_mocks: InProcessMocks, tpn_archive: Any
) -> None:
    tpn_mocks.inject_fault("drop-after-commit", operation="PutNoarksak")
    client = zeep.Client(tpn_archive.wsdl_url)
    with pytest.raises(requests.ConnectionError, match="without an answer"):
        client.service.PutNoarksak(noarksak={"saTittel": "Klage"})
    assert tpn_archive.counts()["noarksak"] == 1  # committed, the answer lost


def test_a_held_answer_times_out_as_on_a_socket(
    tpn_mocks: InProcessMocks, tpn_archive: Any
) -> None:
    client = zeep.Client(tpn_archive.wsdl_url)
    body = etree.tostring(
        client.create_message(client.service, "PutNoarksak", noarksak={"saTittel": "Klage"})
    )
    tpn_mocks.inject_fault("delay-after-commit", operation="PutNoarksak", seconds=5)
    with pytest.raises(requests.ReadTimeout, match="held its answer 5 s"):
        requests.post(
            tpn_archive.url, data=body, headers={"Content-Type": "text/xml"}, timeout=0.05
        )


@pytest.mark.tpn_defects("client-numbers-kept")
def test_a_defect_by_marker(tpn_archive: Any) -> None:
    client = zeep.Client(tpn_archive.wsdl_url)
    put = client.service.PutNoarksak(noarksak={"saTittel": "Klage", "saSaar": 1999, "saSeknr": 7})
    # The defective archive keeps the client's numbers, without NUMBER_REPLACED.
    assert (put.noarksak.saSaar, put.noarksak.saSeknr) == (1999, 7)
    assert put.status.type == "OK"


def test_the_reference_replaces_the_numbers_a_client_sends(tpn_archive: Any) -> None:
    client = zeep.Client(tpn_archive.wsdl_url)
    put = client.service.PutNoarksak(noarksak={"saTittel": "Klage", "saSaar": 1999, "saSeknr": 7})
    assert put.noarksak.saSaar != 1999
    assert put.status.type == "WARNING"


def test_use_defects_runs_on_afresh(tpn_mocks: InProcessMocks, tpn_archive: Any) -> None:
    client = zeep.Client(tpn_archive.wsdl_url)
    client.service.PutNoarksak(noarksak={"saTittel": "Før"})
    tpn_mocks.use_defects("client-numbers-kept")
    assert tpn_archive.counts()["noarksak"] == 0
    put = client.service.PutNoarksak(noarksak={"saTittel": "Klage", "saSaar": 1999, "saSeknr": 7})
    assert put.noarksak.saSaar == 1999


def test_an_unknown_defect_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="no-such-defect"):
        InProcessMocks(defects=("no-such-defect",))


def test_reset_forgets_everything(tpn_mocks: InProcessMocks, tpn_archive: Any) -> None:
    zeep.Client(tpn_archive.wsdl_url).service.PutNoarksak(noarksak={"saTittel": "Klage"})
    tpn_mocks.reset()
    assert tpn_archive.counts()["noarksak"] == 0
    assert tpn_mocks.journal() == []


# ---------------------------------------------------------------- beside the vendor's responses


@responses.activate
def test_beside_the_vendors_own_routes_and_their_unmatched_requests_still_fail(
    tpn_archive: Any,
) -> None:
    responses.add(responses.GET, "https://api.vendor.example/status", json={"ok": True})
    assert requests.get("https://api.vendor.example/status", timeout=5).json() == {"ok": True}
    assert requests.get(tpn_archive.wsdl_url, timeout=5).status_code == 200
    with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
        requests.get("https://api.vendor.example/unknown", timeout=5)


def test_when_no_test_uses_responses_other_requests_fail_as_responses_makes_them(
    tpn_archive: Any,
) -> None:
    with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
        requests.get("https://elsewhere.example/", timeout=5)


@pytest.fixture
def local_server() -> Iterator[str]:
    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"hello from a real socket")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_passthrough_rules_keep_working(tpn_archive: Any, local_server: str) -> None:
    responses.add_passthru(local_server)
    assert requests.get(f"{local_server}/", timeout=5).text == "hello from a real socket"
    assert requests.get(tpn_archive.wsdl_url, timeout=5).status_code == 200


def test_a_requests_mock_of_the_tests_own_joins_with_join(tpn_mocks: InProcessMocks) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.add(responses.GET, "https://api.vendor.example/x", body="x")
        # Started after ours, its patch hides ours until the mocks join it.
        with pytest.raises(requests.ConnectionError):
            requests.get(tpn_mocks.archive.wsdl_url, timeout=5)
        tpn_mocks.join(rsps)
        assert requests.get(tpn_mocks.archive.wsdl_url, timeout=5).status_code == 200
        assert requests.get("https://api.vendor.example/x", timeout=5).text == "x"
    # Leaving it asserted every route it was told to expect was fired; the mocks' route is
    # not one the test promised, so it never counts as unfired.


def test_outside_pytest_as_a_context_manager() -> None:
    with InProcessMocks().running() as mocks:
        assert requests.get(mocks.archive.wsdl_url, timeout=5).status_code == 200
    assert responses.mock._patcher is None  # stopped again: nothing left patched


def test_nothing_is_patched_unless_a_test_asks() -> None:
    assert responses.mock._patcher is None
    assert responses.mock.registered() == []


def test_the_mocks_run_with_credentials_when_asked() -> None:
    with InProcessMocks(auth=("arkiv", "hemmelig")).running() as mocks:
        refused = requests.get(mocks.url("/__admin/state"), timeout=5)
        assert refused.status_code == 401
        state = requests.get(mocks.url("/__admin/state"), auth=("arkiv", "hemmelig"), timeout=5)
        assert state.status_code == 200


def test_a_base_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValueError, match="http"):
        InProcessMocks(base_url="ftp://tpn.invalid")
