"""sp: forged and wrong logins, each refused without a session (sikkerhetsportal.md, "What an SP
must get right")."""

from __future__ import annotations

import pytest

from tpn.conformance.sp.checks import not_fooled, refused
from tpn.conformance.sp.fixtures import Site


@pytest.mark.requirement("SP-SIG-001")
def test_unsigned(sp_site: Site) -> None:
    refused(sp_site, "unsigned", "stripped-signature")


@pytest.mark.requirement("SP-SIG-002")
def test_wrong_key(sp_site: Site) -> None:
    refused(sp_site, "wrong-key")


@pytest.mark.requirement("SP-SIG-003")
def test_tampered_or_algorithm_swapped(sp_site: Site) -> None:
    refused(sp_site, "tampered-uid", "swapped-algorithm")


@pytest.mark.requirement("SP-XSW-001")
def test_response_level_wrapping(sp_site: Site) -> None:
    not_fooled(sp_site, "xsw1", "xsw2")


@pytest.mark.requirement("SP-XSW-002")
def test_assertion_level_wrapping(sp_site: Site) -> None:
    not_fooled(sp_site, "xsw3", "xsw4", "xsw5", "xsw6", "xsw7", "xsw8")


@pytest.mark.requirement("SP-XXE-001")
def test_doctype(sp_site: Site) -> None:
    refused(sp_site, "doctype")


@pytest.mark.requirement("SP-TIME-001")
def test_expired(sp_site: Site) -> None:
    refused(sp_site, "expired")


@pytest.mark.requirement("SP-TIME-002")
def test_not_yet_valid(sp_site: Site) -> None:
    refused(sp_site, "not-yet-valid")


@pytest.mark.requirement("SP-AUD-001")
def test_wrong_audience(sp_site: Site) -> None:
    refused(sp_site, "wrong-audience")


@pytest.mark.requirement("SP-RCP-001")
def test_wrong_recipient(sp_site: Site) -> None:
    refused(sp_site, "wrong-recipient")


@pytest.mark.requirement("SP-IRT-001")
def test_unknown_request(sp_site: Site) -> None:
    refused(sp_site, "unknown-request")


@pytest.mark.requirement("SP-LVL-001")
def test_low_level(sp_site: Site) -> None:
    refused(sp_site, "low-level")


@pytest.mark.requirement("SP-UID-001")
def test_invalid_uid(sp_site: Site) -> None:
    refused(sp_site, "invalid-uid")


@pytest.mark.requirement("SP-CMT-001")
def test_comments(sp_site: Site) -> None:
    not_fooled(sp_site, "comment-in-uid", "comment-in-nameid")
