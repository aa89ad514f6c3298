"""What the MinSide client's tests share: MinSide alone in a thread, and a runner that does a
plan's jobs with the reference client (or a defective one) in process, as the suite does."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tpn.conformance.minsideclient.plan import Step, plan
from tpn.conformance.minsideclient.reference import reference_asker
from tpn.conformance.minsideclient.run import Arrival, Runner, services

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from tpn.mocks.minside.mock import MinSideMock

SEED = 7
TIMEOUT = 1.0  # the client's per-request timeout: the delay fault holds 2 s


@contextmanager
def minside() -> Iterator[MinSideMock]:
    with MinSideMock() as mock:
        yield mock


def steps(level: str = "full", *, ids: Sequence[str] = ()) -> list[Step]:
    """The plan's jobs (those of ``ids``, where given, an id ending in '-' naming every job it
    begins; in the plan's order)."""
    found = plan(level, SEED)
    return [
        s
        for s in found
        if not ids or any(s.id == i or (i.endswith("-") and s.id.startswith(i)) for i in ids)
    ]


def act(
    mock: MinSideMock,
    folder: Path,
    chosen: Sequence[Step],
    *defects: str,
    deadline: float = 30.0,
) -> list[Arrival]:
    """Do ``chosen`` with the reference client (with ``defects``) against a fresh ``mock``,
    each job within ``deadline`` seconds."""
    mock.reset()
    runner = Runner(
        mocks=mock,
        asker=reference_asker(TIMEOUT, tuple(defects))[0],
        contents=mock.minside.contents,
        services=services(mock.base_url, None, None),
        run_id="test",
        files=folder,
        client_timeout=TIMEOUT,
        deadline=deadline,
    )
    return runner.run(list(chosen))


def by_id(arrivals: Sequence[Arrival]) -> dict[str, Arrival]:
    return {a.step.id: a for a in arrivals}
