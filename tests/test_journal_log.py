"""The journal's log: rows reach the table whole, once, in order, and before anyone reads."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tpn.mocks.core import journal as journal_module
from tpn.mocks.core import journal_log
from tpn.mocks.core.journal import FLUSH_BYTES, Journal
from tpn.mocks.core.store import Store


def _row(n: int = 0, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "at": 1_700_000_000.0 + n,
        "service": "noark4ws",
        "operation": f"Op{n}",
        "http_status": 200,
        "outcome": "ok",
        "validation": "",
        "duration_ms": 0.5,
        "request": b"<r>%d</r>" % n,
        "request_size": 10,
        "request_sha256": "0" * 64,
        "response": b"<a/>",
        "response_size": 4,
        "fault_id": None,
        "fault_kind": None,
        "key": None,
    }
    row.update(over)
    return row


KEY = bytes(range(16))


def _record(journal: Journal, n: int, **over: Any) -> None:
    row = _row(n, **over)
    journal.record(
        service=row["service"],
        operation=row["operation"],
        http_status=row["http_status"],
        outcome=row["outcome"],
        validation=row["validation"],
        started=row["at"],
        request=row["request"],
        response=row["response"],
    )


def _table_count(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT count(*) FROM tpn_journal").fetchone()[0])
    finally:
        db.close()


texts = st.one_of(st.none(), st.text(max_size=40))
ints = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@given(
    service=st.text(max_size=20),
    key=texts,
    fault_kind=texts,
    fault_id=st.one_of(st.none(), ints),
    request=st.binary(max_size=300),
    response=st.binary(max_size=300),
    status=ints,
    at=st.floats(allow_nan=False),
)
def test_a_record_decodes_to_the_row_it_was(
    service: str,
    key: str | None,
    fault_kind: str | None,
    fault_id: int | None,
    request: bytes,
    response: bytes,
    status: int,
    at: float,
) -> None:
    row = _row(
        service=service,
        key=key,
        fault_kind=fault_kind,
        fault_id=fault_id,
        request=request,
        response=response,
        http_status=status,
        at=at,
    )
    [(_, _, payload)] = list(journal_log.records(journal_log.encode(row, KEY), KEY))
    back = journal_log.decode(payload)
    expected = {k: v for k, v in row.items()}
    # Text the encoder could not write as UTF-8 (lone surrogates) arrives replaced, not lost.
    for name in ("service", "key", "fault_kind"):
        if isinstance(row[name], str):
            expected[name] = row[name].encode("utf-8", "replace").decode("utf-8")
    assert back == expected


def _operations(data: bytes, key: bytes = KEY, *, untagged: bool = False) -> list[str]:
    found = journal_log.records(data, key, untagged=untagged)
    return [journal_log.decode(p)["operation"] for _, _, p in found]


def test_a_torn_record_is_skipped_and_the_next_whole_one_read() -> None:
    one, two, three = (journal_log.encode(_row(n), KEY) for n in range(3))
    torn = one + two[: len(two) // 2] + three  # a writer killed halfway through ``two``
    assert _operations(torn) == ["Op0", "Op2"]
    flipped = bytearray(one + three)
    flipped[len(one) - 1] ^= 0xFF  # a bit of the payload changed: its CRC no longer matches
    assert _operations(bytes(flipped)) == ["Op2"]
    assert list(journal_log.records(one[:10], KEY)) == []  # a tail shorter than a frame


def _untagged(row: dict[str, Any]) -> bytes:
    """A record as versions before the tag framed it (magic, length, CRC-32, payload)."""
    payload = journal_log.encode(row, KEY)[journal_log._FRAME.size :]
    head = journal_log._HEAD.pack(journal_log.UNTAGGED, len(payload), zlib.crc32(payload))
    return head + payload


def test_a_record_a_client_wrote_into_its_request_is_never_read_as_a_row() -> None:
    """The search for the next record after a torn one reads the torn record's payload: a
    client's request. A frame the client put there, with a valid CRC, is not a record: it has
    no valid tag (the client has not the key), and an untagged one is never searched for."""
    forged = _row(66, operation="Forged")
    for inside in (journal_log.encode(forged, b"\x00" * 16), _untagged(forged)):
        two = journal_log.encode(_row(2, request=b"<r>" + inside + b"</r>"), KEY)
        one, three = journal_log.encode(_row(1), KEY), journal_log.encode(_row(3), KEY)
        torn = one + two[: len(two) - 10] + three  # killed just before the end of ``two``
        for untagged in (False, True):  # in a log begun before tags too
            assert _operations(torn, untagged=untagged) == ["Op1", "Op3"]
        # Whole, the same record hides nothing either: it is read as the one row it is.
        assert _operations(one + two + three) == ["Op1", "Op2", "Op3"]


def test_an_untagged_frame_counts_only_in_a_log_begun_untagged() -> None:
    """Where a log was begun by this version, an untagged frame is never a record, even where
    the record before it ends (a move's mark could be wrong about where that is)."""
    one, three = journal_log.encode(_row(1), KEY), journal_log.encode(_row(3), KEY)
    mixed = one + _untagged(_row(2)) + three
    assert _operations(mixed) == ["Op1", "Op3"]
    assert _operations(mixed, untagged=True) == ["Op1", "Op2", "Op3"]


def test_skipped_bytes_are_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "j.db"
    journal = Journal(Store(f"sqlite:///{path}"))
    assert journal._log is not None
    torn = journal_log.encode(_row(99), journal._log.key)
    _record(journal, 0)
    with open(f"{path}-exchanges.log", "ab") as log:
        log.write(torn[:50])  # a writer killed 50 bytes into its record
    _record(journal, 1)
    with caplog.at_level(logging.WARNING, logger="tpn.mocks"):
        assert [e.operation for e in journal.entries()] == ["Op0", "Op1"]
    assert "held 50 bytes at" in caplog.text and "not a whole record" in caplog.text


def test_a_log_written_before_records_were_tagged_is_read(tmp_path: Path) -> None:
    old = b"".join(_untagged(_row(n)) for n in range(3))
    path = tmp_path / "j.db"
    Store(f"sqlite:///{path}")  # the store, made before the log is found beside it
    with open(f"{path}-exchanges.log", "wb") as log:
        log.write(old)
    journal = Journal(Store(f"sqlite:///{path}"))  # moves what it finds, as at a start
    # And the records this version appends after them.
    _record(journal, 3)
    assert [e.operation for e in journal.entries()] == ["Op0", "Op1", "Op2", "Op3"]


def test_every_process_tags_under_the_stores_key(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    first, second = Journal(Store(f"sqlite:///{path}")), Journal(Store(f"sqlite:///{path}"))
    assert first._log is not None and second._log is not None
    assert first._log.key == second._log.key and len(first._log.key) == 16
    _record(first, 0)
    _record(second, 1)
    assert [e.operation for e in first.entries()] == ["Op0", "Op1"]
    other = Journal(Store(f"sqlite:///{tmp_path / 'other.db'}"))
    assert other._log is not None and other._log.key != first._log.key


@pytest.mark.parametrize("where", ["file", "memory"])
def test_a_reader_sees_every_exchange_recorded_before_it(where: str, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'j.db'}" if where == "file" else "sqlite://")
    journal = Journal(store)
    for n in range(5):
        _record(journal, n)
    assert [e.operation for e in journal.entries()] == [f"Op{n}" for n in range(5)]
    assert journal.count() == 5 and journal.newest()[0].operation == "Op4"
    journal.clear()
    _record(journal, 9)
    assert [e.operation for e in journal.entries()] == ["Op9"]


def test_rows_move_to_the_table_once_enough_wait(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    journal = Journal(Store(f"sqlite:///{path}"))
    body = b"x" * 4096
    _record(journal, 0, request=body)
    assert _table_count(path) == 0  # waiting in the log
    n = 1
    while _table_count(path) == 0:
        _record(journal, n, request=body)
        n += 1
        assert n * len(body) < 2 * FLUSH_BYTES, "the log never moved"
    assert _table_count(path) == n
    # The file is emptied only once it is big; until then the mark says how far it moved.
    assert os.path.getsize(f"{path}-exchanges.log") > 0
    _record(journal, n, request=body)
    assert journal.count() == n + 1  # nothing moved twice


def test_a_big_log_is_emptied_after_its_rows_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_log.FileLog, "TRUNCATE_BYTES", 2048)
    path = tmp_path / "j.db"
    journal = Journal(Store(f"sqlite:///{path}"))
    for n in range(3):
        _record(journal, n, request=b"y" * 1024)
    assert journal.count() == 3
    assert os.path.getsize(f"{path}-exchanges.log") == 0
    _record(journal, 3)
    assert [e.operation for e in journal.entries()] == [f"Op{n}" for n in range(4)]


@pytest.mark.parametrize("truncate", [False, True])
def test_workers_share_one_log_in_the_order_they_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, truncate: bool
) -> None:
    """Two journals on one file database, as two worker processes have, each reading and
    moving in turn: every row once, in the order written."""
    if truncate:
        monkeypatch.setattr(journal_log.FileLog, "TRUNCATE_BYTES", 1)
    url = f"sqlite:///{tmp_path / 'j.db'}"
    first, second = Journal(Store(url)), Journal(Store(url))
    for n in range(12):
        _record(first if n % 2 else second, n)
        if n % 3 == 2:
            assert (second if n % 2 else first).count() == n + 1
    assert [e.operation for e in first.entries()] == [f"Op{n}" for n in range(12)]
    assert [e.id for e in second.entries()] == [e.id for e in first.entries()]


def test_a_worker_counts_what_waits_from_any_workers_move(tmp_path: Path) -> None:
    """The rows another worker just moved do not wait: a worker that has not moved for long
    moves only once enough bytes wait past the last move of either (before, it followed each
    move of the other's with a move of the few rows logged since)."""
    path = tmp_path / "j.db"
    url = f"sqlite:///{path}"
    first, second = Journal(Store(url)), Journal(Store(url))
    body = b"x" * 4096
    n = 0

    def record(journal: Journal) -> None:
        nonlocal n
        _record(journal, n, request=body)
        n += 1

    while _table_count(path) == 0:
        record(first)
    moved = n
    for _ in range(4):
        record(second)  # its own view: every byte of the log waits
    assert _table_count(path) == moved
    while _table_count(path) == moved:
        record(second)
        assert (n - moved) * len(body) < 2 * FLUSH_BYTES, "the log never moved"
    assert [e.operation for e in first.entries()] == [f"Op{m}" for m in range(n)]


def test_a_request_does_not_wait_for_another_workers_move(tmp_path: Path) -> None:
    """A request whose record finds enough waiting while another worker moves the rows goes
    on without moving (the other's move, or the next, takes them); a read still waits for the
    move and sees every row."""
    url = f"sqlite:///{tmp_path / 'j.db'}"
    first, second = Journal(Store(url)), Journal(Store(url))
    body = b"x" * 4096
    log = first._log
    assert isinstance(log, journal_log.FileLog)
    count = FLUSH_BYTES // len(body) + 2
    recording = threading.Thread(
        target=lambda: [_record(second, n, request=body) for n in range(count)]
    )
    with log.draining() as holding:  # the first worker is moving
        assert holding is False
        recording.start()
        recording.join(timeout=10)
        assert not recording.is_alive(), "a request waited for another worker's move"
    recording.join()
    assert second.count() == count
    assert [e.operation for e in first.entries()] == [f"Op{n}" for n in range(count)]


def test_a_move_cut_short_before_the_truncation_is_not_moved_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_log.FileLog, "TRUNCATE_BYTES", 1)  # every move empties it
    path = tmp_path / "j.db"
    journal = Journal(Store(f"sqlite:///{path}"))
    for n in range(3):
        _record(journal, n)

    def killed(fd: int, size: int) -> None:
        raise KeyboardInterrupt("killed between the commit and the truncation")

    real = journal_log.os.ftruncate
    monkeypatch.setattr(journal_log.os, "ftruncate", killed)
    with pytest.raises(KeyboardInterrupt):
        journal.flush()
    monkeypatch.setattr(journal_log.os, "ftruncate", real)
    assert _table_count(path) == 3
    _record(journal, 3)  # the same log goes on
    assert [e.operation for e in journal.entries()] == ["Op0", "Op1", "Op2", "Op3"]
    # And a log truncated and written again is moved from its start.
    for n in range(4, 6):
        _record(journal, n)
    assert [e.operation for e in journal.entries()][-2:] == ["Op4", "Op5"]
    assert journal.count() == 6


