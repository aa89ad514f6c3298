"""The portal's WSGI side, under ``/sikkerhetsportal``.

``/metadata``; ``/sso`` (an AuthnRequest over HTTP-Redirect: a page to choose a synthetic
persona and a login method, or the browser's SSO session); ``/login`` (POST: the page's
answer; GET ``?request=ID&q=TEXT``: the page again, its personas found by a search, see
``personas``);
``/artifact`` (SOAP ``ArtifactResolve``, in ``artifact``); ``/slo`` (a LogoutRequest over
HTTP-Redirect). For automated tests the persona and method can ride on the SSO request itself
(``tpn-persona``, ``tpn-method``: a profile decision, for test use only; they are not part of
the signed message).

A request's body is read once, bounded, before any route sees it (``wire``). Every refusal is a
page saying why, with a 4xx status (503 while the replay table is full; on ``/artifact`` a SOAP
fault instead of a page), and never a redirect: a request the portal refused names an SP
endpoint nobody checked. Every place a page or a redirect sends the browser goes through one
check (``metadata.url_problem``): only an http or https URL, so that an SP's endpoint can never
run script in the portal's origin, whatever is in the store.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

import jinja2

from tpn.mocks.core.journal import Journal
from tpn.mocks.saml import ns
from tpn.mocks.saml.metadata import url_problem
from tpn.mocks.saml.quote import shown
from tpn.mocks.sikkerhetsportal import artifact, personas, wire
from tpn.mocks.sikkerhetsportal.errors import LoginError
from tpn.mocks.sikkerhetsportal.personas import MAX_QUERY
from tpn.mocks.sikkerhetsportal.portal import METHODS, PREFIX, Answer, Pending, Portal, SamlError

__all__ = ["COOKIE", "LoginError", "PortalApp", "render"]

COOKIE = "tpn_sso"
MAX_COOKIE = 64  # its value is a session ID of 41 characters
MAX_BODY = wire.MAX_BODY
FORM = "application/x-www-form-urlencoded"
MAX_FIELDS = 16  # the login form has four (request, persona, method, cancel)
# The login methods as a tester knows them (the codes are what the assertion's AuthMethod says).
METHOD_NAMES = {
    "Minid-PIN": "MinID med PIN-kode",
    "BankID": "BankID",
    "Buypass": "Buypass smartkort",
    "Commfides": "Commfides smartkort",
}
# Each page and the one method it takes.
# Each page and the methods it takes: /login takes the form (POST) and the persona search
# (GET, so that it works without JavaScript and the pending login stays in the address).
ROUTES = {
    "/metadata": ("GET",),
    "/sso": ("GET",),
    "/login": ("GET", "POST"),
    "/slo": ("GET",),
    "/artifact": ("POST",),
}

StartResponse = Callable[..., Any]


def _http_url(value: object) -> str:
    """The filter every form action goes through: a page only ever sends a browser to an http
    or https URL (the SP's registered endpoint, or the portal's own)."""
    text = str(value)
    problem = url_problem(text)
    if problem is not None:
        raise LoginError(f"the portal will not send a browser to {shown(text)}: {problem}")
    return text


_PAGES = jinja2.Environment(
    loader=jinja2.PackageLoader("tpn.mocks.sikkerhetsportal", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_PAGES.filters["http_url"] = _http_url


def render(template: str, **values: Any) -> str:
    """A page, autoescaped; a form action that is not http(s) raises ``LoginError``."""
    return _PAGES.get_template(template).render(**values)


class PortalApp:
    """The portal over HTTP; every exchange goes into the journal when one is given."""

    # The largest body a page or /artifact takes: the serving front reads no more than this.
    max_body = wire.MAX_BODY

    def __init__(self, portal: Portal, journal: Journal | None = None) -> None:
        self.portal = portal
        self.journal = journal

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.time()
        body: bytes | wire.BodyError = b""
        if environ.get("REQUEST_METHOD") == "POST":
            try:
                body = wire.read_body(environ)
            except wire.BodyError as refused:
                body = refused  # the route says so in its own form
        if self.journal is None:
            return self._answer(environ, body, start_response)
        seen: dict[str, Any] = {}

        def recording(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, *rest)

        chunks = self._answer(environ, body, recording)
        status = int(str(seen.get("status", "500")).split()[0])
        path = environ.get("PATH_INFO", "").removeprefix(PREFIX).strip("/") or "/"
        query = environ.get("QUERY_STRING", "")
        head = f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '')}"
        request = f"{head}{'?' + query if query else ''}\n\n".encode() + (
            body if isinstance(body, bytes) else b""
        )
        location = dict(seen.get("headers", [])).get("Location", "")
        response = b"".join(chunks) or f"Location: {location}".encode()
        outcome = "ok" if status < 400 else "refused" if status < 500 else "error"
        self.journal.keep(
            service="sikkerhetsportal",
            operation=path[:64],
            http_status=status,
            outcome=outcome,
            validation="" if status < 400 else response[:300].decode("utf-8", "replace"),
            started=started,
            request=request,
            response=response,
        )
        return chunks

    def refusal(
        self, path: str, status: int, message: str, rule: str
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """A body the serving front refused before this app saw it (over the limit, late, cut
        short: ``tpn.mocks.core.front``), answered as the route answers its own
        (MockApp.refusal)."""
        seen: list[Any] = []

        def capture(status_line: str, headers: list[tuple[str, str]], *_rest: Any) -> Any:
            seen[:] = [status_line, headers]
            return None

        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": ""}
        payload = b"".join(self._answer(environ, wire.BodyError(status, message, rule), capture))
        return int(str(seen[0])[:3]), list(seen[1]), payload

    def _answer(
        self, environ: dict[str, Any], body: bytes | wire.BodyError, start_response: StartResponse
    ) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        route = path.removeprefix(PREFIX).rstrip("/") or "/"
        if route == "/artifact":  # a SOAP endpoint: its errors are SOAP faults, never pages
            return artifact.answer(self.portal, environ, body, start_response)
        try:
            allowed = ROUTES.get(route)
            if allowed is None:
                pages = ", ".join(f"{PREFIX}{r}" for r in ROUTES)
                raise LoginError(f"no page {shown(path, 60)} here; the pages are {pages}", 404)
            if method not in allowed:
                takes = ", ".join(allowed)
                return _page(
                    start_response,
                    405,
                    "error.html",
                    extra=[("Allow", takes)],
                    message=f"{PREFIX}{route} takes {takes}, not {shown(method, 16)}",
                )
            if isinstance(body, wire.BodyError):
                raise LoginError(body.message, body.status)
            try:
                # Without a public URL the portal is what the request came to.
                portal = self.portal.at(wire.request_base(environ))
            except ValueError as exc:
                raise LoginError(str(exc)) from None
            if route == "/metadata":
                xml = portal.descriptor()
                return _send(start_response, 200, xml, "application/samlmetadata+xml")
            if route == "/sso":
                return _sso(portal, environ, start_response)
            if route == "/login" and method == "GET":
                return _search(portal, environ, start_response)
            if route == "/login":
                form = _form(environ, body)
                pending = portal.pending(_one(form, "request"))
                if "cancel" in form:  # the user gave up: the SP hears AuthnFailed
                    return _deliver(
                        start_response,
                        portal.refuse(pending, ns.AUTHN_FAILED, "the user cancelled the login"),
                    )
                answer = portal.login(
                    pending,
                    _one(form, "persona"),
                    _one(form, "method"),
                    session_id=_cookie(environ),
                )
                return _deliver(start_response, answer)
            query = _saml_query(environ)  # /slo
            answered = "SAMLResponse=" in query and "SAMLRequest=" not in query
            target = portal.logout_answered(query) if answered else portal.logout(query)
            expired = f"{COOKIE}=; Path={PREFIX}; Max-Age=0; HttpOnly; SameSite=Lax"
            return _redirect(start_response, target, [("Set-Cookie", expired)])
        except SamlError as exc:
            try:
                return _deliver(start_response, exc.answer)
            except LoginError as refused:
                return _page(start_response, refused.status, "error.html", message=str(refused))
        except LoginError as exc:
            return _page(start_response, exc.status, "error.html", message=str(exc))


def _sso(portal: Portal, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    pending = portal.check(_saml_query(environ))
    query = parse_qs(environ.get("QUERY_STRING", ""))
    shortcut = {k: v[0] for k, v in query.items() if k.startswith("tpn-")}
    session = _cookie(environ)
    if "tpn-persona" in shortcut:
        answer = portal.login(
            pending,
            shortcut["tpn-persona"],
            shortcut.get("tpn-method", "Minid-PIN"),
            session_id=session,
        )
        return _deliver(start_response, answer)
    known = portal.reusable(pending, session)
    if known is not None:  # single sign-on: the browser logged in at this level already
        answer = portal.login(
            pending, known.uid, known.method, culture=known.culture, session_id=known.id
        )
        return _deliver(start_response, answer)
    return _login_page(portal, pending, "", start_response)


def _search(portal: Portal, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    """The login page again, its personas filtered by the search ``q``, for the login under
    way named by ``request``."""
    query = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=MAX_FIELDS)
    request_id = (query.get("request") or [""])[0]
    if not request_id:
        raise LoginError(
            "the search needs the login under way (request=...); start again at the service"
        )
    pending = portal.pending(request_id[:100])
    q = (query.get("q") or [""])[0]
    if len(q) > MAX_QUERY:
        return _login_page(
            portal,
            pending,
            q[:MAX_QUERY],
            start_response,
            status=400,
            problem=f"Søket er for langt: høyst {MAX_QUERY} tegn. Prøv et kortere søk.",
        )
    return _login_page(portal, pending, q, start_response)


def _login_page(
    portal: Portal,
    pending: Pending,
    q: str,
    start_response: StartResponse,
    *,
    status: int = 200,
    problem: str | None = None,
) -> list[bytes]:
    provider = portal.provider(pending.sp)
    today = portal.now().date()
    found = personas.find(today, q) if problem is None else []
    return _page(
        start_response,
        status,
        "login.html",
        sp=pending.sp,
        service=(provider.display_name if provider else None) or pending.sp,
        level=pending.level,
        action=f"{portal.base_url}{PREFIX}/login",
        request=pending.id,
        q=q,
        problem=problem,
        max_query=MAX_QUERY,
        personas=found,
        total=len(personas.choices(today)),
        methods=[
            (m, METHOD_NAMES.get(m, m), lvl) for m, lvl in METHODS.items() if lvl >= pending.level
        ],
    )


def _saml_query(environ: dict[str, Any]) -> str:
    # The test shortcut's parameters are not part of the signed message: leave them out.
    query: str = environ.get("QUERY_STRING", "")
    return "&".join(p for p in query.split("&") if not p.startswith("tpn-"))


def _cookie(environ: dict[str, Any]) -> str | None:
    """The browser's SSO session cookie. Split by hand, not by ``http.cookies``, which unquotes
    backslashes in quadratic time before Python 3.11.10 (CVE-2024-7592: seconds for a 60 KB
    header); the portal's own values are plain (``messages.new_id``), never quoted."""
    for part in environ.get("HTTP_COOKIE", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value if 0 < len(value) <= MAX_COOKIE else None
    return None


def _deliver(start_response: StartResponse, answer: Answer) -> list[bytes]:
    """The login's answer to the SP: a redirect with the artifact, or the POST binding's form."""
    cookie = f"{COOKIE}={answer.session}; Path={PREFIX}; HttpOnly; SameSite=Lax"
    if answer.artifact is not None:
        return _redirect(start_response, answer.location, [("Set-Cookie", cookie)])
    assert answer.response is not None
    return _page(
        start_response,
        200,
        "post.html",
        extra=[("Set-Cookie", cookie)],
        action=answer.acs_url,
        response=base64.b64encode(answer.response).decode("ascii"),
        relay_state=answer.relay_state,
    )


def _form(environ: dict[str, Any], body: bytes) -> dict[str, list[str]]:
    content_type = environ.get("CONTENT_TYPE", "")
    media = content_type.split(";")[0].strip().lower()
    # text/plain too: wsgiref reports a request without a Content-Type as text/plain.
    if media not in ("", FORM, "text/plain"):
        raise LoginError(f"the login form must be {FORM}, not {shown(content_type, 60)}", 415)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise LoginError("the login form is not UTF-8") from None
    try:
        return parse_qs(text, max_num_fields=MAX_FIELDS)
    except ValueError:  # "Max number of fields exceeded"
        raise LoginError(f"the login form has more than {MAX_FIELDS} fields") from None


def _one(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name, [])
    if len(values) != 1 or not values[0]:
        raise LoginError(f"the login form needs one {name}")
    return values[0]


def _page(
    start_response: StartResponse,
    status: int,
    template: str,
    extra: list[tuple[str, str]] | None = None,
    **values: Any,
) -> list[bytes]:
    body = render(template, **values).encode("utf-8")
    return _send(start_response, status, body, "text/html; charset=utf-8", extra)


def _send(
    start_response: StartResponse,
    status: int,
    body: bytes,
    content_type: str,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    start_response(f"{status} {HTTPStatus(status).phrase}", headers + (extra or []))
    return [body]


def _redirect(
    start_response: StartResponse, location: str, extra: list[tuple[str, str]] | None = None
) -> list[bytes]:
    # The URL carries the message (SAMLart, SAMLRequest, RelayState): no length limit here.
    problem = url_problem(location, max_chars=None)
    if problem is not None:
        raise LoginError(f"the portal will not send a browser to {shown(location)}: {problem}")
    start_response("302 Found", [("Location", location), ("Content-Length", "0"), *(extra or [])])
    return [b""]
