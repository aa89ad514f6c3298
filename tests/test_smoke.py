"""Smoke test: the installed ``tpn serve``, as a vendor starts it, answers a real client.

Started as a subprocess (the console script next to this interpreter) on a free port, with a
file database and two worker processes; a zeep client stores a case and reads it back; the
WSDL is served; Ctrl+C stops everything. This is what tox runs on Python 3.12 and 3.13, where
it is the proof that the Spyne shim, granian and the store work on that version.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from served import Served


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    s = Served(tmp_path / "archive.sqlite3", workers=2)
    s.start()
    try:
        yield s
    finally:
        problems = s.stop()
    assert not problems, "; ".join(problems) + f"\n{s.output()}"


def test_serve_round_trip(served: Served) -> None:
    import requests
    import zeep
    import zeep.transports

    session = requests.Session()
    session.trust_env = False  # no proxies for 127.0.0.1
    wsdl_url = f"{served.base_url}/noark4ws?wsdl"

    wsdl = session.get(wsdl_url, timeout=10)
    assert wsdl.status_code == 200
    assert wsdl.headers["Content-Type"].startswith("text/xml")
    assert b"http://www.arkivverket.no/Noark4-1-WS-WD/types" in wsdl.content
    assert f'location="{served.base_url}/noark4ws"'.encode() in wsdl.content

    client = zeep.Client(wsdl_url, transport=zeep.transports.Transport(session=session, timeout=10))
    key = {"eksternSystem": "smoke", "nokkel": "sak-1"}
    put = client.service.PutNoarksak(noarksak={"saTittel": "Røyktest æøå", "saEksternNokkel": key})
    assert put.status.type == "OK", put.status
    assert put.noarksak.saSeknr == 1

    got = client.service.GetNoarksak(saEksternNokkel=key)
    assert got.status.type == "OK", got.status
    [sak] = got.noarksak
    assert (sak.saId, sak.saSaar, sak.saSeknr) == (put.noarksak.saId, put.noarksak.saSaar, 1)
    assert sak.saTittel == "Røyktest æøå"

    journal = session.get(f"{served.base_url}/__admin/journal", timeout=10).json()
    assert [e["operation"] for e in journal] == ["PutNoarksak", "GetNoarksak"]
