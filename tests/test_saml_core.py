"""The security portal's SAML pieces: keys, the HTTP-Redirect binding, messages, metadata.

These are what the identity-provider mock is built from; each is checked here on its own,
including the ways a message can be forged or broken.
"""

from __future__ import annotations

import base64
import datetime as dt
import zlib
from pathlib import Path

import pytest
from lxml import etree
from signxml import InvalidSignature, XMLVerifier

from tpn.mocks.saml import keys, messages, metadata, ns, redirect

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def idp_key() -> keys.SigningKey:
    return keys.generate("tpn sikkerhetsportal")


@pytest.fixture(scope="module")
def sp_key() -> keys.SigningKey:
    return keys.generate("sp.example")


# ------------------------------------------------------------------ keys


def test_a_key_survives_a_file_and_never_shows_itself(
    tmp_path: Path, idp_key: keys.SigningKey
) -> None:
    path = tmp_path / "idp.pem"
    path.write_bytes(idp_key.cert_pem + idp_key.key_pem)  # either order
    loaded = keys.SigningKey.load(path)
    assert loaded.fingerprint == idp_key.fingerprint
    assert "PRIVATE" not in repr(loaded) and loaded.fingerprint[:16] in repr(loaded)
    (tmp_path / "cert-only.pem").write_bytes(idp_key.cert_pem)
    with pytest.raises(ValueError, match="needs a PEM private key and a PEM certificate"):
        keys.SigningKey.load(tmp_path / "cert-only.pem")


# ------------------------------------------------------------------ HTTP-Redirect


def _request(level: int = 3) -> bytes:
    return messages.authn_request(
        issuer="https://sp.example/",
        destination="http://idp/sikkerhetsportal/sso",
        acs_url="https://sp.example/acs",
        level=level,
        now=NOW,
    )


def test_a_signed_request_round_trips_and_verifies(sp_key: keys.SigningKey) -> None:
    query = redirect.encode(_request(), relay_state="/min side?x=1&y=æ", key=sp_key)
    message = redirect.decode(query)
    assert message.parameter == "SAMLRequest" and message.signed
    assert message.relay_state == "/min side?x=1&y=æ"
    assert redirect.verify(message, sp_key.certificate) is None
    assert messages.parse_authn_request(message.xml).issuer == "https://sp.example/"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda q: q.replace("RelayState=%2F", "RelayState=%2Fx"), "does not verify"),
        (lambda q: q.split("&Signature=")[0], "not signed"),
        (
            lambda q: q.replace("rsa-sha256", "rsa-sha1"),
            "SigAlg 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha1' is not",
        ),
    ],
)
def test_a_changed_or_unsigned_request_does_not_verify(
    sp_key: keys.SigningKey, change: object, reason: str
) -> None:
    query = redirect.encode(_request(), relay_state="/side", key=sp_key)
    message = redirect.decode(change(query))  # type: ignore[operator]
    found = redirect.verify(message, sp_key.certificate)
    assert found is not None and reason in found


def test_a_request_signed_with_another_key_does_not_verify(
    sp_key: keys.SigningKey, idp_key: keys.SigningKey
) -> None:
    message = redirect.decode(redirect.encode(_request(), key=idp_key))
    assert redirect.verify(message, sp_key.certificate) == (
        "the signature does not verify with the registered certificate"
    )


def test_the_signature_covers_the_received_encoding(sp_key: keys.SigningKey) -> None:
    """Re-encoding the values would verify a different octet string (Bindings §3.4.4.1)."""
    query = redirect.encode(_request(), relay_state="a b", key=sp_key)
    assert "RelayState=a+b" in query
    assert b"RelayState=a+b" in redirect.decode(query).signed_octets


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("RelayState=x", "no SAMLRequest or SAMLResponse"),
        ("SAMLRequest=%%%", "not base64"),
        ("SAMLRequest=aGVsbG8%3D", "not DEFLATE-compressed"),
        ("SAMLRequest=a&SAMLRequest=b", "names SAMLRequest twice"),
        (f"SAMLRequest={redirect.deflate(b'<x/>')}&Signature=AAAA", "a Signature needs its SigAlg"),
    ],
)
def test_a_broken_query_names_its_fault(query: str, reason: str) -> None:
    with pytest.raises(redirect.BindingError, match=reason):
        redirect.decode(query)


