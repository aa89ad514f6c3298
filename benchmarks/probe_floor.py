#!/usr/bin/env python3
"""How fast a request could be with no archive in it: the in-process targets (150 µs a
GetJournpost, 400 a PutJournpost) against a floor that keeps what every request must do and
drops what makes the mock an archive.

The floor of each request keeps the reference's own stages around the store: the intake guard
and the Body, the XSD check, the request's objects, the answer's envelope and the journal's
record (the same code, the same endpoint). Between them, instead of the archive, it runs the
statements the reference's transaction runs for that request, the same ones in the same order
(checked: both are traced, and the script stops if they differ), on the driver's own connection
with none of the archive's logic: no policies, no checks of the entry or its documents, no
numbering but the counter's, no SQLAlchemy transaction, no writers' lock, no fault check, no
routing. A PutJournpost's answer is the reference's last answer object, written again; a
GetJournpost's too, so its answer is not even built from the row it read. What the floor leaves
out, the reference needs; so no reference can be faster than it.

The benchmark's requests and store (``bench_noark4ws.py``: the same case, entries,
GetJournpost and PutJournpost), in process, journal on, as a worker builds the app
(``profile_noark4ws.py``); the reference and the floor alternate, ``--rounds`` rounds of
``--calls`` requests each, and each figure is the median of the rounds.

    python benchmarks/probe_floor.py [--rounds 5] [--calls 2000]

Measured 2026-12-06 on the 2-core machine, three runs: the floor of a PutJournpost 447-494 µs
(the reference 667-726), of a GetJournpost 133-137 (the reference 215-220).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import json
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_noark4ws import status_type
from probe_in_situ import archive_endpoint, positive
from profile_noark4ws import App, call, seed

from tpn.mocks.compose import compose
from tpn.mocks.core.config import MockConfig
from tpn.mocks.noark4ws import search
from tpn.mocks.soap import codec
from tpn.mocks.soap.endpoint import SoapEndpoint

_SAK = "SELECT id, jp_count FROM n4_sak WHERE saar = ? AND seknr = ?"
_CLOCK = "SELECT value FROM tpn_settings WHERE key = 'clock'"
_SAK_COUNT = "UPDATE n4_sak SET jp_count = ? WHERE id = ?"
_NUMBER = "UPDATE n4_counter SET value = value + 1 WHERE name = ? RETURNING value"
_JP_INSERT = (
    "INSERT INTO n4_journpost (sak_id, jaar, seknr, jpostnr, status, ext_system, ext_key, data)"
    " VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)"
)
_SEARCH_INSERT = (
    "INSERT INTO n4_search (kind, object_id, field, value, folded) VALUES (?, ?, ?, ?, ?)"
)
_DOC_INSERT = (
    "INSERT INTO n4_dokument (journpost_id, rnr, meta, content, sha256) VALUES (?, ?, ?, ?, ?)"
)
_JP_BY_ID = (
    "SELECT id, sak_id, jaar, seknr, jpostnr, status, ext_system, ext_key, data"
    " FROM n4_journpost WHERE id = ?"
)
_DOCS_OF = "SELECT meta FROM n4_dokument WHERE journpost_id = ? ORDER BY rnr"


class Floor:
    """The floor's requests, on ``endpoint``'s own stages and a connection of its own."""

    def __init__(self, endpoint: SoapEndpoint, database: str, get: bytes, put: bytes) -> None:
        self.endpoint = endpoint
        self.db = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        for pragma in ("synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
            self.db.execute(f"PRAGMA {pragma}")
        self.answers: dict[str, Any] = {}
        self.classes: dict[bytes, tuple[str, type[Any], type[Any]]] = {}
        for body in (get, put):
            operation, request_cls, response_cls = endpoint._by_tag[
                str(endpoint._body_element(body).tag)
            ]
            self.classes[body] = (operation, request_cls, response_cls)

    def keep_answers(self, app: App, get: bytes, put: bytes) -> None:
        """Take the reference's answer objects from one request of each."""
        handler = self.endpoint._handler
        real = handler.handle

        def kept(operation: str, request: Any) -> Any:
            self.answers[operation] = answer = real(operation, request)
            return answer

        handler.handle = kept  # type: ignore[method-assign]
        try:
            call(app, get)
            call(app, put)
        finally:
            handler.handle = real  # type: ignore[method-assign]

    def request(self, body: bytes) -> bytes:
        started = time.time()
        endpoint = self.endpoint
        operation, request_cls, response_cls = self.classes[body]
        element = endpoint._body_element(body)
        endpoint._validate(element)
        request = codec.from_element(request_cls, element)
        if operation == "PutJournpost":
            self._put(request.journpost)
        else:
            self._get(request)
        payload = endpoint.envelope(response_cls, self.answers[operation])
        assert endpoint.journal is not None
        endpoint.journal.record(
            service=endpoint.name,
            operation=operation,
            http_status=200,
            outcome="OK",
            validation="valid",
            started=started,
            request=body,
            response=payload,
        )
        return payload

    def _put(self, sent: Any) -> None:
        data = codec.to_dict(sent, without=("jpId", "dokument"))
        data["jpJdato"] = datetime.date.today().isoformat()  # the reference indexes its date
        documents = [
            (d, b"".join(d.fil.base64) if isinstance(d.fil.base64, list) else d.fil.base64)
            for d in sent.dokument or ()
        ]
        cursor = self.db.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        sak_id, count = cursor.execute(_SAK, (data["jpSaar"], data["jpSaseknr"])).fetchone()
        cursor.execute(_CLOCK).fetchall()
        cursor.execute(_SAK_COUNT, (count + 1, sak_id))
        year = int(data["jpDokdato"][:4])
        (number,) = cursor.execute(_NUMBER, (f"jp:{year}",)).fetchone()
        cursor.execute(
            _JP_INSERT, (sak_id, year, number, count + 1, data["jpStatus"], json.dumps(data))
        )
        entry = cursor.lastrowid
        assert entry is not None
        rows = search.index_rows("jp", entry, data)
        cursor.executemany(_SEARCH_INSERT, [tuple(r.values()) for r in rows])
        for rnr, (document, content) in enumerate(documents, start=1):
            meta = codec.to_dict(document, without=("fil",))
            cursor.execute(
                _DOC_INSERT,
                (entry, rnr, json.dumps(meta), content, hashlib.sha256(content).hexdigest()),
            )
        cursor.execute("COMMIT")

    def _get(self, request: Any) -> None:
        cursor = self.db.cursor()
        cursor.execute("BEGIN")
        row = cursor.execute(_JP_BY_ID, (int(request.jpId),)).fetchone()
        documents = cursor.execute(_DOCS_OF, (row[0],)).fetchall()
        cursor.execute("COMMIT")
        json.loads(row[8])
        for (meta,) in documents:
            json.loads(meta)