def test_a_killed_process_loses_no_acknowledged_exchange(tmp_path: Path) -> None:
    """The log is in the operating system's hands once ``record`` returns: a process killed
    with nothing moved leaves every row for the next one."""
    path = tmp_path / "j.db"
    Store(f"sqlite:///{path}")  # the schema, made by the parent as ``tpn serve`` does
    script = textwrap.dedent(
        f"""
        import os, signal
        from tpn.mocks.core.journal import Journal
        from tpn.mocks.core.store import Store
        journal = Journal(Store({f"sqlite:///{path}"!r}, create=False))
        for n in range(20):
            journal.record(service="s", operation=f"Op{{n}}", http_status=200, outcome="ok",
                           validation="", started={time.time()}, request=b"q", response=b"a")
        print("acknowledged", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.stdout.strip() == b"acknowledged" and done.returncode == -9
    assert _table_count(path) == 0  # nothing had moved
    journal = Journal(Store(f"sqlite:///{path}"))  # the next process moves them on start
    assert _table_count(path) == 20
    assert [e.operation for e in journal.entries()] == [f"Op{n}" for n in range(20)]


def test_a_database_without_a_log_takes_each_row_as_it_comes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another database (PostgreSQL) has no file beside it: rows go straight to the table."""
    monkeypatch.setattr("tpn.mocks.core.journal._log_of", lambda store: None)
    path = tmp_path / "j.db"
    journal = Journal(Store(f"sqlite:///{path}"))
    _record(journal, 0)
    assert _table_count(path) == 1 and journal.flush() == 0
    assert not os.path.exists(f"{path}-exchanges.log")


def test_a_torn_first_record_does_not_make_later_moves_repeat_rows(tmp_path: Path) -> None:
    """A worker killed inside the log's first record: the log's name (its first frame's head)
    must not change as records follow it, or every move would start again from the top."""
    path = tmp_path / "j.db"
    journal = Journal(Store(f"sqlite:///{path}"))
    assert journal._log is not None
    torn = journal_log.encode(_row(99, request=b"x" * 100_000), journal._log.key)
    with open(f"{path}-exchanges.log", "ab") as log:
        log.write(torn[:100])  # the head whole, claiming more than the records after it hold
    for n in range(3):
        _record(journal, n)
    assert [e.operation for e in journal.entries()] == ["Op0", "Op1", "Op2"]
    for n in range(3, 5):
        _record(journal, n)
    assert [e.operation for e in journal.entries()] == [f"Op{n}" for n in range(5)]


def test_a_record_that_could_not_be_written_whole_is_taken_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short write (a full disk) leaves no prefix behind for the next record to follow."""
    path = tmp_path / "j.db"
    journal = Journal(Store(f"sqlite:///{path}"))
    _record(journal, 0)
    size = os.path.getsize(f"{path}-exchanges.log")
    real = journal_log.os.write
    calls = []

    def short_then_full(fd: int, data: Any) -> int:
        if not calls:
            calls.append(1)
            return real(fd, bytes(data[:10]))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal_log.os, "write", short_then_full)
    with pytest.raises(OSError):
        _record(journal, 1)
    monkeypatch.setattr(journal_log.os, "write", real)
    assert os.path.getsize(f"{path}-exchanges.log") == size
    _record(journal, 2)
    assert [e.operation for e in journal.entries()] == ["Op0", "Op2"]


def test_a_journal_nobody_closes_leaves_no_descriptor_open(tmp_path: Path) -> None:
    def open_files() -> int:
        """The descriptors on the journals' log files (the store's own come and go)."""
        found = 0
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                found += os.readlink(f"/proc/self/fd/{fd}").endswith(("-exchanges.log", ".lock"))
        return found

    path = tmp_path / "j.db"
    store = Store(f"sqlite:///{path}")
    Journal(store)  # the first opens what every journal on this store shares: the database
    before = open_files()
    for n in range(20):
        journal = Journal(store)
        _record(journal, n)
        assert journal.entries()
    del journal
    gc.collect()
    assert open_files() <= before  # each journal opened two: the log and its lock
    store.dispose()


def test_clearing_every_table_keeps_the_logs_key(tmp_path: Path) -> None:
    """``Store.clear()`` with no table named leaves the settings: a process that kept the old
    key would otherwise tag records that a new one skips."""
    path = tmp_path / "j.db"
    store = Store(f"sqlite:///{path}")
    journal = Journal(store)
    assert journal._log is not None
    key = journal._log.key
    store.clear()
    later = Journal(Store(f"sqlite:///{path}"))
    assert later._log is not None and later._log.key == key
    _record(journal, 0)
    assert [e.operation for e in later.entries()] == ["Op0"]


def test_two_logs_one_after_the_other_never_share_a_name(tmp_path: Path) -> None:
    """The file is emptied and written again: where the last move got to in the old log must
    not count in the new one, even when the new one's first record is the old one's bytes."""
    path = tmp_path / "j.db"
    journal = Journal(Store(f"sqlite:///{path}"))
    log = journal._log
    assert isinstance(log, journal_log.FileLog)
    record = journal_log.encode(_row(0), log.key)
    log.append(record)
    assert journal.flush() == 1
    moved = os.stat(f"{path}-exchanges.log")
    os.truncate(f"{path}-exchanges.log", 0)  # as another worker's move of a big log empties it
    log.append(record)
    # Within one tick of the file system's clock (4 ms on some kernels) the file looks as it
    # did at the last move: the same inode, size and time. Only its name tells.
    os.utime(f"{path}-exchanges.log", ns=(moved.st_atime_ns, moved.st_mtime_ns))
    assert journal.flush() == 1
    assert _table_count(path) == 2


def test_a_log_begun_before_names_keeps_its_name(tmp_path: Path) -> None:
    """A move's mark, committed by a version before name frames, still finds its log."""
    record = journal_log.encode(_row(0), KEY)
    path = tmp_path / "old.log"
    path.write_bytes(record + journal_log.encode(_row(1), KEY))
    fd = os.open(path, os.O_RDONLY)
    try:
        name = journal_log.FileLog._first(fd, path.stat().st_size)
    finally:
        os.close(fd)
    assert name == hashlib.blake2b(record[:12], digest_size=16).hexdigest()


