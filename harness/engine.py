"""``tpn engine``: the reference form engine, handed a job as a vendor's engine would be.

    tpn engine deliver [JOB] [--timeout SECONDS] [--retries N] [--defect NAME]... [--json]

JOB is the suite's job file (``tpn_job`` 1, action ``deliver-form``; with ``inputs.login`` the
journey of issue 12, or action ``sync-case-status``: ``tpn.mocks.formengine.journey``); without
it the path is taken from ``$TPN_JOB``. The engine delivers the form into the job's archive and says how it
went in one line (``--json``: the result as one object). Exit status: 0 delivered, 1 not
delivered (the line says why), 2 a job or option that cannot be used (one line,
``tpn engine: error: ...``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
from typing import Any

from tpn.fixtures.files import printable
from tpn.harness.errors import fail, one_line

PROG = "tpn engine"
JOB_VAR = "TPN_JOB"
MAX_TIMEOUT = 3600.0
MAX_RETRIES = 20


def add_parsers(sub: Any) -> None:
    parser = sub.add_parser(
        "engine", help="the reference form engine: deliver a form job into the archive"
    )
    engine_sub = parser.add_subparsers(dest="engine_command", required=True, metavar="COMMAND")
    deliver = engine_sub.add_parser(
        "deliver", help="deliver the form of a job file (tpn_job 1, action deliver-form)"
    )
    deliver.add_argument(
        "job",
        nargs="?",
        metavar="JOB",
        help=f"the job file (default: the path in ${JOB_VAR})",
    )
    deliver.add_argument(
        "--timeout",
        default="10",
        metavar="SECONDS",
        help="how long one archive request may take (default 10)",
    )
    deliver.add_argument(
        "--retries",
        default="3",
        metavar="N",
        help="resends of a request that failed in transit (default 3)",
    )
    deliver.add_argument(
        "--defect",
        action="append",
        default=[],
        metavar="NAME",
        help="deliver as a defective engine does (repeatable; `tpn engine defects` lists them)",
    )
    deliver.add_argument("--json", action="store_true", help="print the result as one JSON object")
    deliver.set_defaults(func=deliver_command)
    listing = engine_sub.add_parser("defects", help="the defects the engine can be built with")
    listing.set_defaults(func=defects_command)
    metadata = engine_sub.add_parser(
        "metadata", help="the engine's SP metadata, for the portal (the journey of issue 12)"
    )
    metadata.add_argument(
        "--key",
        required=True,
        metavar="FILE",
        help="PEM with the engine's private key and certificate (made when missing)",
    )
    metadata.set_defaults(func=metadata_command)


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"--timeout must be a number of seconds, not {printable(text)}") from None
    if not (math.isfinite(value) and 0 < value <= MAX_TIMEOUT):
        raise ValueError(f"--timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
    return value


def _retries(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) > MAX_RETRIES:
        raise ValueError(f"--retries must be a whole number from 0 to {MAX_RETRIES}")
    return int(text)


def deliver_command(args: argparse.Namespace) -> int:
    from tpn.fixtures.files import FileRefused, read_regular
    from tpn.mocks.formengine.job import MAX_JOB_BYTES

    try:
        timeout = _timeout(args.timeout)
        retries = _retries(args.retries)
        act = deliver_in_process(timeout, retries, list(args.defect))
    except ValueError as exc:
        return fail(PROG, str(exc))
    path = args.job if args.job is not None else os.environ.get(JOB_VAR)
    if not path:
        return fail(PROG, f"give the job file, or its path in ${JOB_VAR}")
    try:
        data = read_regular(path, MAX_JOB_BYTES, what="job file")
    except FileRefused as exc:
        return fail(PROG, one_line(str(exc)))
    refused, result = act.result(data)
    if refused is not None:
        return fail(PROG, one_line(f"{printable(str(path))}: {refused}"))
    assert result is not None
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, default=str))
    elif result.success:
        print(printable(result.detail))
    else:
        print(f"not delivered: {printable(result.detail)}")
    return 0 if result.success else 1


def defects_command(args: argparse.Namespace) -> int:
    from tpn.mocks.formengine.defects import catalogue

    for d in catalogue():
        print(f"{d.name}\t{', '.join(d.requirements)}\t{printable(d.summary)}")
    return 0


class Delivering:
    """What ``tpn engine deliver --timeout T --retries N --defect D...`` does with one job's
    JSON: the command's own code, and a function of the bytes for the suite's in-process asker
    (``tpn.conformance.client.InProcessAsker``). The defects are checked once, when it is made;
    the journey's (issue 12) are a registry of their own, the rest are delivery's."""

    def __init__(self, timeout: float, retries: int, defects: list[str]) -> None:
        from tpn.mocks.formengine.defects import journey as journey_defects
        from tpn.mocks.formengine.defects import policies

        journey_names = set(journey_defects.REGISTRY.names())
        self.timeout = timeout
        self.retries = retries
        self.chosen = policies(d for d in defects if d not in journey_names)
        self.chosen_journey = journey_defects.policies(d for d in defects if d in journey_names)

    def result(self, data: bytes) -> tuple[str | None, Any]:
        """(why the job cannot be used, None) or (None, the engine's result)."""
        from tpn.mocks.formengine import Engine, JobError, journey
        from tpn.mocks.formengine.job import parse_job

        if journey.is_journey(data):
            return None, journey.run(
                data,
                policies=self.chosen,
                journey=self.chosen_journey,
                timeout=self.timeout,
                retries=self.retries,
            )
        try:
            job = parse_job(data)
        except JobError as exc:
            return one_line(str(exc)), None
        return None, Engine(self.chosen, timeout=self.timeout, retries=self.retries).deliver(job)

    def __call__(self, data: bytes) -> tuple[bool, str]:
        refused, result = self.result(data)
        if refused is not None:
            return False, f"{PROG}: error: {refused}"
        line = printable(result.detail)
        return result.success, line if result.success else f"not delivered: {line}"


def deliver_in_process(timeout: float, retries: int, defects: list[str]) -> Delivering:
    """The reference engine as a function of a job's JSON (see ``Delivering``)."""
    return Delivering(timeout, retries, defects)


def metadata_command(args: argparse.Namespace) -> int:
    """Print the reference engine's SP metadata (its entityID and ACS: ``journey.ENTITY_ID``,
    ``journey.ACS_URL``), signed with the key in ``--key``, made there on first use."""
    from pathlib import Path

    from tpn.mocks.formengine import journey
    from tpn.mocks.saml import keys, metadata, ns

    path = Path(args.key)
    try:
        if path.exists():
            key = keys.SigningKey.load(path)
        else:
            key = keys.generate("tpn-skjema")
            path.write_bytes(key.to_pem())
            path.chmod(0o600)
    except (OSError, ValueError) as exc:
        return fail(PROG, one_line(f"--key {printable(str(path))}: {exc}"))
    xml = metadata.sp(journey.ENTITY_ID, journey.ACS_URL, journey.SLO_URL, key, binding=ns.POST)
    print(xml.decode("utf-8"))
    return 0
