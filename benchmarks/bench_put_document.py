#!/usr/bin/env python3
"""In-process PutJournpost with a large document: microseconds per call, per engine.

    python benchmarks/bench_put_document.py [--size-kb 512] [--calls 200] [--batch 20]

It builds what a ``tpn serve`` worker serves (``tpn.mocks.compose.compose``, file SQLite,
journal on), seeds a case, and replays one PutJournpost whose document is ``--size-kb`` of
random bytes (base64 in the request), calling the WSGI app directly: no HTTP, no front. Each
batch's mean is one sample; it prints the median and the fastest batch for both engines (fast
codec and Spyne's pipeline) side by side, and their ratio. Issue 16's note compares this
figure before and after one representation per Put (the document decoded once).
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_noark4ws as bench
from profile_noark4ws import call

from tpn.mocks.compose import compose
from tpn.mocks.core.config import MockConfig

# The small PDF the benchmark's PutJournpost envelope carries, replaced by the large document.
SMALL = base64.b64encode(
    b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n1 0 obj\n<</Type/Catalog>>\nendobj\n%%EOF\n"
)


def measure(engine: str, size: int, calls: int, batch: int) -> list[float]:
    document = b"%PDF-1.4\n" + os.urandom(size - 9)
    with tempfile.TemporaryDirectory() as tmp:
        parts = compose(MockConfig(db=f"sqlite:///{tmp}/p.sqlite3", engine=engine, journal=True))
        app = parts.app
        case = call(app, bench.put_noarksak_envelope())
        put = bench.put_journpost_envelope(
            int(bench.answer_field(case, "saSaar")), int(bench.answer_field(case, "saSeknr"))
        )
        if SMALL not in put:
            raise SystemExit("the benchmark's envelope no longer carries the small PDF")
        put = put.replace(SMALL, base64.b64encode(document))
        first = call(app, put)
        if bench.status_type(first) != "OK":
            raise SystemExit(f"the archive refused the document: {first[:400]!r}")
        for _ in range(10):  # warm up
            call(app, put)
        samples = []
        for _ in range(max(1, calls // batch)):
            started = time.perf_counter()
            for _ in range(batch):
                call(app, put)
            samples.append((time.perf_counter() - started) / batch * 1e6)
        parts.store.dispose()
    return samples


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--size-kb", type=int, default=512)
    p.add_argument("--calls", type=int, default=200)
    p.add_argument("--batch", type=int, default=20)
    a = p.parse_args()
    rows = {}
    for engine in ("fast", "spyne"):
        rows[engine] = measure(engine, a.size_kb * 1024, a.calls, a.batch)
    print(f"PutJournpost with a {a.size_kb} KB document, in process, µs per call")
    print(f"{'engine':<7} {'median':>9} {'fastest':>9}")
    for engine, samples in rows.items():
        print(f"{engine:<7} {statistics.median(samples):>9.0f} {min(samples):>9.0f}")
    ratio = statistics.median(rows["spyne"]) / statistics.median(rows["fast"])
    print(f"spyne / fast: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
