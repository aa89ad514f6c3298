"""An entry's documents in the store: added, replaced, and never added twice.

A document arrives as the request's own model object, its bytes decoded once by the codec; they
are hashed and stored as they are, apart from the document's metadata (JSON), so that a Get
without ``returnFil`` never reads them. They are hashed and the metadata converted before the
Put's write transaction (``Sent.of``): every other writer waits while one holds the store's
writer lock, and a 20 MB document's SHA-256 takes about 13 ms. Which stored document a document
sent replaces is the ``DocumentReplace`` policy's choice (by dlRnr in the reference).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from tpn.mocks.core import hot
from tpn.mocks.noark4ws import queries as q
from tpn.mocks.noark4ws.policies import DocumentReplace
from tpn.mocks.noark4ws.rules import Rejected
from tpn.mocks.soap.codec import to_dict

_INT64 = 2**63 - 1


@dataclass(frozen=True)
class Stored:
    """What the archive compares a stored document by: its number, metadata and content hash."""

    id: int
    rnr: int
    meta: str
    sha256: str | None


@dataclass(frozen=True)
class Sent:
    """A document as a Put sent it, ready to compare and store: the model object (the archive's
    checks read it), its metadata as the store keeps it (without its bytes), and its bytes and
    their SHA-256 when it carries them (a ``ref`` goes into the metadata instead)."""

    doc: Any
    meta: dict[str, Any]
    content: bytes | None
    sha256: str | None

    @classmethod
    def of(cls, doc: Any) -> Sent:
        meta = to_dict(doc, without=("fil",))
        content: bytes | None = None
        fil = doc.fil
        if fil is not None:
            if fil.base64 is not None:
                content = b"".join(fil.base64)
            else:
                meta["fil"] = {"ref": fil.ref}
        sha = hashlib.sha256(content).hexdigest() if content is not None else None
        return cls(doc, meta, content, sha)


def of_entry(conn: Connection, jp_id: int) -> dict[int, Stored]:
    """The entry's stored documents, by dlRnr."""
    return {
        r.rnr: Stored(r.id, r.rnr, r.meta, r.sha256)
        for r in hot.rows(conn, q.DOCS_OF, {"b_id": jp_id})
    }


def save(
    conn: Connection,
    jp_id: int,
    documents: Iterable[Sent],
    existing: dict[int, Stored],
    *,
    check: Callable[[Any], None],
    replace: DocumentReplace,
) -> bool:
    """Add or replace the entry's documents (the object of each ``check``-ed first) in
    ``existing``, the entry's stored documents, which this updates; whether anything changed.

    A document without dlRnr that is identical (metadata and bytes) to one the entry already
    has is not added again: that is what makes resending a Put after a timeout safe.
    """
    changed = False
    for sent in documents:
        check(sent.doc)
        meta = dict(sent.meta)  # its own: a retried transaction saves the same documents again
        content, sha = sent.content, sent.sha256
        rnr = replace.rnr(meta.pop("dlRnr", None), existing)
        if rnr is None:
            same = [
                r
                for r in existing.values()
                if r.sha256 == sha
                and {**json.loads(r.meta), "dlRnr": None} == {**meta, "dlRnr": None}
            ]
            if same:
                continue
            rnr = max(existing, default=0) + 1
        elif not -_INT64 <= rnr <= _INT64:
            raise Rejected("INVALID_VALUE", f"dokument/dlRnr {rnr} is out of range")
        meta = {"dlRnr": rnr, **meta}
        old = existing.get(rnr)
        if old is not None:
            if old.sha256 == sha and json.loads(old.meta) == meta:
                continue
            hot.run(conn, q.DOC_DELETE, {"b_id": old.id})
        meta_json = json.dumps(meta)
        key = hot.run(
            conn,
            q.DOC_INSERT,
            {
                "journpost_id": jp_id,
                "rnr": rnr,
                "meta": meta_json,
                "content": content,
                "sha256": sha,
            },
        ).lastrowid
        assert key is not None
        existing[rnr] = Stored(key, rnr, meta_json, sha)
        changed = True
    return changed


def metadata(existing: dict[int, Stored]) -> list[dict[str, Any]]:
    """The entry's documents as a Put answers them: metadata only, in dlRnr order."""
    out = []
    for rnr in sorted(existing):
        meta = json.loads(existing[rnr].meta)
        meta.pop("fil", None)
        out.append(meta)
    return out
