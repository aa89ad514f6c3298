"""Fault injection (``tpn.mocks.core.faults``): each kind over real sockets, which requests a
fault hits, atomic claims across stores and processes, the admin side's checks, the journal,
the Python API, and the drop and the delay through ``tpn serve`` on granian and gunicorn."""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from lxml import etree
from served import Served

from tpn.mocks.compose import ComposedMock
from tpn.mocks.core import transport
from tpn.mocks.core.faults import KINDS, FaultError, Faults
from tpn.mocks.core.notice import Notice
from tpn.mocks.core.store import Store
from tpn.mocks.noark4ws import ArchiveMock
from tpn.mocks.noark4ws.model import OPERATIONS
from tpn.mocks.soap.endpoint import SoapEndpoint

NS = "http://www.arkivverket.no/Noark4-1-WS-WD/types"
XML = {"Content-Type": "text/xml; charset=utf-8"}
ENVELOPE = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    f'xmlns:n4="{NS}"><soapenv:Body>{{body}}</soapenv:Body></soapenv:Envelope>'
)
SAK_KEY = "<n4:eksternSystem>skjemamotor</n4:eksternSystem><n4:nokkel>{key}</n4:nokkel>"


def put_sak(key: str = "sak-1") -> bytes:
    body = (
        "<n4:PutNoarksakRequest><n4:noarksak><n4:saTittel>Byggesøknad</n4:saTittel>"
        f"<n4:saEksternNokkel>{SAK_KEY.format(key=key)}</n4:saEksternNokkel>"
        "</n4:noarksak></n4:PutNoarksakRequest>"
    )
    return ENVELOPE.format(body=body).encode()


def get_sak(key: str = "sak-1") -> bytes:
    body = (
        f"<n4:GetNoarksakRequest><n4:saEksternNokkel>{SAK_KEY.format(key=key)}"
        "</n4:saEksternNokkel></n4:GetNoarksakRequest>"
    )
    return ENVELOPE.format(body=body).encode()


def put_jp(sak: str = "sak-1", key: str = "jp-1") -> bytes:
    body = (
        "<n4:PutJournpostRequest><n4:journpost><n4:jpInnhold>Søknad</n4:jpInnhold>"
        f"<n4:jpEksternNokkel><n4:eksternSystem>skjemamotor</n4:eksternSystem>"
        f"<n4:nokkel>{key}</n4:nokkel></n4:jpEksternNokkel>"
        f"<n4:jpSaEksternNokkel>{SAK_KEY.format(key=sak)}</n4:jpSaEksternNokkel>"
        "</n4:journpost></n4:PutJournpostRequest>"
    )
    return ENVELOPE.format(body=body).encode()


def get_jp(key: str = "jp-1") -> bytes:
    body = (
        "<n4:GetJournpostRequest><n4:jpEksternNokkel><n4:eksternSystem>skjemamotor"
        f"</n4:eksternSystem><n4:nokkel>{key}</n4:nokkel></n4:jpEksternNokkel>"
        "</n4:GetJournpostRequest>"
    )
    return ENVELOPE.format(body=body).encode()


def status(answer: bytes) -> tuple[str, list[str]]:
    """The answer's status type and its message codes."""
    root = etree.fromstring(answer)
    found = root.find(f".//{{{NS}}}status")
    assert found is not None, answer[:500]
    return found.get("type", ""), [m.get("code", "") for m in found.findall(f"{{{NS}}}message")]


def texts(answer: bytes, name: str) -> list[str]:
    return [e.text or "" for e in etree.fromstring(answer).iter(f"{{{NS}}}{name}")]


@pytest.fixture(scope="module")
def server() -> Iterator[ArchiveMock]:
    with ArchiveMock() as archive:
        yield archive


@pytest.fixture
def archive(server: ArchiveMock) -> ArchiveMock:
    server.reset()
    return server


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False  # no proxies for 127.0.0.1
        yield session


