"""Hostile targets: ``tpn certify`` pointed at servers that misbehave at the transport level.

Each case is a small threaded server on 127.0.0.1 (port 0) that answers every request the same
hostile way: an answer of 300 MB, an endless one, one that trickles, a redirect to another host,
a connection closed in the middle of the body, bytes that are not HTTP, endless headers. Each
must end the run by itself within the deadlines given, with exit status 2, one line
``tpn certify: error: ...`` on stderr saying what the target did, the three reports written and
marked incomplete, nothing signed, and the run's peak memory bounded (its VmHWM, read in /proc).

Then the secrets: a target that echoes the credentials it is sent back in every answer, and a
run given them by ``$TPN_PASSWORD``, by a URL's userinfo and by ``--tpn-password``: no byte of
any file written, nor of the terminal output, may hold them.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from served import tpn_command

from tpn.harness.certificate import generate_keypair

REQUEST_TIMEOUT = 2.0  # seconds: --request-timeout of every hostile run
RUN_TIMEOUT = 60.0  # seconds: --run-timeout
MAX_RESPONSE = "1M"  # --max-response
# What a run needs besides the deadlines: starting Python, importing the suite, collecting it.
# Generous for a loaded 2-core machine; a run without deadlines takes minutes to forever here.
STARTUP = 30.0
ELAPSED_BOUND = STARTUP + 3 * REQUEST_TIMEOUT
# A run that buffered what these targets send would pass 300 MB; the suite itself needs ~150.
PEAK_RSS_BOUND_MB = 260
BIG = 300 * 1024 * 1024
CHUNK = 1024 * 1024


# ------------------------------------------------------------------ the hostile servers


@dataclass
class Received:
    """What a server was sent: one entry per request (method, path, body size)."""

    requests: list[tuple[str, str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str, path: str, size: int) -> None:
        with self.lock:
            self.requests.append((method, path, size))


Behaviour = Callable[[socket.socket], None]


WSDL = b'<?xml version="1.0"?><definitions xmlns="http://schemas.xmlsoap.org/wsdl/"/>'


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        try:
            method, path, size = _read_request(sock)
            self.server.received.add(method, path, size)
            if method == "GET" and not self.server.hostile_get:
                # The probe's GET ?wsdl gets an answer: the run starts, and its requests meet
                # the hostility in the middle of a test.
                sock.sendall(
                    _head("200 OK", "Content-Type: text/xml", f"Content-Length: {len(WSDL)}") + WSDL
                )
                return
            self.server.behaviour(sock)
        except OSError:
            pass  # the client gave up on us: that is what a hostile target wants to see


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, behaviour: Behaviour, *, hostile_get: bool = True) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviour = behaviour
        self.hostile_get = hostile_get
        self.received = Received()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def _read_request(sock: socket.socket) -> tuple[str, str, int]:
    """Read one request's head and its body (by Content-Length), so the client is not reset
    while it still sends."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a request")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return method, path, len(body)


@contextlib.contextmanager
def serving(behaviour: Behaviour, *, hostile_get: bool = True) -> Iterator[_Server]:
    server = _Server(behaviour, hostile_get=hostile_get)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _head(status: str, *headers: str) -> bytes:
    return ("\r\n".join([f"HTTP/1.1 {status}", *headers, "", ""])).encode("latin-1")


def _stream(sock: socket.socket, total: int | None) -> None:
    """``total`` bytes of XML-ish filler (``None``: without end), as fast as the client reads."""
    block = b"<a>" + b"x" * (CHUNK - 7) + b"</a>"
    sent = 0
    while total is None or sent < total:
        piece = block if total is None else block[: total - sent]
        sock.sendall(piece)
        sent += len(piece)


def huge_announced(sock: socket.socket) -> None:
    sock.sendall(_head("200 OK", "Content-Type: text/xml", f"Content-Length: {BIG}"))
    _stream(sock, BIG)


def huge_unannounced(sock: socket.socket) -> None:
    sock.sendall(_head("200 OK", "Content-Type: text/xml", "Connection: close"))
    _stream(sock, BIG)


def endless_chunked(sock: socket.socket) -> None:
    sock.sendall(_head("200 OK", "Content-Type: text/xml", "Transfer-Encoding: chunked"))
    piece = b"<a>" + b"x" * 65529 + b"</a>"
    while True:
        sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")


def trickle_body(sock: socket.socket) -> None:
    sock.sendall(_head("200 OK", "Content-Type: text/xml", "Content-Length: 100000"))
    while True:  # a byte every quarter second: no single read ever waits long
        sock.sendall(b"<")
        time.sleep(0.25)


def trickle_headers(sock: socket.socket) -> None:
    for byte in _head("200 OK", "Content-Type: text/xml", *[f"X-Slow-{i}: 1" for i in range(99)]):
        sock.sendall(bytes([byte]))
        time.sleep(0.1)


