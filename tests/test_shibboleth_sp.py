"""Shibboleth SP 3 (Debian's Apache module and shibd), certified as a municipality would certify
it (``shibboleth_support``): set up once with ``tpn sp portal-metadata``, its own metadata taken
from its metadata handler, then ``tpn certify --profile sp``. It declares HTTP-Artifact first
and HTTP-POST second, and is judged over both. Needs root and Debian's packages (.ci/run
installs them); skipped with the reason otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from library_sp_support import ALL, certify, certify_args, results, set_up_portal
from shibboleth_support import Settings, ShibbolethSp, missing

from tpn.mocks.saml import metadata as md
from tpn.mocks.saml import ns

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
    portal = set_up_portal(tmp_path)
    settings = Settings(**getattr(request, "param", {}))
    sp = ShibbolethSp(portal.metadata, md.parse_idp(portal.metadata), settings)
    try:
        sp.start()
        (tmp_path / "sp.xml").write_bytes(sp.metadata())
        yield sp, certify_args(sp.base_url, portal)
    finally:
        sp.stop()


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
    status, data, output = certify(tmp_path, *args, logs=sp.logs)
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
    status, data, output = certify(tmp_path, *args, logs=sp.logs)
    assert results(data, "failed") == caught, output
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
    status, data, output = certify(tmp_path, *args, logs=sp.logs)
    by_id = {r["id"]: r for r in data["requirements"]}
    failed = results(data, "failed")
    assert failed == {"SP-REQ-001", "SP-LOGIN-001"}, output
    assert "rsa-sha1" in by_id["SP-LOGIN-001"]["reason"], output
    assert "the portal refuses the SP's AuthnRequest" in by_id["SP-LOGIN-001"]["reason"]
    not_run = results(data, "not_run")
    assert not_run == set(ALL) - failed - {"SP-REQ-002", "SP-REQ-003"}, output
    assert all("could not start" in by_id[rid]["reason"] for rid in not_run), output
    assert status == 1
