"""How a minside-client test ends: its requirement's check (``judge.CHECKS``) over every job
of the run, failed with the problems and the first named job's exchanges as evidence."""

from __future__ import annotations

from tpn.conformance.client.verdict import fail_with
from tpn.conformance.minsideclient.fixtures import Jobs
from tpn.conformance.minsideclient.judge import CHECKS, REPORTED
from tpn.conformance.outcomes import not_applicable
from tpn.conformance.results import Run


def verdict(ms: Jobs, requirement: str, tpn_run: Run) -> None:
    """Judge ``requirement`` over the run's jobs; not applicable where a person did them and
    the requirement is on the client's own report."""
    if ms.manual and requirement in REPORTED:
        not_applicable("the jobs were done by hand: the client reported nothing")
    problems = CHECKS[requirement](ms.arrivals)
    by_id = {a.step.id: a.exchanges for a in ms.arrivals}
    fail_with(problems, lambda job: by_id.get(job, []), tpn_run.recorder)
