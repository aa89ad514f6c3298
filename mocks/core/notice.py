"""A notice between the processes of one file store: one says "this changed", the others see it
on their next look, for the price of a ``stat`` (a microsecond or two) instead of a query.

What it is for: a question asked on every request whose answer is nearly always the same ("is
any fault injected?"). After a commit by another connection, SQLite reads the table's pages
again to answer it: 21-26 µs after a PutJournpost, 6 µs in a quiet loop; a PutJournpost took
about 40 µs less in process without the question (benchmarks/profile_noark4ws.py,
2026-12-05). A process that has asked keeps the answer for as long as the notice's file has
not changed.

The file (beside the database, like its writer lock) is made with the notice and only grows,
one byte a notice, so its identity and size never come back to what a process saw before. A
file that is missing (removed, or never made: a folder that cannot be written) tells nothing,
and neither does a store without one (memory, another database): every look differs, and
every question is asked.
"""

from __future__ import annotations

import contextlib
import os


class Notice:
    """The notice kept in the file at ``path`` (None: no file, no notice)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        if path is not None:
            # A file that cannot be made tells nothing: every look differs, every question is asked.
            with contextlib.suppress(OSError):
                os.close(self._open())

    def look(self) -> object:
        """A token equal to an earlier look's only when no notice was given in between (an
        opaque value: only compared)."""
        if self.path is None:
            return object()
        try:
            found = os.stat(self.path)
        except OSError:
            # Missing or unreadable: a notice given before the file went would be lost with it.
            return object()
        return (found.st_ino, found.st_size, found.st_mtime_ns)

    def give(self) -> None:
        """Say that something changed (``OSError`` when the file cannot be written)."""
        if self.path is None:
            return
        fd = self._open()
        try:
            os.write(fd, b"\n")
        finally:
            os.close(fd)

    def _open(self) -> int:
        assert self.path is not None
        return os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
