"""Every request the suites send to a target: a total deadline, a size cap, no redirect followed.

A vendor's target may be broken in ways no test expects, so the client side holds its own line:

- **Deadline.** requests' timeout is per socket operation: a target that trickles a byte every
  few seconds never trips it. Each request gets a total deadline (``--tpn-request-timeout``,
  bounded by the run's own, ``--tpn-run-timeout``); a watchdog thread shuts the socket of a
  request past it, whichever phase it is in (connecting, sending, headers, body).
- **Size cap.** requests buffers a whole answer. Here the body is streamed and reading stops past
  ``--tpn-max-response`` bytes (an announced Content-Length over it is refused unread).
- **No redirects.** A 3xx is returned as it is (the sp suite's browser reads its Location) or,
  for a SOAP endpoint, is itself the misbehaviour; it is never followed, so no request body
  ever reaches a host the run was not pointed at.

Misbehaviour at the transport level (over-size, deadline, a body cut short, an answer that is
not HTTP, a redirect where none belongs) raises ``TargetMisbehaved`` and trips the run's
``Guard``: the plugin then stops the session, whatever the test did with the exception, and
every later request fails at once. A connection refused or reset before any answer is not
misbehaviour of this kind: it stays a ``requests`` exception, which tests judge (an archive may
drop a hostile request, as long as it lives on).
"""

from __future__ import annotations

import contextlib
import http.client
import math
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = [
    "DEFAULT_MAX_RESPONSE",
    "DEFAULT_REQUEST_TIMEOUT",
    "RUN_TIMEOUTS",
    "Guard",
    "GuardedSession",
    "Limits",
    "TargetMisbehaved",
    "display_url",
    "format_size",
]

MIB = 1024 * 1024
# A 20 MB document (the full level's largest) is 27 MB of base64 in one answer, and takes a few
# seconds each way on a slow archive: twice that size, and two minutes, leave room for both.
DEFAULT_MAX_RESPONSE = 64 * MIB
DEFAULT_REQUEST_TIMEOUT = 120.0
# The reference takes 5 s (core) and 11 s (full, extended); a vendor's archive answering each of
# its 1,200 (core) or 1,950 (full) requests in a second still ends well inside these.
RUN_TIMEOUTS = {"core": 1800.0, "full": 3600.0, "extended": 3600.0}
READ_CHUNK = 64 * 1024  # decoded bytes per read: what one read may add beyond the cap
RECHECK = 0.25  # seconds: how often a request past its deadline has its socket shut again


def format_size(n: float) -> str:
    return f"{n / MIB:.1f} MiB" if n >= MIB else f"{n:,.0f} bytes"


def display_url(url: str) -> str:
    """``url`` without its userinfo (``http://u:p@host/`` → ``http://host/``): for messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


@dataclass(frozen=True)
class Limits:
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT  # seconds, total, per request
    max_response: int = DEFAULT_MAX_RESPONSE  # bytes of one answer's body (decoded)
    run_timeout: float | None = None  # seconds for the whole run; None: no run deadline


class TargetMisbehaved(Exception):
    """The target broke HTTP in a way no test judges; the run stops.

    ``what`` says what the target did, with ``{option}`` where the option that sets the limit
    it broke goes (``option``, without its prefix: ``max-response``), so that the plugin names
    ``--tpn-max-response`` and ``tpn certify`` names ``--max-response``.
    """

    def __init__(self, what: str, option: str | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.option = option

    def text(self, prefix: str = "--tpn-") -> str:
        return self.what.replace("{option}", f"{prefix}{self.option}" if self.option else "")

    def __str__(self) -> str:
        return self.text()


# ------------------------------------------------------------------ the watchdog


@dataclass(eq=False)
class _Call:
    """One request in flight: its deadline, and the connection it is using, once it has one."""

    deadline: float
    binding: Literal["request", "run"]  # which deadline ends it
    budget: float  # seconds it was given
    connection: HTTPConnection | None = None
    expired: bool = False

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


# The request this thread is sending: the connection classes below attach themselves to it.
# Thread-local because urllib3 gives no other way to reach the socket of a call in flight.
_local = threading.local()


def _attach(connection: HTTPConnection) -> None:
    call: _Call | None = getattr(_local, "call", None)
    if call is not None:
        call.connection = connection


def _shut(connection: HTTPConnection | None) -> None:
    """End every read and write on the connection's socket now (from another thread)."""
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        # Already closed, or not yet connected: the next recheck tries again.
        with contextlib.suppress(OSError):
            # The plain socket's shutdown, also for an SSLSocket: it acts on the descriptor, so
            # the owning thread's blocked read returns at once, whatever TLS state it is in.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One thread that shuts the socket of every request past its deadline."""

    def __init__(self) -> None:
        self._calls: set[_Call] = set()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def add(self, call: _Call) -> None:
        with self._cond:
            self._calls.add(call)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="tpn-watchdog", daemon=True)
                self._thread.start()
            self._cond.notify()

    def remove(self, call: _Call) -> None:
        with self._cond:
            self._calls.discard(call)

    def expire_all(self) -> None:
        with self._cond:
            for call in self._calls:
                call.deadline = min(call.deadline, time.monotonic())
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                wait: float | None = None
                for call in self._calls:
                    left = call.deadline - now
                    if left <= 0:
                        call.expired = True
                        _shut(call.connection)
                        # Shut again soon: the call may open a new socket after this one.
                        left = RECHECK
                    wait = left if wait is None else min(wait, left)
                self._cond.wait(wait)


