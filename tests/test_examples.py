"""The vendor's example suite in ``examples/`` runs both ways its README says, with the same
results: in process against ``tpn_archive``, and against a served archive named by
``TPN_ARCHIVE_URL`` (here every mock on a free port, as ``tpn serve`` serves them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lxml import etree

from tpn.mocks.compose import ComposedMock

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _outcomes(tmp_path: Path, name: str, env: dict[str, str]) -> dict[str, str]:
    """Each example test's outcome (passed, failed, error, skipped), from pytest's JUnit XML."""
    junit = tmp_path / f"{name}.xml"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(EXAMPLES),
            f"--junitxml={junit}",
        ],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert junit.is_file(), done.stdout[-3000:] + done.stderr[-3000:]
    outcomes = {}
    for case in etree.parse(str(junit)).iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[case.get("name", "")] = kinds[0] if kinds else "passed"
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return outcomes


def test_the_example_suite_runs_in_process_and_served_with_the_same_results(
    tmp_path: Path,
) -> None:
    in_process = _outcomes(tmp_path, "in-process", {"TPN_ARCHIVE_URL": ""})
    with ComposedMock() as mocks:
        served = _outcomes(tmp_path, "served", {"TPN_ARCHIVE_URL": f"{mocks.url}/noark4ws"})
        # It really went over the socket: the served archive recorded the last test's calls.
        assert {e.operation for e in mocks.parts.journal.entries()} >= {"PutNoarksak"}
    assert len(in_process) == 3
    assert set(in_process.values()) == {"passed"}
    assert served == in_process
