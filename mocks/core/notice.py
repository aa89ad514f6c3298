"""A notice between the processes of one file store: one says "this changed", the others see it
on their next look, for the price of a ``stat`` (a microsecond or two) instead of a query.

What it is for: a question asked on every request whose answer is nearly always the same ("is
any fault injected?"). After a commit by another connection, SQLite reads the table's pages
again to answer it: about 20-35 µs a request under writes, a twentieth of a PutJournpost
(benchmarks/profile_noark4ws.py, 2026-12-05). A process that has asked keeps the answer for as
long as the notice's file has not changed.

The file (beside the database, like its writer lock) only grows, one byte a notice, so its
identity and size never come back to what a process saw before. A store without a file (memory,
another database) has no notice: every look differs, and every question is asked.
"""

from __future__ import annotations

import os


class Notice:
    def __init__(self, path: str | None) -> None:
        self.path = path

    def look(self) -> object:
        """A token equal to an earlier look's only when no notice was given in between."""
        if self.path is None:
            return object()
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return ()  # none given yet
        except OSError:
            return object()  # cannot tell: as if changed
        return (found.st_ino, found.st_size, found.st_mtime_ns)

    def give(self) -> None:
        """Say that something changed (``OSError`` when the file cannot be written)."""
        if self.path is None:
            return
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, b"\n")
        finally:
            os.close(fd)
