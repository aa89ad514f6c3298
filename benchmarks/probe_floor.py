#!/usr/bin/env python3
"""How fast a request could be with no archive logic in it: the in-process targets (150 µs a
GetJournpost, 400 a PutJournpost) against a floor that keeps what every request must do and
drops what makes the mock an archive.

The floor of each request keeps the reference's own stages around the store: the intake guard
and the Body, the XSD check, the request's objects, the answer's envelope and the journal's
record (the same code, the same endpoint). Between them, instead of the archive, it runs the
statements the reference's transaction runs for that request, the same ones in the same order
(checked: both are traced, and the script stops if they differ or add different numbers of
rows), on the store's own connection outside SQLAlchemy (``Store._driver``, configured as the
pool's), with none of the archive's logic: no policies, no checks of the entry or its documents,
no numbering but the counter's, no SQLAlchemy transaction, no writers' lock, no fault check, no
routing. A PutJournpost's answer is the reference's last answer object, written again; a
GetJournpost's too, so its answer is not even built from the row it read. Each commit wakes the
store's checkpoint thread as ``Store.write`` does. What the floor leaves out, the reference
needs; so no reference with these stages can be faster than it.

The benchmark's requests and store (``bench_noark4ws.py``: the same case, entries,
GetJournpost and PutJournpost), in process, journal on, as a worker builds the app
(``profile_noark4ws.py``); the reference and the floor alternate, ``--rounds`` rounds of
``--calls`` requests each, and each figure is the median of the rounds.

    python benchmarks/probe_floor.py [--rounds 5] [--calls 2000]

Measured 2026-12-06 on the 2-core machine, three runs: the floor of a PutJournpost 421-422 µs
(the reference 639-656), of a GetJournpost 128-129 (the reference 201-205).
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import json
import re
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from probe_in_situ import archive_endpoint, arguments, assembled, timed_requests
from profile_noark4ws import App, call

from tpn.mocks.core.store import Store
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
    """The floor's requests, on ``endpoint``'s own stages and the store's own connection."""

    def __init__(self, endpoint: SoapEndpoint, store: Store, get: bytes, put: bytes) -> None:
        self.endpoint = endpoint
        self.store = store
        # This thread's connection outside SQLAlchemy, configured as the pool's are (the log's
        # checkpoints left to the store's thread, its page cache), autocommit between the
        # statements this issues (``Store._driver``).
        self.db: sqlite3.Connection = store._driver()
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
            outcome="ok",
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
        # The year the reference numbered its last entry in (its clock's, not the document's).
        year = int(self.answers["PutJournpost"].journpost.jpJaar)
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
            meta["dlRnr"] = rnr
            cursor.execute(
                _DOC_INSERT,
                (entry, rnr, json.dumps(meta), content, hashlib.sha256(content).hexdigest()),
            )
        cursor.execute("COMMIT")
        checkpoints = self.store._checkpointer[0]
        if checkpoints is not None:
            checkpoints.committed()  # as ``Store.write`` does: the thread checkpoints the log

    def _get(self, request: Any) -> None:
        cursor = self.db.cursor()
        cursor.execute("BEGIN")
        row = cursor.execute(_JP_BY_ID, (int(request.jpId),)).fetchone()
        if row is None:
            raise RuntimeError(f"the floor found no journpost {request.jpId}")
        documents = cursor.execute(_DOCS_OF, (row[0],)).fetchall()
        cursor.execute("COMMIT")
        json.loads(row[8])
        for (meta,) in documents:
            json.loads(meta)


_TABLE_AFTER = {"SELECT": re.compile(r"\bFROM\s+(\w+)", re.S)}
_NEXT_WORD = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)", re.S)


