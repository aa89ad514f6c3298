"""``tpn engine``: exit 0 delivered, 1 not delivered, 2 a job or option that cannot be used,
always in one line and never with a traceback."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from formengine_support import form_document, job_for, write_job
from served import tpn_command

from tpn.mocks.noark4ws import ArchiveMock


def tpn(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*tpn_command(), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.fixture
def job_file(tmp_path: Path) -> Path:
    return tmp_path / "job.json"


def test_a_delivered_form_exits_0(tmp_path: Path) -> None:
    with ArchiveMock() as archive:
        path = write_job(job_for(form_document("KS-KULTURSKOLE"), tmp_path, archive.url), tmp_path)
        done = tpn("engine", "deliver", str(path))
        again = tpn("engine", "deliver", "--json", env={"TPN_JOB": str(path)})
        counts = archive.archive.counts()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("delivered ") and done.stdout.endswith(
        ": case 2026/1, entry 1/2026\n"
    )
    assert again.returncode == 0 and json.loads(again.stdout)["success"] is True
    assert (counts["noarksak"], counts["journpost"]) == (1, 1)  # the second run updated


def test_an_archive_that_is_not_there_exits_1(tmp_path: Path) -> None:
    job = job_for(form_document("KS-KULTURSKOLE"), tmp_path, "http://127.0.0.1:9/noark4ws")
    done = tpn("engine", "deliver", "--retries", "0", str(write_job(job, tmp_path)))
    assert done.returncode == 1, done.stderr
    assert done.stdout == (
        "not delivered: PutNoarksak failed after 1 attempt(s): connection failed "
        "(ConnectionRefusedError)\n"
    )
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timeout", "0"], "--timeout must be more than 0 and at most 3600 seconds"),
        (["--timeout", "nan"], "--timeout must be more than 0 and at most 3600 seconds"),
        (["--retries", "-1"], "--retries must be a whole number from 0 to 20"),
        (["--defect", "nope"], "unknown defect 'nope'; the catalogue has: new-keys-on-retry"),
        ([], "give the job file, or its path in $TPN_JOB"),
        (["/no/such/job.json"], "job file /no/such/job.json: no such file"),
    ],
)
def test_a_job_or_option_that_cannot_be_used_exits_2(args: list[str], message: str) -> None:
    done = tpn("engine", "deliver", *args, env={"TPN_JOB": ""})
    assert done.returncode == 2
    assert done.stderr.startswith(f"tpn engine: error: {message}"), done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_a_job_that_is_not_json_exits_2(job_file: Path) -> None:
    job_file.write_bytes(b"\xff\xfe not json")
    done = tpn("engine", "deliver", str(job_file))
    assert done.returncode == 2
    assert done.stderr == f"tpn engine: error: {job_file}: the job is not UTF-8 (byte 0)\n"


def test_a_fifo_is_refused_unread(tmp_path: Path) -> None:
    fifo = tmp_path / "job.fifo"
    os.mkfifo(fifo)
    done = tpn("engine", "deliver", str(fifo))
    assert done.returncode == 2
    assert (
        done.stderr
        == f"tpn engine: error: job file {fifo} is a FIFO; only regular files are read\n"
    )


def test_the_defects_are_listed() -> None:
    done = tpn("engine", "defects")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0].startswith("new-keys-on-retry\tFD-KEY-004, FD-FAULT-002")


def test_the_readme_synopsis_matches_the_cli() -> None:
    import re

    from tpn.harness.cli import build_parser

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    [synopsis] = re.findall(r"```text\n(tpn engine deliver .*?)```", readme, re.S)
    documented = set(re.findall(r"--[a-z][a-z-]+", synopsis))
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    engine = sub.choices["engine"]  # type: ignore[index]
    engine_sub = next(a for a in engine._actions if a.dest == "engine_command")
    deliver = engine_sub.choices["deliver"]
    actual = {s for a in deliver._actions for s in a.option_strings if s.startswith("--")}
    assert documented == actual - {"--help"}
    assert "tpn engine defects" in synopsis
