#!/usr/bin/env python3
"""Load benchmark of the Noark-4 WS reference archive, with its references, in one run.

What it does, all on 127.0.0.1 and bounded in time:

1. Starts ``tpn serve`` fresh (2 workers, a file SQLite database in a temp dir, journal on, a
   port the OS chose) and measures "ready": process start until ``/isalive`` answers.
2. Seeds one case (PutNoarksak) and some entries (PutJournpost) with raw SOAP envelopes.
3. Loads it with wrk (16 connections): GetJournpost by jpId (all return flags but returnFil, an
   answer of ~40 elements) and PutJournpost (a new entry into the seeded case per request).
   It samples the peak RSS of each worker process meanwhile.
4. Repeats that for the engine x server matrix (fast/spyne x granian/gunicorn).
5. Runs the same GetJournpost load against two references: a bare lxml WSGI app returning the
   archive's own answer bytes (gunicorn sync and granian, 2 workers each: the floor of Python
   serving) and WireMock standalone with a static XPath-matched stub (what teams use today),
   twice: with its request journal on (like for like) and off (its fastest, the anchor).
6. Prints a table, the ratios and PASS/MISS per target. The exit code is 0 whatever the figures
   (it is a report); 2 only when it cannot measure at all (wrk missing).

Needs wrk (``apt-get install -y wrk``); WireMock comes from npm into ``benchmarks/.cache/``
(done on first run when missing) and needs Java 17+.

    python benchmarks/bench_noark4ws.py [--duration 10] [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import requests
from lxml import etree

from tpn.mocks.core.serving import descendants, free_port

HOST = "127.0.0.1"
HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
WIREMOCK_NPM = "wiremock@3.13.2"  # pinned so that figures stay comparable between runs
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "http://www.arkivverket.no/Noark4-1-WS-WD/types"
PATH = "/noark4ws"

# Targets (from the project's brief for the reference archive).
TARGET_READ_RPS = 1500.0
TARGET_WRITE_RPS = 1500.0  # issue 15: durable as ever (kill -9 loses nothing acknowledged)
TARGET_READ_VS_WIREMOCK = 1.5  # x WireMock's fastest configuration (request journal off)
TARGET_P99_READ_MS = 10.0
TARGET_P99_WRITE_MS = 20.0
TARGET_RSS_MB = 150.0
TARGET_READY_S = 2.0

# (server, engine); the first is what a plain `tpn serve` runs, and the targets apply to it.
ARCHIVE_CONFIGS: list[tuple[str, str]] = [
    ("granian", "fast"),
    ("gunicorn", "fast"),
    ("granian", "spyne"),
    ("gunicorn", "spyne"),
]


# ---------------------------------------------------------------------------- results


@dataclass
class Load:
    """One wrk run."""

    operation: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # connect/read/write/timeout errors plus non-2xx answers


@dataclass
class Target:
    """One thing served and loaded: an archive configuration or a reference."""

    name: str
    server: str
    engine: str
    ready_s: float | None = None
    worker_peak_rss_mb: list[float] = field(default_factory=list)
    loads: dict[str, Load] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def peak_rss_mb(self) -> float | None:
        return max(self.worker_peak_rss_mb) if self.worker_peak_rss_mb else None


# ---------------------------------------------------------------------------- envelopes


def envelope(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP11_ENV}" xmlns:n="{NS}"><soap:Body>{body}'
        "</soap:Body></soap:Envelope>"
    ).encode()


def put_noarksak_envelope() -> bytes:
    """A case with a classification and a party: what a building-application form files."""
    return envelope(
        "<n:PutNoarksakRequest><n:noarksak>"
        "<n:saTittel>Byggesak Storgata 1 – rammetillatelse</n:saTittel><n:saStatus>B</n:saStatus>"
        "<n:saArkdel>SAK</n:saArkdel><n:saJenhet>SENTRAL</n:saJenhet><n:saAdmkort>BYGG</n:saAdmkort>"
        "<n:saAnsvinit>KNO</n:saAnsvinit><n:saAnsvnavn>Kari Nordmann</n:saAnsvnavn>"
        "<n:klassering><n:klOrdnpri>GBN</n:klOrdnpri><n:klOrdnver>12/34</n:klOrdnver></n:klassering>"
        "<n:sakspart><n:spNavn>Ola Hansen</n:spNavn><n:spAdresse>Storgata 1</n:spAdresse>"
        "<n:spPostnr>0155</n:spPostnr><n:spPoststed>Oslo</n:spPoststed></n:sakspart>"
        "</n:noarksak></n:PutNoarksakRequest>"
    )


def put_journpost_envelope(saar: int, seknr: int) -> bytes:
    """An incoming letter with sender, recipient, a note and a small document (~40 elements).

    It carries no external key, so the archive creates a new entry every time: the write load
    can send this same body over and over.
    """
    return envelope(
        "<n:PutJournpostRequest><n:journpost>"
        "<n:jpNdoktype>I</n:jpNdoktype><n:jpDokdato>2026-01-15</n:jpDokdato><n:jpStatus>M</n:jpStatus>"
        "<n:jpInnhold>Søknad om rammetillatelse, Storgata 1</n:jpInnhold>"
        "<n:jpTgkode>UO</n:jpTgkode>"
        "<n:jpArkdel>SAK</n:jpArkdel><n:jpAntved>1</n:jpAntved>"
        f"<n:jpSaar>{saar}</n:jpSaar><n:jpSaseknr>{seknr}</n:jpSaseknr>"
        "<n:avsmot><n:amIhtype>0</n:amIhtype><n:amNavn>Ola Hansen</n:amNavn>"
        "<n:amAdresse>Storgata 1</n:amAdresse><n:amPostnr>0155</n:amPostnr>"
        "<n:amPoststed>Oslo</n:amPoststed></n:avsmot>"
        "<n:avsmot><n:amIhtype>1</n:amIhtype><n:amNavn>Byggesaksavdelingen</n:amNavn>"
        "<n:amAdmkort>BYGG</n:amAdmkort><n:amSbhinit>KNO</n:amSbhinit></n:avsmot>"
        "<n:tilleggsinfo><n:tiItype>MERKNAD</n:tiItype><n:tiTekst>Mottatt via eByggesak</n:tiTekst>"
        "</n:tilleggsinfo>"
        "<n:dokument><n:dlType>H</n:dlType><n:dbTittel>Søknad</n:dbTittel><n:dbStatus>F</n:dbStatus>"
        "<n:veVariant>A</n:veVariant><n:veDokformat>RA-PDF</n:veDokformat><n:fil><n:base64>"
        + base64.b64encode(
            b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n1 0 obj\n<</Type/Catalog>>\nendobj\n%%EOF\n"
        ).decode()
        + "</n:base64></n:fil><n:veFilnavn>soknad.pdf</n:veFilnavn>"
        "<n:veMimeType>application/pdf</n:veMimeType></n:dokument>"
        "</n:journpost></n:PutJournpostRequest>"
    )


def get_journpost_envelope(jp_id: str) -> bytes:
    """A read by jpId asking for everything but the file content."""
    return envelope(
        f"<n:GetJournpostRequest><n:jpId>{jp_id}</n:jpId><n:returnJournpostRequests>"
        "<n:returnAvmot>true</n:returnAvmot><n:returnTilleggsinfo>true</n:returnTilleggsinfo>"
        "<n:returnDokument>true</n:returnDokument><n:returnFil>false</n:returnFil>"
        "</n:returnJournpostRequests></n:GetJournpostRequest>"
    )


def answer_field(payload: bytes, local_name: str) -> str:
    """The text of the first element called ``local_name`` in the types namespace."""
    found = etree.fromstring(payload).find(f".//{{{NS}}}{local_name}")
    if found is None or found.text is None:
        raise RuntimeError(f"answer has no {local_name}: {payload[:600]!r}")
    return found.text


def status_type(payload: bytes) -> str:
    found = etree.fromstring(payload).find(f".//{{{NS}}}status")
    return "?" if found is None else str(found.get("type"))


# ---------------------------------------------------------------------------- processes

# Every process this script started and has not yet stopped; cleaned up on any exit path.
_RUNNING: list[Server] = []


class Server:
    """A server process in its own session, so that its whole process group can be stopped."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        *,
        port: int,
        health_path: str,
        log_dir: Path,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = argv
        self.port = port
        self.health_url = f"http://{HOST}:{port}{health_path}"
        self.log_path = log_dir / f"{name.replace(' ', '_').replace('/', '_')}.log"
        self.cwd = cwd
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, session: requests.Session, timeout_s: float) -> float:
        """Start and wait for the health URL; returns seconds from spawn to first answer."""
        log = self.log_path.open("wb")
        started = time.perf_counter()
        # A new session: Ctrl+C in the terminal reaches only us, and we stop the group cleanly.
        self.proc = subprocess.Popen(
            self.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.cwd,
            env=self.env,
            start_new_session=True,
        )
        log.close()
        _RUNNING.append(self)
        deadline = started + timeout_s
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode}; see {self.log_path}"
                )
            with contextlib.suppress(requests.RequestException):
                if session.get(self.health_url, timeout=0.5).status_code == 200:
                    return time.perf_counter() - started
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} did not answer {self.health_url} within {timeout_s:.0f} s")

    def stop(self) -> None:
        """SIGTERM the group (servers shut their workers down), SIGKILL whatever is left."""
        proc, self.proc = self.proc, None
        if self in _RUNNING:
            _RUNNING.remove(self)
        if proc is None:
            return
        for sig, wait_s in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=wait_s)
                # The leader is gone; workers may linger a moment, so the group gets SIGKILL too.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                return
            except subprocess.TimeoutExpired:
                continue


