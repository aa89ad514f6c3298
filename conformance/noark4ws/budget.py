"""What the suite may create in a target, announced before the run and enforced during it.

The suite never assumes an empty archive and never deletes: everything it creates carries its
own external keys (``eksternSystem`` ``tpn-conformance``, keys starting with the run id), so a
vendor can find and remove it. The figures are upper bounds per run, measured against the
reference with some room (creates are counted in the client, and exceeding one is an error).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from tpn.conformance.outcomes import SuiteError

SYSTEM = "tpn-conformance"


@dataclass(frozen=True)
class Budget:
    cases: int
    entries: int
    document_mb: int


_BASE = {
    "core": Budget(cases=200, entries=400, document_mb=5),
    "full": Budget(cases=600, entries=1200, document_mb=60),
    "extended": Budget(cases=700, entries=1300, document_mb=60),
}
# Per property-based example above the core level: PBT-001 makes a case, PBT-002 an entry,
# and the stateful model (examples/4 runs of up to 12 steps) about 3 of each.
_PER_EXAMPLE = Budget(cases=5, entries=5, document_mb=0)


def budget(level: str, examples: int) -> Budget:
    base = _BASE[level]
    if level == "core":
        return base
    return Budget(
        cases=base.cases + _PER_EXAMPLE.cases * examples,
        entries=base.entries + _PER_EXAMPLE.entries * examples,
        document_mb=base.document_mb + (examples * 5 * 2048) // 1_000_000,
    )


class BudgetExceeded(SuiteError):
    """The suite tried to create more than it announced: a fault of the suite, not the target,
    so the run ends with status 2 ("could not judge") rather than failing a requirement."""


def describe(level: str, run_id: str, examples: int) -> str:
    b = budget(level, examples)
    return (
        f"It will create at most {b.cases} cases, {b.entries} journal entries and "
        f"{b.document_mb} MB of documents, all with eksternSystem '{SYSTEM}' and keys "
        f"starting '{run_id}-'; it deletes nothing."
    )


@dataclass
class Spent:
    level: str
    examples: int
    cases: int = 0
    entries: int = 0
    document_bytes: int = 0
    # The concurrency checks create from several threads at once.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def charge(self, *, cases: int = 0, entries: int = 0, document_bytes: int = 0) -> None:
        with self._lock:
            self.cases += cases
            self.entries += entries
            self.document_bytes += document_bytes
        b = budget(self.level, self.examples)
        if (
            self.cases > b.cases
            or self.entries > b.entries
            or self.document_bytes > b.document_mb * 1_000_000
        ):
            raise BudgetExceeded(
                f"the suite exceeded its announced budget at level {self.level}: {self.cases} "
                f"cases, {self.entries} entries, {self.document_bytes:,} document bytes"
            )
