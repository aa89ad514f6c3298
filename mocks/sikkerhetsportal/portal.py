"""The portal as an identity provider: SPs registered, AuthnRequests checked, logins answered
over the HTTP-Artifact binding, artifacts resolved once (``sikkerhetsportal.md``).

``Portal`` is the logic over the store; ``PortalApp`` serves it under ``/sikkerhetsportal``:
``/metadata``, ``/sso`` (an AuthnRequest over HTTP-Redirect; a page to choose a persona and a
login method), ``/login`` (the page's answer) and ``/artifact`` (SOAP ``ArtifactResolve``).
For automated tests the persona and method can be given on the SSO request itself
(``tpn-persona``, ``tpn-method``): a profile decision, for test use only.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

import jinja2
from lxml import etree
from sqlalchemy import delete, insert, select, update

from tpn.fixtures import identifiers, population, xmlguard
from tpn.mocks.sikkerhetsportal import keys, messages, metadata, ns, redirect, tables
from tpn.mocks.store import Store

PREFIX = "/sikkerhetsportal"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
# Login methods by the level they give (the profile: MinID at 3; BankID, Buypass, Commfides at 4).
METHODS = {"Minid-PIN": 3, "BankID": 4, "Buypass": 4, "Commfides": 4}
ASSERTION_LIFETIME = dt.timedelta(minutes=5)

StartResponse = Callable[..., Any]


class LoginError(Exception):
    """A request the portal refuses: shown on an error page, never sent to an unchecked ACS."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Pending:
    """A checked AuthnRequest waiting for its user to log in."""

    id: str
    sp: str
    acs_url: str
    level: int
    relay_state: str | None


def artifact(entity_id: str, index: int = 0) -> str:
    """A SAML artifact, type 0x0004 (Bindings §3.6.4): type, endpoint index, the SHA-1 of the
    issuer's entityID and a random message handle, base64."""
    source = hashlib.sha1(entity_id.encode("utf-8")).digest()  # the spec's hash, not a secret
    raw = b"\x00\x04" + index.to_bytes(2, "big") + source + secrets.token_bytes(20)
    return base64.b64encode(raw).decode("ascii")


