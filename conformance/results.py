"""From test outcomes to requirement results: the run's record, shared by plugin and reports.

A requirement's result: *failed* if any of its tests failed; else *not run* if any of the tests
the level plans for it did not run (a run narrowed with ``-k`` proves nothing about the tests
it left out); else *passed* if any passed; else *not applicable* if its tests said so. A waived
requirement is *waived* whatever its tests did (they still run, and the report says how they
went), unless they did not all run. Only *failed* fails a run; *not run* makes it incomplete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tpn.conformance.catalogue import LEVELS, Requirement
from tpn.conformance.evidence import DocumentEvidence, Exchange, Recorder
from tpn.conformance.profiles import Profile
from tpn.conformance.redact import Redactor
from tpn.conformance.report_format import RESULTS
from tpn.conformance.transport import Guard

if TYPE_CHECKING:
    from tpn.conformance.target import Target


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # a record of a test, not a test class for pytest to collect

    nodeid: str
    requirements: tuple[str, ...]
    outcome: str  # passed, failed, not_applicable, not_run
    phase: str  # setup, call or teardown: a failure in setup is the target's too
    reason: str
    duration: float
    evidence: tuple[Exchange | DocumentEvidence, ...]


@dataclass(frozen=True)
class RequirementResult:
    requirement: Requirement
    result: str
    reason: str
    tests: tuple[TestResult, ...]

    @property
    def deciding(self) -> TestResult | None:
        """The test whose outcome decided the result (the first failure, else the last test)."""
        for t in self.tests:
            if t.outcome == "failed":
                return t
        return self.tests[-1] if self.tests else None


@dataclass
class Run:
    profile: Profile
    level: str
    seed: int
    run_id: str
    waivers: dict[str, str]
    report_dir: Path | None
    vendor: str | None
    product: str | None
    product_version: str | None
    examples: int
    recorder: Recorder
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    finished: dt.datetime | None = None
    target: Target | None = None
    active: bool = False
    planned: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the level's tests
    selected: int = 0  # of those, how many the run kept (-k, -m and node ids narrow it)
    tests: list[TestResult] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    suite_errors: list[str] = field(default_factory=list)  # the suite could not judge
    other_failures: int = 0  # failed tests that are not the suite's (a vendor's own)
    arguments: list[str] = field(default_factory=list)
    # The limits and deadlines of every request to the target; tripped when it misbehaves.
    guard: Guard = field(default_factory=Guard)
    # Everything the run writes passes through it (reports, junit.xml, terminal, logs).
    redactor: Redactor = field(default_factory=Redactor)
    # Why the run stopped before its end (the target misbehaved, a deadline passed), if it did.
    stopped: str | None = None
    # Why the reports could not be written, if they could not.
    report_error: str | None = None

    def record(self, result: TestResult) -> None:
        # A test that passed its call but failed teardown is failed; keep one entry per nodeid.
        for i, old in enumerate(self.tests):
            if old.nodeid == result.nodeid:
                if old.outcome != "failed":
                    self.tests[i] = result
                return
        self.tests.append(result)

    def requirement_results(self) -> list[RequirementResult]:
        by_req: dict[str, list[TestResult]] = {}
        for t in self.tests:
            for rid in t.requirements:
                by_req.setdefault(rid, []).append(t)
        planned: dict[str, int] = {}
        for ids in self.planned.values():
            for rid in ids:
                planned[rid] = planned.get(rid, 0) + 1
        out = []
        for req in self.profile.catalogue.at(self.level):
            tests = tuple(by_req.get(req.id, ()))
            ran = {t.nodeid for t in tests if t.outcome != "not_run"}
            outcomes = {t.outcome for t in tests}
            if "failed" in outcomes:
                result = "failed"
                reason = next(t.reason for t in tests if t.outcome == "failed")
            elif len(ran) < planned.get(req.id, 0) or not ran:
                result = "not_run"
                # A test that ran and could not judge says why; only tests that never ran
                # (deselected, -k) mean the run was narrowed.
                unjudged = [t for t in tests if t.outcome == "not_run" and t.reason]
                if unjudged:
                    reason = unjudged[0].reason
                else:
                    reason = (
                        f"{len(ran)} of its {planned.get(req.id, 0)} tests ran "
                        "(the run was narrowed)"
                    )
            elif "passed" in outcomes:
                result = "passed"
                reason = "; ".join(t.reason for t in tests if t.outcome == "passed" and t.reason)
            else:
                result = "not_applicable"
                reason = next(t.reason for t in tests if t.outcome == "not_applicable")
            if req.id in self.waivers and result != "not_run":
                reason = f"waived: {self.waivers[req.id]} (tests: {result})"
                result = "waived"
            out.append(RequirementResult(req, result, reason, tests))
        return out

    def failed(self) -> bool:
        return any(r.result == "failed" for r in self.requirement_results())

    def counts(self, results: list[RequirementResult] | None = None) -> dict[str, int]:
        results = self.requirement_results() if results is None else results
        counts = {name: 0 for name in RESULTS}
        for r in results:
            counts[r.result] += 1
        return counts

    def verdict(self, results: list[RequirementResult]) -> str:
        if self.stopped:
            return "incomplete"  # what failed before the stop stays in the results; no verdict
        counts = self.counts(results)
        if counts["failed"]:
            return "failed"
        return "incomplete" if counts["not_run"] else "passed"

    # ------------------------------------------------------------------ terminal

    def notice(self, target: str) -> str:
        n = len(self.profile.catalogue.at(self.level))
        narrowed = (
            f" (narrowed: {self.selected} of the level's {len(self.planned)} tests)"
            if self.selected < len(self.planned)
            else f" ({self.selected} tests)"
        )
        creates = self.profile.creates(self.level, self.run_id, self.examples)
        return (
            f"tpn: {self.profile.name} at level {self.level} against {target}: {n} requirements"
            f"{narrowed}, seed {self.seed}. {creates}"
        )

    def replay(self) -> str:
        if self.profile.target_kind == "folder" and not (self.target and self.target.reference):
            return ""  # a vendor's folder is judged as it is: nothing is generated
        return (
            f"replay with --tpn-seed {self.seed} --tpn-examples {self.examples} "
            f"(tpn certify --seed {self.seed} --examples {self.examples})"
        )

    def summary_lines(self) -> list[str]:
        results = self.requirement_results()
        counts = self.counts(results)
        lines = [
            "",
            f"tpn {self.profile.name}, level {self.level}: {len(results)} requirements: "
            + ", ".join(f"{counts[k]} {k.replace('_', ' ')}" for k in RESULTS if counts[k]),
        ]
        for level in LEVELS[: LEVELS.index(self.level) + 1]:
            at = [r for r in results if r.requirement.level == level]
            c = self.counts(at)
            lines.append(
                f"  {level:<9} {c['passed']:>3} passed  {c['failed']:>3} failed  "
                f"{c['not_applicable']:>3} not applicable  {c['waived']:>3} waived"
                + (f"  {c['not_run']:>3} not run" if c["not_run"] else "")
            )
        for r in results:
            if r.result == "failed" or (r.result == "not_run" and counts["not_run"] <= 5):
                first = r.reason.splitlines()[0] if r.reason else ""
                lines.append(f"  {r.result.upper()} {r.requirement.id}: {first[:160]}")
        if counts["not_run"] > 5:
            lines.append(f"  {counts['not_run']} requirements did not run all their tests")
        for error in self.suite_errors:
            lines.append(f"  SUITE ERROR (the run could not judge): {error[:300]}")
        if self.stopped:
            lines.append(f"  STOPPED (the run could not judge): {self.stopped}")
        replay = self.replay()
        lines.append(
            f"  verdict: {self.verdict(results).upper()}" + (f"; {replay}" if replay else "")
        )
        if self.report_error:
            lines.append(f"  REPORTS NOT WRITTEN: {self.report_error}")
        elif self.report_dir is not None:
            lines.append(f"  report: {self.report_dir / 'report.html'}")
        return lines
