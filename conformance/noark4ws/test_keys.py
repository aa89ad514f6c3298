"""External keys: a Put repeated with the same saEksternNokkel or jpEksternNokkel finds the object
it made the first time instead of making a second one, and an identical resend (what a client
does after a timeout) is harmless: OK, and the stored object, documents included, unchanged.
"""

from __future__ import annotations

from typing import Any

import pytest

from tpn.conformance.noark4ws.checks import expect_accepted, expect_ok, objects, plain
from tpn.conformance.noark4ws.client import Archive
from tpn.conformance.noark4ws.messages import FLAGS_JP_FIL, FLAGS_SAK

requirement = pytest.mark.requirement


def _search_sak(n4ws: Archive, token: str) -> list[Any]:
    criteria = [{"fieldName": "saTittel", "fieldValue": token}]
    resp = expect_ok(n4ws.get_sak(searchCriteria=criteria), f"GetNoarksak searching {token!r}")
    return objects(resp)


@requirement("N4WS-KEY-001")
def test_a_repeated_putnoarksak_with_one_key_makes_one_case(n4ws: Archive) -> None:
    key, token = n4ws.key("sak"), n4ws.token()
    sent = {"saTittel": f"Søknad om rammetillatelse {token}", "saEksternNokkel": key}
    first = expect_ok(n4ws.put_sak(**sent), "PutNoarksak (first)").noarksak
    for why, fields in (
        ("repeated unchanged", sent),
        ("repeated with another saTittel", {**sent, "saTittel": f"Søknad, endret {token}"}),
    ):
        again = expect_accepted(
            n4ws.put_sak(**fields), "PutNoarksak", f"{why}, same saEksternNokkel"
        ).noarksak
        got = (again.saId, again.saSaar, again.saSeknr)
        expected = (first.saId, first.saSaar, first.saSeknr)
        assert got == expected, (
            f"PutNoarksak ({why}, same saEksternNokkel {key['nokkel']}): expected the case "
            f"made first (saId, saSaar, saSeknr) {expected}, got {got}: a second case"
        )
    resp = expect_ok(n4ws.get_sak(saEksternNokkel=key), "GetNoarksak by saEksternNokkel")
    found = [s.saId for s in objects(resp)]
    assert found == [first.saId], (
        f"GetNoarksak by saEksternNokkel {key['nokkel']} (after three Puts with it): expected "
        f"the one case {first.saId}, got saId {found}"
    )
    titled = [s.saId for s in _search_sak(n4ws, token)]
    assert titled == [first.saId], (
        f"GetNoarksak searching saTittel {token!r} (the title of three Puts with one key): "
        f"expected the one case {first.saId}, got saId {titled}"
    )


@requirement("N4WS-KEY-002")
def test_a_repeated_putjournpost_with_one_key_makes_one_entry(n4ws: Archive) -> None:
    sak_key = n4ws.key("sak")
    sak = n4ws.new_sak(saEksternNokkel=sak_key)
    key = n4ws.key("jp")
    content = f"Søknad om ferdigattest {n4ws.token()}"
    by_number = {"jpSaar": sak.saSaar, "jpSaseknr": sak.saSeknr}
    sent = {"jpInnhold": content, "jpEksternNokkel": key, **by_number}
    first = expect_ok(n4ws.put_jp(**sent), "PutJournpost (first)").journpost
    numbers = ("jpId", "jpJaar", "jpSeknr", "jpJpostnr")
    expected = tuple(getattr(first, f) for f in numbers)
    for why, fields in (
        ("repeated unchanged", sent),
        (
            "repeated naming the case by jpSaEksternNokkel",
            {"jpInnhold": content, "jpEksternNokkel": key, "jpSaEksternNokkel": sak_key},
        ),
    ):
        again = expect_accepted(
            n4ws.put_jp(**fields), "PutJournpost", f"{why}, same jpEksternNokkel"
        ).journpost
        got = tuple(getattr(again, f) for f in numbers)
        assert got == expected, (
            f"PutJournpost ({why}, same jpEksternNokkel {key['nokkel']}): expected the entry "
            f"made first ({', '.join(numbers)}) {expected}, got {got}: a second entry"
        )
    resp = expect_ok(n4ws.get_jp(jpEksternNokkel=key), "GetJournpost by jpEksternNokkel")
    found = [j.jpId for j in objects(resp)]
    assert found == [first.jpId], (
        f"GetJournpost by jpEksternNokkel {key['nokkel']} (after three Puts with it): expected "
        f"the one entry {first.jpId}, got jpId {found}"
    )
    resp = expect_ok(n4ws.get_jp(saId=sak.saId), f"GetJournpost by saId {sak.saId}")
    found = [j.jpId for j in objects(resp)]
    assert found == [first.jpId], (
        f"GetJournpost by saId {sak.saId} (a new case that got three Puts of one entry): "
        f"expected the one entry {first.jpId}, got jpId {found}"
    )


