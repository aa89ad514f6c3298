"""Watching what a product sent: a window on a mock's journal, opened before a job is handed
over, so that what the product sent for that job is told apart from everything before it; and
``Mocks``, the mocks a client profile's run drives (journal, fault injection)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tpn.mocks.core.journal import Exchange

__all__ = ["Mocks", "Window", "wait_until"]


class Journaled(Protocol):
    """What the window reads: a mock's journal (``MockServer.journal``)."""

    def journal(self, *, after: int = 0, operation: str | None = None) -> list[Exchange]: ...


class Mocks(Journaled, Protocol):
    """The mocks a client profile's run sends the product to, as the run needs them: their
    address, their journal and their fault injection (``/__admin/faults``'s Python side)."""

    @property
    def base_url(self) -> str: ...

    def inject(
        self,
        kind: str,
        *,
        operation: str | None = ...,
        times: int = ...,
        seconds: float | None = ...,
        path: str | None = ...,
    ) -> int: ...

    def clear_faults(self) -> None: ...


class Window:
    """The exchanges a mock recorded since the window was opened."""

    def __init__(self, mock: Journaled) -> None:
        self.mock = mock
        seen = mock.journal()
        self.after = seen[-1].id if seen else 0

    def exchanges(self, operation: str | None = None) -> list[Exchange]:
        """What arrived since the window opened, oldest first (``operation``: only those)."""
        found: list[Exchange] = []
        after = self.after
        while True:  # the journal answers in pages
            page = self.mock.journal(after=after, operation=operation)
            found.extend(page)
            if not page:
                return found
            after = page[-1].id


def wait_until(done: Callable[[], bool], seconds: float, poll_seconds: float = 0.2) -> bool:
    """Whether ``done()`` came true within ``seconds`` (asked every ``poll_seconds``)."""
    deadline = time.monotonic() + seconds
    while True:
        if done():
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(poll_seconds, left))
