"""Asking the product to act: one ``Asker`` per way a product can be asked.

- ``CommandAsker`` runs a command per job (``--engine-cmd 'CMD ...'``). The template is split
  like a shell line (``shlex``) but never run by a shell: each word has its ``{placeholders}``
  filled in (``job.placeholders``), so a value with spaces or quotes stays one argument and
  cannot become a second command. The command also finds the job file in ``$TPN_JOB``. Exit
  status 0 means the product reports success. Its output is kept (the last 64 KiB) for the
  report; past the job's deadline its process group is stopped.
- ``WebhookAsker`` POSTs the job to the product (``--engine-webhook URL``) and reads its
  answer: ``2xx`` with a JSON object ``{"success": true|false, "detail": "..."}``; any other
  status is the product reporting failure. Each request has a guard of its own (the job's
  deadline, a 1 MiB answer, no redirects): an engine that does not answer in time has failed
  that job, which is judged, while the run goes on.
- ``InProcessAsker`` runs a reference product in the suite's own process: a function of the
  job's JSON (the bytes a webhook would get), on a thread of its own, up to the job's
  deadline. Runs of the project's own reference products use it (the form engine, the MinSide
  client): the same code as their commands (``tpn engine deliver``, ``tpn eservice act``),
  without an interpreter started per job, which was most of a run's time. A vendor's product
  is never asked this way.
- ``ManualAsker`` writes the job and its files to a folder, prints what a person is to do,
  and waits (to the job's deadline) until the suite sees the result arrive; the person
  reports nothing, so ``Reply.success`` is None.

``AskError`` means the product could not be asked at all (the command does not exist, the
webhook does not answer or answers outside the protocol): the run cannot judge, and stops.
A product that was asked and failed is a ``Reply`` with ``success`` False, which the suite
judges.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import requests

from tpn.conformance.client.job import JOB_VERSION, Job
from tpn.conformance.client.observe import wait_until
from tpn.conformance.transport import Guard, Limits, TargetMisbehaved

MAX_OUTPUT = 64 * 1024  # bytes of a command's output kept for the report (its end)
MAX_DETAIL = 4000  # characters of a webhook's detail kept
MAX_ANSWER = 1024 * 1024  # bytes of a webhook's answer read
STOP_GRACE = 2.0  # seconds between SIGTERM and SIGKILL for a command past its deadline
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


class AskError(Exception):
    """The product could not be asked (not: it was asked and failed)."""


@dataclass(frozen=True)
class Reply:
    """What came back from asking: the product's own word on the job, and what it printed."""

    success: bool | None  # None: nobody reports (a manual job)
    detail: str
    seconds: float
    output: str = ""  # a command's output (its end), or a webhook's answer

    @property
    def reported(self) -> str:
        if self.success is None:
            return "no report (manual)"
        return "success" if self.success else "failure"


class Asker(Protocol):
    """One way of asking the product to do a job."""

    @property
    def manual(self) -> bool:
        """Whether a person does the jobs (the suite then asks for as few as it can)."""
        ...

    def describe(self) -> str:
        """One line for the run's notice: how the product is asked."""
        ...

    def ask(self, job: Job, arrived: Callable[[], bool]) -> Reply:
        """Hand ``job`` over and return once the product is done with it (or its deadline
        passed). ``arrived`` tells whether what the job should make has arrived; only a manual
        asker, which gets no report, waits on it."""
        ...


# ------------------------------------------------------------------ command


def fill(word: str, names: dict[str, str]) -> str:
    """``word`` with its ``{name}`` placeholders filled in; ``{{`` and ``}}`` are braces."""

    def one(match: re.Match[str]) -> str:
        text = match.group(0)
        if text in ("{{", "}}"):
            return text[0]
        name = match.group(1)
        if name not in names:
            known = ", ".join("{" + n + "}" for n in sorted(names))
            raise ValueError(f"unknown placeholder {{{name}}}; known: {known}")
        return names[name]

    return _PLACEHOLDER.sub(one, word)


def check_template(template: str, names: dict[str, str]) -> list[str]:
    """The template's words, checked: it parses, names a command and only known placeholders.
    Raises ``ValueError`` with the one line a user sees."""
    try:
        words = shlex.split(template)
    except ValueError as exc:
        raise ValueError(f"the command cannot be read: {exc}") from exc
    if not words:
        raise ValueError("the command is empty")
    for word in words:
        fill(word, names)
    return words


