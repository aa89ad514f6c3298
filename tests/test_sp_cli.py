"""``tpn sp register`` and the admin route register SPs; ``--public-url`` names the portal."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tpn.harness.cli import build_parser, main
from tpn.mocks.compose import ComposedMock
from tpn.mocks.core.config import MockConfig
from tpn.mocks.saml import keys, metadata
from tpn.mocks.sikkerhetsportal.mock import PortalPart


@pytest.fixture(scope="module")
def sp_metadata() -> bytes:
    return metadata.sp(
        "https://sp.example/",
        "https://sp.example/acs",
        "https://sp.example/slo",
        keys.generate("sp"),
    )


def test_register_and_list(
    tmp_path: Path, sp_metadata: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'mocks.sqlite3'}"
    (tmp_path / "sp.xml").write_bytes(sp_metadata)
    assert main(["sp", "register", str(tmp_path / "sp.xml"), "--db", db]) == 0
    assert capsys.readouterr().out == (
        "registered https://sp.example/: ACS https://sp.example/acs (HTTP-Artifact)\n"
    )
    assert main(["sp", "list", "--db", db]) == 0
    assert capsys.readouterr().out == "https://sp.example/\n"


def test_register_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'mocks.sqlite3'}"
    assert main(["sp", "register", str(tmp_path / "none.xml"), "--db", db]) == 2
    assert "tpn sp: error: cannot read" in capsys.readouterr().err
    (tmp_path / "bad.xml").write_bytes(
        b"<md:EntityDescriptor xmlns:md='urn:oasis:names:tc:SAML:2.0:metadata'/>"
    )
    # Metadata that cannot be registered is the user's input refused: one line, exit 2.
    assert main(["sp", "register", str(tmp_path / "bad.xml"), "--db", db]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tpn sp: error: ") and "md:EntityDescriptor has no entityID" in err


def test_the_portal_is_outside_the_archives_basic_auth_but_its_admin_is_not(
    sp_metadata: bytes,
) -> None:
    with ComposedMock(MockConfig(auth=("arkiv", "hemmelig"))) as served:
        http = requests.Session()
        http.trust_env = False
        page = http.get(f"{served.base_url}/sikkerhetsportal/metadata", timeout=10)
        assert page.status_code == 200
        # The entityID and endpoints are the URL the request came to.
        assert f'entityID="{served.base_url}/sikkerhetsportal/metadata"' in page.text
        admin = f"{served.base_url}/__admin/sikkerhetsportal/sp"
        assert http.post(admin, data=sp_metadata, timeout=10).status_code == 401
        done = http.post(admin, data=sp_metadata, auth=("arkiv", "hemmelig"), timeout=10)
        assert done.status_code == 200 and done.json()["registered"] == "https://sp.example/"
        bad = http.post(admin, data=b"<x/>", auth=("arkiv", "hemmelig"), timeout=10)
        assert bad.status_code == 400
        assert "not md:EntityDescriptor" in bad.json()["error"]
        listed = http.get(admin, auth=("arkiv", "hemmelig"), timeout=10).json()
        assert listed == {"providers": ["https://sp.example/"]}


def test_a_public_url_is_what_the_portal_says_it_is() -> None:
    config = MockConfig(public_url="https://harness.ci.example")
    with ComposedMock(config) as served:
        http = requests.Session()
        http.trust_env = False
        text = http.get(f"{served.base_url}/sikkerhetsportal/metadata", timeout=10).text
    assert 'entityID="https://harness.ci.example/sikkerhetsportal/metadata"' in text
    assert 'Location="https://harness.ci.example/sikkerhetsportal/sso"' in text
    args = build_parser().parse_args(["serve", "--public-url", "https://harness.ci.example/"])
    assert args.public_url == "https://harness.ci.example"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--public-url", "ftp://x"])
    assert MockConfig.from_json(config.to_json()).public_url == "https://harness.ci.example"


def test_a_portal_key_file_is_used(tmp_path: Path) -> None:
    key = keys.generate("given")
    (tmp_path / "portal.pem").write_bytes(key.to_pem())
    with ComposedMock(MockConfig(portal_key=str(tmp_path / "portal.pem"))) as served:
        assert served.parts.part(PortalPart).portal.key.fingerprint == key.fingerprint
        http = requests.Session()
        http.trust_env = False
        text = http.get(f"{served.base_url}/sikkerhetsportal/metadata", timeout=10).text
    assert key.cert_base64 in text
    args = build_parser().parse_args(["serve", "--portal-key", str(tmp_path / "portal.pem")])
    assert args.portal_key == str(tmp_path / "portal.pem")


def test_the_portals_exchanges_are_in_the_journal(sp_metadata: bytes) -> None:
    with ComposedMock() as served:
        http = requests.Session()
        http.trust_env = False
        http.get(f"{served.base_url}/sikkerhetsportal/metadata", timeout=10)
        http.get(f"{served.base_url}/sikkerhetsportal/sso?SAMLRequest=%%%", timeout=10)
        http.post(f"{served.base_url}/sikkerhetsportal/login", data=b"request=\xff", timeout=10)
        entries = [e for e in served.journal() if e.service == "sikkerhetsportal"]
    assert [(e.operation, e.http_status, e.outcome) for e in entries] == [
        ("metadata", 200, "ok"),
        ("sso", 400, "refused"),
        ("login", 400, "refused"),
    ]
    assert entries[1].request.startswith(b"GET /sikkerhetsportal/sso?SAMLRequest=%25%25%25")
    assert "cannot be read" in entries[1].validation
    assert entries[2].request.endswith(b"request=\xff")
