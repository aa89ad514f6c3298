"""The journal: every exchange a mock has, recorded in the store.

A record keeps the time, the service and operation, the HTTP status, the outcome (``ok``,
``error`` for a business ERROR status, or the fault code), the validation result, the duration,
and the request and response bodies; and, where an injected fault acted on the exchange
(``tpn.mocks.core.faults``), which one. An exchange whose connection a fault dropped has
``http_status`` 0 and outcome ``dropped``; after a commit its response is the answer that was
not sent. An exchange whose request names a business key (MinSide's eksternReferanse or
saksnummer) records it under ``key``, to follow one citizen's journey. Bodies over
``max_body`` bytes are cut there (the record keeps their full size and SHA-256), so a stream
of 20 MB documents does not double the store.

Read back oldest first in pages (``entries``, the admin side's JSON) or, for the journal page
(``tpn.mocks.core.journal_page``), newest first by a ``JournalFilter``: every filter, the page's
bounds and the count are SQL, so a page costs its own rows, never a read of the whole journal,
and a list leaves the bodies in the store (``Summary``) until one exchange is opened.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec

from sqlalchemy import (
    Column,
    ColumnElement,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.engine import Connection

from tpn.mocks.core import hot, journal_log
from tpn.mocks.core.settings import settings_table
from tpn.mocks.core.store import Store, metadata

journal_table = Table(
    "tpn_journal",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),  # Unix time of arrival (wall clock, not the test clock)
    Column("service", String(64), nullable=False),
    Column("operation", String(128), nullable=False),
    Column("http_status", Integer, nullable=False),
    Column("outcome", String(64), nullable=False),
    Column("validation", Text, nullable=False),
    Column("duration_ms", Float, nullable=False),
    Column("request", LargeBinary, nullable=False),
    Column("request_size", Integer, nullable=False),
    Column("request_sha256", String(64), nullable=False),
    Column("response", LargeBinary, nullable=False),
    Column("response_size", Integer, nullable=False),
    # Added with fault injection; nullable, so a store made before it gains them (Store).
    Column("fault_id", Integer, nullable=True),
    Column("fault_kind", String(32), nullable=True),
    # The business key of the exchange (MinSide's eksternReferanse or saksnummer), so that one
    # citizen's journey can be followed across requests; nullable, added like the fault columns.
    Column("key", String(200), nullable=True),
    # The journal page's choices and counts read this, not the rows with their bodies: a scan of
    # the rows of 100,000 exchanges took ~0.5 s a page, of the index ~0.03 s. A store made before
    # it gains it on its next start (Store).
    Index("tpn_journal_filters", "service", "operation", "http_status", "outcome"),
)

DEFAULT_MAX_BODY = 256 * 1024
_log = logging.getLogger("tpn.mocks")
_INSERT = journal_table.insert()  # built once: it runs on every request
# Rows move from the log (``journal_log``) once this many bytes wait past the last move: about
# ten to twenty exchanges of a few KiB, so the request that moves them waits well under a
# millisecond, and the batch in memory stays small. Against 128 KiB, 64 served about as many
# reads and writes, with a p99 of reads about 1 ms lower (three alternating runs each,
# benchmarks/bench_noark4ws.py, 2026-12-06; with the smaller page cache, ``store.CACHE_KIB``,
# four more pairs said the same). Before a worker counted from any worker's move, 64 KiB made a
# write about 5 % slower. 256 KiB grew a worker's memory by about 2 MB.
FLUSH_BYTES = 64 * 1024
_LOG_MARK = "journal_log"
_MARK_READ = select(settings_table.c.value).where(settings_table.c.key == _LOG_MARK)
_MARK_DELETE = settings_table.delete().where(settings_table.c.key == _LOG_MARK)
_MARK_INSERT = settings_table.insert().values(key=_LOG_MARK)
_LOG_KEY = "journal.log.key"
_KEY_READ = select(settings_table.c.value).where(settings_table.c.key == _LOG_KEY)
_KEY_INSERT = settings_table.insert().values(key=_LOG_KEY)
MAX_VALUES = 200  # distinct values of a column offered as choices (``Journal.values``)


@dataclass(frozen=True)
class JournalFilter:
    """Which exchanges to read; a field left None matches every exchange."""

    service: str | None = None
    operation: str | None = None
    http_status: int | None = None
    outcome: str | None = None
    since: float | None = None  # Unix time of arrival, inclusive
    until: float | None = None  # Unix time of arrival, exclusive
    key: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The filter as SQL conditions (bound parameters, never text)."""
        c = journal_table.c
        found: list[ColumnElement[bool]] = []
        for column, value in (
            (c.service, self.service),
            (c.operation, self.operation),
            (c.http_status, self.http_status),
            (c.outcome, self.outcome),
            (c.key, self.key),
        ):
            if value is not None:
                found.append(column == value)
        if self.since is not None:
            found.append(c.at >= self.since)
        if self.until is not None:
            found.append(c.at < self.until)
        return found


ANY = JournalFilter()