def stop_all() -> None:
    for server in list(_RUNNING):
        server.stop()


@contextlib.contextmanager
def running(
    server: Server, session: requests.Session, target: Target, timeout_s: float = 30.0
) -> Iterator[RssSampler]:
    """Serve for the block, recording ready time into ``target``; always stopped after."""
    try:
        target.ready_s = server.start(session, timeout_s)
        assert server.proc is not None
        sampler = RssSampler(server.proc.pid)
        sampler.start()
        try:
            yield sampler
        finally:
            sampler.stop()
            target.worker_peak_rss_mb = sampler.worker_peaks_mb()
    finally:
        server.stop()


# ---------------------------------------------------------------------------- memory


def _proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process in kB; empty when it is gone."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    except (OSError, ValueError, IndexError):
        return {}
    return out


class RssSampler:
    """Samples the peak RSS of a server's worker processes while it runs.

    Workers are the server's descendants (granian and gunicorn fork them); a server without
    any (the JVM) is its own worker. VmHWM is the kernel's high-water mark, so sampling every
    quarter second misses nothing for a process that lives to the next sample.
    """

    def __init__(self, root: int, interval_s: float = 0.25) -> None:
        self.root = root
        self.interval_s = interval_s
        self.peaks_kb: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.sample()  # a last look before the server goes
        self._stop.set()
        self._thread.join(timeout=5)

    def sample(self) -> None:
        for pid in descendants(self.root) or [self.root]:
            status = _proc_status(pid)
            peak = max(status.get("VmHWM", 0), status.get("VmRSS", 0))
            if peak:
                self.peaks_kb[pid] = max(peak, self.peaks_kb.get(pid, 0))

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.sample()

    def worker_peaks_mb(self) -> list[float]:
        return sorted((kb / 1024 for kb in self.peaks_kb.values()), reverse=True)


