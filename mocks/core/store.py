"""The store behind every mock: SQLAlchemy over SQLite by default, any SQLAlchemy URL accepted.

All mock state lives here, never in process memory, so that several worker processes,
restarts and a killed worker all see one state. On SQLite a file database runs in WAL mode with
``synchronous=NORMAL`` (an acknowledged commit survives a killed process); write transactions
start with ``BEGIN IMMEDIATE`` so that two workers never deadlock upgrading a read lock, and a
busy database is waited for rather than failed. ``sqlite://`` (memory) is for single-process
use: one shared connection, its transactions serialised by a lock.

A thread keeps the pool's connection it last used for its next transaction (``_Pin``): taking
one from the pool and returning it made a read transaction of one statement cost about 27 µs
where it now costs 15, and a write of one about 44 where now 26 (in process, 2026-12-06). Only
a few threads keep one (``PINNED_THREADS``): a server with a thread per client leaves the rest
of the pool to the others, and a nested transaction takes one from the pool, as every
transaction did.

Writers to a SQLite file queue on a lock file (``flock``) before ``BEGIN IMMEDIATE``. Without it
a writer that finds the database locked is left to SQLite's busy handler, which sleeps in steps
of up to 100 ms: under two workers' steady writes that made the p99 of a PutJournpost ~1 s
(benchmarks/bench_noark4ws.py); queueing on the lock wakes each writer as soon as the previous
one is done. A killed process releases its ``flock``, so a crash cannot wedge the others.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Index,
    MetaData,
    Table,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.engine import URL, Connection, Dialect, make_url
from sqlalchemy.pool import StaticPool

from tpn.mocks.core import checkpoint
from tpn.mocks.core.flock import FileLock

# Every mock's tables are declared on this one MetaData, so one store holds them all.
metadata = MetaData()

_WRITE = "tpn_write"
# Threads that keep a connection between their transactions (``Store._pin``): a served worker
# has one that runs requests; the pool has 15 connections (SQLAlchemy's 5 and 10 more), and
# threads beyond these take one from it for each transaction.
PINNED_THREADS = 4


class _WriterLock:
    """One writer at a time across threads and processes (``FileLock``), where the database
    is a file; other databases order their writers themselves."""

    def __init__(self, path: str | None) -> None:
        self._lock = None if path is None else FileLock(path, mode=0o644)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        if self._lock is None:
            yield
            return
        with self._lock.held():
            yield


def _missing_columns(bind: Engine | Connection) -> list[tuple[Table, Column[Any]]]:
    """The columns of this MetaData's tables that the database's tables of that name lack."""
    found = inspect(bind)
    missing = []
    for table in metadata.sorted_tables:
        if not found.has_table(table.name):
            continue
        present = {c["name"] for c in found.get_columns(table.name)}
        missing += [(table, column) for column in table.columns if column.name not in present]
    return missing


def _missing_indexes(bind: Engine | Connection) -> list[Index]:
    """The indexes of this MetaData's tables that the database's tables of that name lack."""
    found = inspect(bind)
    missing = []
    for table in metadata.sorted_tables:
        if not found.has_table(table.name):
            continue
        present = {i["name"] for i in found.get_indexes(table.name)}
        missing += [index for index in table.indexes if index.name not in present]
    return missing


_CONNECT_ARGS: dict[str, Any] = {"check_same_thread": False, "timeout": 30}
# A file database's page cache per connection, in KiB (SQLite's default is 2,000). A read
# transaction that finds another connection's commit since its connection's last drops that
# connection's whole cache, and under load every few requests have committed (another worker's
# writes, the journal's moves), so a bigger cache mostly held pages never read again: at 512 a
# served worker's two (its thread's and ``_driver``'s) made it peak about 1 MB lower, and it
# served as many reads and writes (benchmarks/bench_noark4ws.py, 2026-12-06). A memory database
# lives in its cache, and keeps the default; so does the checkpoint thread's connection
# (``checkpoint``), which a checkpoint hardly reads through.
CACHE_KIB = 512


def _configure(dbapi_conn: Any, *, memory: bool) -> None:
    """Every SQLite connection's settings, whether the pool or ``Store._driver`` made it."""
    # Let SQLAlchemy's "begin" event decide how transactions start.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    if not memory:
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        checkpoint.settings(dbapi_conn)
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _connect(dialect: Dialect, url: URL) -> Any:
    """A new connection to a file database, configured as the pool's are."""
    cargs, cparams = dialect.create_connect_args(url)
    conn = dialect.loaded_dbapi.connect(*cargs, **{**cparams, **_CONNECT_ARGS})
    _configure(conn, memory=False)
    return conn


