"""Shibboleth SP 3 (Debian's Apache module and shibd), certified as a municipality would certify
it (``shibboleth_support``): set up once with ``tpn sp portal-metadata``, its own metadata taken
from its metadata handler, then ``tpn certify --profile sp``. It declares HTTP-Artifact first
and HTTP-POST second, and is judged over both. Needs root and Debian's packages (.ci/run
installs them); skipped with the reason otherwise."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from served import run_tpn
from shibboleth_support import Settings, ShibbolethSp, missing

from tpn.conformance import profiles
from tpn.mocks.core.serving import free_port
from tpn.mocks.saml import metadata as md
from tpn.mocks.saml import ns

ALL = [r.id for r in profiles.get("sp").catalogue]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(missing() is not None, reason=str(missing())),
]


@pytest.fixture
def shibboleth(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[ShibbolethSp, list[str]]]:
    """The SP running, trusting the suite's portal as `tpn sp portal-metadata` describes it, and
    the arguments of `tpn certify` for it (``indirect`` parameters: its misconfiguration)."""
    port = free_port()
    made = run_tpn(
        tmp_path,
        "sp",
        "portal-metadata",
        "--idp-port",
        str(port),
        "--idp-key",
        "portal.pem",
        "--output",
        "portal.xml",
    )
    assert made.returncode == 0, made.stderr
    portal = (tmp_path / "portal.xml").read_bytes()
    sp = ShibbolethSp(portal, md.parse_idp(portal), Settings(**getattr(request, "param", {})))
    try:
        sp.start()
        (tmp_path / "sp.xml").write_bytes(sp.metadata())
        yield (
            sp,
            [
                "--target",
                f"{sp.base_url}/side",
                "--sp-metadata",
                "sp.xml",
                "--probe-url",
                f"{sp.base_url}/probe",
                "--probe-expect",
                "Innlogget: {uid}",
                "--sp-logout-url",
                f"{sp.base_url}/logout",
                "--idp-port",
                str(port),
                "--idp-key",
                "portal.pem",
            ],
        )
    finally:
        sp.stop()


def certify(sp: ShibbolethSp, cwd: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    done = run_tpn(
        cwd, "certify", "--profile", "sp", "--level", "full", "--report-dir", "report", *args
    )
    path = cwd / "report" / "report.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    output = done.stdout[-6000:] + done.stderr[-2000:]
    return done.returncode, data, f"{output}\n{sp.logs()[-4000:]}"


def test_its_metadata_declares_the_artifact_acs_first(
    shibboleth: tuple[ShibbolethSp, list[str]],
) -> None:
    sp, _ = shibboleth
    acs = md.parse_sp(sp.metadata()).acs
    assert [a.binding for a in acs][:2] == [ns.ARTIFACT, ns.POST]


def test_a_well_configured_shibboleth_sp_is_certified_over_both_bindings(
    tmp_path: Path, shibboleth: tuple[ShibbolethSp, list[str]]
) -> None:
    sp, args = shibboleth
    status, data, output = certify(sp, tmp_path, *args)
    by_id = {r["id"]: r for r in data["requirements"]}
    outcome = {rid: r["result"] for rid, r in by_id.items()}
    assert outcome == dict.fromkeys(ALL, "passed"), output
    assert status == 0, output


@pytest.mark.parametrize(
    ("shibboleth", "caught"),
    [
        # Shibboleth's default security policy: unsolicited responses, and any InResponseTo.
        ({"block_unsolicited": False}, {"SP-IRT-001"}),
        # The Require rule forgotten: Shibboleth makes a session at any level.
        ({"level_check": False}, {"SP-LVL-001"}),
        # Whatever uid the portal sends goes into the application.
        ({"uid_check": False}, {"SP-UID-001"}),
    ],
    ids=["default-policy", "no-level-rule", "no-uid-check"],
    indirect=["shibboleth"],
)
def test_a_shibboleth_sp_configured_as_municipalities_get_it_wrong_fails_what_catches_that(
    tmp_path: Path, shibboleth: tuple[ShibbolethSp, list[str]], caught: set[str]
) -> None:
    sp, args = shibboleth
    status, data, output = certify(sp, tmp_path, *args)
    failed = {r["id"] for r in data["requirements"] if r["result"] == "failed"}
    assert failed == caught, output
    assert status == 1


@pytest.mark.parametrize(
    "shibboleth", [{"signing_alg": "http://www.w3.org/2000/09/xmldsig#rsa-sha1"}], indirect=True
)
def test_told_to_sign_with_rsa_sha1_it_fails_the_request_and_the_login_and_nothing_else(
    tmp_path: Path, shibboleth: tuple[ShibbolethSp, list[str]]
) -> None:
    """The portal refuses an RSA-SHA1 AuthnRequest and says so; a refusal of a forgery proves
    nothing when no login can start, so those requirements are *not run*, saying why."""
    sp, args = shibboleth
    status, data, output = certify(sp, tmp_path, *args)
    by_id = {r["id"]: r for r in data["requirements"]}
    failed = {rid for rid, r in by_id.items() if r["result"] == "failed"}
    assert failed == {"SP-REQ-001", "SP-LOGIN-001"}, output
    assert "rsa-sha1" in by_id["SP-LOGIN-001"]["reason"], output
    assert "the portal refuses the SP's AuthnRequest" in by_id["SP-LOGIN-001"]["reason"]
    not_run = {rid for rid, r in by_id.items() if r["result"] == "not_run"}
    assert not_run == set(ALL) - failed - {"SP-REQ-002", "SP-REQ-003"}, output
    assert all("could not start" in by_id[rid]["reason"] for rid in not_run), output
    assert status == 1
