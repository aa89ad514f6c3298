"""The defects that act around the archive: filters on its requests and answers.

A filter is one function ``(archive, operation, request, call)``: it may change the request,
call the rest of the chain (``call``), change the answer, or answer itself. The registry
(``registry.py``) names each filter defect's function and the operations it acts on;
``DefectiveHandler`` chains the chosen ones around the archive, outermost first. Without such a
defect ``build_archive`` hands the endpoint the archive itself, so the reference path has no
filter at all.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from tpn.mocks.noark4ws import model as m
from tpn.mocks.noark4ws import rules, search, tables
from tpn.mocks.noark4ws.defects.numbering import new_entry_case
from tpn.mocks.noark4ws.rules import Rejected
from tpn.mocks.soap import codec
from tpn.mocks.soap.faults import Fault

if TYPE_CHECKING:
    from tpn.mocks.noark4ws.archive import Archive

Call = Callable[[Any], Any]  # one operation: request in, response out
Filter = Callable[["Archive", str, Any, Call], Any]  # (archive, operation, request, the rest)

GETS = ("GetNoarksak", "GetJournpost")
PUTS = ("PutNoarksak", "PutJournpost")
ALL = GETS + PUTS

# The selector kinds of each Get, in the order of the request's elements.
SELECTORS = {
    "GetNoarksak": ("searchCriteria", "saId", "saksnummer", "saEksternNokkel"),
    "GetJournpost": (
        "searchCriteria",
        "jpId",
        "saId",
        "lopenummer",
        "dokumentnummer",
        "jpEksternNokkel",
        "saEksternNokkel",
    ),
}
# A criterion every object matches: the title is required, and '' is in every text.
MATCH_ALL = {"GetNoarksak": ("saTittel", ""), "GetJournpost": ("jpInnhold", "")}
SEARCH_KIND = {"GetNoarksak": "sak", "GetJournpost": "jp"}

GEO_FIELDS = ("matrikkelnummer", "bygning", "punkt", "plan", "fagsystem")
# optional-fields-dropped: the fields the vendor's record has no column for.
DROPPED_FIELDS = {
    "PutNoarksak": ("saBevtid", "saKasskode"),
    "PutJournpost": ("jpTlkode", "jpAgkode"),
}
_INT64 = 2**63 - 1
DOCUMENT_LIMIT = 10 * 1024 * 1024  # large-documents-refused: "over 10 MB"


# ------------------------------------------------------------------ answers


def _response(operation: str, **fields: Any) -> Any:
    return m.OPERATIONS[operation][1](**fields)


def _refused(operation: str, r: Rejected) -> Any:
    status = m.StatusType(type="ERROR", message=[m.MessageType(code=r.code, text=r.text)])
    return _response(operation, status=status)


def _objects(operation: str, response: Any) -> Any:
    return response.noarksak if operation.endswith("Noarksak") else response.journpost


def _set_objects(operation: str, response: Any, value: Any) -> None:
    if operation.endswith("Noarksak"):
        response.noarksak = value
    else:
        response.journpost = value


def _present(request: Any, selector: str) -> bool:
    value = getattr(request, selector)
    return bool(value) if selector == "searchCriteria" else value is not None


def _criterion(operation: str) -> Any:
    name, value = MATCH_ALL[operation]
    return m.SearchCriteriaType(fieldName=name, fieldValue=value)


def _walk_text(obj: Any, change: Callable[[str], str]) -> None:
    """Apply ``change`` to every text field of a model object, children included."""
    for f in codec.plan(type(obj)).fields:
        value = getattr(obj, f.name, None)
        if value is None:
            continue
        if f.kind == codec.COMPLEX:
            for item in value if f.many else (value,):
                _walk_text(item, change)
        elif isinstance(value, str):
            setattr(obj, f.name, change(value))
        elif f.many and all(isinstance(v, str) for v in value):
            setattr(obj, f.name, [change(v) for v in value])


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _open_values(operation: str, obj: Any) -> Iterator[tuple[str, str, str | None]]:
    """(open list, where, value) for every open-list field of a Put's object."""
    if operation == "PutNoarksak":
        yield "tgkode", "noarksak/saTgkode", obj.saTgkode
        for k in obj.klassering or []:
            yield "klOrdnpri", "klassering/klOrdnpri", k.klOrdnpri
    else:
        yield "tgkode", "journpost/jpTgkode", obj.jpTgkode
        for a in obj.avsmot or []:
            yield "amForsend", "avsmot/amForsend", a.amForsend
        for d in obj.dokument or []:
            yield "veDokformat", "dokument/veDokformat", d.veDokformat
    for t in obj.tilleggsinfo or []:
        yield "tgkode", "tilleggsinfo/tiTgkode", t.tiTgkode


