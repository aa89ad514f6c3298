"""What a minside-client run asks of the e-service: its jobs, in order, made from the seed.

A run plays one municipality (a ``KOMM`` organisation of the synthetic population) with two
services of its own, and applicants from the population (a D-number holder among them when the
seed gives one). In order:

1. ``register-service`` for both services (the catalogue must hold them before a receipt links
   under their url);
2. ``publish-receipt`` for three applications (``clean``), then the first of them asked again
   (``repeat``: the same application, a new job);
3. ``update-case-status`` jobs that follow the archive's cases (``update``): the first case to
   AVSLUTTET, the second to VEDTAK_FATTET, the third to UNDER_BEHANDLING, interleaved;
4. one receipt per fault of MinSide (``fault``), each for an application of its own: HTTP 500,
   an answer held past the client's timeout after commit, a connection dropped after commit on
   SendMelding; and an ERROR to every SendMelding (``expect`` refused: nothing may be reported
   as sent);
5. at the full level: a soap:Server fault on SendMelding, a drop after commit on an update's
   OppdaterSaksstatus, a changed service registered again (``reregister``), and once more under
   an answer held past the timeout on RegistrerTjeneste.

A manual run (a person does each job) asks for the same jobs less the one whose whole point is
that nothing arrives (nobody reports success by hand).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from tpn.fixtures import population

OSLO = ZoneInfo("Europe/Oslo")
START = dt.datetime(2007, 3, 5, 9, 0, tzinfo=OSLO)  # when the first application came in
YEAR = 2007
Action = Literal["register-service", "publish-receipt", "update-case-status"]
Expect = Literal["arrive", "refused"]

# (tjenesteId suffix, navn, kategori, skjemaId, sikkerhetsnivaa, url path)
SERVICES = (
    ("barnehage", "Søknad om barnehageplass", "barnehage", "KS-BARNEHAGE", 3, "barnehage"),
    ("vannmaaler", "Melding om vannmåler", "teknisk", "KS-VANNMAALER", 4, "vann"),
)
PROGRESS = ("UNDER_BEHANDLING", "VEDTAK_FATTET", "AVSLUTTET")


@dataclass(frozen=True)
class Fault:
    """What MinSide does to the client's attempts while one job runs."""

    kind: str  # a fault kind of the mocks' fault injection (``/__admin/faults``)
    operation: str  # SendMelding, OppdaterSaksstatus, RegistrerTjeneste
    times: int = 1
    requirement: str = ""  # the requirement it is there for


@dataclass(frozen=True)
class Application:
    """One application of an applicant: what the e-service knows of it."""

    referanse: str
    mottaker: str  # the applicant's fødselsnummer or D-number
    navn: str
    saksnummer: str  # the archive's saSaar/saSeknr
    service: Mapping[str, Any]  # the register-service inputs of its service
    mottatt: dt.datetime
    kvittering: bytes = field(repr=False, default=b"")

    @property
    def lenke(self) -> str:
        """The case's page in the municipality's innsyn, under its service's url."""
        return f"{self.service['url']}/sak/{self.saksnummer.replace('/', '-')}"


@dataclass(frozen=True)
class Step:
    """One job for the client."""

    id: str
    action: Action
    inputs: Mapping[str, Any]
    application: Application | None = None
    fault: Fault | None = None
    expect: Expect = "arrive"
    purposes: tuple[str, ...] = ()

    @property
    def referanse(self) -> str | None:
        return self.application.referanse if self.application else None


