"""The form-xml suite's fixture: the batch under judgement, validated once per run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tpn.conformance.evidence import DocumentEvidence
from tpn.conformance.outcomes import SuiteError, not_applicable

if TYPE_CHECKING:
    from tpn.conformance.ksxml.batch import Batch
    from tpn.conformance.results import Run

SHOWN = 20  # documents named in a failure's message; the report keeps more


@dataclass(repr=False)
class Judge:
    """Judges one requirement over the batch: passed, failed (naming the documents), or not
    applicable when no document could break it."""

    batch: Batch
    run: Run

    def __repr__(self) -> str:
        return f"Judge({len(self.batch.verdicts)} documents from {self.batch.where})"

    def requirement(self, rule: str) -> None:
        __tracebackhide__ = True  # the failure is the documents', not this helper's
        from tpn.conformance.ksxml.batch import DOCUMENT_RULES

        judged = self.batch.judged(rule)
        if rule == "KSX-REF-001" and len(judged) < 2:
            not_applicable(f"{len(judged)} document(s) with a referanse: uniqueness needs two")
        if not judged:
            unjudged = self.batch.unjudged()
            why = "no form among them can break it" + (
                f" ({unjudged} could not be read as a known form: see {', '.join(DOCUMENT_RULES)})"
                if unjudged
                else ""
            )
            not_applicable(f"none of the {len(self.batch.verdicts)} documents applies: {why}")
        broken = self.batch.broken(rule)
        for verdict, hits in broken:
            self.run.recorder.add_document(
                DocumentEvidence(
                    source=verdict.source,
                    size=verdict.size,
                    sha256=verdict.sha256,
                    findings=tuple(h.text(verdict.source) for h in hits),
                    excerpt=self.batch.excerpt(verdict, hits[0]),
                )
            )
        if broken:
            lines = [h.text(v.source) for v, hits in broken[:SHOWN] for h in hits[:3]]
            more = f"\n… and {len(broken) - SHOWN} more documents" if len(broken) > SHOWN else ""
            raise AssertionError(
                f"{len(broken)} of {len(judged)} documents break {rule}:\n"
                + "\n".join(lines)
                + more
            )


@pytest.fixture(scope="session")
def ksxml(request: pytest.FixtureRequest, tpn_run: Run) -> Judge:
    """The documents of ``--tpn-target DIR``, or the reference form engine's, validated."""
    from tpn.conformance.ksxml import batch
    from tpn.conformance.ksxml.validator import Validator
    from tpn.conformance.target import Target

    opt = request.config.option
    # Synthetic numbers only: KSX-ID-003 is judged at extended level, and ignored below it.
    validator = Validator(synthetic_only=True, now=tpn_run.started)
    if opt.tpn_target:
        folder = Path(opt.tpn_target)
        try:
            found = batch.from_folder(folder, validator)
        except batch.Unreadable as exc:
            # Not the product's failure on every requirement: the run cannot judge the folder.
            raise SuiteError(f"{exc}; every document must be readable") from exc
        tpn_run.target = Target(str(folder.resolve()), None, reference=False, exclusive=True)
    else:
        defects = tuple(opt.tpn_defect)
        found = batch.from_reference(tpn_run.seed, tpn_run.examples, defects, validator)
        tpn_run.target = Target(
            "generated documents",
            None,
            reference=True,
            exclusive=True,
            defects=defects,
            reference_name=tpn_run.profile.reference_name,
        )
    tpn_run.created["documents read"] = len(found.verdicts)
    return Judge(found, tpn_run)
