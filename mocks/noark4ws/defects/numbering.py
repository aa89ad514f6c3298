"""Numbering variants: the numbering defects, as policies that wrap the archive's own.

Two policies number a new object (``tpn.mocks.noark4ws.policies``): ``Numbering`` draws the
archive's numbers, the row's unique keys; ``ShownNumbers`` says which numbers the object shows.
The reference shows its own. The defects that show other numbers (the client's, a count within
the case, a series per arkivdel, a MAX+1 read too early) show numbers that may repeat, which
those keys cannot hold: the row keeps the archive's numbers as its keys, and lookups by number
and the order of answers go by the numbers in the stored message (``IN_MESSAGE``), as the
vendor's archive would.

Each variant changes one thing and leaves the rest to the policy it wraps, so variants combine.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection, Row

from tpn.mocks.core.clock import Clock
from tpn.mocks.core.store import Store
from tpn.mocks.noark4ws import queries as q
from tpn.mocks.noark4ws import tables
from tpn.mocks.noark4ws.policies import (
    Kind,
    NumberIndex,
    Numbering,
    ShownNumbers,
    next_number,
)

# ------------------------------------------------------------------ drawing numbers


@dataclass(frozen=True)
class _NumberingVariant:
    """A numbering that gets one thing wrong and leaves the rest to the one it wraps."""

    inner: Numbering

    def draw(self, conn: Connection, kind: Kind, year: int) -> int:
        return self.inner.draw(conn, kind, year)

    def jpostnr(self, conn: Connection, in_case: int) -> int:
        return self.inner.jpostnr(conn, in_case)


class OneSeries(_NumberingVariant):
    """numbering-not-per-year: one counter for all years, so numbers never restart."""

    def draw(self, conn: Connection, kind: Kind, year: int) -> int:
        return next_number(conn, kind)


class GlobalJpostnr(_NumberingVariant):
    """jpostnr-global: an entry's number within its case comes from one archive-wide counter."""

    def jpostnr(self, conn: Connection, in_case: int) -> int:
        return next_number(conn, "jpostnr")


# ------------------------------------------------------------------ numbers shown


def _shown(column: Any, name: str) -> Any:
    return func.json_extract(column, f"$.{name}")


def _case_numbers(data: dict[str, Any]) -> tuple[int, int]:
    return int(data["saSaar"]), int(data["saSeknr"])


_sak, _jp = tables.sak, tables.journpost
IN_MESSAGE = NumberIndex(
    sak_by_numbers=select(_sak)
    .where(
        _shown(_sak.c.data, "saSaar") == bindparam("b_saar"),
        _shown(_sak.c.data, "saSeknr") == bindparam("b_seknr"),
    )
    .order_by(_sak.c.id),
    sak_order=(_shown(_sak.c.data, "saSaar"), _shown(_sak.c.data, "saSeknr"), _sak.c.id),
    jp_jaar=_shown(_jp.c.data, "jpJaar"),
    jp_seknr=_shown(_jp.c.data, "jpSeknr"),
    jp_jpostnr=_shown(_jp.c.data, "jpJpostnr"),
    jp_order=(_shown(_jp.c.data, "jpJaar"), _shown(_jp.c.data, "jpSeknr"), _jp.c.seknr),
    of_case=lambda row: _case_numbers(json.loads(row.data)),
)


@dataclass(frozen=True)
class _ShownVariant:
    """Numbers shown that may repeat, looked up in the stored message; the rest is left to the
    policy it wraps."""

    inner: ShownNumbers

    @property
    def index(self) -> NumberIndex:
        return IN_MESSAGE

    def planned(self, store: Store, clock: Clock, operation: str, sent: Any) -> Mapping[str, int]:
        return self.inner.planned(store, clock, operation, sent)

    def from_client(self, sent: dict[str, Any]) -> dict[str, Any]:
        return self.inner.from_client(sent)

    def instead(
        self, conn: Connection, kind: Kind, data: dict[str, Any], planned: Mapping[str, int]
    ) -> dict[str, Any]:
        return self.inner.instead(conn, kind, data, planned)