# Faults, by level: (kind, operation, the requirement it is there for, expect).
CORE_FAULTS: tuple[tuple[str, str, str, Expect], ...] = (
    ("http-500", "SendMelding", "MS-FAULT-001", "arrive"),
    ("delay-after-commit", "SendMelding", "MS-FAULT-002", "arrive"),
    ("drop-after-commit", "SendMelding", "MS-FAULT-003", "arrive"),
    ("error-status", "SendMelding", "MS-REP-002", "refused"),
)
FULL_FAULTS: tuple[tuple[str, str, str, Expect], ...] = (
    ("soap-server-fault", "SendMelding", "MS-FAULT-004", "arrive"),
)
ERROR_EVERY_TIME = 50  # an ERROR to every attempt: more than any client retries
FAULT_WORDS = {
    "http-500": "answers HTTP 500 to",
    "delay-after-commit": "commits, then holds its answer past the client's timeout, on",
    "drop-after-commit": "commits, then drops the connection, on",
    "soap-server-fault": "answers a soap:Server fault to",
    "error-status": "answers an ERROR status to",
}


def municipality(rng: random.Random) -> population.Organisation:
    kommuner = [o for o in population.organisations() if o.organisasjonsform == "KOMM"]
    return rng.choice(kommuner)


def applicants(rng: random.Random, count: int) -> list[population.Persona]:
    """``count`` adults, a D-number holder first where there is one."""
    adults = [p for p in population.personas() if p.born.year <= YEAR - 18]
    chosen = rng.sample(adults, min(count, len(adults)))
    dnr = [p for p in adults if p.dnr]
    if dnr and not any(p.dnr for p in chosen):
        chosen[0] = rng.choice(dnr)
    return chosen


def service_inputs(kommune: population.Organisation, index: int) -> dict[str, Any]:
    suffix, navn, kategori, skjema, level, path = SERVICES[index]
    knr = kommune.address.kommunenummer
    return {
        "tjenesteId": f"k{knr}-{suffix}",
        "kommunenummer": knr,
        "eierOrgnr": kommune.organisasjonsnummer,
        "navn": navn,
        "beskrivelse": f"{navn} i {kommune.navn}.",
        "url": f"https://tjenester.k{knr}.example/{path}",
        "sikkerhetsnivaa": level,
        "kategori": kategori,
        "skjemaId": skjema,
    }


def receipt_pdf(text: str) -> bytes:
    """A one-page PDF holding ``text`` (ASCII): the receipt the job hands the client."""
    safe = "".join(c for c in text if 32 <= ord(c) < 127).replace("\\", "").replace("(", "")
    safe = safe.replace(")", "")
    stream = f"BT /F1 12 Tf 72 720 Td ({safe}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


class _Maker:
    """Makes the run's applications and the inputs of their jobs."""

    def __init__(self, seed: int, kommune: population.Organisation, people: Sequence[Any]):
        self.rng = random.Random(seed)
        self.kommune = kommune
        self.people = list(people)
        self.services = [service_inputs(kommune, i) for i in range(len(SERVICES))]
        self.count = 0
        self.first_seq = self.rng.randrange(100, 900)

    def application(self) -> Application:
        n = self.count
        self.count += 1
        who = self.people[n % len(self.people)]
        seq = self.first_seq + n
        ref = f"MS-{self.rng.randrange(16**8):08x}-{n:02d}"
        service = self.services[n % len(self.services)]
        saksnummer = f"{YEAR}/{seq}"
        return Application(
            referanse=ref,
            mottaker=who.foedselsnummer,
            navn=f"{who.fornavn} {who.etternavn}",
            saksnummer=saksnummer,
            service=service,
            mottatt=START + dt.timedelta(minutes=17 * n),
            kvittering=receipt_pdf(f"Kvittering {ref} sak {saksnummer}"),
        )

    def common(self, a: Application) -> dict[str, Any]:
        return {
            "referanse": a.referanse,
            "mottaker": a.mottaker,
            "mottakerNavn": a.navn,
            "avsenderOrgnr": self.kommune.organisasjonsnummer,
            "avsenderNavn": self.kommune.navn,
            "saksnummer": a.saksnummer,
            "sakstittel": str(a.service["navn"]),
            "lenke": a.lenke,
            "tjenesteId": a.service["tjenesteId"],
            "tjenesteUrl": a.service["url"],
            "sikkerhetsnivaa": a.service["sikkerhetsnivaa"],
        }

    def receipt(self, job_id: str, a: Application, purposes: tuple[str, ...]) -> Step:
        inputs = self.common(a) | {"status": "MOTTATT", "tidspunkt": _iso(a.mottatt)}
        return Step(job_id, "publish-receipt", inputs, a, purposes=purposes)

    def update(self, job_id: str, a: Application, status: str, hours: int) -> Step:
        when = a.mottatt + dt.timedelta(hours=hours)
        inputs = self.common(a) | {"status": status, "tidspunkt": _iso(when)}
        return Step(job_id, "update-case-status", inputs, a, purposes=("update",))