_SHAPE = re.compile(
    r"^\s*(BEGIN|COMMIT|SELECT|UPDATE|INSERT INTO|DELETE FROM)\b(?:.*?\bFROM)?\s*(\w*)", re.S
)


def _shapes(statements: list[str]) -> list[str]:
    """Each statement as its verb and first table. The journal's moves are left out: their
    transactions (the mark read, the rows and the mark written) come with a ``record`` every
    so often, the floor's as the reference's."""
    shapes: list[str] = []
    block: list[str] = []
    for sql in statements:
        block.append(sql)
        if sql.strip().startswith("COMMIT"):
            if not any("tpn_journal" in s or "'journal_log'" in s for s in block):
                shapes += [_shape(s) for s in block]
            block = []
    return shapes + [_shape(s) for s in block]


def _shape(sql: str) -> str:
    found = _SHAPE.match(sql)
    return " ".join(g for g in found.groups() if g) if found else sql.split()[0]


def traced(connections: list[sqlite3.Connection], run: Callable[[], bytes]) -> list[str]:
    """The statements ``run`` made on ``connections``."""
    seen: list[str] = []
    for c in connections:
        c.set_trace_callback(seen.append)
    try:
        run()
    finally:
        for c in connections:
            c.set_trace_callback(None)
    return _shapes(seen)


def _timed(run: Callable[[], bytes], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        answer = run()
    took = (time.perf_counter() - started) / calls * 1e6
    if status_type(answer) != "OK":
        raise RuntimeError(f"the answer does not say OK: {answer[:600]!r}")
    return took


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=positive, default=5)
    p.add_argument("--calls", type=positive, default=2000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="probe-floor-") as tmp:
        database = f"{tmp}/p.sqlite3"
        assembly = compose(MockConfig(db=f"sqlite:///{database}", engine="fast"))
        get, put = seed(assembly.app, 20)
        floor = Floor(archive_endpoint(assembly), database, get, put)
        floor.keep_answers(assembly.app, get, put)
        app = assembly.app
        connections = [o for o in gc.get_objects() if isinstance(o, sqlite3.Connection)]
        for name, body in (("GetJournpost", get), ("PutJournpost", put)):
            reference = traced(connections, partial(call, app, body))
            ours = traced([floor.db], partial(floor.request, body))
            if reference != ours:
                raise RuntimeError(
                    f"{name}: the floor's statements differ from the reference's:\n"
                    f"  reference {reference}\n  floor     {ours}"
                )
            for _ in range(200):
                call(app, body)
                floor.request(body)
            times: dict[str, list[float]] = {"reference": [], "floor": []}
            for _ in range(args.rounds):
                times["reference"].append(_timed(partial(call, app, body), args.calls))
                times["floor"].append(_timed(partial(floor.request, body), args.calls))
            ref, low = (statistics.median(times[k]) for k in ("reference", "floor"))
            print(f"\n{name} (the same {len(ours)} statements: {', '.join(ours)})")
            print(
                f"  reference {ref:7,.0f} µs  ({', '.join(f'{t:,.0f}' for t in times['reference'])})"
            )
            print(f"  floor     {low:7,.0f} µs  ({', '.join(f'{t:,.0f}' for t in times['floor'])})")
            print(f"  floor / reference {low / ref:.2f}")
        floor.db.close()
        assembly.store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
