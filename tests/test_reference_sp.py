"""The reference SP refuses every forged or wrong login the suite can make, over both bindings it
declares (HTTP-Artifact and HTTP-POST), and each defective SP accepts the one it is meant to
over each (the SP side's defect matrix, before its pytest profile)."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from tpn.conformance.sp.bindings import Acs
from tpn.conformance.sp.browser import Browser, attempt, context
from tpn.conformance.sp.forgeries import FORGERIES, correct
from tpn.fixtures import population
from tpn.mocks.referencesp.app import Idp, ReferenceSp
from tpn.mocks.saml import ns
from tpn.mocks.sikkerhetsportal.mock import PortalMock
from tpn.mocks.sikkerhetsportal.portal import PREFIX, Portal


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Site:
    portal: Portal
    sp: ReferenceSp

    def browser(self, binding: str | None = None) -> Browser:
        """A browser answering over ``binding`` at the SP's ACS for it (None: as the SP's
        request names, HTTP-Artifact)."""
        acs = {ns.ARTIFACT: self.sp.acs_url, ns.POST: self.sp.post_acs_url}
        return Browser(
            self.portal,
            target=f"{self.sp.base_url}/side",
            probe=f"{self.sp.base_url}/probe",
            expect="Logget inn som {uid}",
            acs=None if binding is None else Acs(binding, acs[binding]),
        )


BINDINGS = pytest.mark.parametrize("binding", [ns.ARTIFACT, ns.POST], ids=["artifact", "post"])


@pytest.fixture(scope="module")
def served() -> Iterator[PortalMock]:
    with PortalMock() as mock:
        yield mock


def start_sp(
    served: PortalMock, lax: frozenset[str] = frozenset(), host: str = "127.0.0.1"
) -> tuple[Site, WSGIServer]:
    portal = served.parts.portal.at(served.base_url)
    base = f"{served.base_url}{PREFIX}"
    idp = Idp(
        entity_id=portal.entity_id,
        sso_url=f"{base}/sso",
        slo_url=f"{base}/slo",
        artifact_url=f"{base}/artifact",
        cert_pem=portal.key.cert_pem.decode(),
    )
    server = make_server(
        "127.0.0.1", 0, lambda e, s: sp(e, s), server_class=_Server, handler_class=_Quiet
    )
    # ``host``: a second SP under another name, since cookies are per host, not per port.
    sp = ReferenceSp(f"http://{host}:{server.server_port}", idp, lax=lax)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    portal.register(sp.metadata())
    return Site(portal, sp), server


@pytest.fixture(scope="module")
def site(served: PortalMock) -> Iterator[Site]:
    found, server = start_sp(served)
    yield found
    server.shutdown()
    server.server_close()


PEOPLE = [p.foedselsnummer for p in population.personas() if p.born.year < 1990][:2]


@BINDINGS
def test_a_correct_login_is_accepted(site: Site, binding: str) -> None:
    uid, other = PEOPLE
    assert attempt(site.browser(binding), None, uid, other) == uid


@BINDINGS
def test_a_login_at_the_portal_is_accepted(site: Site, binding: str) -> None:
    """The portal's own answer (Response and Assertion signed), brought over either binding."""
    uid, _ = PEOPLE
    browser = site.browser(binding)
    browser.login(browser.start(), uid)
    assert browser.logged_in(uid)


def test_its_metadata_declares_both_bindings(site: Site) -> None:
    from tpn.mocks.saml import metadata

    provider = metadata.parse_sp(site.sp.metadata())
    assert [(e.binding, e.location, e.default) for e in provider.acs] == [
        (ns.ARTIFACT, site.sp.acs_url, True),
        (ns.POST, site.sp.post_acs_url, False),
    ]


@BINDINGS
@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_every_forged_login_is_refused(site: Site, name: str, binding: str) -> None:
    uid, other = PEOPLE
    assert attempt(site.browser(binding), name, uid, other) is None


@BINDINGS
def test_a_replayed_assertion_is_refused(site: Site, binding: str) -> None:
    uid, other = PEOPLE
    first = site.browser(binding)
    pending = first.start()
    data = correct(context(site.portal, pending, uid, other))
    first.answer(pending, data)
    assert first.logged_in(uid)
    again = site.browser(binding)
    again.answer(again.start(), data)  # the same bytes for a new request
    assert again.anyone(uid, other) is None


@BINDINGS
def test_a_relay_state_to_another_site_is_not_followed(site: Site, binding: str) -> None:
    uid, other = PEOPLE
    browser = site.browser(binding)
    pending = browser.start()
    answer = browser.answer(
        pending, correct(context(site.portal, pending, uid, other)), relay="https://evil.example/"
    )
    assert answer.status_code == 302
    assert urlsplit(answer.headers["Location"]).netloc != "evil.example"


def test_logout_ends_the_session(site: Site) -> None:
    uid, _ = PEOPLE
    browser = site.browser()
    browser.login(browser.start(), uid)
    assert browser.logged_in(uid)
    browser.logout(f"{site.sp.base_url}/logout")
    assert not browser.logged_in(uid)


# Each defect and the check that must catch it: the forged login it lets through.
CAUGHT_BY = {
    "accepts-unsigned": "unsigned",
    "wrapping-vulnerable": "xsw3",
    "comment-truncates": "comment-in-uid",
    "ignores-expiry": "expired",
    "ignores-audience": "wrong-audience",
    "ignores-recipient": "wrong-recipient",
    "ignores-in-response-to": "unknown-request",
    "ignores-level": "low-level",
    "accepts-invalid-uid": "invalid-uid",
}


