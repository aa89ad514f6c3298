"""Search (``searchCriteria``): every field of the spec's table, how it matches, AND, ordering.

Spec, "Search fields": substring fields match case-insensitively anywhere in the value; exact
fields match the whole value as sent; several criteria are combined with AND; an unknown field
is ERROR ``UNKNOWN_FIELD``; cases come in case-number order, entries in journal-number order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from n4ws_support import N4, NOON, TODAY, expect_error, expect_ok


def _crit(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"fieldName": n, "fieldValue": v} for n, v in pairs]


def find_saker(n4: N4, *pairs: tuple[str, str], **flags: Any) -> list[str]:
    resp = expect_ok(n4.get_sak(searchCriteria=_crit(*pairs), returnNoarksakRequests=flags or None))
    return [s.saTittel for s in resp.noarksak]


def find_jps(n4: N4, *pairs: tuple[str, str]) -> list[str]:
    return [j.jpInnhold for j in expect_ok(n4.get_jp(searchCriteria=_crit(*pairs))).journpost]


@pytest.fixture
def saker(n4: N4) -> N4:
    n4.new_sak(
        "Byggesøknad Storgata 1",
        saStatus="B",
        saAnsvinit="ÅSE",
        saAdmkort="PLAN",
        klassering=[
            {"klOrdnpri": "GBN", "klOrdnver": "0301-12/34/0/0"},
            {"klOrdnpri": "ARKNOKKEL", "klOrdnver": "L42"},
        ],
        sakspart=[{"spNavn": "Kari Nordmann"}, {"spNavn": "Bygg og Anlegg AS"}],
    )
    n4.new_sak(
        "Klage på BYGGESØKNAD",
        saStatus="R",
        saAnsvinit="OLA",
        saAdmkort="plan",
        klassering=[{"klOrdnpri": "ARKNOKKEL", "klOrdnver": "L4"}],
        sakspart=[{"spNavn": "Åse Ødegård"}],
    )
    n4.new_sak(
        "Skjenkebevilling 100% sikker_sak",
        saStatus="B",
        saAnsvinit="ÅSE ",
        saAdmkort="NÆR",
        sakspart=[{"spNavn": "Ærlig Mat AS"}],
    )
    return n4


# ---------------------------------------------------------------- GetNoarksak fields


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        # saTittel: case-insensitive substring, Norwegian letters folded too
        ((("saTittel", "byggesøknad"),), ["Byggesøknad Storgata 1", "Klage på BYGGESØKNAD"]),
        ((("saTittel", "BYGGESØKNAD"),), ["Byggesøknad Storgata 1", "Klage på BYGGESØKNAD"]),
        ((("saTittel", "GATA 1"),), ["Byggesøknad Storgata 1"]),
        ((("saTittel", "klage på bygg"),), ["Klage på BYGGESØKNAD"]),
        ((("saTittel", "Byggesøknad Storgata 1"),), ["Byggesøknad Storgata 1"]),
        ((("saTittel", "Byggesøknad Storgata 12"),), []),
        ((("saTittel", "byggesoknad"),), []),
        # LIKE's wildcards are plain characters
        ((("saTittel", "100%"),), ["Skjenkebevilling 100% sikker_sak"]),
        ((("saTittel", "r_s"),), ["Skjenkebevilling 100% sikker_sak"]),
        ((("saTittel", "%"),), ["Skjenkebevilling 100% sikker_sak"]),
        ((("saTittel", "_"),), ["Skjenkebevilling 100% sikker_sak"]),
        ((("saTittel", "Bygg%Storgata"),), []),
        # saStatus, saSaar: exact
        ((("saStatus", "B"),), ["Byggesøknad Storgata 1", "Skjenkebevilling 100% sikker_sak"]),
        ((("saStatus", "R"),), ["Klage på BYGGESØKNAD"]),
        ((("saStatus", "b"),), []),
        (
            (("saSaar", str(TODAY.year)),),
            ["Byggesøknad Storgata 1", "Klage på BYGGESØKNAD", "Skjenkebevilling 100% sikker_sak"],
        ),
        ((("saSaar", str(TODAY.year - 1)),), []),
        ((("saSaar", str(TODAY.year)[:2]),), []),
        # saAnsvinit, saAdmkort, klOrdnver: exact (whole value, case and spaces count)
        ((("saAnsvinit", "ÅSE"),), ["Byggesøknad Storgata 1"]),
        ((("saAnsvinit", "ÅSE "),), ["Skjenkebevilling 100% sikker_sak"]),
        ((("saAnsvinit", "åse"),), []),
        ((("saAnsvinit", "ÅS"),), []),
        ((("saAdmkort", "PLAN"),), ["Byggesøknad Storgata 1"]),
        ((("saAdmkort", "plan"),), ["Klage på BYGGESØKNAD"]),
        ((("saAdmkort", "NÆR"),), ["Skjenkebevilling 100% sikker_sak"]),
        ((("klOrdnver", "L4"),), ["Klage på BYGGESØKNAD"]),
        ((("klOrdnver", "L42"),), ["Byggesøknad Storgata 1"]),
        ((("klOrdnver", "0301-12/34/0/0"),), ["Byggesøknad Storgata 1"]),
        ((("klOrdnver", "0301"),), []),
        # spNavn: case-insensitive substring over every party of the case
        ((("spNavn", "nordmann"),), ["Byggesøknad Storgata 1"]),
        ((("spNavn", "anlegg"),), ["Byggesøknad Storgata 1"]),
        ((("spNavn", "ÅSE ØDEGÅRD"),), ["Klage på BYGGESØKNAD"]),
        ((("spNavn", " as"),), ["Byggesøknad Storgata 1", "Skjenkebevilling 100% sikker_sak"]),
        ((("spNavn", "ærlig"),), ["Skjenkebevilling 100% sikker_sak"]),
        ((("spNavn", "Per"),), []),
        # AND of several criteria, also of the same field twice
        ((("saTittel", "byggesøknad"), ("saStatus", "R")), ["Klage på BYGGESØKNAD"]),
        (
            (("saTittel", "byggesøknad"), ("saAnsvinit", "ÅSE"), ("spNavn", "kari")),
            ["Byggesøknad Storgata 1"],
        ),
        ((("saTittel", "byggesøknad"), ("spNavn", "ærlig")), []),
        ((("saTittel", "bygg"), ("saTittel", "klage")), ["Klage på BYGGESØKNAD"]),
        ((("klOrdnver", "L42"), ("klOrdnver", "0301-12/34/0/0")), ["Byggesøknad Storgata 1"]),
        ((("klOrdnver", "L42"), ("klOrdnver", "L4")), []),
    ],
)
def test_getnoarksak_search_fields(
    saker: N4, pairs: tuple[tuple[str, str], ...], expected: list[str]
) -> None:
    assert find_saker(saker, *pairs) == expected


def test_search_sees_updates(saker: N4) -> None:
    sak = expect_ok(saker.get_sak(searchCriteria=_crit(("saTittel", "klage")))).noarksak[0]
    expect_ok(
        saker.put_sak(
            saId=sak.saId, saTittel="Anke", saStatus="B", sakspart=[{"spNavn": "Per Hansen"}]
        )
    )
    assert find_saker(saker, ("saTittel", "klage")) == []
    assert find_saker(saker, ("saStatus", "R")) == []
    assert find_saker(saker, ("spNavn", "ødegård")) == []
    assert find_saker(saker, ("spNavn", "per hansen")) == ["Anke"]
    assert find_saker(saker, ("klOrdnver", "L4")) == ["Anke"]  # the list not sent is kept


def test_search_answers_follow_the_return_flags(saker: N4) -> None:
    bare = expect_ok(saker.get_sak(searchCriteria=_crit(("saTittel", "storgata")))).noarksak[0]
    assert not bare.sakspart and not bare.klassering
    full = expect_ok(
        saker.get_sak(
            searchCriteria=_crit(("saTittel", "storgata")),
            returnNoarksakRequests={"returnSakspart": True},
        )
    )
    assert [p.spNavn for p in full.noarksak[0].sakspart] == ["Kari Nordmann", "Bygg og Anlegg AS"]
    assert not full.noarksak[0].klassering


# ---------------------------------------------------------------- GetJournpost fields


@pytest.fixture
def poster(n4: N4) -> N4:
    a = n4.new_sak("Sak A")
    b = n4.new_sak("Sak B")
    n4.new_jp(
        a,
        "Søknad om ØKT høyde",
        jpNdoktype="I",
        jpStatus="M",
        avsmot=[{"amIhtype": "0", "amNavn": "Kari Nordmann"}],
    )
    n4.set_clock(NOON + dt.timedelta(days=1))
    n4.new_jp(
        b,
        "Vedtak om høyde",
        jpNdoktype="U",
        avsmot=[
            {"amIhtype": "1", "amNavn": "Åse Ødegård"},
            {"amIhtype": "1", "amNavn": "Bygg og Anlegg AS", "amKopimot": "1"},
        ],
    )
    n4.new_jp(a, "Notat 50% ferdig", jpNdoktype="N")
    n4.new_jp(a, "Ettersendt dokumentasjon", jpNdoktype="I", jpStatus="J")
    return n4


TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ((("jpInnhold", "HØYDE"),), ["Søknad om ØKT høyde", "Vedtak om høyde"]),
        ((("jpInnhold", "økt"),), ["Søknad om ØKT høyde"]),
        ((("jpInnhold", "50%"),), ["Notat 50% ferdig"]),
        ((("jpInnhold", "0%"),), ["Notat 50% ferdig"]),
        ((("jpInnhold", "_"),), []),
        ((("jpInnhold", "hoyde"),), []),
        ((("jpStatus", "M"),), ["Søknad om ØKT høyde"]),
        ((("jpStatus", "R"),), ["Vedtak om høyde", "Notat 50% ferdig"]),
        ((("jpStatus", "J"),), ["Ettersendt dokumentasjon"]),
        ((("jpStatus", "m"),), []),
        ((("jpNdoktype", "I"),), ["Søknad om ØKT høyde", "Ettersendt dokumentasjon"]),
        ((("jpNdoktype", "U"),), ["Vedtak om høyde"]),
        ((("jpNdoktype", "X"),), []),
        ((("jpJdato", TODAY.isoformat()),), ["Søknad om ØKT høyde"]),
        (
            (("jpJdato", TOMORROW),),
            ["Vedtak om høyde", "Notat 50% ferdig", "Ettersendt dokumentasjon"],
        ),
        ((("jpJdato", TODAY.isoformat()[:7]),), []),
        ((("jpJdato", "2001-01-01"),), []),
        ((("amNavn", "NORDMANN"),), ["Søknad om ØKT høyde"]),
        ((("amNavn", "ødegård"),), ["Vedtak om høyde"]),
        ((("amNavn", "anlegg"),), ["Vedtak om høyde"]),
        ((("amNavn", "Per"),), []),
        ((("jpInnhold", "høyde"), ("jpNdoktype", "U")), ["Vedtak om høyde"]),
        ((("jpNdoktype", "I"), ("jpJdato", TOMORROW)), ["Ettersendt dokumentasjon"]),
        ((("jpNdoktype", "I"), ("jpStatus", "J"), ("jpJdato", TODAY.isoformat())), []),
        ((("amNavn", "ødegård"), ("amNavn", "anlegg")), ["Vedtak om høyde"]),
    ],
)
def test_getjournpost_search_fields(
    poster: N4, pairs: tuple[tuple[str, str], ...], expected: list[str]
) -> None:
    assert find_jps(poster, *pairs) == expected


# ---------------------------------------------------------------- unknown fields


@pytest.mark.parametrize("name", ["saTitle", "SATITTEL", "jpInnhold", "saId", "", "saTittel "])
def test_getnoarksak_unknown_field(saker: N4, name: str) -> None:
    text = expect_error(saker.get_sak(searchCriteria=_crit((name, "x"))), "UNKNOWN_FIELD")
    assert repr(name) in text and "saTittel" in text  # names the field and what is supported


@pytest.mark.parametrize("name", ["jpinnhold", "saTittel", "amnavn", "jpId", "dbTittel"])
def test_getjournpost_unknown_field(poster: N4, name: str) -> None:
    text = expect_error(poster.get_jp(searchCriteria=_crit((name, "x"))), "UNKNOWN_FIELD")
    assert repr(name) in text and "jpInnhold" in text


def test_one_unknown_field_among_known_ones(saker: N4) -> None:
    expect_error(
        saker.get_sak(searchCriteria=_crit(("saTittel", "bygg"), ("ukjent", "x"))), "UNKNOWN_FIELD"
    )
    expect_error(
        saker.get_jp(searchCriteria=_crit(("jpInnhold", "x"), ("ukjent", "x"))), "UNKNOWN_FIELD"
    )


# ---------------------------------------------------------------- ordering


def test_cases_come_in_case_number_order(n4: N4) -> None:
    n4.set_clock(dt.datetime(2029, 12, 31, 23, 0))
    for i in range(3):
        n4.new_sak(f"Sak 2029 nr {i + 1}")
    n4.set_clock(dt.datetime(2030, 1, 1, 9, 0))
    for i in range(3):
        n4.new_sak(f"Sak 2030 nr {i + 1}")
    # Make the stored order differ from the creation order of the search rows.
    first = expect_ok(n4.get_sak(saksnummer={"saSaar": 2029, "saSeknr": 1})).noarksak[0]
    expect_ok(n4.put_sak(saId=first.saId, saTittel="Sak 2029 nr 1 (endret)"))
    resp = expect_ok(n4.get_sak(searchCriteria=_crit(("saTittel", "sak 20"))))
    assert [(s.saSaar, s.saSeknr) for s in resp.noarksak] == [
        (2029, 1),
        (2029, 2),
        (2029, 3),
        (2030, 1),
        (2030, 2),
        (2030, 3),
    ]


def test_entries_come_in_journal_number_order(n4: N4) -> None:
    n4.set_clock(dt.datetime(2029, 12, 31, 23, 0))
    a, b = n4.new_sak("A"), n4.new_sak("B")
    made = [n4.new_jp(b, "post 1"), n4.new_jp(a, "post 2")]
    n4.set_clock(dt.datetime(2030, 1, 1, 9, 0))
    made += [n4.new_jp(b, "post 3"), n4.new_jp(a, "post 4"), n4.new_jp(b, "post 5")]
    expect_ok(n4.update_jp(made[0], jpInnhold="post 1 (endret)"))
    expected = [(j.jpJaar, j.jpSeknr) for j in made]
    assert expected == [(2029, 1), (2029, 2), (2030, 1), (2030, 2), (2030, 3)]
    for resp in (n4.get_jp(searchCriteria=_crit(("jpInnhold", "post"))),):
        assert [(j.jpJaar, j.jpSeknr) for j in expect_ok(resp).journpost] == expected
    in_b = expect_ok(n4.get_jp(saId=b.saId)).journpost
    assert [(j.jpJaar, j.jpSeknr, j.jpJpostnr) for j in in_b] == [
        (2029, 1, 1),
        (2030, 1, 2),
        (2030, 3, 3),
    ]
    nested = expect_ok(n4.get_sak(saId=b.saId, returnNoarksakRequests={"returnJposts": True}))
    assert [j.jpJpostnr for j in nested.noarksak[0].journpost] == [1, 2, 3]