class NumberWithinCase(_ShownVariant):
    """reused-journal-numbers: the løpenummer shown is the entry's number within its case."""

    def instead(
        self, conn: Connection, kind: Kind, data: dict[str, Any], planned: Mapping[str, int]
    ) -> dict[str, Any]:
        shown = dict(self.inner.instead(conn, kind, data, planned))
        if kind == "jp":
            shown["jpSeknr"] = data["jpJpostnr"]
        return shown


class ClientNumbersKept(_ShownVariant):
    """client-numbers-kept: the numbers a client sends on create are shown, without a warning
    (the archive still draws its own, as the row's keys)."""

    def from_client(self, sent: dict[str, Any]) -> dict[str, Any]:
        return {**self.inner.from_client(sent), **sent}


class PerArkivdel(_ShownVariant):
    """case-numbers-per-arkivdel: the saSeknr shown comes from a counter per year and
    arkivdel."""

    def instead(
        self, conn: Connection, kind: Kind, data: dict[str, Any], planned: Mapping[str, int]
    ) -> dict[str, Any]:
        shown = dict(self.inner.instead(conn, kind, data, planned))
        if kind == "sak":
            arkdel = data.get("saArkdel") or ""
            shown["saSeknr"] = next_number(conn, f"sak:{data['saSaar']}:{arkdel}")
        return shown


# numbering-race: how long the vendor's archive takes between reading MAX+1 and inserting.
RACE_WINDOW = (0.005, 0.020)


class RacyNumbers(_ShownVariant):
    """numbering-race: a new object shows numbers read as MAX+1 of the numbers shown, in a
    transaction of their own before the insert's; then a pause, in which a concurrent client
    reads the same MAX. Nothing is planned for an update or a refused Put."""

    def planned(self, store: Store, clock: Clock, operation: str, sent: Any) -> Mapping[str, int]:
        numbers = self.index
        with store.read() as conn:
            year = clock.now(conn).year
            if operation == "PutNoarksak":
                if _existing(conn, sent.saId, sent.saEksternNokkel, q.SAK_BY_EXT):
                    return {}
                top = conn.execute(
                    select(func.max(numbers.sak_order[1])).where(numbers.sak_order[0] == year)
                ).scalar()
                planned = {"saSeknr": int(top or 0) + 1}
            else:
                case = new_entry_case(conn, sent, numbers)
                if case is None:
                    return {}
                top = conn.execute(
                    select(func.max(numbers.jp_seknr)).where(numbers.jp_jaar == year)
                ).scalar()
                in_case = conn.execute(
                    select(func.max(numbers.jp_jpostnr)).where(_jp.c.sak_id == case.id)
                ).scalar()
                planned = {"jpSeknr": int(top or 0) + 1, "jpJpostnr": int(in_case or 0) + 1}
        time.sleep(random.uniform(*RACE_WINDOW))
        return planned

    def instead(
        self, conn: Connection, kind: Kind, data: dict[str, Any], planned: Mapping[str, int]
    ) -> dict[str, Any]:
        return {**self.inner.instead(conn, kind, data, planned), **planned}


def _existing(conn: Connection, rid: str | None, key: Any, by_key: Any) -> bool:
    """Whether a Put names an existing object (so is an update, or a NOT_FOUND)."""
    if rid is not None:
        return True
    values = None if key is None else {"b_sys": key.eksternSystem, "b_key": key.nokkel}
    return values is not None and conn.execute(by_key, values).first() is not None


def _fits(n: int) -> bool:
    return -(2**63) < n < 2**63


def new_entry_case(conn: Connection, sent: Any, numbers: NumberIndex) -> Row[Any] | None:
    """The case a PutJournpost's new entry goes into; None for an update or no such case."""
    if _existing(conn, sent.jpId, sent.jpEksternNokkel, q.JP_BY_EXT):
        return None
    if sent.jpSaar is not None and sent.jpSaseknr is not None:
        if not (_fits(sent.jpSaar) and _fits(sent.jpSaseknr)):
            return None
        values = {"b_saar": sent.jpSaar, "b_seknr": sent.jpSaseknr}
        found: Row[Any] | None = conn.execute(numbers.sak_by_numbers, values).first()
        return found
    key = sent.jpSaEksternNokkel
    if key is not None:
        values = {"b_sys": key.eksternSystem, "b_key": key.nokkel}
        return conn.execute(q.SAK_BY_EXT, values).first()
    return None
