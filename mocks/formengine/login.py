"""The citizen's login handed to the form engine in a journey job, and its verification.

With ``--with-minside`` the form engine is a service provider of the security portal. A
command-driven engine sends no AuthnRequest, so the login is IdP-initiated (a profile
decision): the suite, as the citizen, logs a persona in at the portal for the engine's entityID
and ACS, and hands the engine the portal's signed Response as the HTTP-POST binding would carry
it (``inputs.login.SAMLResponse``, base64). The engine trusts nothing in it before the reference
SP's own checks (``tpn.mocks.referencesp.verify.verify_response``) passed: the signature
against the certificate in the portal's metadata, issuer, audience, recipient and time. Only the
check that the Response answers a request of this SP is off, there being no request. A
command-driven engine keeps nothing between jobs, so its replay cache (``first_use``) is the
job's own: a replayed Response is bounded by the assertion's short lifetime (five minutes at the
portal) and by the archive's external keys (a second delivery of one referanse is an update).
The login's ``uid`` is then the applicant (Innsender) and its ``SecurityLevel`` the form's
``sikkerhetsnivaa``, whatever the typed form says.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

import requests

from tpn.fixtures import xmlguard
from tpn.mocks.referencesp.checks import EVERY_CHECK, Checks
from tpn.mocks.referencesp.verify import Expect, Identity, Refused, verify_response
from tpn.mocks.saml import ns

MAX_METADATA = 64 * 1024  # the portal's metadata is a few KiB
MAX_RESPONSE = 64 * 1024  # a signed Response is a few KiB; base64 of it, a third more
# IdP-initiated: no AuthnRequest was sent, so there is nothing for InResponseTo to answer.
JOURNEY_CHECKS: Checks = replace(EVERY_CHECK, in_response_to=False)


class LoginError(Exception):
    """A login the engine must not act on; the message says why in one line."""


@dataclass(frozen=True)
class PortalTrust:
    """What the engine takes from the portal's metadata: who signs, with which certificate."""

    entity_id: str
    cert_pem: str


@dataclass(frozen=True)
class Login:
    """Who logged in, as the verified Response says."""

    uid: str
    level: int


def parse_metadata(data: bytes) -> PortalTrust:
    """The portal's entityID and signing certificate from its EntityDescriptor."""
    if len(data) > MAX_METADATA:
        raise LoginError(f"the portal's metadata is larger than {MAX_METADATA} bytes")
    try:
        root = xmlguard.parse(data, max_depth=16, max_elements=200, what="the portal's metadata")
    except xmlguard.Refused as exc:
        raise LoginError(exc.message) from None
    entity = root.get("entityID")
    if root.tag != f"{{{ns.MD}}}EntityDescriptor" or not entity:
        raise LoginError("the portal's metadata is no EntityDescriptor with an entityID")
    path = (
        f"{{{ns.MD}}}IDPSSODescriptor/{{{ns.MD}}}KeyDescriptor[@use='signing']/"
        f"{{{ns.DS}}}KeyInfo/{{{ns.DS}}}X509Data/{{{ns.DS}}}X509Certificate"
    )
    cert = root.findtext(path)
    if not cert or not cert.strip():
        raise LoginError("the portal's metadata has no signing certificate")
    body = "".join(cert.split())
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return PortalTrust(entity, f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n")


def fetch_metadata(url: str, *, timeout: float) -> PortalTrust:
    """The portal's metadata at ``url``, bounded in size and time."""
    try:
        with requests.Session() as session:
            session.trust_env = False
            with session.get(url, timeout=timeout, stream=True) as answer:
                if answer.status_code != 200:
                    raise LoginError(f"the portal's metadata answered HTTP {answer.status_code}")
                data = answer.raw.read(MAX_METADATA + 1, decode_content=True)
    except requests.RequestException as exc:
        raise LoginError(
            f"the portal's metadata could not be fetched: {type(exc).__name__}"
        ) from None
    return parse_metadata(data)


def bounded(value: object, where: str) -> str:
    """The job's base64 Response as a string, bounded before anything else reads it."""
    if not isinstance(value, str):
        raise LoginError(f"{where} must be a string (base64)")
    if len(value) > MAX_RESPONSE * 4 // 3 + 4:
        raise LoginError(f"{where} is too large")
    return value


def decode(saml_response: str) -> bytes:
    """The Response's bytes from the HTTP-POST binding's base64."""
    if len(saml_response) > MAX_RESPONSE * 4 // 3 + 4:
        raise LoginError("inputs.login.SAMLResponse is too large")
    try:
        return base64.b64decode("".join(saml_response.split()), validate=True)
    except (binascii.Error, ValueError):
        raise LoginError("inputs.login.SAMLResponse is not base64") from None


def verify(
    saml_response: str,
    trust: PortalTrust,
    *,
    entity_id: str,
    acs_url: str,
    level: int = 3,
    checks: Checks = JOURNEY_CHECKS,
    first_use: Callable[[str], bool] = lambda _: True,
    now: dt.datetime | None = None,
) -> Login:
    """The login in ``saml_response`` (base64), or ``LoginError`` naming the failed check."""
    expect = Expect(trust.entity_id, trust.cert_pem, entity_id, acs_url, level)
    try:
        identity: Identity = verify_response(
            decode(saml_response),
            expect,
            now=now or dt.datetime.now(dt.UTC),
            requests=(),
            first_use=first_use,
            checks=checks,
        )
    except Refused as exc:
        raise LoginError(f"the login is refused: {exc}") from None
    return Login(identity.uid, identity.level)
