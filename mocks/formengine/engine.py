"""The delivery of one form: read the job, write the form, put the case, put the entry.

``Engine(policies, timeout=..., retries=...).deliver(job)`` returns a ``Result``: whether the
delivery arrived whole, in one line why (or why not), and every attempt made. A call that fails
in transit (``archive.Transient``) is sent again, the same request with the same external keys,
after a short pause, at most ``retries`` times and never past the job's deadline: the archive
takes a Put that names an existing external key as an update, so a resend after a commit whose
answer was lost makes no second case or entry. An ERROR status is the archive's answer, and is
reported as a failure without a resend; so is a request the archive refuses as a message. A
case that was made but whose entry fails for good is a failed delivery.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from tpn.mocks.formengine import form as forms
from tpn.mocks.formengine import messages, register
from tpn.mocks.formengine.archive import Answer, ArchiveClient, Refused, Transient
from tpn.mocks.formengine.form import Form, FormError
from tpn.mocks.formengine.job import DeliveryJob, JobError, read_document
from tpn.mocks.formengine.messages import Filing, Keys, Titles
from tpn.mocks.formengine.policies import REFERENCE, Policies
from tpn.mocks.formengine.register import Enhet, RegisterError

DEFAULT_TIMEOUT = 10.0  # seconds, per archive request
DEFAULT_RETRIES = 3
# Pauses before resends grow from this, doubling, to at most MAX_PAUSE.
FIRST_PAUSE = 0.2
MAX_PAUSE = 2.0
# The engine answers this much before the job's deadline (a tenth of it, at most this).
MARGIN = 2.0


@dataclass(frozen=True)
class Attempt:
    """One request the engine sent, and how it ended."""

    operation: str  # PutNoarksak, PutJournpost, register
    number: int  # 1 for the first attempt of this call
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
    """How a delivery ended: ``success`` exactly when the case and the entry were stored."""

    success: bool
    detail: str
    attempts: tuple[Attempt, ...] = ()
    case: dict[str, Any] = field(default_factory=dict)  # saId, saSaar, saSeknr when stored
    entry: dict[str, Any] = field(default_factory=dict)  # jpId, jpJaar, jpSeknr when stored

    def to_json(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "detail": self.detail,
            "case": self.case,
            "entry": self.entry,
            "attempts": [a.to_json() for a in self.attempts],
        }


class _Failed(Exception):
    """A delivery that ends here; the message is the Result's detail."""


