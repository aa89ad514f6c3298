"""SAML 2.0 metadata: the portal's own, and the SPs' it registers.

An SP is registered from its metadata (entityID, assertion consumer services, single logout
service, signing certificate); the portal checks every AuthnRequest against that registration.
The portal's metadata names its SSO, SLO and artifact resolution endpoints and its certificate.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from lxml import etree

from tpn.fixtures import xmlguard
from tpn.mocks.sikkerhetsportal import ns
from tpn.mocks.sikkerhetsportal.keys import SigningKey

MAX_BYTES = 256 * 1024


class MetadataError(ValueError):
    """SP metadata the portal cannot register: names the element and the rule."""


@dataclass(frozen=True)
class Endpoint:
    binding: str
    location: str
    index: int | None = None
    default: bool = False


@dataclass(frozen=True)
class ServiceProvider:
    """A registered SP: what its AuthnRequests and logouts are checked against."""

    entity_id: str
    acs: tuple[Endpoint, ...]
    slo: tuple[Endpoint, ...]
    cert_pem: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    def acs_for(self, url: str | None) -> Endpoint | None:
        """The registered ACS at ``url``, or the default one when the request names none."""
        if url is None:
            defaults = [e for e in self.acs if e.default] or list(self.acs[:1])
            return defaults[0] if defaults else None
        return next((e for e in self.acs if e.location == url), None)


def _index(text: str | None) -> int | None:
    if text is None:
        return 0
    # isdecimal, not isdigit: '²' is a digit int() refuses.
    return int(text) if text.isascii() and text.isdecimal() else None


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
        raise MetadataError(f"the metadata is over {MAX_BYTES} bytes")
    try:
        root = xmlguard.parse(xml, max_depth=16, max_elements=2000, what="the metadata")
    except xmlguard.Refused as exc:
        raise MetadataError(exc.message) from None
    if root.tag != _q("md", "EntityDescriptor"):
        raise MetadataError(f"the root is {root.tag}, not md:EntityDescriptor")
    entity_id = (root.get("entityID") or "").strip()
    if not entity_id:
        raise MetadataError("md:EntityDescriptor has no entityID")
    sp = root.find(_q("md", "SPSSODescriptor"))
    if sp is None:
        raise MetadataError(f"{entity_id}: no md:SPSSODescriptor")
    acs = tuple(
        Endpoint(
            e.get("Binding", ""),
            e.get("Location", ""),
            _index(e.get("index")),
            e.get("isDefault") in ("true", "1"),
        )
        for e in sp.findall(_q("md", "AssertionConsumerService"))
    )
    if not acs or any(not e.location or not e.binding for e in acs):
        raise MetadataError(
            f"{entity_id}: every md:AssertionConsumerService needs a Binding and a Location, "
            "and there must be one"
        )
    slo = tuple(
        Endpoint(e.get("Binding", ""), e.get("Location", ""))
        for e in sp.findall(_q("md", "SingleLogoutService"))
    )
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
    return ServiceProvider(entity_id, acs, slo, pem)


def _key_descriptor(parent: etree._Element, key: SigningKey) -> None:
    descriptor = etree.SubElement(parent, _q("md", "KeyDescriptor"), use="signing")
    info = etree.SubElement(descriptor, f"{{{ns.DS}}}KeyInfo")
    data = etree.SubElement(info, f"{{{ns.DS}}}X509Data")
    etree.SubElement(data, f"{{{ns.DS}}}X509Certificate").text = key.cert_base64


def idp(entity_id: str, base_url: str, key: SigningKey) -> bytes:
    """The portal's EntityDescriptor, its endpoints under ``base_url`` (the public one)."""
    root = etree.Element(_q("md", "EntityDescriptor"), nsmap={"md": ns.MD, "ds": ns.DS})
    root.set("entityID", entity_id)
    d = etree.SubElement(root, _q("md", "IDPSSODescriptor"))
    d.set("protocolSupportEnumeration", ns.SAMLP)
    d.set("WantAuthnRequestsSigned", "true")
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
    entity_id: str, acs_url: str, slo_url: str, key: SigningKey, *, binding: str = ns.ARTIFACT
) -> bytes:
    """An SP's EntityDescriptor (the reference SP's, and the tests')."""
    root = etree.Element(_q("md", "EntityDescriptor"), nsmap={"md": ns.MD, "ds": ns.DS})
    root.set("entityID", entity_id)
    d = etree.SubElement(root, _q("md", "SPSSODescriptor"))
    d.set("protocolSupportEnumeration", ns.SAMLP)
    d.set("AuthnRequestsSigned", "true")
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
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