@requirement("N4WS-KEY-003")
def test_an_identical_putnoarksak_is_harmless(n4ws: Archive) -> None:
    token = n4ws.token()
    sent = {
        "saTittel": f"Byggesak Storgata 1 {token}",
        "saAnsvinit": "KNO",
        "saEksternNokkel": n4ws.key("sak"),
        "klassering": [{"klOrdnpri": "ARKNOKKEL", "klOrdnver": "L42"}],
        "sakspart": [{"spNavn": "Kari Nordmann", "spRolle": "Søker"}],
        "tilleggsinfo": [{"tiItype": "M", "tiTekst": "Merknad"}],
    }
    first = expect_ok(n4ws.put_sak(**sent), "PutNoarksak (first)").noarksak
    before = plain(n4ws.sak(first.saId, **FLAGS_SAK))
    for n in (2, 3):
        again = expect_ok(n4ws.put_sak(**sent), f"PutNoarksak (the same message, sent {n} times)")
        assert again.noarksak.saId == first.saId, (
            f"PutNoarksak (the same message, sent {n} times): expected the case {first.saId}, "
            f"got saId {again.noarksak.saId}"
        )
    after = plain(n4ws.sak(first.saId, **FLAGS_SAK))
    assert after == before, (
        f"GetNoarksak by saId {first.saId}: the case changed when the same PutNoarksak was "
        f"repeated: {_changed(before, after)}"
    )
    titled = [s.saId for s in _search_sak(n4ws, token)]
    assert titled == [first.saId], (
        f"GetNoarksak searching saTittel {token!r} (three identical Puts): expected the one "
        f"case {first.saId}, got saId {titled}"
    )


@requirement("N4WS-KEY-003")
def test_an_identical_putjournpost_with_a_document_is_harmless(n4ws: Archive) -> None:
    sak = n4ws.new_sak()
    sent = {
        "jpInnhold": f"Søknad om ferdigattest {n4ws.token()}",
        "jpSaar": sak.saSaar,
        "jpSaseknr": sak.saSeknr,
        "jpEksternNokkel": n4ws.key("jp"),
        "avsmot": [{"amIhtype": "0", "amNavn": "Kari Nordmann"}],
        "dokument": [
            {
                "dlType": "H",
                "dbTittel": "Søknad",
                "veFilnavn": "søknad.pdf",
                "veMimeType": "application/pdf",
                "fil": {"base64": b"%PDF-1.4 tpn conformance\n%%EOF\n"},
            }
        ],
    }
    first = expect_ok(n4ws.put_jp(**sent), "PutJournpost (first)").journpost
    before = plain(n4ws.jp(first.jpId, **FLAGS_JP_FIL))
    for n in (2, 3):
        why = f"the same message with one document, sent {n} times"
        again = expect_ok(n4ws.put_jp(**sent), f"PutJournpost ({why})")
        assert again.journpost.jpId == first.jpId, (
            f"PutJournpost ({why}): expected the entry {first.jpId}, "
            f"got jpId {again.journpost.jpId}"
        )
    after = plain(n4ws.jp(first.jpId, **FLAGS_JP_FIL))
    docs = len(after.get("dokument", []))
    assert docs == 1, (
        f"GetJournpost by jpId {first.jpId}: the entry was sent three times with the same one "
        f"document and now has {docs} documents"
    )
    assert after == before, (
        f"GetJournpost by jpId {first.jpId}: the entry changed when the same PutJournpost was "
        f"repeated: {_changed(before, after)}"
    )
    resp = expect_ok(n4ws.get_jp(saId=sak.saId), f"GetJournpost by saId {sak.saId}")
    found = [j.jpId for j in objects(resp)]
    assert found == [first.jpId], (
        f"GetJournpost by saId {sak.saId} (three identical Puts of one entry): expected the "
        f"one entry {first.jpId}, got jpId {found}"
    )


def _changed(before: dict[str, Any], after: dict[str, Any]) -> str:
    names = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return "; ".join(
        f"{k}: {_short(before.get(k))} became {_short(after.get(k))}" for k in names[:6]
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 100 else text[:97] + "..."