# ---------------------------------------------------------------------------- wrk


def wrk_script(body: bytes, directory: Path, name: str) -> Path:
    """A Lua script for wrk: POST ``body`` to the URL, report figures as one JSON line."""
    level = 1
    while f"]{'=' * level}]".encode() in body:
        level += 1
    eq = "=" * level
    lua = (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "text/xml; charset=utf-8"\n'
        # A long bracket string keeps the bytes as they are (Lua strings are byte strings).
        f"wrk.body = [{eq}[{body.decode('utf-8')}]{eq}]\n"
        "function done(summary, latency, requests)\n"
        "  local e = summary.errors\n"
        '  io.write(string.format("BENCH_JSON {\\"requests\\":%d,\\"duration_us\\":%d,'
        '\\"p50_us\\":%d,\\"p99_us\\":%d,\\"errors\\":%d,\\"non2xx\\":%d}\\n",\n'
        "    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),\n"
        "    e.connect + e.read + e.write + e.timeout, e.status))\n"
        "end\n"
    )
    path = directory / f"{name}.lua"
    path.write_text(lua, encoding="utf-8")
    return path


def run_wrk(
    url: str,
    script: Path,
    *,
    duration_s: float,
    connections: int,
    threads: int,
    operation: str,
    log: Path | None = None,
) -> Load:
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration_s))}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=duration_s + 60, check=False
    )
    if log is not None:
        with log.open("a") as f:
            f.write(f"$ {' '.join(argv)}\n{done.stdout}{done.stderr}\n")
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(
            f"wrk gave no figures (exit {done.returncode}): {done.stderr or done.stdout}"
        )
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    return Load(
        operation=operation,
        rps=data["requests"] / seconds if seconds else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        errors=data["errors"] + data["non2xx"],
    )


