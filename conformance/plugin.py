"""The pytest plugin of tpn-harness (entry point ``pytest11``: ``tpn``).

Inert unless a conformance suite is collected: it only adds its option group and the
``requirement`` marker. With ``--tpn-target URL`` (or ``--tpn-profile``) and no test paths, it
collects the profile's suite from the installed package, so a vendor's CI runs

    pytest --tpn-target http://archive.example/noark4ws --tpn-report-dir reports

Without ``--tpn-target`` a profile certifies its own reference (the archive profile starts the
embedded reference archive; ``tpn.conformance.noark4ws.reference``).
Each test names its requirements (``@pytest.mark.requirement("N4WS-NUM-001")``); tests above the
chosen level are deselected; at the end every requirement of the level gets a result, the
report directory gets junit.xml, report.json and report.html, and the exit status is 0 when no
requirement of the level failed and 1 otherwise. 2 (pytest's "interrupted") means the run could
not judge: the target was unreachable, or misbehaved at the transport level (an answer over
``--tpn-max-response``, a request past ``--tpn-request-timeout``, the run past
``--tpn-run-timeout``, a redirect, a body cut short, an answer that is not HTTP), which stops
the run at once with its reports marked incomplete; or the suite itself failed, or the reports
could not be written.

The options are the rows of the option table (``tpn.conformance.options``), which makes
``tpn certify``'s too; whatever differs between profiles (their catalogue, defects, targets,
options and suites) is asked of the profile (``tpn.conformance.profile.Profile``), never
decided here by its name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tpn.conformance import options, profiles
from tpn.conformance.evidence import Recorder
from tpn.conformance.outcomes import NOT_APPLICABLE, SuiteError
from tpn.conformance.redact import (
    MIN_SECRET,
    RedactingStream,
    Redactor,
    redact_logs,
    split_userinfo,
)
from tpn.conformance.results import Run, TestResult
from tpn.conformance.sp.profile import MAX_SP_METADATA as MAX_SP_METADATA  # the sp fixture's
from tpn.conformance.transport import (
    DEFAULT_MAX_RESPONSE,
    DEFAULT_REQUEST_TIMEOUT,
    RUN_TIMEOUTS,
    Guard,
    Limits,
)
from tpn.fixtures.files import printable

# Every profile's fixtures; their modules import nothing heavy until a fixture is used.
pytest_plugins = [profile.fixtures for profile in profiles.PROFILES.values()]

RUN = pytest.StashKey[Run]()
REQS = pytest.StashKey[tuple[str, ...]]()
CLEANUP = pytest.StashKey[contextlib.ExitStack]()
MARKER = "requirement"


# ------------------------------------------------------------------ options


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tpn", "tpn-harness conformance (tpn certify takes the same options)")
    options.add_to_pytest(group.addoption)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    """Collect the profile's suite from the installed package when no test path is given."""
    ns = early_config.known_args_namespace
    wanted = any(getattr(ns, f"tpn_{name}", None) for name in ("target", "profile", "defect"))
    if wanted and not getattr(ns, "file_or_dir", None):
        profile = profiles.get(ns.tpn_profile or profiles.DEFAULT_PROFILE)
        args.append(str(profile.suite_dir))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(*ids): the catalogue requirements a conformance test checks"
    )
    opt = config.option
    # Credentials in the target's URL are the run's credentials: out of the URL (which goes into
    # reports and messages), into the redactor like every other secret.
    url_user = url_password = None
    if opt.tpn_target and "@" in urlsplit(opt.tpn_target).netloc:
        opt.tpn_target, url_user, url_password = split_userinfo(opt.tpn_target)
        if url_password is not None and not opt.tpn_user:
            opt.tpn_user, opt.tpn_password = url_user, url_password
    redactor = Redactor.of([(opt.tpn_user, opt.tpn_password), (url_user, url_password)])
    if redactor.too_short:
        sys.stderr.write(
            f"tpn: warning: the password has fewer than {MIN_SECRET} characters, too few to "
            "find in the run's text; it is masked in the recorded arguments, URLs and "
            "Authorization headers only\n"
        )
    if any((opt.tpn_target, opt.tpn_profile, opt.tpn_defect, opt.tpn_user)):
        _redact_output(config, redactor)  # a vendor's own run is left alone
    report_dir: Path | None = opt.tpn_report_dir
    if report_dir is not None:
        try:
            report_dir.mkdir(parents=True, exist_ok=True)
            # A run that ends early (a usage error too) must not leave the previous run's
            # reports looking current.
            for name in ("report.json", "report.json.sig", "report.html", "junit.xml"):
                (report_dir / name).unlink(missing_ok=True)
        except OSError as exc:
            raise pytest.UsageError(
                f"--tpn-report-dir {printable(str(report_dir))}: cannot write there: "
                f"{exc.strerror or exc}"
            ) from None
        # Our pytest_configure runs first, so the junitxml plugin picks this path up.
        if not getattr(opt, "xmlpath", None):
            opt.xmlpath = str(report_dir / "junit.xml")
    given = options.values(opt)
    try:
        options.check(given)  # each option's own rule
        profile = profiles.get(opt.tpn_profile or profiles.DEFAULT_PROFILE)
        if opt.tpn_level not in profile.levels:
            raise profiles.OptionError(
                f"{profile.name} has no level {opt.tpn_level}: {', '.join(profile.levels)}"
            )
        profile.validate(given)  # the profile's rules over them together
        waivers = options.waivers(opt.tpn_waive)
    except profiles.OptionError as exc:
        raise pytest.UsageError(str(exc)) from None
    limits = Limits(
        request_timeout=opt.tpn_request_timeout or DEFAULT_REQUEST_TIMEOUT,
        max_response=opt.tpn_max_response or DEFAULT_MAX_RESPONSE,
        run_timeout=opt.tpn_run_timeout or RUN_TIMEOUTS[opt.tpn_level],
    )
    guard = Guard(limits)
    config.add_cleanup(guard.close)
    config.stash[RUN] = Run(
        profile=profile,
        level=opt.tpn_level,
        seed=opt.tpn_seed if opt.tpn_seed is not None else secrets.randbelow(2**32),
        run_id=secrets.token_hex(4),
        waivers=waivers,
        report_dir=report_dir,
        vendor=opt.tpn_vendor,
        product=opt.tpn_product,
        product_version=opt.tpn_version,
        examples=opt.tpn_examples or 20,
        recorder=Recorder(),
        arguments=redactor.arguments(config.invocation_params.args),
        guard=guard,
        redactor=redactor,
    )