class _Driver:
    """One thread's own connection (``Store._driver``); closed with the thread or the store."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.pid = os.getpid()


class _Pin:
    """A thread's pool connection, kept between its transactions (``Store._pin``)."""

    def __init__(self, conn: Connection, give_back: Callable[[], object]) -> None:
        self.conn = conn
        self.give_back = give_back  # to the pool, and its slot free (at most once)
        self.pid = os.getpid()
        self.write = False  # what its "begin" event starts: a write or a read transaction
        self.busy = False  # in a transaction now: a nested one takes the pool's

    def clean(self) -> bool:
        """Whether the connection is as the pool would hand it out, after a transaction that
        raised: no transaction open in SQLAlchemy, nor in SQLite (a failed COMMIT leaves
        SQLite's open, write lock and all, where SQLAlchemy counts it ended)."""
        if self.conn.closed or self.conn.invalidated or self.conn.in_transaction():
            return False
        raw = self.conn.connection.dbapi_connection
        return raw is not None and not raw.in_transaction

    @contextlib.contextmanager
    def held(self, *, write: bool) -> Iterator[Connection]:
        if self.write != write:
            self.conn.execution_options(**{_WRITE: write})  # in place (SQLAlchemy 2)
            self.write = write
        self.busy = True
        try:
            yield self.conn
        finally:
            self.busy = False


def _unpin(conn: Connection, slots: threading.BoundedSemaphore, pid: int) -> None:
    """Give a kept connection back to the pool (its thread ended, the store is disposed of, or
    a transaction left it unclean: the pool's return rolls back whatever is open), in the
    process that took it."""
    if os.getpid() != pid:
        return
    with contextlib.suppress(Exception):  # a pool already disposed of, at interpreter exit
        conn.close()
    slots.release()