def cut_mid_body(sock: socket.socket) -> None:
    sock.sendall(_head("200 OK", "Content-Type: text/xml", "Content-Length: 100000"))
    sock.sendall(b"<?xml version='1.0'?>" + b"<a>" * 300)
    sock.shutdown(socket.SHUT_RDWR)


def garbage(sock: socket.socket) -> None:
    sock.sendall(b"\x16\x03\x01\x02\x00garbage, not an HTTP status line\r\n\r\n" + os.urandom(4096))
    sock.shutdown(socket.SHUT_RDWR)


def huge_headers(sock: socket.socket) -> None:
    padding = [f"X-Padding-{i}: {'p' * 1000}" for i in range(5000)]
    sock.sendall(_head("200 OK", "Content-Type: text/xml", *padding, "Content-Length: 0"))


def two_lengths(sock: socket.socket) -> None:
    sock.sendall(
        _head("200 OK", "Content-Type: text/xml", "Content-Length: 5", "Content-Length: 7")
        + b"hello12"
    )


def slow_but_valid(sock: socket.socket) -> None:
    """Every answer inside the request deadline, and correct HTTP: only the run's deadline
    can end a run that would otherwise take minutes."""
    time.sleep(REQUEST_TIMEOUT * 0.6)
    body = b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body/></s:Envelope>"
    sock.sendall(_head("200 OK", "Content-Type: text/xml", f"Content-Length: {len(body)}") + body)


def redirect_to(other: str) -> Behaviour:
    def behaviour(sock: socket.socket) -> None:
        sock.sendall(
            _head("307 Temporary Redirect", f"Location: {other}/noark4ws", "Content-Length: 0")
        )

    return behaviour


@dataclass(frozen=True)
class Case:
    name: str
    behaviour: Behaviour | None  # None: the redirect, made per run (it names the other server)
    says: str  # what the one error line must say the target did
    # True: the probe's GET meets it too, before any test; False: the first SOAP request does.
    hostile_get: bool = False
    run_timeout: float = RUN_TIMEOUT
    judged: bool = False  # its answers are HTTP: tests before the stop may fail on them


LIMIT = "the limit of 1.0 MiB (--max-response)"
DEADLINE = f"the deadline of {REQUEST_TIMEOUT:g} s (--request-timeout)"
CASES = [
    Case("300 MB announced", huge_announced, LIMIT),
    Case("300 MB unannounced", huge_unannounced, LIMIT),
    Case("endless chunked answer", endless_chunked, LIMIT),
    Case("endless answer to the probe", endless_chunked, LIMIT, hostile_get=True),
    Case("trickling body", trickle_body, DEADLINE),
    Case("trickling headers", trickle_headers, DEADLINE),
    Case("trickling headers to the probe", trickle_headers, DEADLINE, hostile_get=True),
    Case("307 to another host", None, "307 Temporary Redirect to http://127.0.0.1:"),
    Case("closed mid-body", cut_mid_body, "closed the connection"),
    Case("not HTTP", garbage, "not valid HTTP"),
    Case("not HTTP to the probe", garbage, "not valid HTTP", hostile_get=True),
    Case("huge headers", huge_headers, "not valid HTTP"),
    Case("two Content-Lengths that disagree", two_lengths, "multiple unmatching values"),
    Case(
        "slow, all run long",
        slow_but_valid,
        "deadline of 8 s (--run-timeout)",
        run_timeout=8,
        judged=True,
    ),
]


# ------------------------------------------------------------------ running tpn certify


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str
    elapsed: float
    peak_rss_mb: float


def run_measured(
    cwd: Path, args: list[str], *, limit: float, env: dict[str, str] | None = None
) -> Done:
    """Run ``args`` in ``cwd``; its exit status, output, time and peak RSS (its own).

    Killed (with its process group) after ``limit`` seconds, which fails the calling test.
    """
    out, err = cwd / "stdout.txt", cwd / "stderr.txt"
    started = time.monotonic()
    with out.open("wb") as o, err.open("wb") as e:
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=o,
            stderr=e,
            env=env,
            start_new_session=True,
        )
    killer = threading.Timer(limit, lambda: os.killpg(proc.pid, signal.SIGKILL))
    killer.start()
    peak = _HighWater(proc.pid)
    peak.start()
    try:
        _, status, _usage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
        peak.done.set()
        peak.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Done(
        proc.returncode,
        out.read_text(encoding="utf-8", errors="replace"),
        err.read_text(encoding="utf-8", errors="replace"),
        time.monotonic() - started,
        peak.kib / 1024,
    )