def _redact_output(config: pytest.Config, redactor: Redactor) -> None:
    """Route the terminal and log records through the redactor, for this run only.

    Runs before pytest's terminal plugin makes its writer (our pytest_configure is tryfirst),
    which then writes through the redacting stream for the whole session.
    """
    if CLEANUP in config.stash or not redactor:
        return
    stack = contextlib.ExitStack()
    config.stash[CLEANUP] = stack
    config.add_cleanup(stack.close)
    stack.enter_context(redact_logs(redactor))
    original = sys.stdout
    if original is not None:
        sys.stdout = RedactingStream(original, redactor)

        def restore() -> None:
            if isinstance(sys.stdout, RedactingStream):
                sys.stdout.flush()
            sys.stdout = original

        stack.callback(restore)


def pytest_sessionstart(session: pytest.Session) -> None:
    """An external target that does not answer at all ends the run with status 2 at once; one
    that answers but misbehaves stops it before the first test (with reports)."""
    url = session.config.option.tpn_target
    run = session.config.stash.get(RUN, None)
    if url and run is not None and run.profile.target_kind == "url":
        from tpn.conformance.target import PROBE_TIMEOUT, Unreachable, probe
        from tpn.conformance.transport import TargetMisbehaved

        try:
            probe(url, PROBE_TIMEOUT, session.config.option.tpn_ca_bundle, run.guard)
        except Unreachable as exc:
            pytest.exit(f"tpn: the target is unreachable: {exc}", returncode=2)
        except TargetMisbehaved:
            pass  # the guard has it: pytest_runtestloop stops the run once it is collected


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    run = session.config.stash.get(RUN, None)
    if run is not None and run.active and run.guard.tripped is not None:
        _stop(session, run)
        raise session.Interrupted(session.shouldstop)


