"""``tpn id check``: is this a fødselsnummer, D-number or organisasjonsnummer, and if not, why.

One line per number, ``NUMBER<TAB>KIND<TAB>valid`` or ``NUMBER<TAB>KIND<TAB>invalid: REASON``,
so that a script can cut the columns; the checks are :mod:`tpn.fixtures.identifiers`.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from tpn.fixtures.files import printable
from tpn.harness import limits
from tpn.harness.errors import CliError, fail

if TYPE_CHECKING:
    from tpn.fixtures.identifiers import Check

STDIN = "-"
_BATCH = 1024


def add_parsers(sub: Any) -> None:
    group = sub.add_parser(
        "id",
        help="check Norwegian identifiers (fødselsnummer, D-number, organisasjonsnummer)",
        description="Norwegian identifiers: fødselsnummer, D-number, the synthetic schemes and "
        "organisasjonsnummer.",
    )
    actions = group.add_subparsers(dest="id_command", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="check numbers: one line per number, exit 1 if any is invalid",
        description=(
            "Check each NUMBER (11 digits: fødselsnummer or D-number, real-format or synthetic; "
            "9 digits: organisasjonsnummer) and print NUMBER<TAB>KIND<TAB>valid, or "
            "NUMBER<TAB>KIND<TAB>invalid: REASON. Exit 0 if all are valid, 1 if any is not, "
            "2 on a usage error."
        ),
    )
    check.add_argument(
        "numbers",
        nargs="+",
        metavar="NUMBER",
        help="a number to check; '-' reads numbers from stdin, one a line (blank lines skipped)",
    )
    check.add_argument(
        "--synthetic-only",
        action="store_true",
        help="refuse real-format person numbers (only month + 40 or + 80 pass), as anything "
        "that stores data in a shared sandbox should",
    )
    check.set_defaults(func=check_command)


def _stdin_lines() -> Iterator[str]:
    """The lines of stdin, each read with a cap: /dev/zero or a binary file is a list of no
    numbers, and must not be buffered whole looking for a newline."""
    if sys.stdin is None:
        raise CliError("standard input is closed; '-' reads the numbers from it")
    number = 0
    while True:
        try:
            line = sys.stdin.readline(limits.STDIN_LINE + 1)
        except UnicodeDecodeError:
            raise CliError(f"standard input is not UTF-8 text (line {number + 1})") from None
        except OSError as exc:
            raise CliError(f"cannot read standard input: {exc.strerror or exc}") from None
        if not line:
            return
        number += 1
        if len(line) > limits.STDIN_LINE:
            raise CliError(
                f"line {number} of standard input is longer than {limits.STDIN_LINE} "
                "characters; give one number a line"
            )
        yield line


def _numbers(arguments: Iterable[str]) -> Iterator[str]:
    """The numbers to check, with each ``-`` replaced by the lines of stdin."""
    for argument in arguments:
        if argument != STDIN:
            yield argument
            continue
        for line in _stdin_lines():
            number = line.strip()
            if number:
                yield number


def _line(verdict: Check) -> str:
    """The verdict's line, with the number as given (and a reason quoting it) escaped: a
    tab or newline in it would forge columns or lines."""
    reason = verdict.reason and printable(verdict.reason)
    return dataclasses.replace(verdict, number=printable(verdict.number), reason=reason).line()


def check_command(args: argparse.Namespace) -> int:
    from tpn.fixtures import identifiers

    lines: list[str] = []
    checked = invalid = 0
    for number in _numbers(args.numbers):
        verdict = identifiers.check(number, synthetic_only=args.synthetic_only)
        checked += 1
        invalid += not verdict.valid
        lines.append(_line(verdict) + "\n")
        if len(lines) >= _BATCH:  # a long stdin streams through rather than piling up
            sys.stdout.write("".join(lines))
            lines.clear()
    sys.stdout.write("".join(lines))
    if not checked:
        return fail("tpn id check", "no numbers to check (stdin had none)")
    return 1 if invalid else 0