class _HighWater(threading.Thread):
    """The child's own peak RSS: VmHWM in /proc, read until it ends (it only grows).

    Not wait4's ru_maxrss: that keeps the high-water mark of the memory the child started in
    before its exec, which is this (pytest) process's, hundreds of MB late in a full run."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.path = Path(f"/proc/{pid}/status")
        self.done = threading.Event()
        self.kib = 0

    def run(self) -> None:
        while True:
            try:
                for line in self.path.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.kib = max(self.kib, int(line.split()[1]))
            except (OSError, ValueError, IndexError):
                pass  # ended (or a zombie, whose status has no memory lines)
            if self.done.wait(0.01):
                return


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("keys")
    generate_keypair(folder / "team.key", folder / "team.pub")
    return folder / "team.key"


def certify_hostile(tmp_path: Path, url: str, key: Path, run_timeout: float) -> Done:
    return run_measured(
        tmp_path,
        [
            *tpn_command(),
            "certify",
            "--target",
            f"{url}/noark4ws",
            "--request-timeout",
            f"{REQUEST_TIMEOUT:g}",
            "--run-timeout",
            f"{run_timeout:g}",
            "--max-response",
            MAX_RESPONSE,
            "--report-dir",
            "out",
            "--sign-key",
            str(key),
            "--signer",
            "Testsignatar",
            "-q",
        ],
        limit=ELAPSED_BOUND + 30,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_target_ends_the_run_with_one_line_and_incomplete_reports(
    tmp_path: Path, case: Case, signing_key: Path
) -> None:
    with contextlib.ExitStack() as stack:
        other = stack.enter_context(serving(lambda sock: sock.sendall(_head("200 OK"))))
        behaviour = case.behaviour or redirect_to(other.url)
        hostile = stack.enter_context(serving(behaviour, hostile_get=case.hostile_get))
        done = certify_hostile(tmp_path, hostile.url, signing_key, case.run_timeout)
        assert other.received.requests == [], "a redirect was followed to another host"
    assert done.returncode != -signal.SIGKILL, (
        f"the run did not end by itself within {ELAPSED_BOUND + 30:.0f} s: {done.stdout[-2000:]}"
    )
    assert done.returncode == 2, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{done.stderr[-3000:]}"
    assert lines[0].startswith("tpn certify: error: "), lines[0]
    assert case.says in lines[0], lines[0]
    assert "Traceback" not in done.stdout + done.stderr
    assert done.elapsed < ELAPSED_BOUND, f"the run took {done.elapsed:.1f} s"
    # Measured, not missed (a Python process running the suite needs tens of MB), and bounded.
    assert 20 < done.peak_rss_mb < PEAK_RSS_BOUND_MB, f"peak RSS {done.peak_rss_mb:.0f} MB"
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} == {"junit.xml", "report.json", "report.html"}
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["result"] == "incomplete"
    assert case.says.replace("(--", "(--tpn-") in report["stopped"]
    if not case.judged:
        assert report["summary"]["failed"] == 0  # nothing judged on a target that misbehaved
    assert "INCOMPLETE" in (out / "report.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------ no secret in any artefact

USER = "leverandor"
# Characters that JSON, XML, HTML, URLs and Python's repr each spell their own way.
PASSWORD = "Hemmelig&\"<Pass>'-7 æ"
URL_PASSWORD = "Skjult@pass:w/rd"


def spellings(user: str, password: str) -> list[bytes]:
    """The ways a password can show: as is, in a URL, in a Basic header, and its leading word,
    which survives every escaping (JSON, XML, HTML, repr) and a cut in the middle."""
    basic = base64.b64encode(f"{user}:{password}".encode("latin-1")).decode()
    word = password[:6]
    assert word.isalpha()
    forms = {password, quote(password, safe=""), basic, word}
    return [*sorted(f.encode("utf-8") for f in forms), password.encode("latin-1")]


def echo(user: str, password: str) -> Behaviour:
    """A target that answers every request with a fault quoting the credentials it was sent."""
    basic = base64.b64encode(f"{user}:{password}".encode("latin-1")).decode()
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
        f"<faultcode>s:Client</faultcode><faultstring>wrong password {password} "
        f"(Authorization: Basic {basic})</faultstring></s:Fault></s:Body></s:Envelope>"
    )
    data = body.replace("&", "&amp;").replace("<Pass>", "&lt;Pass&gt;").encode("utf-8")

    def behaviour(sock: socket.socket) -> None:
        sock.sendall(
            _head(
                "500 Internal Server Error",
                "Content-Type: text/xml; charset=utf-8",
                f"Content-Length: {len(data)}",
                f"X-Echo: Basic {basic}",
                "Connection: close",
            )
            + data
        )

    return behaviour


def _written(folder: Path) -> Iterator[tuple[Path, bytes]]:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes()


def _assert_nowhere(tmp_path: Path, done: Done, secrets: list[bytes]) -> None:
    files = list(_written(tmp_path))
    assert any(p.name == "report.json" for p, _ in files), done.stdout[-3000:] + done.stderr
    everything = [
        *files,
        (Path("<stdout>"), done.stdout.encode()),
        (Path("<stderr>"), done.stderr.encode()),
    ]
    for path, data in everything:
        for secret in secrets:
            assert secret not in data, f"{path} holds the secret spelled {secret!r}"
    # Not vacuous: the echoed credentials reached the report, redacted.
    report = (tmp_path / "out" / "report.json").read_text(encoding="utf-8")
    assert "[redacted]" in report


@pytest.mark.parametrize("how", ["TPN_PASSWORD", "userinfo in the URL"])
def test_no_secret_in_any_artefact_of_tpn_certify(tmp_path: Path, how: str) -> None:
    password = PASSWORD if how == "TPN_PASSWORD" else URL_PASSWORD
    env = {**os.environ, "TPN_PASSWORD": PASSWORD}
    with serving(echo(USER, password)) as target:
        if how == "TPN_PASSWORD":
            where = ["--target", f"{target.url}/noark4ws", "--user", USER]
        else:
            netloc = f"{USER}:{quote(URL_PASSWORD, safe='')}@127.0.0.1:{target.server_address[1]}"
            where = ["--target", f"http://{netloc}/noark4ws"]
        done = run_measured(
            tmp_path,
            [*tpn_command(), "certify", *where, "--report-dir", "out", "--", "-k", "transport"],
            limit=300,
            env=env,
        )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    _assert_nowhere(tmp_path, done, spellings(USER, password))


def test_no_secret_in_any_artefact_of_plain_pytest(tmp_path: Path) -> None:
    with serving(echo(USER, PASSWORD)) as target:
        args = [
            sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
            "--tpn-target", f"{target.url}/noark4ws", "--tpn-user", USER,
            "--tpn-password", PASSWORD, "--tpn-report-dir", "out", "-k", "transport",
            # zeep logs whole answers at DEBUG: the echoed credentials reach the log file.
            "--log-file", "out/pytest.log", "--log-file-level", "DEBUG",
        ]  # fmt: skip
        done = run_measured(
            tmp_path,
            args,
            limit=300,
            env={k: v for k, v in os.environ.items() if k != "TPN_PASSWORD"},
        )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    _assert_nowhere(tmp_path, done, spellings(USER, PASSWORD))


# ------------------------------------------------------------------ reports that cannot be written

# A plugin of the test's own, loaded into the run with -p: at the end of the session, before
# pytest's junitxml writes, it takes the report folder away or fills the disk under it.
SABOTAGE = """
import os
import shutil
from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    out = Path(os.environ["SABOTAGE_DIR"])
    if os.environ["SABOTAGE"] == "folder gone":
        shutil.rmtree(out)
        out.write_text("a file where the report folder was")
    else:  # a full disk: every report file written there fails with ENOSPC
        for name in ("junit.xml", ".report.json.part", ".report.html.part"):
            (out / name).unlink(missing_ok=True)
            (out / name).symlink_to("/dev/full")
