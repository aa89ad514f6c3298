"""Helpers of the MinSide tests: the population's people and organisations, a message, a case
and a service as zeep takes them, and the codes of an answer's status."""

from __future__ import annotations

import datetime as dt
from typing import Any

import requests

from tpn.fixtures import identifiers, population
from tpn.mocks.minside.minside import is_user

ORG = population.municipality("0301").organisasjonsnummer  # Oslo kommune
OTHER_ORG = population.municipality("1103").organisasjonsnummer  # Stavanger kommune
CITIZEN = population.personas()[0].foedselsnummer
OTHER_CITIZEN = population.personas()[1].foedselsnummer


def _outsider() -> str:
    """A valid synthetic fødselsnummer of no persona: no user of MinSide."""
    for start in range(0, 400, 7):
        number = identifiers.first_fnr(dt.date(1977, 7, 7), start)
        if not is_user(number):
            return number
    raise AssertionError("no synthetic number outside the population")


OUTSIDER = _outsider()
SERVICE_URL = "https://tjenester.oslo.example/barnehage"


def tjeneste(**over: Any) -> dict[str, Any]:
    return {
        "tjenesteId": "oslo-barnehage",
        "kommunenummer": "0301",
        "eierOrgnr": ORG,
        "navn": "Søknad om barnehageplass",
        "beskrivelse": "Søk plass i kommunal barnehage",
        "url": SERVICE_URL,
        "sikkerhetsnivaa": 3,
        "kategori": "barnehage",
        "skjemaId": "BHG-01",
    } | over


def melding(**over: Any) -> dict[str, Any]:
    return {
        "mottaker": CITIZEN,
        "avsenderOrgnr": ORG,
        "avsenderNavn": "Oslo kommune",
        "tittel": "Kvittering for søknad om barnehageplass",
        "tekst": "Vi har mottatt søknaden din.",
        "lenke": f"{SERVICE_URL}/sak/2007-123",
        "sikkerhetsnivaa": 3,
        "eksternReferanse": "oslo-bhg-0001",
    } | over


def sak(**over: Any) -> dict[str, Any]:
    return {
        "mottaker": CITIZEN,
        "avsenderOrgnr": ORG,
        "saksnummer": "2007/123",
        "tittel": "Søknad om barnehageplass",
        "status": "MOTTATT",
        "tidspunkt": dt.datetime(2007, 3, 1, 9, 0),
        "lenke": f"{SERVICE_URL}/sak/2007-123",
    } | over


def status(answer: Any) -> Any:
    """An answer's status (zeep hands back the status itself for an answer of nothing else)."""
    try:
        return answer.status
    except AttributeError:
        return answer


def codes(answer: Any) -> list[str]:
    """The codes of an answer's status messages."""
    return [m.code for m in status(answer).message or []]


def kind(answer: Any) -> str:
    return str(status(answer).type)


def texts(answer: Any) -> list[str]:
    return [str(m._value_1) for m in status(answer).message or []]


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    return s
