"""One WSGI application for a mock process: its SOAP endpoints, the admin side, ``/isalive``.

HTTP Basic authentication, when configured, covers everything but ``/isalive`` (health checks
must not need a password) and the sites for browsers (the security portal); a request without
valid credentials gets 401 with ``WWW-Authenticate: Basic`` and, on a SOAP path, a SOAP fault as
its body.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tpn.mocks.soap.faults import XML_CONTENT_TYPE, Fault, StartResponse, log_text, respond

log = logging.getLogger("tpn.mocks")

WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Answer = tuple[int, list[tuple[str, str]], bytes]
ADMIN = "/__admin"


def json_error(status: int, message: str) -> Answer:
    payload = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    return status, [("Content-Type", "application/json; charset=utf-8")], payload


def soap_error(status: int, message: str, rule: str) -> Answer:
    """A soap:Client fault. HTTP 500 for a body over the limit or shorter than announced, as for
    every fault of the SOAP endpoints; 408 for a body that did not arrive in time (no SOAP
    message arrived to be faulted)."""
    payload = Fault("Client", message, rule=rule).to_bytes()
    return (408 if status == 408 else 500), [("Content-Type", XML_CONTENT_TYPE)], payload


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
            # The exception's text stays in the log (it may hold SQL, paths or the request).
            incident = secrets.token_hex(4)
            log.error("internal error, incident %s\n%s", incident, log_text(exc))
            if self.on_error is not None:
                self.on_error(exc)
            fault = Fault(
                "Server",
                f"internal error (incident {incident}); the server's log has the details",
                rule="server",
            )
            return respond(start_response, 500, fault.to_bytes())

    def body_limit(self, path: str) -> int:
        """The largest body the route at ``path`` takes: the serving front refuses a longer one
        before reading it (``tpn.mocks.front``). An app without a ``max_body`` of its own gets
        the SOAP endpoints' limit."""
        if path == ADMIN or path.startswith(ADMIN + "/"):
            return int(getattr(self.admin, "max_body", self.max_body))
        for prefix, site in self.sites.items():
            if path == prefix or path.startswith(prefix + "/"):
                return int(getattr(site, "max_body", self.max_body))
        return self.max_body

    def refusal(self, path: str, status: int, message: str, rule: str) -> Answer:
        """The answer to a request the serving front refused before this app saw it (a body over
        the limit, late or cut short: ``tpn.mocks.front``), in the form of the route it was for:
        JSON on the admin side, a page's own form on a site, a SOAP fault elsewhere."""
        if path == ADMIN or path.startswith(ADMIN + "/"):
            return json_error(status, message)
        for prefix, site in self.sites.items():
            if path == prefix or path.startswith(prefix + "/"):
                refuse = getattr(site, "refusal", None)
                if refuse is not None:
                    answer: Answer = refuse(path, status, message, rule)
                    return answer
                return status, [("Content-Type", "text/plain; charset=utf-8")], message.encode()
        return soap_error(status, message, rule)

    def _route(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path == "/isalive":
            start_response(
                "200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "3")]
            )
            return [b"ok\n"]
        for prefix, site in self.sites.items():
            if path == prefix or path.startswith(prefix + "/"):
                return site(environ, start_response)
        if self.auth is not None and not self._authorised(environ):
            fault = Fault(
                "Client", "authentication required (HTTP Basic)", rule="http.auth", http_status=401
            )
            challenge = ("WWW-Authenticate", 'Basic realm="tpn-harness", charset="UTF-8"')
            return respond(start_response, 401, fault.to_bytes(), [challenge])
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

    def _authorised(self, environ: dict[str, Any]) -> bool:
        assert self.auth is not None
        header = environ.get("HTTP_AUTHORIZATION", "")
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