"""


@pytest.mark.parametrize("how", ["folder gone", "disk full"])
@pytest.mark.parametrize("runner", ["tpn certify", "pytest"])
def test_reports_that_cannot_be_written_exit_2_with_one_line(
    tmp_path: Path, how: str, runner: str
) -> None:
    (tmp_path / "sabotage.py").write_text(SABOTAGE, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])),
        "SABOTAGE": how,
        "SABOTAGE_DIR": str(tmp_path / "out"),
    }
    narrowed = ["-k", "a_valid_request_is_answered", "-p", "sabotage"]
    if runner == "tpn certify":
        args = [*tpn_command(), "certify", "--report-dir", "out", "-q", "--", *narrowed]
    else:
        args = [
            sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--tpn-profile",
            "noark4ws-archive", "--tpn-report-dir", "out", "-q", *narrowed,
        ]  # fmt: skip
    done = run_measured(tmp_path, args, limit=300, env=env)
    assert done.returncode == 2, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stdout + done.stderr, done.stdout[-3000:] + done.stderr
    why = "is not a folder" if how == "folder gone" else "No space left on device"
    if runner == "tpn certify":
        lines = done.stderr.splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith(
            "tpn certify: error: the tests ran, but the reports could not be written"
        ), lines[0]
        assert why in lines[0]
    else:
        assert "REPORTS NOT WRITTEN: the reports could not be written" in done.stdout
        assert why in done.stdout
    assert not (tmp_path / "out").is_dir() or not (tmp_path / "out" / "report.json").exists()
