"""``tpn eservice``: the reference MinSide client, handed a job as a vendor's e-service would be.

    tpn eservice act [JOB] [--timeout SECONDS] [--retries N] [--defect NAME]... [--json]
    tpn eservice defects

JOB is the suite's job file (``tpn_job`` 1, action ``register-service``, ``publish-receipt`` or
``update-case-status``); without it the path is taken from ``$TPN_JOB``. The client does the job
against the MinSide the job names and says how it went in one line (``--json``: the result as
one object). Exit status: 0 done, 1 not done (the line says why), 2 a job or option that cannot
be used (one line, ``tpn eservice: error: ...``).
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from tpn.fixtures.files import printable
from tpn.harness.engine import _retries, _timeout
from tpn.harness.errors import fail, one_line

PROG = "tpn eservice"
JOB_VAR = "TPN_JOB"


def add_parsers(sub: Any) -> None:
    parser = sub.add_parser(
        "eservice", help="the reference MinSide client: do a minside-client job against MinSide"
    )
    eservice_sub = parser.add_subparsers(dest="eservice_command", required=True, metavar="COMMAND")
    act = eservice_sub.add_parser(
        "act",
        help="do the job of a job file (tpn_job 1: register-service, publish-receipt, "
        "update-case-status)",
    )
    act.add_argument("job", nargs="?", metavar="JOB", help=f"the job file (default: ${JOB_VAR})")
    act.add_argument(
        "--timeout",
        default="10",
        metavar="SECONDS",
        help="how long one MinSide request may take (default 10)",
    )
    act.add_argument(
        "--retries",
        default="3",
        metavar="N",
        help="resends of a request that failed in transit (default 3)",
    )
    act.add_argument(
        "--defect",
        action="append",
        default=[],
        metavar="NAME",
        help="act as a defective client does (repeatable; `tpn eservice defects` lists them)",
    )
    act.add_argument("--json", action="store_true", help="print the result as one JSON object")
    act.set_defaults(func=act_command)
    listing = eservice_sub.add_parser("defects", help="the defects the client can be built with")
    listing.set_defaults(func=defects_command)


def act_command(args: argparse.Namespace) -> int:
    from tpn.mocks.minsideclient import EService, JobError, read_job
    from tpn.mocks.minsideclient.defects import policies

    try:
        timeout = _timeout(args.timeout)
        retries = _retries(args.retries)
        chosen = policies(args.defect)
    except ValueError as exc:
        return fail(PROG, str(exc))
    path = args.job if args.job is not None else os.environ.get(JOB_VAR)
    if not path:
        return fail(PROG, f"give the job file, or its path in ${JOB_VAR}")
    try:
        job = read_job(path)
    except JobError as exc:
        return fail(PROG, one_line(str(exc)))
    client = EService(chosen, timeout=timeout, retries=retries)
    try:
        result = client.act(job)
    finally:
        client.close()
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, default=str))
    elif result.success:
        print(printable(result.detail))
    else:
        print(f"not done: {printable(result.detail)}")
    return 0 if result.success else 1


def defects_command(args: argparse.Namespace) -> int:
    from tpn.mocks.minsideclient.defects import catalogue

    for d in catalogue():
        print(f"{d.name}\t{', '.join(d.requirements)}\t{printable(d.summary)}")
    return 0