def post(http: requests.Session, url: str, body: bytes, timeout: float = 10) -> requests.Response:
    return http.post(url, data=body, headers=XML, timeout=timeout)


# ---------------------------------------------------------------- each kind over the wire


def test_http_500_answers_plain_text_and_does_nothing(
    archive: ArchiveMock, http: requests.Session
) -> None:
    archive.inject("http-500", operation="PutNoarksak")
    answer = post(http, archive.url, put_sak())
    assert answer.status_code == 500
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert answer.content == b"500 Internal Server Error\n"
    assert archive.archive.counts()["noarksak"] == 0


def test_soap_server_fault_does_nothing(archive: ArchiveMock, http: requests.Session) -> None:
    fault_id = archive.inject("soap-server-fault")
    answer = post(http, archive.url, put_sak())
    assert answer.status_code == 500
    root = etree.fromstring(answer.content)
    assert root.findtext(".//faultcode") == "soap:Server"
    assert root.findtext(".//faultstring") == (
        f"the service is unavailable (fault {fault_id} injected by tpn-harness)"
    )
    assert archive.archive.counts()["noarksak"] == 0


def test_error_status_is_the_operations_answer_and_does_nothing(
    archive: ArchiveMock, http: requests.Session
) -> None:
    fault_id = archive.inject("error-status", operation="PutNoarksak")
    answer = post(http, archive.url, put_sak())
    assert answer.status_code == 200
    assert status(answer.content) == ("ERROR", ["INTERNAL_ERROR"])
    assert texts(answer.content, "message") == [
        f"internal error in Noark4WS; nothing was done (fault {fault_id} injected by tpn-harness)"
    ]
    assert etree.fromstring(answer.content).find(f".//{{{NS}}}PutNoarksakResponse") is not None
    assert archive.archive.counts()["noarksak"] == 0
    # The fault is spent: the resend is handled.
    assert status(post(http, archive.url, put_sak()).content)[0] == "OK"


def test_drop_before_commit_closes_without_an_answer_and_does_nothing(
    archive: ArchiveMock, http: requests.Session
) -> None:
    archive.inject("drop-before-commit", operation="PutNoarksak")
    with pytest.raises(requests.ConnectionError, match="without response"):
        post(http, archive.url, put_sak())
    assert archive.archive.counts()["noarksak"] == 0
    assert status(post(http, archive.url, put_sak()).content)[0] == "OK"
    assert archive.archive.counts()["noarksak"] == 1


def test_drop_after_commit_closes_without_an_answer_after_storing(
    archive: ArchiveMock, http: requests.Session
) -> None:
    archive.inject("drop-after-commit", operation="PutNoarksak")
    with pytest.raises(requests.ConnectionError, match="without response"):
        post(http, archive.url, put_sak())
    assert archive.archive.counts()["noarksak"] == 1
    found = post(http, archive.url, get_sak())
    assert status(found.content)[0] == "OK" and texts(found.content, "saId") == ["1"]


def test_delay_after_commit_holds_a_committed_answer(
    archive: ArchiveMock, http: requests.Session
) -> None:
    archive.inject("delay-after-commit", operation="PutNoarksak", seconds=0.6)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        post(http, archive.url, put_sak(), timeout=0.2)
    # Committed before the delay: the client that gave up can already find it.
    assert time.monotonic() - started < 0.55
    found = post(http, archive.url, get_sak())
    assert texts(found.content, "saId") == ["1"]
    # Once the fault is spent a patient client gets its answer at once.
    archive.inject("delay-after-commit", operation="PutNoarksak", seconds=0.3)
    started = time.monotonic()
    answer = post(http, archive.url, put_sak())
    assert 0.3 <= time.monotonic() - started < 2
    assert status(answer.content)[0] == "OK" and texts(answer.content, "saId") == ["1"]


