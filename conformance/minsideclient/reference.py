"""The reference MinSide client, asked in this process: the code ``tpn eservice act`` runs,
handed each job's JSON by the shared ``tpn.conformance.client.InProcessAsker``.

The job goes through the same JSON the other ways see (``Job.to_json`` → ``parse_job``), so
the client reads exactly what a command or a webhook would; only the process is saved (a run
asks for some twenty jobs, and the defect matrix for a run per defect).
"""

from __future__ import annotations

from tpn.conformance.client import Asker, InProcessAsker


def reference_asker(timeout: float, defects: tuple[str, ...]) -> tuple[Asker, str]:
    """The asker of the reference client (one ``EService`` for the run, with the run's
    defects), and what the report calls it."""
    from tpn.mocks.minsideclient import EService, JobError, parse_job
    from tpn.mocks.minsideclient.defects import policies

    service = EService(policies(defects), timeout=timeout)

    def act(data: bytes) -> tuple[bool, str]:
        try:
            job = parse_job(data)
        except JobError as exc:
            return False, f"the job was refused: {exc}"
        result = service.act(job)
        return result.success, result.detail

    with_defects = f" with {', '.join(defects)}" if defects else ""
    name = f"tpn eservice act (in process){with_defects}"
    return InProcessAsker(act, name), name
