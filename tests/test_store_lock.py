"""The writers' lock of a file store: what it covers of a write, and what it leaves out."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from tpn.mocks.core import store as store_module
from tpn.mocks.core.store import Store


def test_a_connection_goes_back_to_the_pool_after_the_writers_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every other writer waits while the lock is held: the return (a rollback and the pool's
    bookkeeping) need not be inside it. The checkout is: a writer waiting for the lock must
    hold no connection, or waiting writers could empty the pool while the holder needs one."""
    store = Store(f"sqlite:///{tmp_path}/l.sqlite3")
    held = [False]
    seen: list[tuple[str, bool]] = []
    original = store_module._WriterLock.held

    @contextlib.contextmanager
    def watched(self: Any) -> Iterator[None]:
        with original(self):
            held[0] = True
            try:
                yield
            finally:
                held[0] = False

    monkeypatch.setattr(store_module._WriterLock, "held", watched)
    for name in ("checkout", "checkin"):
        event.listen(store.engine, name, lambda *_a, n=name: seen.append((n, held[0])))
    try:
        with store.write() as conn:
            assert held[0], "the transaction runs under the writers' lock"
            conn.execute(text("CREATE TABLE t (a INTEGER)"))
        with store.write() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
    finally:
        store.dispose()
    assert seen == [("checkout", True), ("checkin", False)] * 2


def test_writers_waiting_for_the_lock_leave_the_pool_to_its_holder(tmp_path: Path) -> None:
    """More writers than the pool has connections queue for the lock while its holder waits
    for a read in a second connection (another thread's, so that a failure takes 10 s, not the
    pool's 30): the read gets one, as the waiting writers hold none."""
    store = Store(f"sqlite:///{tmp_path}/p.sqlite3")
    try:
        with store.write() as conn:
            conn.execute(text("CREATE TABLE t (a INTEGER)"))
        size = 30  # writers: twice the pool's 15 connections (SQLAlchemy's 5 and 10 more)

        def writer(k: int) -> None:
            with store.write() as conn:
                conn.execute(text("INSERT INTO t VALUES (:k)"), {"k": k})

        found: list[int] = []

        def reader() -> None:
            with store.read() as conn:
                found.append(int(conn.execute(text("SELECT count(*) FROM t")).scalar_one()))

        writers = [threading.Thread(target=writer, args=(k,)) for k in range(size)]
        with store.write():
            for t in writers:
                t.start()
            time.sleep(0.5)  # every writer is now waiting for the lock
            read = threading.Thread(target=reader)
            read.start()
            read.join(10)
            assert found == [0], "the read during the write waited for a connection"
        for t in writers:
            t.join(30)
        with store.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == size
    finally:
        store.dispose()
