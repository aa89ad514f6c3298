"""The register's modern REST shape (for reference): ``GET /enhetsregisteret/api/enheter/{orgnr}``.

Open like the public one (outside the HTTP Basic gate: ``MockApp`` mounts it as a site), JSON
in and out, errors included: 400 for an orgnr that is not 9 digits with a valid check digit,
404 for one the register does not hold, 410 Gone for a deleted entity (with its slettedato),
405 for a method other than GET or HEAD, 414 for a path or query past its bound, 413 for a
body over ``max_body`` (refused by the serving front before this app sees it). Every exchange
goes into the journal as service ``enhetsregisteret``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from tpn.fixtures import population
from tpn.fixtures.population import Address, Organisation
from tpn.mocks.core.journal import Journal
from tpn.mocks.enhetsregisteret.register import Code, Register
from tpn.mocks.saml.quote import shown
from tpn.mocks.soap.faults import StartResponse

__all__ = ["MAX_PATH", "MAX_QUERY", "PREFIX", "RestApp", "enhet_json"]

PREFIX = "/enhetsregisteret/api"
ENHETER = "/enheter/"
# A path of the API is at most ~40 characters; a query is not read at all. Past these, 414.
MAX_PATH = 256
MAX_QUERY = 2048
SERVICE = "enhetsregisteret"

Answer = tuple[int, list[tuple[str, str]], bytes]


def _address(address: Address) -> dict[str, Any]:
    return {
        "adresse": [address.adresse],
        "postnummer": address.postnummer,
        "poststed": address.poststed,
        "kommunenummer": address.kommunenummer,
        "kommune": population.municipality(address.kommunenummer).navn,
        "landkode": "NO",
        "land": "Norge",
    }


def enhet_json(enhet: Organisation, register: Register) -> dict[str, Any]:
    """One entity as the REST shape gives it."""
    koder = register.koder
    out: dict[str, Any] = {
        "organisasjonsnummer": enhet.organisasjonsnummer,
        "navn": enhet.navn,
        "organisasjonsform": {
            "kode": enhet.organisasjonsform,
            "beskrivelse": koder.orgform[enhet.organisasjonsform],
        },
        "forretningsadresse": _address(enhet.address),
        "postadresse": _address(enhet.address),
        "registreringsdatoEnhetsregisteret": enhet.registreringsdato.isoformat(),
        "naeringskode1": {
            "kode": enhet.naeringskode,
            "beskrivelse": koder.naeringskode[enhet.naeringskode],
        },
        "konkurs": enhet.konkurs is not None,
        "underAvvikling": enhet.under_avvikling is not None,
    }
    if enhet.konkurs is not None:
        out["konkursdato"] = enhet.konkurs.isoformat()
    if enhet.under_avvikling is not None:
        out["underAvviklingDato"] = enhet.under_avvikling.isoformat()
    if enhet.hjemmeside:
        out["hjemmeside"] = enhet.hjemmeside
    return out


def _json(status: int, payload: dict[str, Any], extra: tuple[tuple[str, str], ...] = ()) -> Answer:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return status, [("Content-Type", "application/json; charset=utf-8"), *extra], body


def _error(status: int, message: str, **more: Any) -> Answer:
    return _json(status, {"error": message, **more})


class RestApp:
    """The REST shape as a WSGI app, mounted at ``PREFIX``."""

    # A GET carries no body; a few KiB is tolerated, more is refused by the serving front.
    max_body = 4096

    def __init__(self, register: Register, journal: Journal | None = None) -> None:
        self.register = register
        self.journal = journal

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.time()
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        status, headers, payload = self.answer(method, path, query)
        if self.journal is not None:
            shown_query = f"?{query[:MAX_QUERY]}" if query else ""
            self.journal.keep(
                service=SERVICE,
                operation=_operation(path),
                http_status=status,
                outcome="ok" if status < 400 else "refused",
                validation="" if status < 400 else payload[:300].decode("utf-8", "replace"),
                started=started,
                request=f"{method[:16]} {path[: MAX_PATH + 1]}{shown_query}".encode(
                    "utf-8", "replace"
                ),
                response=payload,
            )
        headers.append(("Content-Length", str(0 if method == "HEAD" else len(payload))))
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [b""] if method == "HEAD" else [payload]

    def answer(self, method: str, path: str, query: str) -> Answer:
        """The answer to ``method path?query``, whole."""
        if len(path) > MAX_PATH:
            return _error(414, f"the path is over {MAX_PATH} characters")
        if len(query) > MAX_QUERY:
            return _error(414, f"the query is over {MAX_QUERY} characters")
        if method not in ("GET", "HEAD"):
            message = f"{shown(method, 16)} is not allowed here; GET an entity"
            return _json(405, {"error": message}, (("Allow", "GET, HEAD"),))
        route = path.removeprefix(PREFIX)
        if not route.startswith(ENHETER) or "/" in route.removeprefix(ENHETER):
            return _error(
                404, f"no resource at {shown(path, 80)}; entities are at {PREFIX}{ENHETER}{{orgnr}}"
            )
        orgnr = route.removeprefix(ENHETER)
        found = self.register.look_up(orgnr)
        koder = self.register.koder
        if found.code is Code.MALFORMED:
            return _error(400, koder.text(found.code, orgnr=shown(orgnr, 40)))
        if found.enhet is None:
            return _error(404, koder.text(found.code, orgnr=orgnr))
        enhet = found.enhet
        if found.code is Code.DELETED:
            return _error(
                410,
                koder.text(found.code, orgnr=orgnr, dato=enhet.slettet),
                organisasjonsnummer=orgnr,
                slettedato=str(enhet.slettet),
            )
        return _json(200, enhet_json(enhet, self.register))

    def refusal(self, path: str, status: int, message: str, rule: str) -> Answer:
        """A request the serving front refused before this app saw it (a body over
        ``max_body``, late, cut short), answered in the API's JSON (``MockApp.refusal``)."""
        return _error(status, message, rule=rule)


def _operation(path: str) -> str:
    route = path.removeprefix(PREFIX)
    return "enheter" if route.startswith(ENHETER) else route[:64] or "/"
