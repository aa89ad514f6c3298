"""The thread that moves the journal's logged rows into its table, beside the requests.

A move commits a batch of about twenty exchanges: about a millisecond, most of it SQLite's
writing, during which Python's lock is free. Done inside a request (the one whose record
filled the batch), that worker answered nothing else meanwhile: each worker of ``tpn serve`` has
one Python thread. Done here, the worker goes on answering while SQLite writes. A request still
moves the rows itself when this thread has fallen far behind (``Journal.record``), so the log
never grows without bound, and every read of the journal moves what is waiting first, as
before: nothing here changes what a reader sees.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable

_log = logging.getLogger("tpn.mocks")

IDLE = 1.0  # seconds between checks that the journal still exists, when nothing wakes it


class Mover:
    """Runs ``flush`` (a bound method, held weakly) on a daemon thread each time ``wake()`` is
    called; ends when ``stop()`` is called or the method's object is collected. A forked child
    starts its own (``running``)."""

    def __init__(self, flush: Callable[[], int]) -> None:
        self._flush = weakref.WeakMethod(flush)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.pid = os.getpid()
        self.moves = 0
        self._thread = threading.Thread(target=self._run, name="tpn-journal-mover", daemon=True)
        self._thread.start()

    def running(self) -> bool:
        return self.pid == os.getpid() and self._thread.is_alive()

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._wake.wait(IDLE):
                if self._flush() is None:
                    return  # the journal is gone
                continue
            self._wake.clear()
            flush = self._flush()
            if flush is None:
                return
            try:
                flush()
                self.moves += 1
            except Exception:
                # The rows stay in the log: the next wake, a request or a reader moves them.
                _log.exception("the journal's mover could not move the logged rows")
            del flush  # hold the journal only while moving

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
