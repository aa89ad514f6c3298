"""SAML 2.0 metadata: the portal's own (and an SP's reading of it, ``parse_idp``), and the SPs'
it registers (the reference SP and MinSide make theirs with ``sp``).

An SP is registered from its metadata (entityID, assertion consumer services, single logout
service, signing certificate); the portal checks every AuthnRequest against that registration.
The portal's metadata names its SSO, SLO and artifact resolution endpoints and its certificate.

Every endpoint of an SP is somewhere the portal sends a browser: a redirect, or a form the
portal's page posts by script (HTTP-POST). A ``javascript:`` or ``data:`` URL there would run in
the portal's origin, which is also its admin side's; so an endpoint's Location and
ResponseLocation must be absolute http or https URLs, checked here, at registration, and again
wherever a page or a redirect is made (``web``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography import x509
from lxml import etree

from tpn.fixtures import xmlguard
from tpn.mocks.saml import ns
from tpn.mocks.saml.keys import SigningKey
from tpn.mocks.saml.quote import shown

MAX_BYTES = 256 * 1024  # a metadata file with a few certificates and endpoints is a few KB
MAX_ENTITY_ID = 1024  # SAML Metadata §2.3.2 (md:entityIDType): at most 1024 characters
MAX_URL = 2048  # longer than any real endpoint; what browsers have long handled in a URL
# White space anywhere (a browser drops tabs and newlines inside a URL, so "java\tscript:" is
# javascript:, and leading spaces and controls before the scheme), control characters, and the
# backslash that browsers read as a slash.
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\\]")


class MetadataError(ValueError):
    """SP metadata the portal cannot register: names the element and the rule."""


@dataclass(frozen=True)
class Endpoint:
    binding: str
    location: str
    index: int | None = None
    default: bool = False
    response_location: str | None = None  # where responses go, when not to ``location``


@dataclass(frozen=True)
class ServiceProvider:
    """A registered SP: what its AuthnRequests and logouts are checked against."""

    entity_id: str
    acs: tuple[Endpoint, ...]
    slo: tuple[Endpoint, ...]
    cert_pem: bytes
    # What a login page shows for the service (mdui:DisplayName, else the organisation's
    # display name), None when the metadata names none: the page shows the entityID.
    display_name: str | None = None

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    def acs_for(self, url: str | None) -> Endpoint | None:
        """The registered ACS at ``url``, or the default one when the request names none."""
        if url is None:
            defaults = [e for e in self.acs if e.default] or list(self.acs[:1])
            return defaults[0] if defaults else None
        return next((e for e in self.acs if e.location == url), None)


def url_problem(location: str, max_chars: int | None = MAX_URL) -> str | None:
    """Why the portal will not send a browser to ``location``, or None for an absolute http or
    https URL with a host (and at most ``max_chars`` long, when given)."""
    if not location:
        return "it is empty"
    if max_chars is not None and len(location) > max_chars:
        return f"it is longer than {max_chars} characters"
    if _UNSAFE.search(location):
        return "it holds white space, a control character or a backslash"
    try:
        parts = urlsplit(location)
        parts.port  # noqa: B018  (raises for a port that is not one)
    except ValueError as exc:
        return f"it is not a URL ({exc})"
    scheme = parts.scheme.lower()
    if not scheme:
        return "it is not an absolute URL (no scheme)"
    if scheme not in ("http", "https"):
        return f"its scheme is {shown(parts.scheme, 32)}"
    if not parts.hostname:
        return "it names no host"
    return None


def _endpoint_url(entity_id: str, element: str, attribute: str, value: str) -> str:
    problem = url_problem(value)
    if problem is not None:
        raise MetadataError(
            f"{entity_id}: md:{element} {attribute} {shown(value)} is refused: {problem}; the "
            "portal sends browsers to this endpoint, so it must be an absolute http or https URL"
        )
    return value


def _endpoints(entity_id: str, parent: etree._Element, element: str) -> tuple[Endpoint, ...]:
    """The parent's md:``element`` endpoints, each Location and ResponseLocation checked."""
    found = []
    for e in parent.findall(_q("md", element)):
        binding = e.get("Binding", "")
        if not binding:
            raise MetadataError(f"{entity_id}: an md:{element} has no Binding")
        response = e.get("ResponseLocation")
        found.append(
            Endpoint(
                binding,
                _endpoint_url(entity_id, element, "Location", e.get("Location", "")),
                _index(e.get("index")),
                e.get("isDefault") in ("true", "1"),
                None
                if response is None
                else _endpoint_url(entity_id, element, "ResponseLocation", response),
            )
        )
    return tuple(found)


def _index(text: str | None) -> int | None:
    if text is None:
        return 0
    # isdecimal, not isdigit: '²' is a digit int() refuses.
    return int(text) if text.isascii() and text.isdecimal() else None


MAX_DISPLAY_NAME = 120  # characters of a service's display name a page shows


