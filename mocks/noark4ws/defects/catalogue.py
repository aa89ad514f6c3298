"""The defect catalogue: realistic vendor mistakes the reference archive can be started with.

Every conformance test must be able to fail, so the archive can play a vendor's archive that
gets one thing wrong (``tpn serve --defect NAME``, ``MockConfig(defects=(NAME,))``). The names,
what each defect does wrong, why a vendor might, and which requirements must catch it are in
``fixtures/standards/noark4ws/defects.toml``; this module reads that catalogue and holds the
behaviour, as far as it can live outside the archive:

- ``Defects``: one flag per defect, checked once when the archive is built. Without defects
  every flag is False, and the archive, its rules and its endpoint are the reference ones,
  untouched (no per-request or per-field test of a defect on the reference path).
- rule variants: a defect that is a missing or broken business rule swaps that rule in the
  archive's ``RuleSet`` (``Defects.rules``).
- helpers for the few defects that need the archive's inside (its ``self.defects.<name>``
  flags call them).

The defects that act around the archive (request and response filters) and around the SOAP
endpoint are in ``defect_filters.py``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import random
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection, Row

from tpn.fixtures import standard_file
from tpn.mocks.noark4ws import queries as q
from tpn.mocks.noark4ws import rules, tables
from tpn.mocks.noark4ws.codes import CodeLists
from tpn.mocks.noark4ws.rules import REFERENCE, Rejected, RuleSet

if TYPE_CHECKING:
    from tpn.mocks.noark4ws.archive import Archive

# ------------------------------------------------------------------ the catalogue


@dataclass(frozen=True)
class Defect:
    """One entry of ``defects.toml``."""

    name: str
    summary: str  # what the archive does wrong
    story: str  # why a vendor's archive might
    requirements: tuple[str, ...]  # the requirement ids that must catch it


@functools.cache
def catalogue() -> tuple[Defect, ...]:
    """Every defect, in the catalogue's order."""
    raw = tomllib.loads(standard_file("noark4ws", "defects.toml").read_text("utf-8"))
    found = tuple(
        Defect(
            name=d["name"],
            summary=d["summary"],
            story=d["story"],
            requirements=tuple(d["requirements"]),
        )
        for d in raw["defect"]
    )
    names = [d.name for d in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"defects.toml names a defect more than once: {', '.join(twice)}")
    return found


def names() -> list[str]:
    return [d.name for d in catalogue()]


def _attribute(name: str) -> str:
    return name.replace("-", "_")


# ------------------------------------------------------------------ the flags


