"""Search fields of the reference archive: which exist, how they match, how values are indexed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, intersect, select, union
from sqlalchemy.sql import CompoundSelect, Select

from tpn.mocks.noark4ws import tables

SUBSTRING = "substring"  # case-insensitive substring
EXACT = "exact"

# Criteria in one Get: each is one SELECT of an INTERSECT, and SQLite takes at most 500 of those
# (SQLITE_MAX_COMPOUND_SELECT). More is the client's mistake, answered as ERROR INVALID_VALUE.
MAX_CRITERIA = 100
# Characters of one criterion's value.
MAX_VALUE_CHARS = 10_000
# A substring search is a LIKE pattern of the value case-folded and escaped, which SQLite takes
# up to 50,000 bytes (SQLITE_MAX_LIKE_PATTERN_LENGTH). Folding can make a character six bytes
# ("ΐ" becomes three code points), so the pattern itself is measured, not the characters sent.
MAX_PATTERN_BYTES = 50_000


@dataclass(frozen=True)
class SearchField:
    name: str
    match: str
    level: str  # the conformance level that requires it
    values: Callable[[dict[str, Any]], Iterable[Any]]  # from the stored message (dict form)


def _top(name: str) -> Callable[[dict[str, Any]], Iterable[Any]]:
    return lambda d: [d[name]] if d.get(name) is not None else []


def _child(list_name: str, name: str) -> Callable[[dict[str, Any]], Iterable[Any]]:
    return lambda d: [c[name] for c in d.get(list_name, []) if c.get(name) is not None]


_SAK = (
    SearchField("saTittel", SUBSTRING, "core", _top("saTittel")),
    SearchField("saStatus", EXACT, "core", _top("saStatus")),
    SearchField("saSaar", EXACT, "core", _top("saSaar")),
    SearchField("saAnsvinit", EXACT, "full", _top("saAnsvinit")),
    SearchField("saAdmkort", EXACT, "full", _top("saAdmkort")),
    SearchField("klOrdnver", EXACT, "full", _child("klassering", "klOrdnver")),
    SearchField("spNavn", SUBSTRING, "full", _child("sakspart", "spNavn")),
)
_JP = (
    SearchField("jpInnhold", SUBSTRING, "core", _top("jpInnhold")),
    SearchField("jpStatus", EXACT, "core", _top("jpStatus")),
    SearchField("jpNdoktype", EXACT, "core", _top("jpNdoktype")),
    SearchField("jpJdato", EXACT, "full", _top("jpJdato")),
    SearchField("amNavn", SUBSTRING, "full", _child("avsmot", "amNavn")),
)

FIELDS: dict[str, dict[str, SearchField]] = {
    "sak": {f.name: f for f in _SAK},
    "jp": {f.name: f for f in _JP},
}


def fold(text: str) -> str:
    return text.casefold()


def index_rows(kind: str, object_id: int, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``n4_search`` rows for one stored object."""
    rows = []
    for f in FIELDS[kind].values():
        for value in f.values(data):
            text = str(value)
            rows.append(
                {
                    "kind": kind,
                    "object_id": object_id,
                    "field": f.name,
                    "value": text,
                    "folded": fold(text),
                }
            )
    return rows


def unknown_fields(kind: str, names: Iterable[str]) -> list[str]:
    return [n for n in names if n not in FIELDS[kind]]


def over_limits(criteria: Sequence[tuple[str, str]]) -> str | None:
    """What makes ``criteria`` more than the archive searches with, or None: the client's
    mistake (ERROR INVALID_VALUE), never a statement the store refuses."""
    if len(criteria) > MAX_CRITERIA:
        return (
            f"searchCriteria: {len(criteria)} criteria in one request; the archive takes at most "
            f"{MAX_CRITERIA}"
        )
    for name, value in criteria:
        shown = name if len(name) <= 64 else name[:64] + "…"
        if len(value) > MAX_VALUE_CHARS:
            return (
                f"searchCriteria: the value for {shown!r} has {len(value)} characters; the "
                f"archive searches with at most {MAX_VALUE_CHARS}"
            )
        # The longer of the folded and the plain value: one defect matches the value as sent.
        pattern = max(len(_escape_like(fold(value)).encode()), len(_escape_like(value).encode()))
        if pattern + 2 > MAX_PATTERN_BYTES:
            return (
                f"searchCriteria: the value for {shown!r} makes a search pattern of "
                f"{pattern + 2} bytes (case-folded, escaped, UTF-8); the archive searches with "
                f"patterns of at most {MAX_PATTERN_BYTES}"
            )
    return None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Matching:
    """How criteria match: the profile's way, unless the archive was built with a defect."""

    # search-case-sensitive: the title fields' substring match also compares case.
    case_sensitive: bool = False
    # criteria-or: an object matching any one criterion is found.
    any_criterion: bool = False
    # exact-search-case-insensitive: exact fields compare as a case-insensitive collation would.
    exact_folded: bool = False
    # jpjdato-search-prefix: jpJdato matches every date that starts with the text sent.
    jdato_prefix: bool = False

    def ids(
        self, kind: str, criteria: Sequence[tuple[str, str]]
    ) -> Select[Any] | CompoundSelect[Any]:
        return matching_ids(kind, criteria, self)


PROFILE = Matching()
# The fields whose substring match the defect search-case-sensitive makes case-sensitive.
_TITLES = frozenset({"saTittel", "jpInnhold"})


def matching_ids(
    kind: str, criteria: Sequence[tuple[str, str]], how: Matching = PROFILE
) -> Select[Any] | CompoundSelect[Any]:
    """A query for the ids of objects matching every criterion (AND); fields must be known."""
    s = tables.search
    subs: list[Select[Any]] = []
    for name, value in criteria:
        f = FIELDS[kind][name]
        cond = and_(s.c.kind == kind, s.c.field == name)
        if f.match == SUBSTRING:
            cond = and_(cond, s.c.folded.like(f"%{_escape_like(fold(value))}%", escape="\\"))
            if how.case_sensitive and name in _TITLES:
                # instr() is SQLite's (and MySQL's); the defects run on the reference's store.
                cond = and_(cond, func.instr(s.c.value, value) > 0)
        elif how.jdato_prefix and name == "jpJdato":
            cond = and_(cond, s.c.value.like(f"{_escape_like(value)}%", escape="\\"))
        elif how.exact_folded:
            cond = and_(cond, s.c.folded == fold(value))
        else:
            # Exact is the whole value as sent: stripping the query made a value stored with
            # surrounding spaces unfindable, and found "B" for " B".
            cond = and_(cond, s.c.value == value)
        subs.append(select(s.c.object_id).where(cond))
    assert subs, "matching_ids needs at least one criterion"
    if len(subs) == 1:
        return subs[0]
    # One INTERSECT over all criteria: chaining .intersect() fails from the third criterion on
    # (a CompoundSelect has no .intersect), which answered a soap:Server fault.
    return union(*subs) if how.any_criterion else intersect(*subs)
