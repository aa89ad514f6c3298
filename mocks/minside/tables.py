"""MinSide's tables in the shared store (``tpn.mocks.core.store.metadata``).

Each row keeps the columns MinSide looks things up by (the owner, the sender's keys, the
citizen, the status) beside what it only shows. A message's attachments live in their own table,
so a list of messages never reads their bytes. ``ms_historikk`` holds every status a message or
a case has had, in order, for the client profile's judge (``MinSide.contents``).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from tpn.mocks.core.store import metadata

tjeneste = Table(
    "ms_tjeneste",
    metadata,
    Column("tjeneste_id", String(64), primary_key=True),
    Column("kommunenummer", String(4), nullable=False),
    Column("eier_orgnr", String(9), nullable=False),
    Column("kategori", String(32), nullable=False),
    Column("url", Text, nullable=False),
    Column("sikkerhetsnivaa", Integer, nullable=False),
    Column("registrert", String(32), nullable=False),
    Column("endret", String(32), nullable=False),
    Column("data", Text, nullable=False),  # navn, beskrivelse, skjemaId (JSON)
)

melding = Table(
    "ms_melding",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("melding_id", String(40), nullable=False, unique=True),
    Column("mottaker", String(11), nullable=False),
    Column("avsender_orgnr", String(9), nullable=False),
    Column("ekstern_referanse", Text, nullable=False),
    # SHA-256 of everything sent: tells a resend of the same message from a reused reference.
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("aarsak", Text),
    Column("mottatt", String(32), nullable=False),
    Column("data", Text, nullable=False),  # the rest of the message (JSON)
    UniqueConstraint("avsender_orgnr", "ekstern_referanse", name="ms_melding_ekstern"),
    Index("ms_melding_mottaker", "mottaker"),
)

vedlegg = Table(
    "ms_vedlegg",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("melding_id", Integer, ForeignKey("ms_melding.id"), nullable=False),
    Column("nr", Integer, nullable=False),
    Column("filnavn", Text, nullable=False),
    Column("mime_type", String(100), nullable=False),
    Column("content", LargeBinary, nullable=False),
    UniqueConstraint("melding_id", "nr", name="ms_vedlegg_nr"),
)

sak = Table(
    "ms_sak",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mottaker", String(11), nullable=False),
    Column("avsender_orgnr", String(9), nullable=False),
    Column("saksnummer", String(16), nullable=False),
    Column("tittel", Text, nullable=False),
    Column("status", String(24), nullable=False),
    Column("tidspunkt", String(32), nullable=False),
    Column("lenke", Text),
    Column("oppdatert", String(32), nullable=False),
    UniqueConstraint("avsender_orgnr", "saksnummer", name="ms_sak_saksnummer"),
    Index("ms_sak_mottaker", "mottaker"),
)

historikk = Table(
    "ms_historikk",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(8), nullable=False),  # "melding" or "sak"
    Column("object_id", Integer, nullable=False),
    Column("status", String(24), nullable=False),
    Column("tidspunkt", String(32), nullable=False),
    Index("ms_historikk_object", "kind", "object_id"),
)

ALL = (historikk, vedlegg, melding, sak, tjeneste)
