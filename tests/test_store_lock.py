"""The writers' lock of a file store covers the transaction, not the pool's bookkeeping."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from tpn.mocks.core import store as store_module
from tpn.mocks.core.store import Store


def test_pool_checkout_and_return_are_outside_the_writers_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every other writer waits while the lock is held: a checkout and a return (about 20 µs,
    a tenth of a PutJournpost's hold) need not be inside it."""
    store = Store(f"sqlite:///{tmp_path}/l.sqlite3")
    held = [False]
    seen: list[tuple[str, bool]] = []
    original = store_module._WriterLock.held

    @contextlib.contextmanager
    def watched(self: Any) -> Iterator[None]:
        with original(self):
            held[0] = True
            try:
                yield
            finally:
                held[0] = False

    monkeypatch.setattr(store_module._WriterLock, "held", watched)
    for name in ("checkout", "checkin"):
        event.listen(store.engine, name, lambda *_a, n=name: seen.append((n, held[0])))
    try:
        with store.write() as conn:
            assert held[0], "the transaction runs under the writers' lock"
            conn.execute(text("CREATE TABLE t (a INTEGER)"))
        with store.write() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
    finally:
        store.dispose()
    assert [n for n, _ in seen] == ["checkout", "checkin"] * 2
    assert not any(inside for _, inside in seen), seen
