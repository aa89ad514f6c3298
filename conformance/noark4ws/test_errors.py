"""Selectors and business errors: exactly one selector, ERROR for what names nothing, nothing stored
by a refused Put, and (full level) the profile's message codes.

The core tests judge the status type and that an ERROR carries no objects; only the full-level
code test (N4WS-ERR-005) reads the message codes. Every lookup that must find nothing uses an id,
number or external key no archive can hold (words and keys unique to this run, year 1).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tpn.conformance.noark4ws.checks import (
    describe,
    expect_code,
    expect_ok,
    expect_status,
    messages,
    objects,
)
from tpn.conformance.noark4ws.client import Archive
from tpn.conformance.outcomes import not_applicable

requirement = pytest.mark.requirement

NEVER = 999_999_999  # a sequence number no archive reaches
YEAR = dt.date.today().year


@dataclass(frozen=True)
class World:
    """One case of this run with one entry: what the selectors name."""

    token: str
    sak: Any
    jp: Any


@pytest.fixture(scope="module")
def world(n4ws: Archive) -> World:
    token = n4ws.token()
    sak = n4ws.new_sak(f"Byggesak {token}")
    jp = n4ws.new_jp(sak, f"Søknad {token}", jpNdoktype="I", jpStatus="M")
    return World(token, sak, jp)


def _sak_selectors(w: World) -> dict[str, dict[str, Any]]:
    """Each kind of GetNoarksak selector, every one naming the world's case."""
    return {
        "searchCriteria": {"searchCriteria": [{"fieldName": "saTittel", "fieldValue": w.token}]},
        "saId": {"saId": w.sak.saId},
        "saksnummer": {"saksnummer": {"saSaar": w.sak.saSaar, "saSeknr": w.sak.saSeknr}},
        "saEksternNokkel": {"saEksternNokkel": w.sak.saEksternNokkel},
    }


def _jp_selectors(w: World) -> dict[str, dict[str, Any]]:
    """Each kind of GetJournpost selector, every one naming (the case of) the world's entry."""
    return {
        "searchCriteria": {"searchCriteria": [{"fieldName": "jpInnhold", "fieldValue": w.token}]},
        "jpId": {"jpId": w.jp.jpId},
        "saId": {"saId": w.sak.saId},
        "lopenummer": {"lopenummer": {"jpJaar": w.jp.jpJaar, "jpSeknr": w.jp.jpSeknr}},
        "dokumentnummer": {
            "dokumentnummer": {
                "saSaar": w.sak.saSaar,
                "saSeknr": w.sak.saSeknr,
                "jpJpostnr": w.jp.jpJpostnr,
            }
        },
        "jpEksternNokkel": {"jpEksternNokkel": w.jp.jpEksternNokkel},
        "saEksternNokkel": {"saEksternNokkel": w.sak.saEksternNokkel},
    }


SAK_KINDS = ("searchCriteria", "saId", "saksnummer", "saEksternNokkel")
JP_KINDS = (
    "searchCriteria",
    "jpId",
    "saId",
    "lopenummer",
    "dokumentnummer",
    "jpEksternNokkel",
    "saEksternNokkel",
)


def _get(n4ws: Archive, operation: str, request: dict[str, Any]) -> Any:
    return n4ws.get_sak(**request) if operation == "GetNoarksak" else n4ws.get_jp(**request)


# ------------------------------------------------------------------ SEL-001, SEL-002

NO_SELECTOR: dict[str, tuple[str, dict[str, Any]]] = {
    "GetNoarksak with nothing": ("GetNoarksak", {}),
    "GetNoarksak with only return flags": (
        "GetNoarksak",
        {
            "returnNoarksakRequests": {"returnJposts": True, "returnSakspart": True},
            "returnJournpostRequests": {"returnDokument": True},
        },
    ),
    "GetJournpost with nothing": ("GetJournpost", {}),
    "GetJournpost with only return flags": (
        "GetJournpost",
        {"returnJournpostRequests": {"returnAvmot": True, "returnDokument": True}},
    ),
}


@requirement("N4WS-SEL-001")
@pytest.mark.parametrize("label", list(NO_SELECTOR))
def test_a_get_without_a_selector_answers_error(n4ws: Archive, world: World, label: str) -> None:
    # The world exists so that "every object" is never an empty answer.
    operation, request = NO_SELECTOR[label]
    expect_status(_get(n4ws, operation, request), "ERROR", operation, label[len(operation) + 1 :])


