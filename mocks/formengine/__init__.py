"""The reference form engine: a client that delivers KS skjema-XML forms into the archive.

It is the form-delivery profile's reference implementation (it must pass every requirement of
``fixtures/standards/formdelivery/requirements.toml``) and, built with a defect, a realistic
vendor mistake the suite must catch. It reads the suite's job (``job.py``), writes its own form
document from the job's data, completed from Enhetsregisteret for an organisation (``form.py``,
``register.py``), renders it as PDF (``render.py``) and puts one case and one entry into the
Noark-4 WS archive (``messages.py``, ``archive.py``), with bounded retries that resend the same
external keys (``engine.py``). Every choice a vendor's engine might make otherwise is a seam of
``policies.py``; the defects (``defects/``) replace seams, never branch inside the engine.
"""

from __future__ import annotations

from tpn.mocks.formengine.engine import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    Attempt,
    Engine,
    Result,
)
from tpn.mocks.formengine.job import DeliveryJob, JobError, parse_job, read_job
from tpn.mocks.formengine.messages import SYSTEM
from tpn.mocks.formengine.policies import REFERENCE, Policies

__all__ = [
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "REFERENCE",
    "SYSTEM",
    "Attempt",
    "DeliveryJob",
    "Engine",
    "JobError",
    "Policies",
    "Result",
    "engine",
    "parse_job",
    "read_job",
]


def engine(
    defects: tuple[str, ...] | list[str] = (),
    *,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
) -> Engine:
    """The reference engine, or one with the named ``defects`` (a ValueError names unknown
    ones and every known defect)."""
    from tpn.mocks.formengine.defects import policies

    return Engine(policies(defects), timeout=timeout, retries=retries)
