"""How a conformance test says a requirement does not apply to this target."""

from __future__ import annotations

from typing import NoReturn

import pytest

NOT_APPLICABLE = "not applicable: "


def not_applicable(reason: str) -> NoReturn:
    """End the test as *not applicable* (a report result that does not fail the run).

    For requirements that depend on something a target may legitimately not offer, such as a
    test clock for the year-boundary rules; the reason is shown in the report.
    """
    pytest.skip(NOT_APPLICABLE + reason)


class SuiteError(Exception):
    """The suite itself could not judge (its reference did not start, it overran its budget):
    the run ends with status 2, and no requirement is counted as the target's failure."""
