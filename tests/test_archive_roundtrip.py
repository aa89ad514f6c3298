"""Round trips through the archive: every object with every field comes back exactly as sent.

Spec, "The objects": all text is Unicode and must come back exactly as sent (Norwegian letters,
combining characters, leading and trailing spaces). Put answers return the stored object with
its child lists and documents without ``fil``; Get answers return children only when asked, and
``fil`` only with ``returnFil``.
"""

from __future__ import annotations

import copy
import datetime as dt
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from n4ws_support import (
    ALL_JP_FLAGS,
    ALL_SAK_FLAGS,
    FNR_KARI,
    N4,
    NS,
    ORGNR_BYGG,
    TODAY,
    expect_ok,
    plain,
)

NORSK = "Søknad om løyve – ÆØÅ æøå"
# "Åse" with a combining ring (NFD) and "é" as e + combining acute: must not be normalised.
COMBINING = "A\u030ase Re\u0301nning"

FULL_SAK: dict[str, Any] = {
    "saPapir": "1",
    "saDato": dt.date(2030, 5, 2),
    "saTittel": f"  {NORSK}: dispensasjon for tilbygg, {COMBINING}, fnr {FNR_KARI}  ",
    "saU1": "1",
    "saStatus": "R",
    "saArkdel": "BYGG",
    "saType": "BYGGESAK",
    "saJenhet": "SENTRAL",
    "saTgkode": "13",
    "saUoff": "offl. § 13 jf. fvl. § 13",
    "saBevtid": "25",
    "saKasskode": "B",
    "saKassdato": dt.date(2055, 12, 31),
    "saProsjekt": " Fjordbyen ",
    "saOfftittel": "Søknad om dispensasjon for tilbygg",
    "saAdmkort": "PLAN",
    "saAdmbet": "Plan- og bygningsetaten",
    "saAnsvinit": "ÅSE",
    "saAnsvnavn": COMBINING,
    "saTggruppnavn": "Byggesak lukket",
    "saEksternNokkel": {"eksternSystem": "eByggesak", "nokkel": " SAK-0001 "},
    "klassering": [
        {
            "klSort": "1",
            "klOrdnpri": "GBN",
            "klOrdnver": "0301-12/34/5/6",
            "klU1": "0",
            "klOpltekst": "Gnr 12 bnr 34",
            "klOvbesk": "Gårds- og bruksnummer",
        },
        {"klSort": "2", "klOrdnpri": "ARKNOKKEL", "klOrdnver": " L42 ", "klOpltekst": "Byggesaker"},
        {"klOrdnpri": "FNR", "klOrdnver": FNR_KARI, "klU1": "1"},
    ],
    "sakspart": [
        {
            "spId": "P1",
            "spFodselsnr": FNR_KARI,
            "spU1": "1",
            "spKortnavn": "KARI",
            "spNavn": "Kari Nordmann",
            "spAdresse": "Storgata 1",
            "spPostnr": "0155",
            "spPoststed": "OSLO",
            "spEpostadr": "kari@example.invalid",
            "spKontakt": "Kari",
            "spRolle": "Søker",
            "spFaks": "22000000",
            "spTlf": "+47 22000001",
            "spMerknad": " merknad med æøå ",
        },
        {
            "spOrgnr": ORGNR_BYGG,
            "spNavn": "Bygg og Anlegg AS",
            "spRolle": "Ansvarlig søker",
            "spUtland": "SE",
        },
    ],
    "tilleggsinfo": [
        {
            "tiId": "T1",
            "tiRnr": "1",
            "tiItype": "MERKNAD",
            "tiTgkode": "UO",
            "tiOppbedato": dt.date(2030, 5, 3),
            "tiTekst": f" {NORSK}\n{COMBINING}\t",
            "tiTggruppnavn": "Saksbehandlere",
        },
    ],
    "matrikkelnummer": [
        {
            "kommunenummer": "0301",
            "gaardsnummer": 12,
            "bruksnummer": 34,
            "festenummer": 5,
            "seksjonsnummer": 6,
        },
        {"kommunenummer": "0301", "gaardsnummer": 12, "bruksnummer": 35},
    ],
    "bygning": [
        {"bygningsnummer": "80012345", "endringsloepenummer": "2"},
        {"bygningsnummer": "80012346"},
    ],
    "punkt": [{"koordinatsystem": "EPSG:25832", "x": "597000.25", "y": "6643000.75"}],
    "plan": [{"kommunenummer": "0301", "planident": "S-4321"}],
    "fagsystem": " eByggesak 3.1 ",
}

