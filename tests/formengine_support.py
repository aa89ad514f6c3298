"""What the form engine's tests share: jobs made from generated forms, a stand-in for
Enhetsregisteret, a flaky proxy in front of the archive, and reading back what arrived.

The register stand-in answers the REST shape (``GET /enhetsregisteret/api/enheter/{orgnr}``)
for the synthetic organisations of the population; the real Enhetsregisteret mock is built
apart, and the engine is written against the shape, not against either.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests
from zeep import Client, Settings

from tpn.conformance.ksxml.generate import Document, RandomChooser, document
from tpn.conformance.ksxml.model import forms
from tpn.fixtures import population

BUILDING = ("KS-TILTAK-UTEN-ANSVAR", "KS-GRAVETILLATELSE")
FORMS = [f.id for f in forms()]
NS = "http://www.arkivverket.no/Noark4-1-WS-WD/types"


# ------------------------------------------------------------------ the register stand-in


def enhet_json(orgnr: str) -> dict[str, Any] | None:
    try:
        o = population.organisation(orgnr)
    except KeyError:
        return None
    address = {
        "adresse": [o.address.adresse],
        "postnummer": o.address.postnummer,
        "poststed": o.address.poststed,
        "kommunenummer": o.address.kommunenummer,
        "kommune": population.municipality(o.address.kommunenummer).navn,
        "landkode": "NO",
    }
    return {
        "organisasjonsnummer": o.organisasjonsnummer,
        "navn": o.navn,
        "organisasjonsform": {"kode": o.organisasjonsform, "beskrivelse": o.organisasjonsform},
        "forretningsadresse": address,
        "postadresse": address,
    }


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _register_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    m = re.fullmatch(r"/enhetsregisteret/api/enheter/([0-9]{9})", environ.get("PATH_INFO", ""))
    found = enhet_json(m.group(1)) if m else None
    if found is None:
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"feilmelding": "not found"}']
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(found, ensure_ascii=False).encode("utf-8")]


@contextmanager
def register_stand_in() -> Iterator[str]:
    """The stand-in on a free port; yields its base URL (``.../enhetsregisteret``)."""
    server: WSGIServer = make_server("127.0.0.1", 0, _register_app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/enhetsregisteret"
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------ jobs


def form_document(skjema_id: str, seed: int = 2007) -> Document:
    """A complete valid document; each form its own referanse for the same seed."""
    return document(skjema_id, RandomChooser(seed + zlib.crc32(skjema_id.encode()), complete=True))


def bare_organisation(doc: Document) -> None:
    """What the suite does to an organisation's form: Innsender keeps only the number and the
    contact person."""
    innsender = doc.find("Innsender")
    assert innsender is not None
    for child in list(innsender):
        if child.tag.rsplit("}", 1)[-1] not in ("organisasjonsnummer", "kontaktperson"):
            innsender.remove(child)


def job_for(
    doc: Document,
    folder: Path,
    archive_url: str,
    register_url: str | None = None,
    *,
    deadline: float = 60,
    auth: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The job the suite would write for ``doc`` (an organisation's form is made bare)."""
    f = doc.form
    referanse = doc.text("Metadata/referanse")
    orgnr = doc.text("Innsender/organisasjonsnummer") if f.applicant == "organisation" else None
    if f.applicant == "organisation":
        doc = doc.copy()
        bare_organisation(doc)
    path = folder / f"{f.id}-{referanse}.xml"
    path.write_bytes(doc.to_bytes())
    archive: dict[str, str] = {"url": archive_url}
    if auth:
        archive |= {"user": auth[0], "password": auth[1]}
    services: dict[str, Any] = {"archive": archive}
    if register_url:
        services["register"] = {"url": register_url}
    inputs: dict[str, Any] = {
        "skjemaId": f.id,
        "versjon": f.version,
        "referanse": referanse,
        "tittel": f.title,
        "confidential": f.confidential,
        "applicant": f.applicant,
        "building": f.id in BUILDING,
    }
    if orgnr:
        inputs["organisasjonsnummer"] = orgnr
    return {
        "tpn_job": 1,
        "id": f"deliver-{f.id}",
        "run": "test",
        "action": "deliver-form",
        "inputs": inputs,
        "files": {"document": str(path)},
        "services": services,
        "deadline_seconds": deadline,
    }


