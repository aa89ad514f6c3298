"""``tpn``: argument errors, and serving with the defaults it documents."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from served import Served

from tpn.harness.cli import COMMANDS, DEFAULT_PORT, build_parser, main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--workers", "0"], "must be at least 1"),
        (["serve", "--port", "70000"], "a port is 1 to 65535"),
        (["serve", "--auth", "nopassword"], "--auth takes USER:PASSWORD"),
        (["serve", "--engine", "zeep"], "invalid choice"),
        (["bogus"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_and_say_why(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_serve_defaults() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.db, args.workers) == ("127.0.0.1", DEFAULT_PORT, None, None)


def test_memory_database_is_refused_for_workers() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tpn.harness.cli", "serve", "--db", "sqlite://", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "a memory database cannot be shared by worker processes" in out.stderr


@pytest.mark.slow
@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_serve_starts_within_two_seconds(tmp_path: Path, server: str) -> None:
    served = Served(tmp_path / "db.sqlite3", workers=2, server=server)
    try:
        took = served.start()
        wsdl = served.http.get(served.url + "?wsdl", timeout=10)
        assert wsdl.status_code == 200 and b"GetJournpost" in wsdl.content
    finally:
        problems = served.stop()
    assert not problems, f"{problems}\n{served.output()}"
    # generous for a loaded CI machine; the benchmark reports the real figure
    assert took < 10, f"ready after {took:.1f} s"


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_is_found_where_cli_commands_says() -> None:
    # A command missing from COMMANDS would be absent from every command line but --help's.
    assert sorted(_commands(build_parser())) == sorted(COMMANDS)


# Every parser's help, and its subcommands' (a tree), as JSON: run in a fresh interpreter, so
# that a command's parser built alone has only what its own module imports.
_HELP_TREE = """
import argparse, json, sys
from tpn.harness.cli import build_parser

def tree(parser):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    children = {n: tree(c) for s in subs for n, c in s.choices.items()}
    return {"prog": parser.prog, "help": parser.format_help(), "children": children}

command = sys.argv[1]
print(json.dumps(tree(build_parser(None if command == "*" else command))))
"""


def _help_tree(command: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _HELP_TREE, command],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    tree: dict[str, Any] = json.loads(done.stdout)
    return tree


@pytest.fixture(scope="module")
def whole_tree() -> dict[str, Any]:
    return _help_tree("*")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_alone_parses_as_among_all(command: str, whole_tree: dict[str, Any]) -> None:
    # ``main`` builds only the parser of the command it is given (so that ``tpn serve`` loads
    # no suite); that parser, built in a process that imported nothing else, and every parser
    # beneath it must be the same as in the whole tree.
    alone = _help_tree(command)["children"]
    # Its module's commands only (keygen and report are one module's).
    assert command in alone
    assert {COMMANDS[c] for c in alone} == {COMMANDS[command]}
    assert alone[command] == whole_tree["children"][command]
    assert alone[command]["prog"] == f"tpn {command}"


def test_a_command_it_does_not_know_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'bogus' is not one of serve, schema"):
        build_parser("bogus")


def test_tpn_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    # Each command starts a line of the list, its help beside it or on the next line.
    listed = re.findall(r"^    (\S+)", capsys.readouterr().out, flags=re.MULTILINE)
    assert set(COMMANDS) <= set(listed)