def plan(level: str, seed: int, *, manual: bool = False) -> list[Step]:
    """The jobs of a run at ``level`` (core, full), made from ``seed``."""
    rng = random.Random(seed)
    kommune = municipality(rng)
    people = applicants(rng, 8)
    make = _Maker(rng.randrange(2**32), kommune, people)
    full = level != "core"
    steps = [
        Step(f"ms-register-{s['tjenesteId']}", "register-service", s, purposes=("register",))
        for s in make.services
    ]
    apps = [make.application() for _ in range(3)]
    steps += [make.receipt(f"ms-receipt-{n}", a, ("clean",)) for n, a in enumerate(apps, 1)]
    steps.append(make.receipt("ms-receipt-1-again", apps[0], ("repeat",)))
    # The archive's cases move on: (application, status index, hours after it came in).
    moves = [(0, 0, 2), (1, 0, 3), (0, 1, 26), (2, 0, 27), (1, 1, 50), (0, 2, 75)]
    for n, (i, s, hours) in enumerate(moves, start=1):
        steps.append(make.update(f"ms-update-{n}", apps[i], PROGRESS[s], hours))
    faults = CORE_FAULTS + (FULL_FAULTS if full else ())
    for n, (kind, operation, requirement, expect) in enumerate(faults, start=1):
        if manual and expect == "refused":
            continue
        times = ERROR_EVERY_TIME if expect == "refused" else 1
        step = make.receipt(f"ms-fault-{n}-{kind}", make.application(), ("fault",))
        fault = Fault(kind, operation, times, requirement)
        steps.append(
            Step(step.id, step.action, step.inputs, step.application, fault, expect, step.purposes)
        )
    if full:
        # The third case is decided under a drop after commit (MS-FAULT-005).
        upd = make.update("ms-fault-update", apps[2], PROGRESS[1], 52)
        fault = Fault("drop-after-commit", "OppdaterSaksstatus", 1, "MS-FAULT-005")
        steps.append(
            Step(upd.id, upd.action, upd.inputs, upd.application, fault, purposes=("fault",))
        )
        changed = [dict(s) for s in make.services]
        for service in changed:
            service["beskrivelse"] = (
                f"{service['navn']} i {kommune.navn}: nå også på nynorsk og engelsk."
            )
        steps.append(
            Step(
                f"ms-reregister-{changed[1]['tjenesteId']}",
                "register-service",
                changed[1],
                purposes=("reregister",),
            )
        )
        fault = Fault("delay-after-commit", "RegistrerTjeneste", 1, "MS-FAULT-006")
        steps.append(
            Step(
                f"ms-fault-register-{changed[0]['tjenesteId']}",
                "register-service",
                changed[0],
                fault=fault,
                purposes=("fault",),
            )
        )
    return steps


def listing(steps: Sequence[Step]) -> list[str]:
    """One line per job, for the run to print before it asks for the first."""
    lines = []
    for s in steps:
        what = s.inputs.get("tjenesteId") if s.action == "register-service" else None
        if s.application is not None:
            what = f"{s.application.saksnummer} {s.inputs.get('status')}"
        fault = ""
        if s.fault:
            doing = FAULT_WORDS.get(s.fault.kind, s.fault.kind)
            times = " every time" if s.fault.times > 1 else ", once"
            fault = f"; MinSide {doing} {s.fault.operation}{times}"
        lines.append(f"  {s.id}: {s.action} ({what}){fault}")
    return lines
