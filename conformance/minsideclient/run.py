"""Handing the jobs to the client, one at a time, and gathering what each one left in MinSide.

Jobs run one after another, so that what one left is what MinSide holds after it and did not
hold (or held otherwise) before (``Arrival``): new or changed services, new messages, new or
changed cases, and the exchanges MinSide recorded meanwhile. Before a job with a fault MinSide
is told to misbehave (the mocks' fault injection, ``tpn.conformance.client``); after it, what
is left of the fault is taken back, so it cannot touch the next job.

The services block of every job names MinSide's three endpoints, ``tjenestekatalog``,
``meldingsboks`` and ``minesaker``, with the user and password they ask for (HTTP Basic); the
command template's short names are ``{tjenestekatalog_url}``, ``{meldingsboks_url}``,
``{minesaker_url}``, ``{user}`` and ``{password}``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tpn.conformance.client import Asker, Job, Reply, Service, Window
from tpn.conformance.client.observe import Mocks
from tpn.conformance.minsideclient.plan import Step

if TYPE_CHECKING:  # the journal's records are the mocks' own
    from tpn.mocks.core.journal import Exchange

DELAY_MARGIN = 1.0  # seconds MinSide holds an answer beyond the client's own timeout
# A person's product reports nothing: once what the job makes has arrived, the run waits until
# MinSide has heard nothing from it for SETTLE seconds (at most SETTLE_MAX), so that a resend
# still under way lands in this job's window and not the next one's.
SETTLE = 2.5
SETTLE_MAX = 60.0
TJENESTEKATALOG_PATH = "/minside/tjenestekatalog"
MELDINGSBOKS_PATH = "/minside/meldingsboks"
MINESAKER_PATH = "/minside/minesaker"
PATHS = {
    "RegistrerTjeneste": TJENESTEKATALOG_PATH,
    "SendMelding": MELDINGSBOKS_PATH,
    "OppdaterSaksstatus": MINESAKER_PATH,
}
ALIASES = {
    "tjenestekatalog_url": "services.tjenestekatalog.url",
    "meldingsboks_url": "services.meldingsboks.url",
    "minesaker_url": "services.minesaker.url",
    "user": "services.meldingsboks.user",
    "password": "services.meldingsboks.password",
    "referanse": "inputs.referanse",
    "kvittering": "files.kvittering",
}
Contents = dict[str, list[dict[str, Any]]]


def services(base: str, user: str | None, password: str | None) -> dict[str, Service]:
    """The services block: MinSide's three endpoints at ``base``."""
    return {
        "tjenestekatalog": Service(f"{base}{TJENESTEKATALOG_PATH}", user, password),
        "meldingsboks": Service(f"{base}{MELDINGSBOKS_PATH}", user, password),
        "minesaker": Service(f"{base}{MINESAKER_PATH}", user, password),
    }


def _case_key(sak: Mapping[str, Any]) -> tuple[str, str]:
    return (str(sak["avsenderOrgnr"]), str(sak["saksnummer"]))


@dataclass
class Arrival:
    """What one job left: the client's reply, and what is new or changed in MinSide since."""

    step: Step
    reply: Reply
    services: list[dict[str, Any]]  # services new or changed by the job
    messages: list[dict[str, Any]]  # messages new since the job was handed over
    cases: list[dict[str, Any]]  # cases new or changed by the job
    after: Contents = field(repr=False)  # everything MinSide held once the job was done
    exchanges: list[Exchange] = field(repr=False)

    @property
    def whole(self) -> bool:
        """What the job asked for arrived (for judging the client's report): the service as
        given; a message for the application and its case; the case in the asked status. How
        many (exactly one) is for the requirements on messages and faults to judge."""
        s = self.step
        if s.action == "register-service":
            return any(
                x["tjenesteId"] == s.inputs["tjenesteId"]
                and x.get("beskrivelse") == s.inputs.get("beskrivelse")
                for x in self.after["tjenester"]
            )
        case = self.case_now()
        if s.action == "publish-receipt":
            return len(self.messages_for_application()) >= 1 and case is not None
        return case is not None and case["status"] == s.inputs["status"]

    def requests(self, operation: str) -> list[Exchange]:
        """The client's requests of ``operation`` during the job."""
        return [e for e in self.exchanges if e.operation == operation]

    def messages_for_application(self) -> list[dict[str, Any]]:
        """Every message MinSide holds for the job's application: sent by the municipality to
        the applicant, naming its saksnummer or under its case's link (new or old)."""
        a = self.step.application
        if a is None:
            return []
        return [
            m
            for m in self.after["meldinger"]
            if m["mottaker"] == a.mottaker
            and (
                a.saksnummer in f"{m['tittel']} {m['tekst']}"
                or (m.get("lenke") or "") == a.lenke
                or m in self.messages
            )
        ]

    def case_now(self) -> dict[str, Any] | None:
        """The application's case as MinSide holds it after the job (by saksnummer)."""
        a = self.step.application
        if a is None:
            return None
        found = [c for c in self.after["saker"] if c["saksnummer"] == a.saksnummer]
        return found[0] if len(found) == 1 else None


