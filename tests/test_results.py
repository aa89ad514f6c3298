"""How test outcomes become requirement results, and what report.html does with a target's text.

Table-driven against a small catalogue, so each rule of ``tpn.conformance.results`` is seen on
its own: failed wins, a narrowed run is not a pass, a teardown failure overrides a pass, waivers
do not hide a narrowed run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tpn.conformance.catalogue import Catalogue, Requirement
from tpn.conformance.evidence import Exchange, Message, Recorder
from tpn.conformance.profile import SuiteProfile
from tpn.conformance.report import build, render_html
from tpn.conformance.results import Run, TestResult

REQ = Requirement("N4WS-X-001", "core", "N4WS § X", "Something holds.")


class OneRequirement(SuiteProfile):
    @property
    def catalogue(self) -> Catalogue:
        return Catalogue("Noark-4 WS", "1", "p", (REQ,))

    def creates(self, level: str, run_id: str, examples: int) -> str:
        return "It creates nothing."


def run_with(planned: int, *outcomes: tuple[str, str], waive: bool = False) -> Run:
    run = Run(
        profile=OneRequirement("p", "P", "noark4ws", "tpn.conformance.noark4ws"),
        level="core",
        seed=1,
        run_id="r",
        waivers={REQ.id: "agreed"} if waive else {},
        report_dir=None,
        vendor=None,
        product=None,
        product_version=None,
        examples=1,
        recorder=Recorder(),
    )
    run.planned = {f"t{i}": (REQ.id,) for i in range(planned)}
    for i, (outcome, phase) in enumerate(outcomes):
        nodeid = f"t{i if phase != 'teardown' else 0}"
        run.record(TestResult(nodeid, (REQ.id,), outcome, phase, f"{outcome} {i}", 0.1, ()))
    return run


@pytest.mark.parametrize(
    ("planned", "outcomes", "waive", "expected"),
    [
        (2, [("passed", "call"), ("passed", "call")], False, "passed"),
        (2, [("passed", "call"), ("failed", "call")], False, "failed"),
        (2, [("passed", "call")], False, "not_run"),  # narrowed: one of two ran
        (1, [("passed", "call"), ("failed", "teardown")], False, "failed"),
        (1, [("failed", "setup")], False, "failed"),
        (1, [("not_applicable", "setup")], False, "not_applicable"),
        (2, [("not_applicable", "call"), ("passed", "call")], False, "passed"),
        (1, [("failed", "call")], True, "waived"),
        (2, [("failed", "call")], True, "waived"),  # a failure a waiver covers, narrowed or not
        (2, [("passed", "call")], True, "not_run"),  # a waiver does not hide a narrowed run
        (1, [("not_run", "call")], False, "not_run"),  # a suite error judged nothing
        (1, [], False, "not_run"),
    ],
)
def test_outcomes_to_result(
    planned: int, outcomes: list[tuple[str, str]], waive: bool, expected: str
) -> None:
    run = run_with(planned, *outcomes, waive=waive)
    [result] = run.requirement_results()
    assert result.result == expected
    assert run.failed() == (expected == "failed")


def test_a_requirement_not_run_says_why() -> None:
    """A test that ran and could not judge gives its reason; only a test that never ran means
    the run was narrowed (issue 13: a failing correct login is not a narrowed run)."""
    run = run_with(1)
    run.record(TestResult("t0", (REQ.id,), "not_run", "call", "cannot judge: why", 0.1, ()))
    [result] = run.requirement_results()
    assert (result.result, result.reason) == ("not_run", "cannot judge: why")
    [narrowed] = run_with(2, ("passed", "call")).requirement_results()
    assert narrowed.reason == "1 of its 2 tests ran (the run was narrowed)"


def test_a_passed_requirement_keeps_what_its_test_noted() -> None:
    run = run_with(1)
    run.record(TestResult("t0", (REQ.id,), "passed", "call", "how it passed", 0.1, ()))
    [result] = run.requirement_results()
    assert (result.result, result.reason) == ("passed", "how it passed")


def test_the_verdict_and_the_replay_line() -> None:
    results = run_with(2, ("passed", "call")).requirement_results()
    run = run_with(2, ("passed", "call"))
    assert run.verdict(results) == "incomplete"
    assert (
        run.replay()
        == "replay with --tpn-seed 1 --tpn-examples 1 (tpn certify --seed 1 --examples 1)"
    )


def test_report_html_escapes_whatever_the_target_sent(tmp_path: Path) -> None:
    hostile = "<script>alert('x')</script>"
    exchange = Exchange(
        "POST",
        "http://t/<x>",
        500,
        Message.of({"Content-Type": "text/html"}, hostile.encode()),
        Message.of({"content-type": hostile, "Set-Cookie": "s=1"}, hostile.encode()),
        1.0,
    )
    run = run_with(1)
    run.record(TestResult("t0", (REQ.id,), "failed", "call", hostile, 0.1, (exchange,)))
    report = build(run)
    html = render_html(report)
    assert "<script>" not in html and "&lt;script&gt;" in html
    # Header names get one spelling, and secrets are not kept in a shared report.
    headers = report["requirements"][0]["evidence"][0]["response"]["headers"]
    assert headers == {"Content-Type": hostile, "Set-Cookie": "[not kept]"}
