"""The reference MinSide client: a municipality's e-service that registers its service in
MinSide's tjenestekatalog, sends the applicant a receipt and keeps the case in "mine saker"
following the archive's case, over zeep against MinSide's WSDLs, retrying safely after faults.

It is a client like any vendor's product: it reads the suite's job (``job.read_job``) and
talks SOAP to whatever MinSide the job names (``soap``). ``tpn eservice act`` runs it on a job
file; the minside-client suite asks it in process. Its defects (``defects``) are realistic
vendor mistakes at the seams of ``policies.Policies``.
"""

from __future__ import annotations

from tpn.mocks.minsideclient.client import EService, Result
from tpn.mocks.minsideclient.job import ClientJob, JobError, parse_job, read_job

__all__ = ["ClientJob", "EService", "JobError", "Result", "parse_job", "read_job"]
