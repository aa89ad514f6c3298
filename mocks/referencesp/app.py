"""The reference SP over HTTP: a protected page, the assertion consumer services (HTTP-Artifact
and HTTP-POST), a probe that says who is logged in, and single logout.

    GET /side        the protected page: logged in, or off to the portal with a signed request
    GET /acs         SAMLart + RelayState: resolve the artifact at the portal, check, log in
    POST /acs/post   SAMLResponse + RelayState (the HTTP-POST binding's form): check, log in
    GET /probe       "Logget inn som FNR" or "Ikke logget inn" (for the conformance suite)
    GET /logout      a signed LogoutRequest to the portal
    GET /slo         the portal's LogoutResponse: the session ends

Its state (requests sent, sessions, the replay cache) is in memory: it is a single-process
reference client started for a run, not a served mock.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import requests
from cryptography import x509
from lxml import etree

from tpn.mocks.referencesp import defects, post
from tpn.mocks.saml import artifact, keys, messages, metadata, ns, redirect
from tpn.mocks.saml.checks import Checks
from tpn.mocks.saml.verify import Expect, Identity, Refused, verify_response

COOKIE = "sp_session"
STARTED = "sp_login"  # the AuthnRequest this browser started
StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Idp:
    """What the SP was configured with about the portal (from its metadata)."""

    entity_id: str
    sso_url: str
    slo_url: str
    artifact_url: str
    cert_pem: str


@dataclass
class ReferenceSp:
    """The SP: its own identity and key, the portal it trusts, the level its service needs."""

    base_url: str
    idp: Idp
    key: keys.SigningKey = field(default_factory=lambda: keys.generate("tpn reference SP"))
    level: int = 3
    lax: frozenset[str] = frozenset()  # named defects (``defects/``): the checks it skips
    checks: Checks = field(init=False)  # the checks it makes, from ``lax``
    requests_sent: dict[str, str] = field(default_factory=dict)  # request ID -> RelayState
    sessions: dict[str, Identity] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)

    def __post_init__(self) -> None:
        self.checks = defects.checks(self.lax)

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/metadata"

    @property
    def acs_url(self) -> str:
        """The HTTP-Artifact ACS: the default one, which its AuthnRequests name."""
        return f"{self.base_url}/acs"

    @property
    def post_acs_url(self) -> str:
        return f"{self.base_url}/acs/post"

    def metadata(self) -> bytes:
        return metadata.sp(
            self.entity_id,
            self.acs_url,
            f"{self.base_url}/slo",
            self.key,
            more_acs=((ns.POST, self.post_acs_url),),
        )

    def expect(self, acs_url: str | None = None) -> Expect:
        """What a Response must say, received at ``acs_url`` (the Recipient and Destination are
        the ACS it came to, whichever binding brought it)."""
        return Expect(
            idp_entity=self.idp.entity_id,
            idp_cert_pem=self.idp.cert_pem,
            sp_entity=self.entity_id,
            acs_url=acs_url or self.acs_url,
            level=self.level,
        )

    def _first_use(self, assertion_id: str) -> bool:
        with self.lock:
            if assertion_id in self.seen:
                return False
            self.seen.add(assertion_id)
            return True

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        session = self.sessions.get(_cookie(environ) or "")
        if path == "/isalive":
            return _text(start_response, 200, "ok")
        if path == "/side":
            if session is not None:
                return _text(start_response, 200, f"Velkommen, {session.uid}")
            return self._login(start_response, relay="/side")
        if path == "/probe":
            text = f"Logget inn som {session.uid}" if session else "Ikke logget inn"
            return _text(start_response, 200, text)
        if path == "/acs":
            handle = (query.get("SAMLart") or [""])[0]
            relay = (query.get("RelayState") or [None])[0]
            try:
                response = self._resolve(handle)
            except Refused as exc:
                return _text(start_response, 403, f"Innlogging avvist: {exc}")
            return self._acs(start_response, response, relay, _cookie(environ, STARTED))
        if path == "/acs/post":
            try:
                posted = post.read(environ)
            except post.FormRefused as exc:
                return _text(start_response, exc.status, f"Innlogging avvist: {exc}")
            return self._acs(
                start_response,
                posted.response,
                posted.relay_state,
                _cookie(environ, STARTED),
                acs_url=self.post_acs_url,
            )
        if path == "/logout" and session is not None:
            request = messages.logout_request(
                issuer=self.entity_id,
                destination=self.idp.slo_url,
                name_id=session.name_id,
                session_index=session.session_index,
                now=self.now(),
            )
            target = f"{self.idp.slo_url}?{redirect.encode(request, key=self.key)}"
            if self.checks.logout:
                self.sessions.pop(_cookie(environ) or "", None)
            return _redirect(start_response, target)
        if path == "/slo":
            raw = environ.get("QUERY_STRING", "")
            if "SAMLRequest=" in raw:
                return self._logout_requested(start_response, raw)
            return _redirect(start_response, f"{self.base_url}/side")
        if path == "/metadata":
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [self.metadata()]
        return _text(start_response, 404, f"no {path} here")

    def _logout_requested(self, start_response: StartResponse, query: str) -> list[bytes]:
        """The portal's LogoutRequest (another SP's logout in the same SSO session): end the
        session it names and confirm, signed, back to the portal."""
        try:
            message = redirect.decode(query)
            request = messages.parse_logout_request(message.xml)
        except (redirect.BindingError, messages.MessageError) as exc:
            return _text(start_response, 400, f"Utlogging avvist: {exc}")
        certificate = x509.load_pem_x509_certificate(self.idp.cert_pem.encode("ascii"))
        problem = redirect.verify(message, certificate)
        if problem is not None or request.issuer != self.idp.entity_id:
            return _text(start_response, 403, f"Utlogging avvist: {problem or 'wrong issuer'}")
        if self.checks.logout:
            with self.lock:
                for cookie, identity in list(self.sessions.items()):
                    if identity.name_id == request.name_id:
                        del self.sessions[cookie]
        answer = messages.logout_response(
            issuer=self.entity_id,
            destination=self.idp.slo_url,
            in_response_to=request.id,
            now=self.now(),
        )
        query_out = redirect.encode(
            answer, parameter="SAMLResponse", relay_state=message.relay_state, key=self.key
        )
        return _redirect(start_response, f"{self.idp.slo_url}?{query_out}")

    def _login(self, start_response: StartResponse, relay: str) -> list[bytes]:
        request = messages.authn_request(
            issuer=self.entity_id,
            destination=self.idp.sso_url,
            acs_url=self.acs_url,
            level=self.level,
            now=self.now(),
        )
        request_id = etree.fromstring(request).get("ID", "")
        with self.lock:
            self.requests_sent[request_id] = relay
        query = redirect.encode(request, relay_state=relay, key=self.key)
        # The answer must come back to the browser that asked (no login CSRF).
        # The portal's HTTP-POST form is a cross-site POST, on which browsers send no Lax
        # cookie: over https the cookie is SameSite=None (which browsers take only Secure);
        # over plain http (a test run on 127.0.0.1) Lax is all a browser keeps.
        same_site = "None; Secure" if self.base_url.startswith("https:") else "Lax"
        started = f"{STARTED}={request_id}; Path=/; HttpOnly; SameSite={same_site}"
        return _redirect(start_response, f"{self.idp.sso_url}?{query}", [("Set-Cookie", started)])

    def _acs(
        self,
        start_response: StartResponse,
        response: bytes,
        relay_state: str | None,
        started: str | None,
        *,
        acs_url: str | None = None,
    ) -> list[bytes]:
        """The Response, however it came (resolved from an artifact, or posted), checked by
        the one ``verify_response``; a session if it holds."""
        relay = relay_state or "/side"
        try:
            with self.lock:
                pending = set(self.requests_sent)
            if self.checks.replay:
                # Only the request this browser started (its cookie) may be answered here.
                pending &= {started} if started else set()
            identity = verify_response(
                response,
                self.expect(acs_url),
                now=self.now(),
                requests=pending,
                first_use=self._first_use,
                checks=self.checks,
            )
        except Refused as exc:
            return _text(start_response, 403, f"Innlogging avvist: {exc}")
        with self.lock:
            if self.checks.replay:
                self.requests_sent.pop(identity.in_response_to, None)  # answered once
            cookie = secrets.token_urlsafe(24)
            self.sessions[cookie] = identity
        # Only a path on this site: a RelayState naming another site is not followed.
        local = relay.startswith("/") and not relay.startswith("//")
        target = relay if local or not self.checks.local_redirect else "/side"
        if target.startswith("/"):
            target = f"{self.base_url}{target}"
        return _redirect(
            start_response,
            target,
            [("Set-Cookie", f"{COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Lax")],
        )

    def _resolve(self, handle: str) -> bytes:
        if not handle:
            raise Refused("no SAMLart")
        resolve = artifact.resolve_request(
            issuer=self.entity_id, handle=handle, key=self.key, now=self.now()
        )
        http = requests.Session()
        http.trust_env = False
        try:
            answer = http.post(
                self.idp.artifact_url, data=resolve, headers=artifact.HEADERS, timeout=10
            )
        except requests.RequestException as exc:
            raise Refused(f"the artifact could not be resolved: {exc}") from None
        return artifact.response_in(answer.content)


def _cookie(environ: dict[str, Any], name: str = "sp_session") -> str | None:
    morsel = SimpleCookie(environ.get("HTTP_COOKIE", "")).get(name)
    return morsel.value if morsel is not None else None


def _text(start_response: StartResponse, status: int, text: str) -> list[bytes]:
    body = text.encode("utf-8")
    reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found"}.get(status, "")
    start_response(
        f"{status} {reason}",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _redirect(
    start_response: StartResponse, location: str, extra: list[tuple[str, str]] | None = None
) -> list[bytes]:
    start_response("302 Found", [("Location", location), ("Content-Length", "0"), *(extra or [])])
    return [b""]
