"""``tpn``: argument errors, and serving with the defaults it documents."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

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


def test_the_command_imports_no_page_highlighter() -> None:
    # `tpn serve` forks its workers from this process: what the command imports, every worker
    # carries. Pygments (the report page's highlighting) once made each about 4.5 MB bigger.
    code = (
        "import sys, tpn.harness.cli\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pygments', 'tpn.fixtures.pretty'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_is_found_where_cli_commands_says() -> None:
    # A command missing from COMMANDS would be absent from every command line but --help's.
    assert sorted(_commands(build_parser())) == sorted(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_alone_parses_as_among_all(command: str) -> None:
    # ``main`` builds only the parser of the command it is given (so that ``tpn serve`` loads
    # no suite); that parser must be the same as the one in the whole tree.
    alone = _commands(build_parser(command))
    # Its module's commands only (keygen and report are one module's).
    assert command in alone
    assert {COMMANDS[c] for c in alone} == {COMMANDS[command]}
    among_all = _commands(build_parser())[command]
    assert alone[command].format_help() == among_all.format_help()
    assert alone[command].prog == among_all.prog == f"tpn {command}"


def test_tpn_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    listed = capsys.readouterr().out
    assert all(f"    {command}" in listed for command in COMMANDS)