@dataclass(frozen=True)
class LoadPlan:
    duration_s: float
    warmup_s: float
    connections: int
    threads: int
    work_dir: Path
    journal: bool = True  # off only to see what the journal costs; the targets assume it on

    def measure(self, url: str, body: bytes, operation: str, label: str) -> Load:
        """A short warm-up (caches, JIT, lazily built parts), then the measured run."""
        script = wrk_script(body, self.work_dir, f"{label}-{operation}")
        log = self.work_dir / "wrk.log"
        if self.warmup_s > 0:
            run_wrk(
                url,
                script,
                duration_s=self.warmup_s,
                connections=self.connections,
                threads=self.threads,
                operation=operation,
                log=log,
            )
        return run_wrk(
            url,
            script,
            duration_s=self.duration_s,
            connections=self.connections,
            threads=self.threads,
            operation=operation,
            log=log,
        )


# ---------------------------------------------------------------------------- archive


@dataclass
class Seeded:
    get_body: bytes
    put_body: bytes
    get_answer: bytes


def soap_post(session: requests.Session, url: str, body: bytes) -> bytes:
    answer = session.post(
        url, data=body, headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=10
    )
    if answer.status_code != 200 or status_type(answer.content) == "ERROR":
        raise RuntimeError(f"{url} answered {answer.status_code}: {answer.content[:800]!r}")
    return answer.content


