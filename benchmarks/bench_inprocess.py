#!/usr/bin/env python3
"""One round trip to the reference archive, in process (``tpn.testing``: `responses` hands the
request to the app, no socket) against the same round trip over loopback (every mock served on
a free port in a thread, as the project's tests serve them, and ``tpn serve`` in its own
process), side by side in one run.

The round trip is a vendor's: requests posts a GetNoarksak envelope (built by zeep from the
archive's WSDL) for a case that exists, and reads the answer. Each figure is the median of
``--rounds`` rounds of ``--calls`` calls.

    python benchmarks/bench_inprocess.py [--calls 500] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
import zeep
from lxml import etree

from tpn.mocks.compose import ComposedMock
from tpn.mocks.core.serving import free_port
from tpn.testing import InProcessMocks


def envelope(wsdl_url: str, session: requests.Session) -> tuple[bytes, int, int]:
    """A GetNoarksak request for a case made first, as bytes."""
    client = zeep.Client(wsdl_url, transport=zeep.Transport(session=session))
    sak = client.service.PutNoarksak(noarksak={"saTittel": "Benchmark"}).noarksak
    message = client.create_message(
        client.service,
        "GetNoarksak",
        saksnummer={"saSaar": sak.saSaar, "saSeknr": sak.saSeknr},
    )
    return etree.tostring(message), sak.saSaar, sak.saSeknr


def timed(url: str, session: requests.Session, body: bytes, calls: int) -> float:
    """µs per round trip over ``calls`` calls."""
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
    started = time.perf_counter()
    for _ in range(calls):
        answer = session.post(url, data=body, headers=headers, timeout=10)
        if answer.status_code != 200:
            raise SystemExit(f"{url} answered {answer.status_code}: {answer.text[:300]}")
    return (time.perf_counter() - started) / calls * 1e6


def median_of(run: Callable[[], float], rounds: int) -> float:
    return statistics.median(run() for _ in range(rounds))


def served_tpn(port: int, folder: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "tpn.harness.cli",
        "serve",
        "--port",
        str(port),
        "--db",
        f"sqlite:///{folder / 'bench.db'}",
    ]
    log = folder / "serve.log"
    with log.open("wb") as err:  # a file, not a pipe nobody drains while the benchmark runs
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/isalive", timeout=1).ok:
                return process
        except requests.ConnectionError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    said = log.read_text(errors="replace")[-2000:]
    raise SystemExit(f"tpn serve did not come up in 60 s:\n{said}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows: list[tuple[str, float]] = []

    def measure(name: str, url: str) -> None:
        """Make a case at the archive ``url``, then time GetNoarksak of it."""
        session = requests.Session()
        session.trust_env = False  # never a proxy from the environment
        body, *_ = envelope(f"{url}?wsdl", session)
        timed(url, session, body, 50)  # warm-up
        rows.append((name, median_of(lambda: timed(url, session, body, args.calls), args.rounds)))

    with InProcessMocks().running() as mocks:
        measure("in process (tpn.testing)", mocks.archive.url)
    with ComposedMock() as served:
        measure("loopback, a thread (ComposedMock)", f"{served.url}/noark4ws")
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        process = served_tpn(port, Path(folder))
        try:
            measure("loopback, tpn serve (its own process)", f"http://127.0.0.1:{port}/noark4ws")
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)

    base = rows[0][1]
    print(f"GetNoarksak round trip, requests, median of {args.rounds} rounds of {args.calls} calls")
    print(f"{'where':42} {'µs/call':>9} {'× in process':>13}")
    for name, micros in rows:
        print(f"{name:42} {micros:9.0f} {micros / base:13.2f}")


if __name__ == "__main__":
    main()
