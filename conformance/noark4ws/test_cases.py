"""Cases (saksmappe) and updates: PutNoarksak and GetNoarksak by each kind of identity, the defaults
the archive fills in, and updates as a merge whose child lists replace the stored ones.

The update tests cover entries too (N4WS-UPD-001/002 are about both kinds of object). Updates
name their object by saId or jpId; updating by external key is the external-key tests' concern.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tpn.conformance.noark4ws.checks import differences, expect_ok, expect_same, objects, plain
from tpn.conformance.noark4ws.client import Archive

requirement = pytest.mark.requirement

ORGNR = "312345676"  # synthetic (starts with 3), valid check digit
ALL_SAK = {
    "returnJposts": True,
    "returnSakspart": True,
    "returnKlassering": True,
    "returnTilleggsinfo": True,
}
# Documents are left out of the entries' comparisons: adding them is N4WS-DOC-004's subject.
ALL_JP = {"returnAvmot": True, "returnTilleggsinfo": True}


def full_sak(n4ws: Archive) -> dict[str, Any]:
    """A case with every field of the core and full levels a client may set, and child lists."""
    token = n4ws.token()
    return {
        "saPapir": "1",
        "saDato": dt.date(2024, 3, 15),
        "saTittel": f"Byggesak Storgata 1, gnr 12 bnr 34 – tilbygg ({token})",
        "saStatus": "R",
        "saArkdel": "BYGG",
        "saType": "BYGGESAK",
        "saJenhet": "SENTRAL",
        "saTgkode": "13",
        "saUoff": "offl. § 13 jf. fvl. § 13",
        "saBevtid": "25",
        "saKasskode": "B",
        "saKassdato": dt.date(2055, 12, 31),
        "saProsjekt": "Fjordbyen",
        "saOfftittel": "Byggesak Storgata 1 – tilbygg",
        "saAdmkort": "PLAN",
        "saAdmbet": "Plan- og bygningsetaten",
        "saAnsvinit": "ÅSE",
        "saAnsvnavn": "Åse Ærlig Øvrebø",
        "saTggruppnavn": "Byggesak",
        "saEksternNokkel": n4ws.key("sak"),
        "klassering": [
            {
                "klSort": "1",
                "klOrdnpri": "ARKNOKKEL",
                "klOrdnver": "L42",
                "klOpltekst": "Byggesaker",
                "klOvbesk": "Plan og bygg",
            },
            {"klSort": "2", "klOrdnpri": "GBN", "klOrdnver": "0301-12/34/0/0"},
        ],
        "sakspart": [
            {
                "spOrgnr": ORGNR,
                "spKortnavn": "BYGG",
                "spNavn": "Bygg og Anlegg AS",
                "spAdresse": "Storgata 1",
                "spPostnr": "0155",
                "spPoststed": "OSLO",
                "spUtland": "NO",
                "spEpostadr": "post@bygg.example",
                "spKontakt": "Kari Byggmester",
                "spRolle": "Tiltakshaver",
                "spFaks": "22000001",
                "spTlf": "22000000",
                "spMerknad": "Søker på vegne av eier",
            },
            {"spNavn": "Ola Nabo", "spRolle": "Nabo"},
        ],
        "tilleggsinfo": [
            {
                "tiRnr": "1",
                "tiItype": "M",
                "tiTgkode": "13",
                "tiOppbedato": dt.date(2024, 3, 16),
                "tiTekst": "Merknad fra saksbehandler",
                "tiTggruppnavn": "Byggesak",
            },
            {"tiItype": "N", "tiTekst": "Notat"},
        ],
    }


# ------------------------------------------------------------------ SAK-001 .. SAK-004


@requirement("N4WS-SAK-001")
def test_putnoarksak_creates_a_case_and_answers_it_with_its_numbers(n4ws: Archive) -> None:
    sent = {
        "saTittel": f"Byggesak {n4ws.token()}",
        "saAdmkort": "PLAN",
        "saAnsvinit": "ÅSE",
        "saEksternNokkel": n4ws.key("sak"),
    }
    resp = expect_ok(n4ws.put_sak(**sent), "PutNoarksak (a new case)")
    sak = resp.noarksak
    assert sak is not None, "PutNoarksak (a new case): the OK answer carries no noarksak"
    assert isinstance(sak.saId, str) and sak.saId.strip(), (
        f"PutNoarksak (a new case): expected the saId the archive assigned, got {sak.saId!r}"
    )
    for name in ("saSaar", "saSeknr"):
        value = getattr(sak, name)
        assert isinstance(value, int) and value >= 1, (
            f"PutNoarksak (a new case): expected the {name} the archive assigned, got {value!r}"
        )
    expect_same(sent, sak, "PutNoarksak (the answer to a new case)")


@requirement("N4WS-SAK-002")
def test_getnoarksak_by_said_returns_every_field_and_child_list_sent(n4ws: Archive) -> None:
    sent = full_sak(n4ws)
    sak = n4ws.new_sak(**sent)
    expect_same(sent, n4ws.sak(sak.saId, **ALL_SAK), "GetNoarksak by saId (every return flag)")


def _only(resp: Any, operation: str, said: str, why: str) -> Any:
    found = expect_ok(resp, f"{operation} ({why})").noarksak or []
    assert [s.saId for s in found] == [said], (
        f"{operation} ({why}): expected exactly the case with saId {said}, got saIds "
        f"{[s.saId for s in found]}"
    )
    return found[0]


@requirement("N4WS-SAK-003")
def test_getnoarksak_by_saksnummer_finds_exactly_that_case(n4ws: Archive) -> None:
    first, second = n4ws.new_sak(), n4ws.new_sak()
    for sak in (first, second):
        number = {"saSaar": sak.saSaar, "saSeknr": sak.saSeknr}
        got = _only(
            n4ws.get_sak(saksnummer=number),
            "GetNoarksak",
            sak.saId,
            f"by saksnummer {sak.saSaar}/{sak.saSeknr}",
        )
        assert got.saTittel == sak.saTittel, (
            f"GetNoarksak by saksnummer {sak.saSaar}/{sak.saSeknr}: saTittel {got.saTittel!r}, "
            f"sent {sak.saTittel!r}"
        )
        # The same saSeknr in another year is another saksnummer: it must not find this case.
        # (It may find another case, one that really has that number.)
        year = sak.saSaar - 1
        other = {"saSaar": year, "saSeknr": sak.saSeknr}
        wrong = [
            (s.saId, f"{s.saSaar}/{s.saSeknr}")
            for s in objects(n4ws.get_sak(saksnummer=other))
            if s.saId == sak.saId or (s.saSaar, s.saSeknr) != (year, sak.saSeknr)
        ]
        assert not wrong, (
            f"GetNoarksak by saksnummer {year}/{sak.saSeknr}: expected no case but one with "
            f"that number, got (saId, saksnummer) {wrong}"
        )


@requirement("N4WS-SAK-004")
def test_getnoarksak_by_sa_ekstern_nokkel_finds_the_case(n4ws: Archive) -> None:
    first, second = n4ws.new_sak(), n4ws.new_sak()
    for sak in (first, second):
        key = plain(sak.saEksternNokkel)
        _only(
            n4ws.get_sak(saEksternNokkel=key),
            "GetNoarksak",
            sak.saId,
            f"by saEksternNokkel {key['eksternSystem']}/{key['nokkel']}",
        )
        # An external key is the pair: the same nokkel from another system is another key.
        other = {"eksternSystem": f"{key['eksternSystem']}-annet", "nokkel": key["nokkel"]}
        found = [s.saId for s in objects(n4ws.get_sak(saEksternNokkel=other))]
        assert sak.saId not in found, (
            f"GetNoarksak by saEksternNokkel {other['eksternSystem']}/{other['nokkel']}: found "
            f"the case with saId {sak.saId}, whose key is {key['eksternSystem']}/{key['nokkel']}: "
            "the lookup ignores eksternSystem"
        )


# ------------------------------------------------------------------ SAK-005


def near_today(day: Any) -> bool:
    """Whether ``day`` is the registration date as far as the suite can tell: the target's
    clock and time zone are its own, so a day either side of the suite's date counts."""
    today = dt.date.today()
    return isinstance(day, dt.date) and abs((day - today).days) <= 1