def seed(session: requests.Session, base_url: str, entries: int) -> Seeded:
    """One case and ``entries`` entries; the read load asks for the middle entry."""
    url = base_url + PATH
    case = soap_post(session, url, put_noarksak_envelope())
    put_body = put_journpost_envelope(
        int(answer_field(case, "saSaar")), int(answer_field(case, "saSeknr"))
    )
    ids = [answer_field(soap_post(session, url, put_body), "jpId") for _ in range(entries)]
    get_body = get_journpost_envelope(ids[len(ids) // 2])
    return Seeded(
        get_body=get_body, put_body=put_body, get_answer=soap_post(session, url, get_body)
    )


def archive_state(session: requests.Session, base_url: str) -> dict[str, int]:
    data: dict[str, int] = session.get(base_url + "/__admin/state", timeout=10).json()
    return data


def tpn_command() -> str:
    """The `tpn` entry point of this interpreter (not a pyenv shim, whose start-up is not ours)."""
    beside = Path(sys.executable).with_name("tpn")
    if beside.exists():
        return str(beside)
    found = shutil.which("tpn")
    if found is None:
        raise RuntimeError("`tpn` is not installed; run `pip install -e .` in the repository")
    return found


def bench_archive(
    server_name: str, engine: str, plan: LoadPlan, session: requests.Session, entries: int
) -> tuple[Target, Seeded | None]:
    target = Target(name=f"archive {server_name}/{engine}", server=server_name, engine=engine)
    port = free_port(HOST)
    db = plan.work_dir / f"archive-{server_name}-{engine}.sqlite3"
    argv = [
        tpn_command(),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--db",
        f"sqlite:///{db}",
        "--workers",
        "2",
        "--server",
        server_name,
        "--engine",
        engine,
        *([] if plan.journal else ["--no-journal"]),
    ]
    server = Server(target.name, argv, port=port, health_path="/isalive", log_dir=plan.work_dir)
    seeded: Seeded | None = None
    try:
        with running(server, session, target):
            seeded = seed(session, server.base_url, entries)
            url = server.base_url + PATH
            target.loads["read"] = plan.measure(
                url, seeded.get_body, "read", f"{server_name}-{engine}"
            )
            before = archive_state(session, server.base_url)["journpost"]
            target.loads["write"] = plan.measure(
                url, seeded.put_body, "write", f"{server_name}-{engine}"
            )
            created = archive_state(session, server.base_url)["journpost"] - before
            acknowledged = target.loads["write"].requests
            # Warm-up writes count too, so the store must hold at least what wrk saw answered.
            if created < acknowledged:
                target.notes.append(
                    f"store holds {created} new entries, wrk counted {acknowledged} answers"
                )
    except Exception as exc:  # one broken configuration should not lose the others' figures
        target.notes.append(f"failed: {exc}")
    return target, seeded


# ---------------------------------------------------------------------------- references


def bench_bare(
    server_name: str, seeded: Seeded, plan: LoadPlan, session: requests.Session
) -> Target:
    target = Target(name=f"bare lxml {server_name}", server=server_name, engine="lxml")
    port = free_port(HOST)
    answer_file = plan.work_dir / "answer.xml"
    answer_file.write_bytes(seeded.get_answer)
    env = {**os.environ, "BARE_LXML_ANSWER": str(answer_file)}
    if server_name == "gunicorn":
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
            "bare_lxml_app:app",
        ]
    else:
        argv = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--workers",
            "2",
            "--blocking-threads",
            "1",
            "--host",
            HOST,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "bare_lxml_app:app",
        ]
    server = Server(
        target.name,
        argv,
        port=port,
        health_path="/isalive",
        log_dir=plan.work_dir,
        cwd=HERE,
        env=env,
    )
    try:
        with running(server, session, target):
            check_same_answer(session, server.base_url + PATH, seeded, target)
            target.loads["read"] = plan.measure(
                server.base_url + PATH, seeded.get_body, "read", target.name
            )
    except Exception as exc:
        target.notes.append(f"failed: {exc}")
    return target


def check_same_answer(session: requests.Session, url: str, seeded: Seeded, target: Target) -> None:
    """A reference must give the archive's bytes, or the comparison is not like for like."""
    got = session.post(
        url, data=seeded.get_body, headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=10
    )
    if got.status_code != 200 or got.content != seeded.get_answer:
        target.notes.append(
            f"answer differs from the archive's (HTTP {got.status_code}, {len(got.content)} bytes)"
        )


def wiremock_jar() -> Path | None:
    """The standalone jar the npm package ships; installed into benchmarks/.cache on first use."""

    def find() -> Path | None:
        return next(
            iter(
                sorted((CACHE / "node_modules" / "wiremock").glob("**/wiremock-standalone-*.jar"))
            ),
            None,
        )

    jar = find()
    if jar is None and shutil.which("npm"):
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"installing {WIREMOCK_NPM} into {CACHE} (npm) ...", flush=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), WIREMOCK_NPM],
            capture_output=True,
            timeout=300,
            check=False,
        )
        jar = find()
    return jar


def wiremock_stub(seeded: Seeded) -> dict[str, Any]:
    """A static stub matched the way WireMock users match SOAP: XPath on the body."""
    jp_id = answer_field(seeded.get_body, "jpId")
    return {
        "request": {
            "method": "POST",
            "urlPath": PATH,
            "bodyPatterns": [
                {
                    "matchesXPath": (
                        f"/soap:Envelope/soap:Body/n:GetJournpostRequest[n:jpId='{jp_id}']"
                    ),
                    "xPathNamespaces": {"soap": SOAP11_ENV, "n": NS},
                }
            ],
        },
        "response": {
            "status": 200,
            "headers": {"Content-Type": "text/xml; charset=utf-8"},
            "base64Body": base64.b64encode(seeded.get_answer).decode(),  # the exact bytes
        },
    }