def test_a_delivery_dropped_after_commit_is_resent_without_a_duplicate(
    archive: ArchiveMock, http: requests.Session
) -> None:
    """The point for client conformance: the entry is stored, and the engine's resend with the
    same external key is recognised as the same entry."""
    assert status(post(http, archive.url, put_sak()).content)[0] == "OK"
    archive.inject("drop-after-commit", operation="PutJournpost")
    with pytest.raises(requests.ConnectionError):
        post(http, archive.url, put_jp())
    found = post(http, archive.url, get_jp())
    assert status(found.content)[0] == "OK"
    [jp_id] = texts(found.content, "jpId")
    resent = post(http, archive.url, put_jp())
    assert status(resent.content)[0] == "OK"
    assert texts(resent.content, "jpId") == [jp_id]
    assert archive.archive.counts()["journpost"] == 1
    assert archive.archive.counts()["noarksak"] == 1


# ---------------------------------------------------------------- which requests a fault hits


def test_times_and_operation_decide_which_requests_are_hit(
    archive: ArchiveMock, http: requests.Session
) -> None:
    fault_id = archive.inject("http-500", operation="PutNoarksak", times=2)
    assert post(http, archive.url, get_sak()).status_code == 200  # another operation
    assert post(http, archive.url, put_sak()).status_code == 500
    # A request the archive refuses for what it is uses up no fault.
    assert post(http, archive.url, b"<not-soap/>").status_code == 500
    assert post(http, archive.url, put_sak()).status_code == 500
    assert post(http, archive.url, put_sak()).status_code == 200
    [fault] = archive.faults()
    assert (fault.id, fault.times, fault.remaining) == (fault_id, 2, 0)


def test_a_fault_without_operation_hits_any(archive: ArchiveMock, http: requests.Session) -> None:
    archive.inject("http-500", times=2)
    assert post(http, archive.url, get_sak()).status_code == 500
    assert post(http, archive.url, put_sak()).status_code == 500
    assert post(http, archive.url, get_sak()).status_code == 200


def test_the_oldest_matching_fault_acts_first(archive: ArchiveMock, http: requests.Session) -> None:
    archive.inject("http-500", operation="PutNoarksak")
    archive.inject("error-status", operation="PutNoarksak")
    assert post(http, archive.url, put_sak()).status_code == 500
    assert status(post(http, archive.url, put_sak()).content) == ("ERROR", ["INTERNAL_ERROR"])
    assert status(post(http, archive.url, put_sak()).content)[0] == "OK"


def test_the_wsdl_and_the_admin_side_are_never_hit(
    archive: ArchiveMock, http: requests.Session
) -> None:
    archive.inject("drop-before-commit")
    assert http.get(archive.wsdl_url, timeout=10).status_code == 200
    assert http.get(f"{archive.base_url}/__admin/state", timeout=10).status_code == 200
    assert [f.remaining for f in archive.faults()] == [1]


def test_claims_are_atomic_across_stores(tmp_path: Path) -> None:
    """Workers are processes with a store each; here, threads with a store each over one file:
    of 80 claims on a fault of 7 hits exactly 7 succeed."""
    url = f"sqlite:///{tmp_path / 'faults.db'}"
    stores = [Store(url) for _ in range(4)]
    target = SoapEndpointLike()
    faults = [Faults(store, {"/noark4ws": target}) for store in stores]
    fault = faults[0].inject("http-500", times=7)
    barrier = threading.Barrier(8)

    def claims(index: int) -> int:
        barrier.wait()
        mine = faults[index % 4]
        return sum(mine.claim("/noark4ws", "PutJournpost") is not None for _ in range(10))

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        taken = sum(pool.map(claims, range(8)))
    assert taken == 7
    [left] = faults[3].list()
    assert (left.id, left.remaining) == (fault.id, 0)
    for store in stores:
        store.dispose()


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[tuple[Faults, Faults]]:
    """The faults of two workers over one file store: (the admin side's, a worker's)."""
    url = f"sqlite:///{tmp_path / 'faults.db'}"
    stores = [Store(url), Store(url)]
    yield (
        Faults(stores[0], {"/noark4ws": SoapEndpointLike()}),
        Faults(stores[1], {"/noark4ws": SoapEndpointLike()}),
    )
    for store in stores:
        store.dispose()


