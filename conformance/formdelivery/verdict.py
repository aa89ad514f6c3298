"""How a form-delivery test ends: the problems a check found, as one failure with evidence.

The evidence is what the engine sent: the archive's and the register's record of the
exchanges of the first delivery a problem names (the last few of them), so a report shows the
request that decided the requirement.
"""

from __future__ import annotations

from collections.abc import Sequence

from tpn.conformance import evidence
from tpn.conformance.client.verdict import SHOWN, fail_with
from tpn.conformance.formdelivery.fixtures import Deliveries
from tpn.conformance.outcomes import not_applicable

__all__ = ["SHOWN", "judge", "reported"]


def judge(fd: Deliveries, problems: Sequence[str], recorder: evidence.Recorder | None) -> None:
    """Fail with ``problems``, if any, keeping the first named delivery's exchanges."""
    by_id = {a.delivery.id: a.exchanges for a in fd.arrivals}
    fail_with(problems, lambda job: by_id.get(job, []), recorder)


def reported(fd: Deliveries) -> None:
    """Requirements on the engine's own report do not apply where a person delivered."""
    if fd.manual:
        not_applicable("the deliveries were made by hand: the engine reported nothing")