class CommandAsker:
    """``--engine-cmd``: a command run per job, in a folder of the run's."""

    manual = False

    def __init__(self, template: str, workdir: Path, *, words: list[str] | None = None) -> None:
        self.template = template
        # ``words``: a command already split (the reference engine's, whose interpreter's path
        # may hold spaces); otherwise the template is split like a shell line.
        self.words = words if words is not None else shlex.split(template)
        if not self.words:
            raise ValueError("the command is empty")
        self.workdir = workdir

    def describe(self) -> str:
        return f"the engine is asked by running: {self.template}"

    def ask(self, job: Job, arrived: Callable[[], bool]) -> Reply:
        job_file = job.write(self.workdir)
        names = job.placeholders(job_file)
        try:
            argv = [fill(word, names) for word in self.words]
        except ValueError as exc:
            raise AskError(str(exc)) from exc
        if shutil.which(argv[0]) is None and not Path(argv[0]).is_file():
            raise AskError(f"the engine's command was not found: {argv[0]}")
        env = {**os.environ, "TPN_JOB": str(job_file)}
        started = time.monotonic()
        try:
            process = subprocess.Popen(
                argv,
                cwd=self.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: a deadline stops its children too
            )
        except OSError as exc:
            raise AskError(f"the engine's command could not start: {exc}") from exc
        output = _Tail(MAX_OUTPUT)
        reader = threading.Thread(target=output.read, args=(process.stdout,), daemon=True)
        reader.start()
        try:
            status: int | None = process.wait(timeout=job.deadline_seconds)
        except subprocess.TimeoutExpired:
            _stop(process)
            status = None
        reader.join(timeout=STOP_GRACE)
        if process.stdout is not None:
            process.stdout.close()
        seconds = time.monotonic() - started
        text = output.text()
        if status is None:
            detail = f"no answer within {job.deadline_seconds:g} s: the command was stopped"
            return Reply(False, detail, seconds, text)
        detail = "exit status 0" if status == 0 else f"exit status {status}"
        return Reply(status == 0, detail, seconds, text)


