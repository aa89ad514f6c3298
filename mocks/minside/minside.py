"""MinSide over the shared store and the test clock: what its SOAP services, the citizen's
pages and the client profile's judge all use.

The writes (``register``, ``unregister``, ``send``, ``message_status``, ``update_case``) apply
the rules (``rules.RuleSet``) and raise ``rules.Rejected`` for a business ERROR; each runs in
one write transaction, so an acknowledged write is durable and a refused one leaves nothing. The
reads are the citizen's (``services``, ``messages_for``, ``deliver``, ``open_message``,
``cases_for``) and the judge's (``contents``).

Profile decisions where the standard is silent:
- A resend of ``SendMelding`` with the same (avsenderOrgnr, eksternReferanse) and the same
  content delivers nothing and answers as the first did (its meldingId, and its WARNING if it
  had one); with other content it is an ERROR, ``EKSTERN_REFERANSE_REUSED``, that names the
  first meldingId: a reference reused for a new message would otherwise lose that message.
- A mottaker who is valid but not a user of MinSide (not in the synthetic population) gets no
  message: it is stored ``AVVIST`` with that reason, and answered with a WARNING.
- A case is keyed by (avsenderOrgnr, saksnummer); an update that names another mottaker is an
  ERROR. An update older (``tidspunkt``) than the stored one is ignored with a WARNING; a newer
  one that moves the status back is an ERROR; the same status again only refreshes the case.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc, func, select
from sqlalchemy.engine import Connection

from tpn.fixtures import population
from tpn.mocks.core.clock import Clock
from tpn.mocks.core.store import Store
from tpn.mocks.minside import rows
from tpn.mocks.minside import tables as t
from tpn.mocks.minside.records import Melding, Sak, Tjeneste, Vedlegg
from tpn.mocks.minside.rules import REFERENCE, Rejected, RuleSet

__all__ = ["MeldingInn", "MinSide", "SakInn", "Sent", "is_user"]

Warning_ = tuple[str, str]
NOT_USER = "mottaker is not a user of MinSide"


def is_user(mottaker: str) -> bool:
    """A citizen with a MinSide account: a persona of the synthetic population."""
    try:
        population.persona(mottaker)
    except LookupError:
        return False
    return True


@dataclass(frozen=True)
class MeldingInn:
    """A message as a sender sent it (``SendMelding``)."""

    mottaker: str
    avsenderOrgnr: str
    avsenderNavn: str
    tittel: str
    tekst: str
    lenke: str | None
    sikkerhetsnivaa: int
    eksternReferanse: str
    vedlegg: tuple[Vedlegg, ...] = ()

    def fingerprint(self) -> str:
        fields = dataclasses.asdict(self) | {
            "vedlegg": [
                [v.filnavn, v.mimeType, hashlib.sha256(v.data).hexdigest()] for v in self.vedlegg
            ]
        }
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class SakInn:
    """A case's status as a sender sent it (``OppdaterSaksstatus``)."""

    mottaker: str
    avsenderOrgnr: str
    saksnummer: str
    tittel: str
    status: str
    tidspunkt: dt.datetime
    lenke: str | None


@dataclass(frozen=True)
class Sent:
    """What ``send`` answers: the message's id and the WARNINGs, if any."""

    meldingId: str
    warnings: tuple[Warning_, ...] = ()


