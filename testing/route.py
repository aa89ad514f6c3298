"""A `responses` route that hands every request under one base URL to a WSGI application, in
the test's own thread, with no socket: what lets a vendor's requests or zeep code talk to the
reference mocks unchanged.

The route is one registered response (`responses.BaseResponse`) that matches every method and
every URL under its base; it builds the WSGI environ from the prepared request (method, path,
query, headers, body), calls the application, and turns its status, headers (repeated ones
kept: Set-Cookie) and body into the answer `responses` returns.

An injected fault acts as it would on a socket (``tpn.mocks.core.transport``): a dropped answer
is the ``requests.ConnectionError`` a closed connection gives, and a held one makes the test's
thread wait, or raises ``requests.ReadTimeout`` when the request's read timeout is shorter.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable, Iterable
from http import client
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
import responses
from requests import PreparedRequest
from urllib3 import HTTPHeaderDict
from urllib3.response import HTTPResponse

from tpn.mocks.core.front import call_app, environ_key
from tpn.mocks.core.transport import TRANSPORT, Deferred

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

__all__ = ["WsgiApp", "WsgiRoute"]


class WsgiRoute(responses.BaseResponse):
    """Every request whose URL starts with ``base_url`` (scheme, host and port; then any
    path) goes to ``app``."""

    def __init__(self, base_url: str, app: WsgiApp) -> None:
        base = urlsplit(base_url)
        if base.scheme not in ("http", "https") or not base.hostname:
            raise ValueError(f"the base URL must be http(s)://host[:port], got {base_url!r}")
        self.base = f"{base.scheme}://{base.netloc}".lower()
        super().__init__("ANY", self.base + "/")
        self.app = app

    def matches(self, request: PreparedRequest) -> tuple[bool, str]:
        url = str(request.url or "")
        split = urlsplit(url)
        if f"{split.scheme}://{split.netloc}".lower() != self.base:
            return False, "URL does not match"
        return True, ""

    @property
    def call_count(self) -> int:
        # The mocks' route is not a request the test promised to make: a RequestsMock with
        # assert_all_requests_are_fired never counts it unfired.
        return max(1, len(self._calls))

    def get_response(self, request: PreparedRequest) -> HTTPResponse:
        status, headers, body = self.call(request)
        kept = HTTPHeaderDict()
        for name, value in headers:  # repeated headers (Set-Cookie) kept, in order
            kept.add(name, value)
        # requests reads cookies from the original response's ``msg`` (its headers): an empty,
        # closed stand-in carries them, as responses' own answers do.
        closed = io.BytesIO()
        closed.close()
        original = HTTPResponse(body=closed, msg=kept, preload_content=False)  # type: ignore[arg-type]
        return HTTPResponse(
            body=io.BytesIO(body),
            headers=kept,
            status=status,
            reason=client.responses.get(status),
            original_response=original,  # type: ignore[arg-type]
            preload_content=False,
            request_method=request.method,
        )

    def call(self, request: PreparedRequest) -> tuple[int, list[tuple[str, str]], bytes]:
        """The application's answer to ``request``: status, headers, body."""
        environ = self.environ(request)
        transport = Deferred()
        environ[TRANSPORT] = transport
        status, headers, body = call_app(self.app, environ)
        if transport.dropped:
            raise requests.ConnectionError(
                "the mock closed the connection without an answer (an injected fault)",
                request=request,
            )
        if transport.seconds:
            timeout = _read_timeout(request)
            if timeout is not None and timeout < transport.seconds:
                time.sleep(timeout)
                raise requests.ReadTimeout(
                    f"the mock held its answer {transport.seconds:g} s (an injected fault); "
                    f"the read timeout was {timeout:g} s",
                    request=request,
                )
            time.sleep(transport.seconds)
        return status, list(headers), body

    def environ(self, request: PreparedRequest) -> dict[str, Any]:
        """The WSGI environ (PEP 3333) of a prepared request, as a server would make it."""
        split = urlsplit(str(request.url))
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not isinstance(body, bytes):  # an iterable of chunks
            body = b"".join(
                part if isinstance(part, bytes) else str(part).encode() for part in body
            )
        port = split.port or (443 if split.scheme == "https" else 80)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": (request.method or "GET").upper(),
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(split.path or "/", encoding="latin-1"),
            "QUERY_STRING": split.query,
            "SERVER_NAME": split.hostname or "",
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": split.scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in (request.headers or {}).items():
            key = environ_key(name)  # as tpn serve's front makes it
            if key:
                environ[key] = value
        environ.setdefault("HTTP_HOST", split.netloc)
        return environ


def _read_timeout(request: PreparedRequest) -> float | None:
    """The read timeout the request was sent with (responses keeps requests' keyword
    arguments on it), or None."""
    timeout = getattr(request, "req_kwargs", {}).get("timeout")
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    return float(timeout) if isinstance(timeout, int | float) else None
