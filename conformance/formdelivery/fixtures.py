"""The form-delivery suite's fixture: the suite's archive and register, the engine asked for
every delivery of the run, and what each delivery left (names start ``fd``).

The deliveries run once, when the first test asks for them; each test then judges all of them
for its requirement. Without a way of asking a vendor's engine the suite asks the reference
form engine (the code of ``tpn engine deliver``, called in this process for each job:
``tpn.conformance.client.InProcessAsker``), with ``--tpn-defect`` names a defective one.
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
    from tpn.conformance.client import Asker
    from tpn.conformance.formdelivery.journey_run import Journey
    from tpn.conformance.formdelivery.plan import Delivery
    from tpn.conformance.formdelivery.run import Arrival
    from tpn.conformance.results import Run

ARCHIVE_USER = "tpn"
REFERENCE_ENGINE_TIMEOUT = 3.0  # seconds: the reference engine's per-request timeout in a run
VENDOR_ENGINE_TIMEOUT = 30.0
JOB_TIMEOUT = 120.0
MANUAL_JOB_TIMEOUT = 900.0


@dataclass
class Deliveries:
    """What a test judges: every delivery of the run and what it left."""

    arrivals: list[Arrival]
    plan: list[Delivery]
    manual: bool  # a person delivered: nobody reported success or failure


def _reference(work: Path, engine_timeout: float, defects: list[str]) -> tuple[Asker, str]:
    """The reference form engine, asked in the run's process (``InProcessAsker``)."""

    # The code of `tpn engine deliver`, called in this process: no interpreter started per
    # delivery (most of a run's time when it was a command).
    from tpn.conformance.client import InProcessAsker
    from tpn.harness.engine import deliver_in_process
    from tpn.mocks.formengine.engine import DEFAULT_RETRIES

    act = deliver_in_process(engine_timeout, DEFAULT_RETRIES, defects)
    return InProcessAsker(act, "tpn engine deliver"), "tpn engine deliver"


@pytest.fixture(scope="session")
def fd(request: pytest.FixtureRequest, tpn_run: Run) -> Iterator[Deliveries]:
    """Every delivery of the run, made once, and what each left in the suite's archive."""
    from tpn.conformance.client import Service
    from tpn.conformance.formdelivery.plan import listing, plan
    from tpn.conformance.formdelivery.run import ARCHIVE_PATH, REGISTER_PATH, Runner
    from tpn.conformance.target import Target

    with warnings.catch_warnings():
        # Spyne 2.14 imports cgi, deprecated since 3.11: our dependency's noise, not the run's.
        warnings.simplefilter("ignore", DeprecationWarning)
        from tpn.mocks.compose import ComposedMock
        from tpn.mocks.core.config import MockConfig
        from tpn.mocks.noark4ws.mock import ArchivePart

    opt = request.config.option
    say = say_to(request.config)
    manual = bool(opt.tpn_manual)
    engine_timeout = opt.tpn_engine_timeout or (
        VENDOR_ENGINE_TIMEOUT if vendor(opt) else REFERENCE_ENGINE_TIMEOUT
    )
    deadline = opt.tpn_job_timeout or (MANUAL_JOB_TIMEOUT if manual else JOB_TIMEOUT)
    password = opt.tpn_archive_password or secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="tpn-fd-") as scratch:
        work = Path(scratch)
        asker, described, reference = asker_for(
            opt, work, say, lambda: _reference(work, engine_timeout, list(opt.tpn_defect))
        )
        try:
            mocks = ComposedMock(
                MockConfig(auth=(ARCHIVE_USER, password)), port=opt.tpn_archive_port or 0
            )
            mocks.start()
        except Exception as exc:
            raise SuiteError(f"the suite's archive could not start: {exc!r}") from exc
        try:
            archive = mocks.parts.part(ArchivePart).archive
            base = mocks.base_url
            runner = Runner(
                mocks=mocks,
                asker=asker,
                contents=archive.contents,
                services={
                    "archive": Service(f"{base}{ARCHIVE_PATH}", ARCHIVE_USER, password),
                    "register": Service(f"{base}{REGISTER_PATH}"),
                },
                run_id=tpn_run.run_id,
                files=work,
                engine_timeout=engine_timeout,
                deadline=deadline,
                say=say,
            )
            deliveries = plan(tpn_run.level, tpn_run.seed, manual=manual)
            tpn_run.target = Target(
                described,
                None,
                reference=reference,
                exclusive=True,
                defects=tuple(opt.tpn_defect),
                reference_name=tpn_run.profile.reference_name,
            )
            say(
                f"tpn: {len(deliveries)} deliveries into the archive at {base}{ARCHIVE_PATH} "
                f"(user {ARCHIVE_USER}); {asker.describe()}"
            )
            for line in listing(deliveries):
                say(line)
            arrivals = runner.run(deliveries)
            tpn_run.created.update(deliveries=len(deliveries))
            yield Deliveries(arrivals, deliveries, manual)
        finally:
            mocks.stop()


