"""The command line, pointed at anything: a corpus of hostile invocations of the installed ``tpn``.

Each case is one row of ``CASES``: the arguments, what to prepare first, the exit status and the
exact lines expected. Every case also asserts what holds for all of them: no traceback, no raw
control character in the output (a crafted name cannot forge a line or reach the terminal), and
an end within ``TIMEOUT`` seconds under a memory cap (a hang or an unbounded read fails fast
instead of taking the machine with it). To add a case, add a row.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import resource
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from served import tpn_command

from tpn.conformance.report_format import FORMAT
from tpn.fixtures import standard_file
from tpn.harness.certificate import generate_keypair, sign_report
from tpn.mocks.core.serving import free_port

TIMEOUT = 60.0
MEMORY = 2 * 1024**3  # address space per tpn process: ample for tpn, fatal for reading /dev/zero
# C0 controls but tab and newline, DEL, C1 controls: none may reach the output raw.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ONE_LINE = (
    r"tpn [a-z]+(?: [a-z]+)?: [^\n]+"  # `tpn COMMAND: ...`, the legacy lines without "error:" too
)

Setup = Callable[[Path, contextlib.ExitStack], dict[str, str]]


def nothing(tmp: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class Case:
    """``tpn ARGS [SHELL]``, expected to exit ``code`` with exactly ``err`` on stderr.

    Arguments and ``shell`` are formatted with ``tmp`` and what ``setup`` returns. ``err`` and
    ``out`` are regular expressions, one per line, formatted the same way with each value
    regex-escaped; ``out=None`` leaves stdout to ``out_has``, regexes some line must match.
    ``usage``: argparse's usage lines come first, only the last line is compared. ``shell``:
    run under bash (``set -o pipefail``) with this after the command (redirections, pipes).
    """

    id: str
    args: tuple[str, ...]
    code: int
    err: tuple[str, ...] = ()
    out: tuple[str, ...] | None = ()
    out_has: tuple[str, ...] = ()
    setup: Setup = nothing
    shell: str = ""
    env: dict[str, str] = field(default_factory=dict)
    usage: bool = False
    root: bool = False  # needs root (mounts a tmpfs)


# ---------------------------------------------------------------------- what cases prepare


def fifo(tmp: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    os.mkfifo(tmp / "doc.xml")
    return {}


VALID_DOCUMENT = standard_file("ksxml", "examples/KS-TTKORT/valid.xml")


def forms_with_devices(tmp: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    """A folder of one valid document, a FIFO and a symlink to /dev/zero, all named *.xml."""
    (tmp / "forms").mkdir()
    (tmp / "forms" / "a.xml").write_bytes(VALID_DOCUMENT.read_bytes())
    os.mkfifo(tmp / "forms" / "b.xml")
    (tmp / "forms" / "c.xml").symlink_to("/dev/zero")
    return {}


CRAFTED = "a.xml: invalid (0 findings)\n\x1b[2Jforged.xml"


def crafted_name(tmp: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    (tmp / "forms").mkdir()
    (tmp / "forms" / CRAFTED).write_bytes(VALID_DOCUMENT.read_bytes())
    return {}


def oversize(tmp: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    with (tmp / "big.xml").open("wb") as file:  # sparse: costs no disk
        file.truncate(65 * 1024 * 1024)
    with (tmp / "sp.xml").open("wb") as file:
        file.truncate(300 * 1024)
    return {}


def auth_files(tmp: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    os.mkfifo(tmp / "auth.fifo")
    (tmp / "auth.txt").write_text("arkiv-hunter2-no-colon\n", encoding="utf-8")
    return {}


def port_in_use(tmp: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    listener = stack.enter_context(socket.socket())
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return {"port": str(listener.getsockname()[1])}


def tiny_full_disk(tmp: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    """A 64 KiB tmpfs at tmp/full, filled: every write there fails with ENOSPC."""
    full = tmp / "full"
    full.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(full)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace')}")
    stack.callback(subprocess.run, ["umount", "-l", str(full)], check=False)
    with contextlib.suppress(OSError), (full / "filler").open("wb") as filler:
        while True:
            filler.write(b"\0" * 4096)
            filler.flush()
    return {}


# A report folder, signed as `tpn certify --sign-key` signs it (the report is a small one of the
# current format; the signature and attestation are the real thing).
JUNIT = b'<?xml version="1.0"?>\n<testsuite name="noark4ws-archive" tests="1"/>\n'
HTML = "<!doctype html><title>report</title><p>1 passed</p>\n"


def report_folder(
    tmp: Path, *, html_at_signing: bool = True, vendor: str = "Ærlig Arkiv AS"
) -> Path:
    folder = tmp / "report"
    folder.mkdir()
    (folder / "junit.xml").write_bytes(JUNIT)
    if html_at_signing:
        (folder / "report.html").write_text(HTML, encoding="utf-8")
    report: dict[str, Any] = {
        "format": FORMAT,
        "profile": "noark4ws-archive",
        "target": "http://127.0.0.1:8086/noark4ws",
        "reference": False,
        "vendor": vendor,
        "product": "ArkivX",
        "product_version": "4.2",
        "level": "core",
        "started": "2026-11-28T14:00:00+00:00",
        "finished": "2026-11-28T14:05:00+00:00",
        "summary": {
            "passed": 1,
            "failed": 0,
            "not_applicable": 0,
            "waived": 0,
            "not_run": 0,
            "total": 1,
            "result": "passed",
        },
        "requirements": [{"id": "N4WS-NUM-001", "level": "core", "result": "passed"}],
        "artefacts": {
            "junit.xml": {"sha256": hashlib.sha256(JUNIT).hexdigest(), "size": len(JUNIT)}
        },
        "attestation": None,
    }
    (folder / "report.json").write_text(json.dumps(report), encoding="utf-8")
    generate_keypair(tmp / "team.key", tmp / "team.pub")
    sign_report(folder, tmp / "team.key", signer="Testhuset AS", witnessed=True)
    return folder


def signed(edit: Callable[[Path], None] = lambda folder: None, **kwargs: Any) -> Setup:
    def setup(tmp: Path, stack: contextlib.ExitStack) -> dict[str, str]:
        edit(report_folder(tmp, **kwargs))
        return {}

    return setup


def swap_for_zero(name: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / name).unlink()
        (folder / name).symlink_to("/dev/zero")

    return edit


def swap_for_fifo(name: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / name).unlink()
        os.mkfifo(folder / name)

    return edit


def change_html(folder: Path) -> None:
    (folder / "report.html").write_text(HTML.replace("1 passed", "all passed"), encoding="utf-8")


def remove_html(folder: Path) -> None:
    (folder / "report.html").unlink()


def add_files(folder: Path) -> None:
    (folder / "notes.txt").write_text("not part of the certificate\n", encoding="utf-8")
    (folder / "\x1b[2Jevil\nname").write_text("", encoding="utf-8")


def html_after_signing(folder: Path) -> None:
    """A certificate signed before report.html was covered: the page is there, unrecorded."""
    (folder / "report.html").write_text(HTML, encoding="utf-8")


VERIFY = ("report", "verify", "{tmp}/report", "--public-key", "{tmp}/team.pub")
CLAIMS_HEADER = r"What report\.json claims \(not to be trusted\):"

CASES = [
    # ---- files that are no regular file, or too large
    Case(
        "validate-fifo",
        ("validate", "{tmp}/doc.xml"),
        2,
        err=(
            r"tpn validate: error: document {tmp}/doc\.xml is a FIFO; only regular files are read",
        ),
        setup=fifo,
    ),
    Case(
        "validate-dev-zero",
        ("validate", "/dev/zero"),
        2,
        err=(r"tpn validate: error: document /dev/zero is a device; only regular files are read",),
    ),
    Case(
        "validate-folder-with-fifo-and-device",
        ("validate", "{tmp}/forms"),
        2,
        err=(
            r"tpn validate: error: document {tmp}/forms/b\.xml is a FIFO; only regular files are read",
            r"tpn validate: error: document {tmp}/forms/c\.xml is a device; only regular files are read",
        ),
        out=(r"{tmp}/forms/a\.xml: valid", r"1 document: 1 valid, 0 invalid"),
        setup=forms_with_devices,
    ),
    Case(
        "validate-oversize-unread",
        ("validate", "{tmp}/big.xml"),
        2,
        err=(
            r"tpn validate: error: document {tmp}/big\.xml is 65\.0 MiB, over the limit of "
            r"64\.0 MiB",
        ),
        setup=oversize,
    ),
    Case(
        "sp-register-dev-zero",
        ("sp", "register", "/dev/zero", "--db", "sqlite:///{tmp}/mocks.sqlite3"),
        2,
        err=(
            r"tpn sp register: error: SP metadata /dev/zero is a device; only regular files are read",
        ),
    ),
    Case(
        "sp-register-fifo",
        ("sp", "register", "{tmp}/doc.xml", "--db", "sqlite:///{tmp}/mocks.sqlite3"),
        2,
        err=(
            r"tpn sp register: error: SP metadata {tmp}/doc\.xml is a FIFO; only regular files "
            r"are read",
        ),
        setup=fifo,
    ),
    Case(
        "sp-register-oversize",
        ("sp", "register", "{tmp}/sp.xml", "--db", "sqlite:///{tmp}/mocks.sqlite3"),
        2,
        err=(
            r"tpn sp register: error: SP metadata {tmp}/sp\.xml is 307200 bytes, over the limit "
            r"of 262144 bytes",
        ),
        setup=oversize,
    ),
    Case(
        "serve-portal-key-dev-zero",
        ("serve", "--portal-key", "/dev/zero"),
        2,
        err=(
            r"tpn serve: error: argument --portal-key: portal key /dev/zero is a device; only "
            r"regular files are read",
        ),
        usage=True,
    ),
    Case(
        "serve-auth-file-fifo",
        ("serve", "--auth-file", "{tmp}/auth.fifo", "--db", "nonsense://"),
        2,
        err=(
            r"tpn serve: error: --auth-file {tmp}/auth\.fifo is a FIFO; only regular files are "
            r"read",
        ),
        setup=auth_files,
    ),
    Case(
        "certify-sign-key-dev-zero",
        ("certify", "--sign-key", "/dev/zero", "--signer", "Testhuset AS"),
        2,
        # tpn certify's own line (harness/certify.py) may say "error:" or not.
        err=(
            r"tpn certify: (?:error: )?private key /dev/zero is a device; only regular files are "
            r"read",
        ),
    ),
    Case(
        "verify-public-key-dev-zero",
        ("report", "verify", "{tmp}/report", "--public-key", "/dev/zero"),
        2,
        err=(
            r"tpn report verify: error: public key /dev/zero is a device; only regular files are read",
        ),
        setup=signed(),
    ),
    # ---- a report folder with a device or FIFO inside: nothing to judge, one line, no hang
    Case(
        "verify-junit-symlink-to-dev-zero",
        VERIFY,
        2,
        err=(
            r"tpn report verify: error: artefact {tmp}/report/junit\.xml is a device; only "
            r"regular files are read",
        ),
        setup=signed(swap_for_zero("junit.xml")),
    ),
    Case(
        "verify-report-json-symlink-to-dev-zero",
        VERIFY,
        2,
        err=(
            r"tpn report verify: error: report {tmp}/report/report\.json is a device; only "
            r"regular files are read",
        ),
        setup=signed(swap_for_zero("report.json")),
    ),
    Case(
        "verify-signature-fifo",
        VERIFY,
        2,
        err=(
            r"tpn report verify: error: signature {tmp}/report/report\.json\.sig is a FIFO; only "
            r"regular files are read",
        ),
        setup=signed(swap_for_fifo("report.json.sig")),
    ),
    Case(
        "verify-html-fifo",
        VERIFY,
        2,
        err=(
            r"tpn report verify: error: artefact {tmp}/report/report\.html is a FIFO; only "
            r"regular files are read",
        ),
        setup=signed(swap_for_fifo("report.html")),
    ),
    # ---- every file of a certificate is covered, and verify says so
    Case(
        "verify-says-what-is-covered",
        VERIFY,
        0,
        out=None,
        out_has=(
            r"VALID: {tmp}/report is signed and intact",
            r"  covers     report\.json \(signed\); junit\.xml, report\.html \(by their sha256 in "
            r"report\.json\)",
        ),
        setup=signed(),
    ),
    Case(
        "verify-html-changed",
        VERIFY,
        1,
        out=None,
        out_has=(
            r"INVALID: {tmp}/report has 1 problem",
            r"  problem: report\.html was changed after the run: it has \d+ bytes and sha256 "
            r"[0-9a-f]{{64}}, report\.json records \d+ bytes and sha256 [0-9a-f]{{64}}",
        ),
        setup=signed(change_html),
    ),
    Case(
        "verify-html-missing",
        VERIFY,
        1,
        out=None,
        out_has=(r"  problem: report\.html is missing",),
        setup=signed(remove_html),
    ),
    Case(
        "verify-names-uncovered-files-escaped",
        VERIFY,
        0,
        out=None,
        out_has=(
            r"VALID: {tmp}/report is signed and intact",
            r"  uncovered  \\x1b\[2Jevil\\nname, notes\.txt: nothing vouches for these",
        ),
        setup=signed(add_files),
    ),
    Case(
        "verify-old-certificate-html-not-covered",
        VERIFY,
        0,
        out=None,
        out_has=(
            r"VALID: {tmp}/report is signed and intact",
            r"  covers     report\.json \(signed\); junit\.xml \(by their sha256 in report\.json\)",
            r"  uncovered  report\.html: nothing vouches for these",
            r"  note       report\.html is not covered: the report was signed before tpn recorded "
            r"the page's hash; trust report\.json, not the page",
        ),
        setup=signed(html_after_signing, html_at_signing=False),
    ),
    # ---- crafted names and text: escaped, never a forged line
    Case(
        "validate-crafted-file-name",
        ("validate", "{tmp}/forms"),
        0,
        out=(
            r"{tmp}/forms/a\.xml: invalid \(0 findings\)\\n\\x1b\[2Jforged\.xml: valid",
            r"1 document: 1 valid, 0 invalid",
        ),
        setup=crafted_name,
    ),
    Case(
        "verify-crafted-vendor",
        VERIFY,
        0,
        out=None,
        out_has=(r"  product    ArkivX\\nVALID: forged\\x1b\[2J ArkivX 4\.2",),
        setup=signed(vendor="ArkivX\nVALID: forged\x1b[2J"),
    ),
    Case(
        "id-check-crafted-number",
        ("id", "check", "\x1b[2J12345678901\nforged\tfnr\tvalid"),
        1,
        out=(r"\\x1b\[2J12345678901\\nforged\\tfnr\\tvalid\tunknown\tinvalid: [^\t]+",),
    ),
    # ---- bad --db, addresses and URLs
    Case(
        "sp-list-db-nonsense",
        ("sp", "list", "--db", "nonsense://"),
        2,
        err=(
            r"tpn sp list: error: --db names the database kind 'nonsense', which SQLAlchemy does "
            r"not know \(e\.g\. sqlite:///path/to/mocks\.sqlite3 or postgresql://host/dbname\)",
        ),
    ),
    Case(
        "sp-list-db-no-folder",
        ("sp", "list", "--db", "sqlite:////nonexistent/dir/x.db"),
        2,
        err=(r"tpn sp list: error: --db: the folder /nonexistent/dir does not exist",),
    ),
    Case(
        "serve-db-nonsense",
        ("serve", "--db", "nonsense://", "--port", "8086"),
        2,
        err=(r"tpn serve: error: --db names the database kind 'nonsense', [^\n]+",),
    ),
    Case(
        "serve-db-no-folder",
        ("serve", "--db", "sqlite:////nonexistent/dir/x.db"),
        2,
        err=(r"tpn serve: error: --db: the folder /nonexistent/dir does not exist",),
    ),
    Case(
        "serve-db-is-a-device",
        ("serve", "--db", "sqlite:////dev/zero"),
        2,
        err=(r"tpn serve: error: --db: /dev/zero is not a regular file",),
    ),
    Case(
        "serve-port-in-use",
        ("serve", "--port", "{port}", "--db", "sqlite:///{tmp}/mocks.sqlite3", "--workers", "1"),
        2,
        err=(
            r"tpn serve: error: cannot listen on 127\.0\.0\.1 port {port}: Address already in use",
        ),
        setup=port_in_use,
    ),
    Case(
        "serve-host-name-for-granian",
        ("serve", "--host", "localhost", "--db", "sqlite:///{tmp}/mocks.sqlite3"),
        2,
        err=(
            r"tpn serve: error: --host 'localhost': granian listens on an IP address "
            r"\(127\.0\.0\.1, 0\.0\.0\.0, ::1\), not a host name; or use --server gunicorn",
        ),
    ),
    Case(
        "serve-malformed-public-url",
        ("serve", "--public-url", "http://[::1"),
        2,
        err=(
            r"tpn serve: error: argument --public-url: not a URL \(Invalid IPv6 URL\): 'http://\[::1'",
        ),
        usage=True,
    ),
    # ---- secrets: never echoed
    Case(
        "serve-auth-env-malformed",
        ("serve", "--db", "nonsense://"),
        2,
        err=(r"tpn serve: error: \$TPN_SERVE_AUTH takes USER:PASSWORD",),
        env={"TPN_SERVE_AUTH": "arkiv-hunter2-no-colon"},
    ),
    Case(
        "serve-auth-file-malformed",
        ("serve", "--auth-file", "{tmp}/auth.txt", "--db", "nonsense://"),
        2,
        err=(
            r"tpn serve: error: --auth-file {tmp}/auth\.txt takes USER:PASSWORD on its first line",
        ),
        setup=auth_files,
    ),
    # ---- standard streams: closed, full, gone
    Case(
        "stdout-closed",
        ("defects",),
        2,
        err=(
            r"tpn defects: error: standard output is closed; there is nowhere to write the result",
        ),
        shell=">&-",
    ),
    Case(
        "stdin-closed",
        ("id", "check", "-"),
        2,
        err=(r"tpn id check: error: standard input is closed; '-' reads the numbers from it",),
        shell="<&-",
    ),
    Case(
        "stdin-dev-zero",
        ("id", "check", "-"),
        2,
        err=(
            r"tpn id check: error: line 1 of standard input is longer than 1024 characters; "
            r"give one number a line",
        ),
        shell="</dev/zero",
    ),
    Case(
        "stdout-dev-full",
        ("population", "--json"),
        2,
        err=(r"tpn population: error: cannot write to standard output: No space left on device",),
        shell=">/dev/full",
    ),
    Case(
        "broken-pipe-reader-gone",
        ("population", "--json"),
        141,
        err=(),
        out=(),
        shell="| true",
    ),
    Case(
        "broken-pipe-head",
        ("id", "check", "-"),
        141,
        err=(),
        out=(r"12345678901\t[a-z-]+\tinvalid: [^\t]+",),  # what head printed
        shell="< <(yes 12345678901 | head -n 50000) | head -n 1",
    ),
    # ---- unwritable folders and a full disk
    Case(
        "schema-export-out-under-a-file",
        ("schema", "export", "--out", "{tmp}/report/junit.xml/out"),
        2,
        err=(
            r"tpn schema export: error: cannot write into {tmp}/report/junit\.xml/out: Not a "
            r"directory",
        ),
        setup=signed(),
    ),
    Case(
        "schema-export-full-disk",
        ("schema", "export", "--out", "{tmp}/full"),
        2,
        err=(r"tpn schema export: error: cannot write into {tmp}/full: No space left on device",),
        out=None,
        setup=tiny_full_disk,
        root=True,
    ),
    Case(
        "keygen-full-disk",
        ("keygen", "--private-key", "{tmp}/full/team.key", "--public-key", "{tmp}/team.pub"),
        2,
        err=(
            r"tpn keygen: error: {tmp}/full/team\.key cannot be written: No space left on device",
        ),
        setup=tiny_full_disk,
        root=True,
    ),
]


def _limit_memory() -> None:  # in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run(case: Case, tmp: Path, stack: contextlib.ExitStack | None = None) -> tuple[int, str, str]:
    """Run the case's command as a person would (the installed `tpn`, in a shell if it needs
    redirections); a hang raises TimeoutExpired. What the setup holds (a listening socket, a
    mounted tmpfs) is released at the end, or with ``stack`` if one is given."""
    with contextlib.ExitStack() as own:
        stack = stack or own
        values = {"tmp": str(tmp), **case.setup(tmp, stack)}
        argv = [*tpn_command(), *(arg.format(**values) for arg in case.args)]
        env = {k: v for k, v in os.environ.items() if k not in ("TPN_SERVE_AUTH", "TPN_DEBUG")}
        env.update(XDG_DATA_HOME=str(tmp / "xdg"), **case.env)
        script = f"set -o pipefail; {shlex.join(argv)} {case.shell}"
        command = ["bash", "-c", script] if case.shell else argv
        done = subprocess.run(
            command,
            cwd=tmp,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
            preexec_fn=_limit_memory,
            check=False,
        )
    return done.returncode, _decode(done.stdout), _decode(done.stderr)


def _decode(data: bytes) -> str:
    # Not strict: output that is not UTF-8 must fail an assertion, not the decoding.
    return data.decode("utf-8", errors="backslashreplace")


def _expand(patterns: tuple[str, ...], tmp: Path) -> list[str]:
    values = {"tmp": re.escape(str(tmp))}
    if "{port}" in "".join(patterns):
        values["port"] = r"\d+"
    return [p.format(**values) for p in patterns]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_invocation(case: Case, tmp_path: Path) -> None:
    if case.root and os.geteuid() != 0:
        pytest.skip("needs root to mount a tiny tmpfs")
    code, out, err = run(case, tmp_path)
    shown = f"exit {code}\n--- stdout\n{out[-3000:]}\n--- stderr\n{err[-3000:]}"
    assert "Traceback" not in out + err, shown
    assert not RAW_CONTROL.search(out) and not RAW_CONTROL.search(err), shown
    assert code == case.code, shown
    err_lines = err.splitlines()
    if case.usage:
        assert err_lines[0].startswith("usage: "), shown
        err_lines = err_lines[-1:]
    expected = _expand(case.err, tmp_path)
    assert len(err_lines) == len(expected), shown
    for line, pattern in zip(err_lines, expected, strict=True):
        assert re.fullmatch(pattern, line), f"{line!r} !~ {pattern!r}\n{shown}"
        assert re.fullmatch(ONE_LINE, line), shown
    out_lines = out.splitlines()
    if case.out is not None:
        wanted = _expand(case.out, tmp_path)
        assert len(out_lines) == len(wanted), shown
        for line, pattern in zip(out_lines, wanted, strict=True):
            assert re.fullmatch(pattern, line), f"{line!r} !~ {pattern!r}\n{shown}"
    for pattern in _expand(case.out_has, tmp_path):
        assert any(re.fullmatch(pattern, line) for line in out_lines), (
            f"no line ~ {pattern!r}\n{shown}"
        )


def test_a_key_is_not_left_half_written_on_a_full_disk(tmp_path: Path) -> None:
    """The keygen-full-disk case, and what it must leave behind: nothing to block a retry."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tiny tmpfs")
    [case] = [c for c in CASES if c.id == "keygen-full-disk"]
    with contextlib.ExitStack() as mounted:
        code, _, _ = run(case, tmp_path, mounted)
        assert code == 2
        assert os.path.ismount(tmp_path / "full")
        assert not (tmp_path / "full" / "team.key").exists()
        assert not (tmp_path / "team.pub").exists()


