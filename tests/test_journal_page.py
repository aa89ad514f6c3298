"""The journal page (``/__admin/view/journal``), called as WSGI: behind the admin side's gate,
its filters and paging done in SQL, hostile parameters refused by name with a 400 page, hostile
journal content shown as text, and what is in force (clock, faults, defects, personas) shown."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from tpn.mocks.compose import compose
from tpn.mocks.core.config import MockConfig
from tpn.mocks.core.parts import Assembly
from tpn.mocks.noark4ws import defects

PAGE = "/__admin/view/journal"
AUTH = ("tester", "hemmelig")
T0 = dt.datetime(2026, 12, 5, 10, 0).timestamp()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def ids(self) -> list[int]:
        """The exchanges the list shows, in its order."""
        found = re.findall(r'<th scope="row"><a href="[^"?]+/(\d+)(?:\?[^"]*)?">', self.text)
        return [int(i) for i in found]

    def link(self, words: str) -> str | None:
        found = re.search(rf'<a href="([^"]+)">{words}</a>', self.text)
        return None if found is None else found.group(1).replace("&amp;", "&")


def call(
    mocks: Assembly,
    path: str,
    query: str = "",
    *,
    method: str = "GET",
    auth: tuple[str, str] | None = AUTH,
    body: bytes = b"",
) -> Answer:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "text/xml; charset=utf-8",
        "wsgi.input": io.BytesIO(body),
    }
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        environ["HTTP_AUTHORIZATION"] = f"Basic {token}"
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    data = b"".join(mocks.app(environ, start_response))
    return Answer(seen["status"], seen["headers"], data)


def follow(mocks: Assembly, href: str) -> Answer:
    path, _, query = href.partition("?")
    return call(mocks, path, query)


@pytest.fixture
def mocks() -> Iterator[Assembly]:
    assembly = compose(MockConfig(auth=AUTH))
    yield assembly
    assembly.store.engine.dispose()


def record(mocks: Assembly, n: int, **fields: Any) -> None:
    values: dict[str, Any] = {
        "service": "Noark4WS",
        "operation": "GetNoarksak",
        "http_status": 200,
        "outcome": "ok",
        "validation": "valid",
        "started": T0 + n * 60,
        "request": b"<r/>",
        "response": b"<a/>",
    } | fields
    mocks.journal.record(**values)


def seed(mocks: Assembly) -> None:
    """30 exchanges a minute apart from T0 (ids 1..30): every third a PutNoarksak, every fifth
    refused (500, a fault code) from the portal, the even ones with a MinSide key."""
    for n in range(30):
        put = n % 3 == 0
        refused = n % 5 == 0
        record(
            mocks,
            n,
            service="sikkerhetsportal" if refused else "Noark4WS",
            operation="PutNoarksak" if put else "GetNoarksak",
            http_status=500 if refused else 200,
            outcome="Client" if refused else "ok",
            key=f"oslo-bhg-{n:04d}" if n % 2 == 0 else None,
        )


# ---------------------------------------------------------------- the gate


def test_the_page_is_behind_the_admin_sides_authentication(mocks: Assembly) -> None:
    record(mocks, 0)
    for path in (PAGE, f"{PAGE}/1", "/__admin/view"):
        for auth in (None, ("tester", "feil"), ("", "")):
            refused = call(mocks, path, auth=auth)
            assert refused.status == 401, (path, auth)
            assert refused.headers["WWW-Authenticate"].startswith("Basic")
            assert b"Journal" not in refused.body and b"GetNoarksak" not in refused.body
        assert call(mocks, path).status == 200, path


def test_without_credentials_configured_the_page_is_as_open_as_the_admin_side() -> None:
    assembly = compose(MockConfig())
    try:
        assert call(assembly, PAGE, auth=None).status == 200
        assert call(assembly, "/__admin/state", auth=None).status == 200
    finally:
        assembly.store.engine.dispose()


# ---------------------------------------------------------------- the list and its filters


def test_the_list_shows_every_exchange_newest_first(mocks: Assembly) -> None:
    seed(mocks)
    page = call(mocks, PAGE)
    assert page.status == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.ids() == list(range(30, 0, -1))
    assert "30 exchanges in the journal; newest first." in page.text
    assert '<html lang="en">' in page.text and '<a class="skip" href="#main">' in page.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("operation=PutNoarksak", [n + 1 for n in range(30) if n % 3 == 0]),
        ("service=sikkerhetsportal", [n + 1 for n in range(30) if n % 5 == 0]),
        ("status=500", [n + 1 for n in range(30) if n % 5 == 0]),
        ("status=200&outcome=ok", [n + 1 for n in range(30) if n % 5]),
        ("outcome=Client&operation=PutNoarksak", [1, 16]),
        ("key=oslo-bhg-0004", [5]),
        ("key=+oslo-bhg-0004+", [5]),  # a pasted key's spaces do not matter
        ("from=2026-12-05T10:10&to=2026-12-05T10:13", [11, 12, 13]),
        ("from=2026-12-05T10:28:00", [29, 30]),
        ("to=2026-12-05T10:01", [1]),
        ("operation=PutNoarksak&from=2026-12-05T10:05&to=2026-12-05T10:20", [7, 10, 13, 16, 19]),
        ("operation=Nothing", []),
        # As the form sends it: every field, the ones left blank empty.
        (
            "service=&operation=GetNoarksak&status=&outcome=&from=&to=&key=oslo-bhg-0002&limit=50",
            [3],
        ),
    ],
)
def test_each_filter_chooses_its_exchanges(
    mocks: Assembly, query: str, expected: list[int]
) -> None:
    seed(mocks)
    page = call(mocks, PAGE, query)
    assert page.status == 200, page.text
    assert page.ids() == sorted(expected, reverse=True)
    if expected:
        assert f"{len(expected)} exchange" in page.text and "match the filters, of 30" in page.text
    else:
        assert "No exchange matches the filters." in page.text
    assert '<a href="/__admin/view/journal">Clear the filters</a>' in page.text


def test_the_form_shows_the_choices_in_the_journal_and_keeps_the_chosen(mocks: Assembly) -> None:
    seed(mocks)
    page = call(mocks, PAGE, "operation=PutNoarksak&status=500&key=oslo-bhg-0000").text
    for name, label in [
        ("service", "Service"),
        ("operation", "Operation"),
        ("status", "HTTP status"),
        ("outcome", "Outcome"),
        ("from", "From (local time)"),
        ("to", "To (local time)"),
        ("key", "External key"),
        ("limit", "Per page"),
    ]:
        assert f'<label for="f-{name}">{label}</label>' in page
        assert f'id="f-{name}" name="{name}"' in page
    assert '<option value="PutNoarksak" selected>' in page
    assert '<option value="GetNoarksak">' in page
    assert '<option value="500" selected>' in page
    assert '<option value="sikkerhetsportal">' in page
    assert 'name="key" maxlength="200" value="oslo-bhg-0000"' in page


def test_paging_walks_back_through_every_exchange_once(mocks: Assembly) -> None:
    seed(mocks)
    seen: list[int] = []
    page = call(mocks, PAGE, "operation=GetNoarksak&limit=7")
    while True:
        seen += page.ids()
        assert len(page.ids()) <= 7
        older = page.link("Older exchanges")
        if older is None:
            break
        assert "operation=GetNoarksak" in older and "limit=7" in older
        page = follow(mocks, older)
        assert page.link("Newest exchanges") == f"{PAGE}?operation=GetNoarksak&limit=7"
    assert seen == [n + 1 for n in reversed(range(30)) if n % 3]
    # An exchange recorded meanwhile does not move the older pages (they are keyed by id).
    record(mocks, 99)
    assert follow(mocks, f"{PAGE}?before=10&limit=3").ids() == [9, 8, 7]


def test_filters_and_paging_are_sql_and_a_list_reads_no_bodies(mocks: Assembly) -> None:
    seed(mocks)
    for n in range(200):  # bodies a list has no use for
        record(mocks, 100 + n, request=b"x" * 100_000)
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((" ".join(statement.split()), parameters))

    event.listen(mocks.store.engine, "before_cursor_execute", seen)
    try:
        page = call(mocks, PAGE, "operation=PutNoarksak&status=200&from=2026-12-05T10:02&limit=3")
    finally:
        event.remove(mocks.store.engine, "before_cursor_execute", seen)
    assert page.ids() == [28, 25, 22]
    [(listing, parameters)] = [(s, p) for s, p in statements if "ORDER BY tpn_journal.id DESC" in s]
    assert "tpn_journal.operation = ?" in listing and "tpn_journal.http_status = ?" in listing
    assert "tpn_journal.at >= ?" in listing and "LIMIT ?" in listing
    assert "tpn_journal.request," not in listing and "tpn_journal.response," not in listing
    assert ("PutNoarksak" in parameters) and (200 in parameters) and (4 in parameters)
    counts = [s for s, _ in statements if s.startswith("SELECT count(*)")]
    assert counts and all("WHERE" in s for s in counts[:1])


def test_a_thousand_exchanges_render_quickly(mocks: Assembly) -> None:
    for n in range(1000):
        record(mocks, n, request=b"<r>" + b"x" * 2000 + b"</r>")
    started = time.perf_counter()
    page = call(mocks, PAGE, "limit=200")
    took = time.perf_counter() - started
    assert len(page.ids()) == 200 and took < 2.0, took


# ---------------------------------------------------------------- one exchange


def test_an_exchange_shows_its_facts_and_its_messages_indented(mocks: Assembly) -> None:
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:n4="http://www.arkivverket.no/Noark4-1-WS-WD/types"><soapenv:Body>'
        "<n4:PutNoarksakRequest><n4:noarksak><n4:saTittel>Byggesøknad, Storgata 1</n4:saTittel>"
        "</n4:noarksak></n4:PutNoarksakRequest></soapenv:Body></soapenv:Envelope>"
    ).encode()
    answer = call(mocks, "/noark4ws", method="POST", body=envelope)
    assert answer.status == 200
    [listed] = call(mocks, PAGE).ids()
    page = call(mocks, f"{PAGE}/{listed}")
    assert page.status == 200
    text = page.text
    assert "<h1>Exchange 1: Noark4WS PutNoarksak</h1>" in text
    assert "<dt>HTTP status</dt><dd>200</dd>" in text and "<dt>Outcome</dt><dd>ok</dd>" in text
    assert hashlib.sha256(envelope).hexdigest() in text
    assert '<h2 id="request">Request</h2>' in text and '<h2 id="answer">Answer</h2>' in text
    # Indented and highlighted, the request's element on a line of its own.
    assert '\n<span class="w">    </span><span class="nt">&lt;n4:PutNoarksakRequest&gt;' in text
    shown = html.unescape(re.sub(r"<[^>]+>", "", text))  # what a person reads
    assert "\n        <n4:saTittel>Byggesøknad, Storgata 1</n4:saTittel>\n" in shown
    assert "\n    <tns:PutNoarksakResponse>\n" in shown


def test_the_way_back_from_an_exchange_keeps_the_lists_filters_and_page(
    mocks: Assembly,
) -> None:
    """Filtered, one page back, an exchange opened: its link back returns to the same list,
    filters and page, not to the whole journal's first page."""
    seed(mocks)
    first = call(mocks, PAGE, "operation=GetNoarksak&limit=5")
    older = first.link("Older exchanges")
    assert older is not None
    listed = follow(mocks, older)
    opened = re.search(r'<th scope="row"><a href="([^"]+)">', listed.text)
    assert opened is not None
    exchange = follow(mocks, opened.group(1).replace("&amp;", "&"))
    assert exchange.status == 200 and "GetNoarksak</h1>" in exchange.text
    back = exchange.link("Back to the journal")
    assert back is not None and back == older
    assert follow(mocks, back).ids() == listed.ids()
    # Opened from the unfiltered list, the way back is the plain list.
    plain = call(mocks, PAGE)
    [(href, shown)] = re.findall(r'<th scope="row"><a href="([^"]+)">(\d+)</a>', plain.text)[:1]
    assert href == f"{PAGE}/{shown}"
    assert follow(mocks, href).link("Back to the journal") == PAGE


