"""sp: replay, redirects after login, logout (sikkerhetsportal.md)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tpn.conformance.outcomes import not_applicable
from tpn.conformance.sp.browser import context
from tpn.conformance.sp.checks import can_judge
from tpn.conformance.sp.fixtures import Site
from tpn.conformance.sp.forgeries import correct


@pytest.mark.requirement("SP-RPL-001")
def test_a_replayed_assertion(sp_site: Site) -> None:
    first = sp_site.browser()
    pending = first.start()
    data = correct(context(sp_site.portal, pending, sp_site.uid, sp_site.other_uid))
    first.answer(pending, data)
    assert first.logged_in(sp_site.uid), "the first use of a correct assertion created no session"
    again = sp_site.browser()
    again.answer(again.start(), data)
    who = again.anyone(sp_site.uid, sp_site.other_uid)
    assert who is None, f"the same assertion a second time logged {who} in (no replay cache)"


@pytest.mark.requirement("SP-RED-001")
def test_a_relay_state_to_another_site(sp_site: Site) -> None:
    # A correct login must work for the answer to mean anything; then whether the SP follows
    # a RelayState naming another site is what counts. An SP that refuses the login because the
    # RelayState is not one of its own handles (Shibboleth) follows nothing: a pass.
    can_judge(sp_site)
    browser = sp_site.browser()
    pending = browser.start()
    data = correct(context(sp_site.portal, pending, sp_site.uid, sp_site.other_uid))
    answer = browser.answer(pending, data, relay="https://evil.example/")
    target = urlsplit(answer.headers.get("Location", ""))
    assert target.netloc != "evil.example", (
        f"after login the SP sent the browser to {answer.headers.get('Location')} (open redirect)"
    )
    if not browser.logged_in(sp_site.uid) and sp_site.recorder is not None:
        sp_site.recorder.note(
            "the SP refused the login with a RelayState that is not its own, and followed nothing"
        )


@pytest.mark.requirement("SP-SLO-001")
def test_logout_ends_the_session(sp_site: Site) -> None:
    if sp_site.logout_url is None:
        not_applicable("no --tpn-sp-logout-url was given")
    browser = sp_site.browser()
    browser.login(browser.start(), sp_site.uid)
    assert browser.logged_in(sp_site.uid), "the login before the logout created no session"
    browser.logout(sp_site.logout_url)
    assert not browser.logged_in(sp_site.uid), (
        f"after logging out through {sp_site.logout_url}, the probe still shows the persona"
    )
