"""A lock held by one thread of one process at a time: a mutex for the threads, ``flock`` on a
file for the processes (the workers of ``tpn serve``)."""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows; SQLite's busy handler still serialises
    fcntl = None  # type: ignore[assignment]


class FileLock:
    """``held()`` excludes every other holder of the lock on ``path``; ``fd()`` is the file,
    opened with ``flags`` (the journal's log appends to the file it locks)."""

    def __init__(self, path: str, flags: int = os.O_RDWR | os.O_CREAT, mode: int = 0o600) -> None:
        self.path = path
        self.flags = flags
        self.mode = mode
        self._mutex = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._closer: weakref.finalize[[int, int], FileLock] | None = None

    def fd(self) -> int:
        # A descriptor inherited over fork shares its lock with the parent: open our own.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, self.flags, self.mode)
            self._pid = os.getpid()
            # Closed with the lock when nobody closes it (a journal is not disposed of): a
            # process that makes many stores would otherwise run out of descriptors.
            self._closer = weakref.finalize(self, _close, self._fd, self._pid)
            # Not at exit, which closes it anyway: a daemon thread still using it would find
            # it closed under it.
            self._closer.atexit = False
        return self._fd

    @contextlib.contextmanager
    def held(self) -> Iterator[int]:
        with self._mutex:
            fd = self.fd()
            if fcntl is None:
                yield fd
                return
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield fd
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def held_if_free(self) -> Iterator[int | None]:
        """``held()`` when no other holder has the lock, without waiting; None (and nothing
        held) when one has."""
        if not self._mutex.acquire(blocking=False):
            yield None
            return
        try:
            fd = self.fd()
            free = True
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    free = False
            if not free:
                yield None
                return
            try:
                yield fd
            finally:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._mutex.release()

    def close(self) -> None:
        if self._closer is not None:
            self._closer()
        self._closer = None
        self._fd = None


def _close(fd: int, pid: int) -> None:
    """Close ``fd`` in the process that opened it (a forked child's copy is the parent's)."""
    if os.getpid() == pid:
        with contextlib.suppress(OSError):
            os.close(fd)