def test_a_worker_that_found_no_fault_sees_the_next_one_injected(
    two_processes: tuple[Faults, Faults],
) -> None:
    """A worker remembers that no fault was live until another injects one (``Notice``)."""
    admin_side, worker = two_processes
    asked = []
    real = worker.store.any_row
    worker.store.any_row = lambda sql: asked.append(sql) or real(sql)  # type: ignore[method-assign]
    assert worker.claim("/noark4ws", "PutJournpost") is None
    assert worker.claim("/noark4ws", "PutJournpost") is None
    assert len(asked) == 1  # the second claim did not ask the store
    fault = admin_side.inject("http-500")
    taken = worker.claim("/noark4ws", "PutJournpost")
    assert taken is not None and taken.id == fault.id
    assert worker.claim("/noark4ws", "PutJournpost") is None  # spent


def test_a_worker_that_looks_while_a_fault_is_committed_sees_it_after(
    two_processes: tuple[Faults, Faults], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the second notice is for: a worker looks after the first notice and before the
    commit, finds no fault, and must not keep that answer."""
    admin_side, worker = two_processes
    give = Notice.give
    looked: list[Any] = []

    def give_then_look(self: Notice) -> None:
        give(self)
        if not looked:  # the first notice, inside the injection's transaction
            looked.append(worker.claim("/noark4ws", "PutJournpost"))

    monkeypatch.setattr(Notice, "give", give_then_look)
    fault = admin_side.inject("http-500")
    assert looked == [None]  # not committed yet when the worker looked
    taken = worker.claim("/noark4ws", "PutJournpost")
    assert taken is not None and taken.id == fault.id


def test_a_fault_whose_notice_cannot_be_given_is_not_injected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'faults.db'}")
    faults = Faults(store, {"/noark4ws": SoapEndpointLike()})

    def full_disk(self: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tpn.mocks.core.notice.Notice.give", full_disk)
    with pytest.raises(OSError):
        faults.inject("http-500")
    assert faults.list() == []  # rather than a fault other workers would never see
    store.dispose()


def test_a_notice_failing_after_the_commit_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'faults.db'}")
    faults = Faults(store, {"/noark4ws": SoapEndpointLike()})
    give = Notice.give
    given: list[int] = []

    def second_fails(self: Notice) -> None:
        given.append(1)
        if len(given) == 2:
            raise OSError(28, "No space left on device")
        give(self)

    monkeypatch.setattr(Notice, "give", second_fails)
    fault = faults.inject("http-500")  # committed: the client is told it is injected
    assert [f.id for f in faults.list()] == [fault.id]
    assert f"fault {fault.id} is injected, but other workers and threads may not" in caplog.text
    store.dispose()


def test_a_removed_notice_tells_nothing(
    two_processes: tuple[Faults, Faults], tmp_path: Path
) -> None:
    """The notice's file removed (a tidy of the store's folder) after a worker found no fault:
    the worker asks the store again, rather than trusting a file that is gone."""
    admin_side, worker = two_processes
    notice = tmp_path / "faults.db-faults"
    os.remove(notice)  # gone before the worker first looks, too
    assert worker.claim("/noark4ws", "PutJournpost") is None
    fault = admin_side.inject("http-500")  # makes the file again
    os.remove(notice)
    taken = worker.claim("/noark4ws", "PutJournpost")
    assert taken is not None and taken.id == fault.id


def test_a_memory_store_asks_every_time() -> None:
    store = Store("sqlite://")
    faults = Faults(store, {"/noark4ws": SoapEndpointLike()})
    assert faults.claim("/noark4ws", "PutJournpost") is None
    faults.inject("http-500")
    assert faults.claim("/noark4ws", "PutJournpost") is not None
    store.dispose()


class SoapEndpointLike:
    """A fault target with the archive's operations (FaultTarget, without an endpoint)."""

    fault_operations = tuple(OPERATIONS)
    fault_kinds = frozenset(KINDS)
    point: Any = None

    def use_faults(self, point: Any) -> None:
        self.point = point


