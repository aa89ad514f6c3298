"""Updates and external keys (spec, "Operations", "Updates"): a repeated Put with the same
external key never creates a second object; an identical repeat is OK and changes nothing; an
update is a merge (fields left out keep their values, child lists sent replace the stored ones).
"""

from __future__ import annotations

from typing import Any

import pytest
from n4ws_support import ALL_JP_FLAGS, ALL_SAK_FLAGS, N4, expect_error, expect_ok, plain

SAKKEY = {"eksternSystem": "eByggesak", "nokkel": "SAK-0001"}
JPKEY = {"eksternSystem": "eByggesak", "nokkel": "JP-0001"}

SAK: dict[str, Any] = {
    "saTittel": "Byggesak Storgata 1",
    "saAnsvinit": "ÅSE",
    "saAdmkort": "PLAN",
    "saEksternNokkel": SAKKEY,
    "klassering": [{"klOrdnpri": "GBN", "klOrdnver": "0301-12/34/0/0"}],
    "sakspart": [{"spNavn": "Kari Nordmann"}, {"spNavn": "Ola Nordmann"}],
    "tilleggsinfo": [{"tiItype": "M", "tiTekst": "merknad"}],
    "matrikkelnummer": [{"kommunenummer": "0301", "gaardsnummer": 12, "bruksnummer": 34}],
    "bygning": [{"bygningsnummer": "1"}],
    "punkt": [{"koordinatsystem": "EPSG:25832", "x": "1", "y": "2"}],
    "plan": [{"kommunenummer": "0301", "planident": "P1"}],
    "fagsystem": "eByggesak",
}


def _stored_sak(n4: N4, said: str) -> dict[str, Any]:
    return plain(n4.sak(said, **ALL_SAK_FLAGS))


# ---------------------------------------------------------------- external keys


def test_repeated_putnoarksak_with_an_external_key(n4: N4) -> None:
    first = n4.new_sak(**SAK)
    before = _stored_sak(n4, first.saId)
    again = expect_ok(n4.put_sak(**SAK))  # identical: OK, the same case, nothing changed
    assert plain(again.noarksak) == plain(first)
    assert _stored_sak(n4, first.saId) == before
    changed = expect_ok(n4.put_sak(**{**SAK, "saTittel": "Byggesak Storgata 1A"})).noarksak
    assert (changed.saId, changed.saSeknr) == (first.saId, first.saSeknr)
    assert changed.saTittel == "Byggesak Storgata 1A"
    assert n4.server.archive.counts()["noarksak"] == 1
    # The key is (system, key): the same key of another system is another case.
    other = n4.new_sak(**{**SAK, "saEksternNokkel": {**SAKKEY, "eksternSystem": "annet"}})
    assert other.saId != first.saId and other.saSeknr == 2


def test_repeated_putjournpost_with_an_external_key(n4: N4) -> None:
    sak = n4.new_sak(**SAK)
    put = {
        "jpInnhold": "Søknad",
        "jpEksternNokkel": JPKEY,
        "jpSaEksternNokkel": SAKKEY,
        "avsmot": [{"amIhtype": "0", "amNavn": "Kari Nordmann"}],
    }
    first = expect_ok(n4.put_jp(**put)).journpost
    before = plain(n4.jp(first.jpId, **ALL_JP_FLAGS))
    again = expect_ok(n4.put_jp(**put)).journpost
    assert plain(again) == plain(first)
    assert plain(n4.jp(first.jpId, **ALL_JP_FLAGS)) == before
    # The same key by case number instead of case key: still the same entry.
    by_number = expect_ok(
        n4.put_jp(
            jpInnhold="Søknad, rettet",
            jpEksternNokkel=JPKEY,
            jpSaar=sak.saSaar,
            jpSaseknr=sak.saSeknr,
        )
    ).journpost
    assert (by_number.jpId, by_number.jpSeknr, by_number.jpJpostnr) == (first.jpId, 1, 1)
    assert n4.server.archive.counts()["journpost"] == 1
    # The next new entry gets the next numbers: the repeats consumed none.
    assert (n4.new_jp(sak).jpSeknr, n4.server.archive.counts()["journpost"]) == (2, 2)


def test_an_external_key_already_used_by_another_object_is_refused(n4: N4) -> None:
    a = n4.new_sak("A", saEksternNokkel={"eksternSystem": "s", "nokkel": "A"})
    b = n4.new_sak("B", saEksternNokkel={"eksternSystem": "s", "nokkel": "B"})
    expect_error(
        n4.put_sak(
            saId=a.saId, saTittel="A", saEksternNokkel={"eksternSystem": "s", "nokkel": "B"}
        ),
        "INVALID_VALUE",
    )
    assert n4.sak(a.saId).saEksternNokkel.nokkel == "A"
    assert n4.sak(b.saId).saEksternNokkel.nokkel == "B"
    j1 = n4.new_jp(a, jpEksternNokkel={"eksternSystem": "s", "nokkel": "1"})
    n4.new_jp(a, jpEksternNokkel={"eksternSystem": "s", "nokkel": "2"})
    expect_error(
        n4.update_jp(j1, jpEksternNokkel={"eksternSystem": "s", "nokkel": "2"}), "INVALID_VALUE"
    )
    # A key no one has may be given to an object that had none, or replace its own.
    expect_ok(
        n4.put_sak(
            saId=a.saId, saTittel="A", saEksternNokkel={"eksternSystem": "s", "nokkel": "A2"}
        )
    )
    expect_ok(n4.update_jp(j1, jpEksternNokkel={"eksternSystem": "s", "nokkel": "3"}))
    found = n4.get_jp(jpEksternNokkel={"eksternSystem": "s", "nokkel": "3"}).journpost
    assert [j.jpId for j in found] == [j1.jpId]


