"""The portal's WSGI side, under ``/sikkerhetsportal``.

``/metadata``; ``/sso`` (an AuthnRequest over HTTP-Redirect: a page to choose a synthetic
persona and a login method, or the browser's SSO session); ``/login`` (the page's answer);
``/artifact`` (SOAP ``ArtifactResolve``); ``/slo`` (a LogoutRequest over HTTP-Redirect).
For automated tests the persona and method can ride on the SSO request itself
(``tpn-persona``, ``tpn-method``: a profile decision, for test use only; they are not part of
the signed message).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import time
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import jinja2
from lxml import etree
from signxml.algorithms import SignatureMethod
from signxml.exceptions import InvalidInput, InvalidSignature
from signxml.verifier import SignatureConfiguration, XMLVerifier

from tpn.fixtures import population, xmlguard
from tpn.mocks.journal import Journal
from tpn.mocks.sikkerhetsportal import messages, ns
from tpn.mocks.sikkerhetsportal.portal import (
    METHODS,
    PREFIX,
    Answer,
    LoginError,
    Portal,
    SamlError,
)

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
COOKIE = "tpn_sso"
MAX_BODY = 64 * 1024

StartResponse = Callable[..., Any]

_PAGES = jinja2.Environment(
    loader=jinja2.PackageLoader("tpn.mocks.sikkerhetsportal", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_REASONS = {
    200: "OK",
    302: "Found",
    400: "Bad Request",
    404: "Not Found",
    413: "Payload Too Large",
    500: "Internal Server Error",
}


class PortalApp:
    """The portal over HTTP; every exchange goes into the journal when one is given."""

    def __init__(self, portal: Portal, journal: Journal | None = None) -> None:
        self.portal = portal
        self.journal = journal

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.journal is None:
            return self._answer(environ, start_response)
        started = time.time()
        body = b""
        if environ.get("REQUEST_METHOD") == "POST":
            try:
                body = _body(environ)
            except LoginError:
                pass  # refused unread (too long, no length): _answer says so again, as a page
            else:
                environ["wsgi.input"] = io.BytesIO(body)
                environ["CONTENT_LENGTH"] = str(len(body))
        seen: dict[str, Any] = {}

        def recording(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, *rest)

        chunks = list(self._answer(environ, recording))
        status = int(str(seen.get("status", "500")).split()[0])
        path = environ.get("PATH_INFO", "").removeprefix(PREFIX).strip("/") or "/"
        query = environ.get("QUERY_STRING", "")
        head = f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '')}"
        request = f"{head}{'?' + query if query else ''}\n\n".encode() + body
        location = dict(seen.get("headers", [])).get("Location", "")
        response = b"".join(chunks) or f"Location: {location}".encode()
        outcome = "ok" if status < 400 else "refused" if status < 500 else "error"
        self.journal.record(
            service="sikkerhetsportal",
            operation=path,
            http_status=status,
            outcome=outcome,
            validation="" if status < 400 else response[:300].decode("utf-8", "replace"),
            started=started,
            request=request,
            response=response,
        )
        return chunks

    def _answer(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        # Without a public URL the portal is what the request came to (its own listening URL).
        portal = self.portal.at(_request_base(environ))
        try:
            if path == f"{PREFIX}/metadata" and method == "GET":
                xml = portal.descriptor()
                return _send(start_response, 200, xml, "application/samlmetadata+xml")
            if path == f"{PREFIX}/sso" and method == "GET":
                return _sso(portal, environ, start_response)
            if path == f"{PREFIX}/login" and method == "POST":
                form = _form(environ)
                pending = portal.pending(_one(form, "request"))
                if "cancel" in form:  # the user gave up: the SP hears AuthnFailed
                    return _answer(
                        start_response,
                        portal.refuse(pending, ns.AUTHN_FAILED, "the user cancelled the login"),
                    )
                answer = portal.login(
                    pending,
                    _one(form, "persona"),
                    _one(form, "method"),
                    session_id=_cookie(environ),
                )
                return _answer(start_response, answer)
            if path == f"{PREFIX}/artifact" and method == "POST":
                return _artifact(portal, environ, start_response)
            if path == f"{PREFIX}/slo" and method == "GET":
                query = _saml_query(environ)
                answered = "SAMLResponse=" in query and "SAMLRequest=" not in query
                target = portal.logout_answered(query) if answered else portal.logout(query)
                expired = f"{COOKIE}=; Path={PREFIX}; Max-Age=0; HttpOnly; SameSite=Lax"
                return _redirect(start_response, target, [("Set-Cookie", expired)])
        except SamlError as exc:
            return _answer(start_response, exc.answer)
        except LoginError as exc:
            return _page(start_response, exc.status, "error.html", message=str(exc))
        return _page(start_response, 404, "error.html", message=f"no {method} {path} here")


def _sso(portal: Portal, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
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
        return _answer(start_response, answer)
    known = portal.reusable(pending, session)
    if known is not None:  # single sign-on: the browser logged in at this level already
        answer = portal.login(
            pending, known.uid, known.method, culture=known.culture, session_id=known.id
        )
        return _answer(start_response, answer)
    adult = dt.date.today().year - 18
    return _page(
        start_response,
        200,
        "login.html",
        sp=pending.sp,
        level=pending.level,
        action=f"{portal.base_url}{PREFIX}/login",
        request=pending.id,
        personas=[p for p in population.personas() if p.born.year <= adult],
        methods=[(m, lvl) for m, lvl in METHODS.items() if lvl >= pending.level],
    )


def _artifact(
    portal: Portal, environ: dict[str, Any], start_response: StartResponse
) -> Iterable[bytes]:
    try:
        root = xmlguard.parse(_body(environ), max_depth=16, max_elements=100, what="the request")
    except xmlguard.Refused as exc:
        return _send(start_response, 500, _fault(exc.message), "text/xml; charset=utf-8")
    resolve = root.find(f"{{{SOAP11}}}Body/{{{ns.SAMLP}}}ArtifactResolve")
    handle = resolve.find(f"{{{ns.SAMLP}}}Artifact") if resolve is not None else None
    if resolve is None or handle is None or not (handle.text or "").strip():
        message = "the body must hold a samlp:ArtifactResolve with a samlp:Artifact"
        return _send(start_response, 500, _fault(message), "text/xml; charset=utf-8")
    requester = _authenticated(portal, root, resolve)
    found = portal.resolve((handle.text or "").strip(), requester) if requester else None
    if found is not None and found.raw:
        return _send(start_response, 200, found.data, "text/xml; charset=utf-8")
    answer = etree.Element(
        f"{{{ns.SAMLP}}}ArtifactResponse", nsmap={"samlp": ns.SAMLP, "saml": ns.SAML}
    )
    answer.set("ID", messages.new_id())
    answer.set("Version", "2.0")
    answer.set("IssueInstant", messages.instant(portal.now()))
    answer.set("InResponseTo", resolve.get("ID", ""))
    etree.SubElement(answer, f"{{{ns.SAML}}}Issuer").text = portal.entity_id
    status = etree.SubElement(answer, f"{{{ns.SAMLP}}}Status")
    if requester is None:
        # Profiles §5.4.1: the requester must authenticate itself; here, by signing.
        code = etree.SubElement(status, f"{{{ns.SAMLP}}}StatusCode", Value=ns.REQUESTER)
        etree.SubElement(code, f"{{{ns.SAMLP}}}StatusCode", Value=ns.REQUEST_DENIED)
        etree.SubElement(
            status, f"{{{ns.SAMLP}}}StatusMessage"
        ).text = "the ArtifactResolve must be signed by a registered service provider"
    else:
        # An unknown, used or someone else's artifact: Success with no message (Core §3.5.1).
        etree.SubElement(status, f"{{{ns.SAMLP}}}StatusCode", Value=ns.SUCCESS)
    if found is not None:
        # Our own bytes, but parsed as anything else: no entities, no network.
        answer.append(etree.fromstring(found.data, _SAFE))
    envelope = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soap": SOAP11})
    etree.SubElement(envelope, f"{{{SOAP11}}}Body").append(answer)
    return _send(start_response, 200, etree.tostring(envelope), "text/xml; charset=utf-8")


def _authenticated(portal: Portal, root: etree._Element, resolve: etree._Element) -> str | None:
    """The registered SP that signed this ArtifactResolve (enveloped, its own ID), or None."""
    issuer = (resolve.findtext(f"{{{ns.SAML}}}Issuer") or "").strip()
    provider = portal.provider(issuer) if issuer else None
    if provider is None:
        return None
    try:
        result = XMLVerifier().verify(
            etree.tostring(resolve),
            x509_cert=provider.cert_pem.decode("ascii"),
            id_attribute="ID",
            expect_config=SignatureConfiguration(
                signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
            ),
        )
    except (InvalidSignature, InvalidInput, etree.LxmlError, ValueError):
        return None
    signed = result.signed_xml  # type: ignore[union-attr]
    if signed is None or signed.get("ID") != resolve.get("ID"):
        return None
    return issuer


def _request_base(environ: dict[str, Any]) -> str:
    """scheme://host[:port] as the request named it (PEP 3333's URL reconstruction)."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ.get("SERVER_NAME", "localhost")
        port = environ.get("SERVER_PORT", "")
        if port and port != ("443" if scheme == "https" else "80"):
            host += f":{port}"
    return f"{scheme}://{host}"


