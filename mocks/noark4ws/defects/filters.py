"""The defects that act around the archive: request and response filters, and a SOAP endpoint
that breaks the transport the way a vendor's stack would.

``handler(archive, defects)`` and ``endpoint(defects, ...)`` are what ``build_archive`` calls;
without a defect of their kind they return the archive itself and a plain ``SoapEndpoint``, so
the reference path has no filter at all. The catalogue and the flags are in ``defects.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from lxml import etree
from sqlalchemy import select

from tpn.mocks.noark4ws import model as m
from tpn.mocks.noark4ws import rules, search, tables
from tpn.mocks.noark4ws.defects import Defects, new_entry_case
from tpn.mocks.noark4ws.rules import Rejected
from tpn.mocks.soap import codec, intake
from tpn.mocks.soap.endpoint import SendAsIs, SoapEndpoint
from tpn.mocks.soap.faults import Fault, StartResponse
from tpn.mocks.soap.ns import SOAP11_ENV, SOAP12_ENV, WSDL, XS
from tpn.mocks.soap.service import Handler

if TYPE_CHECKING:
    from tpn.mocks.noark4ws.archive import Archive

Call = Callable[[Any], Any]  # one operation: request in, response out
Filter = Callable[[str, Any, Call], Any]  # (operation, request, the rest of the chain)

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


class DefectiveHandler:
    """The archive behind the request and response filters of the defects that are on."""

    def __init__(self, archive: Archive, defects: Defects) -> None:
        self.archive = archive
        self.defects = defects
        d = defects
        # Outermost first. Each entry: (on, the operations it acts on, the filter).
        table: list[tuple[bool, tuple[str, ...], Filter]] = [
            (d.schema_unchecked, ALL, self._crash_as_server_fault),
            (d.generic_status_codes, ALL, self._generic_codes),
            (d.error_as_ok, GETS, self._not_found_as_ok),
            (d.search_unordered, GETS, self._newest_first),
            (d.ambiguous_selector_first_wins, GETS, self._first_selector_wins),
            (d.no_selector_returns_all, GETS, self._no_selector_matches_all),
            (d.unknown_search_field_returns_all, GETS, self._unknown_fields_ignored),
            (d.return_flags_ignored, GETS, self._every_flag),
            (d.put_answer_bare, PUTS, self._bare_answer),
            (d.gaps_after_errors, ("PutJournpost",), self._number_spent_on_error),
            (d.open_lists_closed, PUTS, self._open_lists_closed),
            (d.large_documents_refused, ("PutJournpost",), self._large_documents_refused),
            (d.geo_dropped, ("PutNoarksak",), self._geo_dropped),
            (d.fodselsnr_dropped, PUTS, self._fodselsnr_dropped),
            (d.text_normalised, PUTS, self._text_normalised),
            (d.documents_reencoded, ("PutJournpost",), self._documents_reencoded),
            (d.filenames_ascii_only, ("PutJournpost",), self._filenames_ascii),
            (d.optional_fields_dropped, PUTS, self._optional_fields_dropped),
            (d.case_key_reference_unsupported, ("PutJournpost",), self._case_numbers_required),
            (d.saksnummer_ignores_year, ("GetNoarksak",), self._saksnummer_without_year),
            (d.lopenummer_ignores_year, ("GetJournpost",), self._lopenummer_without_year),
            (d.external_key_system_ignored, GETS, self._key_without_system),
            (d.dokumentnummer_first_only, ("GetJournpost",), self._first_by_dokumentnummer),
            (d.entries_by_case_first_only, ("GetJournpost",), self._first_of_case),
        ]
        self._chains: dict[str, Call] = {}
        for operation in ALL:
            chain: Call = functools.partial(archive.handle, operation)
            for on, operations, around in reversed(table):
                if on and operation in operations:
                    chain = _link(operation, around, chain)
            self._chains[operation] = chain

    def handle(self, operation: str, request: Any) -> Any:
        return self._chains[operation](request)

    # -------------------------------------------------------------- every operation

    @staticmethod
    def _crash_as_server_fault(operation: str, request: Any, call: Call) -> Any:
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

    @staticmethod
    def _generic_codes(operation: str, request: Any, call: Call) -> Any:
        response = call(request)
        status = response.status
        for message in status.message or []:
            message.code = status.type
        return response

    # -------------------------------------------------------------- Gets

    @staticmethod
    def _not_found_as_ok(operation: str, request: Any, call: Call) -> Any:
        response = call(request)
        status = response.status
        if status.type == "ERROR" and [x.code for x in status.message or []] == ["NOT_FOUND"]:
            response.status = m.StatusType(type="OK")
            _set_objects(operation, response, None)
        return response

    @staticmethod
    def _newest_first(operation: str, request: Any, call: Call) -> Any:
        response = call(request)
        found = _objects(operation, response)
        if request.searchCriteria and found:
            _set_objects(operation, response, list(reversed(found)))
        return response

    @staticmethod
    def _first_selector_wins(operation: str, request: Any, call: Call) -> Any:
        given = [s for s in SELECTORS[operation] if _present(request, s)]
        for selector in given[1:]:
            setattr(request, selector, None)
        return call(request)

    @staticmethod
    def _no_selector_matches_all(operation: str, request: Any, call: Call) -> Any:
        if not any(_present(request, s) for s in SELECTORS[operation]):
            request.searchCriteria = [_criterion(operation)]
        return call(request)

    @staticmethod
    def _unknown_fields_ignored(operation: str, request: Any, call: Call) -> Any:
        if request.searchCriteria:
            known = search.FIELDS[SEARCH_KIND[operation]]
            kept = [c for c in request.searchCriteria if c.fieldName in known]
            request.searchCriteria = kept or [_criterion(operation)]
        return call(request)

    @staticmethod
    def _every_flag(operation: str, request: Any, call: Call) -> Any:
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

    # -------------------------------------------------------------- Puts

    @staticmethod
    def _bare_answer(operation: str, request: Any, call: Call) -> Any:
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

    def _open_lists_closed(self, operation: str, request: Any, call: Call) -> Any:
        known_lists = self.archive.codes.open
        obj = request.noarksak if operation == "PutNoarksak" else request.journpost
        for name, where, value in _open_values(operation, obj):
            known = known_lists[name]
            # amForsend has no known values: a closed list needs some, so it stays open.
            if value is not None and known and value not in known:
                text = f"{where} {value!r} is not in the code list {name}: {', '.join(known)}"
                return _refused(operation, Rejected("INVALID_CODE", text))
        return call(request)

    @staticmethod
    def _large_documents_refused(operation: str, request: Any, call: Call) -> Any:
        for d in request.journpost.dokument or []:
            size = sum(len(c) for c in (d.fil.base64 or [])) if d.fil is not None else 0
            if size > DOCUMENT_LIMIT:
                text = (
                    f"dokument {d.veFilnavn!r} has {size} bytes: document too large "
                    f"(the limit is {DOCUMENT_LIMIT} bytes)"
                )
                return _refused(operation, Rejected("INVALID_VALUE", text))
        return call(request)

    @staticmethod
    def _geo_dropped(operation: str, request: Any, call: Call) -> Any:
        sak = request.noarksak
        try:
            rules.geo(sak)  # the objects are checked as the schema allows; only storing fails
        except Rejected as r:
            return _refused(operation, r)
        for name in GEO_FIELDS:
            setattr(sak, name, None)
        return call(request)

    @staticmethod
    def _fodselsnr_dropped(operation: str, request: Any, call: Call) -> Any:
        if operation == "PutNoarksak":
            for p in request.noarksak.sakspart or []:
                p.spFodselsnr = None
        else:
            for a in request.journpost.avsmot or []:
                a.amFodselsnr = None
        return call(request)

    @staticmethod
    def _text_normalised(operation: str, request: Any, call: Call) -> Any:
        _walk_text(
            request.noarksak if operation == "PutNoarksak" else request.journpost, _normalised
        )
        return call(request)

    @staticmethod
    def _documents_reencoded(operation: str, request: Any, call: Call) -> Any:
        for d in request.journpost.dokument or []:
            if d.fil is not None and d.fil.base64 is not None:
                text = b"".join(d.fil.base64).decode("utf-8", "replace")
                d.fil.base64 = [text.encode("utf-8")]
        return call(request)

    @staticmethod
    def _filenames_ascii(operation: str, request: Any, call: Call) -> Any:
        for d in request.journpost.dokument or []:
            d.veFilnavn = _ascii_only(d.veFilnavn)
            d.dbTittel = _ascii_only(d.dbTittel)
        return call(request)

    @staticmethod
    def _optional_fields_dropped(operation: str, request: Any, call: Call) -> Any:
        obj = request.noarksak if operation == "PutNoarksak" else request.journpost
        for name in DROPPED_FIELDS[operation]:
            setattr(obj, name, None)
        return call(request)

    def _case_numbers_required(self, operation: str, request: Any, call: Call) -> Any:
        # case-key-reference-unsupported: the vendor's create reads only jpSaar/jpSaseknr.
        jp = request.journpost
        by_key_only = (jp.jpSaar is None or jp.jpSaseknr is None) and jp.jpSaEksternNokkel
        if by_key_only and not self._is_update(jp):
            text = "a new journpost must name its case by jpSaar and jpSaseknr"
            return _refused(operation, Rejected("MISSING_FIELD", text))
        return call(request)

    def _is_update(self, jp: Any) -> bool:
        if jp.jpId is not None:
            return True
        key = jp.jpEksternNokkel
        if key is None:
            return False
        t = tables.journpost
        query = select(t.c.id).where(t.c.ext_system == key.eksternSystem, t.c.ext_key == key.nokkel)
        with self.archive.store.read() as conn:
            return conn.execute(query).first() is not None

    def _first_value(self, query: Any) -> Any:
        with self.archive.store.read() as conn:
            return conn.execute(query.limit(1)).scalar()

    def _saksnummer_without_year(self, operation: str, request: Any, call: Call) -> Any:
        # The vendor's query forgot the year: the first case with that saSeknr, of any year.
        n = request.saksnummer
        if n is not None and _fits(n.saSeknr):
            s = tables.sak
            year = self._first_value(
                select(s.c.saar).where(s.c.seknr == n.saSeknr).order_by(s.c.id)
            )
            if year is not None:
                n.saSaar = year
        return call(request)

    def _lopenummer_without_year(self, operation: str, request: Any, call: Call) -> Any:
        n = request.lopenummer
        if n is not None and _fits(n.jpSeknr):
            t = tables.journpost
            year = self._first_value(
                select(t.c.jaar).where(t.c.seknr == n.jpSeknr).order_by(t.c.id)
            )
            if year is not None:
                n.jpJaar = year
        return call(request)

    def _key_without_system(self, operation: str, request: Any, call: Call) -> Any:
        # The vendor's lookup matches nokkel only: the first object with it, whatever system.
        keys = [(request.saEksternNokkel, tables.sak)]
        if operation == "GetJournpost":
            keys.append((request.jpEksternNokkel, tables.journpost))
        for key, t in keys:
            if key is not None:
                system = self._first_value(
                    select(t.c.ext_system).where(t.c.ext_key == key.nokkel).order_by(t.c.id)
                )
                if system is not None:
                    key.eksternSystem = system
        return call(request)

    @staticmethod
    def _first_by_dokumentnummer(operation: str, request: Any, call: Call) -> Any:
        response = call(request)
        n = request.dokumentnummer
        if n is not None and n.jpJpostnr is None and response.journpost:
            response.journpost = response.journpost[:1]
        return response

    @staticmethod
    def _first_of_case(operation: str, request: Any, call: Call) -> Any:
        # entries-by-case-first-only: the case's key went through the one-row lookup that
        # serves jpEksternNokkel (by saId the entries are listed as they should be).
        response = call(request)
        if request.saEksternNokkel is not None and response.journpost:
            response.journpost = response.journpost[:1]
        return response

    # -------------------------------------------------------------- numbering

    def _number_spent_on_error(self, operation: str, request: Any, call: Call) -> Any:
        # gaps-after-errors: the vendor draws the journal number from a sequence as soon as the
        # case is found; the failed Put's rollback does not give it back.
        response = call(request)
        if response.status.type == "ERROR":
            store, clock = self.archive.store, self.archive.clock
            with store.write() as conn:
                if new_entry_case(conn, request.journpost, self.archive.numbers) is not None:
                    year = clock.now(conn).year
                    self.archive.draw_number(conn, "jp", year)
        return response


def _ascii_only(text: str | None) -> str | None:
    """filenames-ascii-only: every letter outside ASCII becomes "_"."""
    return None if text is None else "".join(c if c.isascii() else "_" for c in text)


def _fits(n: int | None) -> bool:
    return n is not None and -_INT64 <= n <= _INT64


def _link(operation: str, around: Filter, rest: Call) -> Call:
    return lambda request: around(operation, request, rest)


# ------------------------------------------------------------------ the endpoint

HTML_ERROR_PAGE = b"""<!DOCTYPE html>
<html><head><title>500 Internal Server Error</title></head>
<body><h1>Internal Server Error</h1>
<p>The server encountered an internal error and was unable to complete your request.</p>
<hr><address>Apache Tomcat/9.0.83</address></body></html>
"""
PLAIN_ERROR_PAGE = b"500 Internal Server Error"
SOAP12_CONTENT_TYPE = "application/soap+xml; charset=utf-8"
NOT_FOUND_PAGE = b"""<!DOCTYPE html>
<html><head><title>404 Not Found</title></head>
<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p>
<hr><address>Apache Tomcat/9.0.83</address></body></html>
"""
RESTARTING_PAGE = b"worker restarting"
RESTART_REQUESTS = 2  # unavailable-after-entity-bomb: how many requests the restart takes
_WSDL_QUERIES = ("wsdl", "wsdl=", "singlewsdl")
# unavailable-after-entity-bomb: an entity whose text names another entity, the bomb's shape.
_NESTED_ENTITY = re.compile(rb"<!ENTITY\s+[^\s>]+\s+(\"[^\"]*|'[^']*)&[A-Za-z_:]")
# dtd-accepted: the vendor's parser expands internal entities (never external ones: no network,
# no files). huge_tree stays off, so libxml2's own amplification and depth limits still refuse
# an expansion bomb, as a syntax error.
_ENTITY_PARSER = etree.XMLParser(
    # "internal" (lxml 5+): True would also read external entities from files.
    resolve_entities="internal",  # type: ignore[arg-type]  # lxml-stubs know only bool
    no_network=True,
    load_dtd=False,
    huge_tree=False,
)
CRASH_DEPTH = 1000  # deep-nesting-crash: the depth at which the recursive parser gives up
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class DefectiveEndpoint(SoapEndpoint):
    """The SOAP endpoint with the transport defects that are on (seams in ``SoapEndpoint``)."""

    def __init__(self, *, defects: Defects, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.defects = defects
        if defects.wsdl_incomplete:
            self.wsdl = without_operation(self.wsdl, "GetJournpost")
        if defects.wsdl_schema_unqualified:
            self.wsdl = schema_unqualified(self.wsdl)
        self._restarting = 0  # unavailable-after-entity-bomb: requests left to refuse
        self._restart_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        d = self.defects
        query = environ.get("QUERY_STRING", "").lower()
        asks_wsdl = environ.get("REQUEST_METHOD", "GET") == "GET" and query in _WSDL_QUERIES
        if d.no_wsdl and asks_wsdl:
            return _send(start_response, 404, "text/html; charset=utf-8", NOT_FOUND_PAGE)
        if d.unavailable_after_entity_bomb and self._restart_pending():
            return _send(start_response, 503, "text/plain; charset=utf-8", RESTARTING_PAGE)
        return super().__call__(environ, start_response)

    def _restart_pending(self) -> bool:
        with self._restart_lock:
            if self._restarting <= 0:
                return False
            self._restarting -= 1
            return True

    def _fault_payload(self, fault: Fault) -> bytes:
        if self.defects.bare_faultcode:
            return bare_fault(fault)
        return super()._fault_payload(fault)

    def _check_content_type(self, environ: dict[str, Any]) -> None:
        media = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if self.defects.soap12_accepted and media == "application/soap+xml":
            return
        super()._check_content_type(environ)

    def _body_element(self, request: bytes) -> etree._Element:
        d = self.defects
        try:
            root = intake.parse(request, self.limits)
        except Fault as fault:
            said = f"{fault.code}: {fault.message}"
            if fault.rule == "xml.dtd":
                if d.unavailable_after_entity_bomb and _NESTED_ENTITY.search(request[:65536]):
                    # The vendor's parser expanded the bomb and the worker died of it; its
                    # supervisor answers 503 while a new worker starts.
                    with self._restart_lock:
                        self._restarting = RESTART_REQUESTS
                    raise SendAsIs(
                        503, "text/plain; charset=utf-8", RESTARTING_PAGE, f"{said} (crashed)"
                    ) from None
                if d.dtd_accepted:
                    root = self._parse_with_entities(request)
                    return intake.envelope_body(root)
            if d.html_faults and fault.rule in ("xml.syntax", "soap.empty"):
                raise SendAsIs(
                    500, "text/html; charset=utf-8", HTML_ERROR_PAGE, f"{said} (html-faults)"
                ) from None
            if d.deep_nesting_crash and fault.rule == "limit.depth" and self._crashes(request):
                raise SendAsIs(
                    500,
                    "text/plain; charset=utf-8",
                    PLAIN_ERROR_PAGE,
                    "RecursionError (deep-nesting-crash)",
                ) from None
            raise
        if d.soap12_accepted:
            _as_soap11(root)
        understood: list[str] = []
        if d.must_understand_ignored:
            header = root.find(f"{{{SOAP11_ENV}}}Header")
            understood = [str(e.tag) for e in header] if header is not None else []
        return intake.envelope_body(root, understood)

    def _parse_with_entities(self, request: bytes) -> etree._Element:
        """dtd-accepted: the request parsed with its internal entities expanded; a bomb or a
        syntax error is still a soap:Client fault, and the element limits still hold."""
        try:
            root = etree.fromstring(request, _ENTITY_PARSER)
        except etree.XMLSyntaxError as exc:
            raise Fault(
                "Client", f"the request is not well-formed XML: {exc}", rule="xml.syntax"
            ) from None
        count = sum(1 for _ in root.iter())
        if count > self.limits.max_elements:
            raise Fault(
                "Client",
                f"the document has more than {self.limits.max_elements} elements",
                rule="limit.elements",
            )
        return root

    def _crashes(self, request: bytes) -> bool:
        """Whether the vendor's recursive parser would run out of stack on ``request``:
        measured without recursing, by our own parser with the crash depth as its limit."""
        limits = intake.Limits(
            max_body_bytes=self.limits.max_body_bytes,
            max_depth=max(CRASH_DEPTH, self.limits.max_depth),
            max_elements=self.limits.max_elements,
        )
        try:
            intake.parse(request, limits)
        except Fault as fault:
            return fault.rule == "limit.depth"
        return False

    def _validate(self, element: etree._Element) -> None:
        if not self.defects.schema_unchecked:
            super()._validate(element)

    def _dispatch(
        self, environ: dict[str, Any], element: etree._Element, exchange: Any
    ) -> tuple[int, bytes]:
        d = self.defects
        if d.schema_unchecked:
            try:
                status, payload = super()._dispatch(environ, element, exchange)
            except (Fault, SendAsIs):
                raise
            except Exception as exc:  # the codec meeting a value the XSD would have refused
                raise Fault(
                    "Server", f"internal error: {type(exc).__name__}: {exc}", rule="server"
                ) from None
        else:
            status, payload = super()._dispatch(environ, element, exchange)
        if status == 200:
            if d.undeclared_response_element:
                payload = with_server_time(payload)
            if d.soap12_content_type:
                raise SendAsIs(200, SOAP12_CONTENT_TYPE, payload)
        return status, payload


def _as_soap11(root: etree._Element) -> None:
    """soap12-accepted: read a SOAP 1.2 envelope by its local names, as if it were SOAP 1.1."""
    if etree.QName(root).namespace != SOAP12_ENV:
        return
    for el in (root, *root):
        qname = etree.QName(el)
        if qname.namespace == SOAP12_ENV:
            el.tag = f"{{{SOAP11_ENV}}}{qname.localname}"


def with_server_time(payload: bytes) -> bytes:
    """undeclared-response-element: <tpnServerTime> as the answer's last child.

    Last, not right after ``status``: zeep, even with ``strict=False``, drops every element of
    a sequence that follows an unexpected one, so a lenient client would lose the objects and
    fail every test, where only the schema requirements should catch the element."""
    root = etree.fromstring(payload, _PARSER)
    body = root.find(f"{{{SOAP11_ENV}}}Body")
    if body is None or not len(body):
        return payload
    stamp = etree.SubElement(body[0], f"{{{m.NS}}}tpnServerTime")
    stamp.text = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out


def _send(
    start_response: StartResponse, status: int, content_type: str, payload: bytes
) -> list[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(payload)))]
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [payload]


def bare_fault(fault: Fault) -> bytes:
    """bare-faultcode: the fault with an unqualified faultcode ("Client") and an empty
    faultstring, as a hand-written fault template would have it."""
    root = etree.fromstring(fault.to_bytes(), _PARSER)
    for el in root.iter("faultcode"):
        el.text = fault.code
    for el in root.iter("faultstring"):
        el.text = ""
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out


def schema_unqualified(wsdl: bytes) -> bytes:
    """wsdl-schema-unqualified: the WSDL's schemas without elementFormDefault (so "unqualified",
    XSD's default: local elements would then have no namespace)."""
    root = etree.fromstring(wsdl, _PARSER)
    for schema in root.iter(f"{{{XS}}}schema"):
        if "elementFormDefault" in schema.attrib:
            del schema.attrib["elementFormDefault"]
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out