# ------------------------------------------------------------------ the guard


class Guard:
    """The limits of one run, its deadline, and whether the target has misbehaved yet."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        run = self.limits.run_timeout
        self.run_deadline = time.monotonic() + run if run is not None else math.inf
        self.tripped: TargetMisbehaved | None = None
        self._lock = threading.Lock()
        self._watchdog = _Watchdog()

    def trip(self, problem: TargetMisbehaved) -> TargetMisbehaved:
        """Record ``problem`` (the first one is the one reported) and end every request in
        flight; returns the recorded one, to raise."""
        with self._lock:
            if self.tripped is None:
                self.tripped = problem
        self._watchdog.expire_all()
        return problem

    def check(self) -> None:
        """Raise if the run has already stopped, or its deadline has passed."""
        if self.tripped is not None:
            raise self.tripped
        if time.monotonic() >= self.run_deadline:
            raise self.trip(self.run_over())

    def run_over(self) -> TargetMisbehaved:
        return TargetMisbehaved(
            f"the run took longer than its deadline of {self.limits.run_timeout:g} s ({{option}})",
            "run-timeout",
        )

    def close(self) -> None:
        self._watchdog.close()

    @contextmanager
    def watching(self, call: _Call) -> Iterator[None]:
        _local.call = call
        self._watchdog.add(call)
        try:
            yield
        finally:
            self._watchdog.remove(call)
            _local.call = None

    def session(
        self,
        *,
        auth: tuple[str, str] | None = None,
        ca_bundle: str | None = None,
        redirects: Literal["refuse", "return"] = "refuse",
    ) -> GuardedSession:
        return GuardedSession(self, auth=auth, ca_bundle=ca_bundle, redirects=redirects)


# ------------------------------------------------------------------ requests and urllib3


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        _attach(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)  # a kept-alive connection is reused without connect()
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        _attach(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self)
        super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _cause(exc: BaseException) -> BaseException | None:
    """The http.client error inside a requests/urllib3 error, if any (what broke HTTP)."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, http.client.HTTPException):
            return current
        pending.extend(a for a in current.args if isinstance(a, BaseException))
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            pending.append(reason)
    return None


