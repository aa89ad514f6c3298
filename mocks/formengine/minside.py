"""The form engine's MinSide client: after the archive took the case, tell the citizen.

zeep over the profile's own WSDLs (``fixtures/standards/minside/``), bound to the URLs the job
names (``services.tjenestekatalog``, ``meldingsboks``, ``minesaker``), as the engine's archive
client does. No minside-client helper's client existed when this was written, so this is a
small one of the engine's own.

What the engine sends (the journey of issue 12):

- ``RegistrerTjeneste`` once per engine (a repeat is an update of the same tjenesteId);
- ``SendMelding``: the receipt, to the login's uid, eksternReferanse ``kvittering-<referanse>``
  (stable per application, so a resend makes no second message), tittel naming the archive's
  saksnummer ``saSaar/saSeknr`` and never a fødselsnummer, ``lenke`` an https link to the case;
- ``OppdaterSaksstatus``: the case, saksnummer the archive's, status MOTTATT on delivery and
  then, on ``sync-case-status``, the archive's saStatus mapped by ``STATUS_BY_SA_STATUS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import requests
from zeep import Client, Settings
from zeep import exceptions as zeep_errors
from zeep.transports import Transport

from tpn.fixtures import standard_file
from tpn.mocks.formengine.job import Service

NAMESPACE = "http://tpn-harness.example/minside/2007"
# Noark-4 saStatus -> MinSide's case status (a profile decision; MinSide's statuses only move
# forward, so a reopened case (A -> B) is not shown as moving back: MinSide refuses that).
STATUS_BY_SA_STATUS: Mapping[str, str] = {
    "R": "MOTTATT",  # created by a case officer, not yet worked on
    "B": "UNDER_BEHANDLING",  # in progress
    "P": "UNDER_BEHANDLING",  # exempt from process control: still open
    "S": "VEDTAK_FATTET",  # closed by the case officer: decided, not yet archived
    "F": "VEDTAK_FATTET",  # finished by the case officer
    "A": "AVSLUTTET",  # closed
    "U": "AVSLUTTET",  # void: nothing more will happen
}
SERVICE_NAMES = ("tjenestekatalog", "meldingsboks", "minesaker")  # the job's services.<name>
RECEIVED = "MOTTATT"  # the status sent right after delivery: the archive has the case


class MinSideError(Exception):
    """MinSide did not take what the engine sent; the message says which call and why."""


def minside_status(sa_status: str) -> str:
    """MinSide's status for a case whose saStatus is ``sa_status``."""
    try:
        return STATUS_BY_SA_STATUS[sa_status]
    except KeyError:
        raise MinSideError(f"saStatus {sa_status[:10]!r} has no MinSide status") from None


@dataclass(frozen=True)
class Sender:
    """Who the engine is at MinSide: the municipality and its service."""

    orgnr: str
    navn: str
    kommunenummer: str
    tjeneste_id: str
    tjeneste_navn: str
    case_url: str  # https base of the links to cases: ``<case_url>/<saSaar>-<saSeknr>``
    sikkerhetsnivaa: int = 3
    kategori: str = "bolig"  # one of MinSide's KATEGORIER