@dataclass(frozen=True)
class Summary:
    """One exchange as a list shows it: everything but the bodies."""

    id: int
    at: float
    service: str
    operation: str
    http_status: int
    outcome: str
    duration_ms: float
    request_size: int
    response_size: int
    fault_id: int | None
    fault_kind: str | None
    key: str | None


_SUMMARY = [journal_table.c[name] for name in Summary.__dataclass_fields__]


@dataclass(frozen=True)
class Exchange:
    """One recorded exchange, as read back from the journal."""

    id: int
    at: float
    service: str
    operation: str
    http_status: int
    outcome: str
    validation: str
    duration_ms: float
    request: bytes
    request_size: int
    request_sha256: str
    response: bytes
    response_size: int
    fault_id: int | None = None  # the injected fault that acted on it, if one did
    fault_kind: str | None = None
    key: str | None = None  # the exchange's business key, when its request names one

    @property
    def truncated(self) -> bool:
        return len(self.request) < self.request_size or len(self.response) < self.response_size

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            k: getattr(self, k)
            for k in (
                "id",
                "at",
                "service",
                "operation",
                "http_status",
                "outcome",
                "validation",
                "duration_ms",
                "request_size",
                "request_sha256",
                "response_size",
                "key",
            )
        }
        out["truncated"] = self.truncated
        out["fault"] = (
            None if self.fault_id is None else {"id": self.fault_id, "kind": self.fault_kind}
        )
        for key in ("request", "response"):
            raw: bytes = getattr(self, key)
            try:
                out[key] = raw.decode("utf-8")
            except UnicodeDecodeError:
                out[key + "_base64"] = base64.b64encode(raw).decode("ascii")
        return out


_P = ParamSpec("_P")


def _logging_failures(
    record: Callable[Concatenate[Journal, _P], None],
) -> Callable[Concatenate[Journal, _P], bool]:
    """``record`` that logs its failure instead of raising it (``Journal.keep``), with the
    same parameters, so a misspelt one is still a type error at the call."""

    def keep(journal: Journal, /, *args: _P.args, **kwargs: _P.kwargs) -> bool:
        try:
            record(journal, *args, **kwargs)
        except Exception:
            # %r: the operation is a client's path, which must not write lines of its own.
            _log.exception(
                "the journal failed on a %s %r exchange",
                kwargs.get("service"),
                kwargs.get("operation"),
            )
            return False
        return True

    return keep


