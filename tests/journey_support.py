"""The citizen's journey run in the test's process: the composed mocks (archive, register,
portal, MinSide), the reference form engine (with defects) asked in process, the suite's own
journey runner (``tpn.conformance.formdelivery.journey_run``)."""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tpn.conformance.client import InProcessAsker, Service
from tpn.conformance.formdelivery.journey_run import (
    Journey,
    Planned,
    applications,
    reference_metadata,
    runner_for,
)
from tpn.harness.engine import deliver_in_process
from tpn.mocks.core.config import MockConfig

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from tpn.mocks.compose import ComposedMock

SEED = 20311


def apps(*indices: int) -> list[Planned]:
    """The journey's applications (0: BankID, typed level 3, closed as F; 1: MinID, typed 4,
    closed as A; 2: the forged login)."""
    every = applications(SEED)
    return [every[i] for i in indices] if indices else every


@contextmanager
def journey(
    folder: Path, defects: Sequence[str] = (), chosen: Sequence[Planned] | None = None
) -> Iterator[tuple[Journey, ComposedMock]]:
    """Run the journey's applications (``chosen``, default all) against fresh mocks; the mocks
    keep running while the caller looks (the browser test walks MinSide's pages)."""
    password = secrets.token_urlsafe(9)
    with ComposedMock(MockConfig(auth=("tpn", password))) as mocks:
        base = mocks.base_url
        runner = runner_for(
            mocks,
            InProcessAsker(deliver_in_process(3.0, 1, list(defects)), "tpn engine deliver"),
            metadata=reference_metadata(),
            services={
                "archive": Service(f"{base}/noark4ws", "tpn", password),
                "register": Service(f"{base}/enhetsregisteret"),
            },
            run_id="journey-test",
            files=folder,
            deadline=30.0,
        )
        yield runner.run(list(chosen) if chosen is not None else apps()), mocks
