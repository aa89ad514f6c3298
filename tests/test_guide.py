"""The guides in ``docs/`` are tests: each guide's Python blocks run, in order, as one story.

A guide walks a vendor through connecting a service step by step, and a later step uses what
an earlier one made (the login's applicant, the archive's saksnummer), so the blocks of one
file share one namespace and one set of mocks: a fresh ``ComposedMock`` (every mock, as
``tpn serve`` composes them), whose address replaces ``http://localhost:8086``. ``sh`` blocks
are commands for a reader's shell; their ``tpn`` commands are parsed by the real command line,
so an option the guide names exists.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DEFAULT_BASE = "http://localhost:8086"

_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int  # of the opening fence, 1-based


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    return [
        Block(m.group(1), m.group(2), text[: m.start()].count("\n") + 1)
        for m in _FENCE.finditer(text)
    ]


GUIDES = sorted(DOCS.glob("*.md"))


def test_there_is_a_guide() -> None:
    assert any(p.name == "connecting-a-service.md" for p in GUIDES), GUIDES


@pytest.mark.parametrize("guide", GUIDES, ids=[p.name for p in GUIDES])
def test_the_guide_runs(guide: Path) -> None:
    from tpn.mocks.compose import ComposedMock

    python = [b for b in blocks(guide) if b.lang == "python"]
    assert python, f"{guide.name} has no Python blocks"
    namespace: dict[str, object] = {"__name__": f"guide_{guide.stem}"}
    with ComposedMock() as mocks:
        for block in python:
            code = block.code.replace(DEFAULT_BASE, mocks.base_url)
            # Line numbers in a traceback point into the guide.
            exec(compile("\n" * block.line + code, str(guide), "exec"), namespace)


@pytest.mark.parametrize("guide", GUIDES, ids=[p.name for p in GUIDES])
def test_the_guides_commands_exist(guide: Path) -> None:
    from tpn.harness.cli import build_parser

    parser = build_parser()
    commands = [
        line.strip()
        for b in blocks(guide)
        if b.lang == "sh"
        for line in b.code.splitlines()
        if line.strip().startswith("tpn ")
    ]
    assert commands, f"{guide.name} names no tpn command"
    for command in commands:
        words = shlex.split(command.split("&&")[-1])[1:]
        try:
            parser.parse_args(words)
        except SystemExit as exc:  # argparse's way of refusing
            pytest.fail(f"{guide.name}: {command!r} is not a valid command ({exc})")
