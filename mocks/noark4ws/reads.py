"""The archive's reads: GetNoarksak and GetJournpost over the store, and the lookups the writes
share with them (a case by saId, by its numbers or by its external key; a stored row as its
message dict).

A Get names what it reads by exactly one selector (``NO_SELECTOR`` and ``AMBIGUOUS_SELECTOR``
otherwise) and answers ``NOT_FOUND`` where a selector that names one object finds none; a
search or a case's entries may find none and answer OK. The numbers it looks up and orders by
are the ones the archive shows (``policies.ShownNumbers.index``), and ``searchCriteria`` match
as the search policy says; both are chosen once when the archive is built.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from tpn.mocks.core import hot
from tpn.mocks.noark4ws import model as m
from tpn.mocks.noark4ws import queries as q
from tpn.mocks.noark4ws import search, tables
from tpn.mocks.noark4ws.policies import NumberIndex
from tpn.mocks.noark4ws.rules import Rejected
from tpn.mocks.soap.codec import from_dict, make

_INT64 = 2**63 - 1


def sak_data(row: Any) -> dict[str, Any]:
    """A stored case as its message dict; the JSON holds no id (the row's id is the saId)."""
    return {"saId": str(row.id), **json.loads(row.data)}


def jp_data(row: Any) -> dict[str, Any]:
    """A stored entry as its message dict (the row's id is the jpId)."""
    return {"jpId": str(row.id), **json.loads(row.data)}


def fits(n: int | None) -> bool:
    """Whether ``n`` is a number the store can hold (a signed 64-bit integer)."""
    return n is not None and -_INT64 <= n <= _INT64


def row_id(text: str | None) -> int | None:
    """The row id behind a saId/jpId (the archive's ids are decimal row numbers)."""
    if text is None:
        return None
    t = text.strip()
    # ASCII digits only: str.isdigit() also accepts "²" (int() then raises, a soap:Server fault)
    # and "١" (int() reads it as 1, so an id the archive never issued found case 1).
    # And at most 19 digits before int() runs: Python refuses over 4,300, and no id is longer.
    return int(t) if len(t) <= 19 and t.isascii() and t.isdigit() and fits(int(t)) else None


def ext_key(key: Any) -> tuple[str, str] | None:
    """An external key (``EksternNokkelType``) as (eksternSystem, nokkel)."""
    return None if key is None else (key.eksternSystem, key.nokkel)


def dokument(doc: dict[str, Any]) -> Any:
    """A stored document's metadata (and its bytes, under ``fil``) as the answer's object."""
    fil = doc.get("fil")
    obj = from_dict(m.DokumentType, {k: v for k, v in doc.items() if k != "fil"})
    if fil is not None:
        obj.fil = make(
            m.FilType, base64=[fil["base64"]] if "base64" in fil else None, ref=fil.get("ref")
        )
    return obj


class Reads:
    """The Gets, over the numbers the archive shows and the search policy it was built with.

    Each method runs inside the caller's transaction (``conn``) and raises ``Rejected``.
    """

    def __init__(self, numbers: NumberIndex, matching: search.Matching) -> None:
        self.numbers = numbers
        self.search = matching

    def find_sak(
        self,
        conn: Connection,
        *,
        said: str | None = None,
        numbers: tuple[int, int] | None = None,
        ext: tuple[str, str] | None = None,
    ) -> Any | None:
        if said is not None:
            rid = row_id(said)
            return None if rid is None else hot.first(conn, q.SAK_BY_ID, {"b_id": rid})
        if numbers is not None:
            if not all(fits(n) for n in numbers):
                return None
            values = {"b_saar": numbers[0], "b_seknr": numbers[1]}
            return hot.first(conn, self.numbers.sak_by_numbers, values)
        if ext is not None:
            return hot.first(conn, q.SAK_BY_EXT, {"b_sys": ext[0], "b_key": ext[1]})
        return None

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
            for r in hot.rows(conn, statement, {"b_id": rid}):
                meta = json.loads(r.meta)
                if fil and r.content is not None:
                    meta["fil"] = {"base64": r.content}
                elif not fil:
                    meta.pop("fil", None)
                docs.append(meta)
        return self._journpost_object(out, docs)

    def _journpost_object(self, data: dict[str, Any], docs: list[dict[str, Any]]) -> Any:
        obj = from_dict(m.JournpostType, data)
        obj.dokument = [dokument(doc) for doc in docs] or None
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
        too_much = search.over_limits(pairs)
        if too_much is not None:
            raise Rejected("INVALID_VALUE", too_much)
        return pairs

    def get_noarksak(self, conn: Connection, req: Any) -> list[Any]:
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
            ids = self.search.ids("sak", self._criteria("sak", req.searchCriteria))
            rows = list(
                conn.execute(select(s).where(s.c.id.in_(ids)).order_by(*self.numbers.sak_order))
            )
        else:
            if kind == "saId":
                row = self.find_sak(conn, said=req.saId)
                named = f"saId {req.saId!r}"
            elif kind == "saksnummer":
                n = req.saksnummer
                row = self.find_sak(conn, numbers=(n.saSaar, n.saSeknr))
                named = f"saksnummer {n.saSaar}/{n.saSeknr}"
            else:
                key = req.saEksternNokkel
                row = self.find_sak(conn, ext=ext_key(key))
                named = f"saEksternNokkel {key.eksternSystem}/{key.nokkel}"
            if row is None:
                raise Rejected("NOT_FOUND", f"no noarksak matches {named}")
            rows = [row]
        flags = req.returnNoarksakRequests or make(m.NoarksakReturnRequestsType)
        jflags = req.returnJournpostRequests or make(m.JournpostReturnRequestsType)
        out = []
        for row in rows:
            data = sak_data(row)
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
                    .order_by(*self.numbers.jp_order)
                )
                sak.journpost = [self._entry(conn, r, jflags) for r in entries] or None
            out.append(sak)
        return out

    def _entry(self, conn: Connection, row: Any, flags: Any) -> Any:
        fil = bool(flags.returnFil)
        return self._journpost_answer(
            conn,
            row.id,
            jp_data(row),
            dokument=bool(flags.returnDokument) or fil,
            fil=fil,
            avsmot=bool(flags.returnAvmot),
            tilleggsinfo=bool(flags.returnTilleggsinfo),
        )

    def get_journpost(self, conn: Connection, req: Any) -> list[Any]:
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
        flags = req.returnJournpostRequests or make(m.JournpostReturnRequestsType)
        if kind == "jpId":  # the commonest read, on a statement built once
            row = hot.first(conn, q.JP_BY_ID, {"b_id": row_id(req.jpId) or -1})
            if row is None:
                raise Rejected("NOT_FOUND", f"no journpost matches jpId {req.jpId!r}")
            return [self._entry(conn, row, flags)]
        jp = tables.journpost
        query = select(jp.c.id, jp.c.data)
        one = False
        if kind == "searchCriteria":
            query = query.where(
                jp.c.id.in_(self.search.ids("jp", self._criteria("jp", req.searchCriteria)))
            )
            named = ""
        elif kind == "lopenummer":
            n = req.lopenummer
            if not (fits(n.jpJaar) and fits(n.jpSeknr)):
                raise Rejected("NOT_FOUND", f"no journpost has løpenummer {n.jpSeknr}/{n.jpJaar}")
            number = self.numbers
            query = query.where(number.jp_jaar == n.jpJaar, number.jp_seknr == n.jpSeknr)
            one, named = True, f"løpenummer {n.jpSeknr}/{n.jpJaar}"
        elif kind == "jpEksternNokkel":
            key = req.jpEksternNokkel
            query = query.where(jp.c.ext_system == key.eksternSystem, jp.c.ext_key == key.nokkel)
            one, named = True, f"jpEksternNokkel {key.eksternSystem}/{key.nokkel}"
        else:  # the entries of one case
            if kind == "saId":
                sak_row = self.find_sak(conn, said=req.saId)
                named = f"saId {req.saId!r}"
            elif kind == "saEksternNokkel":
                key = req.saEksternNokkel
                sak_row = self.find_sak(conn, ext=ext_key(key))
                named = f"saEksternNokkel {key.eksternSystem}/{key.nokkel}"
            else:
                n = req.dokumentnummer
                sak_row = self.find_sak(conn, numbers=(n.saSaar, n.saSeknr))
                named = f"dokumentnummer {n.saSaar}/{n.saSeknr}"
                if n.jpJpostnr is not None:
                    named += f"-{n.jpJpostnr}"
                    one = True
                    jpostnr = n.jpJpostnr if fits(n.jpJpostnr) else -1
                    query = query.where(self.numbers.jp_jpostnr == jpostnr)
            if sak_row is None:
                raise Rejected("NOT_FOUND", f"no noarksak matches {named}")
            query = query.where(jp.c.sak_id == sak_row.id)
        rows = list(conn.execute(query.order_by(*self.numbers.jp_order)))
        if one and not rows:
            raise Rejected("NOT_FOUND", f"no journpost matches {named}")
        return [self._entry(conn, r, flags) for r in rows]

    def contents(self, conn: Connection) -> list[dict[str, Any]]:
        """Every case as its message dict, with its entries under ``journpost`` and their
        documents under ``dokument`` (the bytes under ``fil.content``): what a client delivered,
        for a suite that judges the client (form delivery)."""
        s, jp = tables.sak, tables.journpost
        cases = []
        for row in conn.execute(select(s).order_by(s.c.id)):
            case = sak_data(row)
            entries = []
            for entry_row in conn.execute(
                select(jp.c.id, jp.c.data).where(jp.c.sak_id == row.id).order_by(jp.c.id)
            ):
                entry = jp_data(entry_row)
                docs = []
                for doc in conn.execute(q.DOCS_META_CONTENT, {"b_id": entry_row.id}):
                    meta = json.loads(doc.meta)
                    if doc.content is not None:
                        meta["fil"] = {"content": bytes(doc.content)}
                    docs.append(meta)
                entry["dokument"] = docs
                entries.append(entry)
            case["journpost"] = entries
            cases.append(case)
        return cases
