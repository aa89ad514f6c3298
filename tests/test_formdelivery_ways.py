"""A form engine that is not Python, asked in each of the three ways (``--engine-cmd``,
``--engine-webhook``, ``--manual``): the tiny Node engine of ``tests/engines`` delivers every
form of a core run, and the report judges what arrived.

The tiny engine makes a case and an entry with the form as main document and nothing more (no
PDF, no register, no retries), so the same requirements pass and fail whichever way it is
asked: the way of asking changes nothing of the verdict.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from served import run_tpn

ENGINE = Path(__file__).parent / "engines" / "tiny-engine.js"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")

# What the tiny engine does right, and what it leaves out, at the core level.
PASSES = {"FD-FORM-001", "FD-KEY-001", "FD-KEY-002", "FD-KEY-003", "FD-CASE-001", "FD-JP-002"}
FAILS = {"FD-DOK-004", "FD-ORG-001"}


@pytest.fixture(autouse=True)
def engine_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tiny engine waits 1 s for the archive, as the run is told (--engine-timeout 1)."""
    monkeypatch.setenv("TINY_TIMEOUT_MS", "1000")


def results(report_dir: Path) -> dict[str, str]:
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    return {r["id"]: r["result"] for r in report["requirements"]}


def certify(tmp_path: Path, *way: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    done = run_tpn(
        tmp_path,
        "certify",
        "--profile",
        "form-delivery",
        "--engine-timeout",
        "1",
        "--job-timeout",
        "30",
        "--report-dir",
        "out",
        *way,
        timeout=600,
    )
    return done, results(tmp_path / "out")


def judged_alike(done: subprocess.CompletedProcess[str], found: dict[str, str]) -> None:
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "deliveries into the archive at http://127.0.0.1:" in done.stdout
    # A held answer outlasts its 1 s: the entry was committed, the engine says it failed.
    assert found["FD-FAULT-002"] == "passed"
    for rid in PASSES:
        assert found[rid] == "passed", (rid, found[rid], done.stdout[-3000:])
    for rid in FAILS:
        assert found[rid] == "failed", (rid, found[rid])


@needs_node
@pytest.mark.slow
def test_asked_by_a_command(tmp_path: Path) -> None:
    done, found = certify(tmp_path, "--engine-cmd", f"{NODE} {ENGINE} deliver {{job}}")
    judged_alike(done, found)
    assert found["FD-REP-002"] == "passed"  # it says so when the archive answers ERROR


@pytest.fixture
def webhook(tmp_path: Path, engine_timeout: None) -> Iterator[str]:
    assert NODE is not None
    portfile = tmp_path / "port"
    engine = subprocess.Popen([NODE, str(ENGINE), "serve", str(portfile)])
    try:
        deadline = time.monotonic() + 20
        while not portfile.exists() or not portfile.read_text():
            assert time.monotonic() < deadline, "the tiny engine's webhook did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{portfile.read_text()}/jobs"
    finally:
        engine.terminate()
        engine.wait(10)


@needs_node
@pytest.mark.slow
def test_asked_at_a_webhook(tmp_path: Path, webhook: str) -> None:
    done, found = certify(tmp_path, "--engine-webhook", webhook)
    judged_alike(done, found)
    assert found["FD-REP-002"] == "passed"


@needs_node
@pytest.mark.slow
def test_asked_by_hand(tmp_path: Path) -> None:
    """The "person" is a thread that runs the tiny engine on each job as it is written out."""
    jobs = tmp_path / "out" / "jobs"
    stop = threading.Event()
    done_jobs: set[Path] = set()

    def person() -> None:
        assert NODE is not None
        while not stop.is_set():
            for job in sorted(jobs.glob("*/*.json")) if jobs.exists() else []:
                if job not in done_jobs:
                    done_jobs.add(job)
                    env: dict[str, Any] = {**os.environ}
                    subprocess.run([NODE, str(ENGINE), "deliver", str(job)], env=env, check=False)
            time.sleep(0.1)

    thread = threading.Thread(target=person, daemon=True)
    thread.start()
    try:
        done, found = certify(tmp_path, "--manual")
    finally:
        stop.set()
        thread.join(10)
    judged_alike(done, found)
    assert found["FD-REP-002"] == "not_applicable"  # nobody reports by hand
    assert "tpn: job fd-01-ks-barnehage (deliver-form)" in done.stdout
    assert len(done_jobs) == 15  # a manual run asks for as few deliveries as it can
