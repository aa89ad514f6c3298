"""The portal as an identity provider: SPs registered, AuthnRequests checked, logins answered,
artifacts resolved once, SSO sessions across SPs, single logout (``sikkerhetsportal.md``).

``Portal`` is the logic over the store; ``tpn.mocks.sikkerhetsportal.web`` serves it.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from lxml import etree
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from tpn.fixtures import identifiers
from tpn.mocks.core.store import Store
from tpn.mocks.saml import keys, messages, ns, redirect
from tpn.mocks.saml import metadata as md
from tpn.mocks.saml.quote import clip, shown
from tpn.mocks.sikkerhetsportal import freshness, tables
from tpn.mocks.sikkerhetsportal.errors import LoginError as LoginError  # callers import it here

PREFIX = "/sikkerhetsportal"
# Login methods by the level they give (the profile: MinID at 3; BankID, Buypass, Commfides at 4).
METHODS = {"Minid-PIN": 3, "BankID": 4, "Buypass": 4, "Commfides": 4}
ASSERTION_LIFETIME = dt.timedelta(minutes=5)
BINDINGS = (ns.ARTIFACT, ns.POST)
# Registered SPs at most: each registration is up to metadata.MAX_BYTES, and the admin route
# may be reachable by anyone when the server runs without --auth.
MAX_PROVIDERS = 1000


class SamlError(Exception):
    """A checked request the portal answers with a SAML error status, sent to the SP's ACS."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


@dataclass(frozen=True)
class Pending:
    """A checked AuthnRequest waiting for its user to log in."""

    id: str
    sp: str
    acs_url: str
    level: int
    relay_state: str | None
    binding: str  # HTTP-Artifact (the profile's) or HTTP-POST (the option)
    force_authn: bool = False


@dataclass(frozen=True)
class Answer:
    """How a login goes back to the SP: an artifact in a redirect, or a Response in a POST."""

    acs_url: str
    binding: str
    relay_state: str | None
    session: str  # the SSO session, for the browser's cookie
    status: str = ns.SUCCESS
    artifact: str | None = None
    response: bytes | None = None  # HTTP-POST: the signed Response

    @property
    def location(self) -> str:
        """HTTP-Artifact: where the browser goes next."""
        query = {"SAMLart": self.artifact or ""}
        if self.relay_state is not None:
            query["RelayState"] = self.relay_state
        separator = "&" if "?" in self.acs_url else "?"
        return f"{self.acs_url}{separator}{urlencode(query)}"


@dataclass(frozen=True)
class Resolved:
    """What an artifact stood for: a Response, or (``raw``) a whole SOAP answer."""

    data: bytes
    raw: bool = False