def without_operation(wsdl: bytes, operation: str) -> bytes:
    """wsdl-incomplete: the WSDL without ``operation``: its messages, its portType operation
    and its binding operation (the types stay; a hand-edited WSDL would keep them too)."""
    root = etree.fromstring(wsdl, _PARSER)
    doomed = [
        *root.findall(f"{{{WSDL}}}portType/{{{WSDL}}}operation[@name='{operation}']"),
        *root.findall(f"{{{WSDL}}}binding/{{{WSDL}}}operation[@name='{operation}']"),
        *(
            el
            for el in root.findall(f"{{{WSDL}}}message")
            if el.get("name") in (f"{operation}Request", f"{operation}Response")
        ),
    ]
    for el in doomed:
        parent = el.getparent()
        assert parent is not None
        parent.remove(el)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out


# ------------------------------------------------------------------ assembly

# The defects that act in the handler's filters, and those that need the broken endpoint.
_HANDLER_DEFECTS = (
    "schema-unchecked",
    "generic-status-codes",
    "error-as-ok",
    "search-unordered",
    "ambiguous-selector-first-wins",
    "no-selector-returns-all",
    "unknown-search-field-returns-all",
    "return-flags-ignored",
    "put-answer-bare",
    "gaps-after-errors",
    "open-lists-closed",
    "large-documents-refused",
    "geo-dropped",
    "fodselsnr-dropped",
    "text-normalised",
    "documents-reencoded",
    "filenames-ascii-only",
    "optional-fields-dropped",
    "case-key-reference-unsupported",
    "saksnummer-ignores-year",
    "lopenummer-ignores-year",
    "external-key-system-ignored",
    "dokumentnummer-first-only",
    "entries-by-case-first-only",
)
_ENDPOINT_DEFECTS = (
    "html-faults",
    "soap12-content-type",
    "soap12-accepted",
    "must-understand-ignored",
    "wsdl-incomplete",
    "undeclared-response-element",
    "schema-unchecked",
    "deep-nesting-crash",
    "bare-faultcode",
    "no-wsdl",
    "wsdl-schema-unqualified",
    "dtd-accepted",
    "unavailable-after-entity-bomb",
)


def handler(archive: Archive, defects: Defects) -> Handler:
    """What the endpoint calls: the archive itself, or the archive behind its filters."""
    if defects.any_of(*_HANDLER_DEFECTS):
        return DefectiveHandler(archive, defects)
    return archive


def endpoint(defects: Defects, **kwargs: Any) -> SoapEndpoint:
    """The archive's SOAP endpoint: the reference one, or one with transport defects."""
    if defects.any_of(*_ENDPOINT_DEFECTS):
        return DefectiveEndpoint(defects=defects, **kwargs)
    return SoapEndpoint(**kwargs)