# ------------------------------------------------------------------ the whole journey


@pytest.fixture(scope="session")
def fj(request: pytest.FixtureRequest, tpn_run: Run) -> Iterator[Journey | None]:
    """The citizen's whole journey (``--with-minside``), run once in mocks of its own after the
    run's deliveries; None where the run has no journey (its requirements are then not
    applicable)."""
    opt = request.config.option
    if not opt.tpn_with_minside or opt.tpn_manual:
        yield None
        return
    from tpn.conformance.client import Service
    from tpn.conformance.formdelivery.journey_run import (
        applications,
        reference_metadata,
        runner_for,
    )
    from tpn.conformance.formdelivery.run import ARCHIVE_PATH, REGISTER_PATH
    from tpn.fixtures.files import FileRefused, read_regular

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from tpn.mocks.compose import ComposedMock
        from tpn.mocks.core.config import MockConfig
        from tpn.mocks.saml.metadata import MAX_BYTES, MetadataError

    say = say_to(request.config)
    engine_timeout = opt.tpn_engine_timeout or (
        VENDOR_ENGINE_TIMEOUT if vendor(opt) else REFERENCE_ENGINE_TIMEOUT
    )
    deadline = opt.tpn_job_timeout or JOB_TIMEOUT
    password = opt.tpn_archive_password or secrets.token_urlsafe(12)
    if vendor(opt):
        try:
            metadata = read_regular(opt.tpn_engine_metadata, MAX_BYTES, what="engine metadata")
        except FileRefused as exc:
            raise SuiteError(str(exc)) from None
    else:
        metadata = reference_metadata()
    with tempfile.TemporaryDirectory(prefix="tpn-fj-") as scratch:
        work = Path(scratch)
        asker, _, _ = asker_for(
            opt, work, say, lambda: _reference(work, engine_timeout, list(opt.tpn_defect))
        )
        try:
            mocks = ComposedMock(MockConfig(auth=(ARCHIVE_USER, password)))
            mocks.start()
        except Exception as exc:
            raise SuiteError(f"the journey's mocks could not start: {exc!r}") from exc
        try:
            base = mocks.base_url
            try:
                runner = runner_for(
                    mocks,
                    asker,
                    metadata=metadata,
                    services={
                        "archive": Service(f"{base}{ARCHIVE_PATH}", ARCHIVE_USER, password),
                        "register": Service(f"{base}{REGISTER_PATH}"),
                    },
                    run_id=tpn_run.run_id,
                    files=work,
                    deadline=deadline,
                    say=say,
                )
            except (ValueError, MetadataError) as exc:
                raise SuiteError(f"the engine's SP metadata cannot be used: {exc}") from None
            apps = applications(tpn_run.seed)
            say(
                f"tpn: the citizen's journey, {len(apps)} applications: the archive, the portal "
                f"and MinSide at {base}"
            )
            yield runner.run(apps)
        finally:
            mocks.stop()
