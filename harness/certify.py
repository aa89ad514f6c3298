"""``tpn certify``: run a conformance profile against a target and write its reports.

    tpn certify                                   # the embedded reference archive, core level
    tpn certify --target URL --level full --report-dir out --vendor V --product P --version 4.2
    tpn certify --target URL --sign-key team.key --signer "KS project team" --witnessed

It runs the installed suite under pytest with the tpn plugin (the same as
``pytest --tpn-target URL …``), isolated from the pytest configuration of the folder it is run
in, then signs ``report.json`` when asked. Exit status: 0 when no requirement of the level
failed, 1 when one did, 2 for a usage error or an unreachable target.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from tpn.conformance import profiles
from tpn.conformance.catalogue import LEVELS

DEFAULT_REPORT_DIR = Path("tpn-report")
NO_AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"


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
    pairs = {
        "--tpn-target": args.target,
        "--tpn-ca-bundle": args.ca_bundle,
        "--tpn-user": args.user,
        "--tpn-password": args.password if args.user else None,
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


def run(args: argparse.Namespace) -> int:
    if args.sign_key is not None and not args.signer:
        print(
            "tpn certify: --sign-key needs --signer NAME (who vouches for the report)",
            file=sys.stderr,
        )
        return 2
    if (args.signer or args.witnessed) and args.sign_key is None:
        print("tpn certify: --signer and --witnessed go with --sign-key KEY", file=sys.stderr)
        return 2
    if args.sign_key is not None:
        from tpn.harness.certificate import CertificateError, load_private_key

        try:
            load_private_key(args.sign_key)  # fail before a long run, not after it
        except CertificateError as exc:
            print(f"tpn certify: {exc}", file=sys.stderr)
            return 2
    import pytest

    # Only our plugin: other installed plugins (pytest-randomly reordering and reseeding,
    # pytest-rerunfailures hiding a failure, benchmark folders) must not change a certification.
    saved = os.environ.get(NO_AUTOLOAD)
    os.environ[NO_AUTOLOAD] = "1"
    try:
        code = int(pytest.main(["-p", "tpn.conformance.plugin", *pytest_arguments(args)]))
    finally:
        if saved is None:
            del os.environ[NO_AUTOLOAD]
        else:
            os.environ[NO_AUTOLOAD] = saved
    # pytest: 0 ok, 1 failed, 2 interrupted (also an unreachable target), 3 internal error,
    # 4 usage error, 5 nothing collected. Ours: 0, 1, or 2 for "could not judge".
    status = code if code in (0, 1) else 2
    report = args.report_dir / "report.json"
    if status in (0, 1) and args.sign_key is not None and report.is_file():
        import json

        if json.loads(report.read_text(encoding="utf-8"))["summary"]["result"] == "incomplete":
            print(
                "tpn certify: not signed: the run was narrowed, so some requirements did not run "
                "all their tests; a certificate covers a complete run",
                file=sys.stderr,
            )
            return 2
        from tpn.harness.certificate import CertificateError, sign_report

        try:
            sig = sign_report(
                args.report_dir, args.sign_key, signer=args.signer, witnessed=args.witnessed
            )
        except CertificateError as exc:
            print(f"tpn certify: {exc}", file=sys.stderr)
            return 2
        kind = "witnessed run" if args.witnessed else "vendor's self-test"
        print(f"signed {report} as {args.signer} ({kind}): {sig}")
    return status
