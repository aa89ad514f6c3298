"""The security portal as an identity provider: register an SP, check its AuthnRequest, log a
persona in, answer with an artifact, resolve it once (WSGI calls, no browser)."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree
from signxml import XMLVerifier

from tpn.fixtures import population
from tpn.mocks.core.store import Store
from tpn.mocks.saml import keys, messages, metadata, ns, redirect
from tpn.mocks.sikkerhetsportal.portal import PREFIX, Portal, artifact
from tpn.mocks.sikkerhetsportal.web import PortalApp

BASE = "http://portal.test"
SP = "https://sp.example/"
ACS = "https://sp.example/acs"


@pytest.fixture(scope="module")
def sp_key() -> keys.SigningKey:
    key = keys.generate("sp.example")
    SIGNER[:] = [key]
    return key


@pytest.fixture
def portal(sp_key: keys.SigningKey) -> Portal:
    p = Portal(Store("sqlite://"), BASE)
    p.register(metadata.sp(SP, ACS, "https://sp.example/slo", sp_key))
    return p


def call(
    app: PortalApp, method: str, path: str, query: str = "", body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"] = int(status.split()[0])
        seen["headers"] = dict(headers)

    data = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], data


def sso_query(key: keys.SigningKey, *, level: int = 3, acs: str = ACS, issuer: str = SP) -> str:
    request = messages.authn_request(
        issuer=issuer, destination=f"{BASE}{PREFIX}/sso", acs_url=acs, level=level
    )
    return redirect.encode(request, relay_state="/min-side", key=key)


SIGNER: list[keys.SigningKey] = []  # the SP key that signs resolves (set by the fixture)


def resolve_request(handle: str, key: keys.SigningKey | None, issuer: str = SP) -> bytes:
    request = etree.Element(
        f"{{{ns.SAMLP}}}ArtifactResolve", nsmap={"samlp": ns.SAMLP, "saml": ns.SAML}
    )
    request.set("ID", "_r")
    request.set("Version", "2.0")
    request.set("IssueInstant", "2026-11-28T12:00:00Z")
    etree.SubElement(request, f"{{{ns.SAML}}}Issuer").text = issuer
    etree.SubElement(request, f"{{{ns.SAMLP}}}Artifact").text = handle
    body = messages.sign(request, key) if key is not None else request
    envelope = etree.Element("{http://schemas.xmlsoap.org/soap/envelope/}Envelope")
    etree.SubElement(envelope, "{http://schemas.xmlsoap.org/soap/envelope/}Body").append(body)
    return etree.tostring(envelope)


def resolve(
    app: PortalApp, handle: str, key: keys.SigningKey | None = None, issuer: str = SP
) -> etree._Element:
    data = resolve_request(handle, key or SIGNER[0], issuer)
    status, _, answer_bytes = call(app, "POST", f"{PREFIX}/artifact", body=data)
    assert status == 200, answer_bytes
    answer = etree.fromstring(answer_bytes)[0][0]
    assert answer.tag == f"{{{ns.SAMLP}}}ArtifactResponse" and answer.get("InResponseTo") == "_r"
    return answer


def adult() -> population.Persona:
    return next(p for p in population.personas() if p.born.year < 1990)


def test_a_persona_logs_in_and_the_artifact_resolves_once(
    portal: Portal, sp_key: keys.SigningKey
) -> None:
    app = PortalApp(portal)
    person = adult()
    query = sso_query(sp_key, level=4) + f"&tpn-persona={person.foedselsnummer}&tpn-method=BankID"
    status, headers, _ = call(app, "GET", f"{PREFIX}/sso", query)
    assert status == 302, headers
    target = urlsplit(headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == ACS
    params = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert params["RelayState"] == "/min-side"
    raw = base64.b64decode(params["SAMLart"])
    assert raw[:4] == b"\x00\x04\x00\x00"
    assert raw[4:24] == hashlib.sha1(portal.entity_id.encode()).digest()
    assert portal.entity_id == f"{BASE}{PREFIX}/metadata"

    answer = resolve(app, params["SAMLart"])
    response = answer.find(f"{{{ns.SAMLP}}}Response")
    assert response is not None and response.get("Destination") == ACS
    signed = (
        XMLVerifier()
        .verify(etree.tostring(response), x509_cert=portal.key.cert_pem.decode(), id_attribute="ID")
        .signed_xml
    )
    assert signed is not None
    values = {a.get("Name"): a[0].text for a in signed.iter(f"{{{ns.SAML}}}Attribute")}
    assert values == {
        "uid": person.foedselsnummer,
        "SecurityLevel": "4",
        "Culture": "nb",
        "AuthMethod": "BankID",
    }
    # An artifact resolves once: the second time, Success and no message.
    again = resolve(app, params["SAMLart"])
    assert again.find(f"{{{ns.SAMLP}}}Response") is None


def test_the_login_page_lists_personas_and_the_methods_of_the_level(
    portal: Portal, sp_key: keys.SigningKey
) -> None:
    app = PortalApp(portal)
    status, _, page = call(app, "GET", f"{PREFIX}/sso", sso_query(sp_key, level=4))
    assert status == 200
    text = page.decode()
    assert "BankID" in text and "Minid-PIN" not in text  # level 4 asked for
    person = adult()
    assert person.foedselsnummer in text and "Sæther" in text
    request_id = text.split('name="request" value="')[1].split('"')[0]
    form = f"request={request_id}&persona={person.foedselsnummer}&method=Buypass".encode()
    status, headers, _ = call(app, "POST", f"{PREFIX}/login", body=form)
    assert status == 302 and headers["Location"].startswith(f"{ACS}?SAMLart=")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (
            lambda k, o: sso_query(o),
            "the signature does not verify with the registered certificate",
        ),
        (lambda k, o: sso_query(k).split("&Signature=")[0], "the message is not signed"),
        (
            lambda k, o: sso_query(k, acs="https://evil.example/acs"),
            "is not one https://sp.example/ registered",
        ),
        (
            lambda k, o: sso_query(k, issuer="https://other.example/"),
            "is not a registered service provider",
        ),
        (lambda k, o: "SAMLRequest=%%%", "cannot be read"),
    ],
)
def test_a_wrong_request_gets_an_error_page_and_no_redirect(
    portal: Portal, sp_key: keys.SigningKey, make: Any, reason: str
) -> None:
    other = keys.generate("other")
    status, headers, page = call(PortalApp(portal), "GET", f"{PREFIX}/sso", make(sp_key, other))
    assert status == 400 and "Location" not in headers
    assert reason in page.decode()


def test_a_method_below_the_level_asked_for_is_refused(
    portal: Portal, sp_key: keys.SigningKey
) -> None:
    query = (
        sso_query(sp_key, level=4) + f"&tpn-persona={adult().foedselsnummer}&tpn-method=Minid-PIN"
    )
    status, _, page = call(PortalApp(portal), "GET", f"{PREFIX}/sso", query)
    assert (
        status == 400
        and "Minid-PIN gives level 3; https://sp.example/ asked for 4" in page.decode()
    )


def test_the_key_is_made_once_and_kept_in_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    first = Portal(Store(url), BASE).key.fingerprint
    assert Portal(Store(url), BASE).key.fingerprint == first
    status, _, xml = call(PortalApp(Portal(Store(url), BASE)), "GET", f"{PREFIX}/metadata")
    assert status == 200 and f"{BASE}{PREFIX}/artifact".encode() in xml


def test_an_artifact_is_type_4_with_the_issuers_source_id() -> None:
    raw = base64.b64decode(artifact("tpn"))
    assert len(raw) == 44 and raw[:2] == b"\x00\x04"
    assert raw[4:24] == hashlib.sha1(b"tpn").digest()
    assert artifact("tpn") != artifact("tpn")


def _cookie(headers: dict[str, str]) -> str:
    return headers["Set-Cookie"].split(";")[0]


def call_with(
    app: PortalApp, path: str, query: str, cookie: str
) -> tuple[int, dict[str, str], bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "HTTP_COOKIE": cookie,
        "wsgi.input": io.BytesIO(b""),
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"] = int(status.split()[0])
        seen["headers"] = dict(headers)

    data = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], data


def _name_id(app: PortalApp, location: str) -> str:
    handle = parse_qs(urlsplit(location).query)["SAMLart"][0]
    found = resolve(app, handle).find(f".//{{{ns.SAML}}}NameID")
    assert found is not None and found.text
    return found.text


def test_single_sign_on_across_sps_and_single_logout(
    portal: Portal, sp_key: keys.SigningKey
) -> None:
    app = PortalApp(portal)
    other = "https://other.example/"
    portal.register(
        metadata.sp(other, "https://other.example/acs", "https://other.example/slo", sp_key)
    )
    person = adult()
    query = sso_query(sp_key) + f"&tpn-persona={person.foedselsnummer}&tpn-method=Minid-PIN"
    status, headers, _ = call(app, "GET", f"{PREFIX}/sso", query)
    assert status == 302
    cookie = _cookie(headers)
    name_id = _name_id(app, headers["Location"])
    # The second SP gets the same person without a login page.
    second = sso_query(sp_key, issuer=other, acs="https://other.example/acs")
    status, headers, _ = call_with(app, f"{PREFIX}/sso", second, cookie)
    assert status == 302 and headers["Location"].startswith("https://other.example/acs?SAMLart=")
    # A higher level than the session's needs a new login.
    higher = sso_query(sp_key, issuer=other, acs="https://other.example/acs", level=4)
    status, _, page = call_with(app, f"{PREFIX}/sso", higher, cookie)
    assert status == 200 and b"BankID" in page

    logout = messages.logout_request(
        issuer=SP,
        destination=f"{BASE}{PREFIX}/slo",
        name_id=name_id,
        session_index="_any",
        now=portal.now(),
    )
    status, headers, _ = call_with(
        app, f"{PREFIX}/slo", redirect.encode(logout, relay_state="/bye", key=sp_key), cookie
    )
    assert status == 302 and "Max-Age=0" in headers["Set-Cookie"]
    # Front channel: first the other SP in the session is told, with a signed LogoutRequest.
    told = urlsplit(headers["Location"])
    assert f"{told.scheme}://{told.netloc}{told.path}" == "https://other.example/slo"
    request = redirect.decode(told.query)
    assert redirect.verify(request, portal.key.certificate) is None
    asked = messages.parse_logout_request(request.xml)
    assert asked.issuer == portal.entity_id
    confirmed = messages.logout_response(
        issuer=other, destination=f"{BASE}{PREFIX}/slo", in_response_to=asked.id, now=portal.now()
    )
    query = redirect.encode(
        confirmed, parameter="SAMLResponse", relay_state=request.relay_state, key=sp_key
    )
    status, headers, _ = call_with(app, f"{PREFIX}/slo", query, cookie)
    assert status == 302
    back = urlsplit(headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == "https://sp.example/slo"
    message = redirect.decode(back.query)
    assert message.parameter == "SAMLResponse" and message.relay_state == "/bye"
    assert redirect.verify(message, portal.key.certificate) is None
    code = etree.fromstring(message.xml).find(f".//{{{ns.SAMLP}}}StatusCode")
    assert code is not None and code.get("Value") == ns.SUCCESS
    # The session is gone for every SP in it: the other SP's next login shows the page. (A new
    # AuthnRequest: the portal answers each request ID once.)
    fresh = sso_query(sp_key, issuer=other, acs="https://other.example/acs")
    status, _, page = call_with(app, f"{PREFIX}/sso", fresh, cookie)
    assert status == 200 and b"Innloggingsmetode" in page


def test_an_unsigned_logout_request_is_refused(portal: Portal, sp_key: keys.SigningKey) -> None:
    logout = messages.logout_request(
        issuer=SP,
        destination=f"{BASE}{PREFIX}/slo",
        name_id="_x",
        session_index="_y",
        now=portal.now(),
    )
    status, _, page = call(PortalApp(portal), "GET", f"{PREFIX}/slo", redirect.encode(logout))
    assert status == 400 and b"not signed" in page


def test_the_post_binding_option_answers_with_a_signed_response(sp_key: keys.SigningKey) -> None:
    portal = Portal(Store("sqlite://"), BASE)
    portal.register(metadata.sp(SP, ACS, "https://sp.example/slo", sp_key, binding=ns.POST))
    request = messages.authn_request(
        issuer=SP, destination=f"{BASE}{PREFIX}/sso", acs_url=ACS, binding=ns.POST
    )
    query = redirect.encode(request, relay_state="/x", key=sp_key)
    query += f"&tpn-persona={adult().foedselsnummer}&tpn-method=Minid-PIN"
    status, headers, page = call(PortalApp(portal), "GET", f"{PREFIX}/sso", query)
    assert status == 200 and "Set-Cookie" in headers
    text = page.decode()
    assert f'action="{ACS}"' in text and 'name="RelayState" value="/x"' in text
    value = text.split('name="SAMLResponse" value="')[1].split('"')[0]
    response = base64.b64decode(value)
    XMLVerifier().verify(response, x509_cert=portal.key.cert_pem.decode(), id_attribute="ID")


def _status(app: PortalApp, location: str) -> list[str | None]:
    handle = parse_qs(urlsplit(location).query)["SAMLart"][0]
    response = resolve(app, handle).find(f"{{{ns.SAMLP}}}Response")
    assert response is not None and response.find(f"{{{ns.SAML}}}Assertion") is None
    return [c.get("Value") for c in response.iter(f"{{{ns.SAMLP}}}StatusCode")]


def test_an_unknown_level_is_answered_with_no_authn_context(
    portal: Portal, sp_key: keys.SigningKey
) -> None:
    request = messages.authn_request(
        issuer=SP, destination=f"{BASE}{PREFIX}/sso", acs_url=ACS
    ).replace(b"PasswordProtectedTransport", b"Kerberos")
    app = PortalApp(portal)
    status, headers, _ = call(app, "GET", f"{PREFIX}/sso", redirect.encode(request, key=sp_key))
    assert status == 302 and headers["Location"].startswith(f"{ACS}?SAMLart=")
    assert _status(app, headers["Location"]) == [ns.REQUESTER, ns.NO_AUTHN_CONTEXT]


def test_a_cancelled_login_is_answered_with_authn_failed(
    portal: Portal, sp_key: keys.SigningKey
) -> None:
    app = PortalApp(portal)
    _, _, page = call(app, "GET", f"{PREFIX}/sso", sso_query(sp_key))
    request_id = page.decode().split('name="request" value="')[1].split('"')[0]
    status, headers, _ = call(
        app, "POST", f"{PREFIX}/login", body=f"request={request_id}&cancel=1".encode()
    )
    assert status == 302
    assert _status(app, headers["Location"]) == [ns.REQUESTER, ns.AUTHN_FAILED]


def test_only_the_sp_it_was_issued_for_resolves_an_artifact(
    portal: Portal, sp_key: keys.SigningKey
) -> None:
    app = PortalApp(portal)
    other_key = keys.generate("other.example")
    other = "https://other.example/"
    portal.register(
        metadata.sp(other, "https://other.example/acs", "https://other.example/slo", other_key)
    )
    query = sso_query(sp_key) + f"&tpn-persona={adult().foedselsnummer}&tpn-method=Minid-PIN"
    _, headers, _ = call(app, "GET", f"{PREFIX}/sso", query)
    handle = parse_qs(urlsplit(headers["Location"]).query)["SAMLart"][0]
    # Unsigned: RequestDenied, and the artifact is not used up.
    _, _, data = call(app, "POST", f"{PREFIX}/artifact", body=resolve_request(handle, None))
    denied = etree.fromstring(data)[0][0]
    codes = [c.get("Value") for c in denied.iter(f"{{{ns.SAMLP}}}StatusCode")]
    assert codes == [ns.REQUESTER, ns.REQUEST_DENIED]
    # Signed by another registered SP, naming itself: no Response, still not used up.
    assert resolve(app, handle, other_key, other).find(f"{{{ns.SAMLP}}}Response") is None
    # Signed by someone claiming to be the SP: refused.
    assert resolve(app, handle, other_key, SP).find(f"{{{ns.SAMLP}}}Response") is None
    assert resolve(app, handle).find(f"{{{ns.SAMLP}}}Response") is not None


def test_another_sp_cannot_take_over_a_pending_request(
    portal: Portal, sp_key: keys.SigningKey
) -> None:
    other_key = keys.generate("other.example")
    other = "https://other.example/"
    portal.register(
        metadata.sp(other, "https://other.example/acs", "https://other.example/slo", other_key)
    )
    mine = messages.authn_request(
        issuer=SP, destination=f"{BASE}{PREFIX}/sso", acs_url=ACS, request_id="_same"
    )
    theirs = messages.authn_request(
        issuer=other,
        destination=f"{BASE}{PREFIX}/sso",
        acs_url="https://other.example/acs",
        request_id="_same",
    )
    app = PortalApp(portal)
    assert call(app, "GET", f"{PREFIX}/sso", redirect.encode(mine, key=sp_key))[0] == 200
    status, _, page = call(app, "GET", f"{PREFIX}/sso", redirect.encode(theirs, key=other_key))
    assert status == 400 and b"is in use by another service" in page


def test_a_form_that_is_not_utf8_is_a_400(portal: Portal) -> None:
    status, _, page = call(PortalApp(portal), "POST", f"{PREFIX}/login", body=b"request=\xff")
    assert status == 400 and b"not UTF-8" in page


def test_the_admin_state_counts_sps_and_sessions_and_a_reset_forgets_them(
    portal: Portal, sp_key: keys.SigningKey
) -> None:
    app = PortalApp(portal)
    assert portal.counts() == {"sp": 1, "session": 0}
    query = sso_query(sp_key, level=4) + f"&tpn-persona={adult().foedselsnummer}&tpn-method=BankID"
    assert call(app, "GET", f"{PREFIX}/sso", query)[0] == 302
    assert portal.counts() == {"sp": 1, "session": 1}
    portal.reset()
    assert portal.counts() == {"sp": 0, "session": 0}


# ------------------------------------------------------------------ why a resolve is refused

RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"


def _with_algorithm(data: bytes, element: str, algorithm: str) -> bytes:
    """A signed resolve whose ds:SignatureMethod or ds:DigestMethod names ``algorithm`` (what
    an SP signing with SHA-1 sends; signxml will not make a SHA-1 signature, and the portal
    judges the algorithm before the signature)."""
    root = etree.fromstring(data)
    for found in root.iter(f"{{{ns.DS}}}{element}"):
        found.set("Algorithm", algorithm)
    return etree.tostring(root)


@pytest.mark.parametrize(
    ("request_of", "reason"),
    [
        (lambda h, k: resolve_request(h, None), "is not signed (no ds:Signature)"),
        (
            lambda h, k: _with_algorithm(resolve_request(h, k), "SignatureMethod", RSA_SHA1),
            f"is signed with '{RSA_SHA1}'; the portal accepts {ns.RSA_SHA256}",
        ),
        (
            lambda h, k: _with_algorithm(resolve_request(h, k), "DigestMethod", SHA1),
            f"digests with '{SHA1}'; the portal accepts {ns.SHA256}",
        ),
        (
            lambda h, k: resolve_request(h, keys.generate("not the SP's")),
            "signature does not verify with",
        ),
        (
            lambda h, k: resolve_request(h, k, "https://nobody.example/"),
            "is not a registered service provider",
        ),
    ],
)
def test_a_refused_resolve_names_its_real_reason(
    portal: Portal, sp_key: keys.SigningKey, request_of: Any, reason: str
) -> None:
    """Shibboleth SP signs its ArtifactResolve with RSA-SHA1 unless told otherwise; the refusal
    must say so, not that the SP is unregistered (issue 13)."""
    app = PortalApp(portal)
    query = sso_query(sp_key) + f"&tpn-persona={adult().foedselsnummer}&tpn-method=Minid-PIN"
    _, headers, _ = call(app, "GET", f"{PREFIX}/sso", query)
    handle = parse_qs(urlsplit(headers["Location"]).query)["SAMLart"][0]
    _, _, data = call(app, "POST", f"{PREFIX}/artifact", body=request_of(handle, sp_key))
    denied = etree.fromstring(data)[0][0]
    assert [c.get("Value") for c in denied.iter(f"{{{ns.SAMLP}}}StatusCode")] == [
        ns.REQUESTER,
        ns.REQUEST_DENIED,
    ]
    message = denied.findtext(f"{{{ns.SAMLP}}}Status/{{{ns.SAMLP}}}StatusMessage") or ""
    assert reason in message, message
    assert resolve(app, handle).find(f"{{{ns.SAMLP}}}Response") is not None  # not used up


def test_the_metadata_states_the_algorithms_the_portal_accepts(portal: Portal) -> None:
    root = etree.fromstring(portal.descriptor())
    extensions = root.find(f"{{{ns.MD}}}IDPSSODescriptor/{{{ns.MD}}}Extensions")
    assert extensions is not None and extensions.getparent()[0] is extensions  # first child
    digests = [e.get("Algorithm") for e in extensions.iter(f"{{{ns.ALG}}}DigestMethod")]
    signing = [e.get("Algorithm") for e in extensions.iter(f"{{{ns.ALG}}}SigningMethod")]
    assert digests == [ns.SHA256] and signing == [ns.RSA_SHA256]
    assert metadata.parse_idp(portal.descriptor()).entity_id == portal.entity_id
