"""MinSide as a service provider of the security portal, as any municipality's SP would be one:
HTTP-Artifact binding, signed AuthnRequests over HTTP-Redirect, a signed SOAP ArtifactResolve on
the back channel (``backchannel``), the Response checked against the portal's metadata and
certificate with the same checks as the reference SP (``tpn.mocks.saml.verify``), single logout.

Profile decisions:
- Its entityID is ``{base}/minside/metadata``, where its metadata is served, ``base`` being the
  public URL when one is set, else the URL the request came to; its metadata carries an
  ``mdui:DisplayName`` "MinSide", which the portal's login page shows.
- It registers itself in the portal's registry (the shared store) when it first needs to: at
  the start of each login, when the registry lacks its entityID or holds other metadata for it
  (another base URL, a reset portal, an older key). Registering at build time could not know
  the base URL when no public URL is set, and a portal reset would leave it unregistered.
- Its key is made on first use and kept in the store (``tables.key``), so that every worker
  signs with the key the portal has registered.
- A login remembers the page to go back to (a local ``/minside`` path only) and the level it
  asked for, in the store; the RelayState the portal echoes is not trusted for either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from tpn.mocks.core.store import Store
from tpn.mocks.minside.citizen import tables
from tpn.mocks.minside.citizen.backchannel import Backchannel, Unreachable
from tpn.mocks.saml import artifact, keys, messages, redirect
from tpn.mocks.saml import metadata as md
from tpn.mocks.saml.verify import Expect, Identity, Refused, verify_response
from tpn.mocks.sikkerhetsportal.errors import LoginError
from tpn.mocks.sikkerhetsportal.portal import Portal

__all__ = ["DISPLAY_NAME", "PREFIX", "CitizenSp", "Refused"]

PREFIX = "/minside"
PORTAL_PREFIX = "/sikkerhetsportal"
DISPLAY_NAME = "MinSide"
LOGIN_WINDOW = dt.timedelta(minutes=15)  # a login not finished by then is forgotten
MAX_ARTIFACT = 200  # a type 0x0004 artifact is 44 characters of base64
MAX_RELAY = 512


def local_page(relay: str | None) -> str:
    """``relay`` when it is a page of MinSide's own, else its front page: after a login a
    browser is only ever sent within ``/minside`` (no open redirect)."""
    if (
        relay
        and len(relay) <= MAX_RELAY
        and relay.startswith(PREFIX + "/")
        and relay.isascii()
        and relay.isprintable()
        and not any(c in relay for c in "\\\"'<> ")
        and "//" not in relay
        and "/../" not in relay + "/"
    ):
        return relay
    return f"{PREFIX}/"


@dataclass(frozen=True)
class Done:
    """A finished login: who, and the page to go back to."""

    identity: Identity
    relay: str


class CitizenSp:
    """MinSide's SP side over the shared store; ``portal`` is the registry it registers in."""

    def __init__(
        self,
        store: Store,
        portal: Portal,
        backchannel: Backchannel,
        now: Callable[[], dt.datetime],
    ) -> None:
        self.store = store
        self.portal = portal
        self.backchannel = backchannel
        self.now = now  # aware, UTC: the shared test clock, as the portal's
        self._key: keys.SigningKey | None = None

    @property
    def key(self) -> keys.SigningKey:
        if self._key is None:
            self._key = self._stored_key()
        return self._key

    def _stored_key(self) -> keys.SigningKey:
        query = select(tables.key.c.pem).where(tables.key.c.id == 1)
        with self.store.read() as conn:
            pem = conn.execute(query).scalar()
        if pem is None:
            made = keys.generate("tpn-harness MinSide")
            with self.store.write() as conn:
                # Another worker may have made one first: keep whichever was stored first.
                if conn.execute(select(tables.key.c.id)).first() is None:
                    conn.execute(insert(tables.key).values(id=1, pem=made.to_pem()))
            with self.store.read() as conn:
                pem = conn.execute(query).scalar()
        if pem is None:
            raise RuntimeError("MinSide's key was stored and is gone again")
        data = bytes(pem)
        at = data.index(b"-----BEGIN CERTIFICATE-----")
        return keys.SigningKey(data[:at], data[at:])

    # -- who MinSide is, at a base URL

    def entity_id(self, base: str) -> str:
        return f"{base}{PREFIX}/metadata"

    def acs_url(self, base: str) -> str:
        return f"{base}{PREFIX}/acs"

    def slo_url(self, base: str) -> str:
        return f"{base}{PREFIX}/slo"

    def metadata(self, base: str) -> bytes:
        return md.sp(
            self.entity_id(base),
            self.acs_url(base),
            self.slo_url(base),
            self.key,
            display_name=DISPLAY_NAME,
        )

    def idp(self, base: str) -> md.IdentityProvider:
        """The portal as its metadata describes it (fetched each time: it is small, and a
        portal given a new key is trusted at once)."""
        try:
            return md.parse_idp(self.backchannel.get(f"{base}{PORTAL_PREFIX}/metadata"))
        except (Unreachable, md.MetadataError) as exc:
            raise Refused(f"the portal's metadata could not be read: {exc}") from None

    def ensure_registered(self, base: str) -> None:
        mine = self.metadata(base)
        try:
            known = self.portal.provider(self.entity_id(base))
        except LoginError:  # a registration the portal no longer accepts: replace it
            known = None
        wanted = md.parse_sp(mine)
        if known != wanted:
            self.portal.register(mine)

    # -- login

    def login(self, base: str, level: int, relay: str) -> tuple[str, str]:
        """The portal URL that asks for a login at ``level`` (a signed AuthnRequest), and the
        request's ID (for the browser's cookie)."""
        self.ensure_registered(base)
        idp = self.idp(base)
        now = self.now()
        request = messages.authn_request(
            issuer=self.entity_id(base),
            destination=idp.sso_url,
            acs_url=self.acs_url(base),
            level=level,
            now=now,
        )
        request_id = etree.fromstring(request).get("ID", "")
        stale = messages.instant(now - LOGIN_WINDOW)
        with self.store.write() as conn:
            conn.execute(delete(tables.requests).where(tables.requests.c.created < stale))
            conn.execute(
                insert(tables.requests).values(
                    id=request_id,
                    relay=local_page(relay),
                    level=level,
                    created=messages.instant(now),
                )
            )
        query = redirect.encode(request, key=self.key)
        return f"{idp.sso_url}?{query}", request_id

    def finish(self, base: str, handle: str, started: str | None) -> Done:
        """The login an artifact stands for, checked, or :class:`Refused` saying which check
        failed. ``started``: the request this browser started (its cookie): only that one may
        be answered here, so no one can log a browser in as somebody else (login CSRF)."""
        if not handle or len(handle) > MAX_ARTIFACT:
            raise Refused("no SAMLart, or one longer than an artifact")
        pending = self._pending(started)
        if pending is None:
            raise Refused("this browser has no login under way (or it was answered before)")
        relay, level = pending
        idp = self.idp(base)
        envelope = artifact.resolve_request(
            issuer=self.entity_id(base), handle=handle, key=self.key, now=self.now()
        )
        try:
            answer = self.backchannel.post(idp.artifact_url, envelope, dict(artifact.HEADERS))
        except Unreachable as exc:
            raise Refused(f"the artifact could not be resolved: {exc}") from None
        identity = verify_response(
            artifact.response_in(answer),
            Expect(
                idp_entity=idp.entity_id,
                idp_cert_pem=idp.cert_pem,
                sp_entity=self.entity_id(base),
                acs_url=self.acs_url(base),
                level=level,
            ),
            now=self.now(),
            requests={started} if started else set(),
            first_use=self._first_use,
        )
        with self.store.write() as conn:
            taken = conn.execute(delete(tables.requests).where(tables.requests.c.id == started))
        if taken.rowcount != 1:  # another tab or worker finished the same login first
            raise Refused(f"the login {started} was answered before")
        return Done(identity, relay)

    def _pending(self, started: str | None) -> tuple[str, int] | None:
        if not started or len(started) > 64:
            return None
        stale = messages.instant(self.now() - LOGIN_WINDOW)
        with self.store.read() as conn:
            row = conn.execute(
                select(tables.requests.c.relay, tables.requests.c.level).where(
                    tables.requests.c.id == started, tables.requests.c.created >= stale
                )
            ).first()
        return (row.relay, row.level) if row is not None else None

    def _first_use(self, assertion_id: str) -> bool:
        seen = messages.instant(self.now())  # the clock reads the store: not inside our write
        try:
            with self.store.write() as conn:
                conn.execute(insert(tables.seen).values(assertion_id=assertion_id[:256], seen=seen))
        except IntegrityError:
            return False
        return True

    # -- single logout

    def logout_url(self, base: str, name_id: str, session_index: str) -> str:
        """The portal URL that ends the citizen's SSO session (a signed LogoutRequest)."""
        idp = self.idp(base)
        request = messages.logout_request(
            issuer=self.entity_id(base),
            destination=idp.slo_url,
            name_id=name_id,
            session_index=session_index,
            now=self.now(),
        )
        return f"{idp.slo_url}?{redirect.encode(request, key=self.key)}"

    def logout_message(self, base: str, query: str) -> tuple[redirect.RedirectMessage, str]:
        """A LogoutRequest or LogoutResponse from the portal, its signature checked against the
        portal's certificate; with the portal's entityID. ``Refused`` when it does not verify."""
        try:
            message = redirect.decode(query)
        except redirect.BindingError as exc:
            raise Refused(str(exc)) from None
        idp = self.idp(base)
        certificate = keys.SigningKey(b"", idp.cert_pem.encode("ascii")).certificate
        problem = redirect.verify(message, certificate)
        if problem is not None:
            raise Refused(problem)
        return message, idp.entity_id

    def logout_answer(self, base: str, request: messages.LogoutRequest, relay: str | None) -> str:
        """The portal URL taking MinSide's signed LogoutResponse to ``request``."""
        idp = self.idp(base)
        answer = messages.logout_response(
            issuer=self.entity_id(base),
            destination=idp.slo_url,
            in_response_to=request.id,
            now=self.now(),
        )
        query = redirect.encode(answer, parameter="SAMLResponse", relay_state=relay, key=self.key)
        return f"{idp.slo_url}?{query}"

    def reset(self) -> None:
        """Forget logins under way, the replay cache and the sessions; the key stays (the
        portal may still hold MinSide's registration)."""
        self.store.clear(tables.requests.name, tables.seen.name, tables.sessions.name)
