"""The reference archive's tables.

Each case and entry is kept as its stored message (JSON of the model, through the codec) beside
the columns the archive looks things up by: numbers, status, external keys. Document bytes live
in their own table, so a Get without ``returnFil`` never reads them. Searchable values (also
those inside child lists, such as party names) are kept in ``n4_search``, one row a value.
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

sak = Table(
    "n4_sak",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("saar", Integer, nullable=False),
    Column("seknr", Integer, nullable=False),
    Column("status", String(4), nullable=False),
    Column("ext_system", Text),
    Column("ext_key", Text),
    Column("jp_count", Integer, nullable=False, default=0),
    Column("data", Text, nullable=False),
    UniqueConstraint("saar", "seknr", name="n4_sak_saksnummer"),
    UniqueConstraint("ext_system", "ext_key", name="n4_sak_ekstern"),
)

journpost = Table(
    "n4_journpost",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sak_id", Integer, ForeignKey("n4_sak.id"), nullable=False),
    Column("jaar", Integer, nullable=False),
    Column("seknr", Integer, nullable=False),
    Column("jpostnr", Integer, nullable=False),
    Column("status", String(4), nullable=False),
    Column("ext_system", Text),
    Column("ext_key", Text),
    Column("data", Text, nullable=False),
    UniqueConstraint("jaar", "seknr", name="n4_jp_lopenummer"),
    UniqueConstraint("sak_id", "jpostnr", name="n4_jp_dokumentnummer"),
    UniqueConstraint("ext_system", "ext_key", name="n4_jp_ekstern"),
)

dokument = Table(
    "n4_dokument",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("journpost_id", Integer, ForeignKey("n4_journpost.id"), nullable=False),
    Column("rnr", Integer, nullable=False),
    Column("meta", Text, nullable=False),
    Column("content", LargeBinary),
    Column("sha256", String(64)),
    UniqueConstraint("journpost_id", "rnr", name="n4_dok_rnr"),
)

counter = Table(
    "n4_counter",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Integer, nullable=False),
)

search = Table(
    "n4_search",
    metadata,
    Column("kind", String(4), nullable=False),  # "sak" or "jp"
    Column("object_id", Integer, nullable=False),
    Column("field", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("folded", Text, nullable=False),
    Index("n4_search_lookup", "kind", "field", "folded"),
    Index("n4_search_object", "kind", "object_id"),
)

ALL = (search, dokument, journpost, sak, counter)
