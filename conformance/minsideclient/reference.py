"""The reference MinSide client, asked in this process: an ``Asker`` that hands each job to
``tpn.mocks.minsideclient.EService`` as ``tpn eservice act`` would, without a process per job.

The job goes through the same JSON the other ways see (``Job.to_json`` → ``parse_job``), so
the client reads exactly what a command or a webhook would; only the process is saved (a run
asks for some twenty jobs, and the defect matrix for a run per defect).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from tpn.conformance.client import Asker, Job, Reply


class InProcessAsker:
    """Asks one ``EService`` (built once per run, with the run's defects)."""

    manual = False

    def __init__(self, timeout: float, defects: tuple[str, ...] = ()) -> None:
        from tpn.mocks.minsideclient import EService
        from tpn.mocks.minsideclient.defects import policies

        self.service = EService(policies(defects), timeout=timeout)
        self.defects = defects

    def describe(self) -> str:
        with_defects = f" with {', '.join(self.defects)}" if self.defects else ""
        return f"the reference MinSide client is asked in process{with_defects}"

    def ask(self, job: Job, arrived: Callable[[], bool]) -> Reply:
        from tpn.mocks.minsideclient import JobError, parse_job

        started = time.monotonic()
        try:
            parsed = parse_job(json.dumps(job.to_json()).encode("utf-8"))
        except JobError as exc:
            return Reply(False, f"the job was refused: {exc}", time.monotonic() - started)
        result = self.service.act(parsed)
        seconds = time.monotonic() - started
        return Reply(result.success, result.detail, seconds, json.dumps(result.to_json()))


def reference_asker(timeout: float, defects: tuple[str, ...]) -> tuple[Asker, str]:
    """The asker of the reference client, and what the report calls it."""
    return InProcessAsker(timeout, defects), "tpn eservice act (in process)"
