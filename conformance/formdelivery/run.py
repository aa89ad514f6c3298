"""Handing the deliveries to the engine, one at a time, and gathering what each one left.

Deliveries run one after another, so that what one left is what the archive holds after it and
did not hold before (``Arrival``): its new cases and entries, whatever keys the engine gave
them, and the exchanges the archive and the register recorded meanwhile. Before a delivery
with a fault the archive is told to misbehave (the mocks' fault injection); after it, whatever
of the fault is left is taken back, so it cannot touch the next delivery.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tpn.conformance.client import Asker, Job, Reply, Service, Window
from tpn.conformance.client.observe import Mocks
from tpn.conformance.formdelivery.plan import Delivery

if TYPE_CHECKING:  # the journal's records are the mocks' own
    from tpn.mocks.core.journal import Exchange

# What the archive is asked to hold an answer for beyond the engine's own timeout.
DELAY_MARGIN = 1.0
ARCHIVE_PATH = "/noark4ws"
REGISTER_PATH = "/enhetsregisteret"


@dataclass
class Arrival:
    """What one delivery left: the engine's reply, and what is new in the archive since."""

    delivery: Delivery
    reply: Reply
    cases: list[dict[str, Any]]  # cases the archive did not hold before the delivery
    entries: list[dict[str, Any]]  # entries it did not hold before, wherever they are
    exchanges: list[Exchange] = field(repr=False)  # what the archive and register recorded

    @property
    def whole(self) -> bool:
        """One case, one entry in it, and a main document: the delivery arrived."""
        return (
            len(self.cases) == 1
            and len(self.entries) == 1
            and self.entry_case_id == self.cases[0]["saId"]
            and any(d.get("dlType") == "H" for d in self.entries[0].get("dokument", []))
        )

    @property
    def case(self) -> dict[str, Any] | None:
        return self.cases[0] if len(self.cases) == 1 else None

    @property
    def entry(self) -> dict[str, Any] | None:
        return self.entries[0] if len(self.entries) == 1 else None

    @property
    def entry_case_id(self) -> str | None:
        entry = self.entry
        return None if entry is None else entry.get("_saId")

    def archive_requests(self, operation: str) -> list[Exchange]:
        """The engine's requests of ``operation`` (PutNoarksak, PutJournpost: the archive's
        names, which no other mock uses) during the delivery."""
        return [e for e in self.exchanges if e.operation == operation]


def flatten(contents: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Cases by saId, and entries by jpId (each marked with its case's saId as ``_saId``)."""
    cases: dict[str, dict[str, Any]] = {}
    entries: dict[str, Any] = {}
    for case in contents:
        cases[case["saId"]] = case
        for entry in case.get("journpost", []):
            entries[entry["jpId"]] = {**entry, "_saId": case["saId"]}
    return cases, entries


@dataclass
class Runner:
    """Runs a plan's deliveries through ``asker`` into ``mocks``."""

    mocks: Mocks
    asker: Asker
    contents: Callable[[], list[dict[str, Any]]]  # everything the archive holds
    services: Mapping[str, Service]
    run_id: str
    files: Path  # where the jobs' documents are written
    engine_timeout: float  # seconds the engine waits for an answer (FD-FAULT-002's delay)
    deadline: float  # seconds a job may take
    say: Callable[[str], None] = lambda _: None

    def job(self, delivery: Delivery) -> Job:
        document = self.files / f"{delivery.id}.xml"
        document.write_bytes(delivery.document)
        org = delivery.organisation
        inputs: dict[str, Any] = {
            "skjemaId": delivery.form.id,
            "versjon": delivery.form.version,
            "referanse": delivery.referanse,
            "tittel": delivery.form.title,
            "confidential": delivery.form.confidential,
            "applicant": delivery.form.applicant,
            "building": delivery.building,
        }
        if org is not None:
            inputs["organisasjonsnummer"] = org
        return Job(
            id=delivery.id,
            run=self.run_id,
            action="deliver-form",
            inputs=inputs,
            files={"document": document},
            services=self.services,
            deadline_seconds=self.deadline,
            aliases={
                "document": "files.document",
                "form": "inputs.skjemaId",
                "referanse": "inputs.referanse",
                "archive_url": "services.archive.url",
                "user": "services.archive.user",
                "password": "services.archive.password",
                "register_url": "services.register.url",
            },
            instructions=(
                f"deliver the form {delivery.form.id} ({delivery.form.title}) in the job's "
                "document into the archive named there, through your product"
            ),
        )

    def deliver(self, delivery: Delivery) -> Arrival:
        job = self.job(delivery)
        before_cases, before_entries = flatten(self.contents())
        self.mocks.clear_faults()
        if delivery.fault is not None:
            f = delivery.fault
            seconds = self.engine_timeout + DELAY_MARGIN if f.kind == "delay-after-commit" else None
            self.mocks.inject(
                f.kind, path=ARCHIVE_PATH, operation=f.operation, times=f.times, seconds=seconds
            )
        window = Window(self.mocks)

        def arrived() -> bool:
            _, entries = flatten(self.contents())
            return any(k not in before_entries for k in entries)

        try:
            reply = self.asker.ask(job, arrived)
        finally:
            self.mocks.clear_faults()
        cases, entries = flatten(self.contents())
        return Arrival(
            delivery,
            reply,
            [c for k, c in cases.items() if k not in before_cases],
            [e for k, e in entries.items() if k not in before_entries],
            window.exchanges(),
        )

    def run(self, deliveries: list[Delivery]) -> list[Arrival]:
        arrivals = []
        for n, delivery in enumerate(deliveries, start=1):
            started = time.monotonic()
            arrival = self.deliver(delivery)
            state = "arrived" if arrival.whole else "did not arrive whole"
            fault = f" under {delivery.fault.kind}" if delivery.fault else ""
            self.say(
                f"tpn: delivery {n}/{len(deliveries)} {delivery.id}{fault}: {state}; the engine "
                f"reported {arrival.reply.reported} ({time.monotonic() - started:.1f} s)"
            )
            arrivals.append(arrival)
        return arrivals
