"""The mock server object and the admin side: lifecycle, errors reaching the test, journal, clock."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
import requests

from tpn.mocks.core.config import MockConfig
from tpn.mocks.core.server import ServerError
from tpn.mocks.noark4ws import ArchiveMock
from tpn.mocks.noark4ws.model import NS

PUT = (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:n="' + NS + '"><s:Body>'
    "<n:PutNoarksakRequest><n:noarksak><n:saTittel>Sak</n:saTittel></n:noarksak></n:PutNoarksakRequest>"
    "</s:Body></s:Envelope>"
).encode()
HEADERS = {"Content-Type": "text/xml; charset=utf-8"}


@pytest.fixture
def http() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    return s


def test_port_zero_is_read_back_and_starting_twice_is_an_error() -> None:
    archive = ArchiveMock()
    with archive:
        assert archive.port != 0
        assert archive.url == f"http://127.0.0.1:{archive.port}/noark4ws"
        assert archive.wsdl_url == archive.url + "?wsdl"
        with pytest.raises(RuntimeError, match="already running"):
            archive.start()
    assert not archive.running


def test_a_failure_inside_the_server_reaches_the_test(
    http: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = ArchiveMock()
    archive.start()

    def broken(_req: Any) -> Any:
        raise ZeroDivisionError("archive bug")

    monkeypatch.setitem(archive.archive._ops, "PutNoarksak", broken)
    r = http.post(archive.url, data=PUT, headers=HEADERS, timeout=10)
    assert r.status_code == 500 and "<faultcode>soap:Server</faultcode>" in r.text
    # The client hears of an incident, never the exception's text (it may hold SQL or paths).
    assert re.search(r"internal error in Noark4WS \(incident [0-9a-f]{8}\)", r.text)
    assert "ZeroDivisionError" not in r.text and "archive bug" not in r.text
    with pytest.raises(ServerError, match="archive bug"):
        archive.stop()


def test_admin_journal_reset_and_state(http: requests.Session) -> None:
    with ArchiveMock() as archive:
        base = archive.base_url
        assert http.post(archive.url, data=PUT, headers=HEADERS, timeout=10).status_code == 200
        assert (
            http.post(archive.url, data=b"not xml", headers=HEADERS, timeout=10).status_code == 500
        )
        journal = http.get(f"{base}/__admin/journal", timeout=10).json()
        assert [(e["operation"], e["outcome"]) for e in journal] == [
            ("PutNoarksak", "ok"),
            ("?", "fault:Client"),
        ]
        assert journal[0]["request"] == PUT.decode()
        assert journal[1]["validation"].startswith("Client: the request is not well-formed XML")
        after = http.get(f"{base}/__admin/journal?after={journal[0]['id']}", timeout=10).json()
        assert len(after) == 1
        assert http.get(f"{base}/__admin/state", timeout=10).json()["noarksak"] == 1
        assert http.post(f"{base}/__admin/reset", timeout=10).json() == {"reset": True}
        assert http.get(f"{base}/__admin/state", timeout=10).json()["noarksak"] == 0
        assert http.get(f"{base}/__admin/journal", timeout=10).json() == []
        missing = http.get(f"{base}/__admin/nothing", timeout=10)
        assert missing.status_code == 404 and "routes:" in missing.json()["error"]


def test_test_clock_sets_the_registration_year(http: requests.Session) -> None:
    with ArchiveMock() as archive:
        base = archive.base_url
        r = http.put(
            f"{base}/__admin/clock", data=json.dumps({"now": "2031-12-31T23:59:00"}), timeout=10
        )
        assert r.json() == {"now": "2031-12-31T23:59:00", "set": True, "frozen": True}
        body = http.post(archive.url, data=PUT, headers=HEADERS, timeout=10).text
        assert (
            "<tns:saSaar>2031</tns:saSaar>" in body
            and "<tns:saDato>2031-12-31</tns:saDato>" in body
        )
        archive.set_clock(dt.datetime(2032, 1, 1, 0, 0, 5))
        body = http.post(archive.url, data=PUT, headers=HEADERS, timeout=10).text
        assert "<tns:saSaar>2032</tns:saSaar>" in body and "<tns:saSeknr>1</tns:saSeknr>" in body
        bad = http.put(f"{base}/__admin/clock", data=b"{}", timeout=10)
        assert bad.status_code == 400 and '"now"' in bad.json()["error"]
        assert http.delete(f"{base}/__admin/clock", timeout=10).json()["set"] is False


def test_basic_auth_covers_admin_but_not_isalive(http: requests.Session) -> None:
    with ArchiveMock(MockConfig(auth=("arkiv", "hemmelig"))) as archive:
        assert http.get(f"{archive.base_url}/isalive", timeout=10).status_code == 200
        denied = http.get(f"{archive.base_url}/__admin/journal", timeout=10)
        assert denied.status_code == 401 and denied.headers["WWW-Authenticate"].startswith("Basic")
        ok = http.get(f"{archive.base_url}/__admin/journal", auth=("arkiv", "hemmelig"), timeout=10)
        assert ok.status_code == 200


def test_journal_can_be_switched_off(http: requests.Session) -> None:
    with ArchiveMock(MockConfig(journal=False)) as archive:
        assert http.post(archive.url, data=PUT, headers=HEADERS, timeout=10).status_code == 200
        assert archive.journal() == []


def test_unknown_path_is_a_soap_fault(http: requests.Session) -> None:
    with ArchiveMock() as archive:
        r = http.post(f"{archive.base_url}/other", data=PUT, headers=HEADERS, timeout=10)
        assert r.status_code == 404 and "no service at /other; services: /noark4ws" in r.text


def test_bad_config_values_say_which_and_why() -> None:
    with pytest.raises(ValueError, match="engine must be one of fast, spyne"):
        MockConfig(engine="zeep")
    from tpn.mocks.soap.intake import Limits

    with pytest.raises(ValueError, match="max_depth must be at least 1"):
        Limits(max_depth=0)
