"""Smoke test: the installed ``tpn serve``, as a vendor starts it, answers a real client and
the conformance suite.

Started as a subprocess (the console script next to this interpreter) on a free port, with a
file database and two worker processes; a zeep client stores a case and reads it back; the
WSDL is served; Ctrl+C stops everything. This is what tox runs on Python 3.12 and 3.13, where
it is the proof that the Spyne shim, granian and the store work on that version.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def test_certify_the_served_archive(served: Served, tmp_path: Path) -> None:
    """The suite judges the served archive (multi-process, file store) as it would a vendor's;
    on 3.12 and 3.13 this is the proof that the plugin, zeep and hypothesis work there."""
    import json
    import subprocess

    from served import tpn_command

    done = subprocess.run(
        [
            *tpn_command(),
            "certify",
            "--target",
            f"{served.base_url}/noark4ws",
            "-q",
            "--report-dir",
            str(tmp_path / "report"),
            "--",
            "-k",
            "transport or numbering",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    report = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["failed"] == 0 and report["summary"]["passed"] >= 5


def test_forms_generate_validate_and_certify(tmp_path: Path) -> None:
    """The forms side as a vendor runs it: generate documents, validate them, certify them."""
    import json

    from served import run_tpn

    def tpn(*args: str) -> Any:
        return run_tpn(None, *args)

    out = tmp_path / "forms"
    assert tpn("forms", "generate", "--out", str(out), "--count", "2").returncode == 0
    done = tpn("validate", "--quiet", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "30 documents: 30 valid, 0 invalid" in done.stdout
    report = tmp_path / "report"
    done = tpn(
        "certify",
        "--profile",
        "form-xml",
        "--target",
        str(out),
        "--level",
        "extended",
        "-q",
        "--report-dir",
        str(report),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    summary = json.loads((report / "report.json").read_text(encoding="utf-8"))["summary"]
    assert summary["passed"] == 19 and summary["failed"] == 0
