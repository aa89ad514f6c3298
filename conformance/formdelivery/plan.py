"""The deliveries a run asks the engine for: seeded, replayable, and no more than its level needs.

Every one of the 15 forms is delivered once without a fault (``clean``); a confidential form,
the building forms and the organisations' forms are among them. Then, for the faults: one
more delivery each of a simple person form (KS-VANNMAALER), with the fault injected into the
archive first; and, at the full level, two forms from one applicant. A manual run (a person
delivers each form) asks for the same deliveries but puts each fault on one of the 15 clean
ones, so that it asks for as few as reach every requirement of its level; faults whose whole
point is that nothing arrives are left out there (nobody reports success by hand).

For an organisation's form the job's document keeps only the organisation's number (and its
contact person) in Innsender: the engine must look the rest up in the register.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from lxml import etree

from tpn.conformance.ksxml.generate import Document, RandomChooser, document
from tpn.conformance.ksxml.model import Form, forms

FAULT_FORM = "KS-VANNMAALER"  # a person's form, not confidential, no register lookup
BUILDING_FORMS = frozenset({"KS-TILTAK-UTEN-ANSVAR", "KS-GRAVETILLATELSE"})
Expect = Literal["arrive", "refused"]


@dataclass(frozen=True)
class Fault:
    """What the archive does to the engine's attempts while one delivery runs."""

    kind: str  # a fault kind of the mocks' fault injection (``/__admin/faults``)
    operation: str  # PutNoarksak or PutJournpost
    times: int = 1
    requirement: str = ""  # the requirement it is there for


@dataclass(frozen=True)
class Delivery:
    """One job for the engine: a form to deliver, and what the archive will do meanwhile."""

    id: str
    form: Form
    document: bytes  # the job's document: the form's data as the engine is given it
    referanse: str
    fault: Fault | None = None
    expect: Expect = "arrive"
    purposes: tuple[str, ...] = ()  # "clean", "fault", "same-applicant"
    full: Document | None = field(default=None, repr=False)  # the whole form, as generated

    @property
    def organisation(self) -> str | None:
        """The applicant's organisasjonsnummer, for an organisation's form."""
        if self.form.applicant != "organisation" or self.full is None:
            return None
        return self.full.text("Innsender/organisasjonsnummer")

    @property
    def building(self) -> bool:
        return self.form.id in BUILDING_FORMS


# Faults, by level: (kind, operation, the requirement it is there for, expect).
CORE_FAULTS: tuple[tuple[str, str, str, Expect], ...] = (
    ("http-500", "PutJournpost", "FD-FAULT-001", "arrive"),
    ("delay-after-commit", "PutJournpost", "FD-FAULT-002", "arrive"),
    ("drop-after-commit", "PutJournpost", "FD-FAULT-003", "arrive"),
    ("error-status", "PutJournpost", "FD-REP-002", "refused"),
)
FULL_FAULTS: tuple[tuple[str, str, str, Expect], ...] = (
    ("drop-before-commit", "PutJournpost", "FD-FAULT-004", "arrive"),
    ("soap-server-fault", "PutJournpost", "FD-FAULT-005", "arrive"),
    ("drop-after-commit", "PutNoarksak", "FD-FAULT-006", "arrive"),
)
FAULT_WORDS = {
    "http-500": "answers HTTP 500 to",
    "delay-after-commit": "commits, then holds its answer past the engine's timeout, on",
    "drop-after-commit": "commits, then drops the connection, on",
    "drop-before-commit": "drops the connection before it commits, on",
    "soap-server-fault": "answers a soap:Server fault to",
    "error-status": "answers an ERROR status to",
}
ERROR_EVERY_TIME = 50  # an ERROR to every attempt: more than any engine retries


def plan(level: str, seed: int, *, manual: bool = False) -> list[Delivery]:
    """The deliveries of a run at ``level`` (core, full), made from ``seed``."""
    rng = random.Random(seed)
    clean = [
        _delivery(f"fd-{n:02d}-{f.id.lower()}", f, rng.randrange(2**32), ("clean",))
        for n, f in enumerate(forms(), start=1)
    ]
    faults = CORE_FAULTS + (FULL_FAULTS if level != "core" else ())
    out = list(clean)
    if manual:
        usable = [f for f in faults if f[3] == "arrive"]
        persons = [i for i, d in enumerate(out) if d.form.applicant == "person"]
        for (kind, operation, requirement, _), at in zip(usable, persons, strict=False):
            out[at] = replace(
                out[at],
                fault=Fault(kind, operation, 1, requirement),
                purposes=(*out[at].purposes, "fault"),
            )
    else:
        for n, (kind, operation, requirement, expect) in enumerate(faults, start=1):
            times = ERROR_EVERY_TIME if expect == "refused" else 1
            d = _delivery(
                f"fd-fault-{n:02d}-{kind}", _form(FAULT_FORM), rng.randrange(2**32), ("fault",)
            )
            out.append(replace(d, fault=Fault(kind, operation, times, requirement), expect=expect))
    if level != "core":
        out.extend(_same_applicant(rng))
    return out


def _form(skjema_id: str) -> Form:
    return next(f for f in forms() if f.id == skjema_id)


def _delivery(job_id: str, f: Form, seed: int, purposes: Sequence[str]) -> Delivery:
    full = document(f, RandomChooser(seed, complete=True))
    return _as_job(job_id, full, tuple(purposes))


def _as_job(job_id: str, full: Document, purposes: tuple[str, ...]) -> Delivery:
    given = full.copy()
    if full.form.applicant == "organisation":
        # The engine gets the organisation's number and looks the rest up (FD § Register).
        innsender = given.find("Innsender")
        assert innsender is not None
        for child in list(innsender):
            if etree.QName(child).localname not in ("organisasjonsnummer", "kontaktperson"):
                innsender.remove(child)
    return Delivery(
        id=job_id,
        form=full.form,
        document=given.to_bytes(),
        referanse=full.text("Metadata/referanse"),
        purposes=purposes,
        full=full,
    )


def _same_applicant(rng: random.Random) -> list[Delivery]:
    """Two forms of ``FAULT_FORM`` from one person (FD-CASE-003): seeds tried in a fixed order
    until a second document has the first one's applicant."""
    f = _form(FAULT_FORM)
    first = document(f, RandomChooser(rng.randrange(2**32), complete=True))
    who = first.text("Innsender/foedselsnummer")
    for seed in range(rng.randrange(2**20), 2**20 + 200_000):
        second = document(f, RandomChooser(seed, complete=True))
        if second.text("Innsender/foedselsnummer") == who:
            break
    else:  # pragma: no cover - the population has a few dozen adults
        raise RuntimeError("no second form from the same applicant")
    return [
        _as_job("fd-same-1", first, ("same-applicant",)),
        _as_job("fd-same-2", second, ("same-applicant",)),
    ]


def listing(deliveries: Sequence[Delivery]) -> list[str]:
    """One line per delivery, for the run to print before it asks for the first."""
    lines = []
    for d in deliveries:
        traits: list[str] = [d.form.applicant]
        if d.form.confidential:
            traits.append("confidential")
        if d.building:
            traits.append("matrikkel")
        fault = ""
        if d.fault:
            doing = FAULT_WORDS.get(d.fault.kind, d.fault.kind)
            times = " every time" if d.fault.times > 1 else ", once"
            fault = f"; the archive {doing} {d.fault.operation}{times}"
        lines.append(f"  {d.id}: {d.form.id} ({', '.join(traits)}){fault}")
    return lines