# ---------------------------------------------------------------- the admin side


def admin(http: requests.Session, archive: ArchiveMock, method: str, path: str = "", **kw: Any):
    return http.request(method, f"{archive.base_url}/__admin/faults{path}", timeout=10, **kw)


def test_admin_injects_lists_and_forgets(archive: ArchiveMock, http: requests.Session) -> None:
    made = admin(
        http, archive, "POST", json={"kind": "drop-after-commit", "operation": "PutJournpost"}
    )
    assert made.status_code == 201, made.text
    first = made.json()
    assert first["kind"] == "drop-after-commit" and first["remaining"] == 1
    assert first["path"] == "/noark4ws" and first["seconds"] is None
    assert first["does"] == (
        "the next PutJournpost request to /noark4ws: handled and committed, then the connection "
        "is closed without an answer"
    )
    delay = {"kind": "delay-after-commit", "times": 3, "seconds": 1.5}
    second = admin(http, archive, "POST", json=delay).json()
    assert second["does"] == (
        "the next 3 requests to /noark4ws: handled and committed, then its answer is held 1.5 s "
        "before it is sent"
    )
    listed = admin(http, archive, "GET").json()
    assert [(f["id"], f["remaining"]) for f in listed] == [(first["id"], 1), (second["id"], 3)]
    gone = admin(http, archive, "DELETE", f"/{first['id']}")
    assert gone.status_code == 200 and gone.json() == {"removed": first["id"]}
    again = admin(http, archive, "DELETE", f"/{first['id']}")
    assert again.status_code == 404
    assert again.json() == {"error": f"no fault {first['id']} (GET /__admin/faults lists them)"}
    assert admin(http, archive, "DELETE").json() == {"cleared": 1}
    assert admin(http, archive, "GET").json() == []


NOT_A_NUMBER = "must be a number over 0 and at most 300 for delay-after-commit"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"kind": "explode"}, "\"kind\" must be one of " + ", ".join(KINDS) + "; got 'explode'"),
        ({"kind": 5}, "\"kind\" must be one of " + ", ".join(KINDS) + "; got 5"),
        ({}, '"kind" is required; the body is like {"kind": "drop-after-commit", '
         '"operation": "PutJournpost", "times": 1}'),
        ([1], 'the body must be a JSON object like {"kind": "drop-after-commit", '
         '"operation": "PutJournpost", "times": 1}'),
        ({"kind": "http-500", "when": "now"},
         "unknown field 'when'; the fields are kind, path, operation, times, seconds"),
        ({"kind": "http-500", "path": "/minside"},
         "\"path\" must be one of /noark4ws; got '/minside'"),
        ({"kind": "http-500", "operation": "DeleteNoarksak"},
         '"operation" must be null (any) or one of GetNoarksak, PutNoarksak, GetJournpost, '
         "PutJournpost; got 'DeleteNoarksak'"),
        ({"kind": "http-500", "operation": ["PutJournpost"]},
         '"operation" must be null (any) or one of GetNoarksak, PutNoarksak, GetJournpost, '
         "PutJournpost; got ['PutJournpost']"),
        ({"kind": "http-500", "times": 0}, '"times" must be a whole number from 1 to 1000000; got 0'),
        ({"kind": "http-500", "times": -2}, '"times" must be a whole number from 1 to 1000000; got -2'),
        ({"kind": "http-500", "times": "2"}, "\"times\" must be a whole number from 1 to 1000000; got '2'"),
        ({"kind": "http-500", "times": True}, '"times" must be a whole number from 1 to 1000000; got True'),
        ({"kind": "http-500", "times": 1.0}, '"times" must be a whole number from 1 to 1000000; got 1.0'),
        ({"kind": "http-500", "times": 10**30},
         '"times" must be a whole number from 1 to 1000000; got 1000000000000000000000000000000'),
        ({"kind": "delay-after-commit"}, f'"seconds" {NOT_A_NUMBER}; got None'),
        ({"kind": "delay-after-commit", "seconds": 0}, f'"seconds" {NOT_A_NUMBER}; got 0'),
        ({"kind": "delay-after-commit", "seconds": -1}, f'"seconds" {NOT_A_NUMBER}; got -1'),
        ({"kind": "delay-after-commit", "seconds": 300.5}, f'"seconds" {NOT_A_NUMBER}; got 300.5'),
        ({"kind": "delay-after-commit", "seconds": "1"}, f"\"seconds\" {NOT_A_NUMBER}; got '1'"),
        ({"kind": "delay-after-commit", "seconds": True}, f'"seconds" {NOT_A_NUMBER}; got True'),
        ({"kind": "http-500", "seconds": 1}, '"seconds" is for delay-after-commit only, not http-500'),
    ],
)  # fmt: skip
def test_admin_refuses_a_bad_fault_saying_why(
    archive: ArchiveMock, http: requests.Session, body: Any, error: str
) -> None:
    answer = admin(http, archive, "POST", json=body)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json() == {"error": error}
    assert archive.faults() == []


