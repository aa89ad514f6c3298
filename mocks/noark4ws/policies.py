"""The reference archive's policies: the choices of the standard and the profile, one seam each.

Where the standard (or the profile) decides how the archive numbers, reads a resend, merges an
update, fills in defaults, guards an object's state or replaces a document, the archive asks a
policy object, chosen once when it is built (as ``RuleSet`` holds the business rules). Each
policy is a small ``Protocol`` with the reference implementation beside it; a policy sees a
narrow interface (a connection inside the Put's transaction, the store and clock where it must
act outside it, the code lists), never the archive itself. ``Policies`` bundles them, with the
rules and the search's matching; ``REFERENCE_POLICIES`` is the standard's archive.

The defect catalogue (``defects/``) builds a vendor's archive by wrapping single policies in a
variant that gets one thing wrong and leaves the rest to the policy it wraps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.engine import Connection, Row

from tpn.mocks.core import hot
from tpn.mocks.core.clock import Clock
from tpn.mocks.core.store import Store
from tpn.mocks.noark4ws import queries as q
from tpn.mocks.noark4ws import search, tables
from tpn.mocks.noark4ws.codes import CodeLists
from tpn.mocks.noark4ws.rules import REFERENCE, Rejected, RuleSet

Kind = str  # "sak" (a noarksak) or "jp" (a journpost)


def next_number(conn: Connection, name: str) -> int:
    """The next value of the archive's counter ``name`` (1 for a counter not used before)."""
    found = hot.first(conn, q.COUNTER_NEXT, {"b_name": name})
    if found is None:
        hot.run(conn, q.COUNTER_INSERT, {"name": name, "value": 1})
        return 1
    return int(found[0])


def case_status(data: dict[str, Any]) -> str:
    """A case's saStatus: B (under behandling) unless given."""
    status: str = data.get("saStatus", "B")
    return status


def entry_state(data: dict[str, Any]) -> tuple[str, str]:
    """An entry's (jpNdoktype, jpStatus): I (incoming) unless given, and then M (received,
    not distributed) for incoming and R (reserved) for every other type."""
    ndoktype: str = data.get("jpNdoktype", "I")
    status: str = data.get("jpStatus", "M" if ndoktype == "I" else "R")
    return ndoktype, status


# ------------------------------------------------------------------ numbering


class Numbering(Protocol):
    """How the archive draws the numbers of what it creates."""

    def draw(self, conn: Connection, kind: Kind, year: int) -> int:
        """The next saSeknr ("sak") or jpSeknr ("jp") of ``year``."""
        ...

    def jpostnr(self, conn: Connection, in_case: int) -> int:
        """A new entry's jpJpostnr; ``in_case`` is its place among its case's entries."""
        ...


class Counters:
    """The standard's numbering: saSeknr and jpSeknr count per year (each restarts at 1 on
    New Year's Day), jpJpostnr counts within the case."""

    def draw(self, conn: Connection, kind: Kind, year: int) -> int:
        return next_number(conn, f"{kind}:{year}")

    def jpostnr(self, conn: Connection, in_case: int) -> int:
        return in_case


@dataclass(frozen=True)
class NumberIndex:
    """Where the numbers the archive shows are kept, for lookups and for the order of answers.

    The reference shows the numbers of its columns, whose unique keys guarantee that none
    repeats (``IN_COLUMNS``).
    """

    sak_by_numbers: Any  # a statement binding b_saar and b_seknr
    sak_order: tuple[Any, ...]
    jp_jaar: Any
    jp_seknr: Any
    jp_jpostnr: Any
    jp_order: tuple[Any, ...]
    of_case: Callable[[Row[Any]], tuple[int, int]]  # the case numbers an entry shows


_sak, _jp = tables.sak, tables.journpost
IN_COLUMNS = NumberIndex(
    sak_by_numbers=q.SAK_BY_NUMBERS,
    sak_order=(_sak.c.saar, _sak.c.seknr),
    jp_jaar=_jp.c.jaar,
    jp_seknr=_jp.c.seknr,
    jp_jpostnr=_jp.c.jpostnr,
    jp_order=(_jp.c.jaar, _jp.c.seknr),
    of_case=lambda row: (row.saar, row.seknr),
)


class ShownNumbers(Protocol):
    """Which numbers a new case or entry shows, and where they are looked up."""

    @property
    def index(self) -> NumberIndex:
        """Where the numbers shown are looked up and ordered by."""
        ...

    def planned(self, store: Store, clock: Clock, operation: str, sent: Any) -> Mapping[str, int]:
        """Numbers a Put's new object will show, decided before the Put's transaction begins
        (``sent`` is the request's noarksak or journpost)."""
        ...

    def from_client(self, sent: dict[str, Any]) -> dict[str, Any]:
        """Of the numbers a client sent for a new object, those it shows; the archive replaces
        the others, with a WARNING naming them."""
        ...

    def instead(
        self, conn: Connection, kind: Kind, data: dict[str, Any], planned: Mapping[str, int]
    ) -> dict[str, Any]:
        """Numbers a new object shows in place of the archive's own (which ``data`` holds)."""
        ...


class OwnNumbers:
    """The standard's: an object shows the archive's numbers, which the client cannot set."""

    index = IN_COLUMNS

    def planned(self, store: Store, clock: Clock, operation: str, sent: Any) -> Mapping[str, int]:
        return {}

    def from_client(self, sent: dict[str, Any]) -> dict[str, Any]:
        return {}

    def instead(
        self, conn: Connection, kind: Kind, data: dict[str, Any], planned: Mapping[str, int]
    ) -> dict[str, Any]:
        return {}


# ------------------------------------------------------------------ resends, updates, defaults