CONTENT_H = bytes(range(256)) * 4 + "æøå".encode()
FULL_JP: dict[str, Any] = {
    "jpNdoktype": "U",
    "jpDokdato": dt.date(2030, 5, 16),
    "jpStatus": "R",
    "jpInnhold": f" Svar til Kari Nordmann ({FNR_KARI}) om {NORSK}, {COMBINING} ",
    "jpU1": "1",
    "jpForfdato": dt.date(2030, 6, 1),
    "jpTgkode": "13",
    "jpUoff": "offl. § 13",
    "jpAgdato": dt.date(2030, 5, 18),
    "jpAgkode": "BU",
    "jpSaksdel": "A",
    "jpU2": "0",
    "jpArkdel": "BYGG",
    "jpTlkode": "T",
    "jpAntved": 2,
    "jpOffinnhold": "Svar på søknad om dispensasjon",
    "jpTggruppnavn": "Byggesak lukket",
    "jpEksternNokkel": {"eksternSystem": "eByggesak", "nokkel": "JP-0001"},
    "jpSaEksternNokkel": {"eksternSystem": "eByggesak", "nokkel": " SAK-0001 "},
    "avsmot": [
        {
            "amId": "A1",
            "amFodselsnr": FNR_KARI,
            "amIhtype": "1",
            "amKopimot": "0",
            "amBehansv": "0",
            "amNavn": "Kari Nordmann",
            "amU1": "1",
            "amKortnavn": "KARI",
            "amAdresse": "Storgata 1",
            "amPostnr": "0155",
            "amPoststed": "OSLO",
            "amEpostadr": "kari@example.invalid",
            "amRef": "Deres ref 1",
            "amJenhet": "SENTRAL",
            "amAvskm": "BU",
            "amAvskdato": dt.date(2030, 5, 17),
            "amFrist": dt.date(2030, 6, 15),
            "amForsend": "SDP",
            "amAdmkort": "PLAN",
            "amAdmbet": "Plan- og bygningsetaten",
            "amSbhinit": "ÅSE",
            "amSbhnavn": COMBINING,
            "amAvsavdok": "2030/1-1",
            "amBesvardok": "2030/1-2",
            "amAvsavEksternNokkel": {"eksternSystem": "eByggesak", "nokkel": "JP-0000"},
            "amBesvarEksternNokkel": {"eksternSystem": "eByggesak", "nokkel": "JP-0002"},
        },
        {
            "amOrgnr": ORGNR_BYGG,
            "amIhtype": "1",
            "amKopimot": "1",
            "amNavn": "Bygg og Anlegg AS",
            "amForsend": "Brevpost",
        },
    ],
    "tilleggsinfo": [
        {"tiItype": "NOTAT", "tiTekst": f"  {COMBINING}  ", "tiOppbedato": dt.date(2030, 5, 17)},
    ],
    "dokument": [
        {
            "dlType": "H",
            "dbKategori": "B",
            "dbTittel": f" Vedtak {NORSK} ",
            "dbStatus": "F",
            "veVariant": "A",
            "veDokformat": "RA-PDF",
            "fil": {"base64": CONTENT_H},
            "veFilnavn": "vedtak æøå.pdf",
            "veMimeType": "application/pdf",
        },
        {
            "dlType": "V",
            "dbTittel": "Situasjonskart",
            "dbStatus": "B",
            "veVariant": "P",
            "veDokformat": "TIFF",
            "fil": {"ref": "https://arkiv.example.invalid/dok/42?v=1&x=2"},
            "veFilnavn": "kart.tif",
            "veMimeType": "image/tiff",
        },
    ],
}


