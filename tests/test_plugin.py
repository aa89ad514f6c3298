"""The pytest plugin as a vendor uses it: plain ``pytest --tpn-…`` in a folder of its own,
the suite collected from the installed package, JUnit XML and report.json read back."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tpn.mocks.core.config import MockConfig
from tpn.mocks.noark4ws import ArchiveMock

pytest_plugins = ["pytester"]

CREDENTIALS = ("leverandor", "hemmelig-passord")


@pytest.fixture(scope="module")
def vendor_archive() -> Iterator[ArchiveMock]:
    """A stand-in for a vendor's archive: the reference, with credentials, on its own port."""
    with ArchiveMock(MockConfig(auth=CREDENTIALS)) as server:
        yield server


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # A subprocess, as in a vendor's CI: the plugin is loaded from the installed entry point.
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=600)


def report(path: Path) -> dict[str, Any]:
    return json.loads((path / "report.json").read_text(encoding="utf-8"))


def results(data: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["result"] for r in data["requirements"]}


def test_core_against_a_target_passes_and_writes_the_three_reports(
    pytester: pytest.Pytester, vendor_archive: ArchiveMock
) -> None:
    out = pytester.path / "reports"
    result = run(
        pytester,
        "--tpn-target",
        vendor_archive.url,
        "--tpn-user",
        CREDENTIALS[0],
        "--tpn-password",
        CREDENTIALS[1],
        "--tpn-report-dir",
        str(out),
        "--tpn-vendor",
        "Ærlig Arkiv AS",
        "--tpn-product",
        "ArkivX",
        "--tpn-version",
        "4.2",
        "--tpn-seed",
        "1234",
    )
    result.stdout.fnmatch_lines(
        [
            "tpn: noark4ws-archive at level core against http://127.0.0.1:*: 53 requirements "
            "(* tests), seed 1234. It will create at most * cases*",
            "tpn noark4ws-archive, level core: * requirements: * passed",
            "*verdict: PASSED; replay with --tpn-seed 1234 --tpn-examples 20 *",
        ]
    )
    assert result.ret == 0, result.stdout.str()[-3000:]
    data = report(out)
    assert data["summary"]["result"] == "passed"
    assert data["summary"]["failed"] == 0 and data["summary"]["not_run"] == 0
    assert (data["vendor"], data["product"], data["product_version"]) == (
        "Ærlig Arkiv AS",
        "ArkivX",
        "4.2",
    )
    assert data["target"] == vendor_archive.url and data["reference"] is False
    assert data["seed"] == 1234 and data["level"] == "core"
    assert {r["level"] for r in data["requirements"]} == {"core"}
    assert data["created"]["cases"] > 0
    assert data["artefacts"]["junit.xml"]["size"] == (out / "junit.xml").stat().st_size
    # JUnit: every test case carries the requirements it checks as properties.
    cases = ET.parse(out / "junit.xml").getroot().iter("testcase")
    named = set()
    for case in cases:
        props = [p.get("value") for p in case.iter("property") if p.get("name") == "requirement"]
        assert props, f"{case.get('name')} has no requirement property"
        named.update(props)
    assert named == set(results(data))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "PASSED" in html and "Ærlig Arkiv AS" in html and "N4WS-NUM-001" in html


