"""How MinSide reaches the portal behind the browser's back: its metadata (GET) and the
artifact resolution endpoint (a SOAP POST). Two ways, the same messages:

- ``InProcess`` (what ``tpn serve`` and ``ComposedMock`` use): the request goes to the portal's
  own WSGI app (``PortalApp``: its routing, body limits, SOAP faults, signature checks and
  journal) in this process, as an HTTP request would reach it. A worker of ``tpn serve`` runs
  one request at a time (granian, one blocking thread per worker): an HTTP call from inside a
  request to the same server would wait on itself, or on a busy sibling, until it timed out.
- ``OverHttp``: a real HTTP request, for a portal in another process; it works against the
  in-thread ``MockServer`` (a thread per connection), and the tests prove the login over it.

Either way an answer is bounded (``MAX_ANSWER``) and a failure is ``Unreachable``.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from typing import Any, Protocol
from urllib.parse import urlsplit

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
MAX_ANSWER = 256 * 1024  # the portal's metadata or an ArtifactResponse: a few KB
TIMEOUT = 10.0


class Unreachable(Exception):
    """The portal did not answer with what MinSide asked for; the message says why."""


class Backchannel(Protocol):
    def get(self, url: str) -> bytes: ...

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> bytes: ...


class InProcess:
    """The portal's WSGI app, called in this process with the request an HTTP client would
    send to ``url``."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def get(self, url: str) -> bytes:
        return self._call("GET", url, b"", {})

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> bytes:
        return self._call("POST", url, body, headers)

    def _call(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> bytes:
        parts = urlsplit(url)
        https = parts.scheme == "https"
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "SERVER_NAME": parts.hostname or "localhost",
            "SERVER_PORT": str(parts.port or (443 if https else 80)),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": parts.netloc,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": parts.scheme or "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
        seen: list[str] = []

        def start_response(status: str, _headers: list[tuple[str, str]], *_: Any) -> None:
            seen.append(status)

        answer = b"".join(self.app(environ, start_response))
        status = int(seen[0].split()[0]) if seen else 500
        return _checked(url, status, answer)


class OverHttp:
    """Real HTTP requests (``requests``, proxies from the environment ignored)."""

    def __init__(self, timeout: float = TIMEOUT) -> None:
        self.timeout = timeout

    def get(self, url: str) -> bytes:
        return self._send("GET", url, None, {})

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> bytes:
        return self._send("POST", url, body, headers)

    def _send(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> bytes:
        # Imported here, not with the module: ``tpn serve`` composes MinSide in every worker and
        # only ever uses ``InProcess``, and ``requests`` (with urllib3, charset_normalizer, idna)
        # made each worker about 5 MB larger for an HTTP client it never used.
        import requests

        http = requests.Session()
        http.trust_env = False  # a proxy setting must not send the back channel elsewhere
        try:
            with http.request(
                method, url, data=body, headers=headers, timeout=self.timeout, stream=True
            ) as answer:
                data = answer.raw.read(MAX_ANSWER + 1, decode_content=True)
                status = answer.status_code
        except requests.RequestException as exc:
            raise Unreachable(f"{method} {url}: {exc}") from None
        finally:
            http.close()
        return _checked(url, status, data)


def _checked(url: str, status: int, answer: bytes) -> bytes:
    if len(answer) > MAX_ANSWER:
        raise Unreachable(f"{url} answered with more than {MAX_ANSWER} bytes")
    if status != 200:
        raise Unreachable(f"{url} answered HTTP {status}")
    return answer
