"""Smoke test: the installed ``tpn serve``, as a vendor starts it, answers a real client.

Started as a subprocess (the console script next to this interpreter) on a free port, with a
file database and two worker processes; a zeep client stores a case and reads it back; the
WSDL is served; Ctrl+C stops everything. This is what tox runs on Python 3.12 and 3.13, where
it is the proof that the Spyne shim, granian and the store work on that version.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def tpn_command() -> list[str]:
    """The installed ``tpn`` script of this interpreter's environment, else the module."""
    script = shutil.which("tpn", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "tpn.harness.cli"]


@dataclass
class Served:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _wait_alive(served: Served) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last: Exception | None = None
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            pytest.fail(f"tpn serve exited with {served.process.returncode}:\n{served.output()}")
        try:
            with urllib.request.urlopen(f"{served.base_url}/isalive", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError as exc:
            last = exc
        time.sleep(0.05)
    pytest.fail(
        f"tpn serve did not answer /isalive within {STARTUP_TIMEOUT} s ({last}):\n{served.output()}"
    )


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop(served: Served) -> list[str]:
    """Ctrl+C, as a person stops it; returns what went wrong (the group is killed if needed)."""
    proc = served.process
    problems: list[str] = []
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            problems.append(f"tpn serve ignored Ctrl+C for {STOP_TIMEOUT} s")
    if proc.returncode not in (0, None):
        problems.append(f"tpn serve exited with {proc.returncode} after Ctrl+C")
    # The server ran in a session of its own: whatever is left in it is a worker it orphaned.
    deadline = time.monotonic() + STOP_TIMEOUT
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _group_alive(proc.pid):
        problems.append("worker processes outlived tpn serve")
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=STOP_TIMEOUT)
    return problems


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")}
    command = [
        *tpn_command(),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db",
        f"sqlite:///{tmp_path / 'archive.sqlite3'}",
        "--workers",
        "2",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    s = Served(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_alive(s)
        yield s
    finally:
        problems = _stop(s)
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
