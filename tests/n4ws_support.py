"""Fixtures and helpers for the tests of the Noark-4 WS reference archive's semantics.

The tests drive the archive as a real client does: zeep over HTTP, from the archive's own WSDL.
One server runs for the session; ``n4`` resets it before each test and freezes its clock, so
every test starts from an empty archive on a known day. Fixtures are imported into
``tests/conftest.py``; helpers are imported by the test modules.

Identities are synthetic only (``shared/standards/identifiers.md``): fødselsnummer with month
+80, organisation numbers starting with 3.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.transports import Transport

from tpn.conformance.noark4ws.checks import plain  # noqa: F401  (re-exported for the tests)
from tpn.conformance.noark4ws.identities import synthetic_fnr
from tpn.mocks.noark4ws import ArchiveMock

NS = "http://www.arkivverket.no/Noark4-1-WS-WD/types"
# The day the archive's clock stands still on in every test that does not set it itself.
TODAY = dt.date(2030, 5, 17)
NOON = dt.datetime(2030, 5, 17, 12, 0, 0)


# ---------------------------------------------------------------- synthetic identities


def synthetic_orgnr(body: int) -> str:
    """A synthetic organisation number: 3, seven digits from ``body``, the check digit."""
    for b in range(body, body + 100):
        digits = [int(c) for c in f"3{b % 10_000_000:07d}"]
        k = 11 - sum(d * w for d, w in zip(digits, (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        k = 0 if k == 11 else k
        if k != 10:
            return "".join(map(str, [*digits, k]))
    raise ValueError("no valid organisation number")


FNR_KARI = synthetic_fnr(15, 3, 85)
FNR_OLA = synthetic_fnr(2, 11, 71)
ORGNR_BYGG = synthetic_orgnr(1_234_567)


# ---------------------------------------------------------------- responses
# ``plain`` (a zeep object as plain dicts, without absent fields) is the suite's own.


def messages(resp: Any) -> list[tuple[str, str]]:
    return [(m.code, m._value_1 or "") for m in resp.status.message]


def codes(resp: Any) -> list[str]:
    return [c for c, _ in messages(resp)]


def _describe(resp: Any) -> str:
    return f"status {resp.status.type} {messages(resp)}"


def expect_ok(resp: Any) -> Any:
    assert resp.status.type == "OK", _describe(resp)
    assert not resp.status.message, _describe(resp)
    return resp


def expect_error(resp: Any, code: str) -> str:
    """Assert an ERROR with exactly one message of ``code`` and no object; return its text."""
    assert resp.status.type == "ERROR", _describe(resp)
    assert codes(resp) == [code], _describe(resp)
    for name in ("noarksak", "journpost"):
        value = getattr(resp, name, None)
        assert value is None or value == [], f"an ERROR answer carries no {name}: {value}"
    text = messages(resp)[0][1]
    assert text.strip(), "the message says what was wrong"
    return text


def expect_warning(resp: Any, code: str) -> str:
    assert resp.status.type == "WARNING", _describe(resp)
    assert codes(resp) == [code], _describe(resp)
    return messages(resp)[0][1]


# ---------------------------------------------------------------- client


def make_client(wsdl_url: str) -> Any:
    session = requests.Session()
    session.trust_env = False  # never a proxy from the environment for a local server
    return zeep.Client(
        wsdl_url, transport=Transport(session=session), settings=zeep.Settings(xml_huge_tree=True)
    )


class N4:
    """The archive as the tests use it: its zeep service, and short names for common calls."""

    def __init__(self, server: ArchiveMock, client: Any) -> None:
        self.server = server
        self.client = client
        self.service = client.service

    # raw operations
    def put_sak(self, **noarksak: Any) -> Any:
        return self.service.PutNoarksak(noarksak=noarksak)

    def put_jp(self, **journpost: Any) -> Any:
        return self.service.PutJournpost(journpost=journpost)

    def get_sak(self, **request: Any) -> Any:
        return self.service.GetNoarksak(**request)

    def get_jp(self, **request: Any) -> Any:
        return self.service.GetJournpost(**request)

    # happy paths
    def new_sak(self, saTittel: str = "Byggesak Storgata 1", **fields: Any) -> Any:
        """Create a case (asserting OK) and return it as stored."""
        return expect_ok(self.put_sak(saTittel=saTittel, **fields)).noarksak

    def new_jp(self, sak: Any, jpInnhold: str = "Søknad om rammetillatelse", **fields: Any) -> Any:
        """Create an entry in ``sak`` (asserting OK) and return it as stored."""
        resp = self.put_jp(jpInnhold=jpInnhold, jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr, **fields)
        return expect_ok(resp).journpost

    def sak(self, said: str, **flags: Any) -> Any:
        """The one case with ``said``, with the return flags given (asserting OK)."""
        found = expect_ok(self.get_sak(saId=said, returnNoarksakRequests=flags or None)).noarksak
        assert len(found) == 1
        return found[0]

    def jp(self, jpid: str, **flags: Any) -> Any:
        found = expect_ok(self.get_jp(jpId=jpid, returnJournpostRequests=flags or None)).journpost
        assert len(found) == 1
        return found[0]

    def update_jp(self, jp: Any, **fields: Any) -> Any:
        return self.put_jp(jpId=jp.jpId, jpInnhold=fields.pop("jpInnhold", jp.jpInnhold), **fields)

    def raw(self, operation: str, **request: Any) -> etree._Element:
        """The response body element of ``operation``, as the bytes on the wire say it."""
        with self.client.settings(raw_response=True):
            response = getattr(self.service, operation)(**request)
        assert response.status_code == 200, response.content[:500]
        root = etree.fromstring(response.content, etree.XMLParser(huge_tree=True))
        body = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
        assert body is not None
        return body[0]

    def set_clock(self, moment: dt.datetime) -> None:
        self.server.set_clock(moment, frozen=True)


ALL_SAK_FLAGS = {
    "returnJposts": True,
    "returnSakspart": True,
    "returnKlassering": True,
    "returnTilleggsinfo": True,
}
ALL_JP_FLAGS = {
    "returnAvmot": True,
    "returnTilleggsinfo": True,
    "returnDokument": True,
    "returnFil": True,
}


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def noark4ws_server() -> Iterator[ArchiveMock]:
    """The reference archive (memory store) for the whole session."""
    with ArchiveMock() as server:
        yield server


@pytest.fixture(scope="session")
def noark4ws_client(noark4ws_server: ArchiveMock) -> Any:
    """A zeep client of the session's archive, built from its WSDL."""
    return make_client(noark4ws_server.wsdl_url)


@pytest.fixture
def n4(noark4ws_server: ArchiveMock, noark4ws_client: Any) -> Iterator[N4]:
    """An empty archive whose clock stands at ``NOON``; any server-side failure fails the test."""
    noark4ws_server.reset()
    noark4ws_server.set_clock(NOON, frozen=True)
    yield N4(noark4ws_server, noark4ws_client)
    noark4ws_server.check()