class Engine:
    """The reference form engine (or, with other policies, a defective one)."""

    def __init__(
        self,
        policies: Policies = REFERENCE,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not timeout > 0:
            raise ValueError("timeout must be more than 0 seconds")
        if retries < 0:
            raise ValueError("retries must be 0 or more")
        self.policies = policies
        self.timeout = timeout
        self.retries = retries
        self._sleep = sleep

    def deliver(self, job: DeliveryJob) -> Result:
        run = _Run(self, job)
        try:
            return run.deliver()
        except (_Failed, JobError, FormError, RegisterError) as exc:
            return Result(False, str(exc), tuple(run.attempts), run.case, run.entry)


class _Run:
    """One delivery under way: its deadline and the attempts made so far."""

    def __init__(self, engine: Engine, job: DeliveryJob) -> None:
        self.engine = engine
        self.policies = engine.policies
        self.job = job
        margin = min(MARGIN, job.deadline_seconds / 10)
        self.deadline = time.monotonic() + job.deadline_seconds - margin
        self.attempts: list[Attempt] = []
        self.case: dict[str, Any] = {}
        self.entry: dict[str, Any] = {}

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def deliver(self) -> Result:
        p = self.policies
        form = self.form()
        xml = p.serialise(form.root)
        pdf = p.render(form)
        titles = p.titles(form)
        keys = p.keys(form)
        documents = messages.dokumenter(form, titles, xml, pdf)
        client = ArchiveClient(self.job.archive, timeout=self.engine.timeout)
        try:
            # Each case's keys, and the keys its last attempt sent (a resend may change them):
            # its entries name their case by what was sent.
            sent: dict[Keys, Keys | None] = {}
            for filing in p.filings(keys, documents):
                if filing.case not in sent:
                    self.put_case(client, form, titles, filing.case, sent)
                self.put_entry(client, form, titles, filing, sent[filing.case] or filing.case)
        finally:
            client.close()
        where = _where(self.case, "case") + ", " + _where(self.entry, "entry")
        return Result(
            True,
            f"delivered {self.job.referanse}: {where}",
            tuple(self.attempts),
            self.case,
            self.entry,
        )

    def put_case(
        self,
        client: ArchiveClient,
        form: Form,
        titles: Titles,
        keys: Keys,
        sent: dict[Keys, Keys | None],
    ) -> None:
        p = self.policies

        def message(attempt: int) -> dict[str, Any]:
            sent[keys] = p.resend_keys("PutNoarksak", keys, attempt)
            return {"noarksak": p.case_message(form, messages.noarksak(form, sent[keys], titles))}

        stored = self.call(client, "PutNoarksak", message).stored
        if not self.case:  # the delivery's own case: the first one put
            self.case = _numbers(stored, ("saId", "saSaar", "saSeknr"))

    def put_entry(
        self, client: ArchiveClient, form: Form, titles: Titles, filing: Filing, case: Keys
    ) -> None:
        p = self.policies

        def message(attempt: int) -> dict[str, Any]:
            keys = p.resend_keys("PutJournpost", filing.entry, attempt)
            jp = messages.journpost(form, keys, case, titles, filing.documents)
            return {"journpost": p.entry_message(form, jp)}

        stored = self.call(client, "PutJournpost", message).stored
        if not self.entry:  # the delivery's own entry: the first one put
            self.entry = _numbers(stored, ("jpId", "jpJaar", "jpSeknr"))

    def form(self) -> Form:
        job = self.job
        root = forms.parse(read_document(job, forms.MAX_BYTES), job)
        forms.tidy(root)
        self.policies.prefill(root, job, self.ask_register)
        return Form(
            job=job,
            root=root,
            applicant=forms.applicant(root, job),
            innsendt=forms.innsendt(root, job),
            eiendom=forms.eiendom(root, job),
        )

    def ask_register(self, orgnr: str) -> Enhet:
        service = self.job.register
        if service is None:
            raise JobError("the job names no services.register to look the organisation up in")
        with requests.Session() as session:
            session.trust_env = False
            for number in range(1, self.policies.attempts(self.engine.retries) + 1):
                started = time.monotonic()
                timeout = self.timeout_for("register")
                try:
                    found = register.lookup(session, service.url, orgnr, timeout=timeout)
                except RegisterError as exc:
                    self.note(
                        "register",
                        number,
                        "transient" if exc.transient else "refused",
                        str(exc),
                        started,
                    )
                    if not exc.transient or not self.pause(number):
                        raise
                    continue
                self.note("register", number, "OK", found.navn, started)
                return found
        raise AssertionError("unreachable")  # pragma: no cover

    def timeout_for(self, what: str) -> float:
        left = self.remaining()
        if left <= 0.05:
            raise _Failed(f"{what}: the job's deadline passed before the engine was done")
        return min(self.engine.timeout, left)

    def pause(self, number: int) -> bool:
        """Wait before attempt ``number + 1``; False when there is to be none."""
        if number >= self.policies.attempts(self.engine.retries):
            return False
        wait = min(MAX_PAUSE, FIRST_PAUSE * 2 ** (number - 1))
        if self.remaining() - wait <= 0.05:
            return False
        self.engine._sleep(wait)
        return True

    def note(self, operation: str, number: int, outcome: str, detail: str, started: float) -> None:
        self.attempts.append(
            Attempt(operation, number, outcome, detail, time.monotonic() - started)
        )

    def call(
        self, client: ArchiveClient, operation: str, message: Callable[[int], dict[str, Any]]
    ) -> Answer:
        number = 1
        while True:
            timeout = self.timeout_for(operation)
            payload = message(number)
            started = time.monotonic()
            try:
                answer = client.call(operation, payload, timeout=timeout)
            except Transient as exc:
                self.note(operation, number, "transient", str(exc), started)
                if not self.pause(number):
                    raise _Failed(f"{operation} failed after {number} attempt(s): {exc}") from None
                number += 1
                continue
            except Refused as exc:
                self.note(operation, number, "refused", str(exc), started)
                raise _Failed(f"{operation} was refused: {exc}") from None
            self.note(operation, number, answer.status, answer.describe(), started)
            if not self.policies.stored(answer):
                self.policies.after_error(self.engine._sleep)
                raise _Failed(f"{operation}: the archive answered {answer.describe()}")
            return answer


def _numbers(stored: Any, names: tuple[str, ...]) -> dict[str, Any]:
    if stored is None:
        return {}
    return {n: getattr(stored, n, None) for n in names if getattr(stored, n, None) is not None}


def _where(numbers: dict[str, Any], what: str) -> str:
    if "saSaar" in numbers:
        return f"{what} {numbers['saSaar']}/{numbers['saSeknr']}"
    if "jpJaar" in numbers:
        return f"{what} {numbers['jpSeknr']}/{numbers['jpJaar']}"
    return f"{what} stored"