class Store:
    """A database for mock state. ``write()`` and ``read()`` are transactions."""

    def __init__(self, url: str = "sqlite://", *, create: bool = True) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.is_memory = self.is_sqlite and self.url.database in (None, "", ":memory:")
        self._lock: threading.RLock | None = threading.RLock() if self.is_memory else None
        self._file = self.url.database if self.is_sqlite and not self.is_memory else None
        self._writer = _WriterLock(self.beside("-writer.lock"))
        self.engine = self._make_engine()
        self._local = threading.local()
        self._drivers: weakref.WeakSet[_Driver] = weakref.WeakSet()
        # The slots of kept connections (``_pin``), on a file database only (a memory one has
        # one connection), and the process they are this one's in.
        self._pin_slots = threading.BoundedSemaphore(PINNED_THREADS)
        self._pin_pid = os.getpid()
        self._inherited: list[_Pin] = []  # a forked child's copies of its parent's (``_pin``)
        # This process's checkpointer (``checkpoint``), in a box its finalizer holds: the thread
        # stops when the store is disposed of or collected, and never holds the store itself.
        self._checkpointer: list[checkpoint.Checkpointer | None] = [None]
        self._starting = threading.Lock()
        if self._file:
            weakref.finalize(self, checkpoint.stop, self._checkpointer)
        if create:
            self.create_schema()

    def _make_engine(self) -> Engine:
        if not self.is_sqlite:
            return create_engine(self.url, pool_pre_ping=True, hide_parameters=True)
        kwargs: dict[str, Any] = {
            "connect_args": dict(_CONNECT_ARGS),
            # A statement's values are a client's data: never in an error message or a log.
            "hide_parameters": True,
        }
        if self.is_memory:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(self.url, **kwargs)
        is_memory = self.is_memory

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            _configure(dbapi_conn, memory=is_memory)

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            write = conn.get_execution_options().get(_WRITE, False)
            # On the driver's cursor: through exec_driver_sql it cost ~20 µs a transaction.
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            finally:
                cursor.close()

        return engine

    def beside(self, suffix: str) -> str | None:
        """The path of a file kept beside a file store's database (its name and ``suffix``);
        None for a store that is not a file."""
        return None if self._file is None else f"{self._file}{suffix}"

    def create_schema(self) -> None:
        metadata.create_all(self.engine)
        self._add_columns()
        self._add_indexes()

    def _add_indexes(self) -> None:
        """Make the indexes a table gained since an existing store was made (the journal's
        for its page's filters): the same store, faster to read."""
        if not _missing_indexes(self.engine):
            return
        with self.write() as conn:
            for index in _missing_indexes(conn):
                index.create(conn, checkfirst=True)

    def _add_columns(self) -> None:
        """Add the nullable columns a table gained since an existing store was made (the
        journal's ``fault_id``, ``fault_kind``), so that a store keeps working across upgrades.
        A column that must have a value cannot be added this way: that needs a new table."""
        if not _missing_columns(self.engine):
            return
        preparer = self.engine.dialect.identifier_preparer
        with self.write() as conn:
            # Again inside the write transaction: another worker may have added them meanwhile.
            for table, column in _missing_columns(conn):
                if not column.nullable:
                    raise RuntimeError(
                        f"the store's table {table.name} lacks column {column.name}, which "
                        "cannot be added to it; start from a new store"
                    )
                kind = column.type.compile(dialect=self.engine.dialect)
                conn.exec_driver_sql(
                    f"ALTER TABLE {preparer.format_table(table)} "
                    f"ADD COLUMN {preparer.format_column(column)} {kind}"
                )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if self._lock is None:
            yield
        else:
            with self._lock:
                yield

    def _pin(self) -> _Pin | None:
        """This thread's kept connection, taken from the pool on its first transaction; None
        where it has none to spare (in a transaction already, or every slot is another
        thread's), and on a database that is not a file."""
        if self._file is None:
            return None
        pin: _Pin | None = getattr(self._local, "pin", None)
        if pin is not None and pin.pid == os.getpid():
            if pin.busy:
                return None
            if not pin.conn.in_transaction():
                return pin
            # Used after its block ended (a statement there begins a transaction): back it
            # goes, and this transaction takes another.
            self._let_go(pin)
        elif pin is not None:
            # A forked child's copy of its parent's: kept, never used or returned, so that the
            # child's copy of the pool never hands the parent's SQLite connection out.
            self._inherited.append(pin)
        with self._starting:  # the checkpointer's start lock: both happen once a process
            if self._pin_pid != os.getpid():  # a forked child: its parent's slots are not its own
                self._pin_slots = threading.BoundedSemaphore(PINNED_THREADS)
                self._pin_pid = os.getpid()
            slots = self._pin_slots
        if not slots.acquire(blocking=False):
            return None
        try:
            conn = self.engine.connect()
        except BaseException:
            slots.release()
            raise
        # Back to the pool when nothing holds it (its thread ended and its locals went, or
        # ``dispose`` let go of every thread's), or when a transaction leaves it unclean.
        # A finalizer only for its once-only call: it holds ``conn``, so never runs on its own.
        give_back = weakref.finalize(conn, _unpin, conn, slots, os.getpid())
        pin = self._local.pin = _Pin(conn, give_back)
        weakref.finalize(pin, give_back)
        return pin

    @contextlib.contextmanager
    def _connection(self, *, write: bool) -> Iterator[Connection]:
        """This thread's kept connection, or one from the pool until the block ends."""
        pin = self._pin()
        if pin is not None:
            try:
                with pin.held(write=write) as conn:
                    yield conn
            except BaseException:
                # Raised at or after the transaction's end (the caller's ``begin()`` block is
                # inside this one): a connection it left unclean goes back, and the next
                # transaction takes another. One that ended well is clean.
                if not pin.clean():
                    self._let_go(pin)
                raise
            return
        with self.engine.connect() as conn:
            yield conn.execution_options(**{_WRITE: True}) if write else conn

    def _let_go(self, pin: _Pin) -> None:
        """Give this thread's kept connection back; its next transaction takes another."""
        self._local.pin = None
        pin.give_back()

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        held = self._checkpointer[0]
        if self._file and (held is None or not held.running()):
            self._start_checkpoints(self._file)
            held = self._checkpointer[0]
        # A connection from the pool goes back after the writers' lock is released, which
        # other writers wait for. It is taken under the lock: a writer waiting for the lock
        # holds no connection but a kept one (``_pin``), so waiting writers cannot empty the
        # pool while the lock's holder needs a second connection (a read inside its write).
        with self._locked(), contextlib.ExitStack() as returned, self._writer.held():
            conn = returned.enter_context(self._connection(write=True))
            with conn.begin():
                yield conn
        if held is not None:
            held.committed()

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction (a consistent snapshot)."""
        with self._locked(), self._connection(write=False) as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def _raw(self) -> Iterator[Any]:
        """A DBAPI connection for one statement outside SQLAlchemy's transactions: a file
        database's is this thread's own (``_driver``), a memory database's the pool's one."""
        if not self.is_memory:
            yield self._driver()
            return
        raw = self.engine.raw_connection()
        try:
            yield raw
        finally:
            raw.close()  # back to the pool, which rolls back what the driver began

    def _start_checkpoints(self, database: str) -> None:
        """This process's checkpoints of the file database's log (``checkpoint``), from its
        first write (a forked worker's first write starts its own). The thread holds no
        reference to the store, and stops when the store is disposed of or collected."""
        with self._starting:
            held = self._checkpointer[0]
            if held is None or not held.running():
                if held is not None:
                    held.stop()  # a thread that ended, or a parent's (before a fork)
                self._checkpointer[0] = checkpoint.Checkpointer(database)

    def _driver(self) -> Any:
        """This thread's own connection to the file database, made and configured as the
        pool's are but kept out of the pool: a checkout and checkin cost about 15 µs, twice a
        request (``any_row``). A forked worker makes its own."""
        held: _Driver | None = getattr(self._local, "driver", None)
        if held is None or held.pid != os.getpid():
            held = self._local.driver = _Driver(_connect(self.engine.dialect, self.url))
            self._drivers.add(held)
        return held.conn

    def any_row(self, sql: str) -> bool:
        """Whether the query ``sql`` (plain SQL, no parameters) finds a row: one statement on
        the driver's own connection, outside SQLAlchemy's transaction machinery. About 10 µs
        where ``read()`` takes about 80, for a question asked on every request (are any faults
        injected?)."""
        with self._locked(), self._raw() as raw:
            cursor = raw.cursor()
            try:
                # Autocommit: the statement is its own read transaction.
                cursor.execute(sql)
                return cursor.fetchone() is not None
            finally:
                cursor.close()

    def clear(self, *table_names: str) -> None:
        """Delete every row of the named tables (when none is named, of all of them but the
        shared machinery's settings: the journal log's key and progress, the clock)."""
        tables = [
            t
            for t in reversed(metadata.sorted_tables)
            if t.name in table_names or (not table_names and t.name != "tpn_settings")
        ]
        with self.write() as conn:
            for table in tables:
                conn.execute(table.delete())

    def dispose(self) -> None:
        checkpoint.stop(self._checkpointer)
        for held in list(self._drivers):
            held.conn.close()
        self._drivers.clear()
        # Every thread's locals go: its kept connection goes back to the pool (``_pin``), now
        # or, in a transaction, when that ends; its next transaction takes another.
        self._local = threading.local()
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({self.url.render_as_string(hide_password=True)!r})"
