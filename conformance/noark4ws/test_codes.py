"""Code lists: the closed lists (jpNdoktype, jpStatus, saStatus, amIhtype, amAvskm, dlType,
dbStatus, veVariant) refuse every other value and accept every listed one; the refusal names
INVALID_CODE and lists the allowed values; the open lists (tgkode, klOrdnpri, veDokformat,
amForsend) take values beyond the known ones.

The lists are written out here from the standard (not read from the fixtures the reference
archive uses), so an archive with an old or wrong list fails.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tpn.conformance.noark4ws.checks import (
    expect_accepted,
    expect_code,
    expect_ok,
    expect_same,
    expect_status,
    objects,
    plain,
)
from tpn.conformance.noark4ws.client import Archive
from tpn.conformance.noark4ws.messages import FLAGS_JP_FIL

requirement = pytest.mark.requirement

CLOSED = {
    "jpNdoktype": ["I", "U", "N", "X", "S"],
    "jpStatus": ["R", "M", "S", "J", "F", "G", "E", "A", "U"],
    "saStatus": ["B", "R", "S", "F", "A", "U", "P"],
    "amIhtype": ["0", "1"],
    "amAvskm": ["BU", "BE", "TLF", "TE", "TO", "BN", "SA"],
    "dlType": ["H", "V"],
    "dbStatus": ["B", "F"],
    "veVariant": ["P", "A", "O"],
}
# Values outside each list: an unknown code, a listed code in the wrong case, and a code of
# another list (what a client mixing up fields sends).
BAD = {
    "jpNdoktype": ["Q", "i", "R"],
    "jpStatus": ["Q", "m", "B"],
    "saStatus": ["Q", "b", "M"],
    "amIhtype": ["2", "Q"],
    "amAvskm": ["QQ", "bu", "BREV"],
    "dlType": ["Q", "h", "B"],
    "dbStatus": ["Q", "f", "H"],
    "veVariant": ["Q", "p", "F"],
}
START = {"I": ["M", "S", "J"], "U": ["R"], "N": ["R"], "X": ["R"], "S": ["R"]}
DOC = {"veFilnavn": "brev.pdf", "veMimeType": "application/pdf", "fil": {"base64": b"%PDF-1.4\n"}}
SENDER = {"amIhtype": "0", "amNavn": "Kari Nordmann"}


def _with(field: str, value: str) -> dict[str, Any]:
    """The fields of a journpost that carry ``value`` in ``field``."""
    if field in ("jpNdoktype", "jpStatus"):
        return {field: value}
    if field in ("amIhtype", "amAvskm"):
        return {"avsmot": [{**SENDER, field: value}]}
    return {"dokument": [{**DOC, field: value}]}


def _entries(n4ws: Archive, sak: Any) -> list[str]:
    resp = expect_ok(n4ws.get_jp(saId=sak.saId), f"GetJournpost by saId {sak.saId}")
    return [j.jpId for j in objects(resp)]


def _put_bad(n4ws: Archive, sak: Any, field: str, value: str) -> Any:
    """A Put creating an object that carries ``value`` in ``field`` (for saStatus a new case,
    else a new entry in ``sak``)."""
    if field == "saStatus":
        return n4ws.put_sak(
            saTittel=f"Byggesak {n4ws.token()}", saStatus=value, saEksternNokkel=n4ws.key("sak")
        )
    return n4ws.put_jp(
        jpInnhold=f"Søknad {n4ws.token()}",
        jpSaar=sak.saSaar,
        jpSaseknr=sak.saSeknr,
        jpEksternNokkel=n4ws.key("jp"),
        **_with(field, value),
    )


# ------------------------------------------------------------------ N4WS-COD-001


@requirement("N4WS-COD-001")
def test_a_case_status_outside_the_list_is_refused(n4ws: Archive) -> None:
    sak = n4ws.new_sak()
    for value in BAD["saStatus"]:
        key = n4ws.key("sak")
        why = f"a new case with saStatus {value!r}, outside {CLOSED['saStatus']}"
        resp = n4ws.put_sak(
            saTittel=f"Byggesak {n4ws.token()}", saStatus=value, saEksternNokkel=key
        )
        expect_status(resp, "ERROR", "PutNoarksak", why)
        found = objects(n4ws.get_sak(saEksternNokkel=key))
        assert not found, (
            f"PutNoarksak ({why}): answered ERROR, but GetNoarksak by its saEksternNokkel "
            f"finds {len(found)} case(s)"
        )
        why = f"case {sak.saId} updated to saStatus {value!r}, outside {CLOSED['saStatus']}"
        resp = n4ws.put_sak(saId=sak.saId, saTittel=sak.saTittel, saStatus=value)
        expect_status(resp, "ERROR", "PutNoarksak", why)
        stored = n4ws.sak(sak.saId).saStatus
        assert stored == sak.saStatus, (
            f"PutNoarksak ({why}): answered ERROR, but the stored saStatus is {stored!r}"
        )


ENTRY_LISTS = [f for f in CLOSED if f != "saStatus"]


@requirement("N4WS-COD-001")
@pytest.mark.parametrize("field", ENTRY_LISTS)
def test_an_entry_value_outside_a_closed_list_is_refused(n4ws: Archive, field: str) -> None:
    sak = n4ws.new_sak()
    good = n4ws.new_jp(sak, avsmot=[SENDER], dokument=[{**DOC, "dlType": "H"}])
    before = plain(n4ws.jp(good.jpId, **FLAGS_JP_FIL))
    for value in BAD[field]:
        outside = f"{field} {value!r}, outside {CLOSED[field]}"
        why = f"a new entry with {outside}"
        expect_status(_put_bad(n4ws, sak, field, value), "ERROR", "PutJournpost", why)
        # The same value on an update of a valid entry (for documents and avsmot: an added
        # document, a replaced avsmot list).
        why = f"entry {good.jpId} updated with {outside}"
        expect_status(n4ws.update_jp(good, **_with(field, value)), "ERROR", "PutJournpost", why)
        after = plain(n4ws.jp(good.jpId, **FLAGS_JP_FIL))
        assert after == before, (
            f"PutJournpost ({why}): answered ERROR, but the stored entry changed: "
            f"{_changed(before, after)}"
        )
    made = _entries(n4ws, sak)
    assert made == [good.jpId], (
        f"PutJournpost: new entries with {field} outside its list were answered ERROR, but case "
        f"{sak.saSaar}/{sak.saSeknr} holds entries {made}, not only {[good.jpId]}"
    )


def _changed(before: dict[str, Any], after: dict[str, Any]) -> str:
    names = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return "; ".join(f"{k}: {before.get(k)!r:.80} became {after.get(k)!r:.80}" for k in names[:5])


# ------------------------------------------------------------------ N4WS-COD-002


def _stored_jp(n4ws: Archive, jp: Any) -> Any:
    return n4ws.jp(jp.jpId, returnAvmot=True, returnDokument=True)


@requirement("N4WS-COD-002")
def test_every_case_status_is_accepted(n4ws: Archive) -> None:
    # Created in each open status; A and U reached by the changes the case rules allow.
    made = {}
    for status in CLOSED["saStatus"]:
        if status in ("A", "U"):
            continue
        sak = made[status] = n4ws.new_sak(saStatus=status)
        stored = n4ws.sak(sak.saId).saStatus
        assert (sak.saStatus, stored) == (status, status), (
            f"PutNoarksak (a new case with saStatus {status}): answered saStatus "
            f"{sak.saStatus}, stored {stored}"
        )
    sak = made["P"]
    for status in ("A", "U"):
        why = f"case {sak.saId} changed from saStatus {sak.saStatus} to {status}"
        resp = expect_accepted(
            n4ws.put_sak(saId=sak.saId, saTittel=sak.saTittel, saStatus=status),
            "PutNoarksak",
            why,
        )
        stored = n4ws.sak(sak.saId).saStatus
        assert (resp.noarksak.saStatus, stored) == (status, status), (
            f"PutNoarksak ({why}): answered saStatus {resp.noarksak.saStatus}, stored {stored}"
        )
        if status == "A":
            expect_accepted(
                n4ws.put_sak(saId=sak.saId, saTittel=sak.saTittel, saStatus="B"),
                "PutNoarksak",
                f"case {sak.saId} reopened from saStatus A to B",
            )


@requirement("N4WS-COD-002")
def test_every_entry_type_and_status_is_accepted(n4ws: Archive) -> None:
    sak = n4ws.new_sak()
    made: dict[tuple[str, str], Any] = {}
    for ndoktype, starts in START.items():
        for status in starts:
            jp = n4ws.new_jp(sak, jpNdoktype=ndoktype, jpStatus=status)
            stored = _stored_jp(n4ws, jp)
            got = (stored.jpNdoktype, stored.jpStatus)
            assert got == (ndoktype, status), (
                f"PutJournpost (a new entry with jpNdoktype {ndoktype}, jpStatus {status}): "
                f"stored jpNdoktype {got[0]}, jpStatus {got[1]}"
            )
            made[(ndoktype, status)] = jp
    # The other statuses by the changes the state table allows.
    for (ndoktype, start), steps in ((("U", "R"), "FGE"), (("I", "J"), "A"), (("I", "M"), "U")):
        jp = made[(ndoktype, start)]
        for status in steps:
            why = f"entry {jp.jpId} of jpNdoktype {ndoktype} changed to jpStatus {status}"
            expect_accepted(n4ws.update_jp(jp, jpStatus=status), "PutJournpost", why)
            stored = _stored_jp(n4ws, jp).jpStatus
            assert stored == status, f"PutJournpost ({why}): stored jpStatus {stored}"
    seen = {s for _, s in made} | set("FGEAU")
    assert seen == set(CLOSED["jpStatus"]), "the suite misses a jpStatus value"


@requirement("N4WS-COD-002")
def test_every_avsmot_code_is_accepted(n4ws: Archive) -> None:
    sak = n4ws.new_sak()
    sent = [
        {"amIhtype": CLOSED["amIhtype"][i % 2], "amNavn": f"Mottaker {i}", "amAvskm": avskm}
        for i, avskm in enumerate(CLOSED["amAvskm"])
    ]
    jp = n4ws.new_jp(sak, avsmot=sent)
    stored = [(a.amIhtype, a.amAvskm) for a in _stored_jp(n4ws, jp).avsmot or []]
    expected = [(a["amIhtype"], a["amAvskm"]) for a in sent]
    assert sorted(stored) == sorted(expected), (
        f"PutJournpost (an entry with avsmot of every amIhtype and amAvskm): expected "
        f"(amIhtype, amAvskm) {expected} stored, got {stored}"
    )


@requirement("N4WS-COD-002")
def test_every_document_code_is_accepted(n4ws: Archive) -> None:
    sak = n4ws.new_sak()
    codes = [("H", "B", "P"), ("V", "F", "A"), ("V", "F", "O")]
    sent = [
        {**DOC, "veFilnavn": f"dok{i}.pdf", "dlType": t, "dbStatus": s, "veVariant": v}
        for i, (t, s, v) in enumerate(codes)
    ]
    jp = n4ws.new_jp(sak, dokument=sent)
    stored = [(d.dlType, d.dbStatus, d.veVariant) for d in _stored_jp(n4ws, jp).dokument or []]
    assert sorted(stored) == sorted(codes), (
        f"PutJournpost (an entry with documents of every dlType, dbStatus and veVariant): "
        f"expected (dlType, dbStatus, veVariant) {codes} stored, got {stored}"
    )


# ------------------------------------------------------------------ N4WS-COD-003


def _lists(text: str, value: str) -> bool:
    """Whether ``text`` has ``value`` as a word of its own (a code, not part of another word)."""
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])", text) is not None


@requirement("N4WS-COD-003")
@pytest.mark.parametrize("field", list(CLOSED))
def test_invalid_code_names_the_allowed_values(n4ws: Archive, field: str) -> None:
    sak = None if field == "saStatus" else n4ws.new_sak()
    value = BAD[field][0]
    operation = "PutNoarksak" if field == "saStatus" else "PutJournpost"
    why = f"{field} {value!r}, outside {CLOSED[field]}"
    resp = expect_status(_put_bad(n4ws, sak, field, value), "ERROR", operation, why)
    text = expect_code(resp, "INVALID_CODE", operation, why)
    missing = [v for v in CLOSED[field] if not _lists(text, v)]
    assert not missing, (
        f"{operation} ({why}): the INVALID_CODE text must list the allowed values "
        f"{CLOSED[field]}; it lacks {missing}: {text!r}"
    )


# ------------------------------------------------------------------ N4WS-COD-004

# Values beyond the known ones of each open list, and where they go.
OPEN: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "tgkode": ({"saTgkode": "XYZ"}, {"jpTgkode": "7c"}),
    "klOrdnpri": ({"klassering": [{"klOrdnpri": "EGEN", "klOrdnver": "x.1"}]}, {}),
    "veDokformat": ({}, {"dokument": [{**DOC, "veDokformat": "DOCX"}]}),
    "amForsend": ({}, {"avsmot": [{**SENDER, "amForsend": "Brevdue"}]}),
}


@requirement("N4WS-COD-004")
@pytest.mark.parametrize("code_list", list(OPEN))
def test_open_lists_take_other_values(n4ws: Archive, code_list: str) -> None:
    sak_fields, jp_fields = OPEN[code_list]
    why = f"a new case with {sak_fields}"
    resp = n4ws.put_sak(
        saTittel=f"Byggesak {n4ws.token()}", saEksternNokkel=n4ws.key("sak"), **sak_fields
    )
    sak = expect_accepted(resp, "PutNoarksak", why).noarksak
    if sak_fields:
        expect_same(sak_fields, n4ws.sak(sak.saId, returnKlassering=True), f"GetNoarksak ({why})")
    if jp_fields:
        # The document's content is not asked back: only its metadata is compared.
        compared = {
            k: [{n: x for n, x in d.items() if n != "fil"} for d in v] if k == "dokument" else v
            for k, v in jp_fields.items()
        }
        why = f"a new entry with {compared}"
        resp = n4ws.put_jp(
            jpInnhold=f"Søknad {n4ws.token()}",
            jpSaar=sak.saSaar,
            jpSaseknr=sak.saSeknr,
            jpEksternNokkel=n4ws.key("jp"),
            **jp_fields,
        )
        jp = expect_accepted(resp, "PutJournpost", why).journpost
        stored = n4ws.jp(jp.jpId, returnAvmot=True, returnDokument=True)
        expect_same(compared, stored, f"GetJournpost ({why})")
