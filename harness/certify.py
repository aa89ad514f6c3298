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

from tpn.conformance import profiles
from tpn.conformance.catalogue import LEVELS
from tpn.conformance.transport import DEFAULT_MAX_RESPONSE, DEFAULT_REQUEST_TIMEOUT, RUN_TIMEOUTS
from tpn.fixtures.files import printable

if TYPE_CHECKING:
    import pytest

    from tpn.conformance.results import Run

DEFAULT_REPORT_DIR = Path("tpn-report")
NO_AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
PASSWORD_VAR = "TPN_PASSWORD"
PROG = "tpn certify"


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "certify",
        help="run a conformance suite against a target (default: the embedded reference)",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument(
        "--profile",
        choices=sorted(profiles.PROFILES),
        default=profiles.DEFAULT_PROFILE,
        help=f"conformance profile (default {profiles.DEFAULT_PROFILE})",
    )
    p.add_argument(
        "--target",
        metavar="URL|DIR",
        help="what to certify: an endpoint's URL (noark4ws-archive) or a folder of the documents "
        "a product made (form-xml); default: the profile's reference",
    )
    p.add_argument(
        "--level",
        choices=LEVELS,
        default="core",
        help="core (default), full or extended; a level includes those below it",
    )
    p.add_argument("--user", metavar="USER", help="HTTP Basic user for the target")
    p.add_argument(
        "--password",
        default=os.environ.get("TPN_PASSWORD"),
        help="HTTP Basic password for the target (default: $TPN_PASSWORD, which keeps it "
        "out of the process list)",
    )
    p.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="trust this CA bundle (PEM) for an https target (the environment's is not read)",
    )
    p.add_argument(
        "--report-dir",
        type=Path,
        metavar="DIR",
        default=DEFAULT_REPORT_DIR,
        help=f"where junit.xml, report.json and report.html go (default {DEFAULT_REPORT_DIR})",
    )
    p.add_argument("--seed", type=int, metavar="N", help="seed for generated data (replays a run)")
    p.add_argument("--vendor", metavar="NAME", help="vendor named in the report")
    p.add_argument("--product", metavar="NAME", help="product named in the report")
    p.add_argument(
        "--version",
        dest="product_version",
        metavar="VERSION",
        help="product version named in the report",
    )
    p.add_argument(
        "--exclusive",
        action="store_true",
        help="nobody else writes to the target during the run (gap-free numbering is checked)",
    )
    p.add_argument(
        "--waive",
        action="append",
        default=[],
        metavar="ID=REASON",
        help="waive a requirement (repeatable)",
    )
    p.add_argument(
        "--defect",
        action="append",
        default=[],
        metavar="NAME",
        help="certify the profile's reference with this defect (repeatable; "
        "`tpn defects --profile P` lists them)",
    )
    p.add_argument(
        "--examples", type=int, metavar="N", help="examples per property-based test (default 20)"
    )
    limits = p.add_argument_group("limits (a target past one stops the run: exit 2)")
    limits.add_argument(
        "--request-timeout",
        metavar="SECONDS",
        help="the most one request may take, from sending it to the last byte of the answer "
        f"(default {DEFAULT_REQUEST_TIMEOUT:g})",
    )
    limits.add_argument(
        "--max-response",
        metavar="SIZE",
        help=f"the largest answer read, e.g. 512K or 64M (default {DEFAULT_MAX_RESPONSE // 2**20}M)",
    )
    limits.add_argument(
        "--run-timeout",
        metavar="SECONDS",
        help="the most the whole run may take (default "
        + ", ".join(f"{level} {seconds:g}" for level, seconds in RUN_TIMEOUTS.items())
        + ")",
    )
    sp = p.add_argument_group("sp profile (a SAML service provider)")
    sp.add_argument("--sp-metadata", type=Path, metavar="FILE", help="the SP's SAML metadata")
    sp.add_argument("--probe-url", metavar="URL", help="a page that shows who is logged in")
    sp.add_argument(
        "--probe-expect",
        metavar="TEXT",
        help="what it shows for a logged-in persona, {uid} for the number (e.g. 'Hei {uid}')",
    )
    sp.add_argument("--sp-logout-url", metavar="URL", help="the SP's logout link")
    sp.add_argument("--idp-port", type=int, metavar="N", help="the suite's portal's port")
    sp.add_argument(
        "--idp-key", type=Path, metavar="FILE", help="the portal's key (PEM), made on first use"
    )
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
        "--tpn-profile",
        args.profile,
        "--tpn-level",
        args.level,
        "--tpn-report-dir",
        str(args.report_dir),
    ]
    # The password goes to the plugin through $TPN_PASSWORD (see run), never as an argument:
    # the arguments are recorded in report.json.
    pairs = {
        "--tpn-target": args.target,
        "--tpn-ca-bundle": args.ca_bundle,
        "--tpn-user": args.user,
        "--tpn-seed": args.seed,
        "--tpn-vendor": args.vendor,
        "--tpn-product": args.product,
        "--tpn-version": args.product_version,
        "--tpn-examples": args.examples,
        "--tpn-sp-metadata": args.sp_metadata,
        "--tpn-probe-url": args.probe_url,
        "--tpn-probe-expect": args.probe_expect,
        "--tpn-sp-logout-url": args.sp_logout_url,
        "--tpn-idp-port": args.idp_port,
        "--tpn-idp-key": args.idp_key,
        "--tpn-request-timeout": args.request_timeout,
        "--tpn-max-response": args.max_response,
        "--tpn-run-timeout": args.run_timeout,
    }
    for flag, value in pairs.items():
        if value is not None:
            out += [flag, str(value)]
    out += [x for w in args.waive for x in ("--tpn-waive", w)]
    out += [x for d in args.defect for x in ("--tpn-defect", d)]
    if args.exclusive:
        out.append("--tpn-exclusive")
    if args.quiet:
        out += ["-q", "--no-header", "--tb=no"]
    return out + list(args.pytest_args)


def _error(message: str) -> int:
    """One line on stderr, ``tpn certify: error: MESSAGE``; the exit status 2."""
    print(f"{PROG}: error: {printable(message)}", file=sys.stderr)
    return 2


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
                "not signed: the run was narrowed, so some requirements did not run all their "
                "tests; a certificate covers a complete run"
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
