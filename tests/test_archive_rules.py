"""The archive's business rules: code lists, required fields, public fields, GBN, state rules,
defaults (spec: "Code lists", "State rules", "Defaults the archive fills in", "Extended metadata").
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import deque
from typing import Any

import pytest
from n4ws_support import FNR_KARI, N4, TODAY, expect_error, expect_ok, plain

# The spec's closed lists, written out here (not read from the archive's own code list file),
# so that a wrong code list in the archive fails these tests.
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
DOC = {"veFilnavn": "brev.pdf", "veMimeType": "application/pdf"}


def _put_with(n4: N4, field: str, value: str) -> Any:
    """A Put that carries ``value`` in ``field`` (a new case, or a new entry in a new case)."""
    if field == "saStatus":
        return n4.put_sak(saTittel="Sak", saStatus=value)
    sak = n4.new_sak()
    base: dict[str, Any] = {"jpInnhold": "Post", "jpSaar": sak.saSaar, "jpSaseknr": sak.saSeknr}
    if field == "jpNdoktype":
        return n4.put_jp(**base, jpNdoktype=value)
    if field == "jpStatus":
        return n4.put_jp(**base, jpStatus=value)
    if field in ("amIhtype", "amAvskm"):
        avsmot = {"amIhtype": "0", "amNavn": "Kari Nordmann", field: value}
        return n4.put_jp(**base, avsmot=[avsmot])
    return n4.put_jp(**base, dokument=[{**DOC, field: value}])


# ---------------------------------------------------------------- code lists


@pytest.mark.parametrize("field", list(CLOSED))
@pytest.mark.parametrize("value", ["Q", "i", " I", "", "BU "])
def test_closed_lists_refuse_other_values(n4: N4, field: str, value: str) -> None:
    if value.strip() and value.strip() in CLOSED[field]:
        pytest.skip("a valid code")
    if field == "amIhtype" and not value.strip():
        pytest.skip("amIhtype is required: empty is MISSING_FIELD (tested below)")
    text = expect_error(_put_with(n4, field, value), "INVALID_CODE")
    assert field in text
    for allowed in CLOSED[field]:
        assert allowed in text, f"the text lists the allowed value {allowed}: {text}"


@pytest.mark.parametrize("field", ["amIhtype", "amAvskm", "dlType", "dbStatus", "veVariant"])
def test_closed_lists_accept_every_listed_value(n4: N4, field: str) -> None:
    for value in CLOSED[field]:
        expect_ok(_put_with(n4, field, value))


def test_open_lists_accept_other_values(n4: N4) -> None:
    sak = n4.new_sak(
        saTgkode="XYZ",
        klassering=[{"klOrdnpri": "EGEN", "klOrdnver": "x.1"}],
        tilleggsinfo=[{"tiItype": "M", "tiTekst": "t", "tiTgkode": "QQ"}],
    )
    jp = n4.new_jp(
        sak,
        jpTgkode="7c",
        avsmot=[{"amIhtype": "1", "amNavn": "Mottaker", "amForsend": "Brevdue"}],
        dokument=[{**DOC, "veDokformat": "DOCX"}],
    )
    assert sak.saTgkode == "XYZ" and sak.klassering[0].klOrdnpri == "EGEN"
    assert jp.jpTgkode == "7c" and jp.avsmot[0].amForsend == "Brevdue"
    assert jp.dokument[0].veDokformat == "DOCX"


# ---------------------------------------------------------------- required fields


@pytest.mark.parametrize(
    "case",
    [
        {"saTittel": "   "},
        {"saTittel": "\t\n"},
        {"saTittel": "Sak", "klassering": [{"klOrdnpri": " ", "klOrdnver": "x"}]},
        {"saTittel": "Sak", "klassering": [{"klOrdnpri": "GBN", "klOrdnver": ""}]},
        {"saTittel": "Sak", "sakspart": [{"spNavn": " "}]},
        {"saTittel": "Sak", "tilleggsinfo": [{"tiItype": "", "tiTekst": "t"}]},
        {"saTittel": "Sak", "tilleggsinfo": [{"tiItype": "M", "tiTekst": " "}]},
        {"saTittel": "Sak", "saEksternNokkel": {"eksternSystem": " ", "nokkel": "k"}},
        {"saTittel": "Sak", "saEksternNokkel": {"eksternSystem": "s", "nokkel": ""}},
    ],
)
def test_case_required_fields(n4: N4, case: dict[str, Any]) -> None:
    expect_error(n4.put_sak(**case), "MISSING_FIELD")
    assert n4.server.archive.counts()["noarksak"] == 0


@pytest.mark.parametrize(
    "entry",
    [
        {"jpInnhold": " "},
        {"avsmot": [{"amIhtype": " "}]},
        {"tilleggsinfo": [{"tiItype": "M", "tiTekst": ""}]},
        {"dokument": [{"veFilnavn": " ", "veMimeType": "text/plain"}]},
        {"dokument": [{"veFilnavn": "a.txt", "veMimeType": ""}]},
        {"jpEksternNokkel": {"eksternSystem": "", "nokkel": "k"}},
        {
            "avsmot": [
                {"amIhtype": "0", "amBesvarEksternNokkel": {"eksternSystem": "s", "nokkel": " "}}
            ]
        },
    ],
)
def test_entry_required_fields(n4: N4, entry: dict[str, Any]) -> None:
    sak = n4.new_sak()
    sent = {"jpInnhold": "Post", "jpSaar": sak.saSaar, "jpSaseknr": sak.saSeknr, **entry}
    expect_error(n4.put_jp(**sent), "MISSING_FIELD")
    assert n4.server.archive.counts()["journpost"] == 0


def test_putnoarksak_refuses_journpost_children(n4: N4) -> None:
    # Profile decision: entries are registered with PutJournpost only.
    text = expect_error(
        n4.put_sak(saTittel="Sak", journpost=[{"jpInnhold": "Post"}]), "INVALID_VALUE"
    )
    assert "PutJournpost" in text
    assert n4.server.archive.counts() == {"noarksak": 0, "journpost": 0, "dokument": 0}


# ---------------------------------------------------------------- public fields

PARTY = "Åse Nordmann"  # Å decomposes under NFD, so the name has two spellings


@pytest.mark.parametrize(
    ("offtittel", "ok"),
    [
        (None, False),
        ("   ", False),
        ("Søknad fra Åse Nordmann om dispensasjon", False),  # same as the full title
        (" Søknad fra Åse Nordmann om dispensasjon ", False),  # same but for spaces
        ("Søknad fra ÅSE NORDMANN", False),  # a party's name, any case
        (f"Søknad, fnr {FNR_KARI}", False),  # an 11-digit number
        ("Søknad, ref 12345678901", False),
        ("Søknad fra " + unicodedata.normalize("NFD", PARTY), False),  # the name, decomposed
        ("Søknad fra " + unicodedata.normalize("NFD", PARTY.upper()), False),
        ("Søknad om dispensasjon", True),
        ("Søknad om dispensasjon, ref 1234567890", True),  # 10 digits
        ("Søknad om dispensasjon, Åse", True),  # a first name alone is no name
    ],
)
def test_exempt_case_title_needs_a_clean_public_title(
    n4: N4, offtittel: str | None, ok: bool
) -> None:
    sak = {
        "saTittel": f"Søknad fra {PARTY} om dispensasjon",
        "saU1": "1",
        "sakspart": [{"spNavn": PARTY, "spFodselsnr": FNR_KARI}],
    }
    if offtittel is not None:
        sak["saOfftittel"] = offtittel
    resp = n4.put_sak(**sak)
    if ok:
        expect_ok(resp)
    else:
        expect_error(resp, "INVALID_VALUE")


def test_party_name_is_found_whichever_way_either_is_composed(n4: N4) -> None:
    # The same name in NFC and NFD is the same name to a reader of the public journal.
    nfd = unicodedata.normalize("NFD", PARTY)
    expect_error(
        n4.put_sak(
            saTittel="Søknad",
            saU1="1",
            saOfftittel=f"Søknad fra {PARTY}",
            sakspart=[{"spNavn": nfd}],
        ),
        "INVALID_VALUE",
    )
    expect_error(
        n4.put_sak(
            saTittel=f"Søknad fra {PARTY}",
            saU1="1",
            saOfftittel=f"Søknad fra {PARTY}".replace("Å", "A\u030a"),
        ),
        "INVALID_VALUE",
    )  # differs from the full title only in composition


def test_public_title_rules_apply_only_when_exempt(n4: N4) -> None:
    for u1 in (None, "0", ""):
        fields: dict[str, Any] = {
            "saTittel": "Sak",
            "saOfftittel": f"{PARTY} {FNR_KARI}",
            "sakspart": [{"spNavn": PARTY}],
        }
        if u1 is not None:
            fields["saU1"] = u1
        expect_ok(n4.put_sak(**fields))


def test_exempt_rule_is_checked_on_update_too(n4: N4) -> None:
    sak = n4.new_sak("Søknad", saOfftittel="Søknad", sakspart=[{"spNavn": PARTY}])
    expect_error(n4.put_sak(saId=sak.saId, saTittel="Søknad", saU1="1"), "INVALID_VALUE")
    expect_ok(n4.put_sak(saId=sak.saId, saTittel="Søknad fra Åse", saU1="1"))


@pytest.mark.parametrize(
    ("offinnhold", "ok"),
    [
        (None, False),
        ("Brev fra Ola Nordmann om byggesak", False),  # same as jpInnhold
        ("Brev fra ola nordmann", False),  # the sender's name (avsmot)
        ("Brev om byggesak til åse nordmann", False),  # the case's party's name (sakspart)
        ("Brev om byggesak til " + unicodedata.normalize("NFD", "åse nordmann"), False),
        ("Brev fra bygg og anlegg as", False),  # the copy recipient's name
        (f"Brev om {FNR_KARI}", False),
        ("Brev om byggesak", True),
    ],
)
def test_exempt_entry_content_needs_a_clean_public_content(
    n4: N4, offinnhold: str | None, ok: bool
) -> None:
    sak = n4.new_sak(sakspart=[{"spNavn": PARTY}])
    jp: dict[str, Any] = {
        "jpInnhold": "Brev fra Ola Nordmann om byggesak",
        "jpU1": "1",
        "jpSaar": sak.saSaar,
        "jpSaseknr": sak.saSeknr,
        "avsmot": [
            {"amIhtype": "0", "amNavn": "Ola Nordmann"},
            {"amIhtype": "1", "amKopimot": "1", "amNavn": "Bygg og Anlegg AS"},
        ],
    }
    if offinnhold is not None:
        jp["jpOffinnhold"] = offinnhold
    resp = n4.put_jp(**jp)
    if ok:
        expect_ok(resp)
    else:
        expect_error(resp, "INVALID_VALUE")


# ---------------------------------------------------------------- GBN and extended metadata

MATR = [
    {"kommunenummer": "0301", "gaardsnummer": 12, "bruksnummer": 34},
    {
        "kommunenummer": "4601",
        "gaardsnummer": 7,
        "bruksnummer": 1,
        "festenummer": 2,
        "seksjonsnummer": 3,
    },
]


@pytest.mark.parametrize(
    ("matrikkel", "gbn", "ok"),
    [
        (MATR, "0301-12/34/0/0", True),
        (MATR, " 0301-12/34/0/0 ", True),
        (MATR[::-1], "4601-7/1/2/3", True),
        (MATR, "4601-7/1/2/3", False),  # agrees with the second, not the first
        (MATR, "0301-12/35/0/0", False),
        (MATR, "0301-12/34", False),
        (MATR[::-1], "4601-7/1/0/0", False),
        ([], "0301-12/34/0/0", True),  # no matrikkelnummer: nothing to disagree with
    ],
)
def test_gbn_must_agree_with_the_first_matrikkelnummer(
    n4: N4, matrikkel: list[Any], gbn: str, ok: bool
) -> None:
    resp = n4.put_sak(
        saTittel="Sak",
        matrikkelnummer=matrikkel,
        klassering=[
            {"klOrdnpri": "ARKNOKKEL", "klOrdnver": "L42"},
            {"klOrdnpri": "GBN", "klOrdnver": gbn},
        ],
    )
    if ok:
        expect_ok(resp)
    else:
        expect_error(resp, "INVALID_VALUE")


def test_gbn_is_checked_against_the_merged_case_on_update(n4: N4) -> None:
    sak = n4.new_sak(
        matrikkelnummer=MATR, klassering=[{"klOrdnpri": "GBN", "klOrdnver": "0301-12/34/0/0"}]
    )
    expect_error(
        n4.put_sak(saId=sak.saId, saTittel=sak.saTittel, matrikkelnummer=MATR[::-1]),
        "INVALID_VALUE",
    )
    expect_ok(
        n4.put_sak(
            saId=sak.saId,
            saTittel=sak.saTittel,
            matrikkelnummer=MATR[::-1],
            klassering=[{"klOrdnpri": "GBN", "klOrdnver": "4601-7/1/2/3"}],
        )
    )


@pytest.mark.parametrize(
    "kommunenummer", ["301", "03011", "o301", " 0301", "\uff10\uff13\uff10\uff11"]
)
def test_kommunenummer_is_four_digits(n4: N4, kommunenummer: str) -> None:
    expect_error(
        n4.put_sak(
            saTittel="Sak",
            matrikkelnummer=[{"kommunenummer": kommunenummer, "gaardsnummer": 1, "bruksnummer": 1}],
        ),
        "INVALID_VALUE",
    )
    expect_error(
        n4.put_sak(saTittel="Sak", plan=[{"kommunenummer": kommunenummer, "planident": "P1"}]),
        "INVALID_VALUE",
    )


# ---------------------------------------------------------------- case status

SA_OPEN = ["B", "R", "F", "S", "P"]


def _case_allowed(old: str, new: str) -> bool:
    if old == new:
        return True
    if old in SA_OPEN:
        return True  # to another open status, to A, or to U
    if old == "A":
        return new == "B"
    return False  # U is final


@pytest.mark.parametrize("old", CLOSED["saStatus"])
@pytest.mark.parametrize("new", CLOSED["saStatus"])
def test_case_status_changes(n4: N4, old: str, new: str) -> None:
    sak = n4.new_sak()  # B
    if old != "B":
        expect_ok(n4.put_sak(saId=sak.saId, saTittel=sak.saTittel, saStatus=old))
    resp = n4.put_sak(saId=sak.saId, saTittel=sak.saTittel, saStatus=new)
    if _case_allowed(old, new):
        expect_ok(resp)
        assert n4.sak(sak.saId).saStatus == new
    else:
        expect_error(resp, "STATE_VIOLATION")
        assert n4.sak(sak.saId).saStatus == old


@pytest.mark.parametrize("closed", ["A", "U"])
def test_closed_case_takes_no_new_entries(n4: N4, closed: str) -> None:
    sak = n4.new_sak(saEksternNokkel={"eksternSystem": "s", "nokkel": "k"})
    n4.new_jp(sak)
    expect_ok(n4.put_sak(saId=sak.saId, saTittel=sak.saTittel, saStatus=closed))
    expect_error(n4.put_jp(jpInnhold="Ny", jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr), "CASE_CLOSED")
    expect_error(
        n4.put_jp(jpInnhold="Ny", jpSaEksternNokkel={"eksternSystem": "s", "nokkel": "k"}),
        "CASE_CLOSED",
    )
    assert n4.server.archive.counts()["journpost"] == 1
    if closed == "A":  # reopened, it takes entries again
        expect_ok(n4.put_sak(saId=sak.saId, saTittel=sak.saTittel, saStatus="B"))
        assert n4.new_jp(sak).jpJpostnr == 2


@pytest.mark.parametrize("closed", ["A", "U"])
def test_closed_case_cannot_change_but_takes_an_identical_resend(n4: N4, closed: str) -> None:
    sak = n4.new_sak("Sak", saAnsvinit="ÅSE")
    expect_ok(n4.put_sak(saId=sak.saId, saTittel="Sak", saStatus=closed))
    expect_error(n4.put_sak(saId=sak.saId, saTittel="Endret"), "STATE_VIOLATION")
    expect_error(n4.put_sak(saId=sak.saId, saTittel="Sak", saAnsvinit="OLA"), "STATE_VIOLATION")
    expect_ok(n4.put_sak(saId=sak.saId, saTittel="Sak", saStatus=closed))
    got = n4.sak(sak.saId)
    assert (got.saTittel, got.saAnsvinit, got.saStatus) == ("Sak", "ÅSE", closed)


def test_case_status_is_checked_against_the_code_list_on_update(n4: N4) -> None:
    sak = n4.new_sak()
    expect_error(n4.put_sak(saId=sak.saId, saTittel=sak.saTittel, saStatus="Z"), "INVALID_CODE")


# ---------------------------------------------------------------- entry status

STATUSES = CLOSED["jpStatus"]
START = {"I": {"M", "S", "J"}, "U": {"R"}, "N": {"R"}, "X": {"R"}, "S": {"R"}}
FORWARD = {
    "I": {("M", "S"), ("M", "J"), ("S", "J"), ("J", "A")},
    "U": {("R", "F"), ("F", "G"), ("F", "E"), ("G", "E"), ("E", "J"), ("J", "A")},
    **{t: {("R", "F"), ("F", "G"), ("F", "J"), ("G", "J"), ("J", "A")} for t in "NXS"},
}


def _jp_allowed(ndoktype: str, old: str, new: str) -> bool:
    if old == new:
        return True
    if old in ("A", "U"):
        return False
    return new == "U" or (old, new) in FORWARD[ndoktype]


def _paths(ndoktype: str) -> dict[str, list[str]]:
    """For each status reachable for ``ndoktype``: the statuses to go through, start first."""
    paths = {s: [s] for s in START[ndoktype]}
    queue = deque(paths)
    while queue:
        s = queue.popleft()
        for nxt in [b for a, b in FORWARD[ndoktype] if a == s] + ["U"]:
            if nxt not in paths and s not in ("A", "U"):
                paths[nxt] = [*paths[s], nxt]
                queue.append(nxt)
    return paths


TRANSITIONS = [(t, old, new) for t in START for old in sorted(_paths(t)) for new in STATUSES]


@pytest.mark.parametrize("ndoktype", list(START))
@pytest.mark.parametrize("status", STATUSES)
def test_entry_start_states(n4: N4, ndoktype: str, status: str) -> None:
    sak = n4.new_sak()
    resp = n4.put_jp(
        jpInnhold="Post",
        jpSaar=sak.saSaar,
        jpSaseknr=sak.saSeknr,
        jpNdoktype=ndoktype,
        jpStatus=status,
    )
    if status in START[ndoktype]:
        assert expect_ok(resp).journpost.jpStatus == status
    else:
        expect_error(resp, "STATE_VIOLATION")
        assert n4.server.archive.counts()["journpost"] == 0


@pytest.mark.parametrize(("ndoktype", "old", "new"), TRANSITIONS)
def test_entry_status_changes(n4: N4, ndoktype: str, old: str, new: str) -> None:
    sak = n4.new_sak()
    path = _paths(ndoktype)[old]
    jp = n4.new_jp(sak, jpNdoktype=ndoktype, jpStatus=path[0])
    for step in path[1:]:
        expect_ok(n4.update_jp(jp, jpStatus=step))
    resp = n4.update_jp(jp, jpStatus=new)
    if _jp_allowed(ndoktype, old, new):
        assert expect_ok(resp).journpost.jpStatus == new
    else:
        text = expect_error(resp, "STATE_VIOLATION")
        assert f"jpStatus {old}" in text or f"from {old}" in text, text
        assert n4.jp(jp.jpId).jpStatus == old


@pytest.mark.parametrize("final", ["A", "U"])
def test_final_entries_do_not_change(n4: N4, final: str) -> None:
    sak = n4.new_sak()
    jp = n4.new_jp(
        sak,
        "Post",
        jpStatus="J",
        jpTgkode="13",
        dokument=[{**DOC, "fil": {"base64": b"%PDF-1.4 v1"}}],
    )
    if final == "A":
        expect_ok(n4.update_jp(jp, jpStatus="A"))
    else:
        expect_ok(n4.update_jp(jp, jpStatus="U"))
    before = plain(n4.jp(jp.jpId, returnFil=True, returnAvmot=True))
    for change in (
        {"jpInnhold": "Endret"},
        {"jpTgkode": "UO"},
        {"avsmot": [{"amIhtype": "0", "amNavn": "Ny avsender"}]},
        {"jpStatus": "J"},
        {"dokument": [{**DOC, "fil": {"base64": b"nytt dokument"}}]},  # added
        {"dokument": [{**DOC, "dlRnr": 1, "fil": {"base64": b"%PDF-1.4 v2"}}]},  # replaced
        {
            "dokument": [
                {**DOC, "dlRnr": 1, "dbTittel": "Ny tittel", "fil": {"base64": b"%PDF-1.4 v1"}}
            ]
        },  # new metadata
    ):
        expect_error(n4.update_jp(jp, **change), "STATE_VIOLATION")
    # Resending what is stored changes nothing and is harmless.
    expect_ok(n4.update_jp(jp, jpStatus=final, jpTgkode="13"))
    expect_ok(n4.update_jp(jp, dokument=[{**DOC, "fil": {"base64": b"%PDF-1.4 v1"}}]))
    assert plain(n4.jp(jp.jpId, returnFil=True, returnAvmot=True)) == before


def test_entry_status_is_checked_against_the_code_list_on_update(n4: N4) -> None:
    jp = n4.new_jp(n4.new_sak())
    expect_error(n4.update_jp(jp, jpStatus="Q"), "INVALID_CODE")
    expect_error(n4.update_jp(jp, jpNdoktype="Q"), "INVALID_CODE")


# ---------------------------------------------------------------- defaults


def test_case_defaults(n4: N4) -> None:
    sak = n4.new_sak()
    assert (sak.saStatus, sak.saDato, sak.saSaar) == ("B", TODAY, TODAY.year)
    given = n4.new_sak(saStatus="R", saDato=dt.date(2001, 2, 3))
    assert (given.saStatus, given.saDato, given.saSaar) == ("R", dt.date(2001, 2, 3), TODAY.year)


@pytest.mark.parametrize(
    ("ndoktype", "status"),
    [
        (None, "M"),
        ("I", "M"),
        ("U", "R"),
        ("N", "R"),
        ("X", "R"),
        ("S", "R"),
    ],
)
def test_entry_defaults(n4: N4, ndoktype: str | None, status: str) -> None:
    sak = n4.new_sak()
    fields = {"jpNdoktype": ndoktype} if ndoktype else {}
    jp = n4.new_jp(sak, **fields)
    assert jp.jpNdoktype == (ndoktype or "I")
    assert jp.jpStatus == status
    assert jp.jpJdato == TODAY and jp.jpDokdato == TODAY and jp.jpJaar == TODAY.year
    stored = n4.jp(jp.jpId)
    assert (stored.jpNdoktype, stored.jpStatus, stored.jpDokdato) == (jp.jpNdoktype, status, TODAY)


def test_sent_document_date_is_kept(n4: N4) -> None:
    jp = n4.new_jp(n4.new_sak(), jpDokdato=dt.date(2030, 4, 30))
    assert (jp.jpDokdato, jp.jpJdato) == (dt.date(2030, 4, 30), TODAY)


# ---------------------------------------------------------------- case references


def test_an_entry_cannot_move_to_another_case(n4: N4) -> None:
    a = n4.new_sak("A", saEksternNokkel={"eksternSystem": "s", "nokkel": "A"})
    b = n4.new_sak("B", saEksternNokkel={"eksternSystem": "s", "nokkel": "B"})
    jp = n4.new_jp(a)
    expect_error(n4.update_jp(jp, jpSaar=b.saSaar, jpSaseknr=b.saSeknr), "INVALID_VALUE")
    expect_error(
        n4.update_jp(jp, jpSaEksternNokkel={"eksternSystem": "s", "nokkel": "B"}), "INVALID_VALUE"
    )
    expect_error(
        n4.update_jp(jp, jpSaEksternNokkel={"eksternSystem": "s", "nokkel": "C"}), "INVALID_VALUE"
    )
    # Naming its own case is fine.
    expect_ok(
        n4.update_jp(
            jp,
            jpSaar=a.saSaar,
            jpSaseknr=a.saSeknr,
            jpSaEksternNokkel={"eksternSystem": "s", "nokkel": "A"},
        )
    )


def test_both_case_references_on_a_new_entry_must_agree(n4: N4) -> None:
    a = n4.new_sak("A", saEksternNokkel={"eksternSystem": "s", "nokkel": "A"})
    n4.new_sak("B", saEksternNokkel={"eksternSystem": "s", "nokkel": "B"})
    base = {"jpInnhold": "Post", "jpSaar": a.saSaar, "jpSaseknr": a.saSeknr}
    expect_error(
        n4.put_jp(**base, jpSaEksternNokkel={"eksternSystem": "s", "nokkel": "B"}), "INVALID_VALUE"
    )
    expect_error(
        n4.put_jp(**base, jpSaEksternNokkel={"eksternSystem": "s", "nokkel": "C"}), "INVALID_VALUE"
    )
    assert n4.server.archive.counts()["journpost"] == 0
    jp = expect_ok(n4.put_jp(**base, jpSaEksternNokkel={"eksternSystem": "s", "nokkel": "A"}))
    assert jp.journpost.jpSaseknr == a.saSeknr