def test_an_exchange_opened_with_a_refused_query_says_which_parameter(mocks: Assembly) -> None:
    record(mocks, 0)
    page = call(mocks, f"{PAGE}/1", "status=abc")
    assert page.status == 400 and "The parameter “status” was refused" in page.text


def test_a_cut_body_says_how_much_the_journal_kept(mocks: Assembly) -> None:
    big = b"<r>" + b"x" * (mocks.journal.max_body + 10) + b"</r>"
    record(mocks, 0, request=big)
    text = call(mocks, f"{PAGE}/1").text
    kept = f"{mocks.journal.max_body:,}"
    assert f"The journal kept the first {kept} of its {len(big):,} bytes." in text
    assert "shown as it came" in text


def test_an_unknown_exchange_or_page_is_a_404_page(mocks: Assembly) -> None:
    paths = (
        f"{PAGE}/7",
        f"{PAGE}/0",
        f"{PAGE}/9999999999999999999",  # over a 64-bit id: no exchange, not an overflow
        f"{PAGE}/99999999999999999999",
        f"{PAGE}/x",
        f"{PAGE}/1/2",
        "/__admin/view/nope",
    )
    for path in paths:
        page = call(mocks, path)
        assert page.status == 404 and page.headers["Content-Type"].startswith("text/html")
        assert "<h1>Not found</h1>" in page.text, path
    assert "no exchange 7 in the journal" in call(mocks, f"{PAGE}/7").text


