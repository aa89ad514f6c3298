"""What an application may ask of the connection it answers on: hold the answer, or drop it.

Fault injection (``tpn.mocks.core.faults``) needs two things no WSGI application can do by
itself: send its answer only after a delay without holding the server's event loop, and close
the connection without an answer at all. The server puts a ``Transport`` into the environ under
``TRANSPORT``; the application asks it, and the server does it in its own way:

- the serving front (``tpn.mocks.core.front``, granian RSGI or gunicorn ASGI) calls the app on
  its event loop, so the app must not sleep there: ``Deferred`` notes what was asked, and the
  front awaits the delay and closes the connection once the app has returned;
- ``MockServer`` (``tpn.mocks.core.server``, a thread per connection) gives ``SocketTransport``,
  which sleeps in the connection's own thread and shuts its socket down;
- any other WSGI server gets ``Blocking``: a delay sleeps in the server's thread, a drop is
  refused (``TransportError``).

A dropped connection is shut down in both directions before a byte of the answer is written,
so the client sees the connection closed with no HTTP answer (``RemoteDisconnected``), never a
status line.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from typing import Any, Protocol

TRANSPORT = "tpn.transport"
log = logging.getLogger("tpn.mocks")


class TransportError(RuntimeError):
    """The server cannot do what was asked of the connection."""


class Transport(Protocol):
    def hold(self, seconds: float) -> None:
        """Send the answer ``seconds`` later than it is ready."""

    def drop(self) -> None:
        """Send no answer: close the connection."""


class Deferred:
    """For a server that acts after the app has returned (the asynchronous front)."""

    __slots__ = ("dropped", "seconds")

    def __init__(self) -> None:
        self.seconds = 0.0
        self.dropped = False

    def hold(self, seconds: float) -> None:
        self.seconds += seconds

    def drop(self) -> None:
        self.dropped = True


class SocketTransport:
    """For a server with a thread per connection and the connection's socket at hand."""

    __slots__ = ("_socket",)

    def __init__(self, sock: socket.socket) -> None:
        self._socket = sock

    def hold(self, seconds: float) -> None:
        time.sleep(seconds)  # this connection's own thread: nobody else waits

    def drop(self) -> None:
        # Both directions: the client reads end-of-stream at once, and the server's attempt to
        # write the answer afterwards fails (EPIPE), which wsgiref takes as a client gone away.
        with contextlib.suppress(OSError):  # the client went away first
            self._socket.shutdown(socket.SHUT_RDWR)


class Blocking:
    """For a server that offers no transport: a delay blocks its thread, a drop cannot be done."""

    def hold(self, seconds: float) -> None:
        time.sleep(seconds)

    def drop(self) -> None:
        raise TransportError(
            "this WSGI server offers no way to drop a connection (tpn serve and MockServer do)"
        )


def of(environ: dict[str, Any]) -> Transport:
    """The transport the server put into ``environ``, or ``Blocking``."""
    found: Transport | None = environ.get(TRANSPORT)
    return found if found is not None else Blocking()


def address(text: str) -> tuple[str, int] | None:
    """``host:port`` (``[::1]:8086`` for IPv6) as a socket address, None if it is not one."""
    host, _, port = text.rpartition(":")
    try:
        return host.strip("[]"), int(port)
    except ValueError:
        return None


_TCP = (socket.AF_INET, socket.AF_INET6)


def drop_connection(local: tuple[str, int], peer: tuple[str, int]) -> bool:
    """Shut down the TCP connection between ``local`` and ``peer`` of this process; False if it
    was not found.

    Neither granian's RSGI nor gunicorn's ASGI offers an application a way to close its
    connection without an answer (both answer 500 for an app that sends none, or raises). The
    connection's socket is the one descriptor of this process with this peer and local port: a
    duplicate of it is shut down (shutdown acts on the socket, not on the descriptor), and the
    server's own write of its answer afterwards goes nowhere. Linux (``/proc/self/fd``) and
    systems with ``/dev/fd``; a drop is rare, so the scan's cost does not matter.
    """
    folder = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    for name in os.listdir(folder):
        try:
            fd = os.dup(int(name))
        except (ValueError, OSError):
            continue  # not a number, or gone
        try:
            sock = socket.socket(fileno=fd)
        except OSError:
            os.close(fd)
            continue  # not a socket
        try:
            if sock.type != socket.SOCK_STREAM or sock.family not in _TCP:
                continue
            try:
                # The local port, not its host: a server bound to 0.0.0.0 may say so.
                if sock.getsockname()[1] != local[1] or sock.getpeername()[:2] != peer:
                    continue
            except OSError:
                continue  # a listening socket has no peer
            with contextlib.suppress(OSError):  # the client went away first
                sock.shutdown(socket.SHUT_RDWR)
            return True
        finally:
            sock.close()  # the duplicate only; the server closes its own
    log.warning("drop: no connection from %s to %s in this process", peer, local)
    return False
