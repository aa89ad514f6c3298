"""Access codes and public fields: with saU1 or jpU1 = 1 the public title or content must be given,
must differ from the full text, and must name no party of the case or entry nor hold an 11-digit
number; access codes and public fields are stored as sent; a refused public field is
INVALID_VALUE.

Personal data here is synthetic only: fictitious names, and a fødselsnummer whose month is
raised by 80 (the synthetic series no real person has), made below with valid check digits.
"""

from __future__ import annotations

from typing import Any

import pytest

from tpn.conformance.noark4ws.checks import (
    expect_code,
    expect_ok,
    expect_same,
    expect_status,
    objects,
)
from tpn.conformance.noark4ws.client import Archive
from tpn.conformance.noark4ws.identities import synthetic_fnr

requirement = pytest.mark.requirement


FNR = synthetic_fnr(15, 3, 85)
PARTY = "Kari Nordmann"  # the case's party (sakspart)
SENDER = "Ola Nordmann"  # the entry's sender (avsmot)
CLEAN_TITLE = "Søknad om dispensasjon fra reguleringsplan"
CLEAN_CONTENT = "Brev om byggesak"


def _sak_fields(n4ws: Archive, token: str, **fields: Any) -> dict[str, Any]:
    return {
        "saTittel": f"Søknad fra {PARTY} om dispensasjon {token}",
        "saEksternNokkel": n4ws.key("sak"),
        "sakspart": [{"spNavn": PARTY}],
        **fields,
    }


def _jp_fields(n4ws: Archive, sak: Any, token: str, **fields: Any) -> dict[str, Any]:
    return {
        "jpInnhold": f"Brev fra {SENDER} om byggesak {token}",
        "jpSaar": sak.saSaar,
        "jpSaseknr": sak.saSeknr,
        "jpEksternNokkel": n4ws.key("jp"),
        "avsmot": [{"amIhtype": "0", "amNavn": SENDER}],
        **fields,
    }


def _no_case(n4ws: Archive, sent: dict[str, Any], why: str) -> None:
    found = objects(n4ws.get_sak(saEksternNokkel=sent["saEksternNokkel"]))
    assert not found, (
        f"PutNoarksak ({why}): answered ERROR, but GetNoarksak by its saEksternNokkel finds "
        f"{len(found)} case(s)"
    )


def _no_entry(n4ws: Archive, sent: dict[str, Any], why: str) -> None:
    found = objects(n4ws.get_jp(jpEksternNokkel=sent["jpEksternNokkel"]))
    assert not found, (
        f"PutJournpost ({why}): answered ERROR, but GetJournpost by its jpEksternNokkel finds "
        f"{len(found)} entr(ies)"
    )


@pytest.fixture(scope="module")
def party_sak(n4ws: Archive) -> Any:
    """A case with the party PARTY, for this module's entries (each test judges only its own
    entries, found by their external keys)."""
    return n4ws.new_sak(sakspart=[{"spNavn": PARTY}])


MISSING = {"absent": None, "blank": "   "}


# ------------------------------------------------------------------ N4WS-ACC-001


@requirement("N4WS-ACC-001")
@pytest.mark.parametrize("public", list(MISSING))
def test_an_exempt_case_needs_a_public_title(n4ws: Archive, public: str) -> None:
    token = n4ws.token()
    extra = {} if MISSING[public] is None else {"saOfftittel": MISSING[public]}
    sent = _sak_fields(n4ws, token, saU1="1", **extra)
    why = f"a new case with saU1 1 and saOfftittel {public}"
    expect_status(n4ws.put_sak(**sent), "ERROR", "PutNoarksak", why)
    _no_case(n4ws, sent, why)
    # The same case with a public title is taken: the refusal was for the missing one.
    sent = _sak_fields(n4ws, token, saU1="1", saOfftittel=CLEAN_TITLE)
    expect_ok(n4ws.put_sak(**sent), f"PutNoarksak (saU1 1 with saOfftittel {CLEAN_TITLE!r})")


