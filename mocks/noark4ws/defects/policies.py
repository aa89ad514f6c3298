"""Policy variants: the defects that change how the archive reads a resend, merges an update,
fills in defaults, guards a state, replaces a document or treats a missing case.

Each wraps the archive's policy of that seam (``tpn.mocks.noark4ws.policies``), changes one
thing and leaves the rest to the policy it wraps. The numbering variants are in
``numbering.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from tpn.mocks.noark4ws import queries as q
from tpn.mocks.noark4ws.codes import CodeLists
from tpn.mocks.noark4ws.policies import (
    DocumentReplace,
    Kind,
    Merge,
    MissingCase,
    Resend,
    StateGuard,
)

# ------------------------------------------------------------------ resends

_BY_KEY = {"sak": q.SAK_BY_EXT, "jp": q.JP_BY_EXT}


@dataclass(frozen=True)
class DuplicateOnResend:
    """duplicate-case-on-resend, duplicate-entry-on-resend: a Put of ``kind`` without an id is
    always a new object, external key or not. The resent key stays in the new object's record
    only; the first object keeps the lookup (the key's column is unique)."""

    inner: Resend
    kind: Kind

    def existing(self, conn: Connection, kind: Kind, key: tuple[str, str]) -> Row[Any] | None:
        return None if kind == self.kind else self.inner.existing(conn, kind, key)

    def key_of_new(self, conn: Connection, kind: Kind, key: dict[str, Any]) -> dict[str, Any]:
        if kind == self.kind and key:
            values = {"b_sys": key.get("eksternSystem"), "b_key": key.get("nokkel")}
            if conn.execute(_BY_KEY[kind], values).first() is not None:
                return {}
        return self.inner.key_of_new(conn, kind, key)


# ------------------------------------------------------------------ updates

# update-clears-omitted: what an overwriting update keeps of the stored object: its identity,
# the archive's numbers and the defaults it filled in, the external keys, the GeoIntegrasjon
# name, and every child list (child rows are written apart from the object's own row).
_KEPT_ON_OVERWRITE = frozenset(
    {
        *("saId", "saSaar", "saSeknr", "saDato", "saStatus", "saEksternNokkel", "fagsystem"),
        *("jpId", "jpJaar", "jpSeknr", "jpJpostnr", "jpJdato", "jpNdoktype", "jpStatus"),
        *("jpDokdato", "jpSaar", "jpSaseknr", "jpEksternNokkel", "jpSaEksternNokkel"),
    }
)


def kept_on_overwrite(old: dict[str, Any]) -> dict[str, Any]:
    """update-clears-omitted: the stored object as an UPDATE of every column leaves it."""
    return {k: v for k, v in old.items() if k in _KEPT_ON_OVERWRITE or isinstance(v, list)}


@dataclass(frozen=True)
class ClearsOmitted:
    """update-clears-omitted: an update overwrites the whole record, so a field left out is
    cleared."""

    inner: Merge

    def merged(
        self, old: dict[str, Any], sent: dict[str, Any], child_lists: tuple[str, ...]
    ) -> dict[str, Any]:
        return self.inner.merged(kept_on_overwrite(old), sent, child_lists)


def append_child_lists(
    new: dict[str, Any], old: dict[str, Any], sent: dict[str, Any], lists: Iterable[str]
) -> None:
    """child-lists-appended: each list sent is added to the stored one. An item identical to a
    stored one is not added again (the child table's unique key), so a resend stays harmless."""
    for name in lists:
        if name in sent:
            stored = old.get(name, [])
            new[name] = stored + [item for item in sent[name] if item not in stored]


@dataclass(frozen=True)
class AppendsChildLists:
    """child-lists-appended: a child list sent is added to the stored one, not put in its
    place."""

    inner: Merge

    def merged(
        self, old: dict[str, Any], sent: dict[str, Any], child_lists: tuple[str, ...]
    ) -> dict[str, Any]:
        new = self.inner.merged(old, sent, child_lists)
        append_child_lists(new, old, sent, child_lists)
        return new


# ------------------------------------------------------------------ defaults


@dataclass(frozen=True)
class NoDefaults:
    """no-defaults: what a new object leaves out stays out (the archive only reads its state
    with the standard's defaults)."""

    def case(self, data: dict[str, Any], today: dt.date) -> None:
        pass

    def entry(self, data: dict[str, Any]) -> None:
        pass


# ------------------------------------------------------------------ state


@dataclass(frozen=True)
class _GuardVariant:
    inner: StateGuard

    def takes_entries(self, codes: CodeLists, case_status: str) -> bool:
        return self.inner.takes_entries(codes, case_status)

    def entry_final(self, codes: CodeLists, jp_status: str) -> bool:
        return self.inner.entry_final(codes, jp_status)


class ClosedCaseTakesEntries(_GuardVariant):
    """closed-case-takes-entries: a closed or void case takes new entries."""

    def takes_entries(self, codes: CodeLists, case_status: str) -> bool:
        return True


class ArchivedEntryMutable(_GuardVariant):
    """archived-entry-mutable: an entry in a final status still changes, documents included."""

    def entry_final(self, codes: CodeLists, jp_status: str) -> bool:
        return False


# ------------------------------------------------------------------ documents


@dataclass(frozen=True)
class AppendsBeside:
    """document-replace-appends: a dlRnr the entry has is ignored, so the document is added
    beside the one it should replace."""

    inner: DocumentReplace

    def rnr(self, sent: int | None, stored: Collection[int]) -> int | None:
        return None if sent in stored else self.inner.rnr(sent, stored)


# ------------------------------------------------------------------ cases

# orphan-entries: entries whose case does not exist hang on a hidden case numbered 0/0, which
# no search finds (it is not indexed) and no real case can be (years start at 1).
_ORPHANS = {"b_saar": 0, "b_seknr": 0}


def orphan_case(conn: Connection) -> Row[Any]:
    """orphan-entries: the case row that entries without a case are stored under."""
    row = conn.execute(q.SAK_BY_NUMBERS, _ORPHANS).first()
    if row is None:
        holder = {"saSaar": 0, "saSeknr": 0, "saTittel": "(entries without a case)"}
        conn.execute(
            q.SAK_INSERT,
            {
                "saar": 0,
                "seknr": 0,
                "status": "B",
                "ext_system": None,
                "ext_key": None,
                "jp_count": 0,
                "data": json.dumps({**holder, "saStatus": "B"}),
            },
        )
        row = conn.execute(q.SAK_BY_NUMBERS, _ORPHANS).first()
    assert row is not None
    return row


@dataclass(frozen=True)
class OrphanEntries:
    """orphan-entries: an entry whose case does not exist is stored all the same, under the
    hidden orphan case, and keeps the case numbers it was sent."""

    inner: MissingCase

    def stand_in(self, conn: Connection, named: str) -> Row[Any]:
        return orphan_case(conn)

    def stands_in(self, case: Row[Any]) -> bool:
        return bool(case.saar == 0 and case.seknr == 0) or self.inner.stands_in(case)
