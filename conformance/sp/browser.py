"""The suite as the browser and the portal at once: it opens the SP's protected page, takes the
AuthnRequest the SP sends, answers it with a Response of its choosing over one of the SP's
bindings (an artifact the SP resolves at the portal, or the Response posted to its ACS as the
HTTP-POST binding's form carries it), and asks the SP's probe who is logged in."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urljoin, urlsplit

import requests

from tpn.conformance.evidence import Exchange, Message, Recorder
from tpn.conformance.sp.bindings import Acs
from tpn.conformance.sp.forgeries import Context, Forgery, correct, forge
from tpn.conformance.transport import Guard
from tpn.fixtures.text import printable
from tpn.mocks.saml import ns
from tpn.mocks.sikkerhetsportal.portal import Answer, Pending, Portal

# A logout goes SP → portal → SP (→ a page of the SP); a few more hops than that is a loop.
MAX_LOGOUT_HOPS = 10
REDIRECTS = (301, 302, 303, 307, 308)


class Broken(AssertionError):
    """The SP did something a login never allows (no redirect to the portal, an error page)."""


@dataclass
class Browser:
    """One browser (its own cookies) against the SP at ``target``, with the portal at hand."""

    portal: Portal
    target: str  # the SP's protected page
    probe: str  # the page that shows who is logged in
    expect: str  # what the probe shows for a logged-in persona, {uid} standing for the number

    recorder: Recorder | None = None
    portal_session: str | None = None
    guard: Guard | None = None  # the run's: deadlines and size cap of every request
    # The ACS answered at, with its binding; None: the one the SP's request names.
    acs: Acs | None = None

    def __post_init__(self) -> None:
        # Redirects come back as answers (the login is made of them); none is ever followed.
        self.http = (self.guard or Guard()).session(redirects="return")
        if self.recorder is not None:
            self.http.hooks["response"].append(self._record)

    def _record(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        """Every exchange with the SP goes into the run's evidence (cookies are not kept)."""
        assert self.recorder is not None
        request = response.request
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        self.recorder.add(
            Exchange(
                method=request.method or "GET",
                url=request.url or "",
                status=response.status_code,
                request=Message.of(dict(request.headers), body),
                response=Message.of(dict(response.headers), response.content),
                elapsed_ms=response.elapsed.total_seconds() * 1000,
            )
        )

    def start(self) -> Pending:
        """Open the protected page; the SP must send us to the portal with an AuthnRequest."""
        page = self.http.get(self.target)
        location = page.headers.get("Location", "")
        if page.status_code not in (302, 303) or not location.startswith(self.portal.sso_url):
            raise Broken(
                f"{self.target} answered {page.status_code} without sending the browser to "
                f"{self.portal.sso_url} (Location {location!r})"
            )
        pending = self.portal.check(urlsplit(location).query)
        if self.acs is None:
            return pending
        # The answer goes to the ACS of the binding under test, whichever the request named:
        # the browser is the attacker's, and may bring a Response to any ACS the SP declares.
        return replace(pending, binding=self.acs.binding, acs_url=self.acs.location)

    def answer(
        self, pending: Pending, data: bytes, *, raw: bool = False, relay: str | None = None
    ) -> requests.Response:
        """Hand the SP ``data`` as the Response to ``pending``, over its binding."""
        answer = self.portal.deliver(pending, data, raw=raw)
        return self._bring(answer, relay if relay is not None else pending.relay_state)

    def _bring(self, answer: Answer, relay_state: str | None) -> requests.Response:
        """The browser at the ACS: with the artifact in the query (HTTP-Artifact), or posting
        the form the portal's page posts (HTTP-POST: SAMLResponse in base64, RelayState)."""
        if answer.binding == ns.POST:
            form = {"SAMLResponse": base64.b64encode(answer.response or b"").decode("ascii")}
            if relay_state is not None:
                form["RelayState"] = relay_state
            return self.http.post(answer.acs_url, data=form)
        query = {"SAMLart": answer.artifact or ""}
        if relay_state is not None:
            query["RelayState"] = relay_state
        separator = "&" if "?" in answer.acs_url else "?"
        return self.http.get(f"{answer.acs_url}{separator}{urlencode(query)}")

    def login(self, pending: Pending, uid: str, method: str | None = None) -> requests.Response:
        """A real login at the portal (its SSO session too), then the browser at the ACS; the
        method is one that gives the level the SP asked for."""
        chosen = method or ("BankID" if pending.level >= 4 else "Minid-PIN")
        # The same SSO session for every SP this browser logs in to, as a real browser's cookie.
        answer = self.portal.login(pending, uid, chosen, session_id=self.portal_session)
        self.portal_session = answer.session
        return self._bring(answer, answer.relay_state)

    def logout(self, url: str) -> None:
        """Follow the SP's logout through the portal and back, as a browser would, but only
        between the SP, the portal and the SPs the portal sends it to (single logout visits
        every SP of the session; the portal sends browsers only to endpoints registered with
        it): a Location anywhere else is where the walk ends."""
        portal = _origin(self.portal.sso_url)
        allowed = {_origin(u) for u in (self.target, self.probe, url, self.portal.sso_url)}
        for _ in range(MAX_LOGOUT_HOPS):
            page = self.http.get(url)
            location = page.headers.get("Location")
            if page.status_code not in REDIRECTS or not location:
                return
            sender, url = _origin(url), urljoin(url, location)
            if sender == portal:
                allowed.add(_origin(url))
            elif _origin(url) not in allowed:
                return

    def logged_in(self, uid: str) -> bool:
        text = self.http.get(self.probe).text
        return self.shows(uid) in text

    def shows(self, uid: str) -> str:
        """What the probe shows for ``uid`` (the vendor's text may hold other braces)."""
        return self.expect.replace("{uid}", uid)

    def anyone(self, *uids: str) -> str | None:
        """Which of ``uids`` the probe shows logged in, if any."""
        text = self.http.get(self.probe).text
        return next((u for u in uids if self.shows(u) in text), None)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def context(portal: Portal, pending: Pending, uid: str, other_uid: str) -> Context:
    return Context(
        idp_key=portal.key,
        idp=portal.entity_id,
        sp=pending.sp,
        acs_url=pending.acs_url,
        request_id=pending.id,
        uid=uid,
        level=pending.level,
        now=portal.now(),
        other_uid=other_uid,
        binding=pending.binding,
    )


