"""The archive's hot statements, built once.

Building a SQLAlchemy statement and its cache key on every call cost ~50 µs a statement
(benchmarks/profile_noark4ws.py); a Put runs a dozen. Built here once, with bound parameters,
each call only binds values. Parameter names start with ``b_`` because INSERT and UPDATE reserve
the column names for themselves.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select

from tpn.mocks.noark4ws.tables import counter, dokument, journpost, sak, search

SAK_BY_ID = select(sak).where(sak.c.id == bindparam("b_id"))
SAK_BY_NUMBERS = select(sak).where(
    sak.c.saar == bindparam("b_saar"), sak.c.seknr == bindparam("b_seknr")
)
SAK_BY_EXT = select(sak).where(
    sak.c.ext_system == bindparam("b_sys"), sak.c.ext_key == bindparam("b_key")
)
SAK_INSERT = sak.insert()
SAK_SET_JP_COUNT = (
    sak.update().where(sak.c.id == bindparam("b_id")).values(jp_count=bindparam("b_count"))
)
SAK_SET_DATA = sak.update().where(sak.c.id == bindparam("b_id")).values(data=bindparam("b_data"))

JP_BY_ID = select(journpost).where(journpost.c.id == bindparam("b_id"))
JP_BY_EXT = select(journpost).where(
    journpost.c.ext_system == bindparam("b_sys"), journpost.c.ext_key == bindparam("b_key")
)
JP_INSERT = journpost.insert()
JP_SET_DATA = (
    journpost.update().where(journpost.c.id == bindparam("b_id")).values(data=bindparam("b_data"))
)

COUNTER_NEXT = (
    counter.update()
    .where(counter.c.name == bindparam("b_name"))
    .values(value=counter.c.value + 1)
    .returning(counter.c.value)
)
COUNTER_INSERT = counter.insert()

SEARCH_DELETE = search.delete().where(
    search.c.kind == bindparam("b_kind"), search.c.object_id == bindparam("b_id")
)
SEARCH_INSERT = search.insert()

DOCS_OF = select(dokument.c.id, dokument.c.rnr, dokument.c.meta, dokument.c.sha256).where(
    dokument.c.journpost_id == bindparam("b_id")
)
DOCS_META = (
    select(dokument.c.meta)
    .where(dokument.c.journpost_id == bindparam("b_id"))
    .order_by(dokument.c.rnr)
)
DOCS_META_CONTENT = (
    select(dokument.c.meta, dokument.c.content)
    .where(dokument.c.journpost_id == bindparam("b_id"))
    .order_by(dokument.c.rnr)
)
DOC_INSERT = dokument.insert()
DOC_DELETE = dokument.delete().where(dokument.c.id == bindparam("b_id"))