WIREMOCK = "WireMock"
WIREMOCK_FASTEST = "WireMock no journal"


def bench_wiremock(
    seeded: Seeded, plan: LoadPlan, session: requests.Session, *, journal: bool = True
) -> Target:
    """WireMock serving the archive's answer as a static stub: with its request journal on (as
    the archive runs, like for like) or off (``--no-request-journal``, its fastest)."""
    target = Target(name=WIREMOCK if journal else WIREMOCK_FASTEST, server="jetty", engine="stub")
    jar = wiremock_jar()
    java = shutil.which("java")
    if jar is None or java is None:
        target.notes.append(
            "skipped: "
            + ("no java" if java is None else f"no jar (npm install {WIREMOCK_NPM} failed)")
        )
        return target
    target.engine = jar.stem.removeprefix("wiremock-standalone-")
    port = free_port(HOST)
    root = plan.work_dir / ("wiremock" if journal else "wiremock-no-journal")
    root.mkdir(exist_ok=True)
    argv = [
        java,
        "-jar",
        str(jar),
        "--port",
        str(port),
        "--bind-address",
        HOST,
        "--disable-banner",
        "--root-dir",
        str(root),
        *([] if journal else ["--no-request-journal"]),
    ]
    server = Server(
        target.name, argv, port=port, health_path="/__admin/mappings", log_dir=plan.work_dir
    )
    try:
        with running(server, session, target, timeout_s=60.0):
            made = session.post(
                server.base_url + "/__admin/mappings", json=wiremock_stub(seeded), timeout=10
            )
            made.raise_for_status()
            check_same_answer(session, server.base_url + PATH, seeded, target)
            target.loads["read"] = plan.measure(
                server.base_url + PATH, seeded.get_body, "read", "wiremock"
            )
            if plan.warmup_s + plan.duration_s < 10:
                # The JVM needs seconds to compile the hot path (engineering notes: ~2,000 req/s
                # in the first minute, 7,000+ after 90 s); a short run understates WireMock.
                target.notes.append("short run: JVM still cold, figure not comparable")
    except Exception as exc:
        target.notes.append(f"failed: {exc}")
    return target


# ---------------------------------------------------------------------------- report


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


COLUMNS = (
    f"{'target':<24} {'op':<5} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'err':>5} {'ready s':>7}"
)


def _load_cells(load: Load | None) -> str:
    if load is None:
        return f"{'-':<5} {'-':>8} {'-':>7} {'-':>7} {'-':>5}"
    return (
        f"{load.operation:<5} {load.rps:>8,.0f} {load.p50_ms:>7.2f} {load.p99_ms:>7.2f} "
        f"{load.errors:>5}"
    )


def table(targets: list[Target]) -> list[str]:
    head = f"{COLUMNS}  peak RSS/worker MB"
    lines = [head, "-" * len(head)]
    for t in targets:
        rss = ", ".join(f"{mb:.0f}" for mb in t.worker_peak_rss_mb) or "-"
        loads: list[Load | None] = [*t.loads.values()] or [None]
        for i, load in enumerate(loads):
            # Name, ready time and memory belong to the server: on its first line only.
            name, ready, mem = (t.name, _fmt(t.ready_s, ".2f"), rss) if i == 0 else ("", "", "")
            lines.append(f"{name:<24} {_load_cells(load)} {ready:>7}  {mem}")
        lines.extend(f"{'':<24} note: {n}" for n in t.notes)
    return lines


def _rps(t: Target | None, op: str) -> float | None:
    load = t.loads.get(op) if t else None
    return load.rps if load else None


def ratios(primary: Target, by_name: dict[str, Target]) -> list[str]:
    pairs = [
        ("archive granian/fast", "bare lxml granian"),
        ("archive gunicorn/fast", "bare lxml gunicorn"),
        ("archive granian/fast", "bare lxml gunicorn"),
        ("archive granian/fast", WIREMOCK),
        ("archive granian/fast", WIREMOCK_FASTEST),
        ("archive gunicorn/fast", WIREMOCK),
        ("archive gunicorn/fast", WIREMOCK_FASTEST),
        ("archive granian/fast", "archive granian/spyne"),
        ("archive gunicorn/fast", "archive gunicorn/spyne"),
        ("archive granian/fast", "archive gunicorn/fast"),
    ]
    lines = []
    for a, b in pairs:
        ra, rb = _rps(by_name.get(a), "read"), _rps(by_name.get(b), "read")
        if ra and rb:
            lines.append(f"  reads  {a:<22} / {b:<24} = {ra / rb:6.2f}x")
    return lines


