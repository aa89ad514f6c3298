"""Running ``tpn serve`` as a real multi-process server for tests (port chosen by the OS)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tpn.mocks.serving import descendants, free_port


class Served:
    def __init__(self, db: Path, *, workers: int = 2, server: str = "granian") -> None:
        self.db = db
        self.workers = workers
        self.server = server
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.http = requests.Session()
        self.http.trust_env = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/noark4ws"

    def start(self, timeout: float = 20.0) -> float:
        """Start and wait for /isalive; returns the seconds it took."""
        started = time.monotonic()
        self.log = self.db.parent / f"serve-{self.port}.log"
        with self.log.open("wb") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tpn.harness.cli",
                    "serve",
                    "--port",
                    str(self.port),
                    "--db",
                    f"sqlite:///{self.db}",
                    "--workers",
                    str(self.workers),
                    "--server",
                    self.server,
                ],
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                err = self.log.read_text(errors="replace")
                raise RuntimeError(f"tpn serve exited with {self.proc.returncode}: {err}")
            try:
                if (
                    self.http.get(f"http://127.0.0.1:{self.port}/isalive", timeout=1).status_code
                    == 200
                ):
                    return time.monotonic() - started
            except requests.RequestException:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"tpn serve did not answer /isalive within {timeout} s")

    def workers_pids(self) -> list[int]:
        """The server's descendant processes (its workers)."""
        assert self.proc is not None
        return descendants(self.proc.pid)

    def kill(self) -> None:
        """SIGKILL the whole process group: no clean shutdown, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None