@requirement("N4WS-SAK-005")
def test_a_new_case_gets_the_default_sadato_sastatus_and_saar(n4ws: Archive) -> None:
    sak = n4ws.new_sak()
    stored = n4ws.sak(sak.saId)
    what = "GetNoarksak of a case created without saDato and saStatus"
    assert stored.saStatus == "B", f"{what}: expected saStatus B, got {stored.saStatus!r}"
    assert near_today(stored.saDato), (
        f"{what}: expected saDato = the registration date ({dt.date.today()} ± 1 day for the "
        f"archive's time zone), got {stored.saDato!r}"
    )
    assert stored.saSaar == stored.saDato.year, (
        f"{what}: expected saSaar = the registration year {stored.saDato.year}, "
        f"got {stored.saSaar!r}"
    )


# ------------------------------------------------------------------ UPD-001, UPD-002


def _get_sak(n4ws: Archive, said: str) -> dict[str, Any]:
    stored: dict[str, Any] = plain(n4ws.sak(said, **ALL_SAK))
    return stored


def _get_jp(n4ws: Archive, jpid: str) -> dict[str, Any]:
    stored: dict[str, Any] = plain(n4ws.jp(jpid, **ALL_JP))
    return stored


def _sak_object(n4ws: Archive) -> tuple[str, dict[str, Any]]:
    sak = n4ws.new_sak(**full_sak(n4ws))
    return sak.saId, _get_sak(n4ws, sak.saId)


