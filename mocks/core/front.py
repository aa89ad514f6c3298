"""The front of a served mock: a request's body is read whole, under a deadline, before the
application sees it.

A WSGI application reads its body from a blocking stream, so under a WSGI server a client that
announces a body and sends a few bytes of it holds a worker (granian's one Python thread,
gunicorn's sync worker) until it gives up: two such clients stalled a two-worker server, health
check included. Granian will not time out a body (its issue #728, "wontfix"). Both servers speak
an asynchronous interface too (granian RSGI, gunicorn ASGI), where reading the body is
something to await. This front does that, while the worker's event loop goes on serving
everyone else; only then is the (synchronous, CPU-bound) mock called, with the body in memory,
so it never waits on a socket. Before a byte of the body is read:

- a request the app refuses on its headers (missing credentials: ``admit``) is answered;
- a ``Content-Length`` that is not a number (400) or over the route's limit (413) is refused;
- a body over ``SMALL_BODY`` that would take the worker's large bodies in flight past
  ``BODY_BUDGET`` waits for none: 503 with ``Retry-After`` (each body is held whole, so many
  slow uploads at once could otherwise hold gigabytes; small ones, every ordinary request,
  are bounded by the connections a worker takes and never refused).

Then a body not complete within the deadline gets 408 and the connection is closed, and a body
shorter than its ``Content-Length`` (the client went away) is never processed. Each is
answered in the form of the route the request was for (``refusal``: MockApp.refusal): a SOAP
1.1 ``soap:Client`` fault, a JSON error on the admin side, a portal's page.

The app itself is called on the worker's event loop, not in a thread of a pool: it is CPU-bound
and quick, and holds no socket. So an injected fault's delay must not sleep in it: the app asks
the ``Deferred`` transport the front puts into its environ (``tpn.mocks.core.transport``), and
the front awaits the delay after the app has returned, while the loop serves everyone else. A
drop shuts the connection's socket down before the answer is written (``drop_connection``).
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from tpn.mocks.core import transport
from tpn.mocks.core.bodies import BodyError, announced_length

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]
Headers = list[tuple[str, str]]
Answer = tuple[int, Headers, bytes]
Refuse = Callable[[str, int, str, str], Answer]
Admit = Callable[[str, str], Answer | None]

BODY_SECONDS = 30.0  # the default deadline for a whole body (tpn serve --body-timeout)
BODY_BUDGET = 128 * 1024 * 1024  # bytes of large bodies one worker holds at once (4 of the largest)
SMALL_BODY = 64 * 1024  # a body this size or less is not counted against the budget
TICK = 0.5  # seconds between looks at the deadlines of bodies in flight


def _plain(path: str, status: int, message: str, rule: str) -> Answer:
    return status, [("content-type", "text/plain; charset=utf-8")], message.encode("utf-8")


class _Late(Exception):
    """A body that did not arrive by its deadline."""


class _Deadlines:
    """The bodies being read and when each must be done.

    One timer, every ``TICK`` while any is in flight, cancels the reads past their deadline:
    cheaper per request than a timeout of its own (``asyncio.timeout`` arms and disarms a timer
    handle each time, measured at about 4 µs), at the price of a deadline TICK late at most.
    """

    def __init__(self) -> None:
        self._due: dict[asyncio.Task[Any], float] = {}
        self._late: set[asyncio.Task[Any]] = set()
        self._timer: asyncio.TimerHandle | None = None

    def watch(self, task: asyncio.Task[Any], seconds: float) -> None:
        loop = task.get_loop()
        self._due[task] = loop.time() + seconds
        if self._timer is None:
            self._timer = loop.call_later(TICK, self._tick, loop)

    def done(self, task: asyncio.Task[Any]) -> bool:
        """Stop watching ``task``; True if it was cancelled for being late."""
        self._due.pop(task, None)
        if task in self._late:
            self._late.discard(task)
            task.uncancel()
            return True
        return False

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        for task, due in list(self._due.items()):
            if due <= now and task not in self._late:
                self._late.add(task)
                task.cancel()
        self._timer = loop.call_later(TICK, self._tick, loop) if self._due else None


class BufferedFront:
    """``app`` (WSGI) served over RSGI (granian) or ASGI (gunicorn), its bodies read first."""

    def __init__(
        self,
        app: WsgiApp,
        *,
        max_body_bytes: int,
        body_seconds: float = BODY_SECONDS,
        refusal: Refuse = _plain,
        body_limit: Callable[[str], int] | None = None,
        admit: Admit | None = None,
        budget: int = BODY_BUDGET,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_seconds = body_seconds
        # How the app answers errors on each path (JSON, SOAP fault, page): MockApp.refusal.
        self.refusal = refusal
        # The limit of the route a request is for (MockApp.body_limit), never above the front's.
        self.body_limit = body_limit or (lambda _path: max_body_bytes)
        # What the app refuses on headers alone (MockApp.admit): before its body is read.
        self.admit = admit or (lambda _path, _authorization: None)
        self.budget = max(budget, max_body_bytes)
        self.held = 0  # bytes of the large bodies being read now, as announced (or the limit)
        self._deadlines = _Deadlines()

    # ------------------------------------------------------------------ granian (RSGI)

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":
            return  # websockets are not served
        headers = scope.headers
        path: str = scope.path
        refused = self._before(
            path,
            headers.get("authorization", ""),
            headers.get("content-length"),
            "chunked" in headers.get("transfer-encoding", "").lower(),
        )
        if isinstance(refused[2], bytes):
            proto.response_bytes(*refused)
            return
        length, hold, limit = refused
        try:
            body = await self._timed(self._rsgi_body(proto, length, limit))
        except BodyError as error:
            proto.response_bytes(*self._answer(path, error))
            return
        except _Late:
            proto.response_bytes(*self._answer(path, self._late()))
            return
        except Exception:
            body = None  # granian's ProtocolClosed: the client went away mid-body
        finally:
            self.held -= hold
        if body is None:
            # Never processed. The client may still be reading (it half-closed its side).
            proto.response_bytes(*self._answer(path, self._short()))
            return
        server_host, _, server_port = scope.server.rpartition(":")
        environ = self._environ(
            method=scope.method,
            path=path,
            query=scope.query_string,
            scheme=scope.scheme,
            server=(server_host, server_port),
            client=scope.client.rpartition(":")[0],
            version=scope.http_version,
            headers=headers.items(),
            body=body,
        )
        answer = self._call(environ)
        await _settle(environ, server_host, server_port, scope.client)
        proto.response_bytes(*answer)

    async def _rsgi_body(self, proto: Any, length: int | None, limit: int) -> bytes | None:
        if length is not None:
            # The whole body, which is known to fit; granian reads it in one go.
            body: bytes = await proto()
            return body if len(body) == length else None
        chunks: list[bytes] = []
        size = 0
        async for chunk in proto:
            size += len(chunk)
            if size > limit:
                raise self._too_big(None, limit)
            chunks.append(chunk)
        return b"".join(chunks)

    # ------------------------------------------------------------------ gunicorn (ASGI)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # websockets are not served
        raw: list[tuple[bytes, bytes]] = scope["headers"]
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]
        named = dict(headers)
        path: str = scope["path"]
        refused = self._before(
            path,
            named.get("authorization", ""),
            named.get("content-length"),
            "chunked" in named.get("transfer-encoding", "").lower(),
        )
        if isinstance(refused[2], bytes):
            await _asgi_send(send, *refused)
            return
        length, hold, limit = refused
        try:
            body = await self._timed(self._asgi_body(receive, length, limit))
        except BodyError as error:
            await _asgi_send(send, *self._answer(path, error))
            return
        except _Late:
            await _asgi_send(send, *self._answer(path, self._late()))
            return
        finally:
            self.held -= hold
        if body is None:
            return  # the client went away before its body was complete
        server = scope.get("server") or ("127.0.0.1", 80)
        client = scope.get("client")
        environ = self._environ(
            method=scope["method"],
            path=path,
            query=scope.get("query_string", b"").decode("latin-1"),
            scheme=scope.get("scheme", "http"),
            server=(str(server[0]), str(server[1])),
            client=client[0] if client else "",
            version=scope.get("http_version", "1.1"),
            headers=headers,
            body=body,
        )
        answer = self._call(environ)
        await _settle(
            environ, str(server[0]), str(server[1]), f"{client[0]}:{client[1]}" if client else ""
        )
        await _asgi_send(send, *answer)

    async def _asgi_body(self, receive: Receive, length: int | None, limit: int) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    raise self._too_big(None, limit)
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        if length is not None and size != length:
            return None  # shorter than announced: the client went away mid-body
        return b"".join(chunks)

    # ------------------------------------------------------------------ shared

    def _before(
        self, path: str, authorization: str, announced: str | None, chunked: bool
    ) -> Answer | tuple[int | None, int, int]:
        """What is decided before the body is read: an answer, or (the length to read, None for
        a chunked body; the bytes it counts against the budget; the route's limit)."""
        admitted = self.admit(path, authorization)
        if admitted is not None:
            return admitted
        limit = min(self.body_limit(path), self.max_body_bytes)
        try:
            # HTTP/1.1: neither a length nor chunks is no body at all (a GET).
            length = announced_length(announced, limit) if announced else None if chunked else 0
        except BodyError as error:
            return self._answer(path, error)
        hold = limit if length is None else length
        if hold <= SMALL_BODY:
            hold = 0  # bounded already by the connections a worker takes; never refused
        elif self.held + hold > self.budget:
            status, headers, payload = self._answer(
                path,
                BodyError(
                    503,
                    f"this worker is reading other request bodies ({self.held} bytes of its "
                    f"{self.budget}); try again",
                    "limit.busy",
                ),
            )
            return status, [*headers, ("retry-after", "1")], payload
        self.held += hold
        return length, hold, limit

    async def _timed(self, reading: Awaitable[bytes | None]) -> bytes | None:
        task = asyncio.current_task()
        if task is None:  # not in an asyncio task (a server's own task implementation)
            try:
                async with asyncio.timeout(self.body_seconds):
                    return await reading
            except TimeoutError:
                raise _Late() from None
        self._deadlines.watch(task, self.body_seconds)
        try:
            return await reading
        except asyncio.CancelledError:
            if self._deadlines.done(task):
                raise _Late() from None
            raise
        finally:
            self._deadlines.done(task)

    def _answer(self, path: str, error: BodyError) -> Answer:
        status, headers, payload = self.refusal(path, error.status, error.message, error.rule)
        # The rest of the body is not read, so the connection cannot carry another request.
        kept = [(k, v) for k, v in headers if k.lower() not in ("content-length", "connection")]
        return (
            status,
            [*kept, ("content-length", str(len(payload))), ("connection", "close")],
            payload,
        )

    @staticmethod
    def _short() -> BodyError:
        return BodyError(
            400,
            "the request body ended before its Content-Length; it was not processed",
            "http.length",
        )

    def _late(self) -> BodyError:
        return BodyError(
            408,
            f"the request body did not arrive within {self.body_seconds:g} s, the time a client "
            "has to send a whole body",
            "limit.time",
        )

    @staticmethod
    def _too_big(length: int | None, limit: int) -> BodyError:
        size = f"the request body of {length} bytes" if length is not None else "the request body"
        return BodyError(413, f"{size} is over the limit of {limit} bytes", "limit.size")

    @staticmethod
    def _environ(
        *,
        method: str,
        path: str,
        query: str,
        scheme: str,
        server: tuple[str, str],
        client: str,
        version: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
    ) -> dict[str, Any]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            # PEP 3333: PATH_INFO is the URL-decoded path, its bytes read as Latin-1.
            "PATH_INFO": path.encode("utf-8", "surrogateescape").decode("latin-1"),
            "QUERY_STRING": query,
            "SERVER_NAME": server[0],
            "SERVER_PORT": server[1],
            "SERVER_PROTOCOL": f"HTTP/{version}",
            "REMOTE_ADDR": client,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            transport.TRANSPORT: transport.Deferred(),
        }
        keys = _ENV_KEYS
        for name, value in headers:
            key = keys.get(name)
            if key is None:
                key = _env_key(name)
            if key:
                environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    def _call(self, environ: dict[str, Any]) -> Answer:
        return call_app(self.app, environ)


