"""An SP from another ecosystem, certified as a vendor would certify it: ``@node-saml/node-saml``
run by Node (``node_saml_support``), set up once with ``tpn sp portal-metadata``, its metadata
as the library writes it, then ``tpn certify --profile sp``. The library has no artifact
binding, so it is judged over HTTP-POST alone. Skipped, with the reason, where Node or the
package is missing (.ci/run installs it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from library_sp_support import ALL, certify, certify_args, results, set_up_portal
from node_saml_support import NodeSamlSp, Settings, missing

from tpn.mocks.saml import metadata as md
from tpn.mocks.saml import ns

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(missing() is not None, reason=str(missing())),
]


@pytest.fixture
def node_sp(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[NodeSamlSp, list[str]]]:
    """The SP running, trusting the suite's portal as `tpn sp portal-metadata` describes it, and
    the arguments of `tpn certify` for it (``indirect`` parameters: its misconfiguration)."""
    portal = set_up_portal(tmp_path)
    sp = NodeSamlSp(md.parse_idp(portal.metadata), Settings(**getattr(request, "param", {})))
    try:
        sp.start()
        (tmp_path / "sp.xml").write_bytes(sp.metadata())
        yield sp, certify_args(sp.base_url, portal)
    finally:
        sp.stop()


def test_its_metadata_as_the_library_writes_it_declares_only_http_post(
    node_sp: tuple[NodeSamlSp, list[str]],
) -> None:
    sp, _ = node_sp
    assert [a.binding for a in md.parse_sp(sp.metadata()).acs] == [ns.POST]


def test_a_well_configured_node_saml_sp_is_certified_over_http_post(
    tmp_path: Path, node_sp: tuple[NodeSamlSp, list[str]]
) -> None:
    sp, args = node_sp
    status, data, output = certify(tmp_path, *args, logs=sp.logs)
    by_id = {r["id"]: r for r in data["requirements"]}
    outcome = {rid: r["result"] for rid, r in by_id.items()}
    assert outcome == dict.fromkeys(ALL, "passed"), output
    assert status == 0, output
    assert "HTTP-Artifact" not in " ".join(r["reason"] for r in by_id.values())


@pytest.mark.parametrize(
    ("node_sp", "caught"),
    [
        # The library's own default: no request ID is checked, and nothing else remembers a
        # Response, so any InResponseTo goes and the same Response comes in twice.
        ({"validateInResponseTo": "never"}, {"SP-IRT-001", "SP-RPL-001"}),
        # "Clock trouble": -1 turns off NotBefore and NotOnOrAfter.
        ({"acceptedClockSkewMs": -1}, {"SP-TIME-001", "SP-TIME-002"}),
        ({"audienceCheck": False}, {"SP-AUD-001"}),
        ({"levelCheck": False}, {"SP-LVL-001"}),
        # The library alone: node-saml does not check SubjectConfirmationData's Recipient.
        ({"recipientCheck": False}, {"SP-RCP-001"}),
    ],
    ids=[
        "in-response-to-never",
        "clock-checks-off",
        "no-audience",
        "no-level-check",
        "library-alone-recipient",
    ],
    indirect=["node_sp"],
)
def test_a_node_saml_sp_configured_as_vendors_get_it_wrong_fails_what_catches_that(
    tmp_path: Path, node_sp: tuple[NodeSamlSp, list[str]], caught: set[str]
) -> None:
    sp, args = node_sp
    status, data, output = certify(tmp_path, *args, logs=sp.logs)
    assert results(data, "failed") == caught, output
    assert status == 1