def _jp_fields(n4ws: Archive) -> dict[str, Any]:
    return {
        "jpNdoktype": "I",
        "jpStatus": "M",
        "jpDokdato": dt.date(2024, 3, 1),
        "jpTgkode": "13",
        "jpUoff": "offl. § 13",
        "jpForfdato": dt.date(2024, 4, 1),
        "jpOffinnhold": "Søknad om rammetillatelse",
        "avsmot": [
            {"amIhtype": "0", "amNavn": "Bygg og Anlegg AS", "amOrgnr": ORGNR},
            {"amIhtype": "1", "amNavn": "Ola Nabo", "amKopimot": "1"},
        ],
        "tilleggsinfo": [
            {"tiItype": "M", "tiTekst": "Merknad"},
            {"tiItype": "N", "tiTekst": "Notat"},
        ],
    }


def _jp_object(n4ws: Archive) -> tuple[str, dict[str, Any]]:
    jp = n4ws.new_jp(
        n4ws.new_sak(), f"Søknad om rammetillatelse {n4ws.token()}", **_jp_fields(n4ws)
    )
    return jp.jpId, _get_jp(n4ws, jp.jpId)


def _update_sak(n4ws: Archive, said: str, fields: dict[str, Any]) -> Any:
    return n4ws.put_sak(saId=said, **fields)


def _update_jp(n4ws: Archive, jpid: str, fields: dict[str, Any]) -> Any:
    return n4ws.put_jp(jpId=jpid, **fields)


@dataclass(frozen=True)
class Kind:
    """How the update tests handle one kind of object."""

    operation: str
    create: Callable[[Archive], tuple[str, dict[str, Any]]]  # -> (id, as stored)
    update: Callable[[Archive, str, dict[str, Any]], Any]
    get: Callable[[Archive, str], dict[str, Any]]
    text: str  # the required text, which every update sends


