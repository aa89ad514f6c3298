"""``FileLock.held_if_free``: the lock when nobody holds it, nothing (and no wait) when another
holder has it, and released on every way out."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tpn.mocks.core.flock import FileLock


def _free(path: Path) -> bool:
    """Whether a holder of its own (another descriptor, as another process has) gets the lock."""
    other = FileLock(str(path))
    try:
        with other.held_if_free() as fd:
            return fd is not None
    finally:
        other.close()


def test_a_free_lock_is_held_and_then_released(tmp_path: Path) -> None:
    lock = FileLock(str(tmp_path / "l"))
    with lock.held_if_free() as fd:
        assert fd is not None
        assert not _free(tmp_path / "l")
    assert _free(tmp_path / "l")
    lock.close()


def test_a_lock_another_descriptor_holds_is_not_waited_for(tmp_path: Path) -> None:
    holder, lock = FileLock(str(tmp_path / "l")), FileLock(str(tmp_path / "l"))
    with holder.held(), lock.held_if_free() as fd:
        assert fd is None
    with lock.held_if_free() as fd:  # its thread's mutex was given back too
        assert fd is not None
    holder.close()
    lock.close()


def test_a_lock_another_thread_holds_is_not_waited_for(tmp_path: Path) -> None:
    lock = FileLock(str(tmp_path / "l"))
    seen: list[int | None] = []
    with lock.held():
        thread = threading.Thread(target=lambda: seen.append(_held_if_free(lock)))
        thread.start()
        thread.join(timeout=10)
        assert not thread.is_alive()
    assert seen == [None]
    assert _held_if_free(lock) is not None
    lock.close()


def _held_if_free(lock: FileLock) -> int | None:
    with lock.held_if_free() as fd:
        return fd


def test_a_body_that_raises_releases_the_lock(tmp_path: Path) -> None:
    lock = FileLock(str(tmp_path / "l"))
    with pytest.raises(RuntimeError), lock.held_if_free() as fd:
        assert fd is not None
        raise RuntimeError("the move failed")
    assert _free(tmp_path / "l")
    with lock.held():  # the mutex too: this would wait for ever
        pass
    lock.close()
