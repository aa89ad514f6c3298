"""The portal's artifact resolution endpoint (``/artifact``): a SOAP 1.1 ``ArtifactResolve`` in,
an ``ArtifactResponse`` out (SAML Bindings §3.2 and §3.6).

Its client is an SP's back channel, never a browser, so every error is a SOAP 1.1 fault in
text/xml, never a page: the method (405), the body's size (413, refused before it is read), a
Content-Type other than SOAP 1.1's text/xml (none at all is left to the XML checks), XML that is
malformed or carries a DTD, too deep or with too many elements (the project's intake guard,
``tpn.mocks.soap.intake``), the envelope, and a Body that is not an ``ArtifactResolve``. These
are the client's mistakes: ``soap:Client`` faults naming the rule (status 500 as SOAP 1.1 §6.2
asks, but for the HTTP-level 400, 405 and 413), quoting no more of the input than a name. A
resolve the portal will not honour (unsigned, signed by someone else, an unknown or used
artifact) is a SAML status in a normal answer, as SAML Bindings §3.2.3.3 asks: SOAP faults are
for SOAP processing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from lxml import etree
from signxml.algorithms import SignatureMethod
from signxml.exceptions import SignXMLException
from signxml.verifier import SignatureConfiguration, XMLVerifier

from tpn.mocks.saml import messages, ns
from tpn.mocks.saml.quote import clip, shown
from tpn.mocks.sikkerhetsportal import wire
from tpn.mocks.sikkerhetsportal.errors import LoginError
from tpn.mocks.sikkerhetsportal.portal import Portal
from tpn.mocks.soap import intake
from tpn.mocks.soap.faults import Fault, client
from tpn.mocks.soap.ns import SOAP11_ENV

StartResponse = Callable[..., Any]

# An ArtifactResolve is an envelope, a body, the request, its Issuer and Artifact, and a
# ds:Signature of some ten elements: about 20 elements, 6 deep.
MAX_DEPTH = 16
MAX_ELEMENTS = 100
LIMITS = intake.Limits(max_body_bytes=wire.MAX_BODY, max_depth=MAX_DEPTH, max_elements=MAX_ELEMENTS)
XML = "text/xml; charset=utf-8"
# Our own stored bytes, parsed as anything else is: no entities, no network.
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def answer(
    portal: Portal,
    environ: dict[str, Any],
    body: bytes | wire.BodyError,
    start_response: StartResponse,
) -> list[bytes]:
    """Answer one request to ``/artifact``: an ArtifactResponse, or a SOAP fault."""
    method = environ.get("REQUEST_METHOD", "GET")
    try:
        if method != "POST":
            raise Fault(
                "Client",
                "the artifact resolution endpoint takes a SOAP 1.1 ArtifactResolve by POST, not "
                f"{shown(method, 16)}",
                rule="http.method",
                http_status=405,
            )
        if isinstance(body, wire.BodyError):
            raise Fault("Client", body.message, rule=body.rule, http_status=body.status)
        _check_content_type(environ.get("CONTENT_TYPE", ""))
        try:
            here = portal.at(wire.request_base(environ))
        except ValueError as exc:
            raise Fault("Client", str(exc), rule="http.host", http_status=400) from None
        payload = _resolve(here, _request(body))
    except Fault as fault:
        extra = [("Allow", "POST")] if fault.http_status == 405 else []
        return _send(start_response, fault.http_status, fault.to_bytes(), extra)
    return _send(start_response, 200, payload)


def _check_content_type(content_type: str) -> None:
    media = content_type.split(";")[0].strip().lower()
    if not media:
        return  # none given is no claim of another format: the XML checks judge the body
    if media == "application/soap+xml":
        raise Fault(
            "VersionMismatch",
            "Content-Type application/soap+xml is SOAP 1.2; the artifact resolution endpoint "
            "speaks SOAP 1.1 (text/xml)",
            rule="soap.version",
        )
    if media != "text/xml":
        raise client(
            f"Content-Type {shown(content_type, 60)} is not SOAP 1.1's text/xml",
            rule="http.content-type",
        )


def _request(body: bytes) -> etree._Element:
    """The samlp:ArtifactResolve in the envelope, through the intake guard."""
    element = intake.envelope_body(intake.parse(body, LIMITS))
    if element.tag != f"{{{ns.SAMLP}}}ArtifactResolve":
        raise client(
            f"the soap:Body holds <{clip(intake.local(element), 64)}>; the "
            "artifact resolution endpoint takes a samlp:ArtifactResolve (SAML Bindings §3.6.3)",
            rule="saml.request",
            element=intake.local(element)[:64],
        )
    handle = element.find(f"{{{ns.SAMLP}}}Artifact")
    if handle is None or not (handle.text or "").strip():
        raise client(
            "the samlp:ArtifactResolve has no samlp:Artifact (SAML Core §3.5.1)",
            rule="saml.artifact",
            element="ArtifactResolve",
        )
    return element


def _resolve(portal: Portal, resolve: etree._Element) -> bytes:
    handle = (resolve.findtext(f"{{{ns.SAMLP}}}Artifact") or "").strip()
    requester, refusal = _authenticated(portal, resolve)
    found = portal.resolve(handle, requester) if requester else None
    if found is not None and found.raw:
        return found.data
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
        etree.SubElement(status, f"{{{ns.SAMLP}}}StatusMessage").text = refusal
    else:
        # An unknown, used or someone else's artifact: Success with no message (Core §3.5.1).
        etree.SubElement(status, f"{{{ns.SAMLP}}}StatusCode", Value=ns.SUCCESS)
    if found is not None:
        answer.append(etree.fromstring(found.data, _SAFE))
    envelope = etree.Element(f"{{{SOAP11_ENV}}}Envelope", nsmap={"soap": SOAP11_ENV})
    etree.SubElement(envelope, f"{{{SOAP11_ENV}}}Body").append(answer)
    out: bytes = etree.tostring(envelope)
    return out


def _authenticated(portal: Portal, resolve: etree._Element) -> tuple[str | None, str]:
    """The registered SP that signed this ArtifactResolve (enveloped, its own ID), or None and
    the real reason it is refused, for the StatusMessage."""
    issuer = (resolve.findtext(f"{{{ns.SAML}}}Issuer") or "").strip()
    if not issuer:
        return None, "the ArtifactResolve has no saml:Issuer naming its service provider"
    try:
        provider = portal.provider(issuer)
    except LoginError as exc:  # its registration no longer passes the portal's checks
        return None, f"the service provider {shown(issuer)} is refused: {exc}"
    if provider is None:
        return None, f"the issuer {shown(issuer)} is not a registered service provider"
    signature = resolve.find(f"{{{ns.DS}}}Signature")
    if signature is None:
        return None, f"the ArtifactResolve from {clip(issuer)} is not signed (no ds:Signature)"
    method = _algorithm(signature, "SignatureMethod")
    if method != ns.RSA_SHA256:
        return None, (
            f"the ArtifactResolve from {clip(issuer)} is signed with {shown(method, 80)}; the "
            f"portal accepts {ns.RSA_SHA256} (its metadata's alg:SigningMethod)"
        )
    digests = {_algorithm(ref, "DigestMethod") for ref in signature.iter(f"{{{ns.DS}}}Reference")}
    if digests != {ns.SHA256}:
        shown_digests = ", ".join(sorted(shown(d, 80) for d in digests)) or "none"
        return None, (
            f"the ArtifactResolve from {clip(issuer)} digests with {shown_digests}; the portal "
            f"accepts {ns.SHA256} (its metadata's alg:DigestMethod)"
        )
    try:
        result = XMLVerifier().verify(
            etree.tostring(resolve),
            x509_cert=provider.cert_pem.decode("ascii"),
            id_attribute="ID",
            expect_config=SignatureConfiguration(
                signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
            ),
        )
    # Whatever a hostile signature makes the verifier raise means one thing: not verified.
    # signxml's own errors, lxml's, and the ValueError of a name it cannot rebuild
    # ("ds::SignedInfo", found by the fuzz test) are the client's mistakes, never ours.
    except (SignXMLException, etree.LxmlError, ValueError):
        return None, (
            f"the ArtifactResolve's signature does not verify with {clip(issuer)}'s registered "
            "certificate"
        )
    signed = result.signed_xml  # type: ignore[union-attr]
    if signed is None or signed.get("ID") != resolve.get("ID"):
        return None, "the ArtifactResolve's signature does not cover the ArtifactResolve itself"
    return issuer, ""


def _algorithm(parent: etree._Element, element: str) -> str:
    found = parent.find(f".//{{{ns.DS}}}{element}")
    return "" if found is None else str(found.get("Algorithm") or "")


def _send(
    start_response: StartResponse,
    status: int,
    payload: bytes,
    extra: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    headers = [("Content-Type", XML), ("Content-Length", str(len(payload))), *extra]
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [payload]
