"""How a client profile's test ends: the problems its check found, as one failure with
evidence, the journal's record of what the product sent for the first job a problem names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pytest

from tpn.conformance import evidence

if TYPE_CHECKING:
    from tpn.mocks.core.journal import Exchange

SHOWN = 12  # problems listed in a failure; the rest are counted


def fail_with(
    problems: Sequence[str],
    exchanges_of: Callable[[str], Sequence[Exchange]],
    recorder: evidence.Recorder | None,
) -> None:
    """Fail with ``problems``, if any. Each problem begins with the id of its job;
    ``exchanges_of(job id)`` gives what the mocks recorded for that job, of which the last
    few are kept as evidence for the first problem's job."""
    if not problems:
        return
    if recorder is not None:
        first = problems[0].split(" ", 1)[0]
        for exchange in list(exchanges_of(first))[-evidence.KEEP :]:
            recorder.add(as_evidence(exchange))
    shown = "\n".join(f"- {p}" for p in problems[:SHOWN])
    more = f"\n(and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
    pytest.fail(f"{len(problems)} problem(s):\n{shown}{more}", pytrace=False)


def as_evidence(e: Exchange) -> evidence.Exchange:
    """A journal record as report evidence (what the product sent, what the mock answered)."""
    return evidence.Exchange(
        method="POST",
        url=f"{e.service} {e.operation}",
        status=e.http_status,
        request=evidence.Message.of({}, e.request),
        response=evidence.Message.of({}, e.response),
        elapsed_ms=e.duration_ms,
    )