def _q(prefix: str, name: str) -> str:
    return f"{{{ns.NSMAP[prefix]}}}{name}"


def _pem(base64_der: str) -> bytes:
    body = "".join(base64_der.split())
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return (
        "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
    ).encode()


def parse_sp(xml: bytes) -> ServiceProvider:
    """An SP's EntityDescriptor, or :class:`MetadataError` saying what is missing or wrong."""
    if len(xml) > MAX_BYTES:
        raise MetadataError(f"the metadata is over the limit of {MAX_BYTES} bytes")
    try:
        root = xmlguard.parse(xml, max_depth=16, max_elements=2000, what="the metadata")
    except xmlguard.Refused as exc:
        raise MetadataError(exc.message) from None
    if root.tag != _q("md", "EntityDescriptor"):
        raise MetadataError(f"the root is {shown(root.tag)}, not md:EntityDescriptor")
    entity_id = (root.get("entityID") or "").strip()
    if not entity_id:
        raise MetadataError("md:EntityDescriptor has no entityID")
    if len(entity_id) > MAX_ENTITY_ID:
        raise MetadataError(
            f"the entityID {shown(entity_id)} is longer than {MAX_ENTITY_ID} characters "
            "(SAML Metadata §2.3.2)"
        )
    if not entity_id.isprintable():
        raise MetadataError(f"the entityID {shown(entity_id)} holds control characters")
    sp = root.find(_q("md", "SPSSODescriptor"))
    if sp is None:
        raise MetadataError(f"{entity_id}: no md:SPSSODescriptor")
    acs = _endpoints(entity_id, sp, "AssertionConsumerService")
    if not acs:
        raise MetadataError(f"{entity_id}: no md:AssertionConsumerService")
    slo = _endpoints(entity_id, sp, "SingleLogoutService")
    certs = [
        c
        for kd in sp.findall(_q("md", "KeyDescriptor"))
        if kd.get("use") in (None, "signing")
        for c in kd.iter(f"{{{ns.DS}}}X509Certificate")
    ]
    if not certs:
        raise MetadataError(f"{entity_id}: no signing certificate (md:KeyDescriptor use='signing')")
    pem = _pem(certs[0].text or "")
    try:
        x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise MetadataError(f"{entity_id}: the signing certificate does not load: {exc}") from None
    return ServiceProvider(entity_id, acs, slo, pem, _display_name(root, sp))


def _display_name(root: etree._Element, sp: etree._Element) -> str | None:
    """The service's name for people: the SP's mdui:DisplayName, else the entity's
    md:OrganizationDisplayName; in bokmål where given (``nb``, then ``no``, then ``nn``, then
    the first), whitespace collapsed, at most ``MAX_DISPLAY_NAME`` characters. A page escapes
    it; control characters are dropped here so that a name cannot break a heading's line."""
    for names in (
        sp.findall(f"{_q('md', 'Extensions')}/{_q('mdui', 'UIInfo')}/{_q('mdui', 'DisplayName')}"),
        root.findall(f"{_q('md', 'Organization')}/{_q('md', 'OrganizationDisplayName')}"),
    ):
        by_lang = {(n.get(ns.XML_LANG) or "").lower(): n.text or "" for n in names}
        texts = [by_lang[lang] for lang in ("nb", "no", "nn") if lang in by_lang]
        texts += [n.text or "" for n in names]
        for text in texts:
            shown_name = " ".join("".join(c for c in text if c.isprintable()).split())
            if shown_name:
                return shown_name[:MAX_DISPLAY_NAME]
    return None


@dataclass(frozen=True)
class IdentityProvider:
    """What an SP takes from the portal's metadata: its entityID, endpoints and certificate."""

    entity_id: str
    sso_url: str  # HTTP-Redirect
    slo_url: str  # HTTP-Redirect
    artifact_url: str  # SOAP
    cert_pem: str


def parse_idp(xml: bytes) -> IdentityProvider:
    """The portal's EntityDescriptor as an SP reads it (MinSide's citizen pages), or
    :class:`MetadataError` saying what is missing."""
    if len(xml) > MAX_BYTES:
        raise MetadataError(f"the metadata is over the limit of {MAX_BYTES} bytes")
    try:
        root = xmlguard.parse(xml, max_depth=16, max_elements=2000, what="the metadata")
    except xmlguard.Refused as exc:
        raise MetadataError(exc.message) from None
    d = root.find(_q("md", "IDPSSODescriptor"))
    entity_id = (root.get("entityID") or "").strip()
    if root.tag != _q("md", "EntityDescriptor") or d is None or not entity_id:
        raise MetadataError("not an md:EntityDescriptor with an entityID and an IDPSSODescriptor")

    def location(element: str, binding: str) -> str:
        for e in d.findall(_q("md", element)):
            if e.get("Binding") == binding:
                return _endpoint_url(entity_id, element, "Location", e.get("Location", ""))
        raise MetadataError(f"{entity_id}: no md:{element} with binding {binding}")

    certs = [
        c
        for kd in d.findall(_q("md", "KeyDescriptor"))
        if kd.get("use") in (None, "signing")
        for c in kd.iter(f"{{{ns.DS}}}X509Certificate")
    ]
    if not certs:
        raise MetadataError(f"{entity_id}: no signing certificate")
    return IdentityProvider(
        entity_id=entity_id,
        sso_url=location("SingleSignOnService", ns.REDIRECT),
        slo_url=location("SingleLogoutService", ns.REDIRECT),
        artifact_url=location("ArtifactResolutionService", ns.SOAP),
        cert_pem=_pem(certs[0].text or "").decode("ascii"),
    )