KINDS = {
    "noarksak": Kind("PutNoarksak", _sak_object, _update_sak, _get_sak, "saTittel"),
    "journpost": Kind("PutJournpost", _jp_object, _update_jp, _get_jp, "jpInnhold"),
}
CHANGES = {
    "noarksak": {"saAnsvinit": "OLA", "saAdmkort": "BYGG"},
    "journpost": {"jpTgkode": "UO", "jpUoff": "offl. § 13 jf. fvl. § 13"},
}


@requirement("N4WS-UPD-001")
@pytest.mark.parametrize("kind", list(KINDS))
def test_an_update_is_a_merge(n4ws: Archive, kind: str) -> None:
    k = KINDS[kind]
    rid, before = k.create(n4ws)
    sent = {k.text: f"{before[k.text]} (endret {n4ws.token()})", **CHANGES[kind]}
    what = f"{k.operation} updating a {kind} with only {', '.join(sent)}"
    expect_ok(k.update(n4ws, rid, sent), what)
    expected = {**before, **sent}
    diff = differences(expected, k.get(n4ws, rid))
    assert not diff, (
        f"{what}: expected the fields sent to replace the stored ones and every other field "
        f"and list to keep its value; differences (expected, got): " + "; ".join(diff[:8])
    )


# The archive's own numbers and ids: sent on update they would only earn a WARNING.
NUMBERS = ("saId", "saSaar", "saSeknr", "jpId", "jpJaar", "jpSeknr", "jpJpostnr", "jpJdato")
LISTS: dict[str, tuple[str, dict[str, Any]]] = {
    "noarksak klassering": (
        "klassering",
        {"klOrdnpri": "ARKNOKKEL", "klOrdnver": "L43", "klOpltekst": "Dispensasjon"},
    ),
    "noarksak sakspart": ("sakspart", {"spNavn": "Per Hansen", "spRolle": "Nabo"}),
    "noarksak tilleggsinfo": ("tilleggsinfo", {"tiItype": "K", "tiTekst": "Kommentar"}),
    "journpost avsmot": ("avsmot", {"amIhtype": "1", "amNavn": "Per Hansen"}),
    "journpost tilleggsinfo": ("tilleggsinfo", {"tiItype": "K", "tiTekst": "Kommentar"}),
}


@requirement("N4WS-UPD-002")
@pytest.mark.parametrize("label", list(LISTS))
def test_a_child_list_sent_on_update_replaces_the_stored_list(n4ws: Archive, label: str) -> None:
    kind = label.split()[0]
    name, new_item = LISTS[label]
    k = KINDS[kind]
    rid, before = k.create(n4ws)
    # A new item first, then a copy of a stored one: appending, or merging by equal items,
    # gives a list other than the one sent.
    replacement = [new_item, {k: v for k, v in before[name][0].items() if not k.endswith("Id")}]
    # Every field is sent again and the other lists left out: they must be kept as they are.
    scalars = {
        k: v
        for k, v in before.items()
        if not isinstance(v, list)
        and k not in ("saId", "jpId", "saSaar", "saSeknr")
        and k not in ("jpJaar", "jpSeknr", "jpJpostnr", "jpJdato")
    }
    what = f"{k.operation} updating a {kind} with a {name} list of {len(replacement)} items"
    expect_ok(k.update(n4ws, rid, {**scalars, name: replacement}), what)
    after = k.get(n4ws, rid)
    got = after.get(name, [])
    diff = differences({name: replacement}, after)
    assert not diff, (
        f"{what}: expected the stored {name} to be exactly the list sent, got {len(got)} items: "
        + repr(got)[:300]
    )
    kept = {k: v for k, v in before.items() if isinstance(v, list) and k != name}
    diff = differences(kept, after)
    assert not diff, f"{what}: the lists left out were not kept: " + "; ".join(diff[:6])
