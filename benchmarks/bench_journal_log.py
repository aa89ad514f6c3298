#!/usr/bin/env python3
"""What recording one exchange costs the request that makes it: the journal's log against a
row committed on its own, side by side in one run, on a file store.

For each way it records the same exchanges (a GetJournpost-sized answer of about 5 KB) and
prints µs per record, the median of ``--rounds`` rounds, and the ratio. "row per request" is
what the journal did before the log, and still does on a database other than SQLite (a write
transaction of its own per row); "log" is ``Journal.record`` as it is, its moves included.

    python benchmarks/bench_journal_log.py [--records 3000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tpn.mocks.core import journal as journal_module
from tpn.mocks.core.journal import Journal
from tpn.mocks.core.store import Store

REQUEST = b"<soap:Envelope>" + b"r" * 900 + b"</soap:Envelope>"
RESPONSE = b"<soap:Envelope>" + b"a" * 5000 + b"</soap:Envelope>"


def record_all(journal: Journal, n: int) -> float:
    """µs per record for ``n`` records, and the moves they cause."""
    started = time.perf_counter()
    for i in range(n):
        journal.record(
            service="noark4ws",
            operation="GetJournpost",
            http_status=200,
            outcome="ok",
            validation="valid",
            started=time.time(),
            request=REQUEST,
            response=RESPONSE,
            key=str(i),
        )
    journal.flush()  # the last rows moved too: every way ends with all of them in the table
    return (time.perf_counter() - started) / n * 1e6


def one_way(folder: Path, name: str, n: int, with_log: bool) -> float:
    original: Callable[..., object] = journal_module._log_of
    if not with_log:
        journal_module._log_of = lambda store: None  # type: ignore[assignment]
    try:
        store = Store(f"sqlite:///{folder / (name + '.db')}")
        journal = Journal(store)
        took = record_all(journal, n)
        assert journal.count() == n, "a record went missing"
        store.dispose()
        return took
    finally:
        journal_module._log_of = original  # type: ignore[assignment]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--records", type=int, default=3000)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    figures: dict[str, list[float]] = {"row per request": [], "log": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for label, with_log in (("row per request", False), ("log", True)):
                figures[label].append(one_way(Path(tmp), f"{label[:3]}{r}", args.records, with_log))
    base = statistics.median(figures["row per request"])
    print(
        f"{args.records} records of {len(REQUEST) + len(RESPONSE):,} bytes, median of "
        f"{args.rounds} rounds, file SQLite (WAL, synchronous=NORMAL)"
    )
    for label, values in figures.items():
        med = statistics.median(values)
        print(f"  {label:<16} {med:7.1f} µs per record   {base / med:5.2f}x")


if __name__ == "__main__":
    main()
