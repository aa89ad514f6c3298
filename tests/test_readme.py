"""The README's examples are tests: its Python and curl blocks run against a live archive.

A fenced block tagged ``python`` is executed; a ``sh`` block that calls curl is run by bash
(it may hold only curl commands and comments). ``localhost:8086`` in a block is replaced by the
address of a fresh ``ArchiveMock`` (a ``ComposedMock`` when the block calls Enhetsregisteret
or MinSide),
one per block, so each example stands on its own; a block
that carries credentials (``-u USER:PASSWORD``, ``auth = ("USER", "PASSWORD")``) gets an archive
that requires them. ``text`` and ``xml`` blocks are shown output and are not run.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DEFAULT_ADDRESS = "localhost:8086"

_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
_CREDENTIALS = (
    re.compile(r"(?:-u|--user)\s+'?([^\s:']+):([^\s']+?)'?(?:\s|$)"),
    re.compile(r"auth\s*=\s*\(\s*\"([^\"]+)\"\s*,\s*\"([^\"]+)\"\s*\)"),
)


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int  # of the opening fence, 1-based
    section: str

    @property
    def where(self) -> str:
        return f"README.md:{self.line}"


def blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()]
        headings = re.findall(r"^#+ (.+)$", before, re.M)
        found.append(
            Block(
                match.group(1),
                match.group(2),
                before.count("\n") + 1,
                headings[-1] if headings else "",
            )
        )
    return found


def credentials(code: str) -> tuple[str, str] | None:
    for pattern in _CREDENTIALS:
        m = pattern.search(code)
        if m:
            return m.group(1), m.group(2)
    return None


@contextmanager
def archive_for(code: str) -> Iterator[Any]:
    """The archive alone, or, for a block that talks to Enhetsregisteret or MinSide, every mock
    as ``tpn serve`` composes them."""
    from tpn.mocks.compose import ComposedMock
    from tpn.mocks.core.config import MockConfig
    from tpn.mocks.noark4ws import ArchiveMock

    composed = "/enhetsregisteret" in code or "localhost:8086/minside" in code
    kind = ComposedMock if composed else ArchiveMock
    with kind(MockConfig(auth=credentials(code))) as archive:
        yield archive


def _ids(items: list[Block]) -> list[str]:
    return [b.where for b in items]


PYTHON = [b for b in blocks() if b.lang == "python"]
CURL = [b for b in blocks() if b.lang in ("sh", "bash") and re.search(r"^\s*curl\b", b.code, re.M)]
# Blocks of tpn and pytest commands, outside the quickstart (which CI itself runs) and the
# blocks that start a server in the foreground.
TPN = [
    b
    for b in blocks()
    if b.lang == "sh"
    and b.section != "Quickstart"
    and re.match(r"\s*(tpn|pytest) ", b.code)
    and "tpn serve" not in b.code
]


def test_the_readme_has_examples() -> None:
    assert len(PYTHON) >= 3 and len(CURL) >= 3, "the README lost its examples"


@pytest.mark.parametrize("block", PYTHON, ids=_ids(PYTHON))
def test_python_example(block: Block) -> None:
    needs_server = DEFAULT_ADDRESS in block.code
    with archive_for(block.code) if needs_server else nullcontext() as archive:
        code = block.code
        if archive is not None:
            code = code.replace(f"http://{DEFAULT_ADDRESS}", archive.base_url)
        # Line numbers in a traceback point into the README.
        compiled = compile("\n" * block.line + code, str(README), "exec")
        exec(compiled, {"__name__": f"readme_{block.line}"})


def _commands(code: str) -> list[str]:
    """The block's commands (continuation lines and quoted multi-line data joined)."""
    out: list[str] = []
    current = ""
    for line in code.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line + "\n"
        if not line.endswith("\\") and current.count("'") % 2 == 0:
            out.append(current)
            current = ""
    assert not current, f"unterminated command: {current!r}"
    return out


