"""The selectors of GetNoarksak and GetJournpost: each finds what it names; exactly one kind.

Spec, "Operations": exactly one selector kind, else ERROR ``NO_SELECTOR`` /
``AMBIGUOUS_SELECTOR``; an id, number or external key that names nothing is ERROR
``NOT_FOUND`` (never an empty OK); a search that matches nothing is OK with no objects.
"""

from __future__ import annotations

from typing import Any

import pytest
from n4ws_support import N4, TODAY, expect_error, expect_ok

KEY = {"eksternSystem": "eByggesak", "nokkel": "SAK-1"}
JPKEY = {"eksternSystem": "eByggesak", "nokkel": "JP-1"}


@pytest.fixture
def world(n4: N4) -> dict[str, Any]:
    """Two cases: the first (with an external key) has three entries, the second one."""
    a = n4.new_sak("Første sak", saEksternNokkel=KEY)
    b = n4.new_sak("Andre sak")
    a1 = n4.new_jp(a, "a1", jpEksternNokkel=JPKEY)
    b1 = n4.new_jp(b, "b1")
    a2 = n4.new_jp(a, "a2")
    a3 = n4.new_jp(a, "a3")
    return {"a": a, "b": b, "a1": a1, "a2": a2, "a3": a3, "b1": b1}


def _ids(objs: list[Any], attr: str) -> list[str]:
    return [getattr(o, attr) for o in objs]


# ---------------------------------------------------------------- GetNoarksak


def test_getnoarksak_each_selector_finds_its_case(n4: N4, world: dict[str, Any]) -> None:
    a, b = world["a"], world["b"]
    by = {
        "saId": {"saId": b.saId},
        "saksnummer": {"saksnummer": {"saSaar": b.saSaar, "saSeknr": b.saSeknr}},
        "search": {"searchCriteria": [{"fieldName": "saTittel", "fieldValue": "andre"}]},
    }
    for name, selector in by.items():
        assert _ids(expect_ok(n4.get_sak(**selector)).noarksak, "saId") == [b.saId], name
    found = expect_ok(n4.get_sak(saEksternNokkel=KEY)).noarksak
    assert _ids(found, "saId") == [a.saId]


@pytest.mark.parametrize(
    "selector",
    [
        {"saId": "999"},
        {"saId": "0"},
        {"saId": "-1"},
        {"saId": "abc"},
        {"saId": ""},
        {"saId": "99999999999999999999999"},
        # Digits that are not ASCII digits name no case: not "1", and no server failure either.
        {"saId": "\u00b2"},
        {"saId": "\u0661"},
        {"saId": "\uff11"},
        {"saksnummer": {"saSaar": TODAY.year, "saSeknr": 99}},
        {"saksnummer": {"saSaar": TODAY.year - 1, "saSeknr": 1}},
        {"saksnummer": {"saSaar": 10**30, "saSeknr": 1}},
        {"saEksternNokkel": {"eksternSystem": "eByggesak", "nokkel": "SAK-2"}},
        {"saEksternNokkel": {"eksternSystem": "annet", "nokkel": "SAK-1"}},
        {"saEksternNokkel": {"eksternSystem": "eByggesak", "nokkel": "sak-1"}},
    ],
)
def test_getnoarksak_not_found(n4: N4, world: dict[str, Any], selector: dict[str, Any]) -> None:
    expect_error(n4.get_sak(**selector), "NOT_FOUND")


def test_getnoarksak_search_without_match_is_an_empty_ok(n4: N4, world: dict[str, Any]) -> None:
    resp = n4.get_sak(searchCriteria=[{"fieldName": "saTittel", "fieldValue": "finnes ikke"}])
    assert not expect_ok(resp).noarksak


def test_getnoarksak_without_selector(n4: N4, world: dict[str, Any]) -> None:
    expect_error(n4.get_sak(), "NO_SELECTOR")
    # Return flags are not a selector.
    expect_error(n4.get_sak(returnNoarksakRequests={"returnJposts": True}), "NO_SELECTOR")


SAK_SELECTORS: dict[str, Any] = {
    "searchCriteria": [{"fieldName": "saTittel", "fieldValue": "sak"}],
    "saId": "1",
    "saksnummer": {"saSaar": TODAY.year, "saSeknr": 1},
    "saEksternNokkel": KEY,
}


@pytest.mark.parametrize(
    "pair", [(x, y) for i, x in enumerate(SAK_SELECTORS) for y in list(SAK_SELECTORS)[i + 1 :]]
)
def test_getnoarksak_two_selectors_are_ambiguous(
    n4: N4, world: dict[str, Any], pair: tuple[str, str]
) -> None:
    text = expect_error(n4.get_sak(**{k: SAK_SELECTORS[k] for k in pair}), "AMBIGUOUS_SELECTOR")
    assert pair[0] in text and pair[1] in text


def test_getnoarksak_all_selectors_are_ambiguous(n4: N4, world: dict[str, Any]) -> None:
    expect_error(n4.get_sak(**SAK_SELECTORS), "AMBIGUOUS_SELECTOR")


# ---------------------------------------------------------------- GetJournpost


