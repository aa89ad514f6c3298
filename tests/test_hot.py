"""The hot path runs statements on the driver's cursor: it must answer as SQLAlchemy does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from tpn.mocks.core import hot
from tpn.mocks.core.store import Store

meta = MetaData()
things = Table(
    "hot_things",
    meta,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False),
    Column("count", Integer, nullable=False, default=7),
    Column("blob", LargeBinary),
)
stamped = Table(
    "hot_stamped",
    meta,
    Column("id", Integer, primary_key=True),
    Column("at", String(40), default=lambda: "computed"),
)

BY_NAME = select(things.c.id, things.c.name, things.c.count, things.c.blob).where(
    things.c.name == bindparam("name")
)
COUNT_ALL = select(func.count()).select_from(things)
BUMP = update(things).where(things.c.id == bindparam("thing")).values(count=things.c.count + 1)
ADD = insert(things)
DROP = delete(things).where(things.c.name == bindparam("name"))


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = "sqlite://" if request.param == "memory" else f"sqlite:///{tmp_path / 'hot.db'}"
    s = Store(url)
    meta.create_all(s.engine)
    yield s
    s.engine.dispose()


def _add(store: Store, **row: Any) -> int:
    with store.write() as conn:
        ran = hot.run(conn, ADD, row)
    assert ran.lastrowid is not None
    return ran.lastrowid


def test_rows_are_what_sqlalchemy_returns(store: Store) -> None:
    _add(store, name="a", count=1, blob=b"\x00\xff")
    _add(store, name="a", count=2, blob=None)
    _add(store, name="b", count=3, blob=b"")
    with store.read() as conn:
        ours = hot.rows(conn, BY_NAME, {"name": "a"})
        theirs = conn.execute(BY_NAME, {"name": "a"}).all()
    assert [tuple(r) for r in ours] == [tuple(r) for r in theirs]
    assert [r.count for r in ours] == [1, 2] and ours[0].blob == b"\x00\xff"


def test_first_is_none_when_nothing_matches(store: Store) -> None:
    with store.read() as conn:
        assert hot.first(conn, BY_NAME, {"name": "nobody"}) is None
        assert hot.first(conn, COUNT_ALL, {})[0] == 0


def test_insert_gives_the_new_id_and_fills_a_constant_default(store: Store) -> None:
    first_id = _add(store, name="x")
    second_id = _add(store, name="y", count=3)
    assert second_id == first_id + 1
    with store.read() as conn:
        assert hot.first(conn, BY_NAME, {"name": "x"}).count == 7  # the column's default
        assert hot.first(conn, BY_NAME, {"name": "y"}).count == 3


def test_a_default_computed_at_run_time_is_refused_not_skipped(store: Store) -> None:
    with store.write() as conn, pytest.raises(ValueError, match="computed at run time"):
        hot.run(conn, insert(stamped), {"id": 1})


def test_a_statement_binding_its_own_literal_runs_with_it(store: Store) -> None:
    thing = _add(store, name="z", count=1)
    with store.write() as conn:
        assert hot.run(conn, BUMP, {"thing": thing}).rowcount == 1
        assert hot.run(conn, BUMP, {"thing": thing + 100}).rowcount == 0
    with store.read() as conn:
        assert hot.first(conn, BY_NAME, {"name": "z"}).count == 2  # count + 1, the 1 fixed


def test_many_rows_in_one_call_and_their_count(store: Store) -> None:
    with store.write() as conn:
        ran = hot.run(conn, ADD, [{"name": "m", "count": n} for n in range(5)])
        assert ran.rowcount == 5 and ran.lastrowid is None
        assert hot.run(conn, ADD, []).rowcount == 0
        assert hot.run(conn, DROP, {"name": "m"}).rowcount == 5


def test_the_hot_path_is_inside_the_transaction(store: Store) -> None:
    """A failure after a hot write rolls it back with everything else."""
    with pytest.raises(RuntimeError), store.write() as conn:
        hot.run(conn, ADD, {"name": "gone"})
        raise RuntimeError("after the write")
    with store.read() as conn:
        assert hot.first(conn, BY_NAME, {"name": "gone"}) is None


def test_other_databases_take_the_ordinary_path(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the driver is not SQLite the same calls go through ``conn.execute``."""
    monkeypatch.setattr(hot, "_on_driver", lambda conn: False)
    with store.write() as conn:
        ran = hot.run(conn, ADD, {"name": "o", "count": 4})
        assert ran.lastrowid is not None and ran.rowcount == 1
        assert hot.run(conn, ADD, [{"name": "o", "count": 5}]).rowcount == 1
        assert [r.count for r in hot.rows(conn, BY_NAME, {"name": "o"})] == [4, 5]


def test_the_compiled_cache_stays_bounded(store: Store) -> None:
    with store.read() as conn:
        for n in range(hot._CACHE_MAX + 10):
            hot.first(conn, select(things.c.id).where(things.c.id == n), {})
    assert len(hot._cache) <= hot._CACHE_MAX
