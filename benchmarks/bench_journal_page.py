#!/usr/bin/env python3
"""How long the journal page takes to render, over a journal of realistic exchanges.

    python benchmarks/bench_journal_page.py [--rows 1000] [--repeat 20]

It builds what a ``tpn serve`` worker serves (``tpn.mocks.compose.compose``, file SQLite),
records ``--rows`` exchanges (a one-line SOAP envelope of about 1 KB each way, a third of them
PutNoarksak) and calls the page's WSGI app directly, no HTTP: the list at 50 and 200 rows a
page, the list filtered by operation, and one exchange's page with its two messages indented
and highlighted, also with a 256 KiB request (the most the journal keeps of a body). Each
figure is the median of ``--repeat`` calls, in milliseconds.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import statistics
import tempfile
import time
from typing import Any

from tpn.mocks.compose import compose
from tpn.mocks.core.config import MockConfig
from tpn.mocks.core.parts import Assembly

ENVELOPE = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:n4="http://www.arkivverket.no/Noark4-1-WS-WD/types"><soapenv:Body>'
    "<n4:{op}Request><n4:noarksak><n4:saTittel>Byggesøknad, Storgata {n}</n4:saTittel>"
    "<n4:saEksternNokkel><n4:eksternSystem>skjemamotor</n4:eksternSystem>"
    "<n4:nokkel>soknad-{n:05d}</n4:nokkel></n4:saEksternNokkel>{filler}</n4:noarksak>"
    "</n4:{op}Request></soapenv:Body></soapenv:Envelope>"
)


def envelope(
    op: str, n: int, filler: str = "<n4:saOfftittel>" + "x" * 600 + "</n4:saOfftittel>"
) -> bytes:
    return ENVELOPE.format(op=op, n=n, filler=filler).encode()


def get(mocks: Assembly, path: str, query: str = "") -> float:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "wsgi.input": io.BytesIO(),
    }
    status: list[str] = []
    started = time.perf_counter()
    body = b"".join(mocks.app(environ, lambda s, h, *_: status.append(s)))
    took = time.perf_counter() - started
    assert status[0].startswith("200"), (status, body[:300])
    return took * 1000


def median(mocks: Assembly, repeat: int, path: str, query: str = "") -> float:
    return statistics.median(get(mocks, path, query) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        mocks = compose(MockConfig(db=f"sqlite:///{folder}/bench.sqlite3"))
        now = time.time() - args.rows
        for n in range(args.rows):
            op = "PutNoarksak" if n % 3 == 0 else "GetNoarksak"
            mocks.journal.record(
                service="Noark4WS",
                operation=op,
                http_status=200,
                outcome="ok",
                validation="valid",
                started=now + n,
                request=envelope(op, n),
                response=envelope(op, n),
            )
        big = envelope(
            "PutJournpost",
            0,
            "<n4:fil>" + base64.b64encode(os.urandom(190_000)).decode() + "</n4:fil>",
        )
        mocks.journal.record(
            service="Noark4WS",
            operation="PutJournpost",
            http_status=200,
            outcome="ok",
            validation="valid",
            started=time.time(),
            request=big[: mocks.journal.max_body],
            response=envelope("PutJournpost", 0),
        )
        page = "/__admin/view/journal"
        figures = [
            ("list, 50 a page (the default)", median(mocks, args.repeat, page)),
            ("list, 200 a page", median(mocks, args.repeat, page, "limit=200")),
            (
                "list filtered by operation, 50 a page",
                median(mocks, args.repeat, page, "operation=PutNoarksak"),
            ),
            ("one exchange (about 1 KB each way)", median(mocks, args.repeat, f"{page}/1")),
            (
                f"one exchange with a {len(big) // 1024} KiB request",
                median(mocks, args.repeat, f"{page}/{args.rows + 1}"),
            ),
        ]
        mocks.store.engine.dispose()
    print(f"journal of {args.rows:,} exchanges; median of {args.repeat} calls")
    for what, ms in figures:
        print(f"  {what:<44} {ms:8.1f} ms")


if __name__ == "__main__":
    main()