def test_getjournpost_each_selector_finds_its_entries(n4: N4, world: dict[str, Any]) -> None:
    a, a1, a2, a3 = world["a"], world["a1"], world["a2"], world["a3"]
    cases: dict[str, tuple[dict[str, Any], list[Any]]] = {
        "jpId": ({"jpId": a2.jpId}, [a2]),
        "saId": ({"saId": a.saId}, [a1, a2, a3]),
        "lopenummer": ({"lopenummer": {"jpJaar": a3.jpJaar, "jpSeknr": a3.jpSeknr}}, [a3]),
        "dokumentnummer": (
            {"dokumentnummer": {"saSaar": a.saSaar, "saSeknr": a.saSeknr, "jpJpostnr": 2}},
            [a2],
        ),
        "dokumentnummer without jpJpostnr": (
            {"dokumentnummer": {"saSaar": a.saSaar, "saSeknr": a.saSeknr}},
            [a1, a2, a3],
        ),
        "jpEksternNokkel": ({"jpEksternNokkel": JPKEY}, [a1]),
        "saEksternNokkel": ({"saEksternNokkel": KEY}, [a1, a2, a3]),
        "search": (
            {"searchCriteria": [{"fieldName": "jpInnhold", "fieldValue": "A"}]},
            [a1, a2, a3],
        ),
    }
    for name, (selector, expected) in cases.items():
        got = expect_ok(n4.get_jp(**selector)).journpost
        assert _ids(got, "jpId") == _ids(expected, "jpId"), name


def test_getjournpost_case_without_entries_is_an_empty_ok(n4: N4) -> None:
    sak = n4.new_sak(saEksternNokkel=KEY)
    for selector in (
        {"saId": sak.saId},
        {"saEksternNokkel": KEY},
        {"dokumentnummer": {"saSaar": sak.saSaar, "saSeknr": sak.saSeknr}},
    ):
        assert not expect_ok(n4.get_jp(**selector)).journpost


@pytest.mark.parametrize(
    "selector",
    [
        {"jpId": "999"},
        {"jpId": "0"},
        {"jpId": "x"},
        {"jpId": "\u00b2"},
        {"jpId": "\u0661"},
        {"jpId": "99999999999999999999999"},
        {"saId": "999"},
        {"saId": "\u00b2"},
        {"lopenummer": {"jpJaar": TODAY.year, "jpSeknr": 99}},
        {"lopenummer": {"jpJaar": TODAY.year + 1, "jpSeknr": 1}},
        {"lopenummer": {"jpJaar": TODAY.year, "jpSeknr": 10**30}},
        {"dokumentnummer": {"saSaar": TODAY.year, "saSeknr": 99}},
        {"dokumentnummer": {"saSaar": TODAY.year, "saSeknr": 1, "jpJpostnr": 4}},
        {"dokumentnummer": {"saSaar": TODAY.year, "saSeknr": 1, "jpJpostnr": 10**30}},
        {"dokumentnummer": {"saSaar": TODAY.year, "saSeknr": 99, "jpJpostnr": 1}},
        {"jpEksternNokkel": {"eksternSystem": "eByggesak", "nokkel": "JP-2"}},
        {"jpEksternNokkel": {"eksternSystem": "annet", "nokkel": "JP-1"}},
        {"saEksternNokkel": {"eksternSystem": "eByggesak", "nokkel": "SAK-2"}},
    ],
)
def test_getjournpost_not_found(n4: N4, world: dict[str, Any], selector: dict[str, Any]) -> None:
    expect_error(n4.get_jp(**selector), "NOT_FOUND")


def test_getjournpost_without_selector(n4: N4, world: dict[str, Any]) -> None:
    expect_error(n4.get_jp(), "NO_SELECTOR")
    expect_error(n4.get_jp(returnJournpostRequests={"returnFil": True}), "NO_SELECTOR")


JP_SELECTORS: dict[str, Any] = {
    "searchCriteria": [{"fieldName": "jpInnhold", "fieldValue": "a"}],
    "jpId": "1",
    "saId": "1",
    "lopenummer": {"jpJaar": TODAY.year, "jpSeknr": 1},
    "dokumentnummer": {"saSaar": TODAY.year, "saSeknr": 1, "jpJpostnr": 1},
    "jpEksternNokkel": JPKEY,
    "saEksternNokkel": KEY,
}


@pytest.mark.parametrize(
    "pair", [(x, y) for i, x in enumerate(JP_SELECTORS) for y in list(JP_SELECTORS)[i + 1 :]]
)
def test_getjournpost_two_selectors_are_ambiguous(
    n4: N4, world: dict[str, Any], pair: tuple[str, str]
) -> None:
    text = expect_error(n4.get_jp(**{k: JP_SELECTORS[k] for k in pair}), "AMBIGUOUS_SELECTOR")
    assert pair[0] in text and pair[1] in text


# ---------------------------------------------------------------- Put by id


def test_put_with_unknown_ids_is_not_found(n4: N4, world: dict[str, Any]) -> None:
    for said in ("999", "abc", "\u00b2", "\u0661"):
        expect_error(n4.put_sak(saId=said, saTittel="x"), "NOT_FOUND")
    for jpid in ("999", "abc", "\u00b2", "\u0661"):
        expect_error(n4.put_jp(jpId=jpid, jpInnhold="x"), "NOT_FOUND")
    # Nothing was created by the refused Puts.
    assert n4.server.archive.counts()["noarksak"] == 2
    assert n4.server.archive.counts()["journpost"] == 4


def test_new_entry_must_name_an_existing_case(n4: N4, world: dict[str, Any]) -> None:
    expect_error(n4.put_jp(jpInnhold="x"), "MISSING_FIELD")
    expect_error(n4.put_jp(jpInnhold="x", jpSaar=TODAY.year), "MISSING_FIELD")
    expect_error(n4.put_jp(jpInnhold="x", jpSaar=TODAY.year, jpSaseknr=99), "NOT_FOUND")
    expect_error(n4.put_jp(jpInnhold="x", jpSaar=10**30, jpSaseknr=1), "NOT_FOUND")
    expect_error(
        n4.put_jp(jpInnhold="x", jpSaEksternNokkel={"eksternSystem": "x", "nokkel": "y"}),
        "NOT_FOUND",
    )
