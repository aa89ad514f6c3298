#!/usr/bin/env python3
"""SendMelding throughput: in process (the WSGI app called directly) and over loopback.

    python benchmarks/bench_minside.py [--calls 2000] [--batch 100] [--http-calls 500]

It builds what a ``tpn serve`` worker serves (``tpn.mocks.compose.compose``, file SQLite,
journal on) and sends new messages (each its own eksternReferanse: every call is a write) to
``/minside/meldingsboks``, calling the app directly: no HTTP. Each batch's mean is one sample;
it prints the median and the fastest batch, and the resend (same reference: a read, nothing
stored) beside it. Then, when ``--http-calls`` is not 0, the same over loopback to a
``ComposedMock`` (the in-thread wsgiref server of the tests, one keep-alive requests session):
what one sequential client sees, not the server's ceiling (``tpn serve`` with gunicorn or granian
and wrk measure that).
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from typing import Any

import requests

from tpn.fixtures import population
from tpn.mocks.compose import ComposedMock, compose
from tpn.mocks.core.config import MockConfig
from tpn.mocks.minside.model import NS

PATH = "/minside/meldingsboks"
App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
CITIZEN = population.personas()[0].foedselsnummer
ORG = population.municipality("0301").organisasjonsnummer


def envelope(ref: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:m="{NS}"><s:Body><m:SendMeldingRequest><m:melding>'
        f"<m:mottaker>{CITIZEN}</m:mottaker><m:avsenderOrgnr>{ORG}</m:avsenderOrgnr>"
        "<m:avsenderNavn>Oslo kommune</m:avsenderNavn>"
        "<m:tittel>Kvittering for søknad om barnehageplass</m:tittel>"
        "<m:tekst>Vi har mottatt søknaden din.</m:tekst>"
        "<m:lenke>https://tjenester.oslo.example/barnehage/sak/1</m:lenke>"
        "<m:sikkerhetsnivaa>3</m:sikkerhetsnivaa>"
        "<m:vedlegg><m:filnavn>kvittering.pdf</m:filnavn><m:mimeType>application/pdf</m:mimeType>"
        "<m:data>JVBERi0xLjQKJSVFT0YK</m:data></m:vedlegg>"
        f"<m:eksternReferanse>{ref}</m:eksternReferanse>"
        "</m:melding></m:SendMeldingRequest></s:Body></s:Envelope>"
    ).encode()


def call(app: App, body: bytes) -> bytes:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": PATH,
        "QUERY_STRING": "",
        "CONTENT_TYPE": "text/xml; charset=utf-8",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "127.0.0.1:8000",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
    }
    return b"".join(app(environ, lambda status, headers, exc_info=None: None))


def _ok(answer: bytes) -> None:
    if b'type="OK"' not in answer:
        raise SystemExit(f"MinSide refused the message: {answer[:400]!r}")


def in_process(calls: int, batch: int) -> tuple[list[float], list[float]]:
    """(new messages, resends): µs per call, one sample per batch."""
    with tempfile.TemporaryDirectory() as tmp:
        app = compose(MockConfig(db=f"sqlite:///{tmp}/ms.sqlite3", journal=True)).app
        for n in range(20):  # warm up
            _ok(call(app, envelope(f"warm-{n}")))
        fresh, again = [], []
        sent = 0
        for _ in range(max(1, calls // batch)):
            bodies = [envelope(f"ref-{sent + i}") for i in range(batch)]
            sent += batch
            started = time.perf_counter()
            for body in bodies:
                call(app, body)
            fresh.append((time.perf_counter() - started) / batch * 1e6)
            started = time.perf_counter()
            for body in bodies:
                call(app, body)
            again.append((time.perf_counter() - started) / batch * 1e6)
        _ok(call(app, bodies[-1]))
        return fresh, again


def loopback(calls: int) -> float:
    """Seconds per new message, one client, over loopback."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        ComposedMock(MockConfig(db=f"sqlite:///{tmp}/ms.sqlite3")) as mocks,
    ):
        http = requests.Session()
        http.trust_env = False
        url = mocks.url + PATH
        headers = {"Content-Type": "text/xml; charset=utf-8"}
        for n in range(20):
            _ok(http.post(url, data=envelope(f"warm-{n}"), headers=headers, timeout=10).content)
        started = time.perf_counter()
        for n in range(calls):
            http.post(url, data=envelope(f"ref-{n}"), headers=headers, timeout=10)
        return (time.perf_counter() - started) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--http-calls", type=int, default=500)
    args = parser.parse_args()
    fresh, again = in_process(args.calls, args.batch)
    for name, samples in (("SendMelding, new", fresh), ("SendMelding, resend", again)):
        median, best = statistics.median(samples), min(samples)
        print(
            f"in process  {name:20} median {median:7.0f} µs/call ({1e6 / median:5.0f}/s), "
            f"best batch {best:7.0f} µs"
        )
    if args.http_calls:
        per = loopback(args.http_calls)
        print(
            f"loopback    SendMelding, new     {per * 1e6:7.0f} µs/call ({1 / per:5.0f}/s), one client"
        )


if __name__ == "__main__":
    main()
