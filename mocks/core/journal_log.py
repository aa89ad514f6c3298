"""The journal's rows on their way into the store: appended to a log, moved in batches.

Committing each exchange's row as a transaction of its own cost about 80 µs of SQLite's work
on every request, under the writer's lock that every worker's writes wait for; appending the
same row to a file costs a few, and moving a few hundred rows in one transaction costs about a
third per row (``benchmarks/bench_journal_log.py``). So ``Journal.record`` appends here, and
the rows move into the journal's table when enough are waiting or before anything reads the
journal: a reader sees every exchange whose response was sent, in the order they were logged.

On a file database the log is a file beside it, shared by every worker process: appends are
serialised by ``flock`` and ``O_APPEND``, an acknowledged append is in the operating system's
cache and survives a killed process as a committed transaction does (``synchronous=NORMAL``),
and each record is framed (a magic, its length, a CRC-32) so that a record torn by a process
killed in the middle of its write is found and skipped, never read as data. Where the rows have
gone to is committed with them (``Mark``), so a move cut short between its commit and the
file's truncation is never moved twice. A memory database's log is a list in the process.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import struct
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

# The journal's columns as a record carries them, in order.
_NUMBERS = struct.Struct("<ddqqqqB")  # at, duration_ms, http_status, the two sizes, fault_id
_TEXTS = ("service", "operation", "outcome", "validation", "request_sha256", "fault_kind", "key")
_BLOBS = ("request", "response")
_LENGTHS = struct.Struct(f"<{len(_TEXTS) + len(_BLOBS)}i")  # -1 for None
_FRAME = struct.Struct("<4sII")  # magic, payload length, CRC-32 of the payload
MAGIC = b"TPNj"


def encode(row: dict[str, Any]) -> bytes:
    """One journal row as a framed record."""
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
    return _FRAME.pack(MAGIC, len(payload), zlib.crc32(payload)) + payload


class Torn(ValueError):
    """A record that is not whole (its writer was killed in the middle of it)."""


def decode(payload: bytes) -> dict[str, Any]:
    """A record's payload as a journal row (``Torn`` when its parts do not add up)."""
    head = _NUMBERS.size + _LENGTHS.size
    if len(payload) < head:
        raise Torn("a record shorter than its header")
    at, duration, status, req_size, resp_size, fault_id, no_fault = _NUMBERS.unpack_from(payload)
    lengths = _LENGTHS.unpack_from(payload, _NUMBERS.size)
    if any(n < -1 for n in lengths) or head + sum(max(n, 0) for n in lengths) != len(payload):
        raise Torn("a record whose fields do not fill it")
    row: dict[str, Any] = {
        "at": at,
        "duration_ms": duration,
        "http_status": status,
        "request_size": req_size,
        "response_size": resp_size,
        "fault_id": None if no_fault else fault_id,
    }
    offset = head
    for name, n in zip(_TEXTS + _BLOBS, lengths, strict=True):
        if n < 0:
            row[name] = None
            continue
        value = payload[offset : offset + n]
        offset += n
        row[name] = value if name in _BLOBS else value.decode("utf-8", "replace")
    return row


def records(data: bytes, start: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """The whole records in ``data`` from ``start``: (offset, end, payload) each. A stretch that
    is not a whole record (a torn write) is skipped up to the next record that is."""
    at = start
    while at + _FRAME.size <= len(data):
        magic, length, crc = _FRAME.unpack_from(data, at)
        end = at + _FRAME.size + length
        if magic == MAGIC and end <= len(data):
            payload = data[at + _FRAME.size : end]
            if zlib.crc32(payload) == crc:
                yield at, end, payload
                at = end
                continue
        found = data.find(MAGIC, at + 1)
        if found < 0:
            return
        at = found


def _rows(found: Iterable[tuple[int, int, bytes]]) -> list[dict[str, Any]]:
    rows = []
    for _, _, payload in found:
        try:
            rows.append(decode(payload))
        except Torn:
            continue  # framed whole but not a row of these columns: nothing to keep
    return rows


@dataclass(frozen=True)
class Mark:
    """How far the rows of a log have been moved: up to ``offset`` of the log whose first
    record hashes to ``first`` (a log truncated and written again starts with another)."""

    first: str
    offset: int


Move = Callable[[list[dict[str, Any]], Mark | None], None]


class Log(Protocol):
    def append(self, record: bytes) -> int:
        """Add one record; the bytes now waiting."""
        ...

    def waiting(self) -> bool:
        """Whether any record waits to be moved."""
        ...

    def drain(self, move: Move, mark: Callable[[], Mark | None]) -> int:
        """Hand the waiting rows to ``move`` (which commits them), then forget them; the
        number moved. ``mark`` reads where the last move got to."""
        ...

    def discard(self, then: Callable[[], None]) -> None:
        """Forget every waiting record and run ``then`` with no append in between."""
        ...


class MemoryLog:
    """The log of a memory database, which only this process can see."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[bytes] = []
        self._size = 0

    def append(self, record: bytes) -> int:
        with self._lock:
            self._records.append(record)
            self._size += len(record)
            return self._size

    def waiting(self) -> bool:
        return bool(self._records)

    def drain(self, move: Move, mark: Callable[[], Mark | None]) -> int:
        with self._lock:
            rows = _rows(records(b"".join(self._records)))
            if rows:
                move(rows, None)
            self._records.clear()
            self._size = 0
            return len(rows)

    def discard(self, then: Callable[[], None]) -> None:
        with self._lock:
            self._records.clear()
            self._size = 0
            then()


class FileLog:
    """The log of a file database: a file beside it that every worker appends to."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._mutex = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int:
        # A descriptor inherited over fork shares its lock with the parent: open our own.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextlib.contextmanager
    def _held(self) -> Iterator[int]:
        with self._mutex:
            fd = self._file()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield fd
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def append(self, record: bytes) -> int:
        with self._held() as fd:
            view = memoryview(record)
            while view:  # a regular file takes it in one write; a short one is carried on
                view = view[os.write(fd, view) :]
            return os.fstat(fd).st_size

    def waiting(self) -> bool:
        return os.fstat(self._file()).st_size > 0

    def drain(self, move: Move, mark: Callable[[], Mark | None]) -> int:
        with self._held() as fd:
            size = os.fstat(fd).st_size
            if size == 0:
                return 0
            data = os.pread(fd, size, 0)
            found = list(records(data))
            if not found:
                os.ftruncate(fd, 0)
                return 0
            first = hashlib.blake2b(data[found[0][0] : found[0][1]], digest_size=16).hexdigest()
            done = mark()
            # The same log as the last move's (killed before its truncation): on from there.
            start = done.offset if done is not None and done.first == first else 0
            rows = _rows(r for r in found if r[0] >= start)
            if rows:
                move(rows, Mark(first, found[-1][1]))
            os.ftruncate(fd, 0)
            return len(rows)

    def discard(self, then: Callable[[], None]) -> None:
        with self._held() as fd:
            os.ftruncate(fd, 0)
            then()

    def close(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None