class Resend(Protocol):
    """How a Put without an id that carries an external key is read."""

    def existing(self, conn: Connection, kind: Kind, key: tuple[str, str]) -> Row[Any] | None:
        """The stored object the Put updates; None makes it a new object."""
        ...

    def key_of_new(self, conn: Connection, kind: Kind, key: dict[str, Any]) -> dict[str, Any]:
        """The external key a new object is found by (``{}``: by none)."""
        ...


_BY_KEY = {"sak": q.SAK_BY_EXT, "jp": q.JP_BY_EXT}


class ByExternalKey:
    """The profile's: an external key names one object, so a resent Put (after a timeout)
    finds the object the first one made and updates it instead of making a second."""

    def existing(self, conn: Connection, kind: Kind, key: tuple[str, str]) -> Any | None:
        return hot.first(conn, _BY_KEY[kind], {"b_sys": key[0], "b_key": key[1]})

    def key_of_new(self, conn: Connection, kind: Kind, key: dict[str, Any]) -> dict[str, Any]:
        return key


class Merge(Protocol):
    """How an update meets the stored object."""

    def merged(
        self, old: dict[str, Any], sent: dict[str, Any], child_lists: tuple[str, ...]
    ) -> dict[str, Any]:
        """The updated object's message, from the stored one and the fields sent."""
        ...


class SentFieldsReplace:
    """The standard's: fields sent replace the stored values (a child list as a whole), fields
    left out keep theirs."""

    def merged(
        self, old: dict[str, Any], sent: dict[str, Any], child_lists: tuple[str, ...]
    ) -> dict[str, Any]:
        return {**old, **sent}


class Defaults(Protocol):
    """What the archive fills in when a new object leaves it out."""

    def case(self, data: dict[str, Any], today: dt.date) -> None:
        """Fill in a new case's defaults."""
        ...

    def entry(self, data: dict[str, Any]) -> None:
        """Fill in a new entry's defaults (its numbers and jpJdato are in ``data``)."""
        ...


class ProfileDefaults:
    """The profile's: saDato today and saStatus B; jpNdoktype, jpStatus as ``entry_state``
    reads them, and jpDokdato the journal date."""

    def case(self, data: dict[str, Any], today: dt.date) -> None:
        data.setdefault("saDato", today.isoformat())
        data.setdefault("saStatus", "B")

    def entry(self, data: dict[str, Any]) -> None:
        ndoktype, status = entry_state(data)
        data.setdefault("jpNdoktype", ndoktype)
        data.setdefault("jpStatus", status)
        data.setdefault("jpDokdato", data["jpJdato"])


# ------------------------------------------------------------------ state, documents, cases


class StateGuard(Protocol):
    """Which stored states refuse a change."""

    def takes_entries(self, codes: CodeLists, case_status: str) -> bool:
        """Whether a case in ``case_status`` takes new entries."""
        ...

    def entry_final(self, codes: CodeLists, jp_status: str) -> bool:
        """Whether an entry in ``jp_status`` can no longer change, documents included."""
        ...


class StateRules:
    """The standard's: a closed or void case takes no new entries, and an entry in a final
    status (archived, void) never changes."""

    def takes_entries(self, codes: CodeLists, case_status: str) -> bool:
        return case_status not in (codes.sa_closed, codes.sa_void)

    def entry_final(self, codes: CodeLists, jp_status: str) -> bool:
        return jp_status in codes.jp_final


class DocumentReplace(Protocol):
    """Which of an entry's stored documents a document sent replaces."""

    def rnr(self, sent: int | None, stored: Collection[int]) -> int | None:
        """The dlRnr a document sent with ``sent`` is stored under: that of the document it
        replaces, or None for a new document (which gets the entry's next number)."""
        ...


class ByRnr:
    """The standard's: a document sent with a dlRnr replaces the entry's document of that
    number; one sent without is a new document."""

    def rnr(self, sent: int | None, stored: Collection[int]) -> int | None:
        return sent


class MissingCase(Protocol):
    """What a new entry whose case does not exist gets."""

    def stand_in(self, conn: Connection, named: str) -> Row[Any]:
        """The case row the entry is stored under; ``named`` says how the entry named its case."""
        ...

    def stands_in(self, case: Row[Any]) -> bool:
        """Whether ``case`` is such a stand-in: the entry then keeps the case numbers it was
        sent instead of showing the case's."""
        ...


class NotFound:
    """The standard's: an entry must name an existing case; otherwise the Put is refused."""

    def stand_in(self, conn: Connection, named: str) -> Row[Any]:
        raise Rejected("NOT_FOUND", f"no noarksak matches {named}")

    def stands_in(self, case: Row[Any]) -> bool:
        return False


# ------------------------------------------------------------------ all of them


# The standard's policies hold no state: one of each serves every archive.
COUNTERS = Counters()
OWN_NUMBERS = OwnNumbers()
BY_EXTERNAL_KEY = ByExternalKey()
SENT_FIELDS_REPLACE = SentFieldsReplace()
PROFILE_DEFAULTS = ProfileDefaults()
STATE_RULES = StateRules()
BY_RNR = ByRnr()
NOT_FOUND = NotFound()


@dataclass(frozen=True)
class Policies:
    """Every seam of the archive's behaviour, the standard's unless a defect replaced one."""

    rules: RuleSet = REFERENCE
    numbering: Numbering = COUNTERS
    shown: ShownNumbers = OWN_NUMBERS
    resend: Resend = BY_EXTERNAL_KEY
    merge: Merge = SENT_FIELDS_REPLACE
    defaults: Defaults = PROFILE_DEFAULTS
    guard: StateGuard = STATE_RULES
    documents: DocumentReplace = BY_RNR
    missing_case: MissingCase = NOT_FOUND
    search: search.Matching = search.PROFILE


REFERENCE_POLICIES = Policies()
