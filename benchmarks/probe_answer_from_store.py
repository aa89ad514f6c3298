#!/usr/bin/env python3
"""What writing a GetJournpost answer straight from the stored JSON would save, side by side in
one run: a question the in-process target (150 µs a GetJournpost) raised, answered before the
change it would need.

Today a read turns the stored message dict into Spyne model objects (``codec.from_dict``), the
objects the archive's policies and the defects' filters act on, and writes those as XML
(``codec.to_xml``). The alternative writes the XML from the dict itself, field by field in the
model's order, converting each stored value as ``from_dict`` and ``to_xml`` would. It is a
prototype here, not in the reference: the script checks that it writes exactly the same text,
and times both on the benchmark's entry (``bench_noark4ws.py``: the same case, entries and
GetJournpost), the median of ``--rounds`` rounds of ``--calls`` calls, the two ways alternating.

    python benchmarks/probe_answer_from_store.py [--rounds 5] [--calls 20000]

Measured 2026-12-06 on the 2-core machine: 30.8 µs today, 23.4 µs from the dict (0.76), about
7 µs of the 46 that a GetJournpost (about 196 µs) would have to lose.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from profile_noark4ws import seed
from sqlalchemy import select

from tpn.mocks.compose import compose
from tpn.mocks.core import hot
from tpn.mocks.core.config import MockConfig
from tpn.mocks.noark4ws import model as m
from tpn.mocks.noark4ws import queries as q
from tpn.mocks.noark4ws import reads, tables
from tpn.mocks.soap import codec


def _leaf(f: codec.Field, value: Any) -> str:
    """A stored value as ``from_dict`` then ``to_xml`` write it."""
    assert f.from_text is not None and f.to_text is not None
    if f.from_text is str and type(value) is str:
        return str(value)  # the value itself (str() of a str is the same object)
    return f.to_text(value if isinstance(value, bool | int) else f.from_text(value))


def from_stored(
    cls: type[Any], data: dict[str, Any], name: str, prefix: str, out: list[str]
) -> None:
    """``to_xml(from_dict(cls, data), name, prefix, ...)`` without the objects."""
    p = codec.plan(cls)
    tag = f"{prefix}:{name}"
    out.append("<" + tag)
    content: list[str] = []
    text: str | None = None
    for f in p.fields:
        value = data.get(f.name)
        if value is None:
            continue
        if f.kind == codec.ATTR:
            out.append(f' {f.name}="{codec._attr(_leaf(f, value))}"')
        elif f.kind == codec.DATA:
            text = codec._text(_leaf(f, value))
        else:
            for item in value if f.many else (value,):
                if item is None:
                    continue
                if f.kind == codec.COMPLEX:
                    assert f.cls is not None
                    from_stored(f.cls, item, f.name, prefix, content)
                else:
                    child = f"{prefix}:{f.name}"
                    content.append(f"<{child}>{codec._text(_leaf(f, item))}</{child}>")
    if text is None and not content:
        out.append("/>")
        return
    out.append(">")
    if text is not None:
        out.append(text)
    out.extend(content)
    out.append(f"</{tag}>")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--calls", type=int, default=20000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="probe-answer-") as tmp:
        parts = compose(MockConfig(db=f"sqlite:///{tmp}/p.sqlite3"))
        seed(parts.app, 20)
        jp = tables.journpost
        with parts.store.read() as conn:
            row = conn.execute(select(jp.c.id, jp.c.data).order_by(jp.c.id.desc())).first()
            assert row is not None
            data = reads.jp_data(row)
            docs = [json.loads(r.meta) for r in hot.rows(conn, q.DOCS_META, {"b_id": row.id})]
        parts.store.dispose()
    for doc in docs:
        doc.pop("fil", None)  # the benchmark's read asks for no file content
    ns = m.JournpostType.get_namespace()
    answer = reads.Reads.__new__(reads.Reads)  # _journpost_object uses no state

    def today() -> str:
        out: list[str] = []
        codec.to_xml(answer._journpost_object(dict(data), docs), "journpost", "tns", ns, out)
        return "".join(out)

    def stored() -> str:
        out: list[str] = []
        from_stored(m.JournpostType, {**data, "dokument": docs}, "journpost", "tns", out)
        return "".join(out)

    if today() != stored():
        print("the two ways wrote different text:", today(), stored(), sep="\n")
        return 1
    ways: dict[str, Callable[[], str]] = {"today": today, "from the dict": stored}
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.rounds):
        for name, way in ways.items():
            started = time.perf_counter()
            for _ in range(args.calls):
                way()
            times[name].append((time.perf_counter() - started) / args.calls * 1e6)
    base = statistics.median(times["today"])
    print(f"the benchmark's entry ({len(today())} characters, {len(docs)} document), identical")
    for name, values in times.items():
        us = statistics.median(values)
        print(f"  {name:<14} {us:6.1f} µs  {us / base:4.2f}×  (median of {args.rounds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
