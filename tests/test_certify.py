"""``tpn certify``, ``tpn keygen`` and ``tpn report verify`` as a person runs them."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest
from served import run_tpn


def tpn(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_tpn(cwd, *args, timeout=600)


@pytest.mark.slow
def test_certify_the_reference_sign_and_verify(tmp_path: Path) -> None:
    """The README's main job, signed: the vendor's folder gets the reports and nothing else."""
    keys = tpn(tmp_path, "keygen", "--private-key", "team.key", "--public-key", "team.pub")
    assert keys.returncode == 0, keys.stderr
    done = tpn(
        tmp_path,
        "certify",
        "--sign-key",
        "team.key",
        "--signer",
        "KS prosjektteam",
        "--witnessed",
        "--vendor",
        "Ærlig Arkiv AS",
        "--product",
        "ArkivX",
        "--version",
        "4.2",
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "tpn: noark4ws-archive at level core against the embedded reference" in done.stdout
    assert "verdict: PASSED" in done.stdout
    assert "signed tpn-report/report.json as KS prosjektteam (witnessed run)" in done.stdout
    out = tmp_path / "tpn-report"
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["reference"] is True and report["summary"]["result"] == "passed"
    assert {p.name for p in out.iterdir()} == {
        "junit.xml",
        "report.json",
        "report.html",
        "report.json.sig",
    }
    # No .pytest_cache, no .hypothesis, nothing else in the folder it ran in.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.key", "team.pub", "tpn-report"]
    check = tpn(tmp_path, "report", "verify", "tpn-report", "--public-key", "team.pub")
    assert check.returncode == 0, check.stdout + check.stderr
    for line in (
        "VALID",
        "KS prosjektteam",
        "witnessed run",
        "Ærlig Arkiv AS ArkivX 4.2",
        "noark4ws-archive, level core",
        "the embedded reference archive",
    ):
        assert line in check.stdout
    # A result changed afterwards breaks the certificate.
    path = out / "report.json"
    text = path.read_text(encoding="utf-8").replace('"result": "passed"', '"result": "failed"', 1)
    path.write_text(text, encoding="utf-8")
    tampered = tpn(tmp_path, "report", "verify", "tpn-report", "--public-key", "team.pub")
    assert tampered.returncode == 1 and "INVALID" in tampered.stdout


def test_a_narrowed_run_is_not_signed(tmp_path: Path) -> None:
    assert tpn(tmp_path, "keygen").returncode == 0
    done = tpn(
        tmp_path,
        "certify",
        "--sign-key",
        "tpn-signing.key",
        "--signer",
        "X",
        "-q",
        "--",
        "-k",
        "transport",
    )
    assert done.returncode == 2
    assert (
        "not signed: some requirements did not run all their tests (the run was narrowed"
        in done.stderr
    )
    assert not (tmp_path / "tpn-report" / "report.json.sig").exists()


@pytest.mark.slow
def test_property_based_runs_leave_no_hypothesis_folder(tmp_path: Path) -> None:
    done = tpn(
        tmp_path, "certify", "--level", "full", "--examples", "3", "-q", "--", "-k", "generated"
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tpn-report"]


def test_a_defect_makes_certify_exit_1(tmp_path: Path) -> None:
    done = tpn(tmp_path, "certify", "--defect", "html-faults", "-q", "--", "-k", "transport")
    assert done.returncode == 1
    assert "FAILED N4WS-TRN-003" in done.stdout


def test_an_unreachable_target_exits_2(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        done = tpn(
            tmp_path, "certify", "--target", f"http://127.0.0.1:{s.getsockname()[1]}/noark4ws"
        )
    assert done.returncode == 2
    assert "unreachable" in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sign-key", "nope.key"], "--sign-key needs --signer NAME"),
        (["--sign-key", "nope.key", "--signer", "X"], "nope.key"),
        (["--witnessed"], "--signer and --witnessed go with --sign-key KEY"),
        (["--level", "gold"], "invalid choice: 'gold'"),
        (["--defect", "no-such-defect"], "unknown defect"),
        (["--waive", "N4WS-TRN-03=typo"], "N4WS-TRN-03 is not a requirement of noark4ws-archive"),
        (["--waive", "N4WS-EXT-001=later"], "N4WS-EXT-001 is above level core"),
        (["--target", "archive.example/noark4ws"], "must be an http(s) URL"),
    ],
)
def test_usage_errors_exit_2_with_the_reason(tmp_path: Path, args: list[str], message: str) -> None:
    done = tpn(tmp_path, "certify", *args)
    assert done.returncode == 2
    assert message in done.stdout + done.stderr
