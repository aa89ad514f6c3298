"""A mock server as an object: started on a free port in a thread, for tests and embedding.

    with ArchiveMock() as archive:
        archive.url, archive.wsdl_url, archive.journal(), archive.reset()
        archive.inject("drop-after-commit", operation="PutJournpost")

A subclass says which parts it serves (``_assemble``: ``ArchiveMock`` the archive,
``PortalMock`` the portal, ``ComposedMock`` every mock, as ``tpn serve`` does); the assembly is
``parts`` once started.

Port 0 is read back after binding; ``start()`` returns only once ``/isalive`` answers; starting
twice is an error. An exception raised inside the server while answering is kept and raised
again in the caller's thread by ``check()`` and by ``stop()``, so a failure never vanishes
inside the server thread. (Multi-process serving for load is ``tpn.mocks.core.serving``.)

Each connection has a thread of its own, so an injected fault's delay sleeps there, and a drop
shuts the connection's socket down (``tpn.mocks.core.transport.SocketTransport``).
"""

from __future__ import annotations

import datetime as dt
import threading
import urllib.request
from collections.abc import Callable
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from tpn.mocks.core import transport
from tpn.mocks.core.config import MockConfig
from tpn.mocks.core.faults import InjectedFault
from tpn.mocks.core.journal import Exchange
from tpn.mocks.core.parts import Assembly


class ServerError(AssertionError):
    """Raised in the test thread for an exception the server met while answering."""


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    # Each connection has a thread of its own here, so a slow client holds only its own; the
    # socket timeout (seconds per read) ends one that stops sending altogether.
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def get_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environ()
        environ[transport.TRANSPORT] = transport.SocketTransport(self.connection)
        return environ


class MockServer:
    """Base of every in-thread mock; a subclass assembles its parts and names its path."""

    path = "/"
    parts: Assembly  # once started

    def __init__(
        self,
        config: MockConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        raise_errors: bool = True,
    ) -> None:
        self.config = config or MockConfig()
        self.host = host
        self.port = port
        self.raise_errors = raise_errors
        self.errors: list[BaseException] = []
        self._httpd: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def _assemble(self, on_error: Callable[[BaseException], None]) -> Assembly:
        raise NotImplementedError

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._httpd is not None:
            raise RuntimeError(f"{type(self).__name__} is already running at {self.url}")
        self.parts = self._assemble(self.errors.append)
        self._httpd = make_server(
            self.host,
            self.port,
            self.parts.app,
            server_class=_ThreadingServer,
            handler_class=_QuietHandler,
        )
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}:{self.port}",
            daemon=True,
        )
        self._thread.start()
        self._wait_ready()

    def _wait_ready(self, timeout: float = 5.0) -> None:
        deadline = dt.datetime.now() + dt.timedelta(seconds=timeout)
        last: Exception | None = None
        while dt.datetime.now() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base_url}/isalive", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError as exc:
                last = exc
        self.stop()
        raise RuntimeError(
            f"{type(self).__name__} did not answer /isalive within {timeout} s: {last}"
        )

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self.raise_errors:
            self.check()

    def check(self) -> None:
        """Raise, in the caller's thread, the first error the server met (then forget them)."""
        if self.errors:
            first, self.errors = self.errors[0], []
            raise ServerError(f"{type(self).__name__} failed while answering: {first!r}") from first

    def __enter__(self) -> MockServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            self.raise_errors = False  # the test already failed; don't mask its error
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    # ------------------------------------------------------------------ addresses

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}{self.path}"

    @property
    def wsdl_url(self) -> str:
        return f"{self.url}?wsdl"

    # ------------------------------------------------------------------ state

    def _started(self) -> Assembly:
        parts: Assembly | None = getattr(self, "parts", None)
        if parts is None:
            raise RuntimeError("the server is not started")
        return parts

    def journal(self, *, after: int = 0, operation: str | None = None) -> list[Exchange]:
        return self._started().journal.entries(after=after, operation=operation)

    def set_clock(self, moment: dt.datetime, *, frozen: bool = True) -> None:
        self.parts.clock.set(moment, frozen=frozen)

    def reset(self) -> None:
        """Forget every part's state, the faults, the journal and the clock."""
        self.parts.reset()

    # ------------------------------------------------------------------ faults

    def inject(
        self,
        kind: str,
        *,
        operation: str | None = None,
        times: int = 1,
        seconds: float | None = None,
        path: str | None = None,
    ) -> int:
        """Make the mock misbehave for the next ``times`` valid requests of ``operation`` (any
        when None) at ``path`` (this mock's own by default): ``kind`` is one of
        ``tpn.mocks.core.faults.KINDS``, ``seconds`` the delay of ``delay-after-commit``. The
        fault's id; ``ValueError`` (``FaultError``) says which argument is wrong."""
        faults = self._started().faults
        if path is None and self.path in faults.paths:
            path = self.path
        fault = faults.inject(kind, path=path, operation=operation, times=times, seconds=seconds)
        return fault.id

    def faults(self) -> list[InjectedFault]:
        """The injected faults, spent ones included (``remaining`` 0), oldest first."""
        return self._started().faults.list()

    def clear_faults(self) -> None:
        """Forget every injected fault."""
        self._started().faults.clear()
