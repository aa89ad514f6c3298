"""The reference archive: the four Noark-4 WS operations over the store.

Every rule here comes from ``shared/standards/noark4ws.md``; where the standard leaves a choice
this module states the profile decision it implements. A Put runs in one write transaction, so
numbers are assigned gap-free (a failed Put consumes none) and an acknowledged Put is durable.
Business outcomes are answered in ``status`` (never as faults): ``rules.Rejected`` becomes an
ERROR status with the profile's code; numbers the client sent and the archive replaced become a
WARNING.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc, func, select
from sqlalchemy.engine import Connection, Row

from tpn.mocks.clock import Clock
from tpn.mocks.noark4ws import model as m
from tpn.mocks.noark4ws import queries as q
from tpn.mocks.noark4ws import rules, search, tables
from tpn.mocks.noark4ws.codes import code_lists
from tpn.mocks.noark4ws.rules import Rejected
from tpn.mocks.soap.codec import from_dict, to_dict
from tpn.mocks.store import Store

_INT64 = 2**63 - 1
Warning_ = tuple[str, str]

SAK_CHILD_LISTS = ("klassering", "sakspart", "tilleggsinfo")
JP_CHILD_LISTS = ("avsmot", "tilleggsinfo")


def _inserted_id(conn: Connection, statement: Any, values: dict[str, Any]) -> int:
    key = conn.execute(statement, values).inserted_primary_key
    assert key is not None
    return int(key[0])


_IDS = ("saId", "jpId")


def _sak_data(row: Any) -> dict[str, Any]:
    """A stored case as its message dict; the JSON holds no id (the row's id is the saId)."""
    return {"saId": str(row.id), **json.loads(row.data)}


def _jp_data(row: Any) -> dict[str, Any]:
    return {"jpId": str(row.id), **json.loads(row.data)}


def _stored(data: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in data.items() if k not in _IDS})


@dataclass(frozen=True)
class _Doc:
    """What the archive compares a document by: its number, metadata and content hash."""

    id: int
    rnr: int
    meta: str
    sha256: str | None


def _fits(n: int | None) -> bool:
    return n is not None and -_INT64 <= n <= _INT64


def _row_id(text: str | None) -> int | None:
    """The row id behind a saId/jpId (the archive's ids are decimal row numbers)."""
    if text is None:
        return None
    t = text.strip()
    # ASCII digits only: str.isdigit() also accepts "²" (int() then raises, a soap:Server fault)
    # and "١" (int() reads it as 1, so an id the archive never issued found case 1).
    return int(t) if t.isascii() and t.isdigit() and _fits(int(t)) else None


def _status(warnings: Iterable[Warning_] = ()) -> Any:
    msgs = [m.MessageType(code=c, text=t) for c, t in warnings]
    return m.StatusType(type="WARNING" if msgs else "OK", message=msgs or None)


def _error(r: Rejected) -> Any:
    return m.StatusType(type="ERROR", message=[m.MessageType(code=r.code, text=r.text)])


def _ext(key: Any) -> tuple[str, str] | None:
    return None if key is None else (key.eksternSystem, key.nokkel)


