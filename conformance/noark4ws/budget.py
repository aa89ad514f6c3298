"""What the suite may create in a target, announced before the run and enforced during it.

The suite never assumes an empty archive and never deletes: everything it creates carries its
own external keys (``eksternSystem`` ``tpn-conformance``, keys starting with the run id), so a
vendor can find and remove it. The figures are upper bounds per run, measured against the
reference with some room (creates are counted in the client, and exceeding one is an error).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

SYSTEM = "tpn-conformance"


@dataclass(frozen=True)
class Budget:
    cases: int
    entries: int
    document_mb: int


BUDGETS = {
    "core": Budget(cases=200, entries=400, document_mb=5),
    "full": Budget(cases=700, entries=1500, document_mb=60),
    "extended": Budget(cases=800, entries=1600, document_mb=60),
}


class BudgetExceeded(AssertionError):
    """The suite tried to create more than it announced (a defect of the suite, not the target)."""


def describe(level: str, run_id: str) -> str:
    b = BUDGETS[level]
    return (
        f"It will create at most {b.cases} cases, {b.entries} journal entries and "
        f"{b.document_mb} MB of documents, all with eksternSystem '{SYSTEM}' and keys "
        f"starting '{run_id}-'; it deletes nothing."
    )


@dataclass
class Spent:
    level: str
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
        b = BUDGETS[self.level]
        if (
            self.cases > b.cases
            or self.entries > b.entries
            or self.document_bytes > b.document_mb * 1_000_000
        ):
            raise BudgetExceeded(
                f"the suite exceeded its announced budget at level {self.level}: {self.cases} "
                f"cases, {self.entries} entries, {self.document_bytes:,} document bytes"
            )
