"""Rows of MinSide's tables read back as records (``records.py``), and times kept as text.

Times are stored as ISO 8601 text of the test clock's naive local time, which sorts as it reads.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from tpn.mocks.minside import tables as t
from tpn.mocks.minside.records import Melding, Sak, Statusendring, Tjeneste, Vedlegg


def when(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def tjeneste(row: Row[Any]) -> Tjeneste:
    data = json.loads(row.data)
    return Tjeneste(
        tjenesteId=row.tjeneste_id,
        kommunenummer=row.kommunenummer,
        eierOrgnr=row.eier_orgnr,
        navn=data["navn"],
        beskrivelse=data.get("beskrivelse"),
        url=row.url,
        sikkerhetsnivaa=row.sikkerhetsnivaa,
        kategori=row.kategori,
        skjemaId=data.get("skjemaId"),
        registrert=moment(row.registrert),
        endret=moment(row.endret),
    )


def historikk(conn: Connection, kind: str, object_id: int) -> tuple[Statusendring, ...]:
    h = t.historikk
    rows = conn.execute(
        select(h.c.status, h.c.tidspunkt)
        .where(h.c.kind == kind, h.c.object_id == object_id)
        .order_by(h.c.id)
    )
    return tuple(Statusendring(r.status, moment(r.tidspunkt)) for r in rows)


def add_historikk(
    conn: Connection, kind: str, object_id: int, status: str, at: dt.datetime
) -> None:
    conn.execute(
        t.historikk.insert(),
        {"kind": kind, "object_id": object_id, "status": status, "tidspunkt": when(at)},
    )


def vedlegg(conn: Connection, row_id: int) -> tuple[Vedlegg, ...]:
    v = t.vedlegg
    rows = conn.execute(
        select(v.c.filnavn, v.c.mime_type, v.c.content)
        .where(v.c.melding_id == row_id)
        .order_by(v.c.nr)
    )
    return tuple(Vedlegg(r.filnavn, r.mime_type, bytes(r.content)) for r in rows)


def melding(conn: Connection, row: Row[Any]) -> Melding:
    data = json.loads(row.data)
    return Melding(
        meldingId=row.melding_id,
        mottaker=row.mottaker,
        avsenderOrgnr=row.avsender_orgnr,
        avsenderNavn=data["avsenderNavn"],
        tittel=data["tittel"],
        tekst=data["tekst"],
        lenke=data.get("lenke"),
        sikkerhetsnivaa=data["sikkerhetsnivaa"],
        eksternReferanse=row.ekstern_referanse,
        status=row.status,
        aarsak=row.aarsak,
        mottatt=moment(row.mottatt),
        vedlegg=vedlegg(conn, row.id),
        historikk=historikk(conn, "melding", row.id),
    )


def sak(conn: Connection, row: Row[Any]) -> Sak:
    return Sak(
        mottaker=row.mottaker,
        avsenderOrgnr=row.avsender_orgnr,
        saksnummer=row.saksnummer,
        tittel=row.tittel,
        status=row.status,
        tidspunkt=moment(row.tidspunkt),
        lenke=row.lenke,
        oppdatert=moment(row.oppdatert),
        historikk=historikk(conn, "sak", row.id),
    )