@dataclass(frozen=True)
class Attempt:
    """One login as it went: the ACS's answer, the probe's answer after it, who it shows."""

    acs_status: int
    probe_status: int
    probe_text: str
    who: str | None

    def said(self, limit: int = 200) -> str:
        """The ACS's and the probe's answers in one line, for a message (the SP's text,
        shortened and made printable)."""
        text = " ".join(printable(self.probe_text).split())
        cut = f"{text[:limit]}…" if len(text) > limit else text
        return (
            f"the ACS answered HTTP {self.acs_status}; the probe answered HTTP "
            f"{self.probe_status}: {cut!r}"
        )


def attempt_of(browser: Browser, name: str | None, uid: str, other_uid: str) -> Attempt:
    """One login with forgery ``name`` (``None``: a correct one), and what came of it."""
    pending = browser.start()
    ctx = context(browser.portal, pending, uid, other_uid)
    made = forge(name, ctx) if name is not None else Forgery("correct", correct(ctx))
    acs = browser.answer(pending, made.data, raw=made.raw)
    page = browser.http.get(browser.probe)
    shown = (uid, other_uid, uid[:6])
    who = next((u for u in shown if browser.shows(u) in page.text), None)
    return Attempt(acs.status_code, page.status_code, page.text, who)


def attempt(browser: Browser, name: str | None, uid: str, other_uid: str) -> str | None:
    """One login with forgery ``name`` (``None``: a correct one); who is logged in after it."""
    return attempt_of(browser, name, uid, other_uid).who