# ---------------------------------------------------------------- merge


def test_fields_left_out_keep_their_values(n4: N4) -> None:
    sak = n4.new_sak(**SAK)
    before = _stored_sak(n4, sak.saId)
    expect_ok(n4.put_sak(saId=sak.saId, saTittel="Ny tittel"))
    assert _stored_sak(n4, sak.saId) == {**before, "saTittel": "Ny tittel"}
    expect_ok(n4.put_sak(saTittel="Ny tittel", saEksternNokkel=SAKKEY, saAdmkort="BYGG"))
    assert _stored_sak(n4, sak.saId) == {**before, "saTittel": "Ny tittel", "saAdmkort": "BYGG"}


@pytest.mark.parametrize(
    ("name", "replacement"),
    [
        (
            "klassering",
            [
                {"klOrdnpri": "ARKNOKKEL", "klOrdnver": "L42"},
                {"klOrdnpri": "GBN", "klOrdnver": "0301-12/34/0/0"},
            ],
        ),
        ("sakspart", [{"spNavn": "Per Hansen", "spRolle": "Nabo"}]),
        ("tilleggsinfo", [{"tiItype": "N", "tiTekst": "ny"}, {"tiItype": "N", "tiTekst": "to"}]),
        (
            "matrikkelnummer",
            [
                {"kommunenummer": "0301", "gaardsnummer": 12, "bruksnummer": 34},
                {"kommunenummer": "0301", "gaardsnummer": 12, "bruksnummer": 35},
            ],
        ),
        ("bygning", [{"bygningsnummer": "2", "endringsloepenummer": "1"}]),
        ("punkt", [{"koordinatsystem": "EPSG:4258", "x": "10.7", "y": "59.9"}]),
        (
            "plan",
            [
                {"kommunenummer": "0301", "planident": "P2"},
                {"kommunenummer": "0301", "planident": "P3"},
            ],
        ),
    ],
)
def test_a_case_child_list_sent_replaces_the_stored_one(
    n4: N4, name: str, replacement: list[Any]
) -> None:
    sak = n4.new_sak(**SAK)
    before = _stored_sak(n4, sak.saId)
    answer = expect_ok(n4.put_sak(saId=sak.saId, saTittel=SAK["saTittel"], **{name: replacement}))
    assert plain(answer.noarksak)[name] == replacement
    assert _stored_sak(n4, sak.saId) == {**before, name: replacement}


@pytest.mark.parametrize(
    ("name", "replacement"),
    [
        ("avsmot", [{"amIhtype": "1", "amNavn": "Ny mottaker"}]),
        ("tilleggsinfo", [{"tiItype": "N", "tiTekst": "ny"}]),
    ],
)
def test_an_entry_child_list_sent_replaces_the_stored_one(
    n4: N4, name: str, replacement: list[Any]
) -> None:
    sak = n4.new_sak(**SAK)
    jp = n4.new_jp(
        sak,
        "Søknad",
        jpTgkode="13",
        avsmot=[{"amIhtype": "0", "amNavn": "A"}, {"amIhtype": "1", "amNavn": "B"}],
        tilleggsinfo=[{"tiItype": "M", "tiTekst": "gammel"}],
        dokument=[{"veFilnavn": "a.pdf", "veMimeType": "application/pdf", "fil": {"base64": b"a"}}],
    )
    before = plain(n4.jp(jp.jpId, **ALL_JP_FLAGS))
    expect_ok(n4.update_jp(jp, **{name: replacement}))
    assert plain(n4.jp(jp.jpId, **ALL_JP_FLAGS)) == {**before, name: replacement}


def test_entry_update_merges(n4: N4) -> None:
    sak = n4.new_sak()
    jp = n4.new_jp(
        sak, "Søknad", jpTgkode="13", jpUoff="offl. § 13", avsmot=[{"amIhtype": "0", "amNavn": "A"}]
    )
    before = plain(n4.jp(jp.jpId, **ALL_JP_FLAGS))
    expect_ok(n4.put_jp(jpId=jp.jpId, jpInnhold="Søknad", jpTgkode="UO", jpStatus="S"))
    assert plain(n4.jp(jp.jpId, **ALL_JP_FLAGS)) == {**before, "jpTgkode": "UO", "jpStatus": "S"}