def _pairs(kinds: tuple[str, ...]) -> list[str]:
    return [f"{a}+{b}" for a, b in itertools.combinations(kinds, 2)] + ["all"]


AMBIGUOUS = [("GetNoarksak", p) for p in _pairs(SAK_KINDS)] + [
    ("GetJournpost", p) for p in _pairs(JP_KINDS)
]


@requirement("N4WS-SEL-002")
@pytest.mark.parametrize(("operation", "pair"), AMBIGUOUS, ids=[f"{op}:{p}" for op, p in AMBIGUOUS])
def test_a_get_with_two_kinds_of_selector_answers_error(
    n4ws: Archive, world: World, operation: str, pair: str
) -> None:
    # Every selector names the same existing object, so an archive that uses one of them and
    # ignores the rest answers OK with it: that is the mistake this catches.
    table = _sak_selectors(world) if operation == "GetNoarksak" else _jp_selectors(world)
    kinds = list(table) if pair == "all" else pair.split("+")
    request = {k: v for kind in kinds for k, v in table[kind].items()}
    expect_status(
        _get(n4ws, operation, request),
        "ERROR",
        operation,
        f"selectors {' and '.join(kinds)}, each naming the same object",
    )


# ------------------------------------------------------------------ ERR-001, ERR-002


Lookup = Callable[[Archive, World], dict[str, Any]]

NOTHING_SAK: dict[str, Lookup] = {
    "saId that was never issued": lambda n, w: {"saId": f"{n.token()}-finnes-ikke"},
    "saId 999999999999": lambda n, w: {"saId": "999999999999"},
    f"saksnummer 1/{NEVER}": lambda n, w: {"saksnummer": {"saSaar": 1, "saSeknr": NEVER}},
    f"saksnummer {YEAR}/{NEVER}": lambda n, w: {"saksnummer": {"saSaar": YEAR, "saSeknr": NEVER}},
    "saEksternNokkel never used": lambda n, w: {"saEksternNokkel": n.key("aldri")},
}

NOTHING_JP: dict[str, Lookup] = {
    "jpId that was never issued": lambda n, w: {"jpId": f"{n.token()}-finnes-ikke"},
    "jpId 999999999999": lambda n, w: {"jpId": "999999999999"},
    "saId that was never issued": lambda n, w: {"saId": f"{n.token()}-finnes-ikke"},
    f"lopenummer {NEVER}/1": lambda n, w: {"lopenummer": {"jpJaar": 1, "jpSeknr": NEVER}},
    f"lopenummer {NEVER}/{YEAR}": lambda n, w: {"lopenummer": {"jpJaar": YEAR, "jpSeknr": NEVER}},
    f"dokumentnummer 1/{NEVER}": lambda n, w: {"dokumentnummer": {"saSaar": 1, "saSeknr": NEVER}},
    f"dokumentnummer 1/{NEVER}-1": lambda n, w: {
        "dokumentnummer": {"saSaar": 1, "saSeknr": NEVER, "jpJpostnr": 1}
    },
    f"dokumentnummer of an existing case, entry {NEVER}": lambda n, w: {
        "dokumentnummer": {"saSaar": w.sak.saSaar, "saSeknr": w.sak.saSeknr, "jpJpostnr": NEVER}
    },
    "jpEksternNokkel never used": lambda n, w: {"jpEksternNokkel": n.key("aldri")},
    "saEksternNokkel never used": lambda n, w: {"saEksternNokkel": n.key("aldri")},
}


@requirement("N4WS-ERR-001")
@pytest.mark.parametrize("label", list(NOTHING_SAK))
def test_getnoarksak_naming_nothing_answers_error(n4ws: Archive, world: World, label: str) -> None:
    request = NOTHING_SAK[label](n4ws, world)
    expect_status(n4ws.get_sak(**request), "ERROR", "GetNoarksak", f"by {label}")


@requirement("N4WS-ERR-002")
@pytest.mark.parametrize("label", list(NOTHING_JP))
def test_getjournpost_naming_nothing_answers_error(n4ws: Archive, world: World, label: str) -> None:
    request = NOTHING_JP[label](n4ws, world)
    expect_status(n4ws.get_jp(**request), "ERROR", "GetJournpost", f"by {label}")


# ------------------------------------------------------------------ ERR-003


def _entries_about(n4ws: Archive, token: str) -> list[Any]:
    criteria = [{"fieldName": "jpInnhold", "fieldValue": token}]
    return objects(expect_ok(n4ws.get_jp(searchCriteria=criteria), "GetJournpost search"))


