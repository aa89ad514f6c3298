"""``tpn certify``: run a conformance profile against a target and write its reports.

    tpn certify                                   # the embedded reference archive, core level
    tpn certify --target URL --level full --report-dir out --vendor V --product P --version 4.2
    tpn certify --target URL --sign-key team.key --signer "KS project team" --witnessed

It runs the installed suite under pytest with the tpn plugin (the same as
``pytest --tpn-target URL …``), isolated from the pytest configuration of the folder it is run
in, then signs ``report.json`` when asked. Exit status: 0 when no requirement of the level
failed, 1 when one did, 2 when the run could not judge: a usage error, an unreachable target,
a target that misbehaved at the transport level or a deadline that passed (the run stops, its
reports are written incomplete and never signed), or reports that could not be written. Each
of those ends with one line on stderr, ``tpn certify: error: ...``.

Its run options are the plugin's without the ``--tpn-`` prefix, made from the same table
(``tpn.conformance.options``), which also hands their values on to the plugin; signing, ``-q``
and the pytest arguments after ``--`` are its own. The plugin judges the values, so a usage
error names the ``--tpn-`` option.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tpn.conformance import options, profiles
from tpn.fixtures.files import printable

if TYPE_CHECKING:
    import pytest

    from tpn.conformance.results import Run

DEFAULT_REPORT_DIR = options.DEFAULT_REPORT_DIR
NO_AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
PASSWORD_VAR = options.PASSWORD_VAR
PROG = "tpn certify"


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "certify",
        help="run a conformance suite against a target (default: the embedded reference)",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    options.add_to_argparse(p)  # the run's options: the plugin's, without the --tpn- prefix
    p.add_argument(
        "--sign-key",
        type=Path,
        metavar="KEY",
        help="sign report.json with this Ed25519 private key (PEM; `tpn keygen`)",
    )
    p.add_argument("--signer", metavar="NAME", help="who signs (required with --sign-key)")
    p.add_argument(
        "--witnessed",
        action="store_true",
        help="the signer witnessed the run (otherwise it is the vendor's self-test)",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="less output: progress dots and the summary, no tracebacks (the report has them)",
    )
    p.add_argument(
        "pytest_args",
        nargs="*",
        metavar="-- PYTEST_ARG",
        help="further pytest arguments after --, e.g. -- -k numbering",
    )
    p.set_defaults(func=run)


def pytest_arguments(args: argparse.Namespace) -> list[str]:
    profile = profiles.get(args.profile)
    ini = resources.files("tpn.conformance").joinpath("pytest.ini")
    out = [
        str(profile.suite_dir),
        "-c",
        str(ini),
        "--rootdir",
        str(profile.suite_dir),
        "-p",
        "no:cacheprovider",  # nothing written into the installed package
        # The password goes to the plugin through $TPN_PASSWORD (see _pytest), never as an
        # argument: the arguments are recorded in report.json.
        *options.pytest_arguments(args),
    ]
    if args.quiet:
        out += ["-q", "--no-header", "--tb=no"]
    return out + list(args.pytest_args)


def _error(message: str) -> int:
    """One line on stderr, ``tpn certify: error: MESSAGE``; the exit status 2."""
    print(f"{PROG}: error: {printable(as_typed(message))}", file=sys.stderr)
    return 2


def as_typed(message: str) -> str:
    """The plugin's words with its options spelled as ``tpn certify`` takes them: the plugin
    names ``--tpn-with-minside``, the user typed ``--with-minside``."""
    import re

    from tpn.conformance.options import TABLE

    names = sorted((o.name for o in TABLE), key=len, reverse=True)
    pattern = r"--tpn-(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])"
    return re.sub(pattern, r"--\1", message)


class _Outcome:
    """A pytest plugin of this call alone: hands back the run when pytest is done with it."""

    def __init__(self) -> None:
        self.run: Run | None = None

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from tpn.conformance.plugin import RUN

        self.run = config.stash.get(RUN, None)


@contextlib.contextmanager
def _environment(changes: dict[str, str | None]) -> Any:
    saved = {name: os.environ.get(name) for name in changes}
    for name, value in changes.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _pytest(args: argparse.Namespace) -> tuple[int, str, Run | None]:
    """Run the suite; pytest's exit code, what it wrote to stderr, and the run."""
    import pytest

    outcome = _Outcome()
    captured = io.StringIO()
    # Only our plugin: other installed plugins (pytest-randomly reordering and reseeding,
    # pytest-rerunfailures hiding a failure, benchmark folders) must not change a certification.
    changes: dict[str, str | None] = {NO_AUTOLOAD: "1"}
    if args.user and args.password:
        changes[PASSWORD_VAR] = args.password
    with _environment(changes), contextlib.redirect_stderr(captured):
        code = int(
            pytest.main(
                ["-p", "tpn.conformance.plugin", *pytest_arguments(args)], plugins=[outcome]
            )
        )
    return code, captured.getvalue(), outcome.run


