"""Fixtures of the Noark-4 WS suite (registered by the tpn plugin; names start ``n4ws``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # the plugin loads this module in every pytest run: no zeep until needed
    from tpn.conformance.noark4ws.client import Archive
    from tpn.conformance.results import Run
    from tpn.conformance.target import Target


@pytest.fixture(scope="session")
def n4ws(tpn_target: Target, tpn_run: Run) -> Iterator[Archive]:
    """The target archive: the suite's zeep client bound to it, recording evidence."""
    from tpn.conformance.noark4ws.budget import Spent
    from tpn.conformance.noark4ws.client import Archive

    spent = Spent(tpn_run.level, tpn_run.examples)
    archive = Archive(tpn_target, tpn_run.recorder, spent, tpn_run.run_id)
    yield archive
    tpn_run.created.update(
        cases=spent.cases, entries=spent.entries, document_bytes=spent.document_bytes
    )


@pytest.fixture
def n4ws_clock(n4ws: Archive) -> Iterator[Archive]:
    """The target's test clock, released after the test; not applicable where there is none."""
    from tpn.conformance.outcomes import not_applicable

    if not n4ws.clock_available():
        not_applicable(f"the target offers no test clock at {n4ws.target.admin_url}/clock")
    try:
        yield n4ws
    finally:
        n4ws.release_clock()