class _Adapter(HTTPAdapter):
    """Sends one request under the guard: its deadline, its cap, its redirect policy."""

    def __init__(self, guard: Guard, redirects: Literal["refuse", "return"]) -> None:
        self.guard = guard
        self.redirects = redirects
        super().__init__(max_retries=0)  # a retry would hide what the target did

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        self.guard.check()
        call = self._call(timeout)
        what = f"{request.method} {display_url(request.url or '')}"
        with self.guard.watching(call):
            left = call.remaining()
            if left <= 0:
                raise self.guard.trip(self._deadline(call, what, None))
            try:
                response = super().send(
                    request, stream=True, timeout=left, verify=verify, cert=cert, proxies=proxies
                )
            except requests.RequestException as exc:
                problem = self._misbehaviour(call, what, exc)
                if problem is None:
                    raise
                raise self.guard.trip(problem) from exc
            try:
                # A socket the watchdog shut looks, to http.client, like the end of the headers
                # or of a body read to the end of the connection: an expired call is never taken
                # for an answer.
                if call.expired:
                    raise self.guard.trip(self._deadline(call, what, None))
                self._judge_head(what, response)
                self._read(call, what, response)
                if call.expired:
                    raise self.guard.trip(self._deadline(call, what, len(response.content)))
            except BaseException:
                response.close()
                raise
        return response

    def _call(self, timeout: Any) -> _Call:
        budget = self.guard.limits.request_timeout
        # A caller's own, shorter timeout (the probe's) also bounds the whole request.
        if isinstance(timeout, int | float):
            budget = min(budget, float(timeout))
        now = time.monotonic()
        if now + budget <= self.guard.run_deadline:
            return _Call(now + budget, "request", budget)
        return _Call(self.guard.run_deadline, "run", budget)

    def _deadline(self, call: _Call, what: str, received: int | None) -> TargetMisbehaved:
        if call.binding == "run":
            return self.guard.run_over()
        option = "request-timeout" if call.budget == self.guard.limits.request_timeout else None
        where = " ({option})" if option else ""
        got = (
            "no answer"
            if received is None
            else f"{received:,} bytes of the body"
            if received
            else "only the headers"
        )
        return TargetMisbehaved(
            f"{what} did not complete within the deadline of {call.budget:g} s{where}: "
            f"{got} arrived",
            option,
        )

    def _misbehaviour(
        self, call: _Call, what: str, exc: requests.RequestException
    ) -> TargetMisbehaved | None:
        if self.guard.tripped is not None:
            return self.guard.tripped  # another request tripped the run: this one was ended
        if call.expired or isinstance(exc, requests.Timeout):
            return self._deadline(call, what, None)
        if isinstance(
            exc,
            requests.exceptions.InvalidHeader
            | requests.exceptions.ChunkedEncodingError
            | requests.exceptions.ContentDecodingError,
        ):
            # Conflicting Content-Lengths, a header urllib3 cannot read, broken chunking: HTTP
            # itself broken, not an answer a test can judge.
            return TargetMisbehaved(f"the answer to {what} is not valid HTTP: {str(exc)[:120]!r}")
        broken = _cause(exc)
        if broken is not None and not isinstance(broken, http.client.RemoteDisconnected):
            detail = str(broken).strip()[:120] or type(broken).__name__
            return TargetMisbehaved(f"the answer to {what} is not valid HTTP: {detail!r}")
        return None  # refused, reset before answering, unknown host, TLS: the tests judge it

    def _judge_head(self, what: str, response: requests.Response) -> None:
        location = response.headers.get("Location")
        if self.redirects == "refuse" and 300 <= response.status_code < 400 and location:
            raise self.guard.trip(
                TargetMisbehaved(
                    f"{what} was answered {response.status_code} {response.reason} to "
                    f"{display_url(location)}: the suite follows no redirects"
                )
            )
        cap = self.guard.limits.max_response
        announced = response.headers.get("Content-Length", "").strip()
        if announced.isdigit() and int(announced) > cap:
            raise self.guard.trip(
                TargetMisbehaved(
                    f"the answer to {what} announced {format_size(int(announced))}, "
                    f"over the limit of {format_size(cap)} ({{option}})",
                    "max-response",
                )
            )

    def _read(self, call: _Call, what: str, response: requests.Response) -> None:
        cap = self.guard.limits.max_response
        body = bytearray()
        raw: urllib3.HTTPResponse = response.raw
        try:
            for chunk in raw.stream(READ_CHUNK, decode_content=True):
                body += chunk
                if len(body) > cap:
                    raise self.guard.trip(
                        TargetMisbehaved(
                            f"the answer to {what} went on past the limit of "
                            f"{format_size(cap)} ({{option}})",
                            "max-response",
                        )
                    )
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if self.guard.tripped is not None:
                raise self.guard.tripped from exc
            if call.expired or isinstance(exc, urllib3.exceptions.TimeoutError | TimeoutError):
                raise self.guard.trip(self._deadline(call, what, len(body))) from exc
            if isinstance(exc, urllib3.exceptions.DecodeError):
                raise self.guard.trip(
                    TargetMisbehaved(f"the answer to {what} is not valid HTTP: {exc}")
                ) from exc
            first = exc.args[0] if exc.args else exc  # urllib3 wraps its cause in a tuple
            detail = str(first).strip()[:160] or type(exc).__name__
            raise self.guard.trip(
                TargetMisbehaved(
                    f"the target closed the connection in the middle of the answer to {what} "
                    f"({detail})"
                )
            ) from exc
        response._content = bytes(body)
        response._content_consumed = True  # type: ignore[attr-defined]


class GuardedSession(requests.Session):
    """A requests session under a run's guard; every suite's HTTP goes through one.

    Nothing from the environment (proxies, CA bundles, .netrc): what the suite talks to is what
    its options say, so a run is the same on a developer's machine and in CI.
    """

    def __init__(
        self,
        guard: Guard,
        *,
        auth: tuple[str, str] | None = None,
        ca_bundle: str | None = None,
        redirects: Literal["refuse", "return"] = "refuse",
    ) -> None:
        super().__init__()
        self.guard = guard
        self.trust_env = False
        self.max_redirects = 0
        if auth:
            self.auth = auth
        if ca_bundle:
            self.verify = ca_bundle
        adapter = _Adapter(guard, redirects)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().send(request, **kwargs)

    def resolve_redirects(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        # requests reads a redirect's whole body here, even when it follows nothing.
        return iter(())