def test_a_move_reads_again_when_the_mark_changed_before_its_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A move reads and decodes its rows before it takes the writers' lock; if the mark it
    started from is not the one it then finds, it reads again, and moves no row twice."""
    path = tmp_path / "j.db"
    journal = Journal(Store(f"sqlite:///{path}"))
    for n in range(2):
        _record(journal, n)
    assert journal.flush() == 2
    _record(journal, 2)
    real = journal_module._read_mark
    calls: list[int] = []

    def stale_first(conn: Any) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real(conn)  # first: as if nothing had moved yet

    monkeypatch.setattr(journal_module, "_read_mark", stale_first)
    assert journal.flush() == 1
    assert _table_count(path) == 3


@pytest.mark.parametrize(
    "value",
    [
        '{"first": "x", "offset": 1e400}',  # an offset no integer is: int() overflows
        '{"first": "x"}',
        '["first", 1]',
        "not json",
        "",
    ],
)
def test_a_mark_this_version_did_not_write_moves_the_whole_log(tmp_path: Path, value: str) -> None:
    """Whatever the settings row holds where the mark should be, the rows waiting in the log
    move once, all of them, and the next move goes on from the mark that move wrote."""
    path = tmp_path / "j.db"
    journal = Journal(Store(f"sqlite:///{path}"))
    for n in range(2):
        _record(journal, n)
    db = sqlite3.connect(path)
    try:
        db.execute("DELETE FROM tpn_settings WHERE key = 'journal_log'")
        db.execute("INSERT INTO tpn_settings (key, value) VALUES ('journal_log', ?)", (value,))
        db.commit()
    finally:
        db.close()
    assert journal.flush() == 2
    _record(journal, 2)
    assert journal.flush() == 1
    assert [e.operation for e in journal.entries()] == ["Op0", "Op1", "Op2"]