def _shape(sql: str) -> str:
    """A statement as its verb and its table: "SELECT n4_sak", "INSERT n4_search", "BEGIN"."""
    words = sql.split()
    verb = words[0].upper() if words else ""
    if verb in ("BEGIN", "COMMIT", "ROLLBACK"):
        return " ".join(words[:2]).upper()
    found = _TABLE_AFTER[verb].search(sql) if verb in _TABLE_AFTER else _NEXT_WORD.match(sql)
    return f"{verb} {found.group(1) if found else '?'}"


def _shapes(statements: list[str]) -> list[str]:
    """The statements' shapes, the journal's moves left out: their transactions (the mark read,
    the rows and the mark written) come with a ``record`` every so often, the floor's as the
    reference's."""
    shapes: list[str] = []
    block: list[str] = []
    for sql in statements:
        block.append(sql)
        if sql.lstrip().upper().startswith(("COMMIT", "ROLLBACK")):
            if not any("tpn_journal" in s or "'journal_log'" in s for s in block):
                shapes += [_shape(s) for s in block]
            block = []
    return shapes + [_shape(s) for s in block]


def traced(connections: list[sqlite3.Connection], run: Callable[[], bytes]) -> list[str]:
    """The statements ``run`` made on ``connections`` from this thread (not the checkpoint
    thread's)."""
    seen: list[str] = []
    here = threading.get_ident()

    def trace(sql: str) -> None:
        if threading.get_ident() == here and not sql.lstrip().upper().startswith("PRAGMA"):
            seen.append(sql)

    for c in connections:
        c.set_trace_callback(trace)
    try:
        run()
    finally:
        for c in connections:
            c.set_trace_callback(None)
    return _shapes(seen)


def _counts(db: sqlite3.Connection) -> tuple[int, ...]:
    """The rows of the tables a PutJournpost adds to."""
    return tuple(
        db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("n4_journpost", "n4_search", "n4_dokument")
    )


def main() -> int:
    args = arguments(__doc__ or "", rounds=5)
    with tempfile.TemporaryDirectory(prefix="probe-floor-") as tmp:
        assembly, get, put = assembled(tmp)
        floor = Floor(archive_endpoint(assembly), assembly.store, get, put)
        floor.keep_answers(assembly.app, get, put)
        app = assembly.app
        connections = [o for o in gc.get_objects() if isinstance(o, sqlite3.Connection)]
        for name, body in (("GetJournpost", get), ("PutJournpost", put)):
            # The same statements, and the same rows added to each table.
            before = _counts(floor.db)
            reference = traced(connections, partial(call, app, body))
            between = _counts(floor.db)
            ours = traced([floor.db], partial(floor.request, body))
            after = _counts(floor.db)
            theirs = [b - a for a, b in zip(before, between, strict=True)]
            mine = [b - a for a, b in zip(between, after, strict=True)]
            if reference != ours or theirs != mine:
                raise RuntimeError(
                    f"{name}: the floor's work differs from the reference's:\n"
                    f"  reference {reference}, rows added {theirs}\n"
                    f"  floor     {ours}, rows added {mine}"
                )
            for _ in range(200):
                call(app, body)
                floor.request(body)
            times: dict[str, list[float]] = {"reference": [], "floor": []}
            for _ in range(args.rounds):
                times["reference"].append(timed_requests(partial(call, app, body), args.calls))
                entries = _counts(floor.db)[0]
                times["floor"].append(timed_requests(partial(floor.request, body), args.calls))
                if name == "PutJournpost" and _counts(floor.db)[0] != entries + args.calls:
                    raise RuntimeError("the floor did not add one entry a request")
            ref, low = (statistics.median(times[k]) for k in ("reference", "floor"))
            print(f"\n{name} (the same {len(ours)} statements: {', '.join(ours)})")
            print(
                f"  reference {ref:7,.0f} µs  ({', '.join(f'{t:,.0f}' for t in times['reference'])})"
            )
            print(f"  floor     {low:7,.0f} µs  ({', '.join(f'{t:,.0f}' for t in times['floor'])})")
            print(f"  floor / reference {low / ref:.2f}")
        assembly.store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
