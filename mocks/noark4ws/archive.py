"""The reference archive: the four Noark-4 WS operations over the store.

Every rule here comes from ``shared/standards/noark4ws.md``; where the standard leaves a choice
this module states the profile decision it implements. A Put runs in one write transaction, so
numbers are assigned gap-free (a failed Put consumes none) and an acknowledged Put is durable.
Business outcomes are answered in ``status`` (never as faults): ``rules.Rejected`` becomes an
ERROR status with the profile's code; numbers the client sent and the archive replaced become a
WARNING.

Where the archive numbers, reads a resend, merges an update, fills in defaults, guards a state,
replaces a document or applies a business rule, it asks its ``Policies`` (``policies.py``),
chosen once when it is built: the standard's own unless a defect (``defects/``) replaced one.
This module holds the standard's flow and nothing else; the Gets' lookups are in ``reads.py``.

A Put's message is converted once each way: the request's object becomes the message dict that
is numbered, merged and stored as JSON, and that dict becomes the answer's object, which is
also what the business rules read. Document bytes go from the request to the store as the
codec decoded them. What depends on the request alone (its message dict, its documents' hashes)
is made before the write transaction, so that other writers do not wait for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc, func, select
from sqlalchemy.engine import Connection, Row

from tpn.mocks.core import hot
from tpn.mocks.core.clock import Clock
from tpn.mocks.core.store import Store
from tpn.mocks.noark4ws import documents, reads, search, tables
from tpn.mocks.noark4ws import model as m
from tpn.mocks.noark4ws import queries as q
from tpn.mocks.noark4ws.codes import code_lists
from tpn.mocks.noark4ws.policies import REFERENCE_POLICIES, Policies, case_status, entry_state
from tpn.mocks.noark4ws.reads import ext_key, jp_data, row_id, sak_data
from tpn.mocks.noark4ws.rules import Rejected
from tpn.mocks.soap.codec import from_dict, make, to_dict
from tpn.mocks.soap.faults import clip

Warning_ = tuple[str, str]

SAK_CHILD_LISTS = ("klassering", "sakspart", "tilleggsinfo")
JP_CHILD_LISTS = ("avsmot", "tilleggsinfo")
SAK_NUMBERS = ("saSaar", "saSeknr")
JP_NUMBERS = ("jpJaar", "jpSeknr", "jpJpostnr", "jpJdato")


def _inserted_id(conn: Connection, statement: Any, values: dict[str, Any]) -> int:
    key = hot.run(conn, statement, values).lastrowid
    assert key is not None
    return key


_IDS = ("saId", "jpId")


def _stored(data: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in data.items() if k not in _IDS})


def _status(warnings: Iterable[Warning_] = ()) -> Any:
    msgs = [make(m.MessageType, code=c, text=clip(t)) for c, t in warnings]
    return make(m.StatusType, type="WARNING" if msgs else "OK", message=msgs or None)


def _error(r: Rejected) -> Any:
    # A message may quote the client's values: clipped, so an answer never echoes megabytes.
    message = make(m.MessageType, code=r.code, text=clip(r.text))
    return make(m.StatusType, type="ERROR", message=[message])


def error_answer(operation: str, code: str, text: str) -> Any:
    """The answer of ``operation`` with status ERROR and one message: what every Put and Get
    answers for a request it refuses (the endpoint's ``error_answer``, for injected faults)."""
    response_cls = m.OPERATIONS[operation][1]
    return response_cls(status=_error(Rejected(code, text)))


def _replaced(fields: list[str]) -> Warning_:
    return (
        "NUMBER_REPLACED",
        f"the archive assigns {', '.join(fields)}; the values sent were replaced",
    )


@dataclass(frozen=True)
class _Put:
    """One Put's transaction: its connection, the WARNINGs it collects, and the numbers the
    archive planned for a new object before the transaction began (none, in the standard's
    numbering: the transaction draws them)."""

    conn: Connection
    warnings: list[Warning_]
    planned: Mapping[str, int]


@dataclass(frozen=True)
class _Sent:
    """A Put's request as its transaction uses it, made before the transaction takes the store's
    writer lock (every other writer waits while one holds it): the request's object, its message
    as the store keeps it (the work's to change: each attempt has its own), and its documents
    ready to store."""

    obj: Any
    data: dict[str, Any]
    documents: list[documents.Sent]


class Archive:
    """The Noark-4 WS reference archive; ``handle`` is what the SOAP endpoint calls."""

    def __init__(
        self,
        store: Store,
        clock: Clock | None = None,
        *,
        policies: Policies = REFERENCE_POLICIES,
    ) -> None:
        self.store = store
        self.clock = clock or Clock(store)
        self.codes = code_lists()
        self.policies = policies
        self.checks = policies.rules
        self.numbering = policies.numbering
        self.shown = policies.shown
        # Where the numbers the archive shows are looked up and ordered by.
        self.numbers = policies.shown.index
        self.reads = reads.Reads(self.numbers, policies.search)
        self._ops: dict[str, Callable[[Any], Any]] = {
            "GetNoarksak": self.get_noarksak,
            "PutNoarksak": self.put_noarksak,
            "GetJournpost": self.get_journpost,
            "PutJournpost": self.put_journpost,
        }

    def handle(self, operation: str, request: Any) -> Any:
        return self._ops[operation](request)

    def reset(self) -> None:
        """Remove every case, entry, document and counter."""
        self.store.clear(*(t.name for t in tables.ALL))

    # ------------------------------------------------------------------ writes

    def _write(
        self,
        operation: str,
        sent: Any,
        work: Callable[[_Put, _Sent], Any],
        *,
        without: tuple[str, ...],
        sent_documents: Iterable[Any] = (),
    ) -> tuple[Any, Any]:
        """Run ``work`` on the Put's object in a write transaction; (status, stored object).
        ``without``: the fields its stored message leaves out."""
        planned = self.shown.planned(self.store, self.clock, operation, sent)
        ready = [documents.Sent.of(d) for d in sent_documents]
        for attempt in range(3):
            warnings: list[Warning_] = []
            given = _Sent(sent, to_dict(sent, without=without), ready)
            try:
                with self.store.write() as conn:
                    stored = work(_Put(conn, warnings, planned), given)
                return _status(warnings), stored
            except Rejected as r:
                return _error(r), None
            except exc.IntegrityError:
                # Two clients created the same external key at once (possible on PostgreSQL);
                # the retry finds the other's object and updates it instead.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def put_noarksak(self, req: Any) -> Any:
        # Without its entries: a Put that sends any is refused, and their documents' bytes
        # would be encoded for nothing before the refusal.
        status, stored = self._write(
            "PutNoarksak", req.noarksak, self._put_noarksak, without=("saId", "journpost")
        )
        return make(m.PutNoarksakResponse, status=status, noarksak=stored)

    def put_journpost(self, req: Any) -> Any:
        jp = req.journpost
        status, stored = self._write(
            "PutJournpost",
            jp,
            self._put_journpost,
            without=("jpId", "dokument"),
            sent_documents=jp.dokument or (),
        )
        return make(m.PutJournpostResponse, status=status, journpost=stored)

    def _put_noarksak(self, put: _Put, given: _Sent) -> Any:
        sent = given.obj
        if sent.journpost:
            raise Rejected(
                "INVALID_VALUE",
                "noarksak/journpost is not accepted in PutNoarksak; register entries with PutJournpost",
            )
        ext = ext_key(sent.saEksternNokkel)
        if sent.saId is not None:
            row = self.reads.find_sak(put.conn, said=sent.saId)
            if row is None:
                raise Rejected("NOT_FOUND", f"no noarksak has saId {sent.saId!r}")
        elif ext:
            # A Put without saId that names an external key: a resend updates what the first made.
            row = self.policies.resend.existing(put.conn, "sak", ext)
        else:
            row = None
        if row is None:
            return self._create_sak(put, given.data)
        return self._update_sak(put, row, given.data)

    def _create_sak(self, put: _Put, data: dict[str, Any]) -> Any:
        conn = put.conn
        today = self.clock.now(conn).date()
        kept = self._sent_numbers(put, data, SAK_NUMBERS)
        saar, seknr = today.year, self.numbering.draw(conn, "sak", today.year)
        data["saSaar"] = saar
        data["saSeknr"] = seknr
        self.policies.defaults.case(data, today)
        data.update({**kept, **self.shown.instead(conn, "sak", data, put.planned)})
        sak = from_dict(m.NoarksakType, data)
        self._check_sak(sak)
        ext = self.policies.resend.key_of_new(conn, "sak", data.get("saEksternNokkel") or {})
        rid = _inserted_id(
            conn,
            q.SAK_INSERT,
            {
                # The row's numbers are the archive's own: its unique keys.
                "saar": saar,
                "seknr": seknr,
                "status": case_status(data),
                "ext_system": ext.get("eksternSystem"),
                "ext_key": ext.get("nokkel"),
                "jp_count": 0,
                "data": _stored(data),
            },
        )
        sak.saId = str(rid)
        self._index(conn, "sak", rid, data)
        return sak

    def _update_sak(self, put: _Put, row: Row[Any], sent: dict[str, Any]) -> Any:
        conn = put.conn
        old = sak_data(row)
        self._note_replaced(sent, old, SAK_NUMBERS, put.warnings)
        new = self.policies.merge.merged(old, sent, SAK_CHILD_LISTS)
        sak = from_dict(m.NoarksakType, new)
        if new != old:
            old_status, new_status = case_status(old), case_status(new)
            self.checks.code(self.codes, "saStatus", new_status, "noarksak/saStatus")
            self.checks.sak_update(self.codes, old_status, new_status)
            self._check_sak(sak)
            ext = new.get("saEksternNokkel") or {}
            self._check_key_free(conn, tables.sak, row.id, ext, "noarksak/saEksternNokkel")
            conn.execute(
                tables.sak.update()
                .where(tables.sak.c.id == row.id)
                .values(
                    status=new_status,
                    ext_system=ext.get("eksternSystem"),
                    ext_key=ext.get("nokkel"),
                )
            )
            self._save(conn, "sak", row.id, new)
        return sak

    @staticmethod
    def _check_key_free(
        conn: Connection, table: Any, rid: int, ext: dict[str, Any], where: str
    ) -> None:
        """An update may not give an object the external key another object has.

        Without this check the unique constraint fails, ``_write`` retries it as a create race
        and then raises: the client got a soap:Server fault instead of a business error.
        """
        if not ext:
            return
        other = conn.execute(
            select(table.c.id).where(
                table.c.ext_system == ext.get("eksternSystem"),
                table.c.ext_key == ext.get("nokkel"),
                table.c.id != rid,
            )
        ).first()
        if other is not None:
            raise Rejected(
                "INVALID_VALUE",
                f"{where} {ext.get('eksternSystem')}/{ext.get('nokkel')} is the key of another "
                "object; an external key names one object",
            )

    def _check_sak(self, sak: Any) -> None:
        checks = self.checks
        checks.title(sak.saTittel, "noarksak/saTittel")
        checks.code(self.codes, "saStatus", sak.saStatus, "noarksak/saStatus")
        self._checkext_key(sak.saEksternNokkel, "noarksak/saEksternNokkel")
        for k in sak.klassering or []:
            checks.required(k.klOrdnpri, "klassering/klOrdnpri")
            checks.required(k.klOrdnver, "klassering/klOrdnver")
        for p in sak.sakspart or []:
            checks.required(p.spNavn, "sakspart/spNavn")
        self._check_tilleggsinfo(sak.tilleggsinfo)
        checks.public_field(
            exempt=sak.saU1,
            public=sak.saOfftittel,
            full=sak.saTittel,
            names=[p.spNavn for p in sak.sakspart or []],
            exempt_name="saU1",
            public_name="saOfftittel",
            full_name="saTittel",
        )
        checks.geo(sak)

    def _checkext_key(self, key: Any, where: str) -> None:
        if key is not None:
            self.checks.required(key.eksternSystem, f"{where}/eksternSystem")
            self.checks.required(key.nokkel, f"{where}/nokkel")

    def _check_tilleggsinfo(self, items: list[Any] | None) -> None:
        for t in items or []:
            self.checks.required(t.tiItype, "tilleggsinfo/tiItype")
            self.checks.required(t.tiTekst, "tilleggsinfo/tiTekst")

    def _sent_numbers(
        self, put: _Put, data: dict[str, Any], fields: tuple[str, ...]
    ) -> dict[str, Any]:
        """Numbers are the archive's: those a client sends for a new object are dropped from
        ``data``, with a WARNING naming them. Returns those shown all the same (none, by the
        standard)."""
        sent = {f: data.pop(f) for f in fields if f in data}
        kept = self.shown.from_client(sent)
        replaced = [f for f in sent if f not in kept]
        if replaced:
            put.warnings.append(_replaced(replaced))
        return kept

    @staticmethod
    def _note_replaced(
        sent: dict[str, Any], old: dict[str, Any], fields: Iterable[str], warnings: list[Warning_]
    ) -> None:
        """Numbers are the archive's: drop those an update sent, with a WARNING naming those
        that differ from the stored ones."""
        replaced = [f for f in fields if f in sent and sent.pop(f) != old.get(f)]
        if replaced:
            warnings.append(_replaced(replaced))

    def _save(self, conn: Connection, kind: str, rid: int, data: dict[str, Any]) -> None:
        """Store a changed object's message and index it again."""
        statement = q.SAK_SET_DATA if kind == "sak" else q.JP_SET_DATA
        hot.run(conn, statement, {"b_id": rid, "b_data": _stored(data)})
        hot.run(conn, q.SEARCH_DELETE, {"b_kind": kind, "b_id": rid})
        self._index(conn, kind, rid, data)

    @staticmethod
    def _index(conn: Connection, kind: str, rid: int, data: dict[str, Any]) -> None:
        rows = search.index_rows(kind, rid, data)
        if rows:
            hot.run(conn, q.SEARCH_INSERT, rows)

    def _put_journpost(self, put: _Put, given: _Sent) -> Any:
        conn, sent = put.conn, given.obj
        if sent.jpId is not None:
            rid = row_id(sent.jpId)
            row = None if rid is None else hot.first(conn, q.JP_BY_ID, {"b_id": rid})
            if row is None:
                raise Rejected("NOT_FOUND", f"no journpost has jpId {sent.jpId!r}")
        elif sent.jpEksternNokkel is not None:
            key = ext_key(sent.jpEksternNokkel)
            assert key is not None
            row = self.policies.resend.existing(conn, "jp", key)
        else:
            row = None
        data, sent_documents = given.data, given.documents
        if row is None:
            data, sak_row, columns = self._create_journpost(put, data)
            jp = from_dict(m.JournpostType, data)
            self._check_journpost(jp, json.loads(sak_row.data))
            ext = self.policies.resend.key_of_new(conn, "jp", data.get("jpEksternNokkel") or {})
            rid = _inserted_id(
                conn,
                q.JP_INSERT,
                {
                    "sak_id": sak_row.id,
                    **columns,
                    "ext_system": ext.get("eksternSystem"),
                    "ext_key": ext.get("nokkel"),
                    "data": _stored(data),
                },
            )
            jp.jpId = str(rid)
            self._index(conn, "jp", rid, data)
            docs: dict[int, documents.Stored] = {}
            self._store_documents(conn, rid, sent_documents, docs)
        else:
            rid, found = row.id, self.reads.find_sak(conn, said=str(row.sak_id))
            assert found is not None, "an entry's case is never deleted"
            old = jp_data(row)
            data = self._update_journpost(put, row, old, data)
            jp = from_dict(m.JournpostType, data)
            self._check_journpost(jp, json.loads(found.data))
            docs = documents.of_entry(conn, rid)
            changed = self._store_documents(conn, rid, sent_documents, docs)
            status = entry_state(old)[1]
            if changed and self.policies.guard.entry_final(self.codes, status):
                raise Rejected(
                    "STATE_VIOLATION",
                    f"jpStatus {status} is final; documents of the entry cannot change",
                )
            if data != old:
                self._save(conn, "jp", rid, data)
        jp.dokument = [reads.dokument(meta) for meta in documents.metadata(docs)] or None
        return jp

    def _store_documents(
        self,
        conn: Connection,
        jp_id: int,
        sent: list[documents.Sent],
        docs: dict[int, documents.Stored],
    ) -> bool:
        return documents.save(
            conn,
            jp_id,
            sent,
            docs,
            check=self._check_dokument,
            replace=self.policies.documents,
        )

    def _case_of_new_entry(
        self, conn: Connection, data: dict[str, Any]
    ) -> Any:  # a hot row (named tuple)
        saar, seknr = data.get("jpSaar"), data.get("jpSaseknr")
        ext = data.get("jpSaEksternNokkel")
        if saar is not None and seknr is not None:
            row = self.reads.find_sak(conn, numbers=(saar, seknr))
            named = f"jpSaar/jpSaseknr {saar}/{seknr}"
            if row is not None and ext is not None:
                # Both references given: they must name the same case, else the entry would be
                # stored with a jpSaEksternNokkel of another case (updates refuse that too).
                other = self.reads.find_sak(conn, ext=(ext["eksternSystem"], ext["nokkel"]))
                if other is None or other.id != row.id:
                    raise Rejected(
                        "INVALID_VALUE",
                        f"journpost/jpSaEksternNokkel {ext['eksternSystem']}/{ext['nokkel']} does "
                        f"not name case {saar}/{seknr}; the two case references must agree",
                    )
        elif ext is not None:
            row = self.reads.find_sak(conn, ext=(ext["eksternSystem"], ext["nokkel"]))
            named = f"jpSaEksternNokkel {ext['eksternSystem']}/{ext['nokkel']}"
        else:
            raise Rejected(
                "MISSING_FIELD",
                "a new journpost must name its case: jpSaar and jpSaseknr, or jpSaEksternNokkel",
            )
        if row is None:
            return self.policies.missing_case.stand_in(conn, named)
        return row

    def _create_journpost(
        self, put: _Put, data: dict[str, Any]
    ) -> tuple[dict[str, Any], Row[Any], dict[str, Any]]:
        """The new entry's message, numbered, its case, and the columns of its row; the caller
        checks and inserts it."""
        conn = put.conn
        sak_row = self._case_of_new_entry(conn, data)
        if not self.policies.guard.takes_entries(self.codes, sak_row.status):
            raise Rejected(
                "CASE_CLOSED",
                f"case {sak_row.saar}/{sak_row.seknr} has saStatus {sak_row.status} and takes no new entries",
            )
        today = self.clock.now(conn).date()
        kept = self._sent_numbers(put, data, JP_NUMBERS)
        ndoktype, status = entry_state(data)
        self.checks.code(self.codes, "jpNdoktype", ndoktype, "journpost/jpNdoktype")
        self.checks.code(self.codes, "jpStatus", status, "journpost/jpStatus")
        self.checks.journpost_start(self.codes, ndoktype, status)
        count = sak_row.jp_count + 1
        hot.run(conn, q.SAK_SET_JP_COUNT, {"b_id": sak_row.id, "b_count": count})
        jpostnr = self.numbering.jpostnr(conn, count)
        seknr = self.numbering.draw(conn, "jp", today.year)
        data.update(jpJaar=today.year, jpSeknr=seknr, jpJpostnr=jpostnr, jpJdato=today.isoformat())
        if not self.policies.missing_case.stands_in(sak_row):
            case_saar, case_seknr = self.numbers.of_case(sak_row)
            data.update(jpSaar=case_saar, jpSaseknr=case_seknr)
        data.update({**kept, **self.shown.instead(conn, "jp", data, put.planned)})
        self.policies.defaults.entry(data)
        columns = {"jaar": today.year, "seknr": seknr, "jpostnr": jpostnr, "status": status}
        return data, sak_row, columns

    def _update_journpost(
        self, put: _Put, row: Row[Any], old: dict[str, Any], sent: dict[str, Any]
    ) -> dict[str, Any]:
        conn = put.conn
        self._note_replaced(sent, old, JP_NUMBERS, put.warnings)
        for f in ("jpSaar", "jpSaseknr"):
            if f in sent and sent[f] != old.get(f):
                raise Rejected(
                    "INVALID_VALUE",
                    f"journpost/{f} {sent[f]} differs from the entry's case; an entry cannot move "
                    "to another case",
                )
        key = sent.get("jpSaEksternNokkel")
        if key is not None and key != old.get("jpSaEksternNokkel"):
            target = self.reads.find_sak(conn, ext=(key["eksternSystem"], key["nokkel"]))
            if target is None or target.id != row.sak_id:
                raise Rejected(
                    "INVALID_VALUE",
                    "journpost/jpSaEksternNokkel names another case; an entry cannot move to another case",
                )
        new = self.policies.merge.merged(old, sent, JP_CHILD_LISTS)
        if new != old:
            old_status = entry_state(old)[1]
            ndoktype, new_status = entry_state(new)
            if self.policies.guard.entry_final(self.codes, old_status):
                raise Rejected(
                    "STATE_VIOLATION",
                    f"jpStatus {old_status} is final; nothing about the entry may change",
                )
            self.checks.code(self.codes, "jpNdoktype", ndoktype, "journpost/jpNdoktype")
            self.checks.code(self.codes, "jpStatus", new_status, "journpost/jpStatus")
            self.checks.journpost_change(self.codes, ndoktype, old_status, new_status)
            ext = new.get("jpEksternNokkel") or {}
            self._check_key_free(conn, tables.journpost, row.id, ext, "journpost/jpEksternNokkel")
            conn.execute(
                tables.journpost.update()
                .where(tables.journpost.c.id == row.id)
                .values(
                    status=new_status,
                    ext_system=ext.get("eksternSystem"),
                    ext_key=ext.get("nokkel"),
                )
            )
        return new

    def _check_journpost(self, j: Any, sak_data: dict[str, Any]) -> None:
        checks = self.checks
        checks.title(j.jpInnhold, "journpost/jpInnhold")
        self._checkext_key(j.jpEksternNokkel, "journpost/jpEksternNokkel")
        self._checkext_key(j.jpSaEksternNokkel, "journpost/jpSaEksternNokkel")
        for a in j.avsmot or []:
            checks.required(a.amIhtype, "avsmot/amIhtype")
            checks.code(self.codes, "amIhtype", a.amIhtype, "avsmot/amIhtype")
            checks.code(self.codes, "amAvskm", a.amAvskm, "avsmot/amAvskm")
            self._checkext_key(a.amAvsavEksternNokkel, "avsmot/amAvsavEksternNokkel")
            self._checkext_key(a.amBesvarEksternNokkel, "avsmot/amBesvarEksternNokkel")
        self._check_tilleggsinfo(j.tilleggsinfo)
        names = [a.amNavn for a in j.avsmot or [] if a.amNavn]
        names += [p.get("spNavn", "") for p in sak_data.get("sakspart", [])]
        checks.public_field(
            exempt=j.jpU1,
            public=j.jpOffinnhold,
            full=j.jpInnhold,
            names=names,
            exempt_name="jpU1",
            public_name="jpOffinnhold",
            full_name="jpInnhold",
        )

    def _check_dokument(self, d: Any) -> None:
        checks = self.checks
        checks.code(self.codes, "dlType", d.dlType, "dokument/dlType")
        checks.code(self.codes, "dbStatus", d.dbStatus, "dokument/dbStatus")
        checks.code(self.codes, "veVariant", d.veVariant, "dokument/veVariant")
        checks.required(d.veFilnavn, "dokument/veFilnavn")
        checks.required(d.veMimeType, "dokument/veMimeType")
        if d.fil is not None and (d.fil.base64 is None) == (d.fil.ref is None):
            raise Rejected("INVALID_VALUE", "dokument/fil must hold exactly one of base64 or ref")

    # ------------------------------------------------------------------ reads

    def _read(self, find: Callable[[Connection, Any], list[Any]], req: Any) -> tuple[Any, Any]:
        """Run a Get in a read transaction; returns (status, the objects found or None)."""
        try:
            with self.store.read() as conn:
                found = find(conn, req)
        except Rejected as r:
            return _error(r), None
        return _status(), found or None

    def get_noarksak(self, req: Any) -> Any:
        status, found = self._read(self.reads.get_noarksak, req)
        return make(m.GetNoarksakResponse, status=status, noarksak=found)

    def get_journpost(self, req: Any) -> Any:
        status, found = self._read(self.reads.get_journpost, req)
        return make(m.GetJournpostResponse, status=status, journpost=found)

    def contents(self) -> list[dict[str, Any]]:
        """Everything the archive holds: cases, their entries and documents (``Reads.contents``)."""
        with self.store.read() as conn:
            return self.reads.contents(conn)

    def counts(self) -> dict[str, int]:
        """How many cases, entries and documents the archive holds (for the admin side)."""
        with self.store.read() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for name, t in (
                    ("noarksak", tables.sak),
                    ("journpost", tables.journpost),
                    ("dokument", tables.dokument),
                )
            }
