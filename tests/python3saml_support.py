"""A service provider built on OneLogin's python3-saml, as a vendor configures it well: strict
mode, signed AuthnRequests (RSA-SHA256), signed assertions wanted, its ACS on HTTP-POST only
(the library has no artifact binding), and what the library leaves to its user done too: the
InResponseTo of the request this browser started, a replay cache of assertion IDs, the level,
a valid uid, and a RelayState followed only on this site.

    GET /side      the protected page: logged in, or off to the portal with a signed request
    POST /acs      the Response (HTTP-POST): python3-saml checks it, then this app
    GET /probe     "Innlogget: FNR" or "Ikke innlogget"
    GET /logout    a signed LogoutRequest to the portal
    GET /slo       the portal's LogoutResponse

A WSGI app for the tests; its state is in memory.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from tpn.fixtures import identifiers
from tpn.mocks.saml import keys, ns

SESSION, STARTED = "p3s_session", "p3s_login"
MAX_FORM = 256 * 1024


def _body(pem: bytes) -> str:
    return "".join(line for line in pem.decode().splitlines() if not line.startswith("-----"))


@dataclass
class Python3SamlSp:
    """The SP at ``base_url``, trusting the portal whose metadata is ``portal_xml`` (read by the
    library's own metadata parser, as a vendor would read the file `tpn sp portal-metadata`
    writes)."""

    base_url: str
    portal_xml: bytes
    key: keys.SigningKey = field(default_factory=lambda: keys.generate("python3-saml SP"))
    level: int = 3
    # What vendors commonly get wrong, for the tests that show the suite catches it: the
    # library's strict mode off; no replay cache of their own and process_response called
    # without the request's ID (so any InResponseTo, or none, goes); no level check.
    strict: bool = True
    replay_cache: bool = True
    level_check: bool = True
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    started: dict[str, str] = field(default_factory=dict)  # browser cookie -> request ID
    seen: set[str] = field(default_factory=set)  # assertion IDs used (the replay cache)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(self.portal_xml.decode("utf-8"))
        self.idp: dict[str, Any] = parsed["idp"]

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/metadata"

    def settings(self) -> dict[str, Any]:
        return {
            "strict": self.strict,
            "sp": {
                "entityId": self.entity_id,
                "assertionConsumerService": {"url": f"{self.base_url}/acs", "binding": ns.POST},
                "singleLogoutService": {"url": f"{self.base_url}/slo", "binding": ns.REDIRECT},
                "NameIDFormat": ns.TRANSIENT,
                "x509cert": self.key.cert_base64,
                "privateKey": _body(self.key.key_pem),
            },
            "idp": self.idp,
            "security": {
                "authnRequestsSigned": True,
                "logoutRequestSigned": True,
                "logoutResponseSigned": True,
                "wantAssertionsSigned": True,
                "wantMessagesSigned": False,  # the assertion's signature is what counts
                "rejectDeprecatedAlgorithm": True,
                "signatureAlgorithm": ns.RSA_SHA256,
                "digestAlgorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
                "requestedAuthnContext": [ns.PASSWORD_PROTECTED],
                "requestedAuthnContextComparison": "minimum",
            },
        }

    def metadata(self) -> bytes:
        xml = OneLogin_Saml2_Settings(self.settings(), sp_validation_only=True).get_sp_metadata()
        return xml if isinstance(xml, bytes) else str(xml).encode()

    def _request(self, environ: dict[str, Any], post: dict[str, str] | None = None) -> Any:
        """What python3-saml reads of the request (its URL, for Destination and Recipient)."""
        query = environ.get("QUERY_STRING", "")
        return {
            "https": "off",
            "http_host": environ.get("HTTP_HOST", ""),
            "script_name": environ.get("PATH_INFO", ""),
            "get_data": {k: v[0] for k, v in parse_qs(query).items()},
            "post_data": post or {},
            "query_string": query,
        }

    def _auth(self, environ: dict[str, Any], post: dict[str, str] | None = None) -> Any:
        return OneLogin_Saml2_Auth(self._request(environ, post), self.settings())

    def __call__(self, environ: dict[str, Any], start: Any) -> Iterable[bytes]:
        try:
            return self._route(environ, start)
        except Exception as exc:  # the library raises on input it cannot read at all
            return _text(start, 400, f"Avvist: {type(exc).__name__}: {exc}")

    def _route(self, environ: dict[str, Any], start: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        cookies = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        mine = cookies[SESSION].value if SESSION in cookies else ""
        browser = cookies[STARTED].value if STARTED in cookies else ""
        session = self.sessions.get(mine)
        if path == "/side":
            if session is not None:
                return _text(start, 200, f"Velkommen, {session['uid']}")
            auth = self._auth(environ)
            url = auth.login(return_to="/side")
            browser = secrets.token_urlsafe(16)
            with self.lock:
                self.started[browser] = auth.get_last_request_id()
            cookie = f"{STARTED}={browser}; Path=/; HttpOnly"
            return _redirect(start, url, [("Set-Cookie", cookie)])
        if path == "/probe":
            return _text(
                start, 200, f"Innlogget: {session['uid']}" if session else "Ikke innlogget"
            )
        if path == "/acs" and environ.get("REQUEST_METHOD") == "POST":
            return self._acs(environ, start, browser)
        if path == "/logout" and session is not None:
            auth = self._auth(environ)
            url = auth.logout(
                return_to="/side",
                name_id=session["name_id"],
                session_index=session["session_index"],
                name_id_format=ns.TRANSIENT,
            )
            with self.lock:
                self.sessions.pop(mine, None)
            return _redirect(start, url)
        if path == "/slo":
            auth = self._auth(environ)
            auth.process_slo(keep_local_session=True)
            return _redirect(start, f"{self.base_url}/side")
        return _text(start, 404, f"no {path} here")

    def _acs(self, environ: dict[str, Any], start: Any, browser: str) -> list[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or "0")
        except ValueError:
            length = -1
        if not 0 < length <= MAX_FORM:
            return _text(start, 413, "for stort skjema")
        body = environ["wsgi.input"].read(length).decode("ascii", "replace")
        post = {k: v[0] for k, v in parse_qs(body, max_num_fields=8).items()}
        with self.lock:
            request_id = self.started.pop(browser, None)
        if request_id is None and self.replay_cache:
            return _text(start, 403, "Innlogging avvist: ingen innlogging startet her")
        auth = self._auth(environ, post)
        auth.process_response(request_id=request_id if self.replay_cache else None)
        if auth.get_errors() or not auth.is_authenticated():
            return _text(start, 403, f"Innlogging avvist: {auth.get_last_error_reason()}")
        attributes = auth.get_attributes()
        uid = (attributes.get("uid") or [""])[0]
        level = (attributes.get("SecurityLevel") or [""])[0]
        assertion_id = auth.get_last_assertion_id()
        # What python3-saml leaves to its user: the level, the uid, and replay.
        if self.level_check and (not level.isdecimal() or int(level) < self.level):
            return _text(start, 403, f"Innlogging avvist: nivå {level!r}")
        if not identifiers.check_person(uid).valid:
            return _text(start, 403, "Innlogging avvist: ugyldig fødselsnummer")
        with self.lock:
            if self.replay_cache and assertion_id in self.seen:
                return _text(start, 403, "Innlogging avvist: brukt før")
            self.seen.add(assertion_id)
            cookie = secrets.token_urlsafe(24)
            self.sessions[cookie] = {
                "uid": uid,
                "name_id": auth.get_nameid(),
                "session_index": auth.get_session_index(),
            }
        relay = post.get("RelayState", "/side")
        local = relay.startswith("/") and not relay.startswith("//")
        target = f"{self.base_url}{relay if local else '/side'}"
        return _redirect(start, target, [("Set-Cookie", f"{SESSION}={cookie}; Path=/; HttpOnly")])


def _text(start: Any, status: int, text: str) -> list[bytes]:
    body = text.encode("utf-8")
    reason = {200: "OK", 403: "Forbidden", 404: "Not Found", 413: "Too Large"}.get(status, "")
    start(f"{status} {reason}", [("Content-Type", "text/plain; charset=utf-8")])
    return [body]


def _redirect(start: Any, location: str, extra: list[tuple[str, str]] | None = None) -> list[bytes]:
    start("302 Found", [("Location", location), *(extra or [])])
    return [b""]