def _within(value: float | None, limit: float | None, *, at_least: bool) -> bool | None:
    """Whether ``value`` meets ``limit``; None when either was not measured."""
    if value is None or limit is None:
        return None
    return value >= limit if at_least else value <= limit


def checks(
    primary: Target, wiremock: Target | None, fastest: Target | None
) -> list[tuple[str, bool | None, str]]:
    """(target, passed or None when not measurable, figure) for the archive `tpn serve` runs."""
    read, write = _rps(primary, "read"), _rps(primary, "write")
    wm, wm_fast = _rps(wiremock, "read"), _rps(fastest, "read")
    anchor = None if wm_fast is None else wm_fast * TARGET_READ_VS_WIREMOCK
    reads, writes = primary.loads.get("read"), primary.loads.get("write")
    rss = primary.peak_rss_mb
    return [
        (
            f"reads >= {TARGET_READ_RPS:,.0f} req/s",
            _within(read, TARGET_READ_RPS, at_least=True),
            _fmt(read, ",.0f"),
        ),
        (
            f"reads >= {TARGET_READ_VS_WIREMOCK:g}x WireMock, journal off",
            _within(read, anchor, at_least=True),
            f"{_fmt(read, ',.0f')} vs {_fmt(anchor, ',.0f')}",
        ),
        (
            "reads >= WireMock, journal on",
            _within(read, wm, at_least=True),
            f"{_fmt(read, ',.0f')} vs {_fmt(wm, ',.0f')}",
        ),
        (
            f"writes >= {TARGET_WRITE_RPS:,.0f} req/s",
            _within(write, TARGET_WRITE_RPS, at_least=True),
            _fmt(write, ",.0f"),
        ),
        (
            f"p99 reads <= {TARGET_P99_READ_MS:.0f} ms",
            _within(reads.p99_ms if reads else None, TARGET_P99_READ_MS, at_least=False),
            _fmt(reads.p99_ms if reads else None, ".1f") + " ms",
        ),
        (
            f"p99 writes <= {TARGET_P99_WRITE_MS:.0f} ms",
            _within(writes.p99_ms if writes else None, TARGET_P99_WRITE_MS, at_least=False),
            _fmt(writes.p99_ms if writes else None, ".1f") + " ms",
        ),
        (
            f"RSS <= {TARGET_RSS_MB:.0f} MB per worker",
            _within(rss, TARGET_RSS_MB, at_least=False),
            _fmt(rss, ".0f") + " MB",
        ),
        (
            f"ready <= {TARGET_READY_S:.0f} s",
            _within(primary.ready_s, TARGET_READY_S, at_least=False),
            _fmt(primary.ready_s, ".2f") + " s",
        ),
    ]


def report(targets: list[Target], plan: LoadPlan, json_path: Path | None) -> None:
    by_name = {t.name: t for t in targets}
    primary = targets[0]
    print()
    print(
        f"wrk: {plan.connections} connections, {plan.threads} threads, {plan.duration_s:g} s "
        f"after {plan.warmup_s:g} s warm-up; 127.0.0.1; {os.cpu_count()} cores; "
        f"archive journal {'on' if plan.journal else 'OFF (diagnosis run)'}"
    )
    print("read = GetJournpost by jpId (answer ~40 elements); write = PutJournpost (new entry)")
    print()
    print("\n".join(table(targets)))
    print()
    print("ratios")
    print("\n".join(ratios(primary, by_name)) or "  (not enough figures)")
    print()
    print(f"targets (for {primary.name}, what `tpn serve` runs by default)")
    results = checks(primary, by_name.get(WIREMOCK), by_name.get(WIREMOCK_FASTEST))
    for name, ok, fig in results:
        verdict = "n/a " if ok is None else ("PASS" if ok else "MISS")
        print(f"  {verdict}  {name:<34} {fig}")
    if json_path is not None:
        data = {
            "plan": {k: v for k, v in asdict(plan).items() if k != "work_dir"},
            "targets": [{**asdict(t), "peak_rss_mb": t.peak_rss_mb} for t in targets],
            "checks": [{"target": n, "pass": ok, "figure": f} for n, ok, f in results],
        }
        json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
        print(f"\nwritten {json_path}")


