"""The sp suite's checks: what a test asserts about the SP, with messages that say what it did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from tpn.conformance.sp import bindings
from tpn.conformance.sp.bindings import Acs
from tpn.conformance.sp.browser import Broken, attempt, attempt_of
from tpn.conformance.sp.fixtures import Site
from tpn.mocks.saml import messages, redirect
from tpn.mocks.saml.metadata import ServiceProvider
from tpn.mocks.sikkerhetsportal.errors import LoginError


def _unstarted(exc: LoginError | Broken) -> str:
    """Why a login could not even start: the portal refused the SP's AuthnRequest (the
    portal's own reason), or the SP did not send the browser to the portal."""
    if isinstance(exc, LoginError):
        return f"the portal refuses the SP's AuthnRequest: {exc}"
    return str(exc)


def judge(site: Site, check: Callable[[Acs], str | None]) -> None:
    """Run ``check`` over every binding of the run (``Site.acs``): the requirement passes only
    when it passes over each. A failure over any binding fails it, naming the binding (and
    saying where it could not be judged); else a binding it could not judge over leaves it
    *not run*, saying why; notes (how it passed) go to the report, each naming its binding."""
    __tracebackhide__ = True

    def started(acs: Acs) -> str | None:
        # A login that cannot start fails this binding with the reason (SP-LOGIN-001 and the
        # request checks); checks of refusals have already turned it into *not run*.
        try:
            return check(acs)
        except (LoginError, Broken) as exc:
            raise AssertionError(_unstarted(exc)) from None

    found = bindings.each(site.acs, started)
    if found.failed:
        unjudged = [f"not judged {u}" for u in found.unjudged]
        raise AssertionError("; ".join(found.failed + unjudged))
    if found.unjudged:
        pytest.skip("; ".join(found.unjudged))
    for note in found.notes:
        if site.recorder is not None:
            site.recorder.note(note)


def can_judge(site: Site, acs: Acs | None = None) -> None:
    """A refusal only means something if a correct login shows on the probe in this run, over
    the same binding: otherwise the requirement is *not run* (SP-LOGIN-001 says why), never
    passed."""
    __tracebackhide__ = True
    try:
        tried = attempt_of(site.browser(acs), None, site.uid, site.other_uid)
    except (LoginError, Broken) as exc:
        pytest.skip(
            "cannot judge: a correct login could not start, so a refusal proves nothing: "
            f"{_unstarted(exc)}; see SP-LOGIN-001"
        )
    if tried.who != site.uid:
        pytest.skip(
            "cannot judge: the correct login failed, so a refusal proves nothing: the probe "
            f"does not show {site.expect.replace('{uid}', site.uid)!r} at {site.probe} after "
            f"it ({tried.said()}); see SP-LOGIN-001"
        )


def refused(site: Site, *forgeries: str) -> None:
    """Each forged login must leave nobody logged in, over every binding."""
    __tracebackhide__ = True

    def over(acs: Acs) -> None:
        can_judge(site, acs)
        let_in = []
        for name in forgeries:
            who = attempt(site.browser(acs), name, site.uid, site.other_uid)
            if who is not None:
                let_in.append(f"{name}: the probe shows {who} logged in")
        assert not let_in, "the SP created a session for a forged login: " + "; ".join(let_in)

    judge(site, over)


def not_fooled(site: Site, *forgeries: str) -> None:
    """Wrapping and comments (sikkerhetsportal.md, the last section): the attack succeeds when
    anyone but the identity the portal signed, read in full, gets a session: the attacker's
    persona from the unsigned copy, or a uid cut short at a comment. An SP that ignores the
    unsigned or extra parts and logs in exactly the signed persona passes; the report says so.
    (The probe shows the uid, so a NameID cut short under a full uid is not seen, and is no
    other persona's session.)"""
    __tracebackhide__ = True

    def over(acs: Acs) -> str | None:
        can_judge(site, acs)
        fooled, ignored = [], []
        for name in forgeries:
            who = attempt(site.browser(acs), name, site.uid, site.other_uid)
            if who == site.uid:
                ignored.append(name)
            elif who is not None:
                whom = "the attacker's persona" if who == site.other_uid else "a uid cut short"
                fooled.append(f"{name}: the probe shows {who} logged in ({whom})")
        assert not fooled, "the SP gave a forged identity a session: " + "; ".join(fooled)
        if not ignored:
            return None
        return (
            f"{', '.join(ignored)}: the SP logged in the persona the portal signed, in full, "
            "ignoring the forged part (conformant; refusing the whole response is stricter)"
        )

    judge(site, over)


@dataclass(frozen=True)
class Sent:
    """An AuthnRequest as the SP sent it."""

    message: redirect.RedirectMessage
    request: messages.AuthnRequest
    provider: ServiceProvider


def sent(site: Site) -> Sent:
    """Open the protected page and read the AuthnRequest the SP sends (checks nothing)."""
    __tracebackhide__ = True
    browser = site.browser()
    page = browser.http.get(site.target)  # a redirect comes back as it is, never followed
    location = page.headers.get("Location", "")
    if page.status_code not in (302, 303) or not location.startswith(site.portal.sso_url):
        raise Broken(
            f"{site.target} answered {page.status_code}, not a redirect to "
            f"{site.portal.sso_url} (Location {location!r})"
        )
    message = redirect.decode(urlsplit(location).query)
    request = messages.parse_authn_request(message.xml)
    provider = site.portal.provider(request.issuer)
    assert provider is not None, (
        f"the AuthnRequest's Issuer {request.issuer!r} is not the entityID of the SP's metadata "
        f"({', '.join(site.portal.providers())})"
    )
    return Sent(message, request, provider)
