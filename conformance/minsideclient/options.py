"""The minside-client profile's own option checks (the rows are in ``tpn.conformance.options``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tpn.conformance.client import Job
from tpn.conformance.client.profile import check_ways
from tpn.conformance.minsideclient.plan import plan
from tpn.conformance.minsideclient.run import ALIASES, services

_STEP = next(s for s in plan("core", 0) if s.action == "publish-receipt")
# A job of the shape the suite writes, for checking a command template's placeholders: the
# receipt's inputs hold every input name an update's or a registration's do not.
_REGISTER = next(s for s in plan("core", 0) if s.action == "register-service")
EXAMPLE = Job(
    id="example",
    run="run",
    action="publish-receipt",
    inputs={**_REGISTER.inputs, **_STEP.inputs},
    files={"kvittering": Path("/kvittering.pdf")},
    services=services("http://m", "u", "p"),
    aliases=ALIASES,
)


def check_options(values: Mapping[str, Any]) -> None:
    check_ways(values, EXAMPLE)