def _stop(session: pytest.Session, run: Run) -> None:
    """The target misbehaved (or a deadline passed): no further test runs."""
    problem = run.guard.tripped
    if problem is None or run.stopped:
        return
    run.stopped = run.redactor.text(problem.text())
    session.shouldstop = f"tpn: the run stopped: {run.stopped}"


# ------------------------------------------------------------------ collection


@pytest.hookimpl(tryfirst=True)  # before -k and -m: the level's plan is every test of it
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    run = config.stash[RUN]
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        profile = profiles.owning(item.path)
        if profile is None:
            keep.append(item)
            continue
        if profile.name != run.profile.name:
            dropped.append(item)
            continue
        ids = tuple(i for m in item.iter_markers(MARKER) for i in m.args)
        if not ids:
            raise pytest.UsageError(f"{item.nodeid} names no requirement (@pytest.mark.{MARKER})")
        catalogue = run.profile.catalogue
        unknown = [i for i in ids if i not in catalogue]
        if unknown:
            raise pytest.UsageError(f"{item.nodeid} names unknown requirements {unknown}")
        item.stash[REQS] = ids
        run.active = True
        if all(catalogue.get(i).within(run.level) for i in ids):
            keep.append(item)
            run.planned.setdefault(item.nodeid, ids)
        else:
            dropped.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
    if run.active and config.getoption("numprocesses", None):
        raise pytest.UsageError("the conformance suite runs in one process: drop -n")
    if run.active:
        _hypothesis_home_outside_the_vendors_folder(config)


def _hypothesis_home_outside_the_vendors_folder(config: pytest.Config) -> None:
    """Hypothesis keeps files in ./.hypothesis even without an example database."""
    import shutil
    import tempfile

    from hypothesis import configuration

    home = tempfile.mkdtemp(prefix="tpn-hypothesis-")
    configuration.set_hypothesis_home_dir(home)
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))


def pytest_collection_finish(session: pytest.Session) -> None:
    run = session.config.stash[RUN]
    run.selected = sum(1 for item in session.items if REQS in item.stash)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if run.active and reporter is not None:
        reporter.write_line(
            run.notice(run.profile.certified(options.values(session.config.option)))
        )


class SuiteModule(pytest.Module):
    """A suite module, imported by its name in the installed package.

    pytest would import ``site-packages/tpn/conformance/noark4ws/test_x.py`` as
    ``conformance.noark4ws.test_x`` (``tpn`` is a namespace package), putting ``site-packages/tpn``
    on ``sys.path``, where our ``mocks`` and ``fixtures`` would shadow a vendor's own.
    """

    def _getobj(self) -> Any:
        profile = profiles.owning(self.path)
        assert profile is not None
        return importlib.import_module(profile.module_name(self.path))


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(
    module_path: Path, parent: pytest.Collector
) -> pytest.Module | None:
    if profiles.owning(module_path) is None:
        return None
    return SuiteModule.from_parent(parent, path=module_path)


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def tpn_run(request: pytest.FixtureRequest) -> Run:
    """The run: profile, level, seed, run id, waivers, and what it has recorded."""
    return request.config.stash[RUN]


# ------------------------------------------------------------------ results


