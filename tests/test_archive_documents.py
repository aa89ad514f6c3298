"""Documents (spec, "Documents", "Updates"): bytes round trip exactly, up to 20 MB; ``fil`` is
base64 or ref, never both; documents are added on update, and the same dlRnr replaces.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from n4ws_support import N4, NS, expect_error, expect_ok, plain
from sqlalchemy import exc

from tpn.mocks.noark4ws import archive as archive_module
from tpn.mocks.noark4ws import documents

DOC = {"dlType": "H", "veFilnavn": "brev.pdf", "veMimeType": "application/pdf"}


def _doc(content: bytes | None = None, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {**DOC, **fields}
    if content is not None:
        out["fil"] = {"base64": content}
    return out


def _contents(n4: N4, jp: Any) -> dict[int, bytes | None]:
    docs = n4.jp(jp.jpId, returnFil=True).dokument
    return {d.dlRnr: (d.fil.base64 if d.fil else None) for d in docs}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(min_size=1, max_size=4096))
def test_any_bytes_round_trip(n4: N4, content: bytes) -> None:
    jp = n4.new_jp(n4.new_sak(), dokument=[_doc(content)])
    assert _contents(n4, jp) == {1: content}


def test_every_byte_value_and_awkward_bytes(n4: N4) -> None:
    samples = [
        bytes(range(256)),
        b"\x00" * 1000,
        b"\r\n\r",
        "æøå".encode("latin-1"),
        b"\xff\xfe" + "BOM".encode("utf-16-le"),
        b"]]>",
        b"<?xml?>&amp;",
    ]
    jp = n4.new_jp(n4.new_sak(), dokument=[_doc(c, dbTittel=str(i)) for i, c in enumerate(samples)])
    assert list(_contents(n4, jp).values()) == samples


def test_empty_document_keeps_its_empty_content(n4: N4) -> None:
    # zeep reads an empty base64 element as None, so the wire proves the empty content is kept.
    jp = n4.new_jp(n4.new_sak(), dokument=[_doc(b"")])
    body = n4.raw("GetJournpost", jpId=jp.jpId, returnJournpostRequests={"returnFil": True})
    b64 = body.find(f"{{{NS}}}journpost/{{{NS}}}dokument/{{{NS}}}fil/{{{NS}}}base64")
    assert b64 is not None and (b64.text or "") == ""


def test_document_of_20_mb_round_trips(n4: N4) -> None:
    # Random bytes (incompressible) of exactly 20 MiB, the spec's limit.
    content = os.urandom(20 * 1024 * 1024)
    started = time.monotonic()
    jp = n4.new_jp(n4.new_sak(), dokument=[_doc(content)])
    assert jp.dokument[0].fil is None  # the Put answer does not echo 27 MB of base64
    got = n4.jp(jp.jpId, returnFil=True).dokument[0].fil.base64
    elapsed = time.monotonic() - started
    assert len(got) == len(content)
    assert hashlib.sha256(got).digest() == hashlib.sha256(content).digest()
    assert elapsed < 60, f"a 20 MB document took {elapsed:.1f} s"
    # Get without returnFil does not carry it either.
    assert n4.jp(jp.jpId, returnDokument=True).dokument[0].fil is None


def test_fil_is_base64_or_ref_never_both_never_neither(n4: N4) -> None:
    sak = n4.new_sak()
    both = _doc(fil={"base64": b"x", "ref": "https://arkiv.example.invalid/1"})
    neither = _doc(fil={})
    for doc in (both, neither):
        resp = n4.put_jp(jpInnhold="Post", jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr, dokument=[doc])
        expect_error(resp, "INVALID_VALUE")
    assert n4.server.archive.counts()["journpost"] == 0
    ref = n4.new_jp(sak, dokument=[_doc(fil={"ref": "https://arkiv.example.invalid/1?a=1&b=2"})])
    assert (
        n4.jp(ref.jpId, returnFil=True).dokument[0].fil.ref
        == "https://arkiv.example.invalid/1?a=1&b=2"
    )
    # A document may also carry metadata only.
    meta = n4.new_jp(sak, dokument=[_doc()])
    assert n4.jp(meta.jpId, returnFil=True).dokument[0].fil is None


# ---------------------------------------------------------------- documents on update


def test_documents_are_added_numbered_and_replaced_by_dlrnr(n4: N4) -> None:
    jp = n4.new_jp(n4.new_sak(), dokument=[_doc(b"v1", dbTittel="Brev")])
    assert [d.dlRnr for d in jp.dokument] == [1]
    # Added: a document without dlRnr gets the next number; the first one stays.
    resp = expect_ok(n4.update_jp(jp, dokument=[_doc(b"vedlegg", dlType="V", dbTittel="Vedlegg")]))
    assert [d.dlRnr for d in resp.journpost.dokument] == [1, 2]
    # An update without documents keeps them.
    expect_ok(n4.update_jp(jp, jpInnhold="Endret"))
    assert _contents(n4, jp) == {1: b"v1", 2: b"vedlegg"}
    # Replaced: the same dlRnr replaces bytes and metadata (fields left out are gone: a document
    # is replaced whole, not merged).
    expect_ok(n4.update_jp(jp, dokument=[_doc(b"v2", dlRnr=1, dbTittel="Brev, rettet")]))
    docs = plain(n4.jp(jp.jpId, returnFil=True).dokument)
    assert docs[0] == {"dlRnr": 1, **DOC, "dbTittel": "Brev, rettet", "fil": {"base64": b"v2"}}
    assert docs[1]["fil"] == {"base64": b"vedlegg"}
    expect_ok(n4.update_jp(jp, dokument=[_doc(dlRnr=2, dbTittel="Bare metadata")]))
    assert _contents(n4, jp) == {1: b"v2", 2: None}
    # A new dlRnr the client chooses is taken as given; the next free number follows it.
    expect_ok(n4.update_jp(jp, dokument=[_doc(b"fem", dlRnr=5)]))
    expect_ok(n4.update_jp(jp, dokument=[_doc(b"seks")]))
    assert _contents(n4, jp) == {1: b"v2", 2: None, 5: b"fem", 6: b"seks"}
    assert n4.server.archive.counts()["dokument"] == 4


def test_resending_an_identical_document_does_not_add_it_again(n4: N4) -> None:
    # Profile decision: a document without dlRnr identical (metadata and bytes) to one the entry
    # has is not added again, which makes resending a Put after a timeout safe.
    key = {"eksternSystem": "skjema", "nokkel": "innsending-7"}
    sak = n4.new_sak()
    put = {
        "jpInnhold": "Søknad",
        "jpSaar": sak.saSaar,
        "jpSaseknr": sak.saSeknr,
        "jpEksternNokkel": key,
        "dokument": [_doc(b"pdf"), _doc(b"xml", dlType="V")],
    }
    first = expect_ok(n4.put_jp(**put)).journpost
    again = expect_ok(n4.put_jp(**put)).journpost
    assert plain(again) == plain(first)
    assert _contents(n4, first) == {1: b"pdf", 2: b"xml"}
    # Different bytes or different metadata is a different document: added.
    expect_ok(n4.put_jp(**{**put, "dokument": [_doc(b"pdf2")]}))
    expect_ok(n4.put_jp(**{**put, "dokument": [_doc(b"pdf", dbTittel="Kopi")]}))
    assert _contents(n4, first) == {1: b"pdf", 2: b"xml", 3: b"pdf2", 4: b"pdf"}


def test_document_codes_and_required_fields_are_checked_on_update(n4: N4) -> None:
    jp = n4.new_jp(n4.new_sak(), dokument=[_doc(b"x")])
    expect_error(n4.update_jp(jp, dokument=[_doc(b"y", dlType="Z")]), "INVALID_CODE")
    expect_error(n4.update_jp(jp, dokument=[_doc(b"y", dlRnr=1, veMimeType=" ")]), "MISSING_FIELD")
    expect_error(
        n4.update_jp(jp, dokument=[_doc(fil={"base64": b"y", "ref": "r"}, dlRnr=1)]),
        "INVALID_VALUE",
    )
    assert _contents(n4, jp) == {1: b"x"}


def test_document_bytes_are_hashed_before_the_write_transaction(
    n4: N4, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every other writer waits while a Put holds the store's writer lock: a 20 MB document's
    # SHA-256 (about 13 ms here) is taken before it, as is the message's conversion.
    archive = n4.server.archive
    sak = n4.new_sak()
    events: list[str] = []
    write = archive.store.write

    @contextlib.contextmanager
    def noted_write() -> Iterator[Any]:
        events.append("write")
        with write() as conn:
            yield conn

    def noted_sha256(data: bytes) -> Any:
        events.append("sha256")
        return hashlib.sha256(data)

    def noted(name: str, convert: Callable[..., Any]) -> Callable[..., Any]:
        def conversion(*args: Any, **kwargs: Any) -> Any:
            events.append(name)
            return convert(*args, **kwargs)

        return conversion

    monkeypatch.setattr(archive.store, "write", noted_write)
    monkeypatch.setattr(documents, "hashlib", SimpleNamespace(sha256=noted_sha256))
    monkeypatch.setattr(documents, "to_dict", noted("metadata", documents.to_dict))
    monkeypatch.setattr(archive_module, "to_dict", noted("message", archive_module.to_dict))
    jp = n4.new_jp(sak, dokument=[_doc(b"a" * 100_000), _doc(b"b", dbTittel="Vedlegg")])
    # Each once, all before the transaction; nothing of them again inside it.
    assert events[: events.index("write") + 1] == [
        *(["metadata", "sha256"] * 2),
        "message",
        "write",
    ]
    assert events.count("sha256") == 2 and events.count("message") == 1
    assert _contents(n4, jp) == {1: b"a" * 100_000, 2: b"b"}


def test_a_retried_put_stores_the_message_and_documents_as_sent(
    n4: N4, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A create that meets another client's create of the same key (PostgreSQL) is retried: the
    # retry works on the request as sent, not on what the failed attempt made of it.
    archive = n4.server.archive
    sak = n4.new_sak()
    attempts = 0
    work = archive._put_journpost

    def failing_once(put: Any, given: Any) -> Any:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            work(put, given)  # numbers the message and stores the documents, then fails
            raise exc.IntegrityError("INSERT", {}, Exception("a race"))
        return work(put, given)

    monkeypatch.setattr(archive, "_put_journpost", failing_once)
    jp = n4.new_jp(sak, jpInnhold="Søknad", dokument=[_doc(b"pdf", dlRnr=3)])
    assert attempts == 2
    assert (jp.jpInnhold, jp.jpSeknr, jp.jpJpostnr) == ("Søknad", 1, 1)
    assert _contents(n4, jp) == {3: b"pdf"}
    assert archive.counts()["journpost"] == 1
