"""The archive profile's embedded reference: the reference archive started for one run, when
the run names no ``--tpn-target``."""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tpn.conformance.target import Target
from tpn.conformance.transport import Guard


@contextmanager
def embedded_reference(
    defects: tuple[str, ...] = (), guard: Guard | None = None
) -> Iterator[Target]:
    """Start the reference archive (memory store, fresh credentials) for one run."""
    with warnings.catch_warnings():
        # Spyne 2.14 imports cgi, deprecated since 3.11: our dependency's noise, not the run's.
        warnings.simplefilter("ignore", DeprecationWarning)
        from tpn.mocks.core.config import MockConfig
        from tpn.mocks.noark4ws import ArchiveMock

    auth = ("tpn", secrets.token_urlsafe(12))
    # A defective archive may fail inside on purpose; only the reference must never do so.
    server: Any = ArchiveMock(MockConfig(auth=auth, defects=defects), raise_errors=not defects)
    with server:
        yield Target(
            url=server.url,
            auth=auth,
            reference=True,
            exclusive=True,
            defects=defects,
            guard=guard,
        )