class Portal:
    """The identity provider's state and decisions, over the store."""

    def __init__(
        self,
        store: Store,
        base_url: str,
        *,
        entity_id: str | None = None,
        key: keys.SigningKey | None = None,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.store = store
        self.base_url = base_url.rstrip("/")
        self.entity_id = entity_id or self.base_url
        self.now = now
        self.key = key or self._stored_key()

    def _stored_key(self) -> keys.SigningKey:
        """The key made on first start and kept, so that SPs can trust it across restarts."""
        with self.store.read() as conn:
            pem = conn.execute(select(tables.keys.c.pem).where(tables.keys.c.id == 1)).scalar()
        if pem is None:
            made = keys.generate("tpn-harness sikkerhetsportal")
            with self.store.write() as conn:
                # Another worker may have made one first: keep whichever was stored first.
                if conn.execute(select(tables.keys.c.id)).first() is None:
                    conn.execute(insert(tables.keys).values(id=1, pem=made.to_pem()))
            with self.store.read() as conn:
                pem = conn.execute(select(tables.keys.c.pem).where(tables.keys.c.id == 1)).scalar()
        if pem is None:
            raise RuntimeError("the portal's key was stored and is gone again")
        return _key_from_pem(bytes(pem))

    def descriptor(self) -> bytes:
        """The portal's metadata (an EntityDescriptor)."""
        return metadata.idp(self.entity_id, f"{self.base_url}{PREFIX}", self.key)

    # -- service providers

    def register(self, xml: bytes) -> metadata.ServiceProvider:
        """Register (or re-register) an SP from its metadata."""
        provider = metadata.parse_sp(xml)
        with self.store.write() as conn:
            conn.execute(
                delete(tables.providers).where(tables.providers.c.entity_id == provider.entity_id)
            )
            conn.execute(
                insert(tables.providers).values(entity_id=provider.entity_id, metadata=xml)
            )
        return provider

    def provider(self, entity_id: str) -> metadata.ServiceProvider | None:
        with self.store.read() as conn:
            xml = conn.execute(
                select(tables.providers.c.metadata).where(tables.providers.c.entity_id == entity_id)
            ).scalar()
        return metadata.parse_sp(xml) if xml is not None else None

    # -- login

    def check(self, query: str) -> Pending:
        """The AuthnRequest in an SSO query, checked against its SP's registration."""
        try:
            message = redirect.decode(query)
            request = messages.parse_authn_request(message.xml)
        except (redirect.BindingError, messages.MessageError) as exc:
            raise LoginError(f"the AuthnRequest cannot be read: {exc}") from None
        provider = self.provider(request.issuer)
        if provider is None:
            raise LoginError(f"the issuer {request.issuer!r} is not a registered service provider")
        problem = redirect.verify(message, provider.certificate)
        if problem is not None:
            raise LoginError(f"the AuthnRequest from {request.issuer} is refused: {problem}")
        acs = provider.acs_for(request.acs_url)
        if acs is None:
            raise LoginError(
                f"AssertionConsumerServiceURL {request.acs_url!r} is not one {request.issuer} "
                "registered"
            )
        if request.destination not in (None, f"{self.base_url}{PREFIX}/sso"):
            raise LoginError(f"the AuthnRequest is for {request.destination}, not this portal")
        pending = Pending(
            request.id, provider.entity_id, acs.location, request.level, message.relay_state
        )
        with self.store.write() as conn:
            conn.execute(delete(tables.requests).where(tables.requests.c.id == pending.id))
            conn.execute(
                insert(tables.requests).values(
                    id=pending.id,
                    sp=pending.sp,
                    acs_url=pending.acs_url,
                    level=pending.level,
                    relay_state=pending.relay_state,
                    created=messages.instant(self.now()),
                )
            )
        return pending

    def pending(self, request_id: str) -> Pending:
        with self.store.read() as conn:
            row = conn.execute(
                select(tables.requests).where(tables.requests.c.id == request_id)
            ).first()
        if row is None:
            raise LoginError(f"no login under way for request {request_id!r}")
        return Pending(row.id, row.sp, row.acs_url, row.level, row.relay_state)

    def login(self, pending: Pending, uid: str, method: str, culture: str = "nb") -> str:
        """Log ``uid`` in with ``method`` for ``pending``; the URL the browser goes to next
        (the SP's ACS with the artifact and the RelayState)."""
        level = METHODS.get(method)
        if level is None:
            raise LoginError(f"login method {method!r} is not one of {', '.join(METHODS)}")
        if level < pending.level:
            raise LoginError(
                f"{method} gives level {level}; {pending.sp} asked for {pending.level}"
            )
        check = identifiers.check_person(uid)
        if not check.valid:
            raise LoginError(f"{uid} is not a fødselsnummer or D-number: {check.reason}")
        now = self.now()
        login = messages.Login(
            uid=uid,
            level=level,
            method=method,
            culture=culture,
            name_id=messages.new_id(),
            session_index=messages.new_id(),
            authn_instant=now,
        )
        signed = messages.sign(
            messages.assertion(
                idp=self.entity_id,
                sp=pending.sp,
                acs_url=pending.acs_url,
                in_response_to=pending.id,
                login=login,
                now=now,
                lifetime=ASSERTION_LIFETIME,
            ),
            self.key,
        )
        response = messages.response(
            idp=self.entity_id,
            destination=pending.acs_url,
            in_response_to=pending.id,
            signed_assertion=signed,
            now=now,
        )
        handle = artifact(self.entity_id)
        with self.store.write() as conn:
            conn.execute(delete(tables.requests).where(tables.requests.c.id == pending.id))
            conn.execute(
                insert(tables.artifacts).values(
                    artifact=handle,
                    response=etree.tostring(response),
                    resolved=False,
                    created=messages.instant(now),
                )
            )
        query = {"SAMLart": handle}
        if pending.relay_state is not None:
            query["RelayState"] = pending.relay_state
        separator = "&" if "?" in pending.acs_url else "?"
        return f"{pending.acs_url}{separator}{urlencode(query)}"

    def resolve(self, handle: str) -> bytes | None:
        """The Response an artifact stands for, once; ``None`` for an unknown or used one."""
        with self.store.write() as conn:
            row = conn.execute(
                select(tables.artifacts.c.response, tables.artifacts.c.resolved).where(
                    tables.artifacts.c.artifact == handle
                )
            ).first()
            if row is None or row.resolved:
                return None
            conn.execute(
                update(tables.artifacts)
                .where(tables.artifacts.c.artifact == handle)
                .values(resolved=True)
            )
            return bytes(row.response)


def _key_from_pem(pem: bytes) -> keys.SigningKey:
    key_end = pem.index(b"-----BEGIN CERTIFICATE-----")
    return keys.SigningKey(pem[:key_end], pem[key_end:])


_PAGES = jinja2.Environment(
    loader=jinja2.PackageLoader("tpn.mocks.sikkerhetsportal", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class PortalApp:
    """The portal's WSGI side, under ``/sikkerhetsportal``."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path == f"{PREFIX}/metadata" and method == "GET":
                return _send(
                    start_response, 200, self.portal.descriptor(), "application/samlmetadata+xml"
                )
            if path == f"{PREFIX}/sso" and method == "GET":
                return self._sso(environ, start_response)
            if path == f"{PREFIX}/login" and method == "POST":
                form = parse_qs(_body(environ).decode("utf-8"))
                pending = self.portal.pending(_one(form, "request"))
                target = self.portal.login(pending, _one(form, "persona"), _one(form, "method"))
                return _redirect(start_response, target)
            if path == f"{PREFIX}/artifact" and method == "POST":
                return self._artifact(environ, start_response)
        except LoginError as exc:
            page = _PAGES.get_template("error.html").render(message=str(exc))
            return _send(start_response, exc.status, page.encode(), "text/html; charset=utf-8")
        page = _PAGES.get_template("error.html").render(message=f"no {method} {path} here")
        return _send(start_response, 404, page.encode(), "text/html; charset=utf-8")

    def _sso(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "")
        # The test shortcut's parameters are not part of the signed message: set them aside.
        shortcut = {k: v[0] for k, v in parse_qs(query).items() if k.startswith("tpn-")}
        saml = "&".join(p for p in query.split("&") if not p.startswith("tpn-"))
        pending = self.portal.check(saml)
        if "tpn-persona" in shortcut:
            target = self.portal.login(
                pending, shortcut["tpn-persona"], shortcut.get("tpn-method", "Minid-PIN")
            )
            return _redirect(start_response, target)
        methods = [(m, lvl) for m, lvl in METHODS.items() if lvl >= pending.level]
        personas = [p for p in population.personas() if p.born.year <= dt.date.today().year - 18]
        page = _PAGES.get_template("login.html").render(
            sp=pending.sp,
            level=pending.level,
            action=f"{self.portal.base_url}{PREFIX}/login",
            request=pending.id,
            personas=personas,
            methods=methods,
        )
        return _send(start_response, 200, page.encode(), "text/html; charset=utf-8")

    def _artifact(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            root = xmlguard.parse(
                _body(environ), max_depth=16, max_elements=100, what="the request"
            )
        except xmlguard.Refused as exc:
            return _send(start_response, 500, _fault(exc.message), "text/xml; charset=utf-8")
        resolve = root.find(f"{{{SOAP11}}}Body/{{{ns.SAMLP}}}ArtifactResolve")
        handle = resolve.find(f"{{{ns.SAMLP}}}Artifact") if resolve is not None else None
        if resolve is None or handle is None or not (handle.text or "").strip():
            message = "the body must hold a samlp:ArtifactResolve with a samlp:Artifact"
            return _send(start_response, 500, _fault(message), "text/xml; charset=utf-8")
        found = self.portal.resolve((handle.text or "").strip())
        answer = etree.Element(
            f"{{{ns.SAMLP}}}ArtifactResponse", nsmap={"samlp": ns.SAMLP, "saml": ns.SAML}
        )
        answer.set("ID", messages.new_id())
        answer.set("Version", "2.0")
        answer.set("IssueInstant", messages.instant(self.portal.now()))
        answer.set("InResponseTo", resolve.get("ID", ""))
        etree.SubElement(answer, f"{{{ns.SAML}}}Issuer").text = self.portal.entity_id
        status = etree.SubElement(answer, f"{{{ns.SAMLP}}}Status")
        # An unknown or already resolved artifact: Success with no message (Core §3.5.1).
        etree.SubElement(status, f"{{{ns.SAMLP}}}StatusCode", Value=ns.SUCCESS)
        if found is not None:
            answer.append(etree.fromstring(found))
        envelope = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soap": SOAP11})
        etree.SubElement(envelope, f"{{{SOAP11}}}Body").append(answer)
        return _send(start_response, 200, etree.tostring(envelope), "text/xml; charset=utf-8")


def _fault(message: str) -> bytes:
    envelope = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soap": SOAP11})
    fault = etree.SubElement(etree.SubElement(envelope, f"{{{SOAP11}}}Body"), f"{{{SOAP11}}}Fault")
    etree.SubElement(fault, "faultcode").text = "soap:Client"
    etree.SubElement(fault, "faultstring").text = message
    return etree.tostring(envelope)


def _body(environ: dict[str, Any], limit: int = 64 * 1024) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise LoginError("Content-Length is not a number") from None
    if length > limit:
        raise LoginError(f"the request body is over {limit} bytes", 413)
    data: bytes = environ["wsgi.input"].read(length) if length else b""
    return data


def _one(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name, [])
    if len(values) != 1 or not values[0]:
        raise LoginError(f"the login form needs one {name}")
    return values[0]


def _send(
    start_response: StartResponse, status: int, body: bytes, content_type: str
) -> list[bytes]:
    reasons = {
        200: "OK",
        302: "Found",
        400: "Bad Request",
        404: "Not Found",
        413: "Payload Too Large",
        500: "Internal Server Error",
    }
    start_response(
        f"{status} {reasons.get(status, '')}",
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
    )
    return [body]


def _redirect(start_response: StartResponse, location: str) -> list[bytes]:
    start_response("302 Found", [("Location", location), ("Content-Length", "0")])
    return [b""]