@pytest.mark.parametrize("block", CURL, ids=_ids(CURL))
def test_curl_example(block: Block, tmp_path: Path) -> None:
    commands = _commands(block.code)
    assert all(c.lstrip().startswith("curl ") for c in commands), (
        f"{block.where}: a runnable sh block holds only curl commands and comments"
    )
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    with archive_for(block.code) as archive:
        address = f"{archive.host}:{archive.port}"
        script = "\n".join(
            [
                "set -euo pipefail",
                # Each call reports its HTTP status on a line of its own.
                "curl() { command curl --silent --show-error"
                " --write-out '\\n@@HTTP %{http_code}\\n' \"$@\"; }",
                block.code.replace(DEFAULT_ADDRESS, address),
            ]
        )
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{block.where} failed:\n{output}"
    statuses = re.findall(r"^@@HTTP (\d{3})$", done.stdout, re.M)
    assert len(statuses) == len(commands), output
    assert all(s.startswith("2") for s in statuses), f"{block.where}: HTTP {statuses}\n{output}"
    assert "<faultcode>" not in output and 'type="ERROR"' not in output, output


def _section_blocks(title: str) -> list[Block]:
    return [b for b in blocks() if b.section == title]


def test_quickstart_is_two_commands_and_ci_runs_the_second() -> None:
    quick = [b for b in _section_blocks("Quickstart") if b.lang == "sh"]
    commands = [b.code.strip() for b in quick]
    assert len(commands) == 2 and all("\n" not in c for c in commands), commands
    main, test = commands
    assert main.endswith("tpn certify") and "install" in main
    assert "install" in test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in [line.strip() for line in ci.splitlines()], (
        f".ci/run must run the README's test command exactly: {test!r}"
    )


def test_serve_synopsis_matches_the_cli() -> None:
    from tpn.harness.cli import DEFAULT_PORT, build_parser

    [synopsis] = [b for b in _section_blocks("`tpn serve`") if b.lang == "text"]
    documented = set(re.findall(r"--[a-z][a-z-]+", synopsis.code))
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    serve = sub.choices["serve"]  # type: ignore[index]
    actual = {s for a in serve._actions for s in a.option_strings if s.startswith("--")}
    actual.discard("--help")
    assert documented == actual
    assert f"[--port {DEFAULT_PORT}]" in synopsis.code


@pytest.mark.slow
@pytest.mark.parametrize("block", TPN, ids=_ids(TPN))
def test_tpn_command_example(block: Block, tmp_path: Path) -> None:
    """Each command runs in one folder per block, against a live archive where it names one;
    it must exit 0 unless the line's comment says ``exits N``."""
    from served import tpn_command

    with archive_for(block.code) as archive:
        for command in _commands(block.code):
            line = command.replace(f"http://{DEFAULT_ADDRESS}", archive.base_url)
            expected = int(m.group(1)) if (m := re.search(r"#\s*exits (\d)", line)) else 0
            words = shlex.split(line, comments=True)
            if words[0] == "tpn":
                words = [*tpn_command(), *words[1:]]
            else:
                words = [sys.executable, "-m", *words, "-p", "no:cacheprovider"]
            done = subprocess.run(
                words, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
            )
            assert done.returncode == expected, (
                f"{block.where}: {line.strip()} exited {done.returncode}, not {expected}:\n"
                f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )


def test_certify_synopsis_matches_the_cli() -> None:
    from tpn.harness.cli import build_parser

    [synopsis] = [b for b in _section_blocks("Certifying an archive") if b.lang == "text"]
    documented = set(re.findall(r"--[a-z][a-z-]+", synopsis.code))
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    certify = sub.choices["certify"]  # type: ignore[index]
    actual = {s for a in certify._actions for s in a.option_strings if s.startswith("--")}
    actual -= {"--help", "--quiet"}  # -q is in the synopsis by its short name
    assert documented == actual