@dataclass
class Runner:
    """Runs a plan's jobs through ``asker`` against ``mocks``."""

    mocks: Mocks
    asker: Asker
    contents: Callable[[], Contents]  # everything MinSide holds (``MinSide.contents``)
    services: Mapping[str, Service]
    run_id: str
    files: Path  # where the jobs' documents are written
    client_timeout: float  # seconds the client waits for an answer (the delay fault's hold)
    deadline: float  # seconds a job may take
    say: Callable[[str], None] = lambda _: None

    def job(self, step: Step) -> Job:
        files: dict[str, Path] = {}
        if step.application is not None and step.action == "publish-receipt":
            path = self.files / f"kvittering-{step.application.referanse}.pdf"
            path.write_bytes(step.application.kvittering)
            files["kvittering"] = path
        return Job(
            id=step.id,
            run=self.run_id,
            action=step.action,
            inputs=step.inputs,
            files=files,
            services=self.services,
            deadline_seconds=self.deadline,
            aliases=ALIASES,
            instructions=_instructions(step),
        )

    def act(self, step: Step) -> Arrival:
        job = self.job(step)
        before = self.contents()
        self.mocks.clear_faults()
        if step.fault is not None:
            f = step.fault
            hold = self.client_timeout + DELAY_MARGIN if f.kind == "delay-after-commit" else None
            self.mocks.inject(
                f.kind, path=PATHS[f.operation], operation=f.operation, times=f.times, seconds=hold
            )
        window = Window(self.mocks)
        nobody = Reply(None, "", 0.0)

        def arrived() -> bool:
            if "repeat" in step.purposes:  # its message is there already: wait for the resend
                return bool(window.exchanges("SendMelding"))
            return _arrival(step, nobody, before, self.contents(), []).whole

        try:
            reply = self.asker.ask(job, arrived)
        finally:
            if self.asker.manual:
                _settle(window)
            self.mocks.clear_faults()
        return _arrival(step, reply, before, self.contents(), window.exchanges())

    def run(self, steps: list[Step]) -> list[Arrival]:
        arrivals = []
        for n, step in enumerate(steps, start=1):
            started = time.monotonic()
            arrival = self.act(step)
            state = "arrived" if arrival.whole else "did not arrive"
            fault = f" under {step.fault.kind}" if step.fault else ""
            self.say(
                f"tpn: job {n}/{len(steps)} {step.id}{fault}: {state}; the client reported "
                f"{arrival.reply.reported} ({time.monotonic() - started:.1f} s)"
            )
            arrivals.append(arrival)
        return arrivals


def _arrival(
    step: Step, reply: Reply, before: Contents, after: Contents, exchanges: list[Exchange]
) -> Arrival:
    old_services = {s["tjenesteId"]: s for s in before["tjenester"]}
    old_messages = {m["meldingId"] for m in before["meldinger"]}
    old_cases = {_case_key(c): c for c in before["saker"]}
    return Arrival(
        step,
        reply,
        [s for s in after["tjenester"] if old_services.get(s["tjenesteId"]) != s],
        [m for m in after["meldinger"] if m["meldingId"] not in old_messages],
        [c for c in after["saker"] if old_cases.get(_case_key(c)) != c],
        after,
        exchanges,
    )


def _settle(window: Window) -> None:
    """Wait until the window has had nothing new for ``SETTLE`` seconds."""
    deadline = time.monotonic() + SETTLE_MAX
    seen = len(window.exchanges())
    quiet_since = time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - quiet_since < SETTLE:
        time.sleep(0.25)
        now = len(window.exchanges())
        if now != seen:
            seen, quiet_since = now, time.monotonic()


def _instructions(step: Step) -> str:
    i = step.inputs
    if step.action == "register-service":
        return (
            f"register the service {i['tjenesteId']} ({i['navn']}) of your municipality in "
            "MinSide's tjenestekatalog, as the job's inputs describe it"
        )
    if step.action == "publish-receipt":
        return (
            f"send the applicant {i['mottakerNavn']} the receipt for application {i['referanse']} "
            f"(the archive's case {i['saksnummer']}) in MinSide, with the job's receipt "
            "document, and open the case in mine saker"
        )
    return f"set the case {i['saksnummer']} in mine saker to {i['status']}, as the archive has it"
