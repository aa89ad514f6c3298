#!/usr/bin/env python3
"""The intake guard both ways: a small document parsed whole and checked after, against the
stream checked as it goes (``fixtures/xmlguard.py``), side by side in one run.

For each document, µs per ``parse`` both ways (the median of ``--rounds`` rounds of ``--calls``
calls, the two ways alternating) and their ratio: the benchmark's GetJournpost and PutJournpost
requests, and hostile documents of up to 64 KiB that the whole way must hand to the stream
(nested past the depth limit, a namespace declaration's prefix run on for 64 KiB, 16,000
elements), at the SOAP intake's limits.

    python benchmarks/bench_xmlguard.py [--rounds 5] [--calls 2000]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_noark4ws import get_journpost_envelope, put_journpost_envelope

from tpn.fixtures import xmlguard
from tpn.mocks.soap.intake import Limits

LIMITS = Limits()


def documents() -> dict[str, bytes]:
    return {
        "GetJournpost request": get_journpost_envelope("12"),
        "PutJournpost request": put_journpost_envelope(2026, 1),
        "nested 100 deep": b"<a>" * 100 + b"</a>" * 100,
        '32 "xmlns:" before 64 KiB': b"<a " + b"xmlns:" * 32 + b"a" * 65_300 + b"/>",
        "16,000 elements": b"<m>" + b"<a/>" * 16_000 + b"</m>",
    }


def parse_once(data: bytes) -> None:
    with contextlib.suppress(xmlguard.Refused):  # the hostile ones are refused: that is their cost
        xmlguard.parse(data, max_depth=LIMITS.max_depth, max_elements=LIMITS.max_elements)


def timed(data: bytes, calls: int, *, whole: bool) -> float:
    """µs per parse, one way."""
    saved = xmlguard.SMALL_BYTES
    xmlguard.SMALL_BYTES = saved if whole else 0
    try:
        started = time.perf_counter()
        for _ in range(calls):
            parse_once(data)
        return (time.perf_counter() - started) / calls * 1e6
    finally:
        xmlguard.SMALL_BYTES = saved


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--calls", type=int, default=2000)
    args = p.parse_args()
    print(f"µs per parse, median of {args.rounds} rounds (the two ways alternating)")
    print(f"{'document':<28} {'bytes':>7} {'whole':>9} {'stream':>9} {'whole/stream':>13}")
    for name, data in documents().items():
        calls = max(1, args.calls * 1000 // max(len(data), 1000))  # big ones: fewer calls
        ways: dict[bool, list[float]] = {True: [], False: []}
        for whole in (True, False):
            timed(data, 3, whole=whole)  # the parser made, the XPath compiled: not measured
        for _ in range(args.rounds):
            for whole in (True, False):
                ways[whole].append(timed(data, calls, whole=whole))
        whole_us, stream_us = (statistics.median(ways[w]) for w in (True, False))
        print(
            f"{name:<28} {len(data):>7,} {whole_us:>9,.1f} {stream_us:>9,.1f}"
            f" {whole_us / stream_us:>12.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
