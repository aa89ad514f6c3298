"""Return flags: Get answers carry a case's or an entry's child lists only when a flag asks for
them, a document's ``fil`` only with ``returnFil``; Put answers carry the stored object with its
child lists and documents without ``fil``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tpn.conformance.noark4ws.checks import differences, expect_ok, plain
from tpn.conformance.noark4ws.client import Archive

requirement = pytest.mark.requirement

# Each flag of NoarksakReturnRequestsType and JournpostReturnRequestsType, and the list it asks for.
SAK_FLAGS = {
    "returnKlassering": "klassering",
    "returnSakspart": "sakspart",
    "returnTilleggsinfo": "tilleggsinfo",
    "returnJposts": "journpost",
}
JP_FLAGS = {
    "returnAvmot": "avsmot",
    "returnTilleggsinfo": "tilleggsinfo",
    "returnDokument": "dokument",
}
JP_LISTS = tuple(JP_FLAGS.values())

# Document contents as text: that every byte value survives is N4WS-DOC-001's to judge, so an
# archive that mangles binary content fails that requirement and not the return flags.
CONTENT_H = "Vedtak i byggesak for Ærlig Åse på Øvre Ås\n".encode() * 20
CONTENT_V = "Situasjonskart, vedlegg til søknaden\n".encode() * 10


def _sak_children(token: str) -> dict[str, Any]:
    return {
        "klassering": [
            {"klOrdnpri": "ARKNOKKEL", "klOrdnver": "L42", "klOpltekst": "Byggesaker"},
            {"klOrdnpri": "ARKNOKKEL", "klOrdnver": f"{token}-K"},
        ],
        "sakspart": [
            {"spNavn": "Kari Nordmann", "spRolle": "Søker"},
            {"spNavn": "Bygg og Anlegg AS", "spRolle": "Ansvarlig søker"},
        ],
        "tilleggsinfo": [{"tiItype": "MERKNAD", "tiTekst": f"Merknad {token}"}],
    }


def _jp_children(token: str) -> dict[str, Any]:
    return {
        "avsmot": [
            {"amIhtype": "0", "amNavn": "Kari Nordmann"},
            {"amIhtype": "1", "amNavn": "Bygg og Anlegg AS", "amKopimot": "1"},
        ],
        "tilleggsinfo": [{"tiItype": "NOTAT", "tiTekst": f"Notat {token}"}],
        "dokument": [
            {
                "dlType": "H",
                "dbTittel": f"Vedtak {token}",
                "dbStatus": "F",
                "veVariant": "A",
                "veDokformat": "RA-PDF",
                "fil": {"base64": CONTENT_H},
                "veFilnavn": "vedtak.pdf",
                "veMimeType": "application/pdf",
            },
            {
                "dlType": "V",
                "dbTittel": "Situasjonskart",
                "dbStatus": "F",
                "veVariant": "A",
                "veDokformat": "RA-PDF",
                "fil": {"base64": CONTENT_V},
                "veFilnavn": "kart.pdf",
                "veMimeType": "application/pdf",
            },
        ],
    }


def _without_fil(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in d.items() if k != "fil"} for d in docs]


@dataclass(frozen=True)
class Stored:
    sak_sent: dict[str, Any]
    jp_sent: dict[str, Any]
    sak_put: Any  # the PutNoarksak answer's noarksak
    jp_put: Any  # the PutJournpost answer's journpost


@pytest.fixture(scope="module")
def stored(n4ws: Archive) -> Stored:
    """A case with klassering, sakspart, tilleggsinfo and one entry with every child list."""
    token = n4ws.token()
    sak_sent = {"saTittel": f"Byggesak {token} Storgata 1", **_sak_children(token)}
    sak = n4ws.new_sak(**sak_sent)
    jp_sent = {"jpInnhold": f"Søknad om rammetillatelse {token}", **_jp_children(token)}
    jp = n4ws.new_jp(sak, **jp_sent)
    return Stored(sak_sent, jp_sent, sak, jp)


def _flags(asked: str | None, every: dict[str, str]) -> dict[str, bool]:
    """The flags a test sends: none, one flag true, or every flag false (which asks for none)."""
    if asked == "all false":
        return dict.fromkeys(every, False)
    return {asked: True} if asked else {}


def _flags_text(flags: dict[str, bool]) -> str:
    return ", ".join(f"{k}={str(v).lower()}" for k, v in flags.items()) or "no return flags"


# ------------------------------------------------------------------ GetNoarksak


@requirement("N4WS-RET-001")
@pytest.mark.parametrize("asked", [None, *SAK_FLAGS, "all false"])
def test_getnoarksak_returns_only_the_children_asked_for(
    n4ws: Archive, stored: Stored, asked: str | None
) -> None:
    flags = _flags(asked, SAK_FLAGS)
    said = stored.sak_put.saId
    got = plain(n4ws.sak(said, **flags))
    where = f"GetNoarksak by saId {said} with {_flags_text(flags)}"
    for flag, name in SAK_FLAGS.items():
        if flags.get(flag):
            continue
        assert name not in got, (
            f"{where}: the profile returns {name} only with {flag}=true, "
            f"got {len(got[name])} {name} items"
        )
    if asked not in SAK_FLAGS:
        return
    name = SAK_FLAGS[asked]
    if name == "journpost":
        entries = got.get("journpost", [])
        ids = [e.get("jpId") for e in entries]
        assert ids == [stored.jp_put.jpId], (
            f"{where}: the profile returns the case's one entry (jpId {stored.jp_put.jpId}), "
            f"got entries {ids}"
        )
        present = [n for n in JP_LISTS if n in entries[0]]
        assert not present, (
            f"{where} and no returnJournpostRequests: the profile returns an entry's children "
            f"only when asked, got {', '.join(present)} in the entry"
        )
        return
    diff = differences({name: stored.sak_sent[name]}, got)
    assert not diff, f"{where}: the profile returns {name} as stored: " + "; ".join(diff[:8])


# ------------------------------------------------------------------ GetJournpost


@requirement("N4WS-RET-002")
@pytest.mark.parametrize("asked", [None, *JP_FLAGS, "all false"])
def test_getjournpost_returns_only_the_children_asked_for(
    n4ws: Archive, stored: Stored, asked: str | None
) -> None:
    flags = _flags(asked, {**JP_FLAGS, "returnFil": "fil"})
    jpid = stored.jp_put.jpId
    got = plain(n4ws.jp(jpid, **flags))
    where = f"GetJournpost by jpId {jpid} with {_flags_text(flags)}"
    for flag, name in JP_FLAGS.items():
        if flags.get(flag):
            continue
        assert name not in got, (
            f"{where}: the profile returns {name} only with {flag}=true, "
            f"got {len(got[name])} {name} items"
        )
    if asked not in JP_FLAGS:
        return
    name = JP_FLAGS[asked]
    sent = stored.jp_sent[name]
    if name == "dokument":
        with_fil = [i for i, d in enumerate(got.get("dokument", []), 1) if "fil" in d]
        assert not with_fil, (
            f"{where}: the profile returns a document's fil only with returnFil=true, "
            f"got fil in documents {with_fil}"
        )
        sent = _without_fil(sent)
    diff = differences({name: sent}, got)
    assert not diff, f"{where}: the profile returns {name} as stored: " + "; ".join(diff[:8])


@requirement("N4WS-RET-002")
def test_getjournpost_returns_fil_with_returnfil(n4ws: Archive, stored: Stored) -> None:
    flags = {"returnDokument": True, "returnFil": True}
    jpid = stored.jp_put.jpId
    got = n4ws.jp(jpid, **flags)
    where = f"GetJournpost by jpId {jpid} with {_flags_text(flags)}"
    docs = got.dokument or []
    sent = stored.jp_sent["dokument"]
    assert len(docs) == len(sent), (
        f"{where}: the profile returns the entry's {len(sent)} documents, got {len(docs)}"
    )
    for i, (doc, want) in enumerate(zip(docs, sent, strict=True), start=1):
        content = doc.fil.base64 if doc.fil is not None else None
        expected = want["fil"]["base64"]
        assert content == expected, (
            f"{where}: document {i} ({want['veFilnavn']}): the profile returns its fil as "
            f"stored, {len(expected)} bytes; got "
            + ("no fil" if content is None else f"{len(content)} bytes that differ")
        )
    present = [n for n in ("avsmot", "tilleggsinfo") if n in plain(got)]
    assert not present, (
        f"{where}: the profile returns only the children asked for, also got {', '.join(present)}"
    )


# ------------------------------------------------------------------ Put answers


def _expect_sak_answer(sent: dict[str, Any], answer: Any, where: str) -> None:
    assert answer is not None, f"{where}: the answer carries no noarksak"
    lists = {k: v for k, v in sent.items() if k in SAK_FLAGS.values()}
    diff = differences(lists, answer)
    assert not diff, (
        f"{where}: the profile answers the case as stored, with its child lists: "
        + "; ".join(diff[:8])
    )


def _expect_jp_answer(sent: dict[str, Any], answer: Any, where: str) -> None:
    assert answer is not None, f"{where}: the answer carries no journpost"
    lists = {k: v for k, v in sent.items() if k in JP_LISTS}
    lists["dokument"] = _without_fil(lists["dokument"])
    got = plain(answer)
    with_fil = [i for i, d in enumerate(got.get("dokument", []), 1) if "fil" in d]
    assert not with_fil, (
        f"{where}: the profile answers documents without their fil, got fil in documents {with_fil}"
    )
    diff = differences(lists, got)
    assert not diff, (
        f"{where}: the profile answers the entry as stored, with its child lists and "
        f"documents: " + "; ".join(diff[:8])
    )


@requirement("N4WS-RET-003")
def test_put_answers_carry_the_child_lists_on_create(stored: Stored) -> None:
    _expect_sak_answer(stored.sak_sent, stored.sak_put, "PutNoarksak creating a case")
    _expect_jp_answer(stored.jp_sent, stored.jp_put, "PutJournpost creating an entry")


@requirement("N4WS-RET-003")
def test_put_answers_carry_the_stored_child_lists_on_update(n4ws: Archive, stored: Stored) -> None:
    # The update sends no child list: the answer is the merged object, lists kept.
    sak, jp = stored.sak_put, stored.jp_put
    where = f"PutNoarksak updating saId {sak.saId} with saTittel only"
    resp = expect_ok(n4ws.put_sak(saId=sak.saId, saTittel=stored.sak_sent["saTittel"]), where)
    _expect_sak_answer(stored.sak_sent, resp.noarksak, where)
    where = f"PutJournpost updating jpId {jp.jpId} with jpInnhold only"
    resp = expect_ok(n4ws.update_jp(jp, jpInnhold=stored.jp_sent["jpInnhold"]), where)
    _expect_jp_answer(stored.jp_sent, resp.journpost, where)
