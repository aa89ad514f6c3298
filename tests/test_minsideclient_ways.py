"""The minside-client profile asks a client in each of the three ways the form-delivery
profile does (the askers themselves are tested once, in test_client_ask.py): the reference
client run as a command per job, behind a webhook, and by a "person" who does each job the run
writes to its jobs folder. Whichever way, the same requirements pass."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from served import run_tpn

from tpn.mocks.minsideclient import EService, JobError, parse_job, read_job

pytestmark = pytest.mark.slow


def results(report_dir: Path) -> dict[str, str]:
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    return {r["id"]: r["result"] for r in report["requirements"]}


def certify(tmp_path: Path, *way: str) -> dict[str, str]:
    done = run_tpn(
        tmp_path,
        "certify",
        "--profile",
        "minside-client",
        "--engine-timeout",
        "1",
        "--job-timeout",
        "20",
        "--report-dir",
        "out",
        *way,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "jobs against MinSide at http://127.0.0.1:" in done.stdout
    return results(tmp_path / "out")


def test_asked_by_a_command(tmp_path: Path) -> None:
    command = f"{sys.executable} -m tpn.harness.cli eservice act {{job}} --timeout 1"
    found = certify(tmp_path, "--engine-cmd", command)
    assert set(found.values()) == {"passed"} and len(found) == 26


@contextmanager
def webhook() -> Iterator[str]:
    client = EService(timeout=1.0)

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                result = client.act(parse_job(body))
                answer = {"success": result.success, "detail": result.detail}
            except JobError as exc:
                answer = {"success": False, "detail": str(exc)}
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jobs"
    finally:
        server.shutdown()
        server.server_close()
        client.close()


def test_asked_at_a_webhook(tmp_path: Path) -> None:
    with webhook() as url:
        found = certify(tmp_path, "--engine-webhook", url)
    assert set(found.values()) == {"passed"} and len(found) == 26


def test_done_by_hand(tmp_path: Path) -> None:
    """A "person" watches the jobs folder and does each job once, as the run prints it."""
    folder = tmp_path / "out" / "jobs"
    stop = threading.Event()

    def person() -> None:
        client = EService(timeout=1.0)
        done: set[Path] = set()
        while not stop.wait(0.2):
            for path in sorted(folder.glob("*/*.json")) if folder.is_dir() else []:
                if path not in done:
                    done.add(path)
                    with suppress(JobError):
                        client.act(read_job(path))
        client.close()

    thread = threading.Thread(target=person, daemon=True)
    thread.start()
    try:
        found = certify(tmp_path, "--manual")
    finally:
        stop.set()
        thread.join(timeout=10)
    reported = {"MS-REP-001", "MS-REP-002", "MS-REP-003"}
    assert {found[r] for r in reported} == {"not_applicable"}
    assert {v for k, v in found.items() if k not in reported} == {"passed"}