def _expect_no_entry(n4ws: Archive, token: str, key: dict[str, str], what: str) -> None:
    found = _entries_about(n4ws, token)
    assert not found, (
        f"PutJournpost ({what}) answered ERROR, but a GetJournpost search on jpInnhold "
        f"{token!r} finds {len(found)} entries: the entry was stored"
    )
    by_key = objects(n4ws.get_jp(jpEksternNokkel=key))
    assert not by_key, (
        f"PutJournpost ({what}) answered ERROR, but GetJournpost by its jpEksternNokkel finds "
        f"{len(by_key)} entries: the entry was stored"
    )


NO_CASE: dict[str, Callable[[Archive], dict[str, Any]]] = {
    f"a case number 1/{NEVER} that names no case": lambda n: {"jpSaar": 1, "jpSaseknr": NEVER},
    f"a case number {YEAR}/{NEVER} that names no case": lambda n: {
        "jpSaar": YEAR,
        "jpSaseknr": NEVER,
    },
    "a jpSaEksternNokkel that names no case": lambda n: {"jpSaEksternNokkel": n.key("aldri")},
    "no case reference at all": lambda n: {},
}


@requirement("N4WS-ERR-003")
@pytest.mark.parametrize("label", list(NO_CASE))
def test_putjournpost_without_an_existing_case_answers_error_and_creates_nothing(
    n4ws: Archive, label: str
) -> None:
    token = n4ws.token()
    key = n4ws.key("foreldrelos")
    resp = n4ws.put_jp(jpInnhold=f"Søknad {token}", jpEksternNokkel=key, **NO_CASE[label](n4ws))
    expect_status(resp, "ERROR", "PutJournpost", f"with {label}")
    _expect_no_entry(n4ws, token, key, f"with {label}")


# ------------------------------------------------------------------ ERR-004


def _empty_satittel_on_create(n4ws: Archive) -> None:
    key = n4ws.key("tom")
    resp = n4ws.put_sak(saTittel="", saEksternNokkel=key, saAdmkort="PLAN")
    expect_status(resp, "ERROR", "PutNoarksak", "creating a case with an empty saTittel")
    found = objects(n4ws.get_sak(saEksternNokkel=key))
    assert not found, (
        "PutNoarksak with an empty saTittel answered ERROR, but GetNoarksak by its "
        f"saEksternNokkel finds {len(found)} cases: the case was stored"
    )


def _empty_satittel_on_update(n4ws: Archive) -> None:
    sak = n4ws.new_sak()
    resp = n4ws.put_sak(saId=sak.saId, saTittel="")
    expect_status(resp, "ERROR", "PutNoarksak", "updating a case to an empty saTittel")
    now = n4ws.sak(sak.saId).saTittel
    assert now == sak.saTittel, (
        f"PutNoarksak with an empty saTittel answered ERROR, but the case's saTittel is now "
        f"{now!r} (was {sak.saTittel!r})"
    )


def _empty_jpinnhold_on_create(n4ws: Archive) -> None:
    sak = n4ws.new_sak()
    key = n4ws.key("tom")
    resp = n4ws.put_jp(jpInnhold="", jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr, jpEksternNokkel=key)
    expect_status(resp, "ERROR", "PutJournpost", "creating an entry with an empty jpInnhold")
    in_case = objects(expect_ok(n4ws.get_jp(saId=sak.saId), "GetJournpost by saId"))
    by_key = objects(n4ws.get_jp(jpEksternNokkel=key))
    assert not in_case and not by_key, (
        "PutJournpost with an empty jpInnhold answered ERROR, but the entry was stored: "
        f"GetJournpost by the case's saId finds {len(in_case)} entries, by the jpEksternNokkel "
        f"{len(by_key)}"
    )


def _empty_jpinnhold_on_update(n4ws: Archive) -> None:
    sak = n4ws.new_sak()
    jp = n4ws.new_jp(sak, jpNdoktype="I", jpStatus="M")
    resp = n4ws.put_jp(jpId=jp.jpId, jpInnhold="")
    expect_status(resp, "ERROR", "PutJournpost", "updating an entry to an empty jpInnhold")
    now = n4ws.jp(jp.jpId).jpInnhold
    assert now == jp.jpInnhold, (
        f"PutJournpost with an empty jpInnhold answered ERROR, but the entry's jpInnhold is now "
        f"{now!r} (was {jp.jpInnhold!r})"
    )


