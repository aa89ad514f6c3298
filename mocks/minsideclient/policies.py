"""The client's seams: every choice of a job that a vendor's e-service might make otherwise.

The reference client is built from ``REFERENCE``; a defect of the registry
(``defects/registry.py``) puts a vendor's variant into one or more of these fields, chosen once
when the client is built, so the client's code has no switch on a defect:

- ``reference``: the eksternReferanse of a receipt, given the job, the attempt's number and
  when the job began (the reference: the application's referanse, the same every time);
- ``service_message`` / ``receipt_message`` / ``case_message``: the last word on the
  RegistrerTjeneste / SendMelding / OppdaterSaksstatus object (the reference leaves each as
  built from the job);
- ``statuses``: the statuses an update-case-status job sends, in order (the reference: the
  archive's new one);
- ``registers``: whether a register-service job calls RegistrerTjeneste at all;
- ``attempts``: how many attempts a call gets, given ``--retries``;
- ``stored``: whether an answer means MinSide took the request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tpn.mocks.minsideclient.job import ClientJob
from tpn.mocks.minsideclient.soap import Answer

Message = dict[str, Any]
MessageFilter = Callable[[ClientJob, Message], Message]


def unchanged(job: ClientJob, message: Message) -> Message:
    return message


def application_reference(job: ClientJob, attempt: int, started: float) -> str:
    """The reference: one eksternReferanse per application, from its referanse, so a resend
    and a receipt asked for again are the same message to MinSide."""
    return f"kvittering-{job.inputs['referanse']}"


def the_new_status(job: ClientJob) -> list[str]:
    return [str(job.inputs["status"])]


def retries_and_first(retries: int) -> int:
    return retries + 1


def not_error(answer: Answer) -> bool:
    """The reference: taken unless MinSide answered ERROR (a WARNING is taken too)."""
    return answer.status in ("OK", "WARNING")


@dataclass(frozen=True)
class Policies:
    reference: Callable[[ClientJob, int, float], str] = application_reference
    service_message: MessageFilter = unchanged
    receipt_message: MessageFilter = unchanged
    case_message: MessageFilter = unchanged
    statuses: Callable[[ClientJob], list[str]] = the_new_status
    registers: bool = True
    attempts: Callable[[int], int] = retries_and_first
    stored: Callable[[Answer], bool] = not_error


REFERENCE = Policies()
