"""Hot statements, run on the database driver's own cursor inside SQLAlchemy's transaction.

The statements a request runs every time (the archive's lookups by id, its counters, its
inserts, the journal's row) are built once with SQLAlchemy (``noark4ws.queries``). Executing
one through ``Connection.execute`` still costs about 40 µs of SQLAlchemy's execution and result
machinery where SQLite's own work is a few (benchmarks/profile_noark4ws.py), and a Put runs a
dozen. On SQLite these functions compile a statement once per shape and run it on the cursor of
the transaction ``conn`` already holds, so the transaction, its locks and its commit stay
SQLAlchemy's and ``Store``'s. On any other database they are ``conn.execute``.

The columns they read and write must be of types the driver takes and returns as they are
(integers, floats, text, bytes, None), as the archive's and the journal's are: no result
processing happens on this path.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.schema import ScalarElementColumnDefault

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters' order in ``sql`` (qmark style)
    fixed: Mapping[str, Any]  # the values the statement binds itself (``value + 1``)
    row_type: Any  # a namedtuple class over the columns a row has, or None

    def values(self, params: Params) -> tuple[Any, ...]:
        fixed = self.fixed
        # From a list, not a generator: CPython sizes a generator's tuple by guessing and then
        # resizing it, which left a free tuple of every row's size behind each call; their free
        # lists filled and held about 0.8 MB of a served worker (and the list is faster).
        return tuple([params[n] if n in params else fixed[n] for n in self.names])


@dataclass(frozen=True)
class Ran:
    """What a data-changing statement did."""

    rowcount: int
    lastrowid: int | None


_cache: dict[tuple[ClauseElement, str, tuple[str, ...]], Compiled] = {}
# The hot statements are module constants, a few dozen shapes; a caller building statements
# per call would otherwise grow the cache without end.
_CACHE_MAX = 1024


def compiled(statement: ClauseElement, dialect: Dialect, keys: Sequence[str]) -> Compiled:
    """``statement`` as SQL for ``dialect``, for parameters named ``keys`` (compiled once)."""
    shape = (statement, dialect.name, tuple(keys))
    found = _cache.get(shape)
    if found is not None:
        return found
    # An INSERT's columns are the keys it is given; other statements bind named parameters.
    column_keys = list(keys) if isinstance(statement, Insert) else None
    c = cast(SQLCompiler, statement.compile(dialect=dialect, column_keys=column_keys))
    # A SELECT's columns, or what an INSERT, UPDATE or DELETE returns (none without RETURNING).
    exported = getattr(statement, "exported_columns", ())
    columns = [str(column.key) for column in exported]
    row_type = namedtuple("Row", columns, rename=True) if columns else None
    names = tuple(c.positiontup or ())
    fixed = {n: c.binds[n].effective_value for n in names if n not in keys}
    # An INSERT fills the columns it is not given from their defaults, which SQLAlchemy
    # computes as it executes: a constant one is taken here, anything else is not for this path.
    for column in c.insert_prefetch:
        default = column.default
        if not isinstance(default, ScalarElementColumnDefault):
            raise ValueError(f"{column} has a default computed at run time: use conn.execute")
        fixed[column.key] = default.arg
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    found = _cache[shape] = Compiled(str(c), names, fixed, row_type)
    return found


def _on_driver(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def rows(conn: Connection, statement: ClauseElement, params: Params) -> list[Any]:
    """The rows of a SELECT (or a statement with RETURNING), as named tuples (``row.id``)."""
    if not _on_driver(conn):
        return list(conn.execute(statement, params))  # type: ignore[call-overload]
    c = compiled(statement, conn.dialect, list(params))
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(c.sql, c.values(params))
        return [c.row_type._make(values) for values in cursor.fetchall()]
    finally:
        cursor.close()


def first(conn: Connection, statement: ClauseElement, params: Params) -> Any | None:
    """The first row of ``rows``, or None."""
    found = rows(conn, statement, params)
    return found[0] if found else None


def run(conn: Connection, statement: ClauseElement, params: Params | Sequence[Params]) -> Ran:
    """Run an INSERT, UPDATE or DELETE with one set of parameters, or with each of several
    (``executemany``); its row count and, for one INSERT, the new row's id."""
    one: Params | None = params if isinstance(params, Mapping) else None
    batch: list[Params] = [] if one is not None else list(cast(Sequence[Params], params))
    if not _on_driver(conn):
        result = conn.execute(statement, one if one is not None else batch)  # type: ignore[call-overload]
        key = (
            None
            if one is None or not isinstance(statement, Insert)
            else result.inserted_primary_key
        )
        return Ran(result.rowcount, None if not key else int(key[0]))
    if one is None and not batch:
        return Ran(0, None)
    c = compiled(statement, conn.dialect, list(one if one is not None else batch[0]))
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if one is None:
            cursor.executemany(c.sql, [c.values(p) for p in batch])
            return Ran(cursor.rowcount, None)
        cursor.execute(c.sql, c.values(one))
        return Ran(cursor.rowcount, cursor.lastrowid)
    finally:
        cursor.close()