def test_a_compression_bomb_is_refused_at_the_limit() -> None:
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = bomb.compress(b"<a>" + b" " * 50_000_000) + bomb.flush()
    value = base64.b64encode(raw).decode()
    with pytest.raises(redirect.BindingError, match="inflates to more than 65536 bytes"):
        redirect.inflate(value)


# ------------------------------------------------------------------ AuthnRequest


def test_an_authn_request_is_read() -> None:
    request = messages.parse_authn_request(_request(level=4))
    assert request.level == 4 and request.comparison == "minimum"
    assert request.acs_url == "https://sp.example/acs"
    assert request.protocol_binding == ns.ARTIFACT
    assert request.issue_instant == NOW
    assert request.id.startswith("_") and len(request.id) == 41


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda x: x.replace(b'Version="2.0"', b'Version="1.1"'), "@Version is '1.1'"),
        (
            lambda x: x.replace(b"https://sp.example/</saml:Issuer>", b"</saml:Issuer>"),
            "has no saml:Issuer",
        ),
        (
            lambda x: b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + x,
            "contains a DTD",
        ),
        (lambda x: x.replace(b"samlp:AuthnRequest", b"samlp:LogoutRequest"), "not a samlp:Authn"),
    ],
)
def test_a_wrong_authn_request_names_its_fault(change: object, reason: str) -> None:
    with pytest.raises(messages.MessageError, match=reason.replace("(", r"\(")):
        messages.parse_authn_request(change(_request()))  # type: ignore[operator]


def test_an_unknown_class_ref_is_read_for_the_portal_to_answer() -> None:
    request = messages.parse_authn_request(
        _request().replace(b"PasswordProtectedTransport", b"Kerberos")
    )
    assert request.unknown_refs == ("urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos",)
    assert request.level == 3


def test_no_requested_context_means_level_3() -> None:
    root = etree.fromstring(_request(level=4))
    root.remove(root.find(f"{{{ns.SAMLP}}}RequestedAuthnContext"))  # type: ignore[arg-type]
    assert messages.parse_authn_request(etree.tostring(root)).level == 3


# ------------------------------------------------------------------ Assertion and Response


def _login() -> messages.Login:
    return messages.Login(
        uid="17858400120",
        level=4,
        method="BankID",
        culture="nb",
        name_id="_transient",
        session_index="_session",
        authn_instant=NOW,
    )


def _signed(idp_key: keys.SigningKey) -> bytes:
    a = messages.assertion(
        idp="tpn-idp",
        sp="https://sp.example/",
        acs_url="https://sp.example/acs",
        in_response_to="_req",
        login=_login(),
        now=NOW,
    )
    r = messages.response(
        idp="tpn-idp",
        destination="https://sp.example/acs",
        in_response_to="_req",
        signed_assertion=messages.sign(a, idp_key),
        now=NOW,
    )
    return etree.tostring(r)