# ------------------------------------------------------------------ the handler


@dataclass(frozen=True)
class HandlerFilter:
    """A filter defect's place around the archive: the operations it acts on, and the filter."""

    operations: tuple[str, ...]
    around: Filter


class DefectiveHandler:
    """The archive behind the request and response filters of the defects that are on."""

    def __init__(self, archive: Archive, filters: Sequence[HandlerFilter]) -> None:
        self.archive = archive
        self.filters = tuple(filters)  # outermost first
        self._chains: dict[str, Call] = {}
        for operation in ALL:
            chain: Call = functools.partial(archive.handle, operation)
            for f in reversed(self.filters):
                if operation in f.operations:
                    chain = _link(archive, operation, f.around, chain)
            self._chains[operation] = chain

    def handle(self, operation: str, request: Any) -> Any:
        return self._chains[operation](request)


def _link(archive: Archive, operation: str, around: Filter, rest: Call) -> Call:
    return lambda request: around(archive, operation, request, rest)


# ------------------------------------------------------------------ every operation


def crash_as_server_fault(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    # schema-unchecked: what the XSD would have refused now reaches code that assumes it
    # is there; the vendor's stack answers the crash with a soap:Server fault.
    try:
        return call(request)
    except Fault:
        raise
    except Exception as exc:
        raise Fault(
            "Server", f"internal error: {type(exc).__name__}: {exc}", rule="server"
        ) from None


def generic_codes(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    response = call(request)
    status = response.status
    for message in status.message or []:
        message.code = status.type
    return response


# ------------------------------------------------------------------ Gets


def not_found_as_ok(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    response = call(request)
    status = response.status
    if status.type == "ERROR" and [x.code for x in status.message or []] == ["NOT_FOUND"]:
        response.status = m.StatusType(type="OK")
        _set_objects(operation, response, None)
    return response


def newest_first(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    response = call(request)
    found = _objects(operation, response)
    if request.searchCriteria and found:
        _set_objects(operation, response, list(reversed(found)))
    return response


def first_selector_wins(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    given = [s for s in SELECTORS[operation] if _present(request, s)]
    for selector in given[1:]:
        setattr(request, selector, None)
    return call(request)


def no_selector_matches_all(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    if not any(_present(request, s) for s in SELECTORS[operation]):
        request.searchCriteria = [_criterion(operation)]
    return call(request)


def unknown_fields_ignored(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    if request.searchCriteria:
        known = search.FIELDS[SEARCH_KIND[operation]]
        kept = [c for c in request.searchCriteria if c.fieldName in known]
        request.searchCriteria = kept or [_criterion(operation)]
    return call(request)


def every_flag(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    if operation == "GetNoarksak":
        request.returnNoarksakRequests = m.NoarksakReturnRequestsType(
            returnJposts=True,
            returnSakspart=True,
            returnKlassering=True,
            returnTilleggsinfo=True,
        )
    request.returnJournpostRequests = m.JournpostReturnRequestsType(
        returnAvmot=True, returnTilleggsinfo=True, returnDokument=True, returnFil=True
    )
    return call(request)


# ------------------------------------------------------------------ Puts


def bare_answer(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    response = call(request)
    obj = _objects(operation, response)
    if obj is not None:
        lists = (
            ("klassering", "sakspart", "journpost", "tilleggsinfo")
            if operation == "PutNoarksak"
            else ("avsmot", "tilleggsinfo", "dokument")
        )
        for name in lists:
            setattr(obj, name, None)
    return response


def open_lists_closed(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    known_lists = archive.codes.open
    obj = request.noarksak if operation == "PutNoarksak" else request.journpost
    for name, where, value in _open_values(operation, obj):
        known = known_lists[name]
        # amForsend has no known values: a closed list needs some, so it stays open.
        if value is not None and known and value not in known:
            text = f"{where} {value!r} is not in the code list {name}: {', '.join(known)}"
            return _refused(operation, Rejected("INVALID_CODE", text))
    return call(request)


def large_documents_refused(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    for d in request.journpost.dokument or []:
        size = sum(len(c) for c in (d.fil.base64 or [])) if d.fil is not None else 0
        if size > DOCUMENT_LIMIT:
            text = (
                f"dokument {d.veFilnavn!r} has {size} bytes: document too large "
                f"(the limit is {DOCUMENT_LIMIT} bytes)"
            )
            return _refused(operation, Rejected("INVALID_VALUE", text))
    return call(request)


def geo_dropped(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    sak = request.noarksak
    try:
        rules.geo(sak)  # the objects are checked as the schema allows; only storing fails
    except Rejected as r:
        return _refused(operation, r)
    for name in GEO_FIELDS:
        setattr(sak, name, None)
    return call(request)


def fodselsnr_dropped(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    if operation == "PutNoarksak":
        for p in request.noarksak.sakspart or []:
            p.spFodselsnr = None
    else:
        for a in request.journpost.avsmot or []:
            a.amFodselsnr = None
    return call(request)


def text_normalised(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    _walk_text(request.noarksak if operation == "PutNoarksak" else request.journpost, _normalised)
    return call(request)


def documents_reencoded(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    for d in request.journpost.dokument or []:
        if d.fil is not None and d.fil.base64 is not None:
            text = b"".join(d.fil.base64).decode("utf-8", "replace")
            d.fil.base64 = [text.encode("utf-8")]
    return call(request)


def filenames_ascii(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    for d in request.journpost.dokument or []:
        d.veFilnavn = _ascii_only(d.veFilnavn)
        d.dbTittel = _ascii_only(d.dbTittel)
    return call(request)


def optional_fields_dropped(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    obj = request.noarksak if operation == "PutNoarksak" else request.journpost
    for name in DROPPED_FIELDS[operation]:
        setattr(obj, name, None)
    return call(request)


def case_numbers_required(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    # case-key-reference-unsupported: the vendor's create reads only jpSaar/jpSaseknr.
    jp = request.journpost
    by_key_only = (jp.jpSaar is None or jp.jpSaseknr is None) and jp.jpSaEksternNokkel
    if by_key_only and not _is_update(archive, jp):
        text = "a new journpost must name its case by jpSaar and jpSaseknr"
        return _refused(operation, Rejected("MISSING_FIELD", text))
    return call(request)


def _is_update(archive: Archive, jp: Any) -> bool:
    if jp.jpId is not None:
        return True
    key = jp.jpEksternNokkel
    if key is None:
        return False
    t = tables.journpost
    query = select(t.c.id).where(t.c.ext_system == key.eksternSystem, t.c.ext_key == key.nokkel)
    with archive.store.read() as conn:
        return conn.execute(query).first() is not None


def _first_value(archive: Archive, query: Any) -> Any:
    with archive.store.read() as conn:
        return conn.execute(query.limit(1)).scalar()


def saksnummer_without_year(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    # The vendor's query forgot the year: the first case with that saSeknr, of any year.
    n = request.saksnummer
    if n is not None and _fits(n.saSeknr):
        s = tables.sak
        year = _first_value(
            archive, select(s.c.saar).where(s.c.seknr == n.saSeknr).order_by(s.c.id)
        )
        if year is not None:
            n.saSaar = year
    return call(request)


def lopenummer_without_year(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    n = request.lopenummer
    if n is not None and _fits(n.jpSeknr):
        t = tables.journpost
        year = _first_value(
            archive, select(t.c.jaar).where(t.c.seknr == n.jpSeknr).order_by(t.c.id)
        )
        if year is not None:
            n.jpJaar = year
    return call(request)


def key_without_system(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    # The vendor's lookup matches nokkel only: the first object with it, whatever system.
    keys = [(request.saEksternNokkel, tables.sak)]
    if operation == "GetJournpost":
        keys.append((request.jpEksternNokkel, tables.journpost))
    for key, t in keys:
        if key is not None:
            system = _first_value(
                archive, select(t.c.ext_system).where(t.c.ext_key == key.nokkel).order_by(t.c.id)
            )
            if system is not None:
                key.eksternSystem = system
    return call(request)


def first_by_dokumentnummer(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    response = call(request)
    n = request.dokumentnummer
    if n is not None and n.jpJpostnr is None and response.journpost:
        response.journpost = response.journpost[:1]
    return response


def first_of_case(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    # entries-by-case-first-only: the case's key went through the one-row lookup that
    # serves jpEksternNokkel (by saId the entries are listed as they should be).
    response = call(request)
    if request.saEksternNokkel is not None and response.journpost:
        response.journpost = response.journpost[:1]
    return response


# ------------------------------------------------------------------ numbering


def number_spent_on_error(archive: Archive, operation: str, request: Any, call: Call) -> Any:
    # gaps-after-errors: the vendor draws the journal number from a sequence as soon as the
    # case is found; the failed Put's rollback does not give it back.
    response = call(request)
    if response.status.type == "ERROR":
        store, clock = archive.store, archive.clock
        with store.write() as conn:
            if new_entry_case(conn, request.journpost, archive.numbers) is not None:
                year = clock.now(conn).year
                archive.numbering.draw(conn, "jp", year)
    return response


def _ascii_only(text: str | None) -> str | None:
    """filenames-ascii-only: every letter outside ASCII becomes "_"."""
    return None if text is None else "".join(c if c.isascii() else "_" for c in text)


def _fits(n: int | None) -> bool:
    return n is not None and -_INT64 <= n <= _INT64
