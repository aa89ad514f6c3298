"""Hypothesis strategies for valid Noark-4 WS objects (public: vendors may use them too).

Written from the profile, not from the reference archive: a case or entry drawn here is one
every conforming archive must accept and return unchanged. Left out on purpose: the numbers,
ids and dates the archive assigns; the external keys (the suite sets its own); the U1 flags
that make public fields compulsory (tested on their own); and the extended metadata, which
only the extended level requires.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

# XML 1.0 characters, less CR (an XML parser turns a raw CR into LF: XML's rule, not the
# archive's) and the surrogates; up to the supplementary planes, combining marks included.
XML_CHARS = st.characters(
    codec="utf-8",  # no surrogates
    blacklist_characters="\r\ufffe\uffff",
    min_codepoint=0x9,
    max_codepoint=0x2FFFF,
).filter(lambda c: c in "\t\n" or ord(c) >= 0x20)
NORWEGIAN = st.sampled_from(["æ", "ø", "å", "Æ", "Ø", "Å", "é", "ü", "ß"])

# At least one character: zeep (and many toolkits) read an empty element as absent.
TEXT = st.text(st.one_of(XML_CHARS, NORWEGIAN), min_size=1, max_size=30)
# A required text must hold something a person can read: every archive treats an empty or
# blank one as missing, and the profile does not say which Unicode spaces count as blank.
REQUIRED = st.text(st.one_of(XML_CHARS, NORWEGIAN), min_size=1, max_size=30).filter(
    lambda t: any(c.isalnum() for c in t)
)
DATES = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31))


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict holding any subset of ``fields``."""
    return st.fixed_dictionaries({}, optional=fields)


def klassering() -> st.SearchStrategy[dict[str, Any]]:
    # GBN values must agree with a matrikkelnummer (extended level): other principles only.
    base = st.fixed_dictionaries(
        {
            "klOrdnpri": st.sampled_from(["ARKNOKKEL", "FNR", "EMNE", "X-LOKAL"]),
            "klOrdnver": REQUIRED,
        }
    )
    extra = _optional(klSort=TEXT, klOpltekst=TEXT, klOvbesk=TEXT)
    return st.tuples(base, extra).map(lambda p: {**p[0], **p[1]})


def sakspart() -> st.SearchStrategy[dict[str, Any]]:
    extra = _optional(
        spKortnavn=TEXT,
        spAdresse=TEXT,
        spPostnr=TEXT,
        spPoststed=TEXT,
        spUtland=TEXT,
        spEpostadr=TEXT,
        spKontakt=TEXT,
        spRolle=TEXT,
        spFaks=TEXT,
        spTlf=TEXT,
        spMerknad=TEXT,
    )
    return st.tuples(REQUIRED, extra).map(lambda p: {"spNavn": p[0], **p[1]})


def tilleggsinfo() -> st.SearchStrategy[dict[str, Any]]:
    extra = _optional(tiRnr=TEXT, tiTgkode=TEXT, tiOppbedato=DATES, tiTggruppnavn=TEXT)
    return st.tuples(REQUIRED, REQUIRED, extra).map(
        lambda p: {"tiItype": p[0], "tiTekst": p[1], **p[2]}
    )


def noarksak() -> st.SearchStrategy[dict[str, Any]]:
    """A new case (without saEksternNokkel, which the suite adds)."""
    extra = _optional(
        saPapir=TEXT,
        saDato=DATES,
        saStatus=st.sampled_from("BRSFP"),
        saArkdel=TEXT,
        saType=TEXT,
        saJenhet=TEXT,
        saTgkode=TEXT,
        saUoff=TEXT,
        saBevtid=TEXT,
        saKasskode=TEXT,
        saKassdato=DATES,
        saProsjekt=TEXT,
        saAdmkort=TEXT,
        saAdmbet=TEXT,
        saAnsvinit=TEXT,
        saAnsvnavn=TEXT,
        saTggruppnavn=TEXT,
        klassering=st.lists(klassering(), min_size=1, max_size=2),
        sakspart=st.lists(sakspart(), min_size=1, max_size=2),
        tilleggsinfo=st.lists(tilleggsinfo(), min_size=1, max_size=2),
    )
    return st.tuples(REQUIRED, extra).map(lambda p: {"saTittel": p[0], **p[1]})


# Where each type of entry may start (the profile's state table).
START = {"I": "MSJ", "U": "R", "N": "R", "X": "R", "S": "R"}


def avsmot() -> st.SearchStrategy[dict[str, Any]]:
    extra = _optional(
        amKopimot=TEXT,
        amBehansv=TEXT,
        amNavn=TEXT,
        amKortnavn=TEXT,
        amAdresse=TEXT,
        amPostnr=TEXT,
        amPoststed=TEXT,
        amUtland=TEXT,
        amEpostadr=TEXT,
        amRef=TEXT,
        amJenhet=TEXT,
        amAvskm=st.sampled_from(["BU", "BE", "TLF", "TE", "TO", "BN", "SA"]),
        amAvskdato=DATES,
        amFrist=DATES,
        amForsend=TEXT,
        amAdmkort=TEXT,
        amAdmbet=TEXT,
        amSbhinit=TEXT,
        amSbhnavn=TEXT,
    )
    return st.tuples(st.sampled_from("01"), extra).map(lambda p: {"amIhtype": p[0], **p[1]})


def dokument(max_size: int = 2048) -> st.SearchStrategy[dict[str, Any]]:
    """A document with content (any bytes) and no dlRnr (the archive numbers it)."""
    extra = _optional(
        dlType=st.sampled_from("HV"),
        dbKategori=TEXT,
        dbTittel=TEXT,
        dbStatus=st.sampled_from("BF"),
        veVariant=st.sampled_from("PAO"),
        veDokformat=TEXT,
    )
    return st.tuples(st.binary(min_size=1, max_size=max_size), REQUIRED, REQUIRED, extra).map(
        lambda p: {**p[3], "fil": {"base64": p[0]}, "veFilnavn": p[1], "veMimeType": p[2]}
    )


@st.composite
def journpost(draw: st.DrawFn) -> dict[str, Any]:
    """A new entry (without its case reference and external key, which the suite adds)."""
    doktype = draw(st.sampled_from(sorted(START)))
    out: dict[str, Any] = {
        "jpInnhold": draw(REQUIRED),
        "jpNdoktype": doktype,
        "jpStatus": draw(st.sampled_from(START[doktype])),
    }
    out.update(
        draw(
            _optional(
                jpDokdato=DATES,
                jpForfdato=DATES,
                jpTgkode=TEXT,
                jpUoff=TEXT,
                jpAgdato=DATES,
                jpAgkode=TEXT,
                jpSaksdel=TEXT,
                jpU2=TEXT,
                jpArkdel=TEXT,
                jpTlkode=TEXT,
                jpAntved=st.integers(0, 10**6),
                jpTggruppnavn=TEXT,
                avsmot=st.lists(avsmot(), min_size=1, max_size=2),
                tilleggsinfo=st.lists(tilleggsinfo(), min_size=1, max_size=2),
            )
        )
    )
    # Distinct contents: whether an archive stores two identical documents twice is left open.
    docs = draw(st.lists(dokument(), max_size=2, unique_by=lambda d: d["fil"]["base64"]))
    if docs:
        out["dokument"] = docs
    return out