# The environ key of each header name seen (PEP 3333: HTTP_ and upper case; the body's length
# is the front's own, so "" drops it). Bounded: a client choosing names cannot grow it forever.
_ENV_KEYS: dict[str, str] = {}


def call_app(app: Any, environ: dict[str, Any]) -> Answer:
    """Call a WSGI app whose body is a list of bytes (the mocks'): its status, headers and
    whole body, the iterable closed as PEP 3333 asks."""
    started: list[Any] = []

    def start_response(status: str, headers: Headers, exc_info: Any = None) -> Any:
        started[:] = [status, headers]
        return _no_write

    result = app(environ, start_response)
    try:
        payload = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = started
    return int(status[:3]), headers, payload


def environ_key(name: str) -> str:
    """The environ key of a header (PEP 3333); "" for Content-Length, which the caller sets."""
    return _ENV_KEYS.get(name) or _env_key(name)


def _env_key(name: str) -> str:
    key = name.upper().replace("-", "_")
    key = "" if key == "CONTENT_LENGTH" else key if key == "CONTENT_TYPE" else "HTTP_" + key
    if len(_ENV_KEYS) < 256:
        _ENV_KEYS[name] = key
    return key


async def _settle(environ: dict[str, Any], host: str, port: str, client: str) -> None:
    """Do what the app asked of the connection (``transport.Deferred``): hold the answer, then
    drop the connection instead of sending it (the answer goes nowhere after that)."""
    asked: transport.Deferred = environ[transport.TRANSPORT]
    if asked.seconds > 0:
        await asyncio.sleep(asked.seconds)
    if asked.dropped:
        local, peer = transport.address(f"{host}:{port}"), transport.address(client)
        if local is None or peer is None or not transport.drop_connection(local, peer):
            raise transport.TransportError(f"cannot drop the connection from {client!r}")


def _no_write(_data: bytes) -> None:
    raise RuntimeError("the mocks return their bodies; write() is not supported")


async def _asgi_send(send: Send, status: int, headers: Headers, payload: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
