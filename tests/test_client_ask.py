"""The client-conformance machinery (``tpn.conformance.client``): the job document, the three
ways of asking a product to act, and the journal window judging starts from."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests

from tpn.conformance.client import (
    JOB_VERSION,
    AskError,
    CommandAsker,
    InProcessAsker,
    Job,
    ManualAsker,
    Service,
    WebhookAsker,
    Window,
    check_template,
    wait_until,
)
from tpn.conformance.client.ask import MAX_OUTPUT, fill


def never() -> bool:
    return False


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "form.xml"
    path.write_text("<skjema/>", encoding="utf-8")
    return path


def job(document: Path, **extra: Any) -> Job:
    fields: dict[str, Any] = {
        "id": "deliver-0001",
        "run": "run-1",
        "action": "deliver-form",
        "inputs": {"skjemaId": "KS-BARNEHAGE", "referanse": "ref 1"},
        "files": {"document": document},
        "services": {"archive": Service("http://127.0.0.1:1/noark4ws", "tpn", "s3cret")},
        "aliases": {"document": "files.document", "archive_url": "services.archive.url"},
        "deadline_seconds": 10.0,
    }
    fields.update(extra)
    return Job(**fields)


# ------------------------------------------------------------------ the job


def test_the_job_document_has_the_documented_fields(document: Path) -> None:
    data = json.loads(job(document).dumps())
    assert data == {
        "tpn_job": JOB_VERSION,
        "id": "deliver-0001",
        "run": "run-1",
        "action": "deliver-form",
        "inputs": {"skjemaId": "KS-BARNEHAGE", "referanse": "ref 1"},
        "files": {"document": str(document)},
        "services": {
            "archive": {"url": "http://127.0.0.1:1/noark4ws", "user": "tpn", "password": "s3cret"}
        },
        "deadline_seconds": 10.0,
    }
    assert "s3cret" not in repr(job(document))


def test_placeholders_are_the_jobs_fields_flattened_and_the_profiles_aliases(
    document: Path,
) -> None:
    names = job(document).placeholders(Path("/w/deliver-0001.json"))
    assert names["job"] == "/w/deliver-0001.json"
    assert names["inputs.skjemaId"] == "KS-BARNEHAGE"
    assert names["files.document"] == names["document"] == str(document)
    assert names["services.archive.url"] == names["archive_url"] == "http://127.0.0.1:1/noark4ws"
    assert names["services.archive.password"] == "s3cret"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "../x"}, "a job id is letters"),
        ({"deadline_seconds": 0}, "deadline_seconds must be"),
        ({"deadline_seconds": 7200}, "deadline_seconds must be"),
        ({"files": {"document": Path("form.xml")}}, "files.document must be an absolute path"),
    ],
)
def test_a_job_that_cannot_be_done_is_refused(
    document: Path, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        job(document, **change)


def test_a_template_is_checked_before_the_run(document: Path) -> None:
    names = job(document).placeholders(Path("/j.json"))
    assert check_template("engine --in {document} --to {archive_url}", names) == [
        "engine",
        "--in",
        "{document}",
        "--to",
        "{archive_url}",
    ]
    with pytest.raises(
        ValueError, match=r"unknown placeholder \{dokument\}; known: .*\{document\}"
    ):
        check_template("engine {dokument}", names)
    with pytest.raises(ValueError, match="the command cannot be read: No closing quotation"):
        check_template("engine 'open", names)
    with pytest.raises(ValueError, match="the command is empty"):
        check_template("  ", names)
    assert fill("{{literal}} {id}", names) == "{literal} deliver-0001"


# ------------------------------------------------------------------ a command per job


def script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "engine.sh"
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_a_command_gets_its_arguments_whole_and_the_job_file(
    tmp_path: Path, document: Path
) -> None:
    engine = script(
        tmp_path, 'printf "%s\\n" "$@" > args.txt; cp "$TPN_JOB" seen.json; echo done\n'
    )
    work = tmp_path / "work"
    work.mkdir()
    the_job = job(document, inputs={"referanse": "a b; rm -rf /"})
    reply = CommandAsker(f"{engine} {{inputs.referanse}} {{job}}", work).ask(the_job, never)
    assert (reply.success, reply.detail, reply.output) == (True, "exit status 0", "done\n")
    args = (work / "args.txt").read_text().splitlines()
    assert args == ["a b; rm -rf /", str(work / "deliver-0001.json")]
    assert json.loads((work / "seen.json").read_text())["id"] == "deliver-0001"


def test_a_command_that_exits_non_zero_reports_failure(tmp_path: Path, document: Path) -> None:
    engine = script(tmp_path, "echo refused >&2; exit 3\n")
    reply = CommandAsker(str(engine), tmp_path).ask(job(document), never)
    assert (reply.success, reply.detail, reply.output) == (False, "exit status 3", "refused\n")
    assert reply.reported == "failure"


def test_a_command_past_its_deadline_is_stopped_with_its_children(
    tmp_path: Path, document: Path
) -> None:
    engine = script(tmp_path, "sleep 60 & echo $! > child.pid; wait\n")
    started = time.monotonic()
    reply = CommandAsker(str(engine), tmp_path).ask(job(document, deadline_seconds=0.5), never)
    assert time.monotonic() - started < 10
    assert reply.success is False
    assert reply.detail == "no answer within 0.5 s: the command was stopped"
    child = int((tmp_path / "child.pid").read_text())
    assert wait_until(lambda: not _alive(child), 5)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers; it is dead for our purpose.
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")


def test_only_the_end_of_a_long_output_is_kept(tmp_path: Path, document: Path) -> None:
    engine = script(tmp_path, "head -c 200000 /dev/zero | tr '\\0' x; echo; echo last line\n")
    reply = CommandAsker(str(engine), tmp_path).ask(job(document), never)
    assert reply.output.endswith("last line\n")
    assert reply.output.startswith("[")
    assert "bytes of output before this were not kept" in reply.output
    assert len(reply.output) < MAX_OUTPUT + 100


def test_a_command_that_does_not_exist_cannot_be_asked(tmp_path: Path, document: Path) -> None:
    with pytest.raises(AskError, match="the engine's command was not found: no-such-engine"):
        CommandAsker("no-such-engine {job}", tmp_path).ask(job(document), never)


# ------------------------------------------------------------------ a webhook


class _Engine(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(json.loads(body))
        answers: dict[str, tuple[int, bytes]] = {
            "/ok": (200, b'{"success": true, "detail": "delivered"}'),
            "/refused": (200, b'{"success": false, "detail": "the archive said ERROR"}'),
            "/broken": (500, b"Internal Server Error"),
            "/text": (200, b"fine"),
            "/shape": (200, b'{"ok": 1}'),
        }
        if self.path == "/slow":
            time.sleep(2)
            answers["/slow"] = (200, b'{"success": true}')
        status, payload = answers[self.path]
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def engine_url() -> Iterator[str]:
    _Engine.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Engine)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_webhook_gets_the_job_and_its_answer_is_the_report(
    engine_url: str, document: Path
) -> None:
    reply = WebhookAsker(f"{engine_url}/ok").ask(job(document), never)
    assert (reply.success, reply.detail) == (True, "delivered")
    assert _Engine.received == [job(document).to_json()]
    reply = WebhookAsker(f"{engine_url}/refused").ask(job(document), never)
    assert (reply.success, reply.detail) == (False, "the archive said ERROR")
    reply = WebhookAsker(f"{engine_url}/broken").ask(job(document), never)
    assert (reply.success, reply.detail, reply.output) == (
        False,
        "HTTP 500",
        "Internal Server Error",
    )


def test_a_slow_webhook_is_a_failed_job(engine_url: str, document: Path) -> None:
    reply = WebhookAsker(f"{engine_url}/slow").ask(job(document, deadline_seconds=0.5), never)
    assert (reply.success, reply.detail) == (False, "no answer within 0.5 s")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/text", "answered 200 without JSON"),
        ("/shape", r'must answer \{"success": true\|false, "detail": "..."\}; it answered'),
    ],
)
def test_a_webhook_outside_the_protocol_cannot_be_asked(
    engine_url: str, document: Path, path: str, message: str
) -> None:
    with pytest.raises(AskError, match=message):
        WebhookAsker(engine_url + path).ask(job(document), never)


def test_a_webhook_that_does_not_answer_cannot_be_asked(document: Path) -> None:
    with pytest.raises(AskError, match="does not answer"):
        WebhookAsker("http://127.0.0.1:9/").ask(job(document), never)


# ------------------------------------------------------------------ by hand


# ------------------------------------------------------------------ in process


def test_in_process_the_function_gets_the_job_file_and_its_word_is_the_reply(
    tmp_path: Path, document: Path
) -> None:
    seen: list[dict[str, Any]] = []

    def act(data: bytes) -> tuple[bool, str]:
        seen.append(json.loads(data))
        return True, "delivered as 2026/7"

    reply = InProcessAsker(act, "ref").ask(job(document), never)
    assert (reply.success, reply.detail) == (True, "delivered as 2026/7")
    assert seen[0]["id"] == "deliver-0001" and seen[0]["tpn_job"] == JOB_VERSION


def test_in_process_a_failure_and_a_crash_are_failed_jobs(tmp_path: Path, document: Path) -> None:
    def refuse(data: bytes) -> tuple[bool, str]:
        return False, "not delivered: ERROR"

    def crash(data: bytes) -> tuple[bool, str]:
        raise RuntimeError("boom")

    assert InProcessAsker(refuse, "ref").ask(job(document), never).success is False
    crashed = InProcessAsker(crash, "ref").ask(job(document), never)
    assert crashed.success is False and "RuntimeError: boom" in crashed.detail


def test_in_process_past_the_deadline_is_no_answer(tmp_path: Path, document: Path) -> None:
    release = threading.Event()

    def hang(data: bytes) -> tuple[bool, str]:
        release.wait(30)
        return True, "too late"

    started = time.monotonic()
    reply = InProcessAsker(hang, "ref").ask(job(document, deadline_seconds=0.5), never)
    release.set()
    assert reply.success is False and "no answer within 0.5 s" in reply.detail
    assert time.monotonic() - started < 5


def test_a_manual_job_is_written_out_and_waits_for_its_arrival(
    tmp_path: Path, document: Path
) -> None:
    said: list[str] = []
    arrived = threading.Event()
    threading.Timer(0.3, arrived.set).start()
    asker = ManualAsker(tmp_path / "jobs", said.append, poll_seconds=0.05)
    reply = asker.ask(job(document, instructions="Submit the form in your portal."), arrived.is_set)
    assert reply.success is None and reply.detail.startswith("arrived after")
    place = tmp_path / "jobs" / "deliver-0001"
    assert (place / "form.xml").read_text() == "<skjema/>"
    assert json.loads((place / "deliver-0001.json").read_text())["action"] == "deliver-form"
    assert said[0].startswith("tpn: job deliver-0001 (deliver-form), within 10 s: Submit the")
    assert str(place / "form.xml") in said[0]


def test_a_manual_job_that_never_arrives_says_so(tmp_path: Path, document: Path) -> None:
    asker = ManualAsker(tmp_path, lambda _: None, poll_seconds=0.05)
    reply = asker.ask(job(document, deadline_seconds=0.3), never)
    assert (reply.success, reply.detail) == (None, "nothing arrived within 0.3 s")


# ------------------------------------------------------------------ the journal window


def test_a_window_shows_only_what_arrived_after_it_opened() -> None:
    from tpn.mocks.noark4ws import ArchiveMock

    with ArchiveMock() as archive:
        requests.get(archive.wsdl_url, timeout=10)
        post = {"data": b"<not-soap/>", "headers": {"Content-Type": "text/xml"}, "timeout": 10}
        requests.post(archive.url, **post)  # type: ignore[arg-type]
        window = Window(archive)
        assert window.exchanges() == []
        requests.post(archive.url, **post)  # type: ignore[arg-type]
        seen = window.exchanges()
        assert len(seen) == 1 and seen[0].request == b"<not-soap/>"
        assert window.exchanges(operation="PutJournpost") == []
