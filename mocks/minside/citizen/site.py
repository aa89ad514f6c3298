"""The citizen's pages of MinSide, under ``/minside``: a WSGI app mounted as the MinSide part's
site (``tpn.mocks.minside.mock``), beside its SOAP services.

    GET  /minside/                      who is logged in, at which level; links (or "Logg inn")
    GET  /minside/logginn?nivaa=3|4&neste=PAGE   off to the portal (a signed AuthnRequest)
    GET  /minside/acs?SAMLart=…         the portal's answer: resolved, checked, a session
    GET  /minside/metadata              MinSide's SP metadata (its entityID is this URL)
    GET  /minside/tjenester             the tjenestekatalog by category
    GET  /minside/meldinger             the meldingsboks (listing marks messages LEVERT)
    GET  /minside/meldinger/ID          a message (opening marks it LEST); one that needs a
                                        higher level than the login sends the citizen to the
                                        portal for it (step-up) and back here
    GET  /minside/meldinger/ID/vedlegg/N   an attachment, as a download
    GET  /minside/saker                 mine saker: status, title, link
    POST /minside/loggut                logout (the form carries the session's CSRF token)
    GET  /minside/slo                   the portal's LogoutRequest or LogoutResponse
    GET  /minside/utlogget              "you are logged out"

Reads are GETs and change nothing a citizen did not ask for by reading; the one write a citizen
makes (logout) is a POST with a token. A page nobody may see answers 404 whether the message
exists or not, so an id of another citizen's message tells nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

from tpn.fixtures import population
from tpn.mocks.core.journal import Journal
from tpn.mocks.minside.citizen import web
from tpn.mocks.minside.citizen.sessions import COOKIE, Citizen, Sessions
from tpn.mocks.minside.citizen.sp import PREFIX, CitizenSp, Refused
from tpn.mocks.minside.minside import MinSide
from tpn.mocks.minside.records import KATEGORIER, Melding
from tpn.mocks.saml import messages
from tpn.mocks.saml.metadata import url_problem
from tpn.mocks.sikkerhetsportal.wire import request_base

STARTED = "minside_login"  # the AuthnRequest this browser started
_MESSAGE = re.compile(rf"{PREFIX}/meldinger/([A-Za-z0-9-]{{1,64}})(?:/vedlegg/([0-9]{{1,3}}))?")
MELDING_STATUS = {"MOTTATT": "Ny", "LEVERT": "Ny", "LEST": "Lest"}
SAK_STATUS = {
    "MOTTATT": "Mottatt",
    "UNDER_BEHANDLING": "Under behandling",
    "VEDTAK_FATTET": "Vedtak fattet",
    "AVSLUTTET": "Avsluttet",
}
LEVELS = (3, 4)


def https_url(value: str | None) -> str | None:
    """``value`` when a page may link to it (an absolute https URL), else None: a sender's link
    that is not one is shown as text, never as ``href``."""
    if value and url_problem(value) is None and urlsplit(value).scheme.lower() == "https":
        return value
    return None


def _org(orgnr: str, fallback: str) -> str:
    try:
        return population.organisation(orgnr).navn
    except LookupError:
        return fallback


def _kommune(kommunenummer: str) -> str:
    try:
        return population.municipality(kommunenummer).navn
    except LookupError:
        return kommunenummer


class CitizenSite:
    """The pages over ``minside`` (its records), ``sp`` (the login) and ``sessions``."""

    max_body = web.MAX_FORM  # what the serving front lets through to this site

    def __init__(
        self,
        minside: MinSide,
        sp: CitizenSp,
        sessions: Sessions,
        *,
        public_url: str | None = None,
        journal: Journal | None = None,
    ) -> None:
        self.minside = minside
        self.sp = sp
        self.sessions = sessions
        self.public_url = public_url.rstrip("/") if public_url else None
        self.journal = journal

    def __call__(
        self, environ: dict[str, Any], start_response: web.StartResponse
    ) -> Iterable[bytes]:
        started = time.time()
        seen: dict[str, Any] = {}

        def recording(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            seen["status"] = int(status.split()[0])
            return start_response(status, headers, *rest)

        chunks = self._answer(environ, recording)
        if self.journal is not None:
            status = int(seen.get("status", 500))
            path = str(environ.get("PATH_INFO", ""))
            self.journal.keep(
                service="minside-web",
                operation=path.removeprefix(PREFIX).strip("/")[:64] or "/",
                http_status=status,
                outcome="ok" if status < 400 else "refused",
                validation="",
                started=started,
                # The query may hold a SAML message or artifact: the path is enough to follow.
                request=f"{environ.get('REQUEST_METHOD', 'GET')} {path}".encode()[:512],
                response=b"",
                key=(_MESSAGE.fullmatch(path) or [None, None])[1],
            )
        return chunks

    def reset(self) -> None:
        """Forget logins under way, sessions and the replay cache (POST /__admin/reset)."""
        self.sp.reset()

    def refusal(
        self, path: str, status: int, message: str, rule: str
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """A body the serving front refused before this site saw it: an error page."""
        seen: list[Any] = []

        def capture(line: str, headers: list[tuple[str, str]], *_: Any) -> None:
            seen[:] = [line, headers]

        body = b"".join(web.page(capture, "feil.html", status, citizen=None, message=message[:200]))
        return int(str(seen[0])[:3]), list(seen[1]), body

    def _answer(self, environ: dict[str, Any], start_response: web.StartResponse) -> list[bytes]:
        citizen: Citizen | None = None
        try:
            request = web.read(environ)
            try:
                base = self.public_url or request_base(environ)
            except ValueError:
                raise web.HttpError(400, "Forespørselen har en ugyldig Host.") from None
            secure = base.startswith("https:")
            citizen = self.sessions.get(request.cookies.get(COOKIE))
            return self._route(request, base, secure, citizen, start_response)
        except Refused as exc:
            return web.page(
                start_response, "feil.html", 403, citizen=None, refused=True, message=str(exc)
            )
        except web.HttpError as exc:
            return web.page(
                start_response, "feil.html", exc.status, citizen=citizen, message=exc.message
            )

    def _route(
        self,
        request: web.Request,
        base: str,
        secure: bool,
        citizen: Citizen | None,
        start_response: web.StartResponse,
    ) -> list[bytes]:
        path = request.path.rstrip("/") or PREFIX
        posts = path == f"{PREFIX}/loggut"
        if request.method != ("POST" if posts else "GET"):
            raise web.HttpError(405, "Siden tar ikke imot denne forespørselen.")
        if path == PREFIX:
            return web.page(start_response, "forside.html", citizen=citizen)
        if path == f"{PREFIX}/metadata":
            return web.send(
                start_response, 200, self.sp.metadata(base), "application/samlmetadata+xml"
            )
        if path == f"{PREFIX}/logginn":
            level = request.arg("nivaa") or "3"
            if level not in ("3", "4"):
                raise web.HttpError(400, "Sikkerhetsnivået må være 3 eller 4.")
            return self._login(start_response, base, secure, int(level), request.arg("neste"))
        if path == f"{PREFIX}/acs":
            return self._acs(request, base, secure, start_response)
        if path == f"{PREFIX}/slo":
            return self._slo(request, base, start_response)
        if path == f"{PREFIX}/utlogget":
            return web.page(start_response, "utlogget.html", citizen=None)
        if citizen is None:  # every other page is the citizen's own: log in first
            known = path in {f"{PREFIX}/{p}" for p in ("tjenester", "meldinger", "saker")}
            if not (known or _MESSAGE.fullmatch(path)):
                raise web.HttpError(404, "Siden finnes ikke.")
            return self._login(start_response, base, secure, 3, path)
        if posts:
            return self._logout(request, base, citizen, start_response)
        if path == f"{PREFIX}/tjenester":
            return self._catalogue(citizen, start_response)
        if path == f"{PREFIX}/meldinger":
            return self._box(citizen, start_response)
        if path == f"{PREFIX}/saker":
            return self._cases(citizen, start_response)
        found = _MESSAGE.fullmatch(path)
        if found is not None:
            return self._message(base, secure, citizen, found[1], found[2], start_response)
        raise web.HttpError(404, "Siden finnes ikke.")

    # -- login and logout

    def _login(
        self,
        start_response: web.StartResponse,
        base: str,
        secure: bool,
        level: int,
        relay: str | None,
    ) -> list[bytes]:
        url, request_id = self.sp.login(base, level, relay or f"{PREFIX}/")
        return web.redirect(
            start_response, url, [("Set-Cookie", web.cookie(STARTED, request_id, secure=secure))]
        )

    def _acs(
        self, request: web.Request, base: str, secure: bool, start_response: web.StartResponse
    ) -> list[bytes]:
        done = self.sp.finish(base, request.arg("SAMLart") or "", request.cookies.get(STARTED))
        # A step-up or a new login replaces the session the browser had.
        self.sessions.end(request.cookies.get(COOKIE))
        session = self.sessions.open(done.identity)
        return web.redirect(
            start_response,
            f"{base}{done.relay}",
            [
                ("Set-Cookie", web.cookie(COOKIE, session, secure=secure)),
                ("Set-Cookie", web.cookie(STARTED, "", secure=secure, max_age=0)),
            ],
        )

    def _logout(
        self, request: web.Request, base: str, citizen: Citizen, start_response: web.StartResponse
    ) -> list[bytes]:
        if not citizen.csrf_ok(request.field("csrf")):
            raise web.HttpError(403, "Utloggingen manglet et gyldig skjema-token. Prøv igjen.")
        self.sessions.end(request.cookies.get(COOKIE))
        ended = web.cookie(COOKIE, "", secure=base.startswith("https:"), max_age=0)
        target = self.sp.logout_url(base, citizen.name_id, citizen.session_index)
        return web.redirect(start_response, target, [("Set-Cookie", ended)])

    def _slo(
        self, request: web.Request, base: str, start_response: web.StartResponse
    ) -> list[bytes]:
        message, portal = self.sp.logout_message(base, request.raw_query)
        if message.parameter == "SAMLResponse":  # the end of our own logout
            return web.redirect(start_response, f"{base}{PREFIX}/utlogget")
        try:
            asked = messages.parse_logout_request(message.xml)
        except messages.MessageError as exc:
            raise Refused(str(exc)) from None
        if asked.issuer != portal:
            raise Refused("the LogoutRequest is not the portal's")
        self.sessions.end_for(asked.name_id)  # another service's logout ends ours too
        answer = self.sp.logout_answer(base, asked, message.relay_state)
        return web.redirect(start_response, answer)

    # -- the citizen's pages

    def _catalogue(self, citizen: Citizen, start_response: web.StartResponse) -> list[bytes]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for s in self.minside.services():
            groups.setdefault(s.kategori, []).append(
                {
                    "navn": s.navn,
                    "beskrivelse": s.beskrivelse,
                    "url": https_url(s.url),
                    "nivaa": s.sikkerhetsnivaa,
                    "kommune": _kommune(s.kommunenummer),
                }
            )
        order = {k: i for i, k in enumerate(KATEGORIER)}
        categories = [
            (KATEGORIER.get(k, k), groups[k])
            for k in sorted(groups, key=lambda k: (order.get(k, len(order)), k))
        ]
        return web.page(start_response, "tjenester.html", citizen=citizen, categories=categories)

    def _box(self, citizen: Citizen, start_response: web.StartResponse) -> list[bytes]:
        shown = self.minside.messages_for(citizen.uid)
        self.minside.deliver(citizen.uid)  # what this page shows is now delivered
        rows = [
            {
                "id": m.meldingId,
                "tittel": m.tittel,
                "avsender": m.avsenderNavn,
                "mottatt": m.mottatt,
                "nivaa": m.sikkerhetsnivaa,
                "apen": m.sikkerhetsnivaa <= citizen.level,
                "status": MELDING_STATUS.get(m.status, m.status),
                "vedlegg": len(m.vedlegg),
            }
            for m in shown
        ]
        return web.page(start_response, "meldinger.html", citizen=citizen, messages=rows)

    def _message(
        self,
        base: str,
        secure: bool,
        citizen: Citizen,
        melding_id: str,
        attachment: str | None,
        start_response: web.StartResponse,
    ) -> list[bytes]:
        found = self._mine(citizen, melding_id)
        if found is None:
            raise web.HttpError(404, "Meldingen finnes ikke i din meldingsboks.")
        if found.sikkerhetsnivaa > citizen.level:  # step-up: the portal, then back here
            here = f"{PREFIX}/meldinger/{quote(melding_id)}"
            return self._login(start_response, base, secure, found.sikkerhetsnivaa, here)
        opened = self.minside.open_message(melding_id, citizen.uid)
        if opened is None:
            raise web.HttpError(404, "Meldingen finnes ikke i din meldingsboks.")
        if attachment is not None:
            index = int(attachment) - 1
            if not 0 <= index < len(opened.vedlegg):
                raise web.HttpError(404, "Vedlegget finnes ikke.")
            v = opened.vedlegg[index]
            return web.download(start_response, v.data, v.filnavn, v.mimeType)
        return web.page(
            start_response,
            "melding.html",
            citizen=citizen,
            m=opened,
            lenke=https_url(opened.lenke),
            avsnitt=[p for p in opened.tekst.replace("\r\n", "\n").split("\n\n") if p.strip()],
            vedlegg=[(v, web.safe_filename(v.filnavn)) for v in opened.vedlegg],
        )

    def _mine(self, citizen: Citizen, melding_id: str) -> Melding | None:
        """The citizen's message by id, without opening it (None: not theirs, or none)."""
        return next(
            (m for m in self.minside.messages_for(citizen.uid) if m.meldingId == melding_id),
            None,
        )

    def _cases(self, citizen: Citizen, start_response: web.StartResponse) -> list[bytes]:
        rows = [
            {
                "saksnummer": s.saksnummer,
                "tittel": s.tittel,
                "status": SAK_STATUS.get(s.status, s.status),
                "tidspunkt": s.tidspunkt,
                "avsender": _org(s.avsenderOrgnr, s.avsenderOrgnr),
                "lenke": https_url(s.lenke),
            }
            for s in self.minside.cases_for(citizen.uid)
        ]
        return web.page(start_response, "saker.html", citizen=citizen, cases=rows)