@pytest.mark.parametrize("defect", sorted(CAUGHT_BY))
def test_each_defective_sp_lets_its_forgery_in(served: PortalMock, defect: str) -> None:
    uid, other = PEOPLE
    found, server = start_sp(served, frozenset({defect}))
    try:
        for binding in (ns.ARTIFACT, ns.POST):
            assert attempt(found.browser(binding), CAUGHT_BY[defect], uid, other) is not None
            assert attempt(found.browser(binding), None, uid, other) == uid  # still logs in
    finally:
        server.shutdown()
        server.server_close()


def test_a_defective_sp_without_a_replay_cache_takes_a_replay(served: PortalMock) -> None:
    uid, other = PEOPLE
    found, server = start_sp(served, frozenset({"no-replay-cache"}))
    try:
        first = found.browser()
        pending = first.start()
        data = correct(context(found.portal, pending, uid, other))
        first.answer(pending, data)
        again = found.browser()
        again.answer(again.start(), data)
        assert again.logged_in(uid)
    finally:
        server.shutdown()
        server.server_close()


def test_a_defective_sp_follows_any_relay_state(served: PortalMock) -> None:
    uid, other = PEOPLE
    found, server = start_sp(served, frozenset({"open-redirect"}))
    try:
        browser = found.browser()
        pending = browser.start()
        data = correct(context(found.portal, pending, uid, other))
        answer = browser.answer(pending, data, relay="https://evil.example/")
        assert urlsplit(answer.headers["Location"]).netloc == "evil.example"
    finally:
        server.shutdown()
        server.server_close()


def test_a_defective_sp_keeps_its_session_after_logout(served: PortalMock) -> None:
    uid, _ = PEOPLE
    found, server = start_sp(served, frozenset({"logout-keeps-session"}))
    try:
        browser = found.browser()
        browser.login(browser.start(), uid)
        browser.logout(f"{found.sp.base_url}/logout")
        assert browser.logged_in(uid)
    finally:
        server.shutdown()
        server.server_close()


def test_an_answer_to_another_browsers_login_is_refused(site: Site) -> None:
    """Login CSRF: the attacker's artifact, opened in the victim's browser, logs nobody in."""
    uid, other = PEOPLE
    attacker = site.browser()
    pending = attacker.start()
    answer = site.portal.deliver(pending, correct(context(site.portal, pending, other, uid)))
    victim = site.browser()
    victim.http.get(answer.location, allow_redirects=False, timeout=10)
    assert victim.anyone(uid, other) is None


def test_logging_out_of_one_sp_logs_the_browser_out_of_the_others(served: PortalMock) -> None:
    """Single logout over the front channel: the portal sends the other SP a LogoutRequest."""
    uid, _ = PEOPLE
    first, one = start_sp(served)
    second, two = start_sp(served, host="localhost")
    try:
        browser = first.browser()
        browser.login(browser.start(), uid)
        elsewhere = second.browser()
        elsewhere.http = browser.http  # the same browser, at the second SP
        elsewhere.portal_session = browser.portal_session
        elsewhere.login(elsewhere.start(), uid)
        assert browser.logged_in(uid) and elsewhere.logged_in(uid)
        browser.logout(f"{first.sp.base_url}/logout")
        assert not browser.logged_in(uid)
        assert not elsewhere.logged_in(uid), "the second SP kept its session after single logout"
    finally:
        for server in (one, two):
            server.shutdown()
            server.server_close()


def test_an_answer_posted_into_another_browser_is_refused(site: Site) -> None:
    """Login CSRF over HTTP-POST: the attacker's own Response, posted by the victim's browser
    (a form on the attacker's page), logs nobody in."""
    uid, other = PEOPLE
    attacker = site.browser(ns.POST)
    pending = attacker.start()
    data = correct(context(site.portal, pending, other, uid))
    victim = site.browser(ns.POST)
    form = {"SAMLResponse": base64.b64encode(data).decode(), "RelayState": "/side"}
    victim.http.post(site.sp.post_acs_url, data=form, timeout=10)
    assert victim.anyone(uid, other) is None


@pytest.mark.parametrize(
    ("how", "status", "words"),
    [
        ({"method": "GET"}, 405, "takes a POST"),
        ({"data": b"SAMLResponse=%%%", "content_type": "text/plain"}, 415, "must be"),
        ({"data": b"RelayState=%2Fside"}, 400, "one SAMLResponse, not 0"),
        ({"data": b"SAMLResponse=not*base64"}, 400, "not base64"),
        ({"data": b"SAMLResponse=" + b"A" * (300 * 1024)}, 413, "at most"),
        ({"data": b"&".join([b"a=1"] * 20)}, 400, "more than 8 fields"),
        ({"data": b"SAMLResponse=" + base64.b64encode(b"<x/>")}, 403, "not a samlp:Response"),
    ],
    ids=["get", "not-a-form", "no-response", "not-base64", "too-big", "fields", "not-saml"],
)
def test_a_post_the_binding_cannot_read_is_refused_with_a_reason(
    site: Site, how: dict[str, object], status: int, words: str
) -> None:
    import requests

    kind = str(how.get("content_type", "application/x-www-form-urlencoded"))
    http = requests.Session()
    http.trust_env = False  # no proxy between the test and 127.0.0.1
    answer = http.request(
        str(how.get("method", "POST")),
        site.sp.post_acs_url,
        data=how.get("data"),  # type: ignore[arg-type]
        headers={"Content-Type": kind},
        timeout=10,
    )
    assert answer.status_code == status, answer.text
    assert words in answer.text and "Traceback" not in answer.text