@requirement("N4WS-ACC-001")
@pytest.mark.parametrize("public", list(MISSING))
def test_an_exempt_entry_needs_a_public_content(n4ws: Archive, party_sak: Any, public: str) -> None:
    sak = party_sak
    token = n4ws.token()
    extra = {} if MISSING[public] is None else {"jpOffinnhold": MISSING[public]}
    sent = _jp_fields(n4ws, sak, token, jpU1="1", **extra)
    why = f"a new entry with jpU1 1 and jpOffinnhold {public}"
    expect_status(n4ws.put_jp(**sent), "ERROR", "PutJournpost", why)
    _no_entry(n4ws, sent, why)
    sent = _jp_fields(n4ws, sak, token, jpU1="1", jpOffinnhold=CLEAN_CONTENT)
    expect_ok(n4ws.put_jp(**sent), f"PutJournpost (jpU1 1 with jpOffinnhold {CLEAN_CONTENT!r})")


@requirement("N4WS-ACC-001")
def test_exempting_a_stored_object_needs_its_public_field(n4ws: Archive) -> None:
    sak = n4ws.new_sak(saU1="0")
    why = f"case {sak.saId}, stored without saOfftittel, updated to saU1 1"
    resp = n4ws.put_sak(saId=sak.saId, saTittel=sak.saTittel, saU1="1")
    expect_status(resp, "ERROR", "PutNoarksak", why)
    stored = n4ws.sak(sak.saId).saU1
    assert stored == "0", f"PutNoarksak ({why}): answered ERROR, but stored saU1 {stored!r}"
    jp = n4ws.new_jp(sak, jpU1="0")
    why = f"entry {jp.jpId}, stored without jpOffinnhold, updated to jpU1 1"
    expect_status(n4ws.update_jp(jp, jpU1="1"), "ERROR", "PutJournpost", why)
    stored = n4ws.jp(jp.jpId).jpU1
    assert stored == "0", f"PutJournpost ({why}): answered ERROR, but stored jpU1 {stored!r}"


# ------------------------------------------------------------------ N4WS-ACC-002


def _refused_titles(token: str) -> dict[str, str]:
    return {
        "the case party's name": f"Søknad fra {PARTY}",
        "the full title": f"Søknad fra {PARTY} om dispensasjon {token}",
        "an 11-digit number": f"Søknad om dispensasjon, fnr {FNR}",
    }


def _refused_contents(token: str) -> dict[str, str]:
    return {
        "the sender's name": f"Brev fra {SENDER}",
        "the case party's name": f"Brev om byggesak til {PARTY}",
        "the full content": f"Brev fra {SENDER} om byggesak {token}",
        "an 11-digit number": f"Brev om byggesak, fnr {FNR}",
    }


CASE_REFUSALS = list(_refused_titles(""))
ENTRY_REFUSALS = list(_refused_contents(""))


@requirement("N4WS-ACC-002")
@pytest.mark.parametrize("what", [*CASE_REFUSALS, "a clean title"])
def test_a_public_title_must_not_reveal_what_is_exempt(n4ws: Archive, what: str) -> None:
    token = n4ws.token()
    title = _refused_titles(token).get(what, CLEAN_TITLE)
    sent = _sak_fields(n4ws, token, saU1="1", saOfftittel=title)
    why = f"saU1 1 and a saOfftittel holding {what}: {title!r}"
    resp = n4ws.put_sak(**sent)
    if what in CASE_REFUSALS:
        expect_status(resp, "ERROR", "PutNoarksak", why)
        _no_case(n4ws, sent, why)
    else:
        expect_ok(resp, f"PutNoarksak ({why})")


