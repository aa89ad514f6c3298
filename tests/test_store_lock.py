"""The writers' lock of a file store: what it covers of a write, and what it leaves out."""

from __future__ import annotations

import contextlib
import gc
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, exc, text

from tpn.mocks.core import store as store_module
from tpn.mocks.core.store import CACHE_KIB, Store


@contextlib.contextmanager
def _watched(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, bool]]]:
    """The pool's checkouts and checkins, each with whether the writers' lock was held."""
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
    yield seen


@contextlib.contextmanager
def _slots_taken(store: Store) -> Iterator[None]:
    """Every kept connection taken by threads that wait until the block ends."""
    release = threading.Event()
    ready = threading.Barrier(store_module.PINNED_THREADS + 1)

    def keeper() -> None:
        with store.read():
            pass
        ready.wait(10)
        release.wait(30)

    keepers = [threading.Thread(target=keeper) for _ in range(store_module.PINNED_THREADS)]
    for t in keepers:
        t.start()
    ready.wait(10)
    try:
        yield
    finally:
        release.set()
        for t in keepers:
            t.join(30)


def test_a_thread_keeps_its_connection_between_transactions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkout and a return cost more than the transaction of a GetJournpost around them:
    a thread takes one connection, under the writers' lock when its first transaction writes,
    and keeps it for its reads and writes until the store is disposed of."""
    store = Store(f"sqlite:///{tmp_path}/k.sqlite3")
    with _watched(store, monkeypatch) as seen:
        try:
            with store.write() as conn:
                conn.execute(text("CREATE TABLE t (a INTEGER)"))
            with store.read() as conn:
                assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
            with store.write() as conn:
                conn.execute(text("INSERT INTO t VALUES (1)"))
            with store.read() as conn:
                assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
            assert seen == [("checkout", True)]
        finally:
            store.dispose()
    assert seen == [("checkout", True), ("checkin", False)]


def test_a_kept_connection_starts_the_transaction_it_is_asked_for(tmp_path: Path) -> None:
    """A kept connection moves between reads and writes: a write still takes SQLite's write
    lock from its start (BEGIN IMMEDIATE), a read never does, whichever came before."""
    path = tmp_path / "m.sqlite3"
    store = Store(f"sqlite:///{path}")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)

    def locked() -> bool:
        """Whether another connection is refused the write lock now."""
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        other.execute("ROLLBACK")
        return False

    try:
        with store.write() as conn:
            conn.execute(text("CREATE TABLE t (a INTEGER)"))
        seen = []
        for step in ("read", "write", "read", "read", "write", "write", "read"):
            with getattr(store, step)() as conn:
                conn.execute(text("SELECT count(*) FROM t")).scalar_one()
                seen.append((step, locked()))
        assert seen == [(step, step == "write") for step, _ in seen]
    finally:
        other.close()
        store.dispose()


def test_beyond_the_kept_connections_a_write_borrows_one_under_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread that finds every kept connection taken borrows one from the pool for each
    transaction: taken under the writers' lock, so that a writer waiting for it holds none, and
    returned after it, which other writers need not wait for."""
    store = Store(f"sqlite:///{tmp_path}/l.sqlite3")
    try:
        with _slots_taken(store), _watched(store, monkeypatch) as seen:
            with store.write() as conn:
                conn.execute(text("CREATE TABLE t (a INTEGER)"))
            with store.write() as conn:
                conn.execute(text("INSERT INTO t VALUES (1)"))
            assert seen == [("checkout", True), ("checkin", False)] * 2
    finally:
        store.dispose()