def test_admin_refuses_nan_and_what_is_not_json(
    archive: ArchiveMock, http: requests.Session
) -> None:
    nan = admin(http, archive, "POST", data=b'{"kind": "delay-after-commit", "seconds": NaN}')
    assert nan.status_code == 400 and nan.json()["error"] == f'"seconds" {NOT_A_NUMBER}; got nan'
    broken = admin(http, archive, "POST", data=b'{"kind": ')
    assert broken.status_code == 400 and broken.json()["error"].startswith("the body is not JSON")
    big = admin(http, archive, "POST", data=b" " * (64 * 1024 + 1))
    assert big.status_code == 413
    assert archive.faults() == []


def test_admin_fault_routes_by_id(archive: ArchiveMock, http: requests.Session) -> None:
    bad = admin(http, archive, "DELETE", "/first")
    assert bad.status_code == 404
    assert bad.json() == {"error": "a fault's id is a whole number; got 'first'"}
    assert admin(http, archive, "DELETE", "/99999999999999999999").status_code == 404
    other = admin(http, archive, "GET", "/1")
    assert other.status_code == 404 and "DELETE /__admin/faults" in other.json()["error"]


def test_reset_clears_the_faults(archive: ArchiveMock, http: requests.Session) -> None:
    archive.inject("http-500", times=5)
    assert http.post(f"{archive.base_url}/__admin/reset", timeout=10).status_code == 200
    assert archive.faults() == []
    assert post(http, archive.url, put_sak()).status_code == 200


def test_an_endpoint_without_error_answers_cannot_take_error_status() -> None:
    endpoint = SoapEndpoint(
        name="Plain",
        namespace=NS,
        operations=OPERATIONS,
        handler=SoapEndpointLike(),  # type: ignore[arg-type]
    )
    assert "error-status" not in endpoint.fault_kinds
    faults = Faults(Store(), {"/plain": endpoint})
    with pytest.raises(FaultError, match="/plain cannot act out error-status; it takes "):
        faults.inject("error-status")
    assert faults.inject("http-500").path == "/plain"


