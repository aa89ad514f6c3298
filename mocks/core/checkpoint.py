"""Checkpoints of a SQLite file store's write-ahead log, off the request path.

By default SQLite checkpoints inside the commit that takes its log past 1,000 pages: that commit
copies the log into the database and waits for an fsync, which cost the archive's requests
about 20 µs each on average (GetJournpost) and 50 µs (PutJournpost), in spikes of
milliseconds (benchmarks/profile_noark4ws.py). Here one thread per store and process looks at
the log every ``INTERVAL``, or sooner when the process has made ``COMMITS`` commits since, and
when the log changed it checkpoints it (PASSIVE: it never waits for a reader or a writer);
SQLite releases Python's lock while it copies and syncs, so requests go on meanwhile. Commits
keep their own checkpoint only as a backstop, at ``BACKSTOP`` pages, for a log that grows faster
than this thread empties it. Served, the p99 of reads went from about 16 to about 10 ms, and
the wake on commits took the p99 of writes from about 27 to about 20 ms (two alternating runs
each; benchmarks/bench_noark4ws.py, 2026-12-05).

Durability does not change: a commit is in the log, which survives a killed process, whether or
not it has been copied into the database yet.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import urllib.parse

# SQLite's default is 1,000 pages (about 4 MB). Under steady writes this thread's checkpoints
# rarely find the log wholly copied when a writer starts (the moment SQLite starts the log
# over), so the log grows to the backstop, where a commit's checkpoint completes it: 4,000
# pages kept nearly all of the gain (1,000: none; 16,000: no more). The log's file is cut back
# to the same size when it starts over.
BACKSTOP = 4_000
# Seconds between looks when few commits are made (reads, whose journal moves commit now and
# then): a few checkpoints a second at most, each an fsync.
INTERVAL = 0.2
# Commits of this process that wake the thread before ``INTERVAL`` is up: under steady writes
# (about 13 pages a PutJournpost) a checkpoint every few hundred pages, so that the backstop's
# checkpoints, each a pause of 10-15 ms for every writer, are rarely needed.
COMMITS = 20


def settings(conn: sqlite3.Connection) -> None:
    """A connection's share: commits checkpoint only at the backstop."""
    conn.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP}")
    conn.execute(f"PRAGMA journal_size_limit={BACKSTOP * 4096}")


class Checkpointer:
    """Checkpoints ``database``'s log from a daemon thread while the process lives; ``stop()``
    ends it (a forked child starts its own: ``Checkpointer.running``)."""

    def __init__(self, database: str) -> None:
        self._database = database
        self._wal = f"{database}-wal"
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._commits = 0
        # Taken when the thread starts: a test that changes them changes only its own.
        self._interval = INTERVAL
        self._commits_a_wake = COMMITS
        self.pid = os.getpid()
        self.checkpoints = 0
        self._thread = threading.Thread(target=self._run, name="tpn-checkpoint", daemon=True)
        self._thread.start()

    def running(self) -> bool:
        """Whether this process's thread is the one running (not a parent's, before a fork)."""
        return self.pid == os.getpid() and self._thread.is_alive()

    def committed(self) -> None:
        """A commit of this process (``Store.write``): every ``COMMITS`` wake the thread."""
        # Unlocked: two threads may count one commit between them, which only delays a wake.
        self._commits += 1
        if self._commits >= self._commits_a_wake:
            self._commits = 0
            self._wake.set()

    def _connect(self) -> sqlite3.Connection:
        # mode=rw: a database removed meanwhile (a test's folder) is not made again, empty.
        uri = f"file:{urllib.parse.quote(self._database)}?mode=rw"
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        seen = self._look()
        try:
            while True:
                self._wake.wait(self._interval)
                if self._stop.is_set():
                    break
                self._wake.clear()
                now = self._look()
                if now == seen:
                    continue
                seen = now
                try:
                    conn = conn or self._connect()
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error:
                    # Gone, busy or failing now: commits still checkpoint at the backstop, and
                    # the next change is tried again.
                    continue
        finally:
            if conn is not None:
                conn.close()

    def _look(self) -> tuple[int, int]:
        """The log's size and time of change: equal across two looks, nothing was written."""
        try:
            found = os.stat(self._wal)
        except OSError:
            return (0, 0)
        return (found.st_size, found.st_mtime_ns)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)


def stop(held: list[Checkpointer | None]) -> None:
    """Stop the checkpointer ``held`` holds, if any (a store's finalizer: it holds no store)."""
    if held[0] is not None:
        held[0].stop()
        held[0] = None