def _saml_query(environ: dict[str, Any]) -> str:
    # The test shortcut's parameters are not part of the signed message: leave them out.
    query: str = environ.get("QUERY_STRING", "")
    return "&".join(p for p in query.split("&") if not p.startswith("tpn-"))


def _cookie(environ: dict[str, Any]) -> str | None:
    jar = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else None


def _answer(start_response: StartResponse, answer: Answer) -> list[bytes]:
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


def _fault(message: str) -> bytes:
    envelope = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soap": SOAP11})
    fault = etree.SubElement(etree.SubElement(envelope, f"{{{SOAP11}}}Body"), f"{{{SOAP11}}}Fault")
    etree.SubElement(fault, "faultcode").text = "soap:Client"
    etree.SubElement(fault, "faultstring").text = message
    return etree.tostring(envelope)


def _body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise LoginError("Content-Length is not a number") from None
    if length > MAX_BODY:
        raise LoginError(f"the request body is over {MAX_BODY} bytes", 413)
    data: bytes = environ["wsgi.input"].read(length) if length else b""
    return data


def _form(environ: dict[str, Any]) -> dict[str, list[str]]:
    try:
        return parse_qs(_body(environ).decode("utf-8"))
    except UnicodeDecodeError:
        raise LoginError("the login form is not UTF-8") from None


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
    body = _PAGES.get_template(template).render(**values).encode("utf-8")
    return _send(start_response, status, body, "text/html; charset=utf-8", extra)


def _send(
    start_response: StartResponse,
    status: int,
    body: bytes,
    content_type: str,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    start_response(f"{status} {_REASONS.get(status, '')}", headers + (extra or []))
    return [body]


def _redirect(
    start_response: StartResponse, location: str, extra: list[tuple[str, str]] | None = None
) -> list[bytes]:
    start_response("302 Found", [("Location", location), ("Content-Length", "0"), *(extra or [])])
    return [b""]