class MinSide:
    def __init__(
        self,
        store: Store,
        clock: Clock | None = None,
        *,
        rules: RuleSet = REFERENCE,
        users: Callable[[str], bool] = is_user,
    ) -> None:
        self.store = store
        self.clock = clock or Clock(store)
        self.rules = rules
        self.users = users

    # ------------------------------------------------------------ tjenestekatalog

    def register(self, tj: Tjeneste) -> Tjeneste:
        """Register ``tj``, or update it when its tjenesteId is known (only by its owner)."""
        r, w = self.rules, "tjeneste"
        for name in ("tjenesteId", "kommunenummer", "eierOrgnr", "navn", "url", "kategori"):
            r.required(getattr(tj, name), f"{w}/{name}")
        for name in ("navn", "beskrivelse", "url", "skjemaId"):
            r.length(getattr(tj, name), f"{w}/{name}", name)
        r.tjeneste_id(tj.tjenesteId, f"{w}/tjenesteId")
        r.kommunenummer(tj.kommunenummer, f"{w}/kommunenummer")
        r.orgnr(tj.eierOrgnr, f"{w}/eierOrgnr")
        r.link(tj.url, f"{w}/url")
        r.level(tj.sikkerhetsnivaa, f"{w}/sikkerhetsnivaa")
        r.kategori(tj.kategori, f"{w}/kategori")
        data = json.dumps({"navn": tj.navn, "beskrivelse": tj.beskrivelse, "skjemaId": tj.skjemaId})
        with self.store.write() as conn:
            now = rows.when(self.clock.now(conn))
            found = conn.execute(
                select(t.tjeneste).where(t.tjeneste.c.tjeneste_id == tj.tjenesteId)
            ).first()
            values = {
                "kommunenummer": tj.kommunenummer,
                "eier_orgnr": tj.eierOrgnr,
                "kategori": tj.kategori,
                "url": tj.url,
                "sikkerhetsnivaa": tj.sikkerhetsnivaa,
                "endret": now,
                "data": data,
            }
            if found is None:
                conn.execute(
                    t.tjeneste.insert(), values | {"tjeneste_id": tj.tjenesteId, "registrert": now}
                )
            else:
                self._owner(found.eier_orgnr, tj.eierOrgnr, tj.tjenesteId)
                conn.execute(
                    t.tjeneste.update().where(t.tjeneste.c.tjeneste_id == tj.tjenesteId), values
                )
            stored = conn.execute(
                select(t.tjeneste).where(t.tjeneste.c.tjeneste_id == tj.tjenesteId)
            ).one()
            return rows.tjeneste(stored)

    @staticmethod
    def _owner(owner: str, claimed: str, tjeneste_id: str) -> None:
        if owner != claimed:
            raise Rejected(
                "NOT_OWNER",
                f"tjenesteId {tjeneste_id!r} belongs to another eierOrgnr; only its owner may "
                "change or remove it",
            )

    def unregister(self, tjeneste_id: str, eier_orgnr: str) -> None:
        self.rules.required(tjeneste_id, "tjenesteId")
        self.rules.orgnr(eier_orgnr, "eierOrgnr")
        with self.store.write() as conn:
            found = conn.execute(
                select(t.tjeneste).where(t.tjeneste.c.tjeneste_id == tjeneste_id)
            ).first()
            if found is None:
                raise Rejected(
                    "UNKNOWN_TJENESTE", f"tjenesteId {tjeneste_id[:80]!r} is not in the catalogue"
                )
            self._owner(found.eier_orgnr, eier_orgnr, tjeneste_id)
            conn.execute(t.tjeneste.delete().where(t.tjeneste.c.tjeneste_id == tjeneste_id))

    def services(
        self, kommunenummer: str | None = None, kategori: str | None = None
    ) -> list[Tjeneste]:
        """The catalogue, by kategori, then navn; only the given municipality's or category's."""
        query = select(t.tjeneste)
        if kommunenummer is not None:
            query = query.where(t.tjeneste.c.kommunenummer == kommunenummer)
        if kategori is not None:
            query = query.where(t.tjeneste.c.kategori == kategori)
        with self.store.read() as conn:
            found = [rows.tjeneste(row) for row in conn.execute(query)]
        return sorted(found, key=lambda s: (s.kategori, s.navn.casefold(), s.tjenesteId))

    def find_services(self, kommunenummer: str | None, kategori: str | None) -> list[Tjeneste]:
        """``HentTjenester``: ``services`` after the selectors' own rules."""
        if kommunenummer is not None:
            self.rules.kommunenummer(kommunenummer, "kommunenummer")
        if kategori is not None:
            self.rules.kategori(kategori, "kategori")
        return self.services(kommunenummer, kategori)

    # ------------------------------------------------------------ meldingsboks

    def _check_melding(self, m: MeldingInn) -> None:
        r, w = self.rules, "melding"
        for name in (
            "mottaker",
            "avsenderOrgnr",
            "avsenderNavn",
            "tittel",
            "tekst",
            "eksternReferanse",
        ):
            r.required(getattr(m, name), f"{w}/{name}")
        for name in ("avsenderNavn", "tekst", "eksternReferanse", "lenke"):
            r.length(getattr(m, name), f"{w}/{name}", name)
        r.mottaker(m.mottaker, f"{w}/mottaker")
        r.orgnr(m.avsenderOrgnr, f"{w}/avsenderOrgnr")
        r.title(m.tittel, f"{w}/tittel")
        if m.lenke is not None:
            r.link(m.lenke, f"{w}/lenke")
        r.level(m.sikkerhetsnivaa, f"{w}/sikkerhetsnivaa")
        r.vedlegg([(v.filnavn, v.mimeType, v.size) for v in m.vedlegg], f"{w}/vedlegg")

    def _linked_service(self, conn: Connection, lenke: str) -> Tjeneste | None:
        """The registered service whose url is the longest prefix of ``lenke`` (on a path
        boundary), if any."""
        best: Tjeneste | None = None
        for row in conn.execute(select(t.tjeneste)):
            url = row.url.rstrip("/")
            inside = lenke == url or lenke.startswith((url + "/", url + "?", url + "#"))
            if inside and (best is None or len(url) > len(best.url.rstrip("/"))):
                best = rows.tjeneste(row)
        return best

    def send(self, m: MeldingInn) -> Sent:
        """``SendMelding``: store ``m`` once per (avsenderOrgnr, eksternReferanse)."""
        self._check_melding(m)
        fingerprint = m.fingerprint()
        for attempt in range(3):
            try:
                with self.store.write() as conn:
                    return self._send(conn, m, fingerprint)
            except exc.IntegrityError:
                # Two workers took the same reference at once (PostgreSQL): the retry finds it.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _send(self, conn: Connection, m: MeldingInn, fingerprint: str) -> Sent:
        mt = t.melding
        first = conn.execute(
            select(mt.c.melding_id, mt.c.fingerprint, mt.c.status).where(
                mt.c.avsender_orgnr == m.avsenderOrgnr, mt.c.ekstern_referanse == m.eksternReferanse
            )
        ).first()
        if first is not None:
            if first.fingerprint != fingerprint:
                raise Rejected(
                    "EKSTERN_REFERANSE_REUSED",
                    f"melding/eksternReferanse {m.eksternReferanse[:80]!r} was used by this sender "
                    f"for another message ({first.melding_id}); nothing was delivered. A resend "
                    "must repeat the first message; a new message needs a new reference",
                )
            return Sent(first.melding_id, _not_user() if first.status == "AVVIST" else ())
        if m.lenke is not None:
            linked = self._linked_service(conn, m.lenke)
            if linked is not None:
                self.rules.level_for_service(
                    m.sikkerhetsnivaa,
                    linked.sikkerhetsnivaa,
                    linked.tjenesteId,
                    "melding/sikkerhetsnivaa",
                )
        now = self.clock.now(conn)
        user = self.users(m.mottaker)
        melding_id = uuid.uuid4().hex
        data = {
            "avsenderNavn": m.avsenderNavn,
            "tittel": m.tittel,
            "tekst": m.tekst,
            "lenke": m.lenke,
            "sikkerhetsnivaa": m.sikkerhetsnivaa,
        }
        key = conn.execute(
            mt.insert(),
            {
                "melding_id": melding_id,
                "mottaker": m.mottaker,
                "avsender_orgnr": m.avsenderOrgnr,
                "ekstern_referanse": m.eksternReferanse,
                "fingerprint": fingerprint,
                "status": "MOTTATT" if user else "AVVIST",
                "aarsak": None if user else NOT_USER,
                "mottatt": rows.when(now),
                "data": json.dumps(data),
            },
        ).inserted_primary_key
        assert key is not None
        row_id = int(key[0])
        for nr, v in enumerate(m.vedlegg, 1):
            conn.execute(
                t.vedlegg.insert(),
                {
                    "melding_id": row_id,
                    "nr": nr,
                    "filnavn": v.filnavn,
                    "mime_type": v.mimeType,
                    "content": v.data,
                },
            )
        rows.add_historikk(conn, "melding", row_id, "MOTTATT", now)
        if not user:
            rows.add_historikk(conn, "melding", row_id, "AVVIST", now)
        return Sent(melding_id, () if user else _not_user())

    def message_status(self, melding_id: str, avsender_orgnr: str) -> Melding:
        """``HentMeldingStatus``: the sender's own message; another sender's is unknown."""
        self.rules.required(melding_id, "meldingId")
        self.rules.length(melding_id, "meldingId", "meldingId")
        self.rules.orgnr(avsender_orgnr, "avsenderOrgnr")
        mt = t.melding
        with self.store.read() as conn:
            row = conn.execute(
                select(mt).where(
                    mt.c.melding_id == melding_id, mt.c.avsender_orgnr == avsender_orgnr
                )
            ).first()
            if row is None:
                raise Rejected(
                    "UNKNOWN_MELDING",
                    f"meldingId {melding_id[:64]!r} is not a message from avsenderOrgnr "
                    f"{avsender_orgnr}",
                )
            return rows.melding(conn, row)

    # ------------------------------------------------------------ the citizen's box

    def messages_for(self, mottaker: str) -> list[Melding]:
        """The citizen's messages, newest first (never an AVVIST one: it was not delivered)."""
        mt = t.melding
        with self.store.read() as conn:
            found = conn.execute(
                select(mt)
                .where(mt.c.mottaker == mottaker, mt.c.status != "AVVIST")
                .order_by(mt.c.mottatt.desc(), mt.c.id.desc())
            ).all()
            return [rows.melding(conn, row) for row in found]

    def deliver(self, mottaker: str) -> int:
        """MOTTATT → LEVERT for every message the citizen's box has now shown; how many."""
        mt = t.melding
        with self.store.write() as conn:
            now = self.clock.now(conn)
            ids = (
                conn.execute(
                    select(mt.c.id).where(mt.c.mottaker == mottaker, mt.c.status == "MOTTATT")
                )
                .scalars()
                .all()
            )
            for row_id in ids:
                conn.execute(mt.update().where(mt.c.id == row_id), {"status": "LEVERT"})
                rows.add_historikk(conn, "melding", row_id, "LEVERT", now)
            return len(ids)

    def open_message(self, melding_id: str, mottaker: str) -> Melding | None:
        """The citizen's message, now LEST; None for another citizen's (or no) message."""
        mt = t.melding
        with self.store.write() as conn:
            row = conn.execute(
                select(mt).where(
                    mt.c.melding_id == melding_id,
                    mt.c.mottaker == mottaker,
                    mt.c.status != "AVVIST",
                )
            ).first()
            if row is None:
                return None
            now = self.clock.now(conn)
            steps = {"MOTTATT": ("LEVERT", "LEST"), "LEVERT": ("LEST",)}.get(row.status, ())
            for status in steps:
                rows.add_historikk(conn, "melding", row.id, status, now)
            if steps:
                conn.execute(mt.update().where(mt.c.id == row.id), {"status": "LEST"})
            return rows.melding(conn, conn.execute(select(mt).where(mt.c.id == row.id)).one())

    # ------------------------------------------------------------ mine saker

    def update_case(self, s: SakInn) -> tuple[Warning_, ...]:
        """``OppdaterSaksstatus``: create the case, or move its status on."""
        r, w = self.rules, "sak"
        for name in ("mottaker", "avsenderOrgnr", "saksnummer", "tittel", "status"):
            r.required(getattr(s, name), f"{w}/{name}")
        r.length(s.lenke, f"{w}/lenke", "lenke")
        r.mottaker(s.mottaker, f"{w}/mottaker")
        r.orgnr(s.avsenderOrgnr, f"{w}/avsenderOrgnr")
        r.saksnummer(s.saksnummer, f"{w}/saksnummer")
        r.title(s.tittel, f"{w}/tittel")
        r.sak_status(s.status, f"{w}/status")
        if s.lenke is not None:
            r.link(s.lenke, f"{w}/lenke")
        for attempt in range(3):
            try:
                with self.store.write() as conn:
                    return self._update_case(conn, s)
            except exc.IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _update_case(self, conn: Connection, s: SakInn) -> tuple[Warning_, ...]:
        st = t.sak
        now = rows.when(self.clock.now(conn))
        values = {
            "tittel": s.tittel,
            "status": s.status,
            "tidspunkt": rows.when(s.tidspunkt),
            "lenke": s.lenke,
            "oppdatert": now,
        }
        row = conn.execute(
            select(st).where(
                st.c.avsender_orgnr == s.avsenderOrgnr, st.c.saksnummer == s.saksnummer
            )
        ).first()
        if row is None:
            key = conn.execute(
                st.insert(),
                values
                | {
                    "mottaker": s.mottaker,
                    "avsender_orgnr": s.avsenderOrgnr,
                    "saksnummer": s.saksnummer,
                },
            ).inserted_primary_key
            assert key is not None
            rows.add_historikk(conn, "sak", int(key[0]), s.status, s.tidspunkt)
            return ()
        self.rules.sak_mottaker(row.mottaker, s.mottaker, "sak/mottaker")
        stored = rows.moment(row.tidspunkt)
        if s.tidspunkt < stored:
            return (
                (
                    "SAK_OUTDATED",
                    f"sak/tidspunkt {s.tidspunkt.isoformat()} is older than the case's "
                    f"{stored.isoformat()} ({row.status}); this update was ignored",
                ),
            )
        self.rules.sak_forward(row.status, s.status, "sak/status")
        conn.execute(st.update().where(st.c.id == row.id), values)
        if s.status != row.status:
            rows.add_historikk(conn, "sak", row.id, s.status, s.tidspunkt)
        return ()

    def cases_for(self, mottaker: str) -> list[Sak]:
        """The citizen's cases, the most recently updated first."""
        st = t.sak
        with self.store.read() as conn:
            found = conn.execute(
                select(st)
                .where(st.c.mottaker == mottaker)
                .order_by(st.c.tidspunkt.desc(), st.c.id.desc())
            ).all()
            return [rows.sak(conn, row) for row in found]

    # ------------------------------------------------------------ the admin side, the judge

    def contents(self) -> dict[str, list[dict[str, Any]]]:
        """Everything MinSide holds, for judging a client: ``tjenester``, ``meldinger`` (with
        their attachments' bytes and status history) and ``saker`` (with theirs), each a list
        of the records as dicts (times as ISO 8601 text), in the order they arrived."""
        with self.store.read() as conn:
            tjenester = [
                rows.tjeneste(r)
                for r in conn.execute(select(t.tjeneste).order_by(t.tjeneste.c.registrert))
            ]
            meldinger = [
                rows.melding(conn, r)
                for r in conn.execute(select(t.melding).order_by(t.melding.c.id)).all()
            ]
            saker = [
                rows.sak(conn, r) for r in conn.execute(select(t.sak).order_by(t.sak.c.id)).all()
            ]
        return {
            "tjenester": [_plain(x) for x in tjenester],
            "meldinger": [_plain(x) for x in meldinger],
            "saker": [_plain(x) for x in saker],
        }

    def reset(self) -> None:
        """Forget every service, message and case."""
        self.store.clear(*(table.name for table in t.ALL))

    def counts(self) -> dict[str, int]:
        """How many services, messages and cases MinSide holds (``/__admin/state``)."""
        with self.store.read() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in (
                    ("minside_tjenester", t.tjeneste),
                    ("minside_meldinger", t.melding),
                    ("minside_saker", t.sak),
                )
            }


def _not_user() -> tuple[Warning_, ...]:
    return (
        (
            "MOTTAKER_NOT_USER",
            "melding/mottaker is not a user of MinSide; the message was not delivered "
            "(meldingStatus AVVIST)",
        ),
    )


def _plain(record: Any) -> dict[str, Any]:
    return {k: _value(v) for k, v in dataclasses.asdict(record).items()}


def _value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _value(x) for k, x in v.items()}
    return v
