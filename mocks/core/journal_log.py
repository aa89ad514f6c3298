"""The journal's rows on their way into the store: appended to a log, moved in batches.

Committing each exchange's row as a transaction of its own took the store's writer lock on
every request, so every worker's reads queued behind every other worker's writes. An append
here takes only the log's own lock, for the few microseconds of one write; the rows move into
the journal's table in batches, when enough are waiting or before anything reads the journal,
so a reader sees every exchange whose response was sent, in the order they were logged.

Measured (2 cores, 2026-12-05): alone in one thread a record costs 74 µs against 140 for a
row in a write transaction of its own (``benchmarks/bench_journal_log.py``), and 67 for one
INSERT in autocommit on the driver's connection, the best a row per request did; served by two
workers under load, the archive answers about 6 % more reads and 7 % more writes with the log
than with that autocommit row (``benchmarks/bench_noark4ws.py``).

On a file database the log is a file beside it, shared by every worker process: appends are
serialised by ``flock`` and ``O_APPEND``, an acknowledged append is in the operating system's
cache and survives a killed process as a committed transaction does (``synchronous=NORMAL``),
and each record is framed (a magic, its length, a CRC-32 and a tag) so that a record torn by a
process killed in the middle of its write is found and skipped, never read as data. The tag is
a keyed hash of the frame's head under the store's own secret (``Journal``): looking for the
next whole record after a torn one reads into the torn record's payload, a client's request,
where a client could have written a frame of its own with a valid CRC; without the key it
cannot write a valid tag. Where the rows have
gone to is committed with them (``Mark``), so a move cut short between its commit and the
file's truncation is never moved twice. A memory database's log is a list in the process.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import struct
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tpn.mocks.core.flock import FileLock

_log = logging.getLogger("tpn.mocks")

# The journal's columns as a record carries them, in order.
_NUMBERS = struct.Struct("<ddqqqqB")  # at, duration_ms, http_status, the two sizes, fault_id
_TEXTS = ("service", "operation", "outcome", "validation", "request_sha256", "fault_kind", "key")
_BLOBS = ("request", "response")
_LENGTHS = struct.Struct(f"<{len(_TEXTS) + len(_BLOBS)}i")  # -1 for None
# Both, as a record begins with them (little-endian, so no padding between): read in one.
_ROW_HEAD = struct.Struct(_NUMBERS.format + _LENGTHS.format[1:])
_ROW_KEYS = (
    "at", "duration_ms", "http_status", "request_size", "response_size", "fault_id",
    *_TEXTS, *_BLOBS,
)  # fmt: skip
_IS_TEXT = (True,) * len(_TEXTS) + (False,) * len(_BLOBS)
_HEAD = struct.Struct("<4sII")  # magic, payload length, CRC-32 of the payload
_FRAME = struct.Struct("<4sII8s")  # the head and its tag
MAGIC = b"TPNk"
# Records as versions before the tag wrote them: read only in a log that starts with one (a
# log written across an upgrade), and there only where the records before them lead, never
# where a search after a torn record lands.
UNTAGGED = b"TPNj"
KEY_BYTES = 16


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def _tag(key: bytes, head: bytes) -> bytes:
    return hashlib.blake2b(head, key=key, digest_size=8).digest()


NAME_BYTES = 16


def name_frame(key: bytes) -> bytes:
    """The frame a log begins with: a random name, so that no two logs a file holds one after
    the other share one (``FileLog._first``). Framed and tagged like a record, and too short to
    be a row, so that every reader steps over it."""
    payload = os.urandom(NAME_BYTES)
    head = _HEAD.pack(MAGIC, NAME_BYTES, zlib.crc32(payload))
    return head + _tag(key, head) + payload


def encode(row: dict[str, Any], key: bytes) -> bytes:
    """One journal row as a framed record, tagged under ``key``."""
    fault_id = row["fault_id"]
    fields: list[bytes | None] = [
        None if row[k] is None else str(row[k]).encode("utf-8", "replace") for k in _TEXTS
    ]
    fields += [row[k] for k in _BLOBS]
    payload = b"".join(
        [
            _NUMBERS.pack(
                row["at"],
                row["duration_ms"],
                row["http_status"],
                row["request_size"],
                row["response_size"],
                0 if fault_id is None else fault_id,
                fault_id is None,
            ),
            _LENGTHS.pack(*(-1 if f is None else len(f) for f in fields)),
            *(f for f in fields if f),
        ]
    )
    head = _HEAD.pack(MAGIC, len(payload), zlib.crc32(payload))
    return head + _tag(key, head) + payload


def _report_gaps(found: list[tuple[int, int, memoryview]], path: str, start: int) -> None:
    """Say where bytes were skipped between whole records (a writer killed in the middle of
    one, or records tagged under another key): rows that will never reach the journal."""
    at = 0
    for offset, end, _ in found:
        if offset != at:
            _log.warning(
                "the journal log %s held %d bytes at %d that are not a whole record; skipped",
                path,
                offset - at,
                start + at,
            )
        at = end


class Torn(ValueError):
    """A record that is not whole (its writer was killed in the middle of it)."""


def decode(payload: bytes | memoryview) -> dict[str, Any]:
    """A record's payload as a journal row (``Torn`` when its parts do not add up). The bodies
    are views into ``payload`` where it is a view (``records``): SQLite copies them as it binds
    them. Without a copy of its own, and with its head read in one call, 29 rows of GetJournpost
    decode in about 98 µs where 139 (2026-12-06)."""
    size = len(payload)
    if size < _ROW_HEAD.size:
        raise Torn("a record shorter than its header")
    head = _ROW_HEAD.unpack_from(payload)
    at, duration, status, req_size, resp_size, fault_id, no_fault = head[:7]
    lengths = head[7:]
    # With none below -1, the fields' bytes are the sum of the lengths and one for each -1.
    if min(lengths) < -1 or _ROW_HEAD.size + sum(lengths) + lengths.count(-1) != size:
        raise Torn("a record whose fields do not fill it")
    values: list[Any] = [at, duration, status, req_size, resp_size, None if no_fault else fault_id]
    offset = _ROW_HEAD.size
    for n, text in zip(lengths, _IS_TEXT, strict=True):
        if n < 0:
            values.append(None)
            continue
        field = payload[offset : offset + n]
        offset += n
        values.append(str(field, "utf-8", "replace") if text else field)
    return dict(zip(_ROW_KEYS, values, strict=True))


def records(
    data: bytes, key: bytes, start: int = 0, *, untagged: bool = False
) -> Iterator[tuple[int, int, memoryview]]:
    """The whole records in ``data`` from ``start`` (a record's start): (offset, end, payload)
    each, the payload a view into ``data`` (a batch's rows are copied once, not twice). A
    stretch that is not a whole record (a torn write) is skipped up to the next record tagged
    under ``key``. ``untagged``: the log was begun by a version before tags (``UNTAGGED``)."""
    view = memoryview(data)
    at = start
    searched = False  # whether ``at`` was found by a search, not by the record before it
    size = len(data)
    while at + _HEAD.size <= size:
        magic, length, crc = _HEAD.unpack_from(data, at)
        if magic == MAGIC:
            body = at + _FRAME.size
            tagged = data[at + _HEAD.size : body] == _tag(key, data[at : at + _HEAD.size])
        else:
            body = at + _HEAD.size
            tagged = untagged and magic == UNTAGGED and not searched
        end = body + length
        if tagged and end <= size:
            payload = view[body:end]
            if zlib.crc32(payload) == crc:
                yield at, end, payload
                at, searched = end, False
                continue
        found = data.find(MAGIC, at + 1)
        if found < 0:
            return
        at, searched = found, True


def _rows(found: Iterable[tuple[int, int, memoryview]]) -> list[dict[str, Any]]:
    rows = []
    for _, _, payload in found:
        try:
            rows.append(decode(payload))
        except Torn:
            continue  # framed whole but not a row of these columns: nothing to keep
    return rows


@dataclass(frozen=True)
class Mark:
    """How far the rows of a log have been moved: up to ``offset`` of the log named ``first``
    (a log emptied and written again begins with another name: ``name_frame``)."""

    first: str
    offset: int


@dataclass(frozen=True)
class Batch:
    """The rows a log holds past a ``Mark``, and the mark that moving them makes."""

    rows: list[dict[str, Any]]
    mark: Mark | None
    state: tuple[int, int, int] | None = None  # the file as it was looked at (``FileLog``)
    name: str | None = None  # the log's name then (``FileLog._first``)


class MemoryLog:
    """The log of a memory database, which only this process can see."""

    def __init__(self) -> None:
        self.key = new_key()  # nothing outlives the process: its own key
        self._lock = threading.Lock()
        self._records: list[bytes] = []
        self._size = 0

    def append(self, record: bytes) -> int:
        """Add one record; the bytes now waiting."""
        with self._lock:
            self._records.append(record)
            self._size += len(record)
            return self._size

    def waiting(self) -> bool:
        return bool(self._records)

    def drain(self, move: Callable[[list[dict[str, Any]]], None]) -> int:
        """Hand the waiting rows to ``move`` (which commits them), then forget them."""
        with self._lock:
            rows = _rows(records(b"".join(self._records), self.key))
            if rows:
                move(rows)
            self._records.clear()
            self._size = 0
            return len(rows)

    def discard(self, then: Callable[[], None]) -> None:
        """Forget every waiting record and run ``then`` with no append in between."""
        with self._lock:
            self._records.clear()
            self._size = 0
            then()


class FileLog:
    """The log of a file database: a file beside it that every worker appends to.

    Three locks, always taken in this order, so no two holders can wait on each other: the
    drain's (one mover at a time), the appends' (the log file itself, held for a write or a
    look at its size), then the store's writer lock (``Store.write``). An append takes only the
    second, for the few microseconds of its write; a move holds the first while it commits
    and the second only to read where the log ends, so appends never wait for the store. Every
    ``TRUNCATE_BYTES`` a move holds the second throughout and empties the file."""

    TRUNCATE_BYTES = 8 * 1024 * 1024

    def __init__(self, path: str, key: bytes) -> None:
        """``key``: the secret its records are tagged under, the same in every process."""
        self.path = path
        self.key = key
        self._appends = FileLock(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
        self._drains = FileLock(path + ".lock")
        self._seen: tuple[int, int, int] | None = None  # the file as this process last moved it
        self._seen_name: str | None = None  # and the log's name then
        self._moved = 0  # where the last move this process knows of got to (``moved_up_to``)

    def append(self, record: bytes) -> int:
        """Add one record; the log's size now."""
        with self._appends.held() as fd:
            before = os.fstat(fd).st_size
            # A log begins with its name, in the same write as its first record.
            data = record if before else name_frame(self.key) + record
            view = memoryview(data)
            try:
                while view:  # a regular file takes it in one write; a short one is carried on
                    view = view[os.write(fd, view) :]
            except BaseException:
                # A record cut short (a full disk) would leave its prefix for the next one to
                # follow: a torn record, which a reader must skip. Take it back whole.
                os.ftruncate(fd, before)
                raise
            # Every append and every emptying holds this lock: the log is what it was and this.
            return before + len(data)

    def _state(self, fd: int) -> tuple[int, int, int]:
        st = os.fstat(fd)
        return st.st_ino, st.st_size, st.st_mtime_ns

    def waiting(self) -> bool:
        """Whether the log may hold rows this process has not seen moved."""
        fd = self._appends.fd()
        state = self._state(fd)
        if state[1] == 0:
            return False
        if state != self._seen:
            return True
        # The same file, size and time of change: a log emptied and written again to the same
        # size within one tick of the file system's clock (4 ms on some kernels) differs only
        # in its name.
        return self._first(fd, state[1]) != self._seen_name

    def moved_up_to(self) -> int:
        """Where the last move this process knows of got to: its own, or another process's that
        ``left_after`` was shown (0 before either)."""
        return self._moved

    def left_after(self, mark: Mark | None) -> int:
        """The bytes the log holds past ``mark``, where the last move got to, whichever process
        made it; ``moved_up_to`` says ``mark`` from now on. (Every worker moves rows into the
        same table: one that counted from its own last move would follow another's move with a
        move of the few rows logged since.)"""
        fd = self._appends.fd()
        size = os.fstat(fd).st_size
        same = mark is not None and mark.first == self._first(fd, size)
        self._moved = mark.offset if same and mark is not None else 0
        return size - self._moved

    @contextlib.contextmanager
    def draining(self, *, wait: bool = True) -> Iterator[bool | None]:
        """Hold the drain's lock; True when this move must also empty the file (it is big).
        ``wait=False``: None, and nothing held, when another move holds it."""
        with self._drains.held() if wait else self._drains.held_if_free() as free:
            if free is None:
                yield None
                return
            big = os.fstat(self._appends.fd()).st_size >= self.TRUNCATE_BYTES
            if not big:
                yield False
                return
            with self._appends.held():
                yield True
                os.ftruncate(self._appends.fd(), 0)  # after the move's commit: never lost
                self._seen, self._seen_name = self._state(self._appends.fd()), None
                self._moved = 0

    def after(self, mark: Mark | None, *, holding: bool) -> Batch:
        """The rows past ``mark`` (where the last move got to), up to the end of the last
        record whose append had returned when this looked. ``holding``: inside
        ``draining()`` that returned True, which already holds the appends' lock."""
        fd = self._appends.fd()
        if holding:
            state = self._state(fd)
        else:
            with self._appends.held():
                state = self._state(fd)
        size = state[1]
        first = self._first(fd, size)
        if first is None:
            return Batch([], mark, state, first)
        # The same log as the last move's: on from there; another (emptied and written again,
        # or never moved): from its start.
        start = mark.offset if mark is not None and mark.first == first else 0
        data = os.pread(fd, max(size - start, 0), start) if size > start else b""
        untagged = os.pread(fd, len(UNTAGGED), 0) == UNTAGGED
        found = list(records(data, self.key, untagged=untagged))
        _report_gaps(found, self.path, start)
        mark = Mark(first, start + found[-1][1]) if found else mark
        return Batch(_rows(found), mark, state, first)

    def saw(self, batch: Batch) -> None:
        """``batch`` is committed: this process need not look at the log again until it
        changes. (Set before the commit, another thread could skip a flush and read the table
        without rows a move had taken and not yet committed.)"""
        self._seen, self._seen_name = batch.state, batch.name
        if batch.state is not None:
            self._moved = batch.state[1]

    @staticmethod
    def _first(fd: int, size: int) -> str | None:
        """The log's name: what its first bytes say, which never change once written."""
        start = os.pread(fd, _FRAME.size + NAME_BYTES, 0) if size >= _HEAD.size else b""
        if len(start) < _HEAD.size:
            return None
        head = start[: _HEAD.size]
        magic, length, _ = _HEAD.unpack(head)
        if magic == MAGIC and length == NAME_BYTES:
            # A log this version began: named by its name frame, 16 random bytes. (A record is
            # never that short.) Those bytes may be a torn frame's, and are the name all the same.
            if len(start) < _FRAME.size + NAME_BYTES:
                return None
            return hashlib.blake2b(start, digest_size=16).hexdigest()
        # A log begun by a version before names: its first frame's head (the tag left out, so
        # that a log begun before tags keeps its name too), whole once written, where the record
        # behind it may be torn and then followed by nothing, its claimed length reaching into
        # the records after it. Two such logs could share a name (an equal length and CRC-32);
        # the first emptying of the file ends that.
        return hashlib.blake2b(head, digest_size=16).hexdigest()

    def discard(self, then: Callable[[], None]) -> None:
        """Forget every waiting record and run ``then`` with no append or move in between."""
        with self._drains.held(), self._appends.held() as fd:
            # Emptied first: a process killed in between leaves rows that were to go anyway,
            # and a clear that did not finish, which its caller was not told it did.
            os.ftruncate(fd, 0)
            self._seen, self._seen_name = self._state(fd), None
            self._moved = 0
            then()

    def close(self) -> None:
        self._appends.close()
        self._drains.close()