def test_a_nested_transaction_borrows_from_the_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read inside a write on the same thread cannot use the write's connection: it borrows
    one, and sees the state before the write, as a transaction of its own."""
    store = Store(f"sqlite:///{tmp_path}/n.sqlite3")
    try:
        with store.write() as conn:
            conn.execute(text("CREATE TABLE t (a INTEGER)"))
        with _watched(store, monkeypatch) as seen, store.write() as outer:
            outer.execute(text("INSERT INTO t VALUES (1)"))
            with store.read() as inner:
                assert inner is not outer
                assert inner.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
            assert seen == [("checkout", True), ("checkin", True)]
    finally:
        store.dispose()


def test_a_thread_that_ends_gives_its_connection_back(tmp_path: Path) -> None:
    """A server with a thread per client: threads that end free their slots, so later ones keep
    connections too, and the pool gets every connection back."""
    store = Store(f"sqlite:///{tmp_path}/e.sqlite3")
    try:
        with store.write() as conn:
            conn.execute(text("CREATE TABLE t (a INTEGER)"))
        for round_ in range(3):
            threads = [
                threading.Thread(target=_one_read, args=(store,))
                for _ in range(store_module.PINNED_THREADS * 2)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            gc.collect()
            # Only the main thread's kept connection is out of the pool.
            assert store.engine.pool.checkedout() == 1, round_  # type: ignore[attr-defined]
        # And their slots are free: a new thread keeps its connection for three reads.
        checkouts: list[int] = []
        event.listen(store.engine, "checkout", lambda *_a: checkouts.append(1))
        later = threading.Thread(target=lambda: [_one_read(store) for _ in range(3)])
        later.start()
        later.join(30)
        assert checkouts == [1]
    finally:
        store.dispose()


def _one_read(store: Store) -> None:
    with store.read() as conn:
        conn.execute(text("SELECT count(*) FROM t")).scalar_one()


def test_a_disposed_store_takes_its_connections_again(tmp_path: Path) -> None:
    """``dispose()`` gives every kept connection back; a store used after it keeps a new one."""
    store = Store(f"sqlite:///{tmp_path}/d.sqlite3")
    try:
        with store.write() as kept:
            kept.execute(text("CREATE TABLE t (a INTEGER)"))
        store.dispose()
        assert kept.closed, "dispose() gave the kept connection back"
        checkouts: list[int] = []
        event.listen(store.engine, "checkout", lambda *_a: checkouts.append(1))
        with store.write() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        with store.read() as again:
            assert again.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
        assert again is conn and not conn.closed and checkouts == [1]
    finally:
        store.dispose()


def test_a_failed_commit_leaves_no_transaction_open(tmp_path: Path) -> None:
    """A COMMIT that fails (a deferred foreign key broken) ends SQLAlchemy's transaction but
    not SQLite's, which keeps the write lock. The pool's return rolls it back; a kept connection
    never returns, so it goes back then, and the thread and every other writer go on."""
    path = tmp_path / "f.sqlite3"
    store = Store(f"sqlite:///{path}")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with store.write() as conn:
            conn.execute(text("CREATE TABLE p (id INTEGER PRIMARY KEY)"))
            conn.execute(
                text("CREATE TABLE c (p INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)")
            )
        with pytest.raises(exc.IntegrityError), store.write() as conn:
            conn.execute(text("INSERT INTO c VALUES (42)"))
        other.execute("BEGIN IMMEDIATE")  # "database is locked" while SQLite's stays open
        other.execute("ROLLBACK")
        with store.write() as conn:
            conn.execute(text("INSERT INTO p VALUES (1)"))
        with store.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM c")).scalar_one() == 0
            assert conn.execute(text("SELECT count(*) FROM p")).scalar_one() == 1
    finally:
        other.close()
        store.dispose()


def test_a_connection_used_after_its_block_is_not_kept(tmp_path: Path) -> None:
    """A statement on ``conn`` after its block begins a transaction of its own (and holds its
    snapshot): the thread's next transaction takes another connection, and sees what was
    written since."""
    path = tmp_path / "u.sqlite3"
    store = Store(f"sqlite:///{path}")
    try:
        with store.write() as conn:
            conn.execute(text("CREATE TABLE t (a INTEGER)"))
        with store.read() as stray:
            pass
        assert stray.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("INSERT INTO t VALUES (1)")
        other.close()
        with store.read() as conn:
            assert conn is not stray
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
        with store.write() as conn:
            conn.execute(text("INSERT INTO t VALUES (2)"))
    finally:
        store.dispose()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_child_keeps_a_connection_of_its_own(tmp_path: Path) -> None:
    """A child forked after its parent kept a connection (as a server that builds its store
    before forking would) takes its own, and its pool never hands out the parent's (nor does it
    close it): two processes on one SQLite connection corrupt its locks."""
    store = Store(f"sqlite:///{tmp_path}/c.sqlite3")
    try:
        with store.write() as conn:
            conn.execute(text("CREATE TABLE t (a INTEGER)"))
            parents = id(conn.connection.dbapi_connection)
        pid = os.fork()
        if pid == 0:  # the child: its exit status says what it found
            code = 1
            try:
                with store.write() as conn, store.read() as nested:
                    conn.execute(text("INSERT INTO t VALUES (1)"))
                    used = {id(c.connection.dbapi_connection) for c in (conn, nested)}
                    code = 2 if parents in used else 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, "the child used its parent's connection"
        with store.read() as conn:
            assert id(conn.connection.dbapi_connection) == parents
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
    finally:
        store.dispose()


def test_writers_waiting_for_the_lock_leave_the_pool_to_its_holder(tmp_path: Path) -> None:
    """More writers than the pool has connections queue for the lock while its holder waits
    for a read in a second connection (another thread's, so that a failure takes 10 s, not the
    pool's 30): the read gets one, as the waiting writers hold none but the few they keep.
    Each has written before, so that those who could keep a connection do."""
    store = Store(f"sqlite:///{tmp_path}/p.sqlite3")
    try:
        with store.write() as conn:
            conn.execute(text("CREATE TABLE t (a INTEGER)"))
        size = 30  # writers: twice the pool's 15 connections (SQLAlchemy's 5 and 10 more)
        warmed = threading.Barrier(size + 1)
        go = threading.Event()

        def writer(k: int) -> None:
            with store.write() as conn:
                conn.execute(text("INSERT INTO t VALUES (:k)"), {"k": k})
            warmed.wait(30)
            go.wait(30)
            with store.write() as conn:
                conn.execute(text("INSERT INTO t VALUES (:k)"), {"k": size + k})

        found: list[int] = []

        def reader() -> None:
            with store.read() as conn:
                found.append(int(conn.execute(text("SELECT count(*) FROM t")).scalar_one()))

        writers = [threading.Thread(target=writer, args=(k,)) for k in range(size)]
        for t in writers:
            t.start()
        warmed.wait(30)
        with store.write():
            go.set()
            time.sleep(0.5)  # every writer is now waiting for the lock
            read = threading.Thread(target=reader)
            read.start()
            read.join(10)
            assert found == [size], "the read during the write waited for a connection"
        for t in writers:
            t.join(30)
        with store.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 2 * size
    finally:
        store.dispose()


def test_a_file_store_keeps_a_small_page_cache_and_a_memory_store_the_default(
    tmp_path: Path,
) -> None:
    """Every connection to a file database, the pool's and the driver's, caches at most
    ``CACHE_KIB``; a memory database lives in its cache and keeps SQLite's default."""
    store = Store(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    memory = Store("sqlite://")
    try:
        with store.read() as conn:
            assert conn.execute(text("PRAGMA cache_size")).scalar_one() == -CACHE_KIB
        cursor = store._driver().cursor()
        assert cursor.execute("PRAGMA cache_size").fetchone()[0] == -CACHE_KIB
        cursor.close()
        with memory.read() as conn:
            assert conn.execute(text("PRAGMA cache_size")).scalar_one() == -2000
    finally:
        store.dispose()
        memory.dispose()
