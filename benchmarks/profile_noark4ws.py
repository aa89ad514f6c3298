#!/usr/bin/env python3
"""Where the archive spends a request: GetJournpost and PutJournpost, in-process, no HTTP.

Builds the WSGI app exactly as a worker does (``compose(MockConfig(...)).app``, file
SQLite, journal on unless told otherwise), seeds the same case and entries as
``bench_noark4ws.py``, then calls the app with a synthetic environ: first timed plainly (µs per
request), then under cProfile. Prints the top functions by own time and the same time grouped
by area (lxml, SQLAlchemy, sqlite3, Spyne, the project's own modules).

    python benchmarks/profile_noark4ws.py [--calls 3000] [--engine fast|spyne]
                                          [--no-journal | --no-moves]

``--no-moves`` keeps the journal on but never moves its rows into the store during the run (its
threshold, ``journal.FLUSH_BYTES``, raised past what the run logs): what a request costs with a
journal that only appends, the floor of any journal that keeps every exchange in the log.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_noark4ws import (
    answer_field,
    get_journpost_envelope,
    put_journpost_envelope,
    put_noarksak_envelope,
    status_type,
)

from tpn.mocks.compose import compose
from tpn.mocks.core import journal
from tpn.mocks.core.config import MockConfig

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Buckets for own time, by the file a function lives in; the first match wins.
AREAS: list[tuple[str, str]] = [
    ("mocks/soap/codec", "tpn codec"),
    ("mocks/soap/intake", "tpn intake"),
    ("mocks/soap/endpoint", "tpn endpoint"),
    ("mocks/journal", "tpn journal"),
    ("mocks/noark4ws", "tpn archive logic"),
    ("mocks/store", "tpn store"),
    ("mocks/", "tpn other"),
    ("sqlalchemy", "SQLAlchemy"),
    ("spyne", "Spyne"),
    ("lxml", "lxml"),
    ("sqlite3", "sqlite3"),
    ("json", "json"),
]


def call(app: App, body: bytes) -> bytes:
    """One POST to /noark4ws, as granian or gunicorn would hand it over."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/noark4ws",
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


def seed(app: App, entries: int) -> tuple[bytes, bytes]:
    """(GetJournpost body, PutJournpost body), after one case and ``entries`` entries."""
    case = call(app, put_noarksak_envelope())
    put = put_journpost_envelope(
        int(answer_field(case, "saSaar")), int(answer_field(case, "saSeknr"))
    )
    ids = [answer_field(call(app, put), "jpId") for _ in range(entries)]
    get = get_journpost_envelope(ids[len(ids) // 2])
    answer = call(app, get)
    if status_type(answer) != "OK":
        raise RuntimeError(f"GetJournpost failed: {answer[:600]!r}")
    return get, put


def timed(app: App, body: bytes, calls: int) -> float:
    """µs per request, without the profiler's overhead."""
    for _ in range(min(200, calls)):  # warm caches (plans, statement cache, schema)
        call(app, body)
    started = time.perf_counter()
    for _ in range(calls):
        call(app, body)
    return (time.perf_counter() - started) / calls * 1e6


def area_of(filename: str) -> str:
    for needle, area in AREAS:
        if needle in filename:
            return area
    return "builtins/other" if filename.startswith("~") or "<" in filename else Path(filename).name


def profile(app: App, body: bytes, calls: int, top: int) -> None:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        call(app, body)
    prof.disable()
    stats = pstats.Stats(prof)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    by_area: dict[str, float] = {}
    rows = []
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in raw.items():
        by_area[area_of(filename)] = by_area.get(area_of(filename), 0.0) + tottime
        rows.append((tottime, cumtime, ncalls, f"{_short(filename)}:{line}({name})"))
    print(f"  own time by area (profiled total {total / calls * 1e6:,.0f} µs/request):")
    for area, seconds in sorted(by_area.items(), key=lambda kv: -kv[1])[:12]:
        print(f"    {area:<22} {seconds / calls * 1e6:7.1f} µs  {seconds / total:5.1%}")
    print(
        f"  top {top} functions by own time (µs per request: own, cumulative; calls per request):"
    )
    for tottime, cumtime, ncalls, where in sorted(rows, reverse=True)[:top]:
        print(
            f"    {tottime / calls * 1e6:7.1f} {cumtime / calls * 1e6:8.1f}"
            f"  {ncalls / calls:5.1f}  {where}"
        )
    cumulative = sorted(rows, key=lambda r: -r[1])
    print("  largest cumulative, project code only:")
    shown = 0
    for _tot, cumtime, ncalls, where in cumulative:
        if "mocks/" in where and shown < top:
            print(f"    {cumtime / calls * 1e6:8.1f} µs  {ncalls / calls:5.1f}x  {where}")
            shown += 1


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/work/main/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--calls", type=int, default=3000)
    p.add_argument("--engine", choices=("fast", "spyne"), default="fast")
    ways = p.add_mutually_exclusive_group()
    ways.add_argument("--no-journal", action="store_true")
    ways.add_argument("--no-moves", action="store_true", help="the journal appends, never moves")
    p.add_argument("--top", type=int, default=18)
    args = p.parse_args()
    if args.no_moves:
        journal.FLUSH_BYTES = 1 << 40
    journal_said = "off" if args.no_journal else "on, appends only" if args.no_moves else "on"
    with tempfile.TemporaryDirectory(prefix="profile-noark4ws-") as tmp:
        config = MockConfig(
            db=f"sqlite:///{tmp}/p.sqlite3", engine=args.engine, journal=not args.no_journal
        )
        parts = compose(config)
        get, put = seed(parts.app, 20)
        for name, body in (("GetJournpost", get), ("PutJournpost", put)):
            us = timed(parts.app, body, args.calls)
            print(
                f"\n{name} (engine {args.engine}, journal {journal_said}): "
                f"{us:,.0f} µs/request unprofiled, {1e6 / us:,.0f}/s on one core"
            )
            profile(parts.app, body, args.calls, args.top)
        parts.store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
