"""sp: a correct login (sikkerhetsportal.md § Login 3-5), over each binding the SP declares."""

from __future__ import annotations

import pytest

from tpn.conformance.sp.bindings import Acs
from tpn.conformance.sp.checks import judge
from tpn.conformance.sp.fixtures import Site


@pytest.mark.requirement("SP-LOGIN-001")
def test_a_correct_login_creates_a_session(sp_site: Site) -> None:
    def over(acs: Acs) -> None:
        browser = sp_site.browser(acs)
        browser.login(browser.start(), sp_site.uid, "BankID")
        assert browser.logged_in(sp_site.uid), (
            f"after a correct login of {sp_site.uid}, the probe {sp_site.probe} does not show "
            f"{sp_site.expect.replace('{uid}', sp_site.uid)!r}"
        )

    judge(sp_site, over)
