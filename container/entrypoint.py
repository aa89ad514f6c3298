"""The container's entry point: ``tpn serve`` configured by environment variables, or any other
``tpn`` command as given.

``docker run IMAGE`` (or ``IMAGE serve [OPTION ...]``) serves every mock with the options that
the variables in ``VARIABLES`` name; options given after ``serve`` come after them, so they win
(``--defect`` adds to ``TPN_DEFECTS``). ``IMAGE certify --target URL``, ``IMAGE defects`` ... run
that command as it is. README.md ("Running the mocks in a container") lists the same variables;
tests/test_container.py holds the two to each other and runs ``serve_argv`` without a container.

An empty variable counts as unset, as compose passes ``${VAR:-}``. Values go to ``tpn serve`` as
single arguments with no shell between, and it checks them as it checks its command line.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Variable:
    """An environment variable the image reads, and the ``tpn serve`` option it becomes."""

    name: str
    option: str  # "" for a variable tpn serve reads itself
    default: str  # "" for none: tpn serve's own default applies
    what: str


VARIABLES: tuple[Variable, ...] = (
    Variable("TPN_HOST", "--host", "0.0.0.0", "address to listen on"),
    Variable("TPN_PORT", "--port", "8086", "port inside the container"),
    Variable("TPN_DB", "--db", "sqlite:////data/mocks.sqlite3", "the store (any SQLAlchemy URL)"),
    Variable("TPN_WORKERS", "--workers", "", "worker processes (default: one per CPU)"),
    Variable("TPN_SERVER", "--server", "", "`granian` (default) or `gunicorn`"),
    Variable("TPN_ENGINE", "--engine", "", "`fast` (default) or `spyne`"),
    Variable("TPN_BODY_TIMEOUT", "--body-timeout", "", "seconds to send a request body (30)"),
    Variable(
        "TPN_PUBLIC_URL", "--public-url", "", "the URL clients reach the container at (portal)"
    ),
    Variable("TPN_PORTAL_KEY", "--portal-key", "", "the portal's key and certificate, a PEM file"),
    Variable("TPN_DEFECTS", "--defect", "", "defects to serve, separated by spaces or commas"),
    Variable("TPN_JOURNAL", "--no-journal", "on", "`off` records no exchanges"),
    Variable("TPN_SERVE_AUTH_FILE", "--auth-file", "", "HTTP Basic: a file, `USER:PASSWORD`"),
    Variable("TPN_SERVE_AUTH", "", "", "HTTP Basic: `USER:PASSWORD` (read by `tpn serve`)"),
)


class UsageError(ValueError):
    """A variable with a value the image cannot use; its message names the variable."""


def serve_argv(environ: Mapping[str, str], args: Sequence[str]) -> list[str]:
    """``tpn serve``'s arguments (without ``tpn``) from ``environ``, then ``args``."""
    argv = ["serve"]
    for variable in VARIABLES:
        value = environ.get(variable.name, "").strip() or variable.default
        if not variable.option or not value:
            continue
        if variable.name == "TPN_JOURNAL":
            if value.lower() not in ("on", "off"):
                raise UsageError(f"TPN_JOURNAL must be on or off, got {value[:40]!r}")
            if value.lower() == "off":
                argv.append(variable.option)
        elif variable.name == "TPN_DEFECTS":
            for name in value.replace(",", " ").split():
                argv += [variable.option, name]
        else:
            argv += [variable.option, value]
    return [*argv, *args]


def command(environ: Mapping[str, str], args: Sequence[str]) -> list[str]:
    """The ``tpn`` command line the container runs for its ``args`` (its CMD by default)."""
    if not args or args[0] == "serve":
        return serve_argv(environ, args[1:])
    return list(args)


def main() -> None:
    try:
        argv = command(os.environ, sys.argv[1:])
    except UsageError as exc:
        print(f"tpn container: {exc}", file=sys.stderr)
        sys.exit(2)
    # The console script beside this interpreter (the image's venv), whatever PATH says; exec,
    # so that tpn is the container's main process and gets its stop signal.
    tpn = Path(sys.executable).parent / "tpn"
    os.execv(tpn, [str(tpn), *argv])


if __name__ == "__main__":
    main()