def write_job(job: dict[str, Any], folder: Path) -> Path:
    path = folder / f"{job['id']}.json"
    path.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    return path


# ------------------------------------------------------------------ what arrived


@dataclass
class Arrived:
    cases: list[Any]
    entries: list[Any]


def client(wsdl_url: str) -> Any:
    return Client(wsdl_url, settings=Settings(xml_huge_tree=True))


def arrived(zeep_client: Any, system: str, nokkel: str) -> Arrived:
    key = {"eksternSystem": system, "nokkel": nokkel}
    sak = zeep_client.service.GetNoarksak(saEksternNokkel=key)
    cases = list(sak.noarksak or []) if sak.status.type != "ERROR" else []
    jp = zeep_client.service.GetJournpost(
        saEksternNokkel=key,
        returnJournpostRequests={"returnAvmot": True, "returnDokument": True, "returnFil": True},
    )
    entries = list(jp.journpost or []) if jp.status.type != "ERROR" else []
    return Arrived(cases, entries)


# ------------------------------------------------------------------ a flaky proxy


_SERVER_FAULT = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    b"<soap:Fault><faultcode>soap:Server</faultcode><faultstring>incident 1</faultstring>"
    b"</soap:Fault></soap:Body></soap:Envelope>"
)


def _error_answer(operation: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f'<n4:{operation}Response xmlns:n4="{NS}"><n4:status type="ERROR">'
        '<n4:message code="INTERNAL_ERROR">the archive could not store it</n4:message>'
        f"</n4:status></n4:{operation}Response></soap:Body></soap:Envelope>"
    ).encode()


@dataclass
class Flaky:
    """A proxy in front of the archive that spoils the first ``times`` requests of
    ``operation`` with ``fault``: ``http-500``, ``drop-before``, ``drop-after`` (forwarded,
    then the connection closed unanswered), ``delay-after`` (forwarded, answered after
    ``seconds``), ``server-fault``, ``error-status`` (every time, not only ``times``)."""

    upstream: str
    fault: str
    operation: str
    times: int = 1
    seconds: float = 1.5
    url: str = ""
    seen: list[bytes] = field(default_factory=list)  # every request body of ``operation``


@contextmanager
def flaky_proxy(
    upstream: str, fault: str, operation: str, *, times: int = 1, seconds: float = 1.5
) -> Iterator[Flaky]:
    state = Flaky(upstream, fault, operation, times, seconds)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            matching = f"{state.operation}Request".encode() in body
            with lock:
                if matching:
                    state.seen.append(body)
                spoil = matching and (state.fault == "error-status" or state.times > 0)
                if spoil and state.fault != "error-status":
                    state.times -= 1
            if not spoil:
                self._forward(body)
                return
            if state.fault == "http-500":
                self._answer(500, b"Internal Server Error", "text/plain")
            elif state.fault == "server-fault":
                self._answer(500, _SERVER_FAULT, "text/xml; charset=utf-8")
            elif state.fault == "error-status":
                self._answer(200, _error_answer(state.operation), "text/xml; charset=utf-8")
            elif state.fault == "drop-before":
                self.close_connection = True
            elif state.fault == "drop-after":
                requests.post(state.upstream, data=body, headers=self._headers(), timeout=30)
                self.close_connection = True
            elif state.fault == "delay-after":
                answer = requests.post(
                    state.upstream, data=body, headers=self._headers(), timeout=30
                )
                time.sleep(state.seconds)
                with contextlib.suppress(OSError):  # the client gave up waiting, as it should
                    self._answer(answer.status_code, answer.content, answer.headers["Content-Type"])
            else:
                raise AssertionError(f"unknown fault {state.fault}")

        def do_GET(self) -> None:
            answer = requests.get(state.upstream + "?" + self.path.split("?", 1)[-1], timeout=30)
            self._answer(answer.status_code, answer.content, answer.headers["Content-Type"])

        def _headers(self) -> dict[str, str]:
            return {
                k: v
                for k, v in self.headers.items()
                if k.lower() in ("content-type", "authorization")
            }

        def _forward(self, body: bytes) -> None:
            answer = requests.post(state.upstream, data=body, headers=self._headers(), timeout=30)
            self._answer(answer.status_code, answer.content, answer.headers["Content-Type"])

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/noark4ws"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