class Archive:
    """The Noark-4 WS reference archive; ``handle`` is what the SOAP endpoint calls."""

    def __init__(self, store: Store, clock: Clock | None = None) -> None:
        self.store = store
        self.clock = clock or Clock(store)
        self.codes = code_lists()
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

    def _write(self, work: Callable[[Connection, list[Warning_]], Any]) -> tuple[Any, Any]:
        """Run ``work`` in a write transaction; returns (status, stored object)."""
        for attempt in range(3):
            warnings: list[Warning_] = []
            try:
                with self.store.write() as conn:
                    stored = work(conn, warnings)
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
        status, stored = self._write(lambda conn, w: self._put_noarksak(conn, req.noarksak, w))
        return m.PutNoarksakResponse(status=status, noarksak=stored)

    def put_journpost(self, req: Any) -> Any:
        status, stored = self._write(lambda conn, w: self._put_journpost(conn, req.journpost, w))
        return m.PutJournpostResponse(status=status, journpost=stored)

    def _next_number(self, conn: Connection, name: str) -> int:
        value = conn.execute(q.COUNTER_NEXT, {"b_name": name}).scalar()
        if value is None:
            conn.execute(q.COUNTER_INSERT, {"name": name, "value": 1})
            return 1
        return int(value)

    def _find_sak(
        self,
        conn: Connection,
        *,
        said: str | None = None,
        numbers: tuple[int, int] | None = None,
        ext: tuple[str, str] | None = None,
    ) -> Row[Any] | None:
        if said is not None:
            rid = _row_id(said)
            return None if rid is None else conn.execute(q.SAK_BY_ID, {"b_id": rid}).first()
        if numbers is not None:
            if not all(_fits(n) for n in numbers):
                return None
            values = {"b_saar": numbers[0], "b_seknr": numbers[1]}
            return conn.execute(q.SAK_BY_NUMBERS, values).first()
        if ext is not None:
            return conn.execute(q.SAK_BY_EXT, {"b_sys": ext[0], "b_key": ext[1]}).first()
        return None

    def _put_noarksak(self, conn: Connection, sent: Any, warnings: list[Warning_]) -> Any:
        if sent.journpost:
            raise Rejected(
                "INVALID_VALUE",
                "noarksak/journpost is not accepted in PutNoarksak; register entries with PutJournpost",
            )
        ext = _ext(sent.saEksternNokkel)
        if sent.saId is not None:
            row = self._find_sak(conn, said=sent.saId)
            if row is None:
                raise Rejected("NOT_FOUND", f"no noarksak has saId {sent.saId!r}")
        else:
            row = self._find_sak(conn, ext=ext) if ext else None
        data = to_dict(sent)
        data.pop("saId", None)
        if row is None:
            return self._create_sak(conn, data, warnings)
        return self._update_sak(conn, row, data, warnings)

    def _create_sak(self, conn: Connection, data: dict[str, Any], warnings: list[Warning_]) -> Any:
        today = self.clock.now(conn).date()
        self._note_replaced(data, {}, ("saSaar", "saSeknr"), warnings)
        data["saSaar"] = today.year
        data["saSeknr"] = self._next_number(conn, f"sak:{today.year}")
        data.setdefault("saDato", today.isoformat())
        data.setdefault("saStatus", "B")
        self._check_sak(data)
        ext = data.get("saEksternNokkel") or {}
        rid = _inserted_id(
            conn,
            q.SAK_INSERT,
            {
                "saar": data["saSaar"],
                "seknr": data["saSeknr"],
                "status": data["saStatus"],
                "ext_system": ext.get("eksternSystem"),
                "ext_key": ext.get("nokkel"),
                "jp_count": 0,
                "data": _stored(data),
            },
        )
        data = {"saId": str(rid), **data}
        self._index(conn, "sak", rid, data)
        return from_dict(m.NoarksakType, data)

    def _update_sak(
        self, conn: Connection, row: Row[Any], sent: dict[str, Any], warnings: list[Warning_]
    ) -> Any:
        old = _sak_data(row)
        self._note_replaced(sent, old, ("saSaar", "saSeknr"), warnings)
        new = {**old, **sent}
        old_status, new_status = old["saStatus"], new["saStatus"]
        if new != old:
            rules.code(self.codes, "saStatus", new_status, "noarksak/saStatus")
            rules.sak_change(self.codes, old_status, new_status)
            if old_status == self.codes.sa_void:
                # U is final (spec, "State rules"); sak_change only guards the status itself,
                # so without this a void case's other fields could still be changed.
                raise Rejected(
                    "STATE_VIOLATION",
                    f"the case is void (saStatus {old_status}), which is final; it cannot change",
                )
            if old_status == self.codes.sa_closed and new_status == old_status:
                raise Rejected(
                    "STATE_VIOLATION",
                    f"the case is closed (saStatus {old_status}); reopen it "
                    f"(saStatus {self.codes.sa_reopen_to}) before changing it",
                )
            self._check_sak(new)
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
        return from_dict(m.NoarksakType, new)

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

    def _check_sak(self, data: dict[str, Any]) -> None:
        sak = from_dict(m.NoarksakType, data)
        rules.required(sak.saTittel, "noarksak/saTittel")
        rules.code(self.codes, "saStatus", sak.saStatus, "noarksak/saStatus")
        self._check_ext(sak.saEksternNokkel, "noarksak/saEksternNokkel")
        for k in sak.klassering or []:
            rules.required(k.klOrdnpri, "klassering/klOrdnpri")
            rules.required(k.klOrdnver, "klassering/klOrdnver")
        for p in sak.sakspart or []:
            rules.required(p.spNavn, "sakspart/spNavn")
        self._check_tilleggsinfo(sak.tilleggsinfo)
        rules.public_field(
            exempt=sak.saU1,
            public=sak.saOfftittel,
            full=sak.saTittel,
            names=[p.spNavn for p in sak.sakspart or []],
            exempt_name="saU1",
            public_name="saOfftittel",
            full_name="saTittel",
        )
        rules.geo(sak)

    def _check_ext(self, key: Any, where: str) -> None:
        if key is not None:
            rules.required(key.eksternSystem, f"{where}/eksternSystem")
            rules.required(key.nokkel, f"{where}/nokkel")

    def _check_tilleggsinfo(self, items: list[Any] | None) -> None:
        for t in items or []:
            rules.required(t.tiItype, "tilleggsinfo/tiItype")
            rules.required(t.tiTekst, "tilleggsinfo/tiTekst")

    @staticmethod
    def _note_replaced(
        sent: dict[str, Any], old: dict[str, Any], fields: Iterable[str], warnings: list[Warning_]
    ) -> None:
        """Numbers are the archive's: drop those the client sent, with a WARNING naming them."""
        replaced = [f for f in fields if f in sent and sent.pop(f) != old.get(f)]
        if replaced:
            warnings.append(
                (
                    "NUMBER_REPLACED",
                    f"the archive assigns {', '.join(replaced)}; the values sent were replaced",
                )
            )

    def _save(self, conn: Connection, kind: str, rid: int, data: dict[str, Any]) -> None:
        """Store a changed object's message and index it again."""
        statement = q.SAK_SET_DATA if kind == "sak" else q.JP_SET_DATA
        conn.execute(statement, {"b_id": rid, "b_data": _stored(data)})
        conn.execute(q.SEARCH_DELETE, {"b_kind": kind, "b_id": rid})
        self._index(conn, kind, rid, data)

    @staticmethod
    def _index(conn: Connection, kind: str, rid: int, data: dict[str, Any]) -> None:
        rows = search.index_rows(kind, rid, data)
        if rows:
            conn.execute(q.SEARCH_INSERT, rows)

    def _put_journpost(self, conn: Connection, sent: Any, warnings: list[Warning_]) -> Any:
        if sent.jpId is not None:
            rid = _row_id(sent.jpId)
            row = None if rid is None else conn.execute(q.JP_BY_ID, {"b_id": rid}).first()
            if row is None:
                raise Rejected("NOT_FOUND", f"no journpost has jpId {sent.jpId!r}")
        elif sent.jpEksternNokkel is not None:
            key = _ext(sent.jpEksternNokkel)
            assert key is not None
            row = conn.execute(q.JP_BY_EXT, {"b_sys": key[0], "b_key": key[1]}).first()
        else:
            row = None
        data = to_dict(sent)
        data.pop("jpId", None)
        documents = data.pop("dokument", [])
        if row is None:
            data, sak_row = self._create_journpost(conn, data, warnings)
            self._check_journpost(data, json.loads(sak_row.data))
            ext = data.get("jpEksternNokkel") or {}
            rid = _inserted_id(
                conn,
                q.JP_INSERT,
                {
                    "sak_id": sak_row.id,
                    "jaar": data["jpJaar"],
                    "seknr": data["jpSeknr"],
                    "jpostnr": data["jpJpostnr"],
                    "status": data["jpStatus"],
                    "ext_system": ext.get("eksternSystem"),
                    "ext_key": ext.get("nokkel"),
                    "data": _stored(data),
                },
            )
            data = {"jpId": str(rid), **data}
            self._index(conn, "jp", rid, data)
            _, docs = self._store_documents(conn, rid, documents, existing={})
        else:
            rid, found = row.id, self._find_sak(conn, said=str(row.sak_id))
            assert found is not None, "an entry's case is never deleted"
            old = _jp_data(row)
            data = self._update_journpost(conn, row, old, data, warnings)
            self._check_journpost(data, json.loads(found.data))
            changed, docs = self._store_documents(conn, rid, documents)
            if changed and old["jpStatus"] in self.codes.jp_final:
                raise Rejected(
                    "STATE_VIOLATION",
                    f"jpStatus {data['jpStatus']} is final; documents of the entry cannot change",
                )
            if data != old:
                self._save(conn, "jp", rid, data)
        metas = [json.loads(docs[rnr].meta) for rnr in sorted(docs)]
        for meta in metas:
            meta.pop("fil", None)
        return self._journpost_object(data, metas)

    def _case_of_new_entry(self, conn: Connection, data: dict[str, Any]) -> Row[Any]:
        saar, seknr = data.get("jpSaar"), data.get("jpSaseknr")
        ext = data.get("jpSaEksternNokkel")
        if saar is not None and seknr is not None:
            row = self._find_sak(conn, numbers=(saar, seknr))
            named = f"jpSaar/jpSaseknr {saar}/{seknr}"
            if row is not None and ext is not None:
                # Both references given: they must name the same case, else the entry would be
                # stored with a jpSaEksternNokkel of another case (updates refuse that too).
                other = self._find_sak(conn, ext=(ext["eksternSystem"], ext["nokkel"]))
                if other is None or other.id != row.id:
                    raise Rejected(
                        "INVALID_VALUE",
                        f"journpost/jpSaEksternNokkel {ext['eksternSystem']}/{ext['nokkel']} does "
                        f"not name case {saar}/{seknr}; the two case references must agree",
                    )
        elif ext is not None:
            row = self._find_sak(conn, ext=(ext["eksternSystem"], ext["nokkel"]))
            named = f"jpSaEksternNokkel {ext['eksternSystem']}/{ext['nokkel']}"
        else:
            raise Rejected(
                "MISSING_FIELD",
                "a new journpost must name its case: jpSaar and jpSaseknr, or jpSaEksternNokkel",
            )
        if row is None:
            raise Rejected("NOT_FOUND", f"no noarksak matches {named}")
        return row

    def _create_journpost(
        self, conn: Connection, data: dict[str, Any], warnings: list[Warning_]
    ) -> tuple[dict[str, Any], Row[Any]]:
        """The new entry's message, numbered, and its case; the caller checks and inserts it."""
        sak_row = self._case_of_new_entry(conn, data)
        if sak_row.status in (self.codes.sa_closed, self.codes.sa_void):
            raise Rejected(
                "CASE_CLOSED",
                f"case {sak_row.saar}/{sak_row.seknr} has saStatus {sak_row.status} and takes no new entries",
            )
        today = self.clock.now(conn).date()
        self._note_replaced(data, {}, ("jpJaar", "jpSeknr", "jpJpostnr", "jpJdato"), warnings)
        ndoktype = data.setdefault("jpNdoktype", "I")
        rules.code(self.codes, "jpNdoktype", ndoktype, "journpost/jpNdoktype")
        data.setdefault("jpStatus", "M" if ndoktype == "I" else "R")
        rules.code(self.codes, "jpStatus", data["jpStatus"], "journpost/jpStatus")
        rules.journpost_start(self.codes, ndoktype, data["jpStatus"])
        jpostnr = sak_row.jp_count + 1
        conn.execute(q.SAK_SET_JP_COUNT, {"b_id": sak_row.id, "b_count": jpostnr})
        data.update(
            jpJaar=today.year,
            jpSeknr=self._next_number(conn, f"jp:{today.year}"),
            jpJpostnr=jpostnr,
            jpJdato=today.isoformat(),
            jpSaar=sak_row.saar,
            jpSaseknr=sak_row.seknr,
        )
        data.setdefault("jpDokdato", data["jpJdato"])
        return data, sak_row

    def _update_journpost(
        self,
        conn: Connection,
        row: Row[Any],
        old: dict[str, Any],
        sent: dict[str, Any],
        warnings: list[Warning_],
    ) -> dict[str, Any]:
        self._note_replaced(sent, old, ("jpJaar", "jpSeknr", "jpJpostnr", "jpJdato"), warnings)
        for f in ("jpSaar", "jpSaseknr"):
            if f in sent and sent[f] != old.get(f):
                raise Rejected(
                    "INVALID_VALUE",
                    f"journpost/{f} {sent[f]} differs from the entry's case; an entry cannot move "
                    "to another case",
                )
        key = sent.get("jpSaEksternNokkel")
        if key is not None and key != old.get("jpSaEksternNokkel"):
            target = self._find_sak(conn, ext=(key["eksternSystem"], key["nokkel"]))
            if target is None or target.id != row.sak_id:
                raise Rejected(
                    "INVALID_VALUE",
                    "journpost/jpSaEksternNokkel names another case; an entry cannot move to another case",
                )
        new = {**old, **sent}
        if new != old:
            if old["jpStatus"] in self.codes.jp_final:
                raise Rejected(
                    "STATE_VIOLATION",
                    f"jpStatus {old['jpStatus']} is final; nothing about the entry may change",
                )
            rules.code(self.codes, "jpNdoktype", new["jpNdoktype"], "journpost/jpNdoktype")
            rules.code(self.codes, "jpStatus", new["jpStatus"], "journpost/jpStatus")
            rules.journpost_change(self.codes, new["jpNdoktype"], old["jpStatus"], new["jpStatus"])
            ext = new.get("jpEksternNokkel") or {}
            self._check_key_free(conn, tables.journpost, row.id, ext, "journpost/jpEksternNokkel")
            conn.execute(
                tables.journpost.update()
                .where(tables.journpost.c.id == row.id)
                .values(
                    status=new["jpStatus"],
                    ext_system=ext.get("eksternSystem"),
                    ext_key=ext.get("nokkel"),
                )
            )
        return new

    def _check_journpost(self, data: dict[str, Any], sak_data: dict[str, Any]) -> None:
        j = from_dict(m.JournpostType, data)
        rules.required(j.jpInnhold, "journpost/jpInnhold")
        self._check_ext(j.jpEksternNokkel, "journpost/jpEksternNokkel")
        self._check_ext(j.jpSaEksternNokkel, "journpost/jpSaEksternNokkel")
        for a in j.avsmot or []:
            rules.required(a.amIhtype, "avsmot/amIhtype")
            rules.code(self.codes, "amIhtype", a.amIhtype, "avsmot/amIhtype")
            rules.code(self.codes, "amAvskm", a.amAvskm, "avsmot/amAvskm")
            self._check_ext(a.amAvsavEksternNokkel, "avsmot/amAvsavEksternNokkel")
            self._check_ext(a.amBesvarEksternNokkel, "avsmot/amBesvarEksternNokkel")
        self._check_tilleggsinfo(j.tilleggsinfo)
        names = [a.amNavn for a in j.avsmot or [] if a.amNavn]
        names += [p.get("spNavn", "") for p in sak_data.get("sakspart", [])]
        rules.public_field(
            exempt=j.jpU1,
            public=j.jpOffinnhold,
            full=j.jpInnhold,
            names=names,
            exempt_name="jpU1",
            public_name="jpOffinnhold",
            full_name="jpInnhold",
        )

    def _check_dokument(self, d: Any) -> None:
        rules.code(self.codes, "dlType", d.dlType, "dokument/dlType")
        rules.code(self.codes, "dbStatus", d.dbStatus, "dokument/dbStatus")
        rules.code(self.codes, "veVariant", d.veVariant, "dokument/veVariant")
        rules.required(d.veFilnavn, "dokument/veFilnavn")
        rules.required(d.veMimeType, "dokument/veMimeType")
        if d.fil is not None and (d.fil.base64 is None) == (d.fil.ref is None):
            raise Rejected("INVALID_VALUE", "dokument/fil must hold exactly one of base64 or ref")

    def _store_documents(
        self,
        conn: Connection,
        jp_id: int,
        documents: list[dict[str, Any]],
        existing: dict[int, _Doc] | None = None,
    ) -> tuple[bool, dict[int, _Doc]]:
        """Add or replace the entry's documents; (whether anything changed, all its documents).

        A document without dlRnr that is identical (metadata and bytes) to one the entry already
        has is not added again: that is what makes resending a Put after a timeout safe.
        ``existing`` is the entry's documents when the caller knows them (a new entry has none).
        """
        if existing is None:
            existing = {
                r.rnr: _Doc(r.id, r.rnr, r.meta, r.sha256)
                for r in conn.execute(q.DOCS_OF, {"b_id": jp_id})
            }
        changed = False
        for doc in documents:
            obj = from_dict(m.DokumentType, doc)
            self._check_dokument(obj)
            meta = {k: v for k, v in doc.items() if k != "fil"}
            content: bytes | None = None
            if obj.fil is not None:
                if obj.fil.base64 is not None:
                    content = b"".join(obj.fil.base64)
                else:
                    meta["fil"] = {"ref": obj.fil.ref}
            sha = hashlib.sha256(content).hexdigest() if content is not None else None
            rnr = meta.pop("dlRnr", None)
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
            elif not _fits(rnr):
                raise Rejected("INVALID_VALUE", f"dokument/dlRnr {rnr} is out of range")
            meta = {"dlRnr": rnr, **meta}
            old = existing.get(rnr)
            if old is not None:
                if old.sha256 == sha and json.loads(old.meta) == meta:
                    continue
                conn.execute(q.DOC_DELETE, {"b_id": old.id})
            meta_json = json.dumps(meta)
            doc_id = _inserted_id(
                conn,
                q.DOC_INSERT,
                {
                    "journpost_id": jp_id,
                    "rnr": rnr,
                    "meta": meta_json,
                    "content": content,
                    "sha256": sha,
                },
            )
            existing[rnr] = _Doc(doc_id, rnr, meta_json, sha)
            changed = True
        return changed, existing

    # ------------------------------------------------------------------ reads

    def _journpost_answer(
        self,
        conn: Connection,
        rid: int,
        data: dict[str, Any],
        *,
        dokument: bool,
        fil: bool,
        avsmot: bool = True,
        tilleggsinfo: bool = True,
    ) -> Any:
        out = dict(data)
        if not avsmot:
            out.pop("avsmot", None)
        if not tilleggsinfo:
            out.pop("tilleggsinfo", None)
        docs = []
        if dokument:
            statement = q.DOCS_META_CONTENT if fil else q.DOCS_META
            for r in conn.execute(statement, {"b_id": rid}):
                meta = json.loads(r.meta)
                if fil and r.content is not None:
                    meta["fil"] = {"base64": r.content}
                elif not fil:
                    meta.pop("fil", None)
                docs.append(meta)
        return self._journpost_object(out, docs)

    def _journpost_object(self, data: dict[str, Any], docs: list[dict[str, Any]]) -> Any:
        obj = from_dict(m.JournpostType, data)
        obj.dokument = [self._dokument(doc) for doc in docs] or None
        return obj

    @staticmethod
    def _dokument(doc: dict[str, Any]) -> Any:
        fil = doc.get("fil")
        obj = from_dict(m.DokumentType, {k: v for k, v in doc.items() if k != "fil"})
        if fil is not None:
            obj.fil = m.FilType(
                base64=[fil["base64"]] if "base64" in fil else None, ref=fil.get("ref")
            )
        return obj

    @staticmethod
    def _selector(kinds: dict[str, bool]) -> str:
        given = [k for k, present in kinds.items() if present]
        if not given:
            raise Rejected("NO_SELECTOR", f"give exactly one selector: {', '.join(kinds)}")
        if len(given) > 1:
            raise Rejected(
                "AMBIGUOUS_SELECTOR", f"give exactly one selector, not {' and '.join(given)}"
            )
        return given[0]

    @staticmethod
    def _criteria(kind: str, criteria: list[Any]) -> list[tuple[str, str]]:
        pairs = [(c.fieldName, c.fieldValue) for c in criteria]
        unknown = search.unknown_fields(kind, (n for n, _ in pairs))
        if unknown:
            raise Rejected(
                "UNKNOWN_FIELD",
                f"unknown search field {', '.join(repr(u) for u in unknown)}; supported: "
                f"{', '.join(search.FIELDS[kind])}",
            )
        return pairs

    def _read(self, find: Callable[[Connection, Any], list[Any]], req: Any) -> tuple[Any, Any]:
        """Run a Get in a read transaction; returns (status, the objects found or None)."""
        try:
            with self.store.read() as conn:
                found = find(conn, req)
        except Rejected as r:
            return _error(r), None
        return _status(), found or None

    def get_noarksak(self, req: Any) -> Any:
        status, found = self._read(self._get_noarksak, req)
        return m.GetNoarksakResponse(status=status, noarksak=found)

    def _get_noarksak(self, conn: Connection, req: Any) -> list[Any]:
        kind = self._selector(
            {
                "searchCriteria": bool(req.searchCriteria),
                "saId": req.saId is not None,
                "saksnummer": req.saksnummer is not None,
                "saEksternNokkel": req.saEksternNokkel is not None,
            }
        )
        s = tables.sak
        if kind == "searchCriteria":
            ids = search.matching_ids("sak", self._criteria("sak", req.searchCriteria))
            rows = list(
                conn.execute(select(s).where(s.c.id.in_(ids)).order_by(s.c.saar, s.c.seknr))
            )
        else:
            if kind == "saId":
                row = self._find_sak(conn, said=req.saId)
                named = f"saId {req.saId!r}"
            elif kind == "saksnummer":
                n = req.saksnummer
                row = self._find_sak(conn, numbers=(n.saSaar, n.saSeknr))
                named = f"saksnummer {n.saSaar}/{n.saSeknr}"
            else:
                key = req.saEksternNokkel
                row = self._find_sak(conn, ext=_ext(key))
                named = f"saEksternNokkel {key.eksternSystem}/{key.nokkel}"
            if row is None:
                raise Rejected("NOT_FOUND", f"no noarksak matches {named}")
            rows = [row]
        flags = req.returnNoarksakRequests or m.NoarksakReturnRequestsType()
        jflags = req.returnJournpostRequests or m.JournpostReturnRequestsType()
        out = []
        for row in rows:
            data = _sak_data(row)
            for name, flag in (
                ("klassering", flags.returnKlassering),
                ("sakspart", flags.returnSakspart),
                ("tilleggsinfo", flags.returnTilleggsinfo),
            ):
                if not flag:
                    data.pop(name, None)
            sak = from_dict(m.NoarksakType, data)
            if flags.returnJposts:
                jp = tables.journpost
                entries = conn.execute(
                    select(jp.c.id, jp.c.data)
                    .where(jp.c.sak_id == row.id)
                    .order_by(jp.c.jaar, jp.c.seknr)
                )
                sak.journpost = [self._entry(conn, r, jflags) for r in entries] or None
            out.append(sak)
        return out

    def _entry(self, conn: Connection, row: Any, flags: Any) -> Any:
        fil = bool(flags.returnFil)
        return self._journpost_answer(
            conn,
            row.id,
            _jp_data(row),
            dokument=bool(flags.returnDokument) or fil,
            fil=fil,
            avsmot=bool(flags.returnAvmot),
            tilleggsinfo=bool(flags.returnTilleggsinfo),
        )

    def get_journpost(self, req: Any) -> Any:
        status, found = self._read(self._get_journpost, req)
        return m.GetJournpostResponse(status=status, journpost=found)

    def _get_journpost(self, conn: Connection, req: Any) -> list[Any]:
        kind = self._selector(
            {
                "searchCriteria": bool(req.searchCriteria),
                "jpId": req.jpId is not None,
                "saId": req.saId is not None,
                "lopenummer": req.lopenummer is not None,
                "dokumentnummer": req.dokumentnummer is not None,
                "jpEksternNokkel": req.jpEksternNokkel is not None,
                "saEksternNokkel": req.saEksternNokkel is not None,
            }
        )
        flags = req.returnJournpostRequests or m.JournpostReturnRequestsType()
        if kind == "jpId":  # the commonest read, on a statement built once
            row = conn.execute(q.JP_BY_ID, {"b_id": _row_id(req.jpId) or -1}).first()
            if row is None:
                raise Rejected("NOT_FOUND", f"no journpost matches jpId {req.jpId!r}")
            return [self._entry(conn, row, flags)]
        jp = tables.journpost
        query = select(jp.c.id, jp.c.data)
        one = False
        if kind == "searchCriteria":
            query = query.where(
                jp.c.id.in_(search.matching_ids("jp", self._criteria("jp", req.searchCriteria)))
            )
            named = ""
        elif kind == "lopenummer":
            n = req.lopenummer
            if not (_fits(n.jpJaar) and _fits(n.jpSeknr)):
                raise Rejected("NOT_FOUND", f"no journpost has løpenummer {n.jpSeknr}/{n.jpJaar}")
            query = query.where(jp.c.jaar == n.jpJaar, jp.c.seknr == n.jpSeknr)
            one, named = True, f"løpenummer {n.jpSeknr}/{n.jpJaar}"
        elif kind == "jpEksternNokkel":
            key = req.jpEksternNokkel
            query = query.where(jp.c.ext_system == key.eksternSystem, jp.c.ext_key == key.nokkel)
            one, named = True, f"jpEksternNokkel {key.eksternSystem}/{key.nokkel}"
        else:  # the entries of one case
            if kind == "saId":
                sak_row = self._find_sak(conn, said=req.saId)
                named = f"saId {req.saId!r}"
            elif kind == "saEksternNokkel":
                key = req.saEksternNokkel
                sak_row = self._find_sak(conn, ext=_ext(key))
                named = f"saEksternNokkel {key.eksternSystem}/{key.nokkel}"
            else:
                n = req.dokumentnummer
                sak_row = self._find_sak(conn, numbers=(n.saSaar, n.saSeknr))
                named = f"dokumentnummer {n.saSaar}/{n.saSeknr}"
                if n.jpJpostnr is not None:
                    named += f"-{n.jpJpostnr}"
                    one = True
                    query = query.where(jp.c.jpostnr == (n.jpJpostnr if _fits(n.jpJpostnr) else -1))
            if sak_row is None:
                raise Rejected("NOT_FOUND", f"no noarksak matches {named}")
            query = query.where(jp.c.sak_id == sak_row.id)
        rows = list(conn.execute(query.order_by(jp.c.jaar, jp.c.seknr)))
        if one and not rows:
            raise Rejected("NOT_FOUND", f"no journpost matches {named}")
        return [self._entry(conn, r, flags) for r in rows]

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
