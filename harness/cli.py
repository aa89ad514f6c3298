"""``tpn``: the command line of tpn-harness.

tpn serve [--host H] [--port P] [--db URL] [--workers N] [--auth-file FILE | --auth USER:PASSWORD]
          [--public-url URL] [--portal-key FILE]
tpn schema export [--standard noark4ws|enhetsregisteret|minside] [--out DIR] [--check]
tpn certify [--profile P] [--target URL] [--level core|full|extended] ...  (see --help)
tpn keygen [--private-key PATH] [--public-key PATH]
tpn report verify DIR --public-key FILE
tpn defects [--json]
tpn id check NUMBER... [--synthetic-only]     (NUMBER '-': numbers from stdin, one a line)
tpn validate PATH... [--json] [--synthetic-only] [--quiet]
tpn population [--json | --output FILE]
tpn forms list [--json] | generate --out DIR [--form ID] [--count N] [--seed N] [--break RULE]
tpn forms export --out DIR
tpn sp register FILE [--db URL] | tpn sp list [--db URL]
tpn engine deliver [JOB] [--timeout SECONDS] [--retries N] [--defect NAME] [--json] | defects
tpn eservice act [JOB] [--timeout SECONDS] [--retries N] [--defect NAME] [--json] | defects

Exit status: 0 success, 1 a verdict against what was checked (a requirement failed, a document
or number is invalid, a report does not verify), 2 anything that kept tpn from judging (one
line on stderr, ``tpn COMMAND: error: ...``; see tpn.harness.errors), 130 Ctrl+C, 141 a broken
pipe (quietly, as Unix tools end).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from tpn.harness import errors, serve

# The module that adds each command's parser (``add_parsers``), in the order ``tpn --help``
# lists them. A command line that names a command builds that command's parser alone and
# imports no other module: ``tpn serve`` forks its workers from this process, and every worker
# held what the parser of every command had loaded (the suites, their HTTP clients, the
# report's templates; README, "Performance").
COMMANDS: dict[str, str] = {
    "serve": "serve",
    "schema": "schema",
    "certify": "certify",
    "keygen": "certificate",
    "report": "certificate",
    "defects": "defects",
    "id": "ids",
    "validate": "validate",
    "population": "population",
    "forms": "forms",
    "sp": "sp",
    "engine": "engine",
    "eservice": "eservice",
}

DEFAULT_HOST = serve.DEFAULT_HOST
DEFAULT_PORT = serve.DEFAULT_PORT


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``command``'s alone (one of ``COMMANDS``)."""
    if command is not None and command not in COMMANDS:
        raise ValueError(f"command {command!r} is not one of {', '.join(COMMANDS)}")
    parser = argparse.ArgumentParser(
        prog="tpn",
        description="Mocks and conformance suites for 'Kommunale tjenester på nett'.",
        epilog="Exit status: 0 success; 1 a verdict against what was checked; 2 a usage error or "
        "anything that kept tpn from judging, said in one line (`tpn COMMAND: error: ...`; "
        f"{errors.DEBUG_VAR}=1 shows the traceback of a bug in tpn); 130 interrupted; 141 the "
        "reader of its output went away.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    # Each command lives in its own module, which adds its parsers with a `func`.
    added: set[str] = set()
    for name, module in COMMANDS.items():
        if command not in (None, name) or module in added:
            continue
        added.add(module)
        importlib.import_module(f"tpn.harness.{module}").add_parsers(sub)
    _name_commands(parser)
    return parser


def _name_commands(parser: argparse.ArgumentParser) -> None:
    """Give each (sub)command's parser a default ``prog``: its name in error lines."""
    parser.set_defaults(tpn_prog=parser.prog)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _name_commands(child)  # parsed after the parent: the deepest name wins


def main(argv: Sequence[str] | None = None) -> int:
    """``tpn``: parse, run the command, and end every failure in one line (``errors.run``)."""
    errors.guard_standard_streams()
    given = list(sys.argv[1:] if argv is None else argv)
    named = given[0] if given and given[0] in COMMANDS else None
    args = build_parser(named).parse_args(given)  # a usage error exits 2 here, argparse's way
    return errors.run(args.tpn_prog, lambda: int(args.func(args)))


if __name__ == "__main__":
    sys.exit(main())
