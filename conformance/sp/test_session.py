"""sp: replay, redirects after login, logout (sikkerhetsportal.md), over each binding the SP
declares."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tpn.conformance.outcomes import not_applicable
from tpn.conformance.sp.bindings import Acs
from tpn.conformance.sp.browser import context
from tpn.conformance.sp.checks import can_judge, judge
from tpn.conformance.sp.fixtures import Site
from tpn.conformance.sp.forgeries import correct


@pytest.mark.requirement("SP-RPL-001")
def test_a_replayed_assertion(sp_site: Site) -> None:
    def over(acs: Acs) -> None:
        can_judge(sp_site, acs)
        first = sp_site.browser(acs)
        pending = first.start()
        data = correct(context(sp_site.portal, pending, sp_site.uid, sp_site.other_uid))
        first.answer(pending, data)
        assert first.logged_in(sp_site.uid), (
            "the first use of a correct assertion created no session"
        )
        again = sp_site.browser(acs)
        again.answer(again.start(), data)
        who = again.anyone(sp_site.uid, sp_site.other_uid)
        assert who is None, f"the same assertion a second time logged {who} in (no replay cache)"

    judge(sp_site, over)


@pytest.mark.requirement("SP-RED-001")
def test_a_relay_state_to_another_site(sp_site: Site) -> None:
    # A correct login must work for the answer to mean anything; then whether the SP follows
    # a RelayState naming another site is what counts. An SP that refuses the login because the
    # RelayState is not one of its own handles (Shibboleth) follows nothing: a pass.
    def over(acs: Acs) -> str | None:
        can_judge(sp_site, acs)
        browser = sp_site.browser(acs)
        pending = browser.start()
        data = correct(context(sp_site.portal, pending, sp_site.uid, sp_site.other_uid))
        answer = browser.answer(pending, data, relay="https://evil.example/")
        target = urlsplit(answer.headers.get("Location", ""))
        assert target.netloc != "evil.example", (
            f"after login the SP sent the browser to {answer.headers.get('Location')} "
            "(open redirect)"
        )
        if browser.logged_in(sp_site.uid):
            return None
        return (
            "the SP refused the login with a RelayState that is not its own, and followed nothing"
        )

    judge(sp_site, over)


@pytest.mark.requirement("SP-SLO-001")
def test_logout_ends_the_session(sp_site: Site) -> None:
    logout_url = sp_site.logout_url
    if logout_url is None:
        not_applicable("no --tpn-sp-logout-url was given")

    def over(acs: Acs) -> None:
        can_judge(sp_site, acs)  # a logout proves nothing without a login first
        browser = sp_site.browser(acs)
        browser.login(browser.start(), sp_site.uid)
        assert browser.logged_in(sp_site.uid), "the login before the logout created no session"
        browser.logout(logout_url)
        assert not browser.logged_in(sp_site.uid), (
            f"after logging out through {logout_url}, the probe still shows the persona"
        )

    judge(sp_site, over)
