"""How every ``tpn`` command fails: one line on stderr, ``tpn COMMAND: error: ...``, exit 2.

``run`` wraps each command once (``tpn.harness.cli.main`` calls it), so that no command can end
in a traceback, whatever the arguments, the files or the standard streams:

- ``CliError`` and ``FileRefused`` are a command's own one-line refusals;
- an ``OSError`` names its file, or says that standard output could not be written (a full
  disk, ``/dev/full``, a closed descriptor);
- a broken pipe (``tpn population --json | head -1``) ends quietly with status 141, as a Unix
  tool killed by SIGPIPE does, and nothing is printed at interpreter shutdown either;
- Ctrl+C ends quietly with status 130;
- anything else is a bug in tpn: one line naming it, and ``TPN_DEBUG=1`` shows the traceback.

Closed standard streams (``tpn defects >&-``) are found before the command starts: a closed
descriptor 0, 1 or 2 gets ``/dev/null``, so that no file the command opens later can take its
number and receive its output, and a closed standard output is refused.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterable
from typing import Any, TextIO, cast

from tpn.fixtures.files import FileRefused, printable

__all__ = [
    "DEBUG_VAR",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_PIPE",
    "CliError",
    "fail",
    "guard_standard_streams",
    "one_line",
    "run",
    "say",
    "silence_stdout",
]

EXIT_ERROR = 2  # a usage error, a file or stream that cannot be used, or a bug: "could not judge"
EXIT_PIPE = 128 + signal.SIGPIPE  # what a shell reports for a tool ended by a broken pipe
EXIT_INTERRUPTED = 128 + signal.SIGINT
DEBUG_VAR = "TPN_DEBUG"
# An exception's text can be huge (a database error quoting a whole SQL statement).
_MAX_MESSAGE = 400


class CliError(Exception):
    """A failure the command explains in one line; ``run`` prints it and exits 2."""


def one_line(text: str) -> str:
    """``text`` as it may be shown on one line: unchanged if it holds no control character (a
    message whose names were escaped where it was made keeps its single backslashes), else
    escaped whole by ``printable``."""
    return text if text.isprintable() else printable(text)


def say(line: str) -> None:
    """Write one line to stderr; a stderr that is closed or gone is not a second failure."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass


def fail(prog: str, message: str) -> int:
    """Print ``PROG: error: MESSAGE`` (one line, control characters escaped) and return 2."""
    message = one_line(message)  # what was not escaped where it was made (an exception's text)
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "…"
    say(f"{prog}: error: {message}")
    return EXIT_ERROR


def silence_stdout() -> None:
    """Point descriptor 1 at /dev/null: what is still buffered for a gone or full standard
    output is then flushed there, and interpreter shutdown has nothing left to complain about."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def guard_standard_streams() -> None:
    """Give a closed descriptor 0, 1 or 2 /dev/null, and a missing ``sys.stderr`` a sink.

    A closed descriptor would be reused by the next file opened (a database, a report), and
    whatever then writes to "standard output" would write into that file. ``sys.stdout`` stays
    None, which ``run`` refuses; ``sys.stdin`` stays None, which the commands that read it refuse.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stderr is None:
        # Else print(..., file=sys.stderr) would write an error into standard output.
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process


_STDOUT_MARK = "tpn_stdout"


class _Output:
    """``sys.stdout`` while a command runs: an error writing it is marked as standard output's.

    A write error carries no file name, and once raised the buffer is gone, so nothing later
    can tell a full disk under standard output from one under any other file; the mark can.
    Everything else is the wrapped stream's.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def _marked(self, exc: OSError) -> OSError:
        setattr(exc, _STDOUT_MARK, True)
        return exc

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise self._marked(exc) from None

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise self._marked(exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _is_stdout(exc: OSError) -> bool:
    return bool(getattr(exc, _STDOUT_MARK, False))


def _name(filename: object) -> str:
    if isinstance(filename, str | bytes):
        return printable(os.fsdecode(filename))
    return printable(str(filename))  # a descriptor number


def _os_message(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        where = _name(exc.filename)
        if exc.filename2 is not None:
            where += f" -> {_name(exc.filename2)}"
        return f"{where}: {reason}"
    if _is_stdout(exc):
        silence_stdout()
        return f"cannot write to standard output: {reason}"
    return reason


def _database_message(exc: Exception) -> str | None:
    """One line for a database error, or None if ``exc`` is none (SQLAlchemy not even loaded)."""
    sa = sys.modules.get("sqlalchemy.exc")
    if sa is None or not isinstance(exc, sa.SQLAlchemyError):
        return None
    # .orig is the driver's own error ("unable to open database file"); str(exc) would add the
    # SQL statement and a link, and for some errors the URL with its password.
    reason = getattr(exc, "orig", None) or exc
    first = str(reason).strip().splitlines()
    return f"the store cannot be used: {first[0] if first else type(reason).__name__}"


def run(prog: str, command: Callable[[], int]) -> int:
    """Run ``command`` (a parsed ``tpn`` command) and turn every way it can fail into an exit
    status and at most one line on stderr. ``prog`` is the command's name, ``tpn report verify``."""
    if sys.stdout is None:
        return fail(prog, "standard output is closed; there is nowhere to write the result")
    stdout = sys.stdout
    sys.stdout = cast(TextIO, _Output(stdout))
    try:
        code = command()
        # Surfaces a write error now, as a message, rather than at interpreter shutdown.
        sys.stdout.flush()
        return code
    except BrokenPipeError as exc:
        if not _is_stdout(exc):  # a socket's, say: a failure like any other
            return fail(prog, _os_message(exc))
        silence_stdout()
        return EXIT_PIPE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except (CliError, FileRefused) as exc:
        return fail(prog, str(exc))
    except OSError as exc:
        return fail(prog, _os_message(exc))
    except Exception as exc:
        database = _database_message(exc)
        if database is not None:
            return fail(prog, database)
        if os.environ.get(DEBUG_VAR):
            raise
        return fail(
            prog,
            f"internal error: {type(exc).__name__}: {exc} "
            f"(a bug in tpn; run with {DEBUG_VAR}=1 for the traceback)",
        )
    finally:
        sys.stdout = stdout