class MinSideClient:
    """MinSide's three services as the job names them."""

    def __init__(
        self,
        tjenestekatalog: Service,
        meldingsboks: Service,
        minesaker: Service,
        *,
        timeout: float,
    ) -> None:
        self._sessions: list[requests.Session] = []
        self._katalog = self._service(
            "tjenestekatalog", "Tjenestekatalog", tjenestekatalog, timeout
        )
        self._boks = self._service("meldingsboks", "Meldingsboks", meldingsboks, timeout)
        self._saker = self._service("minesaker", "MineSaker", minesaker, timeout)

    def _service(self, name: str, binding: str, service: Service, timeout: float) -> Any:
        session = requests.Session()
        session.trust_env = False
        if service.user is not None:
            session.auth = (service.user, service.password or "")
        self._sessions.append(session)
        transport = Transport(session=session, timeout=timeout, operation_timeout=timeout)
        with resources.as_file(standard_file("minside", f"{name}.wsdl")) as wsdl:
            client = Client(str(wsdl), transport=transport, settings=Settings())
        return client.create_service(f"{{{NAMESPACE}}}{binding}", service.url)

    def close(self) -> None:
        for session in self._sessions:
            session.close()

    def _call(self, what: str, call: Any, **payload: Any) -> Any:
        try:
            return call(**payload)
        except (requests.RequestException, zeep_errors.Error, OSError) as exc:
            raise MinSideError(f"{what}: {type(exc).__name__}: {str(exc)[:200]}") from None

    @staticmethod
    def _ok(what: str, status: Any) -> None:
        if status.type not in ("OK", "WARNING"):
            said = "; ".join(f"{m.code}: {m._value_1}" for m in status.message or [])
            raise MinSideError(f"{what} answered {status.type} ({said[:300]})")

    def register(self, sender: Sender, skjema_id: str) -> None:
        tjeneste = {
            "tjenesteId": sender.tjeneste_id,
            "kommunenummer": sender.kommunenummer,
            "eierOrgnr": sender.orgnr,
            "navn": sender.tjeneste_navn,
            "url": sender.case_url,
            "sikkerhetsnivaa": sender.sikkerhetsnivaa,
            "kategori": sender.kategori,
            "skjemaId": skjema_id,
        }
        answer = self._call("RegistrerTjeneste", self._katalog.RegistrerTjeneste, tjeneste=tjeneste)
        self._ok("RegistrerTjeneste", answer.status)

    def send_receipt(self, sender: Sender, melding: Mapping[str, Any]) -> str:
        """Send the receipt; its meldingId."""
        answer = self._call("SendMelding", self._boks.SendMelding, melding=dict(melding))
        self._ok("SendMelding", answer.status)
        return str(answer.meldingId)

    def update_case(self, sak: Mapping[str, Any]) -> None:
        answer = self._call("OppdaterSaksstatus", self._saker.OppdaterSaksstatus, sak=dict(sak))
        # OppdaterSaksstatus answers a bare status (the response's only child).
        self._ok("OppdaterSaksstatus", getattr(answer, "status", answer))


def saksnummer(case: Mapping[str, Any]) -> str:
    """The archive's saksnummer ``saSaar/saSeknr`` of a stored case."""
    return f"{case['saSaar']}/{case['saSeknr']}"


def case_link(sender: Sender, case: Mapping[str, Any]) -> str:
    return f"{sender.case_url.rstrip('/')}/{case['saSaar']}-{case['saSeknr']}"


def receipt(
    sender: Sender, mottaker: str, referanse: str, skjema_tittel: str, case: Mapping[str, Any]
) -> dict[str, Any]:
    """The receipt message for the application ``referanse`` filed as ``case``."""
    return {
        "mottaker": mottaker,
        "avsenderOrgnr": sender.orgnr,
        "avsenderNavn": sender.navn,
        "tittel": f"Kvittering: {skjema_tittel[:120]} (sak {saksnummer(case)})",
        "tekst": f"Vi har mottatt søknaden din. Den er arkivert som sak {saksnummer(case)}.",
        "lenke": case_link(sender, case),
        "sikkerhetsnivaa": sender.sikkerhetsnivaa,
        "eksternReferanse": f"kvittering-{referanse}",
    }


def sak(
    sender: Sender,
    mottaker: str,
    skjema_tittel: str,
    case: Mapping[str, Any],
    status: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """The MinSide case for the archive's ``case`` at ``status``."""
    return {
        "mottaker": mottaker,
        "avsenderOrgnr": sender.orgnr,
        "saksnummer": saksnummer(case),
        "tittel": skjema_tittel[:200],
        "status": status,
        "tidspunkt": now,
        "lenke": case_link(sender, case),
    }