def test_a_defect_fails_its_requirement_with_the_exchange_as_evidence(
    pytester: pytest.Pytester,
) -> None:
    out = pytester.path / "reports"
    result = run(
        pytester, "--tpn-defect", "html-faults", "--tpn-report-dir", str(out), "-k", "transport"
    )
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*FAILED N4WS-TRN-003: *", "*verdict: FAILED*"])
    data = report(out)
    failed = [r for r in data["requirements"] if r["result"] == "failed"]
    assert [r["id"] for r in failed] == ["N4WS-TRN-003"]
    evidence = failed[0]["evidence"][-1]
    assert evidence["response"]["headers"]["Content-Type"].startswith("text/html")
    assert evidence["status"] == 500
    assert data["reference"] is True and data["defects"] == ["html-faults"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="f-N4WS-TRN-003"' in html and "text/html" in html


def test_a_waived_requirement_does_not_fail_the_run(pytester: pytest.Pytester) -> None:
    out = pytester.path / "reports"
    result = run(
        pytester,
        "--tpn-defect",
        "html-faults",
        "--tpn-report-dir",
        str(out),
        "-k",
        "transport",
        "--tpn-waive",
        "N4WS-TRN-003=the web server's error page, fixed in 4.3",
    )
    assert result.ret == 0, result.stdout.str()[-2000:]
    got = {r["id"]: r for r in report(out)["requirements"]}["N4WS-TRN-003"]
    assert got["result"] == "waived"
    assert got["reason"] == "waived: the web server's error page, fixed in 4.3 (tests: failed)"


def test_without_credentials_authentication_is_not_applicable(pytester: pytest.Pytester) -> None:
    with ArchiveMock() as open_archive:
        out = pytester.path / "reports"
        result = run(
            pytester,
            "--tpn-target",
            open_archive.url,
            "--tpn-level",
            "full",
            "--tpn-report-dir",
            str(out),
            "-k",
            "transport",
        )
    assert result.ret == 0, result.stdout.str()[-2000:]
    got = {r["id"]: r for r in report(out)["requirements"]}["N4WS-TRN-007"]
    assert got["result"] == "not_applicable"
    assert "given no credentials" in got["reason"]


def test_a_narrowed_run_is_incomplete_not_passed(pytester: pytest.Pytester) -> None:
    out = pytester.path / "reports"
    result = run(
        pytester, "--tpn-profile", "noark4ws-archive", "--tpn-report-dir", str(out), "-k", "soap11"
    )
    assert result.ret == 0
    data = report(out)
    assert data["summary"]["result"] == "incomplete"
    assert data["summary"]["not_run"] == data["summary"]["total"] - data["summary"]["passed"] > 0
    result.stdout.fnmatch_lines(["*verdict: INCOMPLETE*"])


def test_the_level_deselects_tests_above_it(pytester: pytest.Pytester) -> None:
    core = run(pytester, "--tpn-profile", "noark4ws-archive", "--collect-only", "-q")
    full = run(
        pytester, "--tpn-profile", "noark4ws-archive", "--tpn-level", "full", "--collect-only", "-q"
    )
    assert "test_a_soap12_envelope_gets_version_mismatch" not in core.stdout.str()
    assert "test_a_soap12_envelope_gets_version_mismatch" in full.stdout.str()


def test_an_unreachable_target_exits_2(pytester: pytest.Pytester) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        result = run(pytester, "--tpn-target", f"http://127.0.0.1:{port}/noark4ws")
    assert result.ret == 2
    result.stdout.fnmatch_lines(
        ["*tpn: the target is unreachable: http://127.0.0.1:*/noark4ws does not answer*"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tpn-waive", "N4WS-TRN-003"], "--tpn-waive takes ID=REASON, got 'N4WS-TRN-003'"),
        (
            ["--tpn-defect", "html-faults", "--tpn-target", "http://x"],
            "--tpn-defect gives the profile's own reference a defect: drop --tpn-target",
        ),
        (["--tpn-user", "u"], "--tpn-user needs --tpn-password (or $TPN_PASSWORD)"),
        (["--tpn-level", "gold"], "*invalid choice: 'gold'*"),
    ],
)
def test_usage_errors_say_what_is_wrong(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    result = run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}"])


def test_the_plugin_is_inert_in_a_vendors_own_test_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_own="def test_mine():\n    assert 1 + 1 == 2\n")
    result = run(pytester)
    assert result.ret == 0
    # No warning either: registering the plugins must not import the mocks (nor Spyne).
    result.assert_outcomes(passed=1, warnings=0)
    # The plugin's own lines start with "tpn" (a path may contain it anywhere: a checkout
    # in /tmp/tpn/ once failed a looser check).
    assert not [line for line in result.outlines if line.lstrip().startswith("tpn")]
    assert not (pytester.path / "report.json").exists()


def test_registering_the_plugins_imports_no_mock() -> None:
    code = (
        "import sys, tpn.conformance.plugin, tpn.testing.fixtures, tpn.testing\n"
        "print(sorted(m for m in sys.modules if m.startswith(('tpn.mocks', 'spyne'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_narrowed_run_never_passes_a_requirement_it_did_not_fully_run(
    pytester: pytest.Pytester,
) -> None:
    # Under this defect only some texts of N4WS-TXT-001 fail; running just a passing one must
    # not turn the requirement into "passed".
    out = pytester.path / "reports"
    result = run(
        pytester,
        "--tpn-defect",
        "text-normalised",
        "--tpn-report-dir",
        str(out),
        "-k",
        "test_text_comes_back_exactly and Norwegian and not decomposed",
    )
    assert result.ret == 0
    got = {r["id"]: r for r in report(out)["requirements"]}["N4WS-TXT-001"]
    assert got["result"] == "not_run"
    assert got["reason"] == "1 of its 8 tests ran (the run was narrowed)"
    assert report(out)["summary"]["result"] == "incomplete"


def test_a_vendors_own_failing_test_beside_the_suite_still_fails_the_run(
    pytester: pytest.Pytester,
) -> None:
    from tpn.conformance import profiles

    pytester.makepyfile(test_own="def test_mine():\n    assert 1 + 1 == 3\n")
    suite = profiles.get("noark4ws-archive").suite_dir / "test_transport.py"
    result = run(pytester, str(suite), "test_own.py", "-k", "mine or soap11")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*verdict: INCOMPLETE*"])