def _key_descriptor(parent: etree._Element, key: SigningKey) -> None:
    descriptor = etree.SubElement(parent, _q("md", "KeyDescriptor"), use="signing")
    info = etree.SubElement(descriptor, f"{{{ns.DS}}}KeyInfo")
    data = etree.SubElement(info, f"{{{ns.DS}}}X509Data")
    etree.SubElement(data, f"{{{ns.DS}}}X509Certificate").text = key.cert_base64


def idp(entity_id: str, base_url: str, key: SigningKey) -> bytes:
    """The portal's EntityDescriptor, its endpoints under ``base_url`` (the public one)."""
    root = etree.Element(
        _q("md", "EntityDescriptor"), nsmap={"md": ns.MD, "ds": ns.DS, "alg": ns.ALG}
    )
    root.set("entityID", entity_id)
    d = etree.SubElement(root, _q("md", "IDPSSODescriptor"))
    d.set("protocolSupportEnumeration", ns.SAMLP)
    d.set("WantAuthnRequestsSigned", "true")
    # The one digest and signature algorithm the portal accepts on what SPs sign (requests,
    # ArtifactResolve), so that an SP reading algsupport signs with them, not its default.
    extensions = etree.SubElement(d, _q("md", "Extensions"))
    etree.SubElement(extensions, f"{{{ns.ALG}}}DigestMethod", Algorithm=ns.SHA256)
    etree.SubElement(
        extensions, f"{{{ns.ALG}}}SigningMethod", Algorithm=ns.RSA_SHA256, MinKeySize="2048"
    )
    _key_descriptor(d, key)
    etree.SubElement(
        d,
        _q("md", "ArtifactResolutionService"),
        Binding=ns.SOAP,
        Location=f"{base_url}/artifact",
        index="0",
        isDefault="true",
    )
    etree.SubElement(
        d, _q("md", "SingleLogoutService"), Binding=ns.REDIRECT, Location=f"{base_url}/slo"
    )
    etree.SubElement(d, _q("md", "NameIDFormat")).text = ns.TRANSIENT
    etree.SubElement(
        d, _q("md", "SingleSignOnService"), Binding=ns.REDIRECT, Location=f"{base_url}/sso"
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def sp(
    entity_id: str,
    acs_url: str,
    slo_url: str,
    key: SigningKey,
    *,
    binding: str = ns.ARTIFACT,
    display_name: str | None = None,
    more_acs: tuple[tuple[str, str], ...] = (),
) -> bytes:
    """An SP's EntityDescriptor (the reference SP's, MinSide's, and the tests'), with an
    mdui:DisplayName in bokmål when ``display_name`` is given. ``acs_url`` over ``binding`` is
    the default ACS (index 0); ``more_acs`` are further (binding, location) ACSs, index 1 on."""
    nsmap = {"md": ns.MD, "ds": ns.DS} | ({"mdui": ns.MDUI} if display_name else {})
    root = etree.Element(_q("md", "EntityDescriptor"), nsmap=nsmap)
    root.set("entityID", entity_id)
    d = etree.SubElement(root, _q("md", "SPSSODescriptor"))
    d.set("protocolSupportEnumeration", ns.SAMLP)
    d.set("AuthnRequestsSigned", "true")
    if display_name:
        info = etree.SubElement(etree.SubElement(d, _q("md", "Extensions")), _q("mdui", "UIInfo"))
        name = etree.SubElement(info, _q("mdui", "DisplayName"))
        name.set(ns.XML_LANG, "nb")
        name.text = display_name
    _key_descriptor(d, key)
    etree.SubElement(d, _q("md", "SingleLogoutService"), Binding=ns.REDIRECT, Location=slo_url)
    etree.SubElement(
        d,
        _q("md", "AssertionConsumerService"),
        Binding=binding,
        Location=acs_url,
        index="0",
        isDefault="true",
    )
    for index, (other, location) in enumerate(more_acs, start=1):
        etree.SubElement(
            d,
            _q("md", "AssertionConsumerService"),
            Binding=other,
            Location=location,
            index=str(index),
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