class Journal:
    def __init__(self, store: Store, *, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.store = store
        self.max_body = max_body
        self._log = _log_of(store)
        # Rows a process logged and did not move before it stopped move in now.
        self.flush()

    def record(
        self,
        *,
        service: str,
        operation: str,
        http_status: int,
        outcome: str,
        validation: str,
        started: float,
        request: bytes,
        response: bytes,
        fault: tuple[int, str] | None = None,
        key: str | None = None,
    ) -> None:
        row = {
            "at": started,
            "service": service,
            "operation": operation,
            "http_status": http_status,
            "outcome": outcome,
            "validation": validation,
            "duration_ms": (time.time() - started) * 1000.0,
            "request": request[: self.max_body],
            "request_size": len(request),
            "request_sha256": hashlib.sha256(request).hexdigest(),
            "response": response[: self.max_body],
            "response_size": len(response),
            "fault_id": fault[0] if fault else None,
            "fault_kind": fault[1] if fault else None,
            "key": None if key is None else key[:200],
        }
        log = self._log
        if log is None:
            with self.store.write() as conn:
                conn.execute(_INSERT, row)
            return
        size = log.append(journal_log.encode(row, log.key))
        if isinstance(log, journal_log.MemoryLog):
            if size >= FLUSH_BYTES:
                self.flush()
            return
        waiting = size - log.moved_up_to()
        if waiting >= FLUSH_BYTES or waiting < 0:  # below 0: another process emptied the log
            self._move(least=FLUSH_BYTES)

    keep = _logging_failures(record)
    """``record`` an exchange whose answer is made and must still be sent: a failure (a full
    disk) goes to the server's log, and the client gets its answer. Whether it was recorded and
    moved without failing (a row logged before a failed move still moves)."""

    def flush(self) -> int:
        """Move the rows waiting in the log into the journal's table (every read does this
        first); how many moved."""
        log = self._log
        if log is None or not log.waiting():
            return 0
        if isinstance(log, journal_log.MemoryLog):
            return log.drain(self._insert)
        return self._move(least=0)

    def _move(self, *, least: int) -> int:
        """Move the rows waiting in the file log; how many moved. ``least`` above 0 is a
        request's move, made because this process last saw that many bytes waiting: it moves
        nothing while another process is moving (a request need not wait for that), nor when
        fewer bytes wait past where the last move of any process got to."""
        log = self._log
        assert isinstance(log, journal_log.FileLog)
        with log.draining(wait=not least) as holding:
            if holding is None:
                return 0
            # Read and decoded before the writers' lock, which writers then wait for only while
            # the rows go in (about a third less): only a move changes the mark, and every move
            # holds the drain's lock, as this one does. Checked again inside, all the same.
            with self.store.read() as conn:
                assumed = _read_mark(conn)
            if least and not holding and log.left_after(assumed) < least:
                return 0
            batch = log.after(assumed, holding=holding)
            with self.store.write() as conn:
                mark = _read_mark(conn)
                if mark != assumed:
                    batch = log.after(mark, holding=holding)
                if batch.rows:
                    hot.run(conn, _INSERT, batch.rows)
                if batch.mark != mark and batch.mark is not None:
                    value = json.dumps({"first": batch.mark.first, "offset": batch.mark.offset})
                    hot.run(conn, _MARK_DELETE, {})
                    hot.run(conn, _MARK_INSERT, {"value": value})
            log.saw(batch)
        return len(batch.rows)

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        with self.store.write() as conn:
            hot.run(conn, _INSERT, rows)

    def entries(
        self,
        *,
        after: int = 0,
        limit: int = 1000,
        operation: str | None = None,
        key: str | None = None,
    ) -> list[Exchange]:
        """Recorded exchanges with id greater than ``after``, oldest first; only those of
        ``operation`` and of the business ``key``, when given."""
        self.flush()
        chosen = JournalFilter(operation=operation or None, key=key or None)
        query = (
            select(journal_table)
            .where(journal_table.c.id > after, *chosen.conditions())
            .order_by(journal_table.c.id)
            .limit(limit)
        )
        with self.store.read() as conn:
            return [Exchange(**row._mapping) for row in conn.execute(query)]

    def newest(
        self, chosen: JournalFilter = ANY, *, before: int | None = None, limit: int = 50
    ) -> list[Summary]:
        """The exchanges ``chosen`` matches, newest first, with ids below ``before`` when
        given (the next page starts below the last id of this one), at most ``limit``."""
        self.flush()
        query = select(*_SUMMARY).where(*chosen.conditions())
        if before is not None:
            query = query.where(journal_table.c.id < before)
        query = query.order_by(journal_table.c.id.desc()).limit(limit)
        with self.store.read() as conn:
            return [Summary(**row._mapping) for row in conn.execute(query)]

    def count(self, chosen: JournalFilter = ANY) -> int:
        """How many exchanges ``chosen`` matches."""
        self.flush()
        query = select(func.count()).select_from(journal_table).where(*chosen.conditions())
        with self.store.read() as conn:
            return int(conn.execute(query).scalar_one())

    def exchange(self, exchange_id: int) -> Exchange | None:
        """One exchange, bodies included; None when there is none of that id."""
        self.flush()
        query = select(journal_table).where(journal_table.c.id == exchange_id)
        with self.store.read() as conn:
            row = conn.execute(query).first()
        return None if row is None else Exchange(**row._mapping)

    def values(self, column: str, *, limit: int = MAX_VALUES) -> list[Any]:
        """The distinct values of ``column`` (``service``, ``operation``, ``http_status``,
        ``outcome``) in the journal, in order, at most ``limit`` of them: the choices a filter
        offers."""
        if column not in ("service", "operation", "http_status", "outcome"):
            raise ValueError(f"no choices of {column!r}")
        self.flush()
        col = journal_table.c[column]
        query = select(col).distinct().where(col.is_not(None)).order_by(col).limit(limit)
        with self.store.read() as conn:
            return list(conn.execute(query).scalars())

    def clear(self) -> None:
        if self._log is None:
            self.store.clear(journal_table.name)
        else:
            self._log.discard(lambda: self.store.clear(journal_table.name))


def _read_mark(conn: Connection) -> journal_log.Mark | None:
    """Where the last move of the log got to, as committed with its rows."""
    row = hot.first(conn, _MARK_READ, {})  # every move reads it twice: the driver's cursor
    raw = None if row is None else row.value
    try:
        found = json.loads(raw) if raw else None
        return journal_log.Mark(str(found["first"]), int(found["offset"])) if found else None
    except (ValueError, TypeError, KeyError, OverflowError):
        return None  # not a mark this version wrote: move the whole log


def _log_of(store: Store) -> journal_log.MemoryLog | journal_log.FileLog | None:
    """Where ``record`` puts rows first: a file beside a file database, a list beside a memory
    one; none for another database, which takes each row as it comes."""
    if store.is_memory:
        return journal_log.MemoryLog()
    path = store.beside("-exchanges.log")
    return None if path is None else journal_log.FileLog(path, _log_key(store))


def _log_key(store: Store) -> bytes:
    """The secret the log's records are tagged under: made with the store, the same for every
    process that opens it (a worker reads records another appended)."""
    with store.write() as conn:
        raw = conn.execute(_KEY_READ).scalar()
        if raw is None:
            raw = journal_log.new_key().hex()
            conn.execute(_KEY_INSERT, {"value": raw})
    try:
        key = bytes.fromhex(str(raw))
    except ValueError:
        key = b""
    if len(key) != journal_log.KEY_BYTES:
        raise RuntimeError(f"the store's {_LOG_KEY} setting is not a key this version made")
    return key
