"""The reference MinSide client: a municipality's e-service doing one job against MinSide.

``EService(policies, timeout=..., retries=...).act(job)`` returns a ``Result``: whether what
the job asked for was taken by MinSide, in one line why (or why not), and every attempt made.

- ``register-service``: RegistrerTjeneste with the job's service.
- ``publish-receipt``: OppdaterSaksstatus opens the case (MOTTATT, the archive's time), then
  SendMelding sends the receipt with its PDF; the case first, so the receipt's link leads to a
  case the citizen can see.
- ``update-case-status``: OppdaterSaksstatus with the archive's new status and time.

A call that fails in transit (``soap.Transient``) is sent again, the same request (the same
eksternReferanse, the same tidspunkt) after a short pause, at most ``retries`` times and never
past the job's deadline: MinSide takes a repeated SendMelding with the same eksternReferanse as
the first and a repeated case update as a refresh, so a resend after a commit whose answer was
lost makes no second message or case. An ERROR status is MinSide's answer, reported as a
failure without a resend; so is a request MinSide refuses as a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tpn.mocks.minsideclient import messages
from tpn.mocks.minsideclient.job import ClientJob
from tpn.mocks.minsideclient.policies import REFERENCE, Policies
from tpn.mocks.minsideclient.soap import Answer, MinSideClient, Refused, Transient

DEFAULT_TIMEOUT = 10.0  # seconds, per MinSide request
DEFAULT_RETRIES = 3
FIRST_PAUSE = 0.2  # pauses before resends grow from this, doubling, to at most MAX_PAUSE
MAX_PAUSE = 2.0
MARGIN = 2.0  # the client answers this much before the job's deadline (a tenth of it at most)


@dataclass(frozen=True)
class Attempt:
    operation: str
    number: int
    outcome: str  # OK, WARNING, ERROR, transient, refused
    detail: str
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "attempt": self.number,
            "outcome": self.outcome,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Result:
    success: bool
    detail: str
    attempts: tuple[Attempt, ...] = ()
    meldingId: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "detail": self.detail,
            "meldingId": self.meldingId,
            "attempts": [a.to_json() for a in self.attempts],
        }


class _Failed(Exception):
    """The job cannot go on; the text says why."""


class EService:
    """The reference client; ``clients`` makes the SOAP client for a job's endpoints (tests
    and the in-process asker keep one per run)."""

    def __init__(
        self,
        policies: Policies = REFERENCE,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.policies = policies
        self.timeout = timeout
        self.retries = retries
        self.sleep = sleep
        self._clients: dict[tuple[Any, ...], MinSideClient] = {}

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def _client(self, job: ClientJob) -> MinSideClient:
        key = tuple(sorted((k, s.url, s.user, s.password) for k, s in job.services.items()))
        if key not in self._clients:
            self._clients[key] = MinSideClient(job.services, timeout=self.timeout)
        return self._clients[key]

    def act(self, job: ClientJob) -> Result:
        run = _Run(self, job)
        try:
            detail = run.do()
        except _Failed as exc:
            return Result(False, str(exc), tuple(run.attempts), run.melding_id)
        return Result(True, detail, tuple(run.attempts), run.melding_id)


class _Run:
    """One job's calls, attempts and deadline."""

    def __init__(self, service: EService, job: ClientJob) -> None:
        self.s = service
        self.p = service.policies
        self.job = job
        self.started = time.monotonic()
        margin = min(MARGIN, job.deadline_seconds / 10)
        self.deadline = self.started + job.deadline_seconds - margin
        self.attempts: list[Attempt] = []
        self.melding_id: str | None = None

    def do(self) -> str:
        action = self.job.action
        i = self.job.inputs
        if action == "register-service":
            if self.p.registers:
                body = self.p.service_message(self.job, messages.service(self.job))
                self.call("tjenestekatalog", "RegistrerTjeneste", lambda n: {"tjeneste": body})
            return f"the service {i['tjenesteId']} is in the tjenestekatalog"
        if action == "publish-receipt":
            self.case(str(i["status"]))

            def receipt(n: int) -> dict[str, Any]:
                ref = self.p.reference(self.job, n, self.started)
                return {
                    "melding": self.p.receipt_message(self.job, messages.receipt(self.job, ref))
                }

            answer = self.call("meldingsboks", "SendMelding", receipt)
            self.melding_id = answer.meldingId
            return f"the receipt was sent (meldingId {answer.meldingId}); case {i['saksnummer']} MOTTATT"
        for status in self.p.statuses(self.job):
            self.case(status, final=status == i["status"])
        return f"case {i['saksnummer']} is {i['status']}"

    def case(self, status: str, *, final: bool = True) -> None:
        body = self.p.case_message(self.job, messages.case(self.job, status))
        try:
            self.call("minesaker", "OppdaterSaksstatus", lambda n: {"sak": body})
        except _Failed:
            if final:
                raise

    def call(
        self, service: str, operation: str, payload: Callable[[int], Mapping[str, Any]]
    ) -> Answer:
        client = self.s._client(self.job)
        total = self.p.attempts(self.s.retries)
        pause = FIRST_PAUSE
        last = ""
        for n in range(1, total + 1):
            left = self.deadline - time.monotonic()
            if left <= 0:
                break
            began = time.monotonic()
            try:
                answer = client.call(
                    service, operation, payload(n), timeout=min(self.s.timeout, left)
                )
            except Transient as exc:
                last = str(exc)
                self.note(operation, n, "transient", last, began)
                if n < total and self.deadline - time.monotonic() > pause:
                    self.s.sleep(pause)
                    pause = min(pause * 2, MAX_PAUSE)
                continue
            except Refused as exc:
                self.note(operation, n, "refused", str(exc), began)
                raise _Failed(f"{operation} was refused: {exc}") from None
            self.note(operation, n, answer.status, answer.describe(), began)
            if not self.p.stored(answer):
                raise _Failed(f"{operation} answered {answer.describe()}")
            return answer
        raise _Failed(f"{operation} failed after {len(self.attempts)} attempt(s): {last}")

    def note(self, operation: str, n: int, outcome: str, detail: str, began: float) -> None:
        self.attempts.append(Attempt(operation, n, outcome, detail, time.monotonic() - began))