@dataclass(frozen=True)
class Defects:
    """Which defects the archive was built with: one flag per catalogue entry.

    The field of ``reused-journal-numbers`` is ``reused_journal_numbers``, and so on; the tests
    prove that fields and catalogue agree. Build it with ``Defects.of(names)``.
    """

    # numbering
    reused_journal_numbers: bool = False
    numbering_not_per_year: bool = False
    numbering_race: bool = False
    gaps_after_errors: bool = False
    client_numbers_kept: bool = False
    jpostnr_global: bool = False
    case_numbers_per_arkivdel: bool = False
    # external keys
    duplicate_case_on_resend: bool = False
    duplicate_entry_on_resend: bool = False
    external_key_system_ignored: bool = False
    case_key_reference_unsupported: bool = False
    # documents and text
    documents_reencoded: bool = False
    large_documents_refused: bool = False
    document_replace_appends: bool = False
    text_normalised: bool = False
    filenames_ascii_only: bool = False
    optional_fields_dropped: bool = False
    # errors and selectors
    error_as_ok: bool = False
    no_selector_returns_all: bool = False
    ambiguous_selector_first_wins: bool = False
    empty_required_accepted: bool = False
    orphan_entries: bool = False
    saksnummer_ignores_year: bool = False
    lopenummer_ignores_year: bool = False
    dokumentnummer_first_only: bool = False
    entries_by_case_first_only: bool = False
    generic_status_codes: bool = False
    # state rules
    archived_entry_mutable: bool = False
    closed_case_takes_entries: bool = False
    state_rules_unchecked: bool = False
    case_state_unchecked: bool = False
    # code lists, access codes
    closed_codes_unchecked: bool = False
    old_code_list: bool = False
    open_lists_closed: bool = False
    public_field_unchecked: bool = False
    # updates and answers
    update_clears_omitted: bool = False
    child_lists_appended: bool = False
    return_flags_ignored: bool = False
    put_answer_bare: bool = False
    no_defaults: bool = False
    # search
    unknown_search_field_returns_all: bool = False
    search_case_sensitive: bool = False
    criteria_or: bool = False
    search_unordered: bool = False
    exact_search_case_insensitive: bool = False
    jpjdato_search_prefix: bool = False
    # extended metadata
    gbn_unchecked: bool = False
    geo_dropped: bool = False
    fodselsnr_dropped: bool = False
    # transport, envelope, WSDL, hostile input
    html_faults: bool = False
    bare_faultcode: bool = False
    soap12_content_type: bool = False
    soap12_accepted: bool = False
    must_understand_ignored: bool = False
    credentials_unchecked: bool = False
    wsdl_incomplete: bool = False
    no_wsdl: bool = False
    wsdl_schema_unqualified: bool = False
    undeclared_response_element: bool = False
    schema_unchecked: bool = False
    deep_nesting_crash: bool = False
    dtd_accepted: bool = False
    unavailable_after_entity_bomb: bool = False

    @classmethod
    def of(cls, chosen: Iterable[str]) -> Defects:
        """The flags for the named defects; an unknown name is a ValueError naming them all."""
        chosen = list(chosen)
        known = names()
        unknown = [n for n in chosen if n not in known]
        if unknown:
            raise ValueError(
                f"unknown defect {', '.join(repr(n) for n in unknown)}; "
                f"the catalogue has: {', '.join(known)}"
            )
        return cls(**{_attribute(n): True for n in chosen})

    def active(self) -> list[str]:
        """The names of the defects that are on, in the catalogue's order."""
        return [n for n in names() if getattr(self, _attribute(n))]

    def any_of(self, *chosen: str) -> bool:
        return any(getattr(self, _attribute(n)) for n in chosen)

    def __bool__(self) -> bool:
        return any(dataclasses.astuple(self))

    def rules(self) -> RuleSet:
        """The business rules the archive applies: the reference ones, with a defect's lenient
        or broken rule swapped in for each rule defect that is on."""
        ruleset = REFERENCE
        if self.closed_codes_unchecked:
            ruleset = dataclasses.replace(
                ruleset,
                code=_accept_any_code,
                journpost_start=_journpost_start_if_known,
                journpost_change=_journpost_change_if_known,
                sak_update=_sak_update_if_known,
            )
        if self.old_code_list:
            ruleset = dataclasses.replace(ruleset, code=_old_code)
        if self.state_rules_unchecked:
            ruleset = dataclasses.replace(
                ruleset, journpost_start=_accept, journpost_change=_only_final_stays
            )
        if self.case_state_unchecked:
            ruleset = dataclasses.replace(ruleset, sak_update=_accept)
        if self.public_field_unchecked:
            ruleset = dataclasses.replace(ruleset, public_field=_accept)
        if self.gbn_unchecked:
            ruleset = dataclasses.replace(ruleset, geo=rules.geo_values)
        if self.empty_required_accepted:
            ruleset = dataclasses.replace(ruleset, title=_title_may_be_empty)
        return ruleset

    def numbers(self) -> Numbers:
        """Where the archive looks up and orders by the numbers it shows."""
        if (
            self.reused_journal_numbers
            or self.numbering_race
            or self.client_numbers_kept
            or self.case_numbers_per_arkivdel
        ):
            return IN_MESSAGE
        return IN_COLUMNS

    def check_backend(self, backend: str) -> None:
        """Refuse a store the defects that are on cannot run on: those that look numbers up in
        the stored message (json_extract) or match case-sensitively (instr) need SQLite."""
        if backend == "sqlite":
            return
        need = [n for n in self.active() if n in _SQLITE_ONLY]
        if need:
            raise ValueError(f"the defects {', '.join(need)} need the SQLite store, not {backend}")


NO_DEFECTS = Defects()
_SQLITE_ONLY = frozenset(
    {
        "reused-journal-numbers",
        "numbering-race",
        "client-numbers-kept",
        "case-numbers-per-arkivdel",
        "search-case-sensitive",
    }
)


# ------------------------------------------------------------------ rule variants


def _accept(*args: Any, **kwargs: Any) -> None:
    """The check the vendor never wrote."""


def _accept_any_code(codes: CodeLists, field: str, value: str | None, where: str) -> None:
    """closed-codes-unchecked: any value is taken."""


def _known(codes: CodeLists, field: str, *values: str) -> bool:
    return all(v in codes.closed[field] for v in values)


def _journpost_start_if_known(codes: CodeLists, ndoktype: str, status: str) -> None:
    # closed-codes-unchecked: the state table only knows the known codes, and the vendor's
    # archive applies it only to them (an unknown type or status has no row to check).
    if _known(codes, "jpNdoktype", ndoktype) and _known(codes, "jpStatus", status):
        rules.journpost_start(codes, ndoktype, status)


def _journpost_change_if_known(codes: CodeLists, ndoktype: str, old: str, new: str) -> None:
    if _known(codes, "jpNdoktype", ndoktype) and _known(codes, "jpStatus", old, new):
        rules.journpost_change(codes, ndoktype, old, new)


