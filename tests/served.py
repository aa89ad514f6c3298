"""Running the installed ``tpn serve`` as a real multi-process server for tests.

The port is one the OS chose; the server runs in a session of its own, so that whatever is left
of it after it stops is a worker it orphaned, and a crash can be played by killing the group.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tpn.mocks.core.serving import descendants, free_port

STOP_TIMEOUT = 10.0


def tpn_command() -> list[str]:
    """The ``tpn`` script of this interpreter's environment (what a vendor runs), else the module."""
    script = shutil.which("tpn", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "tpn.harness.cli"]


def run_tpn(cwd: Path | None, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``tpn ARGS`` as a person runs it (in ``cwd``), output captured, never raising on status."""
    return subprocess.run(
        [*tpn_command(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Served:
    def __init__(
        self, db: Path, *, workers: int = 2, server: str = "granian", extra: tuple[str, ...] = ()
    ) -> None:
        self.db = db
        self.workers = workers
        self.server = server
        self.extra = extra  # further `tpn serve` options
        self.port = free_port()
        self.log = db.parent / f"serve-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.http = requests.Session()
        self.http.trust_env = False  # no proxies for 127.0.0.1

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/noark4ws"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def start(self, timeout: float = 20.0) -> float:
        """Start and wait for /isalive; returns the seconds it took."""
        started = time.monotonic()
        command = [
            *tpn_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port),
            "--db", f"sqlite:///{self.db}", "--workers", str(self.workers), "--server", self.server,
            *self.extra,
        ]  # fmt: skip
        env = {**os.environ, "XDG_DATA_HOME": str(self.db.parent / "xdg")}
        with self.log.open("wb") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=env, start_new_session=True,
            )  # fmt: skip
        last: Exception | None = None
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"tpn serve exited with {self.proc.returncode}:\n{self.output()}"
                )
            try:
                if self.http.get(f"{self.base_url}/isalive", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException as exc:
                last = exc
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"tpn serve did not answer /isalive within {timeout} s ({last})")

    def workers_pids(self) -> list[int]:
        """The server's descendant processes (its workers)."""
        assert self.proc is not None
        return descendants(self.proc.pid)

    def kill(self) -> None:
        """SIGKILL the whole process group: no clean shutdown, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=STOP_TIMEOUT)
        self.proc = None

    def stop(self) -> list[str]:
        """Ctrl+C, as a person stops it; returns what went wrong (the group is killed if needed)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return []
        problems: list[str] = []
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                problems.append(f"tpn serve ignored Ctrl+C for {STOP_TIMEOUT} s")
        if proc.returncode not in (0, None):
            problems.append(f"tpn serve exited with {proc.returncode} after Ctrl+C")
        deadline = time.monotonic() + STOP_TIMEOUT
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _group_alive(proc.pid):
            problems.append("worker processes outlived tpn serve")
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT)
        return problems


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