def test_a_failure_of_the_page_is_a_500_page_with_an_incident(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reported: list[BaseException] = []
    assembly = compose(MockConfig(auth=AUTH), on_error=reported.append)
    secret = "SELECT secret FROM somewhere"

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(secret)

    monkeypatch.setattr(assembly.journal, "newest", broken)
    try:
        page = call(assembly, PAGE)
    finally:
        assembly.store.engine.dispose()
    assert page.status == 500 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Internal error</h1>" in page.text and "incident" in page.text
    assert secret not in page.text and "Traceback" not in page.text
    assert [str(e) for e in reported] == [secret]


def test_only_get_and_head(mocks: Assembly) -> None:
    record(mocks, 0)
    refused = call(mocks, PAGE, method="POST")
    assert refused.status == 405 and refused.headers["Allow"] == "GET, HEAD"
    head = call(mocks, PAGE, method="HEAD")
    assert head.status == 200 and head.body == b"" and int(head.headers["Content-Length"]) > 0


# ---------------------------------------------------------------- hostile parameters


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("status=abc", "status"),
        ("status=1000", "status"),
        ("status=-1", "status"),
        ("status=%C2%B2", "status"),  # "²", a digit to str.isdigit()
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("before=0", "before"),
        ("before=99999999999999999999", "before"),
        ("from=yesterday", "from"),
        ("from=0001-01-01T00:00", "from"),
        ("to=2026-13-01T00:00", "to"),
        ("from=2026-12-05T11:00&to=2026-12-05T10:00", "to"),
        ("from=" + "2" * 500, "from"),
        ("key=" + "k" * 201, "key"),
        ("operation=" + "o" * 129, "operation"),
        ("service=%00", "service"),
        ("outcome=a%0Ab", "outcome"),
        ("key=%1B%5B31m", "key"),
        ("operation=%FF%FE", "operation"),
        ("operation=a&operation=b", "operation"),
        ("sort=id", "sort"),
        ("%3Cscript%3E=1", "<script>"),
        ("x" * 5000, "query"),
    ],
)
def test_a_hostile_parameter_gets_a_400_page_naming_it(
    mocks: Assembly, query: str, parameter: str
) -> None:
    record(mocks, 0)
    page = call(mocks, PAGE, query)
    assert page.status == 400, page.text[:300]
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    named = parameter.replace("<", "&lt;").replace(">", "&gt;")
    assert f"The parameter “{named}” was refused" in page.text
    assert "Traceback" not in page.text and "<script>" not in page.text
    assert len(page.body) < 20_000