def _sak_update_if_known(codes: CodeLists, old: str, new: str) -> None:
    if _known(codes, "saStatus", old, new):
        rules.sak_update(codes, old, new)


# old-code-list: the values added last to the closed lists.
_NEWEST_CODES = frozenset({("jpNdoktype", "S"), ("jpStatus", "G")})


def _old_code(codes: CodeLists, field: str, value: str | None, where: str) -> None:
    if value is not None and (field, value) in _NEWEST_CODES:
        allowed = {k: v for k, v in codes.closed[field].items() if (field, k) not in _NEWEST_CODES}
        listed = ", ".join(f"{k} ({v})" for k, v in allowed.items())
        raise Rejected(
            "INVALID_CODE", f"{where} {value!r} is not in the code list {field}: {listed}"
        )
    rules.code(codes, field, value, where)


def _only_final_stays(codes: CodeLists, ndoktype: str, old: str, new: str) -> None:
    """state-rules-unchecked: the vendor implemented the final statuses and nothing else."""
    if old != new and old in codes.jp_final:
        rules.journpost_change(codes, ndoktype, old, new)


def _title_may_be_empty(value: str | None, where: str) -> None:
    """empty-required-accepted: only a missing title is refused, not an empty one."""
    if value is None:
        rules.required(value, where)


# ------------------------------------------------------------------ numbers shown


@dataclass(frozen=True)
class Numbers:
    """Where the numbers the archive shows are kept, for lookups and order.

    The reference shows the numbers of its columns, whose unique keys guarantee that none
    repeats. The numbering defects show numbers that may repeat, which those keys cannot hold:
    the row keeps the archive's own numbers as its keys, and lookups by number and the order
    of answers go by the numbers in the stored message, as the vendor's archive would.
    """

    sak_by_numbers: Any  # a statement binding b_saar and b_seknr
    sak_order: tuple[Any, ...]
    jp_jaar: Any
    jp_seknr: Any
    jp_jpostnr: Any
    jp_order: tuple[Any, ...]
    of_case: Callable[[Row[Any]], tuple[int, int]]  # the case numbers an entry shows


def _shown(column: Any, name: str) -> Any:
    return func.json_extract(column, f"$.{name}")


_sak, _jp = tables.sak, tables.journpost
IN_COLUMNS = Numbers(
    sak_by_numbers=q.SAK_BY_NUMBERS,
    sak_order=(_sak.c.saar, _sak.c.seknr),
    jp_jaar=_jp.c.jaar,
    jp_seknr=_jp.c.seknr,
    jp_jpostnr=_jp.c.jpostnr,
    jp_order=(_jp.c.jaar, _jp.c.seknr),
    of_case=lambda row: (row.saar, row.seknr),
)
IN_MESSAGE = Numbers(
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


def _case_numbers(data: dict[str, Any]) -> tuple[int, int]:
    return int(data["saSaar"]), int(data["saSeknr"])


# numbering-race: how long the vendor's archive takes between reading MAX+1 and inserting.
RACE_WINDOW = (0.005, 0.020)


def racy_numbers(archive: Archive, operation: str, sent: Any) -> dict[str, int]:
    """numbering-race: the numbers a new case or entry will show, read as MAX+1 of the numbers
    shown, in a transaction of their own; then a pause before the insert's transaction, in
    which a concurrent client reads the same MAX. Nothing for an update or a refused Put."""
    numbers = archive.numbers
    with archive.store.read() as conn:
        year = archive.clock.now(conn).year
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


def _existing(conn: Connection, rid: str | None, key: Any, by_key: Any) -> bool:
    """Whether a Put names an existing object (so is an update, or a NOT_FOUND)."""
    if rid is not None:
        return True
    values = None if key is None else {"b_sys": key.eksternSystem, "b_key": key.nokkel}
    return values is not None and conn.execute(by_key, values).first() is not None


def _fits(n: int) -> bool:
    return -(2**63) < n < 2**63


def new_entry_case(conn: Connection, sent: Any, numbers: Numbers) -> Row[Any] | None:
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


# ------------------------------------------------------------------ helpers for the archive

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


def append_child_lists(
    new: dict[str, Any], old: dict[str, Any], sent: dict[str, Any], lists: Iterable[str]
) -> None:
    """child-lists-appended: each list sent is added to the stored one. An item identical to a
    stored one is not added again (the child table's unique key), so a resend stays harmless."""
    for name in lists:
        if name in sent:
            stored = old.get(name, [])
            new[name] = stored + [item for item in sent[name] if item not in stored]


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


def is_orphan_case(row: Row[Any]) -> bool:
    return bool(row.saar == 0 and row.seknr == 0)