EMPTY: dict[str, Callable[[Archive], None]] = {
    "empty saTittel on create": _empty_satittel_on_create,
    "empty saTittel on update": _empty_satittel_on_update,
    "empty jpInnhold on create": _empty_jpinnhold_on_create,
    "empty jpInnhold on update": _empty_jpinnhold_on_update,
}


@requirement("N4WS-ERR-004")
@pytest.mark.parametrize("label", list(EMPTY))
def test_a_put_with_empty_required_text_answers_error_and_stores_nothing(
    n4ws: Archive, label: str
) -> None:
    EMPTY[label](n4ws)


# ------------------------------------------------------------------ ERR-005


def _not_found(n4ws: Archive, w: World) -> tuple[str, str, Any]:
    key = n4ws.key("aldri")
    return "GetNoarksak", "by a saEksternNokkel never used", n4ws.get_sak(saEksternNokkel=key)


def _no_selector(n4ws: Archive, w: World) -> tuple[str, str, Any]:
    return "GetJournpost", "without a selector", n4ws.get_jp()


def _ambiguous(n4ws: Archive, w: World) -> tuple[str, str, Any]:
    resp = n4ws.get_sak(
        saId=w.sak.saId, saksnummer={"saSaar": w.sak.saSaar, "saSeknr": w.sak.saSeknr}
    )
    return "GetNoarksak", "with saId and saksnummer", resp


def _missing_field(n4ws: Archive, w: World) -> tuple[str, str, Any]:
    resp = n4ws.put_sak(saTittel="", saEksternNokkel=n4ws.key("tom"))
    return "PutNoarksak", "with an empty saTittel", resp


def _missing_case(n4ws: Archive, w: World) -> tuple[str, str, Any]:
    resp = n4ws.put_jp(jpInnhold=f"Søknad {n4ws.token()}", jpEksternNokkel=n4ws.key("ingen-sak"))
    return "PutJournpost", "a new entry without a case reference", resp


def _state_violation(n4ws: Archive, w: World) -> tuple[str, str, Any]:
    jp = n4ws.new_jp(w.sak, jpNdoktype="I", jpStatus="M")
    resp = n4ws.put_jp(jpId=jp.jpId, jpInnhold=jp.jpInnhold, jpStatus="A")
    return "PutJournpost", "changing an incoming entry from jpStatus M to A", resp


def _case_closed(n4ws: Archive, w: World) -> tuple[str, str, Any]:
    sak = n4ws.new_sak()
    expect_ok(
        n4ws.put_sak(saId=sak.saId, saTittel=sak.saTittel, saStatus="A"),
        "PutNoarksak (closing a case: saStatus B to A)",
    )
    resp = n4ws.put_jp(
        jpInnhold=f"Søknad {n4ws.token()}",
        jpSaar=sak.saSaar,
        jpSaseknr=sak.saSeknr,
        jpEksternNokkel=n4ws.key("lukket"),
    )
    return "PutJournpost", "a new entry in a case with saStatus A", resp


CODES: dict[str, tuple[str, Callable[[Archive, World], tuple[str, str, Any]]]] = {
    "NOT_FOUND": ("NOT_FOUND", _not_found),
    "NO_SELECTOR": ("NO_SELECTOR", _no_selector),
    "AMBIGUOUS_SELECTOR": ("AMBIGUOUS_SELECTOR", _ambiguous),
    "MISSING_FIELD (empty saTittel)": ("MISSING_FIELD", _missing_field),
    "MISSING_FIELD (no case reference)": ("MISSING_FIELD", _missing_case),
    "STATE_VIOLATION": ("STATE_VIOLATION", _state_violation),
    "CASE_CLOSED": ("CASE_CLOSED", _case_closed),
}


@requirement("N4WS-ERR-005")
@pytest.mark.parametrize("label", list(CODES))
def test_an_error_carries_the_profiles_code_and_a_text(
    n4ws: Archive, world: World, label: str
) -> None:
    code, scenario = CODES[label]
    operation, why, resp = scenario(n4ws, world)
    if resp.status is not None and resp.status.type == "OK" and not messages(resp):
        # No ERROR, so no code to judge: whether the status is right is the core requirements'
        # question (SEL, ERR, STA), and they answer it for this archive.
        not_applicable(
            f"{operation} {why} answered OK, so there is no message whose code could be checked"
        )
    assert resp.status is not None and resp.status.type in ("ERROR", "WARNING"), (
        f"{operation} ({why}): expected an ERROR with code {code}, got {describe(resp)}"
    )
    expect_code(resp, code, operation, why)