def test_too_many_faults_are_refused(archive: ArchiveMock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tpn.mocks.core.faults.MAX_FAULTS", 2)
    archive.inject("http-500")
    archive.inject("http-500")
    with pytest.raises(FaultError, match="2 faults are held, the most there may be"):
        archive.inject("http-500")


# ---------------------------------------------------------------- the journal


def test_the_journal_says_which_fault_acted(archive: ArchiveMock, http: requests.Session) -> None:
    post(http, archive.url, put_sak())
    after = archive.inject("drop-after-commit", operation="PutNoarksak")
    before = archive.inject("drop-before-commit", operation="PutNoarksak")
    error = archive.inject("error-status", operation="PutNoarksak")
    for _ in range(3):
        with contextlib.suppress(requests.ConnectionError):
            post(http, archive.url, put_sak())
    plain, dropped_after, dropped_before, errored = archive.journal(operation="PutNoarksak")
    assert (plain.fault_id, plain.fault_kind, plain.http_status) == (None, None, 200)
    assert (dropped_after.fault_id, dropped_after.fault_kind) == (after, "drop-after-commit")
    assert (dropped_after.http_status, dropped_after.outcome) == (0, "dropped")
    assert b"PutNoarksakResponse" in dropped_after.response  # the answer that was not sent
    assert (dropped_before.fault_id, dropped_before.outcome) == (before, "dropped")
    assert dropped_before.response == b""
    assert (errored.fault_kind, errored.http_status, errored.outcome) == (
        "error-status", 200, "error"
    )  # fmt: skip
    page = http.get(f"{archive.base_url}/__admin/journal", timeout=10).json()
    assert [e["fault"] for e in page] == [
        None,
        {"id": after, "kind": "drop-after-commit"},
        {"id": before, "kind": "drop-before-commit"},
        {"id": error, "kind": "error-status"},
    ]


def test_a_store_made_before_faults_gains_the_journal_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE tpn_journal (id INTEGER PRIMARY KEY, at FLOAT NOT NULL, service "
            "VARCHAR(64) NOT NULL, operation VARCHAR(128) NOT NULL, http_status INTEGER NOT NULL,"
            " outcome VARCHAR(64) NOT NULL, validation TEXT NOT NULL, duration_ms FLOAT NOT NULL,"
            " request BLOB NOT NULL, request_size INTEGER NOT NULL, request_sha256 VARCHAR(64) "
            "NOT NULL, response BLOB NOT NULL, response_size INTEGER NOT NULL)"
        )
        db.execute(
            "INSERT INTO tpn_journal VALUES (7, 1.0, 'Noark4WS', 'GetNoarksak', 200, 'ok', "
            "'valid', 1.0, x'', 0, '', x'', 0)"
        )
    from tpn.mocks.core.journal import Journal

    store = Store(f"sqlite:///{path}")
    [old] = Journal(store).entries()
    assert (old.id, old.fault_id, old.to_json()["fault"]) == (7, None, None)
    Store(f"sqlite:///{path}").dispose()  # opening it again changes nothing
    store.dispose()


# ---------------------------------------------------------------- the Python API


def test_python_api(archive: ArchiveMock) -> None:
    first = archive.inject("drop-after-commit", operation="PutJournpost", times=2)
    second = archive.inject("delay-after-commit", seconds=0.25)
    assert [(f.id, f.kind, f.operation, f.remaining, f.seconds) for f in archive.faults()] == [
        (first, "drop-after-commit", "PutJournpost", 2, None),
        (second, "delay-after-commit", None, 1, 0.25),
    ]
    with pytest.raises(ValueError, match='"times" must be a whole number from 1 to 1000000'):
        archive.inject("http-500", times=0)
    archive.clear_faults()
    assert archive.faults() == []


def test_faults_need_a_started_server() -> None:
    with pytest.raises(RuntimeError, match="the server is not started"):
        ArchiveMock().inject("http-500")


def test_composed_mocks_take_faults_at_their_soap_endpoints() -> None:
    """The archive, MinSide's three services and Enhetsregisteret are SOAP endpoints and take
    faults; the portal does not. Without a path a fault is the first one's, the archive's."""
    with ComposedMock() as mocks:
        assert mocks.parts.faults.paths == (
            "/noark4ws",
            "/minside/tjenestekatalog",
            "/minside/meldingsboks",
            "/minside/minesaker",
            "/enhetsregisteret",
        )
        fault_id = mocks.inject("http-500")
        answer = requests.post(
            mocks.base_url + "/noark4ws", data=put_sak(), headers=XML, timeout=10
        )
        assert answer.status_code == 500
        assert [f.id for f in mocks.faults()] == [fault_id]


def test_a_server_without_a_transport_cannot_drop() -> None:
    chosen = transport.of({})
    with pytest.raises(transport.TransportError, match="offers no way to drop a connection"):
        chosen.drop()
    started = time.monotonic()
    chosen.hold(0.05)
    assert time.monotonic() - started >= 0.05


# ---------------------------------------------------------------- through tpn serve


@pytest.mark.slow
@pytest.mark.parametrize("server_kind", ["granian", "gunicorn"])
def test_faults_through_tpn_serve(tmp_path: Path, server_kind: str) -> None:
    """One worker, so that the delay is seen not to hold it; then the claims of two workers."""
    served = Served(tmp_path / "db.sqlite3", workers=1, server=server_kind)
    try:
        served.start()
        http = served.http
        faults_url = f"{served.base_url}/__admin/faults"
        post(http, served.url, put_sak())

        made = http.post(
            faults_url, json={"kind": "drop-after-commit", "operation": "PutJournpost"}
        )
        assert made.status_code == 201, made.text
        with pytest.raises(requests.ConnectionError, match="without response"):
            post(http, served.url, put_jp())
        [jp_id] = texts(post(http, served.url, get_jp()).content, "jpId")
        assert texts(post(http, served.url, put_jp()).content, "jpId") == [jp_id]

        http.post(faults_url, json={"kind": "drop-before-commit", "operation": "PutJournpost"})
        with pytest.raises(requests.ConnectionError, match="without response"):
            post(http, served.url, put_jp(key="jp-2"))
        assert status(post(http, served.url, get_jp("jp-2")).content) == ("ERROR", ["NOT_FOUND"])

        # The delay is awaited by the front: the one worker answers others meanwhile.
        delay = {"kind": "delay-after-commit", "operation": "PutNoarksak", "seconds": 1.5}
        assert http.post(faults_url, json=delay).status_code == 201
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            started = time.monotonic()
            slow = pool.submit(post, requests.Session(), served.url, put_sak("sak-2"))
            time.sleep(0.3)
            quick = post(http, served.url, get_sak())
            quick_at = time.monotonic() - started
            assert quick.status_code == 200 and quick_at < 1.2, quick_at
            answer = slow.result(timeout=10)
            assert time.monotonic() - started >= 1.5
            assert status(answer.content)[0] == "OK"

        journal = http.get(f"{served.base_url}/__admin/journal?operation=PutJournpost").json()
        assert [
            (e["http_status"], e["outcome"], (e["fault"] or {}).get("kind")) for e in journal
        ] == [
            (0, "dropped", "drop-after-commit"),
            (200, "ok", None),
            (0, "dropped", "drop-before-commit"),
        ]
    finally:
        problems = served.stop()
    assert not problems, f"{problems}\n{served.output()}"
    assert "Traceback" not in served.output(), served.output()


@pytest.mark.slow
def test_two_workers_never_both_take_the_last_hit(tmp_path: Path) -> None:
    served = Served(tmp_path / "db.sqlite3", workers=2)
    try:
        served.start()
        made = served.http.post(
            f"{served.base_url}/__admin/faults", json={"kind": "http-500", "times": 5}
        )
        assert made.status_code == 201

        def one(_: int) -> int:
            with requests.Session() as session:
                session.trust_env = False
                return post(session, served.url, get_sak()).status_code

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(one, range(40)))
        assert codes.count(500) == 5 and codes.count(200) == 35
        listed = served.http.get(f"{served.base_url}/__admin/faults").json()
        assert [f["remaining"] for f in listed] == [0]
        served.http.post(f"{served.base_url}/__admin/reset")
        assert served.http.get(f"{served.base_url}/__admin/faults").json() == []
    finally:
        problems = served.stop()
    assert not problems, f"{problems}\n{served.output()}"


def test_fault_json_round_trips(archive: ArchiveMock) -> None:
    archive.inject("delay-after-commit", seconds=2)
    [fault] = archive.faults()
    assert json.loads(json.dumps(fault.to_json()))["seconds"] == 2.0
