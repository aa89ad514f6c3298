"""How a form-delivery test ends: the problems a check found, as one failure with evidence.

The evidence is what the engine sent: the archive's and the register's record of the
exchanges of the first delivery a problem names (the last few of them), so a report shows the
request that decided the requirement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pytest

from tpn.conformance import evidence
from tpn.conformance.formdelivery.fixtures import Deliveries
from tpn.conformance.outcomes import not_applicable

if TYPE_CHECKING:
    from tpn.mocks.core.journal import Exchange

SHOWN = 12  # problems listed in a failure; the rest are counted


def judge(fd: Deliveries, problems: Sequence[str], recorder: evidence.Recorder | None) -> None:
    """Fail with ``problems``, if any, keeping the first named delivery's exchanges."""
    if not problems:
        return
    if recorder is not None:
        first = problems[0].split(" ", 1)[0]
        for arrival in fd.arrivals:
            if arrival.delivery.id == first:
                for exchange in arrival.exchanges[-evidence.KEEP :]:
                    recorder.add(_evidence(exchange))
                break
    shown = "\n".join(f"- {p}" for p in problems[:SHOWN])
    more = f"\n(and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
    pytest.fail(f"{len(problems)} problem(s):\n{shown}{more}", pytrace=False)


def reported(fd: Deliveries) -> None:
    """Requirements on the engine's own report do not apply where a person delivered."""
    if fd.manual:
        not_applicable("the deliveries were made by hand: the engine reported nothing")


def _evidence(e: Exchange) -> evidence.Exchange:
    """A journal record as report evidence (what the engine sent, what the mock answered)."""
    return evidence.Exchange(
        method="POST",
        url=f"{e.service} {e.operation}",
        status=e.http_status,
        request=evidence.Message.of({}, e.request),
        response=evidence.Message.of({}, e.response),
        elapsed_ms=e.duration_ms,
    )