def test_a_signed_assertion_verifies_and_says_what_the_standard_asks(
    idp_key: keys.SigningKey,
) -> None:
    data = _signed(idp_key)
    result = XMLVerifier().verify(data, x509_cert=idp_key.cert_pem.decode(), id_attribute="ID")
    signed = result.signed_xml
    assert signed is not None and signed.tag == f"{{{ns.SAML}}}Assertion"
    children = [etree.QName(c).localname for c in etree.fromstring(data)[2]]
    assert children[:2] == ["Issuer", "Signature"]  # the schema's order
    values = {a.get("Name"): a[0].text for a in signed.iter(f"{{{ns.SAML}}}Attribute")}
    assert values == {
        "uid": "17858400120",
        "SecurityLevel": "4",
        "Culture": "nb",
        "AuthMethod": "BankID",
    }
    data_el = signed.find(f".//{{{ns.SAML}}}SubjectConfirmationData")
    assert data_el is not None and data_el.get("Recipient") == "https://sp.example/acs"
    assert data_el.get("NotOnOrAfter") == "2026-11-28T12:05:00Z"
    audience = signed.find(f".//{{{ns.SAML}}}Audience")
    assert audience is not None and audience.text == "https://sp.example/"
    method = etree.fromstring(data).find(f".//{{{ns.DS}}}SignatureMethod")
    assert method is not None and method.get("Algorithm") == ns.RSA_SHA256
    c14n = etree.fromstring(data).find(f".//{{{ns.DS}}}CanonicalizationMethod")
    assert c14n is not None and c14n.get("Algorithm") == "http://www.w3.org/2001/10/xml-exc-c14n#"


def test_a_tampered_assertion_does_not_verify(idp_key: keys.SigningKey) -> None:
    data = _signed(idp_key).replace(b">17858400120<", b">17858400121<")
    with pytest.raises(InvalidSignature):
        XMLVerifier().verify(data, x509_cert=idp_key.cert_pem.decode(), id_attribute="ID")


def test_an_error_response_carries_a_second_level_status() -> None:
    r = messages.response(
        idp="tpn-idp",
        destination="https://sp.example/acs",
        in_response_to="_req",
        signed_assertion=None,
        now=NOW,
        status=ns.NO_AUTHN_CONTEXT,
        message="level 4 was asked for",
    )
    codes = [c.get("Value") for c in r.iter(f"{{{ns.SAMLP}}}StatusCode")]
    assert codes == [ns.REQUESTER, ns.NO_AUTHN_CONTEXT]


# ------------------------------------------------------------------ metadata


def test_sp_metadata_round_trips(sp_key: keys.SigningKey) -> None:
    xml = metadata.sp(
        "https://sp.example/", "https://sp.example/acs", "https://sp.example/slo", sp_key
    )
    found = metadata.parse_sp(xml)
    assert found.entity_id == "https://sp.example/"
    assert found.acs_for(None) == found.acs_for("https://sp.example/acs")
    assert found.acs_for("https://evil.example/acs") is None
    assert found.slo[0].location == "https://sp.example/slo"
    assert found.certificate == sp_key.certificate


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda x: x.replace(b'entityID="https://sp.example/"', b""), "has no entityID"),
        (lambda x: x.replace(b"SPSSODescriptor", b"IDPSSODescriptor"), "no md:SPSSODescriptor"),
        (lambda x: x.replace(b'use="signing"', b'use="encryption"'), "no signing certificate"),
        (lambda x: b"<!DOCTYPE x>" + x.split(b"?>", 1)[1], "contains a DTD"),
    ],
)
def test_wrong_sp_metadata_names_its_fault(
    sp_key: keys.SigningKey, change: object, reason: str
) -> None:
    xml = metadata.sp(
        "https://sp.example/", "https://sp.example/acs", "https://sp.example/slo", sp_key
    )
    with pytest.raises(metadata.MetadataError, match=reason):
        metadata.parse_sp(change(xml))  # type: ignore[operator]


def test_the_portals_metadata_names_its_endpoints_and_certificate(
    idp_key: keys.SigningKey,
) -> None:
    root = etree.fromstring(metadata.idp("tpn-idp", "https://h/sikkerhetsportal", idp_key))
    services = {
        etree.QName(e).localname: e.get("Location")
        for e in root.iter()
        if isinstance(e.tag, str) and e.get("Location")
    }
    assert services == {
        "ArtifactResolutionService": "https://h/sikkerhetsportal/artifact",
        "SingleLogoutService": "https://h/sikkerhetsportal/slo",
        "SingleSignOnService": "https://h/sikkerhetsportal/sso",
    }
    cert = root.find(f".//{{{ns.DS}}}X509Certificate")
    assert cert is not None and cert.text == idp_key.cert_base64