# ---------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument(
        "--duration", type=float, default=10.0, help="seconds per measured wrk run (default 10)"
    )
    p.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="seconds of wrk before each measured run (default 2)",
    )
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--entries", type=int, default=20, help="journal entries seeded before the load")
    p.add_argument(
        "--quick", action="store_true", help="3 s runs, 1 s warm-up, default configuration only"
    )
    p.add_argument("--no-matrix", action="store_true", help="only the default granian/fast archive")
    p.add_argument("--no-wiremock", action="store_true")
    p.add_argument("--no-bare", action="store_true", help="skip the bare lxml references")
    p.add_argument(
        "--no-journal",
        action="store_true",
        help="serve the archive without its journal (diagnosis; the targets assume it on)",
    )
    p.add_argument(
        "--json", type=Path, default=None, metavar="FILE", help="also write the figures as JSON"
    )
    p.add_argument(
        "--keep", action="store_true", help="keep the temp dir (logs, databases, Lua scripts)"
    )
    args = p.parse_args(argv)
    if args.quick:
        args.duration, args.warmup, args.no_matrix = (
            min(args.duration, 3.0),
            min(args.warmup, 1.0),
            True,
        )
    return args


def _raise_interrupt(_sig: int, _frame: FrameType | None) -> None:
    # SIGTERM (e.g. from `timeout`) goes the same way as Ctrl+C: through the finally blocks.
    raise KeyboardInterrupt


def run(args: argparse.Namespace, plan: LoadPlan) -> list[Target]:
    session = requests.Session()
    session.trust_env = False  # no proxy look-ups: ~1 ms per call otherwise, and 127.0.0.1 only
    configs = ARCHIVE_CONFIGS[:1] if args.no_matrix else ARCHIVE_CONFIGS
    targets: list[Target] = []
    seeded: Seeded | None = None
    for server_name, engine in configs:
        print(f"archive {server_name}/{engine} ...", flush=True)
        target, got = bench_archive(server_name, engine, plan, session, args.entries)
        targets.append(target)
        if got is not None:
            if seeded is not None and got.get_answer != seeded.get_answer:
                target.notes.append(
                    "GetJournpost answer differs from the granian/fast archive's bytes"
                )
            seeded = seeded or got
    if seeded is None:
        print("no archive could be seeded; references skipped", file=sys.stderr)
        return targets
    if not args.no_bare:
        for server_name in ("gunicorn", "granian"):
            print(f"bare lxml {server_name} ...", flush=True)
            targets.append(bench_bare(server_name, seeded, plan, session))
    if not args.no_wiremock:
        print("WireMock ...", flush=True)
        targets.append(bench_wiremock(seeded, plan, session))
        targets.append(bench_wiremock(seeded, plan, session, journal=False))
    return targets


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed. On Debian/Ubuntu: apt-get install -y wrk", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _raise_interrupt)
    # A shell starting us in the background may have set SIGINT to "ignore"; we want Ctrl+C
    # and `kill -INT` to stop the servers either way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    work_dir = Path(tempfile.mkdtemp(prefix="bench-noark4ws-"))
    plan = LoadPlan(
        args.duration, args.warmup, args.connections, args.threads, work_dir, not args.no_journal
    )
    targets: list[Target] = []
    try:
        targets = run(args, plan)
    except KeyboardInterrupt:
        print("\ninterrupted; stopping servers", file=sys.stderr)
    finally:
        stop_all()
        if args.keep:
            print(f"kept {work_dir}")
    if targets:
        report(targets, plan, args.json)
    if not args.keep:
        shutil.rmtree(work_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