# ---------------------------------------------------------------------- a bug in tpn itself

BUG = (
    "import tpn.harness.defects as d\n"
    "def boom(args):\n"
    "    raise ZeroDivisionError('division by zero\\nforged line')\n"
    "d.defects_command = boom\n"
    "from tpn.harness.cli import main\n"
    "raise SystemExit(main(['defects']))\n"
)


def test_an_internal_error_is_one_line_and_tpn_debug_shows_the_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TPN_DEBUG"}
    done = subprocess.run(
        [sys.executable, "-c", BUG], capture_output=True, text=True, timeout=TIMEOUT, env=env
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "tpn defects: error: internal error: ZeroDivisionError: division by zero\\nforged line "
        "(a bug in tpn; run with TPN_DEBUG=1 for the traceback)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", BUG],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**env, "TPN_DEBUG": "1"},
    )
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "ZeroDivisionError" in done.stderr


# ---------------------------------------------------------------------- the password of tpn serve


@contextlib.contextmanager
def serving(
    tmp: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[requests.Session, str, subprocess.Popen[bytes]]]:
    """``tpn serve ARGS`` on a free port, one worker: (a session, the base URL, the process),
    once /isalive answers; stopped with Ctrl+C after."""
    port = free_port()
    log = tmp / "serve.log"
    command = [
        *tpn_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "--db", f"sqlite:///{tmp / 'mocks.sqlite3'}", *args,
    ]  # fmt: skip
    environment = {k: v for k, v in os.environ.items() if k != "TPN_SERVE_AUTH"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**environment, "XDG_DATA_HOME": str(tmp / "xdg"), **(env or {})},
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    http = requests.Session()
    http.trust_env = False  # no proxies for 127.0.0.1
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            try:
                if http.get(f"{base}/isalive", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "tpn serve did not answer /isalive in 30 s"
            time.sleep(0.1)
        yield http, base, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


SECRET = "S3cret-pa55-4-tpn"


@pytest.mark.parametrize("source", ["auth-file", "environment"])
def test_serve_takes_the_password_from_a_file_or_the_environment_and_never_shows_it(
    tmp_path: Path, source: str
) -> None:
    args: tuple[str, ...] = ()
    env: dict[str, str] = {}
    if source == "auth-file":
        (tmp_path / "auth").write_text(f"arkiv:{SECRET}\n", encoding="utf-8")
        args, label = ("--auth-file", str(tmp_path / "auth")), f"--auth-file {tmp_path}/auth"
    else:
        env, label = {"TPN_SERVE_AUTH": f"arkiv:{SECRET}"}, "$TPN_SERVE_AUTH"
    with serving(tmp_path, *args, env=env) as (http, base, proc):
        journal = f"{base}/__admin/journal"
        assert http.get(journal, timeout=10).status_code == 401
        assert http.get(journal, auth=("arkiv", "wrong"), timeout=10).status_code == 401
        assert http.get(journal, auth=("arkiv", SECRET), timeout=10).status_code == 200
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert SECRET.encode() not in cmdline
    printed = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert f"  auth      HTTP Basic, user arkiv ({label})" in printed.splitlines()
    assert SECRET not in printed


def test_serve_help_names_every_source_of_the_password() -> None:
    done = subprocess.run(
        [*tpn_command(), "serve", "--help"], capture_output=True, text=True, timeout=TIMEOUT
    )
    text = " ".join(done.stdout.split())
    assert "--auth-file FILE" in text and "$TPN_SERVE_AUTH=USER:PASSWORD" in text
    assert "visible to every user of this machine in the process list" in text


def test_the_banner_hides_a_database_password() -> None:
    from tpn.harness import db

    shown = db.shown("postgresql://tpn:" + SECRET + "@db.example/tpn")
    assert shown == "postgresql://tpn:***@db.example/tpn"
