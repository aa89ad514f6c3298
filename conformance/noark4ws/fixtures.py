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
def n4ws_target(request: pytest.FixtureRequest, tpn_run: Run) -> Iterator[Target]:
    """The archive under test: ``--tpn-target``, or the reference archive started for the run."""
    from tpn.conformance.outcomes import SuiteError
    from tpn.conformance.target import Target

    opt = request.config.option
    if opt.tpn_target:
        auth = (opt.tpn_user, opt.tpn_password) if opt.tpn_user else None
        target = Target(
            opt.tpn_target,
            auth,
            reference=False,
            exclusive=opt.tpn_exclusive,
            ca_bundle=opt.tpn_ca_bundle,
            guard=tpn_run.guard,
        )
        tpn_run.target = target
        yield target
        return
    from tpn.conformance.noark4ws.reference import embedded_reference

    try:
        reference = embedded_reference(tuple(opt.tpn_defect), tpn_run.guard)
        target = reference.__enter__()
    except Exception as exc:
        raise SuiteError(f"the embedded reference archive could not start: {exc!r}") from exc
    tpn_run.target = target
    try:
        yield target
    finally:
        reference.__exit__(None, None, None)


@pytest.fixture(scope="session")
def n4ws(n4ws_target: Target, tpn_run: Run) -> Iterator[Archive]:
    """The target archive: the suite's zeep client bound to it, recording evidence."""
    from tpn.conformance.noark4ws.budget import Spent
    from tpn.conformance.noark4ws.client import Archive

    spent = Spent(tpn_run.level, tpn_run.examples)
    archive = Archive(n4ws_target, tpn_run.recorder, spent, tpn_run.run_id)
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
