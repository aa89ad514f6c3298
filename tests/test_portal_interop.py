"""The security portal with a mainstream SAML SP library: OneLogin's python3-saml logs a persona
in (signed AuthnRequest over HTTP-Redirect, the Response over the HTTP-POST option, since the
library has no artifact binding) and out again (signed LogoutRequest and LogoutResponse over
HTTP-Redirect), against the portal served over HTTP as `tpn serve` serves it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from tpn.fixtures import population
from tpn.mocks.saml import keys, ns
from tpn.mocks.sikkerhetsportal.mock import PortalMock

SP = "https://tjenester.example/sp"
ACS = "https://tjenester.example/acs"
SLO = "https://tjenester.example/slo"


@pytest.fixture(scope="module")
def served() -> Iterator[PortalMock]:
    with PortalMock() as mock:
        yield mock


def _body(pem: bytes) -> str:
    return "".join(line for line in pem.decode().splitlines() if not line.startswith("-----"))


def settings(served: PortalMock, idp_cert: str) -> dict[str, Any]:
    portal = f"{served.base_url}/sikkerhetsportal"
    sp_key = keys.generate("tjenester.example")
    return {
        "strict": True,
        "sp": {
            "entityId": SP,
            "assertionConsumerService": {"url": ACS, "binding": ns.POST},
            "singleLogoutService": {"url": SLO, "binding": ns.REDIRECT},
            "NameIDFormat": ns.TRANSIENT,
            "x509cert": sp_key.cert_base64,
            "privateKey": _body(sp_key.key_pem),
        },
        "idp": {
            "entityId": f"{portal}/metadata",
            "singleSignOnService": {"url": f"{portal}/sso", "binding": ns.REDIRECT},
            "singleLogoutService": {"url": f"{portal}/slo", "binding": ns.REDIRECT},
            "x509cert": idp_cert,
        },
        "security": {
            "authnRequestsSigned": True,
            "logoutRequestSigned": True,
            "logoutResponseSigned": True,
            "wantAssertionsSigned": True,
            "wantMessagesSigned": True,
            "signatureAlgorithm": ns.RSA_SHA256,
            "digestAlgorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
            "requestedAuthnContext": [ns.PASSWORD_PROTECTED],
            "requestedAuthnContextComparison": "minimum",
        },
    }


def sp_request(
    url: str, *, get: dict[str, str] | None = None, post: dict[str, str] | None = None
) -> dict[str, Any]:
    """What python3-saml reads of the request the browser brought to the SP."""
    parts = urlsplit(url)
    return {
        "https": "on",
        "http_host": parts.netloc,
        "script_name": parts.path,
        "get_data": get or {},
        "post_data": post or {},
    }


def test_python3_saml_logs_in_and_out(served: PortalMock) -> None:
    http = requests.Session()
    http.trust_env = False
    idp_metadata = http.get(f"{served.base_url}/sikkerhetsportal/metadata", timeout=10)
    assert idp_metadata.status_code == 200
    cert = idp_metadata.text.split("<ds:X509Certificate>")[1].split("</ds:X509Certificate>")[0]
    config = settings(served, cert)
    # The SP registers with the portal from its own metadata, over the admin API.
    sp_metadata = OneLogin_Saml2_Settings(config).get_sp_metadata()
    registered = http.post(
        f"{served.base_url}/__admin/sikkerhetsportal/sp", data=sp_metadata, timeout=10
    )
    assert registered.status_code == 200, registered.text
    assert registered.json()["registered"] == SP

    # Login: the library's signed AuthnRequest; the portal's test shortcut stands for the page.
    auth = OneLogin_Saml2_Auth(sp_request(ACS), config)
    login_url = auth.login(return_to="https://tjenester.example/min-side")
    request_id = auth.get_last_request_id()
    person = next(p for p in population.personas() if p.born.year < 1990)
    answer = http.get(
        f"{login_url}&tpn-persona={person.foedselsnummer}&tpn-method=Minid-PIN",
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    form = answer.text
    assert f'action="{ACS}"' in form
    posted = {
        name: form.split(f'name="{name}" value="')[1].split('"')[0]
        for name in ("SAMLResponse", "RelayState")
    }
    acs = OneLogin_Saml2_Auth(sp_request(ACS, post=posted), config)
    acs.process_response(request_id=request_id)
    assert acs.get_errors() == [], acs.get_last_error_reason()
    assert acs.is_authenticated()
    attributes = acs.get_attributes()
    assert attributes["uid"] == [person.foedselsnummer]
    assert attributes["SecurityLevel"] == ["3"] and attributes["AuthMethod"] == ["Minid-PIN"]
    assert posted["RelayState"] == "https://tjenester.example/min-side"

    # Logout: the library's signed LogoutRequest; the portal ends the session and answers.
    out = OneLogin_Saml2_Auth(sp_request(SLO), config)
    logout_url = out.logout(
        name_id=acs.get_nameid(),
        session_index=acs.get_session_index(),
        name_id_format=ns.TRANSIENT,
        return_to="https://tjenester.example/",
    )
    logout_id = out.get_last_request_id()
    back = http.get(logout_url, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    location = urlsplit(back.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == SLO
    get = {k: v[0] for k, v in parse_qs(location.query).items()}
    done = OneLogin_Saml2_Auth(sp_request(SLO, get=get), config)
    done.process_slo(request_id=logout_id, keep_local_session=True)
    assert done.get_errors() == [], done.get_last_error_reason()