def pytest_runtest_setup(item: pytest.Item) -> None:
    if REQS in item.stash:
        item.config.stash[RUN].recorder.start()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    ids = item.stash.get(REQS, None)
    run = item.config.stash[RUN]
    if ids is None:
        if report.failed:
            run.other_failures += 1
        return report
    for rid in ids:
        report.user_properties.append((MARKER, rid))
    outcome: str | None = None
    reason = ""
    with contextlib.suppress(Exception):
        run.guard.check()  # trips the guard if the run's deadline has passed
    if run.guard.tripped is not None and not report.passed:
        # Whatever the test made of the exception (an AssertionError, zeep's own error, a
        # hypothesis failure), the target broke the transport: the test could not judge.
        _stop(item.session, run)
        outcome = "not_run"
        reason = f"the run stopped: {run.stopped}"
        # Not a failure of the test either in JUnit and on the terminal: skipped, with why.
        report.outcome = "skipped"
        report.longrepr = (str(item.path), 0, f"Skipped: {reason}")
    elif report.failed and call.excinfo is not None and call.excinfo.errisinstance(SuiteError):
        outcome = "not_run"  # the suite could not judge: not the target's failure
        reason = f"suite error: {call.excinfo.value}"
        if str(call.excinfo.value) not in run.suite_errors:
            run.suite_errors.append(str(call.excinfo.value))
    elif report.failed:
        outcome = "failed"
        reason = _reason(call)
    elif report.skipped:
        text = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        text = text.removeprefix("Skipped: ")
        outcome = "not_applicable" if text.startswith(NOT_APPLICABLE) else "not_run"
        reason = text.removeprefix(NOT_APPLICABLE)
    elif report.when == "call":
        outcome = "passed"
        reason = run.recorder.noted()  # how it passed, where the test said (e.g. sp's XSW)
    if run.guard.tripped is not None:
        _stop(item.session, run)
    if outcome is not None:
        run.record(
            TestResult(
                nodeid=item.nodeid,
                requirements=ids,
                outcome=outcome,
                phase=report.when,
                reason=run.redactor.text(reason),
                duration=report.duration,
                evidence=run.recorder.evidence(),
            )
        )
    return report


def _reason(call: pytest.CallInfo[None]) -> str:
    if call.excinfo is None:
        return "failed"
    text = str(call.excinfo.value).strip() or call.excinfo.typename
    # An assertion's own message first; pytest's expansion of the expression after it.
    return (
        text if call.excinfo.errisinstance(AssertionError) else f"{call.excinfo.typename}: {text}"
    )


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> Iterator[None]:
    # A wrapper, innermost (trylast): it runs after pytest's junitxml has written junit.xml (or
    # failed to: a full disk, a report folder gone) and before the terminal's summary.
    run = session.config.stash.get(RUN, None)
    try:
        yield
    except OSError as exc:
        if run is None or not run.active:
            raise
        run.report_error = _write_error(exc, run.report_dir)
    if run is None or not run.active:
        return
    _finish(session, run, exitstatus)


def _write_error(exc: OSError, folder: Path | None) -> str:
    if exc.filename is None:
        into = f" to {printable(str(folder))}" if folder is not None else ""
        return f"the reports could not be written{into}: {exc.strerror or exc}"
    where = printable(str(exc.filename))
    if isinstance(exc, FileExistsError | NotADirectoryError):
        # makedirs over a file, or a file in the way of a path: the folder is not one.
        return f"the reports could not be written: {where} (or a folder above it) is not a folder"
    return f"the reports could not be written: {exc.strerror or exc} ({where})"


def _finish(session: pytest.Session, run: Run, exitstatus: int) -> None:
    run.finished = dt.datetime.now(dt.UTC)
    if run.guard.tripped is not None:
        _stop(session, run)
    junit = Path(session.config.option.xmlpath or "")
    if run.report_error is None and junit.name and junit.is_file():
        from tpn.conformance.redact import redact_junit

        try:
            redact_junit(junit, run.redactor)  # wherever it is: --junitxml may put it elsewhere
        except OSError as exc:
            run.report_error = _write_error(exc, run.report_dir)
    if run.report_dir is not None and run.report_error is None:
        from tpn.conformance.report import write_reports

        # Only a junit.xml inside the report folder is an artefact a certificate can cover.
        inside = junit.name and junit.resolve().parent == run.report_dir.resolve()
        try:
            write_reports(run, run.report_dir, junit=junit if inside else None)
        except OSError as exc:
            run.report_error = _write_error(exc, run.report_dir)
    if run.suite_errors or run.stopped or run.report_error:
        session.exitstatus = pytest.ExitCode.INTERRUPTED  # 2: the run could not judge
    elif exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        # Waived requirements and not-applicable ones do not fail a run; a vendor's own failing
        # test collected beside the suite still does.
        failed = run.failed() or run.other_failures > 0
        session.exitstatus = pytest.ExitCode.TESTS_FAILED if failed else pytest.ExitCode.OK


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(RUN, None)
    if run is None or not run.active:
        return
    for line in run.summary_lines():
        terminalreporter.write_line(line)