# ---------------------------------------------------------------- hostile content


HOSTILE = "<script>alert('journal')</script>"


def test_hostile_journal_content_is_text_on_both_pages(mocks: Assembly) -> None:
    record(
        mocks,
        0,
        service=f"svc{HOSTILE}"[:64],
        operation=f'"><img src=x onerror=alert(1)>{HOSTILE}',
        outcome="<b>bad</b>",
        validation=HOSTILE,
        request=f"not xml {HOSTILE}".encode(),
        response=f'{{"a": "{HOSTILE}"}}'.encode(),
        key=HOSTILE,
    )
    for path in (PAGE, f"{PAGE}/1"):
        text = call(mocks, path).text
        assert "<script" not in text and "<img" not in text and "<b>" not in text, path
        assert "&lt;script&gt;alert(&#39;journal&#39;)&lt;/script&gt;" in text, path
    exchange = call(mocks, f"{PAGE}/1").text
    assert "not xml &lt;script&gt;" in exchange  # the request, shown as it came


def test_scripts_are_forbidden_and_the_inline_style_is_allowed_by_its_hash(
    mocks: Assembly,
) -> None:
    page = call(mocks, PAGE)
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    [style] = re.findall(r"<style>(.*?)</style>", page.text, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy
    assert "<script" not in page.text and " on" not in re.sub(r">[^<]*<", "><", page.text)
    assert page.headers["X-Content-Type-Options"] == "nosniff"


# ---------------------------------------------------------------- what is in force


def test_the_page_shows_the_clock_faults_defects_and_personas() -> None:
    defect = defects.names()[0]
    assembly = compose(MockConfig(auth=AUTH, defects=(defect,)))
    try:
        assembly.clock.set(dt.datetime(2026, 12, 31, 23, 59), frozen=True)
        assembly.faults.inject_json({"kind": "drop-after-commit", "operation": "PutJournpost"})
        text = call(assembly, PAGE).text
    finally:
        assembly.store.engine.dispose()
    assert "Test clock: <strong>2026-12-31T23:59:00</strong>, frozen." in text
    assert "<caption>Injected faults</caption>" in text
    assert "drop-after-commit</td><td>/noark4ws</td><td>PutJournpost</td>" in text
    summary = {d.name: d.summary for d in defects.catalogue()}[defect]
    assert f"<td>{defect}</td>" in text
    assert summary.replace("'", "&#39;").replace('"', "&#34;") in text
    assert "Personas to log in with" in text and "Bjørn Sæther" in text
    assert "17858400120" in text


def test_a_reference_archive_says_it_has_no_defects(mocks: Assembly) -> None:
    text = call(mocks, PAGE).text
    assert "None: the archive behaves as the reference." in text
    assert "Test clock: real time" in text and "Injected faults: none." in text


def test_the_admin_sides_404_lists_the_pages(mocks: Assembly) -> None:
    refused = call(mocks, "/__admin/nothing")
    assert refused.status == 404 and "GET /__admin/view/..." in refused.text


def test_a_store_made_before_the_journals_index_gains_it(tmp_path: Path) -> None:
    from sqlalchemy import inspect

    from tpn.mocks.core.store import Store

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    old = Store(url)
    with old.write() as conn:
        conn.exec_driver_sql("DROP INDEX tpn_journal_filters")
    assert "tpn_journal_filters" not in {
        i["name"] for i in inspect(old.engine).get_indexes("tpn_journal")
    }
    old.engine.dispose()
    again = Store(url)
    try:
        names = {i["name"] for i in inspect(again.engine).get_indexes("tpn_journal")}
        assert "tpn_journal_filters" in names
    finally:
        again.engine.dispose()
