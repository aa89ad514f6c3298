"""Schema validity of every answer: the raw bytes of many kinds of answers (with child lists,
documents, warnings, errors, empty results) validated against the profile's schema, since a
client built from the profile's WSDL must be able to read every one.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tpn.conformance.noark4ws.checks import schema_errors
from tpn.conformance.noark4ws.client import Archive
from tpn.conformance.noark4ws.messages import FLAGS_JP, FLAGS_SAK

requirement = pytest.mark.requirement


@dataclass
class Answers:
    """The objects the answers are about: one case with children, two entries, documents."""

    token: str
    sak: Any
    jp: Any
    other_jp: Any


@pytest.fixture(scope="module")
def answers(n4ws: Archive) -> Answers:
    token = n4ws.token()
    sak = n4ws.new_sak(
        f"Byggesak {token} Storgata 1",
        klassering=[{"klOrdnpri": "ARKNOKKEL", "klOrdnver": "L42"}],
        sakspart=[{"spNavn": "Bygg AS", "spRolle": "Tiltakshaver"}],
        tilleggsinfo=[{"tiItype": "M", "tiTekst": "Merknad"}],
    )
    n4ws.new_sak(f"Byggesak {token} Storgata 2")
    jp = n4ws.new_jp(
        sak,
        f"Søknad {token}",
        avsmot=[{"amIhtype": "0", "amNavn": "Bygg AS"}],
        tilleggsinfo=[{"tiItype": "M", "tiTekst": "Merknad"}],
        dokument=[
            {
                "dlType": "H",
                "dbTittel": "Søknad",
                "fil": {"base64": bytes(range(256))},
                "veFilnavn": "søknad.pdf",
                "veMimeType": "application/pdf",
            }
        ],
    )
    other = n4ws.new_jp(sak, f"Nabovarsel {token}", jpNdoktype="U")
    return Answers(token, sak, jp, other)


Request = Callable[[Archive, Answers], dict[str, Any]]


def _new_sak_with_children(n4ws: Archive, a: Answers) -> dict[str, Any]:
    return {
        "noarksak": {
            "saTittel": f"Byggesak {n4ws.token()}",
            "saEksternNokkel": n4ws.key("xsd"),
            "klassering": [{"klOrdnpri": "GBN", "klOrdnver": "0301-12/34/0/0"}],
            "sakspart": [{"spNavn": "Kari Nordmann"}],
            "tilleggsinfo": [{"tiItype": "M", "tiTekst": "Merknad"}],
        }
    }


def _new_jp_with_children(n4ws: Archive, a: Answers) -> dict[str, Any]:
    return {
        "journpost": {
            "jpInnhold": f"Søknad {n4ws.token()}",
            "jpSaar": a.sak.saSaar,
            "jpSaseknr": a.sak.saSeknr,
            "jpEksternNokkel": n4ws.key("xsd"),
            "avsmot": [{"amIhtype": "0", "amNavn": "Kari Nordmann"}],
            "tilleggsinfo": [{"tiItype": "M", "tiTekst": "Merknad"}],
            "dokument": [
                {
                    "fil": {"base64": b"%PDF-1.4"},
                    "veFilnavn": "a.pdf",
                    "veMimeType": "application/pdf",
                }
            ],
        }
    }


def _foreign_number(n4ws: Archive) -> int:
    """A number for the client to send where the archive assigns its own: one of this run's, so
    that an archive which wrongly keeps it does not collide with what another test kept."""
    return 100_000_000 + zlib.crc32(n4ws.token().encode()) % 100_000_000


SAK_ANSWERS: dict[str, Request] = {
    "PutNoarksak creating a case with child lists": _new_sak_with_children,
    "PutNoarksak updating a case": lambda n, a: {
        "noarksak": {"saId": a.sak.saId, "saTittel": a.sak.saTittel, "saAdmkort": "PLAN"}
    },
    "PutNoarksak with numbers sent (WARNING)": lambda n, a: {
        "noarksak": {
            "saSaar": 1999,
            "saSeknr": _foreign_number(n),
            "saTittel": f"Byggesak {n.token()}",
            "saEksternNokkel": n.key("xsd"),
        }
    },
    "PutNoarksak with an empty saTittel (ERROR)": lambda n, a: {
        "noarksak": {"saTittel": "", "saEksternNokkel": n.key("xsd")}
    },
    "GetNoarksak by saId with every return flag and returnFil": lambda n, a: {
        "saId": a.sak.saId,
        "returnNoarksakRequests": FLAGS_SAK,
        "returnJournpostRequests": {**FLAGS_JP, "returnFil": True},
    },
    "GetNoarksak by saksnummer without return flags": lambda n, a: {
        "saksnummer": {"saSaar": a.sak.saSaar, "saSeknr": a.sak.saSeknr}
    },
    "GetNoarksak search finding two cases": lambda n, a: {
        "searchCriteria": [{"fieldName": "saTittel", "fieldValue": a.token}],
        "returnNoarksakRequests": {"returnKlassering": True, "returnSakspart": True},
    },
    "GetNoarksak search finding nothing": lambda n, a: {
        "searchCriteria": [{"fieldName": "saTittel", "fieldValue": n.token()}]
    },
    "GetNoarksak naming nothing (ERROR)": lambda n, a: {"saEksternNokkel": n.key("aldri")},
    "GetNoarksak without a selector (ERROR)": lambda n, a: {},
}

JP_ANSWERS: dict[str, Request] = {
    "PutJournpost creating an entry with avsmot, tilleggsinfo and a document": (
        _new_jp_with_children
    ),
    "PutJournpost updating an entry": lambda n, a: {
        "journpost": {"jpId": a.other_jp.jpId, "jpInnhold": a.other_jp.jpInnhold, "jpTgkode": "UO"}
    },
    "PutJournpost with numbers sent (WARNING)": lambda n, a: {
        "journpost": {
            "jpJaar": 1999,
            "jpSeknr": _foreign_number(n),
            "jpInnhold": f"Søknad {n.token()}",
            "jpSaar": a.sak.saSaar,
            "jpSaseknr": a.sak.saSeknr,
            "jpEksternNokkel": n.key("xsd"),
        }
    },
    "PutJournpost naming no case that exists (ERROR)": lambda n, a: {
        "journpost": {"jpInnhold": f"Søknad {n.token()}", "jpSaEksternNokkel": n.key("aldri")}
    },
    "GetJournpost by jpId with every return flag and returnFil": lambda n, a: {
        "jpId": a.jp.jpId,
        "returnJournpostRequests": {**FLAGS_JP, "returnFil": True},
    },
    "GetJournpost by saId with documents without fil": lambda n, a: {
        "saId": a.sak.saId,
        "returnJournpostRequests": FLAGS_JP,
    },
    "GetJournpost search finding nothing": lambda n, a: {
        "searchCriteria": [{"fieldName": "jpInnhold", "fieldValue": n.token()}]
    },
    "GetJournpost naming nothing (ERROR)": lambda n, a: {"jpEksternNokkel": n.key("aldri")},
    "GetJournpost with two selectors (ERROR)": lambda n, a: {
        "jpId": a.jp.jpId,
        "saId": a.sak.saId,
    },
}


def _charge(n4ws: Archive, operation: str, request: dict[str, Any]) -> None:
    """Count what a raw Put may create against the run's budget, as the client's Puts do."""
    if operation == "PutNoarksak" and not request["noarksak"].get("saId"):
        n4ws.spent.charge(cases=1)
    elif operation == "PutJournpost" and not request["journpost"].get("jpId"):
        n4ws.spent.charge(entries=1)


def _expect_valid_answer(
    n4ws: Archive, answers: Answers, label: str, requests_: dict[str, Request]
) -> None:
    operation = label.split()[0]
    request = requests_[label](n4ws, answers)
    _charge(n4ws, operation, request)
    response = n4ws.raw(operation, **request)
    what = f"{operation} ({label[len(operation) + 1 :]})"
    assert response.status_code == 200, (
        f"{what}: expected HTTP 200 with a {operation}Response, got HTTP "
        f"{response.status_code}: {response.content[:200]!r}"
    )
    errors = schema_errors(response.content, what)
    assert not errors, (
        f"{what}: the answer is not valid against the profile's schema: " + "; ".join(errors)
    )


@requirement("N4WS-XSD-001")
@pytest.mark.parametrize("label", list(SAK_ANSWERS))
def test_noarksak_answers_are_schema_valid(n4ws: Archive, answers: Answers, label: str) -> None:
    _expect_valid_answer(n4ws, answers, label, SAK_ANSWERS)


@requirement("N4WS-XSD-002")
@pytest.mark.parametrize("label", list(JP_ANSWERS))
def test_journpost_answers_are_schema_valid(n4ws: Archive, answers: Answers, label: str) -> None:
    _expect_valid_answer(n4ws, answers, label, JP_ANSWERS)