class _Tail:
    """The last ``limit`` bytes of a stream, read to its end."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.total = 0

    def read(self, stream: object) -> None:
        read = getattr(stream, "read", None)
        if read is None:
            return
        with contextlib.suppress(OSError, ValueError):
            while chunk := read(8192):
                self.total += len(chunk)
                self.data += chunk
                if len(self.data) > self.limit:
                    del self.data[: len(self.data) - self.limit]

    def text(self) -> str:
        cut = self.total - len(self.data)
        head = f"[{cut} bytes of output before this were not kept]\n" if cut else ""
        return head + self.data.decode("utf-8", errors="replace")


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=STOP_GRACE)
            return
        except subprocess.TimeoutExpired:
            continue


# ------------------------------------------------------------------ webhook


class WebhookAsker:
    """``--engine-webhook URL``: the job POSTed to the product, its answer read."""

    manual = False

    def __init__(self, url: str, max_answer: int = MAX_ANSWER) -> None:
        self.url = url
        self.max_answer = max_answer

    def describe(self) -> str:
        return f"the engine is asked at its webhook: {self.url}"

    def ask(self, job: Job, arrived: Callable[[], bool]) -> Reply:
        body = json.dumps(job.to_json(), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Tpn-Job": str(JOB_VERSION)}
        started = time.monotonic()
        limits = Limits(request_timeout=job.deadline_seconds, max_response=self.max_answer)
        session = Guard(limits).session()
        try:
            answer = session.post(
                self.url, data=body, headers=headers, timeout=job.deadline_seconds
            )
        except TargetMisbehaved as exc:
            if exc.option == "request-timeout":
                seconds = time.monotonic() - started
                return Reply(False, f"no answer within {job.deadline_seconds:g} s", seconds)
            raise AskError(f"the engine's webhook broke HTTP: {exc.text('--')}") from exc
        except requests.Timeout:
            seconds = time.monotonic() - started
            return Reply(False, f"no answer within {job.deadline_seconds:g} s", seconds)
        except requests.RequestException as exc:
            raise AskError(f"the engine's webhook {self.url} does not answer: {exc}") from exc
        finally:
            session.close()
        seconds = time.monotonic() - started
        text = answer.text[:MAX_DETAIL]
        if not 200 <= answer.status_code < 300:
            return Reply(False, f"HTTP {answer.status_code}", seconds, text)
        try:
            verdict = json.loads(answer.content)
        except ValueError as exc:
            raise AskError(
                f"the engine's webhook answered {answer.status_code} without JSON: {exc}"
            ) from exc
        if not isinstance(verdict, dict) or not isinstance(verdict.get("success"), bool):
            raise AskError(
                'the engine\'s webhook must answer {"success": true|false, "detail": "..."}; '
                f"it answered {text[:200]!r}"
            )
        detail = verdict.get("detail")
        said = detail[:MAX_DETAIL] if isinstance(detail, str) else ""
        return Reply(verdict["success"], said or f"HTTP {answer.status_code}", seconds, text)


# ------------------------------------------------------------------ in process


Act = Callable[[bytes], tuple[bool, str]]
"""A reference product's work on one job (its JSON document): whether it reports success, and
its one line."""


class InProcessAsker:
    """A reference product, called in this process on a thread of its own per job.

    Past the job's deadline the thread is left behind (a daemon: a thread cannot be stopped
    from outside), and the job is answered as a command's would be: no answer in time. The
    reference products keep to their job's deadline themselves, so only a defect that never
    answers (``hangs-after-error``) leaves one; it waits and sends nothing more.
    """

    manual = False

    def __init__(self, act: Act, name: str) -> None:
        self.act = act
        self.name = name

    def describe(self) -> str:
        return f"the reference is asked in the suite's process: {self.name}"

    def ask(self, job: Job, arrived: Callable[[], bool]) -> Reply:
        document = json.dumps(job.to_json(), ensure_ascii=False).encode("utf-8")
        outcome: list[tuple[bool, str]] = []
        failure: list[BaseException] = []

        def run() -> None:
            try:
                outcome.append(self.act(document))
            except Exception as exc:  # the product's crash is its failure, judged, not ours
                failure.append(exc)

        started = time.monotonic()
        worker = threading.Thread(target=run, name=f"tpn-{job.id}", daemon=True)
        worker.start()
        worker.join(timeout=job.deadline_seconds)
        seconds = time.monotonic() - started
        if worker.is_alive():
            return Reply(False, f"no answer within {job.deadline_seconds:g} s", seconds)
        if failure:
            exc = failure[0]
            return Reply(False, f"crashed: {type(exc).__name__}: {exc}"[:MAX_DETAIL], seconds)
        success, line = outcome[0]
        return Reply(success, line[:MAX_DETAIL], seconds, line[:MAX_DETAIL])


# ------------------------------------------------------------------ manual


class ManualAsker:
    """``--manual``: a person does the job through the product's user interface."""

    manual = True

    def __init__(
        self, folder: Path, say: Callable[[str], None], *, poll_seconds: float = 0.5
    ) -> None:
        self.folder = folder
        self.say = say
        self.poll_seconds = poll_seconds

    def describe(self) -> str:
        return f"a person does each job by hand; jobs and documents are written to {self.folder}"

    def ask(self, job: Job, arrived: Callable[[], bool]) -> Reply:
        place = self.folder / job.id
        place.mkdir(parents=True, exist_ok=True)
        copies = {name: place / Path(path).name for name, path in job.files.items()}
        for name, path in job.files.items():
            shutil.copyfile(path, copies[name])
        job_file = job.write(place)
        listed = "".join(f"\n  {name}: {copy}" for name, copy in copies.items())
        self.say(
            f"tpn: job {job.id} ({job.action}), within {job.deadline_seconds:g} s: "
            f"{job.instructions or 'see the job file'}\n  job: {job_file}{listed}"
        )
        started = time.monotonic()
        came = wait_until(arrived, job.deadline_seconds, self.poll_seconds)
        seconds = time.monotonic() - started
        if came:
            return Reply(None, f"arrived after {seconds:.0f} s", seconds)
        return Reply(None, f"nothing arrived within {job.deadline_seconds:g} s", seconds)
