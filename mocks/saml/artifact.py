"""The SP's side of the HTTP-Artifact binding's back channel (SAML Bindings §3.6.3): the signed
SOAP ``ArtifactResolve`` an SP sends for an artifact, and the ``Response`` read out of the
portal's ``ArtifactResponse``.

Transport is the caller's: the reference SP posts over HTTP, MinSide's citizen pages either
over HTTP or to the portal's artifact endpoint in the same process (``tpn.mocks.minside.
citizen.resolver``). Either way the message is the same signed envelope.
"""

from __future__ import annotations

import datetime as dt

from lxml import etree

from tpn.fixtures import xmlguard
from tpn.mocks.saml import messages, ns
from tpn.mocks.saml.keys import SigningKey
from tpn.mocks.saml.verify import Refused

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}


def resolve_request(*, issuer: str, handle: str, key: SigningKey, now: dt.datetime) -> bytes:
    """A SOAP 1.1 envelope holding an ArtifactResolve for ``handle``, signed by ``key``: the
    portal gives an artifact's Response only to the SP it was issued for."""
    request = etree.Element(
        f"{{{ns.SAMLP}}}ArtifactResolve", nsmap={"samlp": ns.SAMLP, "saml": ns.SAML}
    )
    request.set("ID", messages.new_id())
    request.set("Version", "2.0")
    request.set("IssueInstant", messages.instant(now))
    etree.SubElement(request, f"{{{ns.SAML}}}Issuer").text = issuer
    etree.SubElement(request, f"{{{ns.SAMLP}}}Artifact").text = handle
    signed = messages.sign(request, key)
    envelope = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soap": SOAP11})
    etree.SubElement(envelope, f"{{{SOAP11}}}Body").append(signed)
    out: bytes = etree.tostring(envelope)
    return out


def response_in(answer: bytes) -> bytes:
    """The samlp:Response inside the portal's SOAP answer, as its own bytes (what its signature
    covers), or :class:`Refused` when the answer holds none."""
    try:
        envelope = xmlguard.parse(
            answer, max_depth=40, max_elements=1000, what="the ArtifactResponse"
        )
    except xmlguard.Refused as exc:
        raise Refused(str(exc)) from None
    found = envelope.find(f"{{{SOAP11}}}Body/{{{ns.SAMLP}}}ArtifactResponse/{{{ns.SAMLP}}}Response")
    if found is None:
        raise Refused("the artifact resolved to no Response (unknown, or used before)")
    out: bytes = etree.tostring(found)
    return out
