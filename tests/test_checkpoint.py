"""A file store's log is checkpointed by its own thread, not inside requests' commits."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tpn.mocks.core import checkpoint
from tpn.mocks.core.settings import settings_table
from tpn.mocks.core.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path}/c.sqlite3")
    yield s
    s.dispose()


def _threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "tpn-checkpoint"]


def _write(store: Store, n: int, first: int = 0) -> None:
    for i in range(first, first + n):
        with store.write() as conn:
            conn.execute(settings_table.insert(), {"key": f"k{i}", "value": "x" * 3000})


def test_commits_checkpoint_only_at_the_backstop(store: Store) -> None:
    raw = store._driver()
    assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == checkpoint.BACKSTOP
    assert raw.execute("PRAGMA journal_size_limit").fetchone()[0] == checkpoint.BACKSTOP * 4096


def test_the_thread_copies_the_log_into_the_database(store: Store, tmp_path: Path) -> None:
    _write(store, 50)  # about 50 pages, far below the backstop: no commit checkpointed them
    checkpointer = store._checkpointer[0]
    assert checkpointer is not None and checkpointer.running()
    # The database file alone, without its log, comes to hold every row (the commits' wakes
    # copied some of them; the last look after the writes copies the rest).
    deadline = time.monotonic() + 10
    while _rows_in_the_database_alone(tmp_path) < 50 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _rows_in_the_database_alone(tmp_path) == 50
    assert checkpointer.checkpoints >= 1


def _rows_in_the_database_alone(tmp_path: Path) -> int:
    alone = tmp_path / "alone.sqlite3"
    shutil.copyfile(tmp_path / "c.sqlite3", alone)
    with contextlib.closing(sqlite3.connect(alone)) as copy:
        try:
            found = copy.execute("SELECT count(*) FROM tpn_settings WHERE key LIKE 'k%'")
        except sqlite3.DatabaseError:
            return 0  # not even the table copied yet, or copied in the middle of a checkpoint
        return int(found.fetchone()[0])


def test_a_database_removed_under_the_thread_is_not_made_again(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    s = Store(f"sqlite:///{folder}/g.sqlite3")
    _write(s, 1)
    checkpointer = s._checkpointer[0]
    assert checkpointer is not None
    for name in os.listdir(folder):
        os.remove(folder / name)
    time.sleep(checkpoint.INTERVAL * 3)
    assert checkpointer.running()  # still looking, not crashed
    assert not (folder / "g.sqlite3").exists()
    shutil.rmtree(folder)
    time.sleep(checkpoint.INTERVAL * 3)  # the folder gone too
    assert checkpointer.running()
    s.dispose()
    assert not checkpointer.running()


def test_an_idle_store_is_left_alone(store: Store) -> None:
    _write(store, 1)
    checkpointer = store._checkpointer[0]
    assert checkpointer is not None
    time.sleep(checkpoint.INTERVAL * 3)
    settled = checkpointer.checkpoints
    time.sleep(checkpoint.INTERVAL * 4)
    assert checkpointer.checkpoints == settled  # nothing written since: no checkpoint either


def test_dispose_stops_the_thread(tmp_path: Path) -> None:
    before = len(_threads())
    s = Store(f"sqlite:///{tmp_path}/d.sqlite3")
    _write(s, 1)
    assert len(_threads()) == before + 1
    s.dispose()
    assert len(_threads()) == before


def test_a_memory_store_has_none() -> None:
    s = Store("sqlite://")
    _write(s, 1)
    assert s._checkpointer == [None]
    s.dispose()


def test_a_forgotten_store_stops_its_thread(tmp_path: Path) -> None:
    before = len(_threads())
    s = Store(f"sqlite:///{tmp_path}/f.sqlite3")
    _write(s, 1)
    assert len(_threads()) == before + 1
    del s
    gc.collect()
    deadline = time.monotonic() + 5
    while len(_threads()) > before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(_threads()) == before


def test_steady_commits_wake_the_thread_before_its_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An interval no test waits for: only the commits can bring a checkpoint within the test.
    monkeypatch.setattr(checkpoint, "INTERVAL", 600.0)
    monkeypatch.setattr(checkpoint, "COMMITS", 5)
    s = Store(f"sqlite:///{tmp_path}/w.sqlite3")
    try:
        _write(s, checkpoint.COMMITS - 1)
        checkpointer = s._checkpointer[0]
        assert checkpointer is not None
        time.sleep(0.3)
        assert checkpointer.checkpoints == 0  # fewer commits than a wake takes
        _write(s, 1, first=checkpoint.COMMITS)
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert checkpointer.checkpoints == 1
    finally:
        started = time.monotonic()
        s.dispose()
    assert time.monotonic() - started < 5  # a stop wakes the thread too, interval or not
