"""The minside-client suite's fixture: the suite's MinSide, the client asked for every job of
the run, and what each job left (names start ``ms``).

The jobs run once, when the first test asks for them; each test then judges all of them for
its requirement. Without a way of asking a vendor's client the suite asks the reference MinSide
client in this process (``reference.reference_asker``: the same client ``tpn eservice act`` runs,
without a process per job); ``--tpn-defect`` names a defective one.
"""

from __future__ import annotations

import secrets
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tpn.conformance.client.ways import asker_for, say_to, vendor
from tpn.conformance.outcomes import SuiteError

if TYPE_CHECKING:
    from tpn.conformance.minsideclient.plan import Step
    from tpn.conformance.minsideclient.run import Arrival
    from tpn.conformance.results import Run

MINSIDE_USER = "tpn"
REFERENCE_CLIENT_TIMEOUT = 2.0  # seconds: the reference client's per-request timeout in a run
VENDOR_CLIENT_TIMEOUT = 30.0
JOB_TIMEOUT = 120.0
MANUAL_JOB_TIMEOUT = 900.0


@dataclass
class Jobs:
    """What a test judges: every job of the run and what it left."""

    arrivals: list[Arrival]
    plan: list[Step]
    manual: bool  # a person did the jobs: nobody reported success or failure


@pytest.fixture(scope="session")
def ms(request: pytest.FixtureRequest, tpn_run: Run) -> Iterator[Jobs]:
    """Every job of the run, done once, and what each left in the suite's MinSide."""
    from tpn.conformance.minsideclient.plan import listing, plan
    from tpn.conformance.minsideclient.reference import reference_asker
    from tpn.conformance.minsideclient.run import MELDINGSBOKS_PATH, Runner, services
    from tpn.conformance.target import Target

    with warnings.catch_warnings():
        # Spyne 2.14 imports cgi, deprecated since 3.11: our dependency's noise, not the run's.
        warnings.simplefilter("ignore", DeprecationWarning)
        from tpn.mocks.compose import ComposedMock
        from tpn.mocks.core.config import MockConfig
        from tpn.mocks.minside.mock import MinSidePart

    opt = request.config.option
    say = say_to(request.config)
    manual = bool(opt.tpn_manual)
    client_timeout = opt.tpn_engine_timeout or (
        VENDOR_CLIENT_TIMEOUT if vendor(opt) else REFERENCE_CLIENT_TIMEOUT
    )
    deadline = opt.tpn_job_timeout or (MANUAL_JOB_TIMEOUT if manual else JOB_TIMEOUT)
    password = opt.tpn_archive_password or secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="tpn-ms-") as scratch:
        work = Path(scratch)
        asker, described, reference = asker_for(
            opt,
            work,
            say,
            lambda: reference_asker(client_timeout, tuple(opt.tpn_defect)),
            what="client",
        )
        try:
            mocks = ComposedMock(
                MockConfig(auth=(MINSIDE_USER, password)), port=opt.tpn_archive_port or 0
            )
            mocks.start()
        except Exception as exc:
            raise SuiteError(f"the suite's MinSide could not start: {exc!r}") from exc
        try:
            minside = mocks.parts.part(MinSidePart).minside
            base = mocks.base_url
            runner = Runner(
                mocks=mocks,
                asker=asker,
                contents=minside.contents,
                services=services(base, MINSIDE_USER, password),
                run_id=tpn_run.run_id,
                files=work,
                client_timeout=client_timeout,
                deadline=deadline,
                say=say,
            )
            steps = plan(tpn_run.level, tpn_run.seed, manual=manual)
            tpn_run.target = Target(
                described,
                None,
                reference=reference,
                exclusive=True,
                defects=tuple(opt.tpn_defect),
                reference_name=tpn_run.profile.reference_name,
            )
            say(
                f"tpn: {len(steps)} jobs against MinSide at {base}{MELDINGSBOKS_PATH} and its "
                f"two other services (user {MINSIDE_USER}); {asker.describe()}"
            )
            for line in listing(steps):
                say(line)
            arrivals = runner.run(steps)
            tpn_run.created.update(jobs=len(steps))
            yield Jobs(arrivals, steps, manual)
        finally:
            mocks.stop()
