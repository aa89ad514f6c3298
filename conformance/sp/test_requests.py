"""sp: the AuthnRequest the SP sends (sikkerhetsportal.md § Login 1-2)."""

from __future__ import annotations

import pytest

from tpn.conformance.sp.checks import sent
from tpn.conformance.sp.fixtures import Site
from tpn.mocks.saml import ns, redirect


@pytest.mark.requirement("SP-REQ-001")
def test_the_request_is_signed_with_the_registered_key(sp_site: Site) -> None:
    request = sent(sp_site)
    problem = redirect.verify(request.message, request.provider.certificate)
    assert problem is None, f"the AuthnRequest: {problem}"


@pytest.mark.requirement("SP-REQ-002")
def test_the_request_names_the_sp_and_a_registered_acs_with_a_fresh_id(sp_site: Site) -> None:
    first, second = sent(sp_site), sent(sp_site)
    assert first.provider.acs_for(first.request.acs_url) is not None, (
        f"AssertionConsumerServiceURL {first.request.acs_url!r} is not in the SP's metadata "
        f"({[e.location for e in first.provider.acs]})"
    )
    assert first.request.id != second.request.id, f"two requests share the ID {first.request.id}"


@pytest.mark.requirement("SP-REQ-003")
def test_the_request_states_the_level(sp_site: Site) -> None:
    request = sent(sp_site).request
    assert request.class_refs, "the AuthnRequest has no RequestedAuthnContext (level 3 or 4)"
    assert request.level in (3, 4)
    assert all(c in ns.LEVELS for c in request.class_refs)
