"""The front of a served mock: a request's body is read whole, under a deadline, before the
application sees it.

A WSGI application reads its body from a blocking stream, so under a WSGI server a client that
announces a body and sends a few bytes of it holds a worker (granian's one Python thread,
gunicorn's sync worker) until it gives up: two such clients stalled a two-worker server, health
check included. Both servers also speak an asynchronous interface (granian RSGI, gunicorn
ASGI), where reading the body is something to await. This front does that, with the size limit
checked before the first byte is read and one deadline for the whole body, while the worker's
event loop goes on serving everyone else. Only then is the (synchronous, CPU-bound) mock
called, with the body in memory, so it never waits on a socket. What the front answers itself:

- a ``Content-Length`` over the limit, or a body growing past it: 413, before or as it is read;
- a body not complete within the deadline: 408, and the connection is closed;
- a body shorter than its ``Content-Length`` (the client went away): nothing is processed;
- a ``Content-Length`` that is not a number: 400.

Each is answered in the form of the route the request was for (``refusal``: MockApp.refusal),
a SOAP 1.1 ``soap:Client`` fault, a JSON error on the admin side, a portal's page.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]
Headers = list[tuple[str, str]]
Refuse = Callable[[str, int, str, str], tuple[int, Headers, bytes]]


class Refusal(Exception):
    """An answer the front gives itself, without calling the application."""

    def __init__(self, status: int, message: str, rule: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.rule = rule


def _plain(path: str, status: int, message: str, rule: str) -> tuple[int, Headers, bytes]:
    return status, [("content-type", "text/plain; charset=utf-8")], message.encode("utf-8")


class BufferedFront:
    """``app`` (WSGI) served over RSGI (granian) or ASGI (gunicorn), its bodies read first."""

    def __init__(
        self,
        app: WsgiApp,
        *,
        max_body_bytes: int,
        body_seconds: float,
        refusal: Refuse = _plain,
        body_limit: Callable[[str], int] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # The limit of the route a request is for (MockApp.body_limit), never above the front's.
        self.body_limit = body_limit or (lambda _path: max_body_bytes)
        self.body_seconds = body_seconds
        # How the app answers errors on each path (JSON, SOAP fault, page): MockApp.refusal.
        self.refusal = refusal

    def _answer(self, path: str, refusal: Refusal) -> tuple[int, Headers, bytes]:
        status, headers, payload = self.refusal(path, refusal.status, refusal.message, refusal.rule)
        # The rest of the body is not read, so the connection cannot carry another request.
        return (
            status,
            [
                *((k, v) for k, v in headers if k.lower() not in ("content-length", "connection")),
                ("content-length", str(len(payload))),
                ("connection", "close"),
            ],
            payload,
        )

    # ------------------------------------------------------------------ granian (RSGI)

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":
            return  # websockets are not served
        headers = scope.headers
        path: str = scope.path
        try:
            limit = min(self.body_limit(path), self.max_body_bytes)
            length = self._length(headers.get("content-length"), limit)
            async with asyncio.timeout(self.body_seconds):
                body = await self._rsgi_body(proto, length, limit)
        except Refusal as refusal:
            proto.response_bytes(*self._answer(path, refusal))
            return
        except TimeoutError:
            proto.response_bytes(*self._answer(path, self._late()))
            return
        except Exception:
            body = None  # granian's ProtocolClosed: the client went away mid-body
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
        proto.response_bytes(*self._call(environ))

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
        path: str = scope["path"]
        try:
            limit = min(self.body_limit(path), self.max_body_bytes)
            length = self._length(
                next((v for k, v in headers if k == "content-length"), None), limit
            )
            async with asyncio.timeout(self.body_seconds):
                body = await self._asgi_body(receive, length, limit)
        except Refusal as refusal:
            await _asgi_send(send, *self._answer(path, refusal))
            return
        except TimeoutError:
            await _asgi_send(send, *self._answer(path, self._late()))
            return
        if body is None:
            return
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
        await _asgi_send(send, *self._call(environ))

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

    def _length(self, header: str | None, limit: int) -> int | None:
        if header is None:
            return None
        text = header.strip()
        if not text.isdigit() or len(text) > 18:
            raise Refusal(
                400, f"Content-Length {_clip(text)!r} is not a number of bytes", "http.length"
            )
        length = int(text)
        if length > limit:
            raise self._too_big(length, limit)
        return length

    @staticmethod
    def _too_big(length: int | None, limit: int) -> Refusal:
        size = f"request body of {length} bytes" if length is not None else "request body"
        return Refusal(413, f"{size} exceeds the limit of {limit} bytes", "limit.size")

    def _short(self) -> Refusal:
        return Refusal(
            400,
            "the request body ended before its Content-Length; it was not processed",
            "http.length",
        )

    def _late(self) -> Refusal:
        return Refusal(
            408,
            f"the request body did not arrive within {self.body_seconds:g} s, the time a client "
            "has to send a whole body",
            "limit.time",
        )

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
        }
        for name, value in headers:
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ[key] = value
            elif key != "CONTENT_LENGTH":
                key = "HTTP_" + key
                environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    def _call(self, environ: dict[str, Any]) -> tuple[int, Headers, bytes]:
        started: list[Any] = []

        def start_response(status: str, headers: Headers, exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return _no_write

        result = self.app(environ, start_response)
        try:
            payload = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = started
        return int(status[:3]), headers, payload


def _no_write(_data: bytes) -> None:
    raise RuntimeError("the mocks return their bodies; write() is not supported")


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "…"


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