def _stop_line(run: Run, report_dir: Path) -> str | None:
    """The one line for a run that stopped or could not write its reports, if it did."""
    parts = []
    problem = run.guard.tripped
    if run.stopped and problem is not None:
        parts.append(f"the run stopped: {run.redactor.text(problem.text('--'))}")
    if run.report_error:
        parts.append(f"the tests ran, but {run.report_error}")
    elif parts:
        parts.append(f"the reports in {report_dir} are incomplete and unsigned")
    return "; ".join(parts) or None


def run(args: argparse.Namespace) -> int:
    if args.sign_key is not None and not args.signer:
        return _error("--sign-key needs --signer NAME (who vouches for the report)")
    if (args.signer or args.witnessed) and args.sign_key is None:
        return _error("--signer and --witnessed go with --sign-key KEY")
    if args.sign_key is not None:
        from tpn.harness.certificate import CertificateError, load_private_key

        try:
            load_private_key(args.sign_key)  # fail before a long run, not after it
        except CertificateError as exc:
            return _error(str(exc))
    try:
        args.report_dir.mkdir(parents=True, exist_ok=True)  # fail before a long run, too
    except OSError as exc:
        return _error(f"--report-dir {args.report_dir}: cannot write there: {exc.strerror or exc}")
    code, captured, outcome = _pytest(args)
    # pytest: 0 ok, 1 failed, 2 interrupted (also an unreachable target or a stopped run),
    # 3 internal error, 4 usage error, 5 nothing collected. Ours: 0, 1, or 2 for "could not judge".
    if code == 4:
        lines = [line.removeprefix("ERROR: ").strip() for line in captured.splitlines()]
        return _error("; ".join(line for line in lines if line) or "usage error")
    exited = [line for line in captured.splitlines() if line.startswith("Exit: tpn: ")]
    if exited:
        return _error(exited[0].removeprefix("Exit: tpn: "))
    sys.stderr.write(captured)  # whatever else pytest had to say (it never says it twice)
    if outcome is not None:
        line = _stop_line(outcome, args.report_dir)
        if line is not None:
            return _error(line)
    status = code if code in (0, 1) else 2
    report = args.report_dir / "report.json"
    if status in (0, 1) and args.sign_key is not None and report.is_file():
        import json

        if json.loads(report.read_text(encoding="utf-8"))["summary"]["result"] == "incomplete":
            return _error(
                "not signed: some requirements did not run all their tests (the run was "
                "narrowed, or the suite could not judge them: report.json says why for each); "
                "a certificate covers a complete run"
            )
        from tpn.harness.certificate import CertificateError, sign_report

        try:
            sig = sign_report(
                args.report_dir, args.sign_key, signer=args.signer, witnessed=args.witnessed
            )
        except CertificateError as exc:
            return _error(str(exc))
        kind = "witnessed run" if args.witnessed else "vendor's self-test"
        print(f"signed {report} as {args.signer} ({kind}): {sig}")
    return status