def _without_fil(jp: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(jp)
    for i, d in enumerate(out.get("dokument", []), start=1):
        d.pop("fil", None)
        d["dlRnr"] = i
    return out


def _put_full(n4: N4) -> tuple[Any, Any]:
    sak = n4.new_sak(**FULL_SAK)
    jp = expect_ok(n4.put_jp(**FULL_JP)).journpost
    return sak, jp


# ---------------------------------------------------------------- every field


def test_full_noarksak_comes_back_from_put_and_get(n4: N4) -> None:
    sak = n4.new_sak(**FULL_SAK)
    expected = {"saId": sak.saId, "saSaar": TODAY.year, "saSeknr": 1, **FULL_SAK}
    assert plain(sak) == expected
    assert plain(n4.sak(sak.saId, **ALL_SAK_FLAGS)) == expected


def test_full_journpost_comes_back_from_put_and_get(n4: N4) -> None:
    sak, jp = _put_full(n4)
    assigned = {
        "jpId": jp.jpId,
        "jpJaar": TODAY.year,
        "jpSeknr": 1,
        "jpJpostnr": 1,
        "jpJdato": TODAY,
        "jpSaar": sak.saSaar,
        "jpSaseknr": sak.saSeknr,
    }
    # The Put answer: stored object, documents numbered and without their content.
    assert plain(jp) == {**assigned, **_without_fil(FULL_JP)}
    # Get with every flag: documents with fil (base64 bytes, or the ref as sent).
    full = copy.deepcopy(FULL_JP)
    for i, d in enumerate(full["dokument"], start=1):
        d["dlRnr"] = i
    assert plain(n4.jp(jp.jpId, **ALL_JP_FLAGS)) == {**assigned, **full}
    nested = n4.get_sak(
        saId=sak.saId,
        returnNoarksakRequests={"returnJposts": True},
        returnJournpostRequests=ALL_JP_FLAGS,
    )
    assert plain(expect_ok(nested).noarksak[0].journpost) == [{**assigned, **full}]


def test_texts_are_not_normalised(n4: N4) -> None:
    nfd = unicodedata.normalize("NFD", "Ærlig Åse på Øvre Ås")
    nfc = unicodedata.normalize("NFC", nfd)
    assert nfd != nfc
    a = n4.new_sak(saTittel=nfd)
    b = n4.new_sak(saTittel=nfc)
    assert n4.sak(a.saId).saTittel == nfd
    assert n4.sak(b.saId).saTittel == nfc


@pytest.mark.parametrize("text", ["\r", "a\r\nb", "a\rb", "\t x \t", "\n\n", "  ", "x" * 100_000])
def test_whitespace_and_carriage_returns_come_back(n4: N4, text: str) -> None:
    # A client escapes CR as &#13; (lxml does), so the archive receives and must return it.
    sak = n4.new_sak(saTittel="Tittel", saProsjekt=text)
    assert sak.saProsjekt == text
    assert n4.sak(sak.saId).saProsjekt == text


def test_empty_optional_text_comes_back_as_empty_element(n4: N4) -> None:
    # zeep reads an empty element as None, so the wire is what proves "" was kept.
    sak = n4.new_sak(saPapir="")
    body = n4.raw("GetNoarksak", saId=sak.saId)
    papir = body.find(f"{{{NS}}}noarksak/{{{NS}}}saPapir")
    assert papir is not None and (papir.text or "") == ""


def test_big_integers_come_back(n4: N4) -> None:
    sak = n4.new_sak(
        matrikkelnummer=[{"kommunenummer": "0301", "gaardsnummer": 2**70, "bruksnummer": 0}]
    )
    jp = n4.new_jp(sak, jpAntved=10**25)
    assert n4.sak(sak.saId).matrikkelnummer[0].gaardsnummer == 2**70
    assert n4.jp(jp.jpId).jpAntved == 10**25


# ---------------------------------------------------------------- return flags

SAK_FLAG_LISTS = {
    "returnKlassering": "klassering",
    "returnSakspart": "sakspart",
    "returnTilleggsinfo": "tilleggsinfo",
    "returnJposts": "journpost",
}
JP_FLAG_LISTS = {
    "returnAvmot": "avsmot",
    "returnTilleggsinfo": "tilleggsinfo",
    "returnDokument": "dokument",
}
GEO = ("matrikkelnummer", "bygning", "punkt", "plan", "fagsystem")


@pytest.mark.parametrize("flag", [None, *SAK_FLAG_LISTS])
def test_getnoarksak_returns_only_the_children_asked_for(n4: N4, flag: str | None) -> None:
    sak, _ = _put_full(n4)
    flags = {flag: True} if flag else None
    got = plain(n4.sak(sak.saId, **(flags or {})))
    for f, name in SAK_FLAG_LISTS.items():
        assert (name in got) == (f == flag), f"{name} with flags {flags}"
    # The extended metadata has no return flag: it is part of the case itself.
    for name in GEO:
        assert name in got


def test_false_flags_are_no_flags(n4: N4) -> None:
    sak, jp = _put_full(n4)
    got = plain(n4.sak(sak.saId, **{f: False for f in SAK_FLAG_LISTS}))
    assert not set(SAK_FLAG_LISTS.values()) & set(got)
    got_jp = plain(n4.jp(jp.jpId, **{f: False for f in ALL_JP_FLAGS}))
    assert not {"avsmot", "tilleggsinfo", "dokument"} & set(got_jp)


@pytest.mark.parametrize("flag", [None, *JP_FLAG_LISTS])
def test_getjournpost_returns_only_the_children_asked_for(n4: N4, flag: str | None) -> None:
    _, jp = _put_full(n4)
    got = plain(n4.jp(jp.jpId, **({flag: True} if flag else {})))
    for f, name in JP_FLAG_LISTS.items():
        assert (name in got) == (f == flag), name
    for d in got.get("dokument", []):
        assert "fil" not in d, "fil only with returnFil"


def test_returnfil_returns_documents_with_their_content(n4: N4) -> None:
    # Profile decision: returnFil implies documents.
    _, jp = _put_full(n4)
    for flags in ({"returnFil": True}, {"returnFil": True, "returnDokument": True}):
        docs = n4.jp(jp.jpId, **flags).dokument
        assert [d.fil.base64 for d in docs] == [CONTENT_H, None]
        assert [d.fil.ref for d in docs] == [None, FULL_JP["dokument"][1]["fil"]["ref"]]


def test_journpost_flags_apply_inside_getnoarksak(n4: N4) -> None:
    sak, jp = _put_full(n4)
    bare = expect_ok(n4.get_sak(saId=sak.saId, returnNoarksakRequests={"returnJposts": True}))
    entry = plain(bare.noarksak[0].journpost[0])
    assert entry["jpId"] == jp.jpId
    assert not {"avsmot", "tilleggsinfo", "dokument"} & set(entry)
    with_docs = n4.get_sak(
        saId=sak.saId,
        returnNoarksakRequests={"returnJposts": True},
        returnJournpostRequests={"returnDokument": True},
    )
    entry = plain(expect_ok(with_docs).noarksak[0].journpost[0])
    assert set(entry) & {"avsmot", "tilleggsinfo", "dokument"} == {"dokument"}
    assert all("fil" not in d for d in entry["dokument"])
    # Journpost flags without returnJposts return no entries.
    no_entries = n4.get_sak(saId=sak.saId, returnJournpostRequests=ALL_JP_FLAGS)
    assert not expect_ok(no_entries).noarksak[0].journpost


def test_put_answers_carry_child_lists_but_no_file_content(n4: N4) -> None:
    sak, jp = _put_full(n4)
    assert len(sak.klassering) == 3 and len(sak.sakspart) == 2 and len(sak.tilleggsinfo) == 1
    assert len(jp.avsmot) == 2 and len(jp.tilleggsinfo) == 1
    assert [d.dlRnr for d in jp.dokument] == [1, 2]
    assert all(d.fil is None for d in jp.dokument)


# ---------------------------------------------------------------- any text

# XML 1.0 Char, less surrogates (not characters) and the C0 controls XML does not allow.
# CR is included: a client escapes it (&#13;), and the spec says text comes back exactly.
XML_CHARS = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters="".join(chr(c) for c in range(0x20) if c not in (0x9, 0xA, 0xD))
    + "\ufffe\uffff",
)
# zeep reads an empty element as None, so the texts here are non-empty; required ones must also
# have something besides white space (else MISSING_FIELD, tested in test_archive_rules).
ANY_TEXT = st.text(XML_CHARS, min_size=1, max_size=40)
REQUIRED_TEXT = ANY_TEXT.filter(lambda t: t.strip() != "")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    tittel=REQUIRED_TEXT,
    prosjekt=ANY_TEXT,
    navn=REQUIRED_TEXT,
    tekst=REQUIRED_TEXT,
    ordnver=REQUIRED_TEXT,
)
def test_any_text_round_trips_in_a_case(
    n4: N4, tittel: str, prosjekt: str, navn: str, tekst: str, ordnver: str
) -> None:
    sent = {
        "saTittel": tittel,
        "saProsjekt": prosjekt,
        "fagsystem": prosjekt,
        "saEksternNokkel": {"eksternSystem": navn, "nokkel": tekst},
        "klassering": [{"klOrdnpri": "ARKNOKKEL", "klOrdnver": ordnver, "klOpltekst": prosjekt}],
        "sakspart": [{"spNavn": navn, "spMerknad": prosjekt}],
        "tilleggsinfo": [{"tiItype": navn, "tiTekst": tekst}],
    }
    sak = n4.new_sak(**sent)
    got = plain(n4.sak(sak.saId, **ALL_SAK_FLAGS))
    assert {k: got[k] for k in sent} == sent


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(innhold=REQUIRED_TEXT, navn=ANY_TEXT, tittel=ANY_TEXT, filnavn=REQUIRED_TEXT)
def test_any_text_round_trips_in_an_entry(
    n4: N4, innhold: str, navn: str, tittel: str, filnavn: str
) -> None:
    sak = n4.new_sak()
    sent = {
        "jpInnhold": innhold,
        "jpUoff": navn,
        "avsmot": [{"amIhtype": "0", "amNavn": navn, "amAdresse": tittel}],
        "dokument": [{"dbTittel": tittel, "veFilnavn": filnavn, "veMimeType": filnavn}],
    }
    jp = n4.new_jp(sak, **sent)
    got = plain(n4.jp(jp.jpId, returnAvmot=True, returnDokument=True))
    assert got["jpInnhold"] == innhold and got["jpUoff"] == navn
    assert got["avsmot"] == sent["avsmot"]
    assert got["dokument"] == [{"dlRnr": 1, **sent["dokument"][0]}]