@requirement("N4WS-ACC-002")
@pytest.mark.parametrize("what", [*ENTRY_REFUSALS, "a clean content"])
def test_a_public_content_must_not_reveal_what_is_exempt(
    n4ws: Archive, party_sak: Any, what: str
) -> None:
    sak = party_sak
    token = n4ws.token()
    content = _refused_contents(token).get(what, CLEAN_CONTENT)
    sent = _jp_fields(n4ws, sak, token, jpU1="1", jpOffinnhold=content)
    why = f"jpU1 1 and a jpOffinnhold holding {what}: {content!r}"
    resp = n4ws.put_jp(**sent)
    if what in ENTRY_REFUSALS:
        expect_status(resp, "ERROR", "PutJournpost", why)
        _no_entry(n4ws, sent, why)
    else:
        expect_ok(resp, f"PutJournpost ({why})")


# ------------------------------------------------------------------ N4WS-ACC-003


@requirement("N4WS-ACC-003")
def test_access_codes_and_public_fields_are_stored_as_sent(n4ws: Archive) -> None:
    token = n4ws.token()
    sak_sent = _sak_fields(
        n4ws,
        token,
        saU1="1",
        saOfftittel=CLEAN_TITLE,
        saTgkode="13",
        saUoff="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        klassering=[{"klOrdnpri": "FNR", "klOrdnver": FNR, "klU1": "1"}],
        sakspart=[{"spNavn": PARTY, "spU1": "1"}],
        tilleggsinfo=[{"tiItype": "M", "tiTekst": "Helseopplysninger", "tiTgkode": "13"}],
    )
    sak = expect_ok(n4ws.put_sak(**sak_sent), "PutNoarksak (an exempt case)").noarksak
    stored = n4ws.sak(sak.saId, returnKlassering=True, returnSakspart=True, returnTilleggsinfo=True)
    expect_same(sak_sent, stored, f"GetNoarksak by saId {sak.saId} (an exempt case)")
    jp_sent = _jp_fields(
        n4ws,
        sak,
        token,
        jpU1="1",
        jpOffinnhold=CLEAN_CONTENT,
        jpTgkode="5a",
        jpUoff="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        avsmot=[{"amIhtype": "0", "amNavn": SENDER, "amU1": "1"}],
        tilleggsinfo=[{"tiItype": "M", "tiTekst": "Taushetsbelagt", "tiTgkode": "UO"}],
    )
    jp = expect_ok(n4ws.put_jp(**jp_sent), "PutJournpost (an exempt entry)").journpost
    stored = n4ws.jp(jp.jpId, returnAvmot=True, returnTilleggsinfo=True)
    expect_same(jp_sent, stored, f"GetJournpost by jpId {jp.jpId} (an exempt entry)")


@requirement("N4WS-ACC-003")
@pytest.mark.parametrize("what", CASE_REFUSALS)
def test_a_refused_public_title_is_invalid_value(n4ws: Archive, what: str) -> None:
    token = n4ws.token()
    title = _refused_titles(token)[what]
    why = f"saU1 1 and a saOfftittel holding {what}: {title!r}"
    resp = n4ws.put_sak(**_sak_fields(n4ws, token, saU1="1", saOfftittel=title))
    expect_code(
        expect_status(resp, "ERROR", "PutNoarksak", why), "INVALID_VALUE", "PutNoarksak", why
    )


@requirement("N4WS-ACC-003")
@pytest.mark.parametrize("what", ENTRY_REFUSALS)
def test_a_refused_public_content_is_invalid_value(
    n4ws: Archive, party_sak: Any, what: str
) -> None:
    sak = party_sak
    token = n4ws.token()
    content = _refused_contents(token)[what]
    why = f"jpU1 1 and a jpOffinnhold holding {what}: {content!r}"
    resp = n4ws.put_jp(**_jp_fields(n4ws, sak, token, jpU1="1", jpOffinnhold=content))
    expect_code(
        expect_status(resp, "ERROR", "PutJournpost", why), "INVALID_VALUE", "PutJournpost", why
    )
