"""Documents and text: bytes and characters come back exactly as sent."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from typing import Any

import pytest

from tpn.conformance.noark4ws.checks import expect_ok, expect_same
from tpn.conformance.noark4ws.client import Archive

requirement = pytest.mark.requirement

DOC = {"dlType": "H", "veFilnavn": "brev.pdf", "veMimeType": "application/pdf"}


def _doc(content: bytes | None = None, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {**DOC, **fields}
    if content is not None:
        out["fil"] = {"base64": content}
    return out


def _contents(n4ws: Archive, jp: Any) -> dict[int, bytes | None]:
    docs = n4ws.jp(jp.jpId, returnDokument=True, returnFil=True).dokument
    return {d.dlRnr: (d.fil.base64 if d.fil else None) for d in docs}


SAMPLES = {
    "every byte value 0-255": bytes(range(256)),
    "NUL bytes": b"\x00" * 300,
    "CR LF pairs": b"line\r\nline\r\n\r",
    "Latin-1 æøå": "Blåbærsyltetøy".encode("latin-1"),
    "UTF-16 with BOM": b"\xff\xfe" + "Ærlig".encode("utf-16-le"),
    "XML-looking bytes": b"<?xml version='1.0'?>]]>&amp;<a/>",
    "random bytes": os.urandom(4096),
}


@requirement("N4WS-DOC-001")
@pytest.mark.parametrize("what", list(SAMPLES))
def test_document_bytes_come_back_exactly(n4ws: Archive, what: str) -> None:
    content = SAMPLES[what]
    jp = n4ws.new_jp(n4ws.new_sak(), dokument=[_doc(content)])
    got = list(_contents(n4ws, jp).values())
    assert len(got) == 1, f"GetJournpost returned {len(got)} documents, sent 1"
    assert got[0] == content, (
        f"a document of {what} ({len(content)} bytes, sha256 {hashlib.sha256(content).hexdigest()[:16]}) "
        f"came back as {len(got[0] or b'')} bytes, sha256 {hashlib.sha256(got[0] or b'').hexdigest()[:16]}"
    )


@requirement("N4WS-DOC-002")
def test_document_metadata_round_trips_with_norwegian_letters(n4ws: Archive) -> None:
    sent = [
        _doc(
            b"%PDF-1.4 hoved",
            dlType="H",
            dbKategori="Søknad",
            dbTittel="Søknad om løyve på Ærøy",
            dbStatus="F",
            veVariant="A",
            veDokformat="RA-PDF",
            veFilnavn="søknad_ærøy_Åsgårdstrand.pdf",
        ),
        _doc(
            b"vedlegg",
            dlType="V",
            dbTittel="Kart over tomta – gnr. 12/bnr. 34",
            dbStatus="B",
            veVariant="P",
            veDokformat="RA-TEKST",
            veFilnavn="kart øst.txt",
            veMimeType="text/plain",
        ),
    ]
    jp = n4ws.new_jp(n4ws.new_sak(), dokument=sent)
    got = n4ws.jp(jp.jpId, returnDokument=True).dokument
    assert len(got) == 2, f"GetJournpost returned {len(got)} documents, sent 2"
    for i, (s, g) in enumerate(zip(sent, got, strict=True)):
        meta = {k: v for k, v in s.items() if k != "fil"}
        expect_same(meta, g, f"GetJournpost dokument[{i}]")


@requirement("N4WS-DOC-003")
def test_a_20_mb_document_round_trips(n4ws: Archive) -> None:
    content = os.urandom(20 * 1024 * 1024)  # random: no archive can compress its way past this
    jp = n4ws.new_jp(n4ws.new_sak(), dokument=[_doc(content)])
    got = _contents(n4ws, jp)
    assert len(got) == 1, f"GetJournpost returned {len(got)} documents, sent one of 20 MB"
    data = next(iter(got.values())) or b""
    assert hashlib.sha256(data).digest() == hashlib.sha256(content).digest(), (
        f"a 20 MB document came back as {len(data):,} bytes that differ from the {len(content):,} sent"
    )


@requirement("N4WS-DOC-004")
def test_update_adds_new_documents_and_replaces_by_dlrnr(n4ws: Archive) -> None:
    jp = n4ws.new_jp(n4ws.new_sak(), dokument=[_doc(b"first version")])
    added = n4ws.update_jp(
        jp, dokument=[_doc(b"an attachment", dlType="V", veFilnavn="vedlegg.pdf")]
    )
    expect_ok(added, "PutJournpost adding a document")
    assert _contents(n4ws, jp) == {1: b"first version", 2: b"an attachment"}, (
        f"after adding a document: {_contents(n4ws, jp)}"
    )
    replaced = n4ws.update_jp(jp, dokument=[_doc(b"second version", dlRnr=1)])
    expect_ok(replaced, "PutJournpost replacing document dlRnr 1")
    got = _contents(n4ws, jp)
    assert got == {1: b"second version", 2: b"an attachment"}, (
        f"after replacing dlRnr 1: expected dlRnr 1 = b'second version' and 2 = b'an attachment', got {got}"
    )


TEXTS = {
    "Norwegian letters": "Ærlige Åse på Øvre Ås, blåbær og rødgrøt",
    "decomposed letters (NFD)": unicodedata.normalize("NFD", "Åse Ærø Øystein"),
    "leading and trailing spaces": "  Søknad om skjenkeløyve  ",
    "tabs and newlines": "linje 1\n\tlinje 2\n",
    "outside the BMP": "Sametinget 𝔖 🏔️ 𐍈",
    "XML specials": "<b>&amp; \"quoted\" 'apostrophe' ]]> </b>",
    "non-breaking and other spaces": "a\u00a0b\u2003c\u202fd",
    "Sami and other Latin letters": "Čáhcegáddi Ŋ ŧ đ ž",
}


@requirement("N4WS-TXT-001")
@pytest.mark.parametrize("what", list(TEXTS))
def test_text_comes_back_exactly(n4ws: Archive, what: str) -> None:
    text = TEXTS[what]
    sak = n4ws.new_sak(saTittel=f"{text} {n4ws.token()}", saProsjekt=text)
    jp = n4ws.new_jp(sak, jpInnhold=text, avsmot=[{"amIhtype": "0", "amNavn": text}])
    expect_same({"saProsjekt": text}, n4ws.sak(sak.saId), f"GetNoarksak with {what}")
    expect_same(
        {"jpInnhold": text, "avsmot": [{"amNavn": text}]},
        n4ws.jp(jp.jpId, returnAvmot=True),
        f"GetJournpost with {what}",
    )
