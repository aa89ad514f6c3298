"""``tpn serve``'s HTTP Basic credentials, from where a password is not on show.

``--auth USER:PASSWORD`` puts the password into the process list, where every user of the
machine can read it (``ps -ef``). ``--auth-file FILE`` (a regular file of at most 4 KiB whose
first line is ``USER:PASSWORD``) and the environment variable ``TPN_SERVE_AUTH=USER:PASSWORD``
do not. A flag beats the environment, as an explicit choice should. The password is never
printed: not in the banner, not in a message, not in a ``repr``.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tpn.fixtures.files import printable, read_regular
from tpn.harness import limits
from tpn.harness.errors import CliError

ENV_VAR = "TPN_SERVE_AUTH"


@dataclass(frozen=True)
class Credentials:
    """A user and password, and where they came from (for the banner)."""

    user: str
    password: str = field(repr=False)
    source: str = "--auth"

    def pair(self) -> tuple[str, str]:
        return self.user, self.password


def split(text: str, source: str) -> tuple[str, str]:
    """``USER:PASSWORD`` as (user, password); the message never quotes the text (a password)."""
    user, sep, password = text.partition(":")
    if not sep or not user:
        raise ValueError(f"{source} takes USER:PASSWORD")
    return user, password


def argument(text: str) -> tuple[str, str]:
    """The ``--auth`` option's type."""
    try:
        return split(text, "--auth")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def from_file(path: Path) -> Credentials:
    """The first line of ``path``, ``USER:PASSWORD`` (a trailing CR/LF is not the password's)."""
    data = read_regular(path, limits.AUTH_FILE, what="--auth-file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CliError(f"--auth-file {printable(str(path))} is not UTF-8 text") from None
    lines = text.splitlines()
    try:
        user, password = split(lines[0] if lines else "", f"--auth-file {printable(str(path))}")
    except ValueError as exc:
        raise CliError(f"{exc} on its first line") from None
    return Credentials(user, password, f"--auth-file {printable(str(path))}")


def resolve(
    auth: tuple[str, str] | None, auth_file: Path | None, environ: Mapping[str, str]
) -> Credentials | None:
    """The credentials ``tpn serve`` requires, or None for none."""
    if auth is not None:
        return Credentials(auth[0], auth[1], "--auth")
    if auth_file is not None:
        return from_file(auth_file)
    text = environ.get(ENV_VAR)
    if not text:
        return None
    try:
        user, password = split(text, f"${ENV_VAR}")
    except ValueError as exc:
        raise CliError(str(exc)) from None
    return Credentials(user, password, f"${ENV_VAR}")