@dataclass(frozen=True)
class Session:
    id: str
    uid: str
    level: int
    method: str
    culture: str


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
        base_url: str | None = None,
        *,
        entity_id: str | None = None,
        key: keys.SigningKey | None = None,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.store = store
        # None: the URL each request came to (``at``), as when nobody set a public URL.
        self.public_url = base_url.rstrip("/") if base_url else None
        self._entity_id = entity_id
        self.now = now
        self.key = key or self._stored_key()

    def at(self, base_url: str) -> Portal:
        """This portal as reached at ``base_url`` (same store and key), unless it has a public
        URL of its own, which always wins."""
        if self.public_url is not None:
            return self
        found = copy.copy(self)
        found.public_url = base_url.rstrip("/")
        return found

    @property
    def base_url(self) -> str:
        if self.public_url is None:
            raise RuntimeError("the portal's URL is known once a request names it: use at()")
        return self.public_url

    @property
    def entity_id(self) -> str:
        """The portal's entityID: as given, or its metadata URL (a profile decision)."""
        return self._entity_id or f"{self.base_url}{PREFIX}/metadata"

    @property
    def sso_url(self) -> str:
        return f"{self.base_url}{PREFIX}/sso"

    @property
    def slo_url(self) -> str:
        return f"{self.base_url}{PREFIX}/slo"

    def _stored_key(self) -> keys.SigningKey:
        """The key made on first start and kept, so that SPs can trust it across restarts."""
        query = select(tables.keys.c.pem).where(tables.keys.c.id == 1)
        with self.store.read() as conn:
            pem = conn.execute(query).scalar()
        if pem is None:
            made = keys.generate("tpn-harness sikkerhetsportal")
            with self.store.write() as conn:
                # Another worker may have made one first: keep whichever was stored first.
                if conn.execute(select(tables.keys.c.id)).first() is None:
                    conn.execute(insert(tables.keys).values(id=1, pem=made.to_pem()))
            with self.store.read() as conn:
                pem = conn.execute(query).scalar()
        if pem is None:
            raise RuntimeError("the portal's key was stored and is gone again")
        data = bytes(pem)
        at = data.index(b"-----BEGIN CERTIFICATE-----")
        return keys.SigningKey(data[:at], data[at:])

    def reset(self) -> None:
        """Forget SPs, logins, artifacts, sessions and logouts under way; the key stays (SPs trust
        it)."""
        self.store.clear(
            tables.providers.name,
            tables.requests.name,
            tables.seen_requests.name,
            tables.artifacts.name,
            tables.participants.name,
            tables.sessions.name,
            tables.logouts.name,
        )

    def counts(self) -> dict[str, int]:
        """How many SPs are registered and how many login sessions are open (admin state)."""
        with self.store.read() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for name, t in (("sp", tables.providers), ("session", tables.sessions))
            }

    def descriptor(self) -> bytes:
        """The portal's metadata (an EntityDescriptor)."""
        return md.idp(self.entity_id, f"{self.base_url}{PREFIX}", self.key)

    # -- service providers

    def register(self, xml: bytes) -> md.ServiceProvider:
        """Register (or re-register) an SP from its metadata."""
        provider = md.parse_sp(xml)
        where = tables.providers.c.entity_id == provider.entity_id
        with self.store.write() as conn:
            others = conn.execute(
                select(func.count()).select_from(tables.providers).where(~where)
            ).scalar_one()
            if others >= MAX_PROVIDERS:
                raise md.MetadataError(
                    f"the portal holds {MAX_PROVIDERS} service providers, its limit; reset it "
                    "(POST /__admin/reset) or re-register one of them"
                )
            conn.execute(delete(tables.providers).where(where))
            conn.execute(
                insert(tables.providers).values(entity_id=provider.entity_id, metadata=xml)
            )
        return provider

    def provider(self, entity_id: str) -> md.ServiceProvider | None:
        """The registered SP, None when there is none, or ``LoginError`` when its stored
        metadata no longer passes the portal's checks (registered before a rule was made)."""
        where = tables.providers.c.entity_id == entity_id
        with self.store.read() as conn:
            xml = conn.execute(select(tables.providers.c.metadata).where(where)).scalar()
        if xml is None:
            return None
        try:
            return md.parse_sp(bytes(xml))
        except md.MetadataError as exc:
            raise LoginError(
                f"the registration of {clip(entity_id)} no longer passes the portal's checks "
                f"({exc}); register its metadata again"
            ) from None

    def providers(self) -> list[str]:
        with self.store.read() as conn:
            return [r.entity_id for r in conn.execute(select(tables.providers.c.entity_id))]

    def _signed_by_provider(
        self, query: str, read: Callable[[bytes], messages.AuthnRequest | messages.LogoutRequest]
    ) -> tuple[
        redirect.RedirectMessage, messages.AuthnRequest | messages.LogoutRequest, md.ServiceProvider
    ]:
        try:
            message = redirect.decode(query)
            request = read(message.xml)
        except (redirect.BindingError, messages.MessageError) as exc:
            raise LoginError(f"the request cannot be read: {exc}") from None
        provider = self.provider(request.issuer)
        if provider is None:
            raise LoginError(
                f"the issuer {shown(request.issuer)} is not a registered service provider"
            )
        problem = redirect.verify(message, provider.certificate)
        if problem is not None:
            raise LoginError(f"the request from {clip(request.issuer)} is refused: {problem}")
        return message, request, provider

    # -- login

    def check(self, query: str) -> Pending:
        """The AuthnRequest in an SSO query, checked against its SP's registration, its
        IssueInstant against the portal's clock, its ID against those seen (``freshness``)."""
        message, request, provider = self._signed_by_provider(query, messages.parse_authn_request)
        assert isinstance(request, messages.AuthnRequest)
        # The clock may read the store: never inside a transaction of ours.
        now = self.now()
        freshness.check(request.issue_instant, now)
        acs = provider.acs_for(request.acs_url)
        if acs is None:
            raise LoginError(
                f"AssertionConsumerServiceURL {shown(request.acs_url or '')} is not one "
                f"{clip(request.issuer)} registered"
            )
        binding = request.protocol_binding or acs.binding
        if binding not in BINDINGS:
            raise LoginError(
                f"ProtocolBinding {shown(binding)}: the portal answers over {', '.join(BINDINGS)}"
            )
        if request.destination not in (None, self.sso_url):
            raise LoginError(
                f"the AuthnRequest is for {shown(request.destination or '')}, not {self.sso_url}"
            )
        pending = Pending(
            request.id,
            provider.entity_id,
            acs.location,
            request.level,
            message.relay_state,
            binding,
            request.force_authn,
        )
        created = messages.instant(now)
        try:
            with self.store.write() as conn:
                self._take(conn, pending, request.issue_instant, now, created)
        except IntegrityError:
            # Another worker took the same request in the same moment (a database that lets two
            # writers in at once): its row won, this is the replay.
            raise freshness.replayed(pending.sp, pending.id) from None
        if request.unknown_refs and not any(c in ns.LEVELS for c in request.class_refs):
            known = ", ".join(ns.LEVELS)
            raise SamlError(
                self.refuse(
                    pending,
                    ns.NO_AUTHN_CONTEXT,
                    f"AuthnContextClassRef {shown(request.unknown_refs[0])} is none the portal "
                    f"offers ({known})",
                )
            )
        return pending

    def _take(
        self,
        conn: Connection,
        pending: Pending,
        issued: dt.datetime,
        now: dt.datetime,
        created: str,
    ) -> None:
        """Remember the request (refused if seen before) and keep it as the login under way."""
        freshness.remember(conn, pending.sp, pending.id, issued, now)
        owner = conn.execute(
            select(tables.requests.c.sp).where(tables.requests.c.id == pending.id)
        ).scalar()
        if owner is not None and owner != pending.sp:
            # Another SP's login under way has this ID: taking it over would send that user's
            # assertion here.
            raise LoginError(f"request ID {clip(pending.id)} is in use by another service")
        conn.execute(delete(tables.requests).where(tables.requests.c.id == pending.id))
        conn.execute(
            insert(tables.requests).values(
                id=pending.id,
                sp=pending.sp,
                acs_url=pending.acs_url,
                level=pending.level,
                relay_state=pending.relay_state,
                binding=pending.binding,
                force_authn=pending.force_authn,
                created=created,
            )
        )

    def pending(self, request_id: str) -> Pending:
        with self.store.read() as conn:
            row = conn.execute(
                select(tables.requests).where(tables.requests.c.id == request_id)
            ).first()
        if row is None:
            raise LoginError(f"no login under way for request {shown(request_id)}")
        return Pending(
            row.id, row.sp, row.acs_url, row.level, row.relay_state, row.binding, row.force_authn
        )

    def session(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        where = tables.sessions.c.id == session_id
        with self.store.read() as conn:
            row = conn.execute(select(tables.sessions).where(where)).first()
        return Session(row.id, row.uid, row.level, row.method, row.culture) if row else None

    def reusable(self, pending: Pending, session_id: str | None) -> Session | None:
        """The browser's SSO session, if it may answer ``pending`` without a new login."""
        found = self.session(session_id)
        if found is None or pending.force_authn or found.level < pending.level:
            return None
        return found

    def login(
        self,
        pending: Pending,
        uid: str,
        method: str,
        *,
        culture: str = "nb",
        session_id: str | None = None,
    ) -> Answer:
        """Log ``uid`` in with ``method`` for ``pending`` (in SSO session ``session_id``, or a
        new one), and say how the answer goes back to the SP."""
        level = METHODS.get(method)
        if level is None:
            raise LoginError(f"login method {shown(method)} is not one of {', '.join(METHODS)}")
        if level < pending.level:
            raise LoginError(
                f"{method} gives level {level}; {pending.sp} asked for {pending.level}"
            )
        check = identifiers.check_person(uid)
        if not check.valid:
            raise LoginError(f"{shown(uid)} is not a fødselsnummer or D-number: {check.reason}")
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
        # The Response is signed too, over the signed Assertion: SP libraries commonly demand
        # both (python3-saml's wantMessagesSigned), and a signed envelope leaves less to wrap.
        response = etree.tostring(
            messages.sign(
                messages.response(
                    idp=self.entity_id,
                    destination=pending.acs_url,
                    in_response_to=pending.id,
                    signed_assertion=signed,
                    now=now,
                ),
                self.key,
            )
        )
        return self.deliver(
            pending,
            response,
            session_login=(login, uid, level, method, culture),
            session_id=session_id,
        )

    def deliver(
        self,
        pending: Pending,
        response: bytes,
        *,
        session_login: tuple[messages.Login, str, int, str, str] | None = None,
        session_id: str | None = None,
        raw: bool = False,
    ) -> Answer:
        """Answer ``pending`` with ``response`` over its binding. The conformance suite hands SPs
        forged Responses this way; a real login also records the SSO session. ``raw``: the bytes
        are the whole SOAP answer to the SP's ArtifactResolve, sent as they are."""
        now = self.now()
        handle = artifact(self.entity_id) if pending.binding == ns.ARTIFACT else None
        session = self.session(session_id)
        new_session = session_login is not None and (
            session is None or session.uid != session_login[1]
        )
        session_id = messages.new_id() if new_session or session_id is None else session_id
        with self.store.write() as conn:
            conn.execute(delete(tables.requests).where(tables.requests.c.id == pending.id))
            if session_login is not None:
                login, uid, level, method, culture = session_login
                if new_session:
                    conn.execute(
                        insert(tables.sessions).values(
                            id=session_id,
                            uid=uid,
                            level=level,
                            method=method,
                            culture=culture,
                            created=messages.instant(now),
                        )
                    )
                here = (tables.participants.c.session == session_id) & (
                    tables.participants.c.sp == pending.sp
                )
                conn.execute(delete(tables.participants).where(here))
                conn.execute(
                    insert(tables.participants).values(
                        session=session_id,
                        sp=pending.sp,
                        name_id=login.name_id,
                        session_index=login.session_index,
                    )
                )
            if handle is not None:
                conn.execute(
                    insert(tables.artifacts).values(
                        artifact=handle,
                        sp=pending.sp,
                        response=response,
                        raw=raw,
                        resolved=False,
                        created=messages.instant(now),
                    )
                )
        return Answer(
            acs_url=pending.acs_url,
            binding=pending.binding,
            relay_state=pending.relay_state,
            session=session_id,
            artifact=handle,
            response=None if handle is not None else response,
        )

    def refuse(self, pending: Pending, status: str, message: str) -> Answer:
        """Answer ``pending`` with a signed error Response (no assertion): the SP hears why."""
        response = messages.sign(
            messages.response(
                idp=self.entity_id,
                destination=pending.acs_url,
                in_response_to=pending.id,
                signed_assertion=None,
                now=self.now(),
                status=status,
                message=message,
            ),
            self.key,
        )
        answer = self.deliver(pending, etree.tostring(response))
        return replace(answer, status=status)

    def resolve(self, handle: str, requester: str) -> Resolved | None:
        """The Response an artifact stands for, once, and only to the SP it was issued for
        (``requester``: the authenticated issuer of the ArtifactResolve); ``None`` otherwise.
        A wrong requester does not use the artifact up."""
        where = tables.artifacts.c.artifact == handle
        columns = (
            tables.artifacts.c.response,
            tables.artifacts.c.raw,
            tables.artifacts.c.resolved,
            tables.artifacts.c.sp,
        )
        with self.store.write() as conn:
            row = conn.execute(select(*columns).where(where)).first()
            if row is None or row.resolved or row.sp != requester:
                return None
            conn.execute(update(tables.artifacts).where(where).values(resolved=True))
            return Resolved(bytes(row.response), bool(row.raw))

    # -- single logout

    def logout(self, query: str) -> str:
        """An SP's signed LogoutRequest: the portal's session ends, and the browser goes round
        the session's other SPs with a LogoutRequest each (front channel, HTTP-Redirect) before
        the signed LogoutResponse goes back to the SP that asked. The URL to go to next."""
        message, request, provider = self._signed_by_provider(query, messages.parse_logout_request)
        assert isinstance(request, messages.LogoutRequest)
        if not provider.slo:
            raise LoginError(f"{provider.entity_id} registered no SingleLogoutService")
        mine = (tables.participants.c.sp == provider.entity_id) & (
            tables.participants.c.name_id == request.name_id
        )
        others: list[list[str]] = []
        with self.store.write() as conn:
            row = conn.execute(select(tables.participants.c.session).where(mine)).first()
            if row is not None:
                in_session = tables.participants.c.session == row.session
                others = [
                    [p.sp, p.name_id, p.session_index]
                    for p in conn.execute(select(tables.participants).where(in_session))
                    if p.sp != provider.entity_id
                ]
                # The whole SSO session ends: every SP in it loses the portal's login.
                conn.execute(delete(tables.participants).where(in_session))
                conn.execute(delete(tables.sessions).where(tables.sessions.c.id == row.session))
        if row is None:
            return self._logout_response(provider, request.id, message.relay_state, ns.REQUESTER)
        chain = messages.new_id()
        with self.store.write() as conn:
            conn.execute(
                insert(tables.logouts).values(
                    id=chain,
                    origin=provider.entity_id,
                    origin_request=request.id,
                    origin_relay=message.relay_state,
                    remaining=json.dumps(others),
                    failed="[]",
                )
            )
        return self._next_logout(chain)

    def logout_answered(self, query: str) -> str:
        """An SP's LogoutResponse in the chain: on to the next SP, or back to the one that
        asked. An SP that answers with an error, or unsigned, is remembered: the asking SP then
        hears PartialLogout."""
        try:
            message = redirect.decode(query)
            answer = messages.parse_logout_response(message.xml)
        except (redirect.BindingError, messages.MessageError) as exc:
            raise LoginError(f"the LogoutResponse cannot be read: {exc}") from None
        chain = message.relay_state or ""
        with self.store.read() as conn:
            state = conn.execute(select(tables.logouts).where(tables.logouts.c.id == chain)).first()
        if state is None:
            raise LoginError("no logout under way for this LogoutResponse")
        provider = self.provider(answer.issuer)
        trusted = provider is not None and redirect.verify(message, provider.certificate) is None
        if not (trusted and answer.success):
            failed = [*json.loads(state.failed), answer.issuer]
            with self.store.write() as conn:
                conn.execute(
                    update(tables.logouts)
                    .where(tables.logouts.c.id == chain)
                    .values(failed=json.dumps(failed))
                )
        return self._next_logout(chain)

    def _next_logout(self, chain: str) -> str:
        where = tables.logouts.c.id == chain
        with self.store.write() as conn:
            state = conn.execute(select(tables.logouts).where(where)).first()
            assert state is not None
            remaining = json.loads(state.remaining)
            if remaining:
                conn.execute(
                    update(tables.logouts).where(where).values(remaining=json.dumps(remaining[1:]))
                )
            else:
                conn.execute(delete(tables.logouts).where(where))
        while remaining:
            sp, name_id, session_index = remaining[0]
            other = self.provider(sp)
            if other is not None and other.slo:
                request = messages.logout_request(
                    issuer=self.entity_id,
                    destination=other.slo[0].location,
                    name_id=name_id,
                    session_index=session_index,
                    now=self.now(),
                )
                query = redirect.encode(request, relay_state=chain, key=self.key)
                separator = "&" if "?" in other.slo[0].location else "?"
                return f"{other.slo[0].location}{separator}{query}"
            # An SP without a SingleLogoutService cannot be told: the logout is partial.
            remaining = remaining[1:]
            with self.store.write() as conn:
                conn.execute(
                    update(tables.logouts)
                    .where(where)
                    .values(
                        remaining=json.dumps(remaining),
                        failed=json.dumps([*json.loads(state.failed), sp]),
                    )
                )
        origin = self.provider(state.origin)
        if origin is None:
            raise LoginError(f"{state.origin} is no longer registered")
        failed = json.loads(state.failed)
        status = ns.PARTIAL_LOGOUT if failed else ns.SUCCESS
        return self._logout_response(origin, state.origin_request, state.origin_relay, status)

    def _logout_response(
        self, provider: md.ServiceProvider, in_response_to: str, relay: str | None, status: str
    ) -> str:
        # Responses go to the endpoint's ResponseLocation when it has one (SAML Metadata §2.2.2).
        endpoint = provider.slo[0]
        target = endpoint.response_location or endpoint.location
        answer = messages.logout_response(
            issuer=self.entity_id,
            destination=target,
            in_response_to=in_response_to,
            now=self.now(),
            status=status,
        )
        query_out = redirect.encode(
            answer, parameter="SAMLResponse", relay_state=relay, key=self.key
        )
        separator = "&" if "?" in target else "?"
        return f"{target}{separator}{query_out}"
