"""One WSGI application for a mock process: its SOAP endpoints, the admin side, ``/isalive``.

HTTP Basic authentication, when configured, covers everything but ``/isalive`` (health checks
must not need a password) and the sites for browsers (the security portal); a SOAP endpoint's
exact path is routed before any site's prefix, so a site may hold endpoints under its own
prefix (MinSide's pages at ``/minside``, its services at ``/minside/meldingsboks``); a request without
valid credentials gets 401 with ``WWW-Authenticate: Basic`` and, on a SOAP path, a SOAP fault as
its body.
"""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tpn.mocks.soap.faults import XML_CONTENT_TYPE, Fault, StartResponse, incident, respond

WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Answer = tuple[int, list[tuple[str, str]], bytes]
ADMIN = "/__admin"


def _challenge() -> Answer:
    """401 with a Basic challenge and a SOAP fault as its body."""
    fault = Fault(
        "Client", "authentication required (HTTP Basic)", rule="http.auth", http_status=401
    )
    headers = [
        ("Content-Type", XML_CONTENT_TYPE),
        ("WWW-Authenticate", 'Basic realm="tpn-harness", charset="UTF-8"'),
    ]
    return 401, headers, fault.to_bytes()


def json_error(status: int, message: str) -> Answer:
    payload = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    return status, [("Content-Type", "application/json; charset=utf-8")], payload


def soap_error(status: int, message: str, rule: str) -> Answer:
    """A soap:Client fault. HTTP 500 for a body over the limit or shorter than announced, as for
    every fault of the SOAP endpoints; 408 for a body that did not arrive in time and 503 for
    one the worker had no room for, which are the connection's state, not the message's."""
    payload = Fault("Client", message, rule=rule).to_bytes()
    return (status if status in (408, 503) else 500), [("Content-Type", XML_CONTENT_TYPE)], payload


class MockApp:
    def __init__(
        self,
        endpoints: Mapping[str, WsgiApp],
        admin: WsgiApp,
        *,
        auth: tuple[str, str] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        sites: Mapping[str, WsgiApp] | None = None,
        max_body: int = 32 * 1024 * 1024,
    ) -> None:
        self.endpoints = dict(endpoints)
        # Apps mounted under a path prefix, for browsers: not behind the SOAP side's HTTP Basic
        # (a browser on a login page has no archive credentials).
        self.sites = dict(sites or {})
        self.admin = admin
        self.auth = auth
        self.max_body = max_body  # the SOAP endpoints' (intake.Limits.max_body_bytes)
        self.on_error = on_error

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self._route(environ, start_response)
        except Exception as exc:
            # Endpoints answer their own failures; this catches the router's and the admin's, so
            # that nothing reaches the client as a server's plain-text error page, and the test
            # that caused it hears of it (MockServer.check()).
            found = incident(exc, "tpn-harness", self.on_error)
            fault = Fault(
                "Server",
                f"internal error (incident {found}); the server's log has the details",
                rule="server",
            )
            return respond(start_response, 500, fault.to_bytes())

    def body_limit(self, path: str) -> int:
        """The largest body the route at ``path`` takes: the serving front refuses a longer one
        before reading it (``tpn.mocks.core.front``). An app without a ``max_body`` of its own gets
        the SOAP endpoints' limit."""
        if path == ADMIN or path.startswith(ADMIN + "/"):
            limit = getattr(self.admin, "body_limit", None)
            return int(limit(path.removeprefix(ADMIN))) if limit is not None else self.max_body
        site = self._site(path)
        return self.max_body if site is None else int(getattr(site, "max_body", self.max_body))

    def refusal(self, path: str, status: int, message: str, rule: str) -> Answer:
        """The answer to a request the serving front refused before this app saw it (a body over
        the limit, late or cut short: ``tpn.mocks.core.front``), in the form of the route it was
        for: JSON on the admin side, a page's own form on a site, a SOAP fault elsewhere."""
        if path == ADMIN or path.startswith(ADMIN + "/"):
            return json_error(status, message)
        site = self._site(path)
        if site is None:
            return soap_error(status, message, rule)
        refuse = getattr(site, "refusal", None)
        if refuse is not None:
            answer: Answer = refuse(path, status, message, rule)
            return answer
        return status, [("Content-Type", "text/plain; charset=utf-8")], message.encode()

    def _route(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path == "/isalive":
            start_response(
                "200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "3")]
            )
            return [b"ok\n"]
        site = self._site(path)
        if site is not None:
            return site(environ, start_response)
        if self.auth is not None and not self._authorised(environ.get("HTTP_AUTHORIZATION", "")):
            status, headers, payload = _challenge()
            return respond(start_response, status, payload, headers[1:])
        if path == ADMIN or path.startswith(ADMIN + "/"):
            return self.admin(environ, start_response)
        endpoint = self.endpoints.get(path.rstrip("/") or "/")
        if endpoint is None:
            paths = ", ".join(sorted(self.endpoints))
            fault = Fault(
                "Client",
                f"no service at {path}; services: {paths}",
                rule="http.path",
                http_status=404,
            )
            return respond(start_response, 404, fault.to_bytes())
        return endpoint(environ, start_response)

    def admit(self, path: str, authorization: str) -> Answer | None:
        """The answer to a request refused on its headers alone (missing credentials), before
        the serving front reads its body; None when the route will take it."""
        if self.auth is None or path == "/isalive" or self._site(path) is not None:
            return None
        return None if self._authorised(authorization) else _challenge()

    def _site(self, path: str) -> WsgiApp | None:
        # An endpoint's exact path wins over a site's prefix: MinSide's citizen site is at
        # /minside and its SOAP endpoints at /minside/meldingsboks and beside it.
        if (path.rstrip("/") or "/") in self.endpoints:
            return None
        for prefix, site in self.sites.items():
            if path == prefix or path.startswith(prefix + "/"):
                return site
        return None

    def _authorised(self, header: str) -> bool:
        assert self.auth is not None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = (
                base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
            )
        except ValueError:
            # binascii.Error and UnicodeDecodeError are ValueErrors, and so is what b64decode
            # raises for a header with non-ASCII (Latin-1) characters, which used to escape as
            # a plain-text 500.
            return False
        # Compare UTF-8 bytes: compare_digest raises TypeError for a str with non-ASCII
        # characters, so a Norwegian user name or password ("bjørn") crashed every request.
        user_ok = hmac.compare_digest(user.encode("utf-8"), self.auth[0].encode("utf-8"))
        password_ok = hmac.compare_digest(password.encode("utf-8"), self.auth[1].encode("utf-8"))
        return user_ok & password_ok
