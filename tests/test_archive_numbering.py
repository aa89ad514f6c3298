"""Numbering (spec, "Numbering"): saSeknr 1.. per year, jpSeknr unique and gap-free across the
archive per year, jpJpostnr 1..n per case; numbers and jpJdato sent by a client are replaced
with WARNING ``NUMBER_REPLACED``; year boundaries through the test clock; concurrent clients.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from n4ws_support import (
    N4,
    NOON,
    TODAY,
    expect_error,
    expect_ok,
    expect_warning,
    make_client,
)

from tpn.mocks.core.config import MockConfig
from tpn.mocks.noark4ws import ArchiveMock


def test_case_numbers_run_from_one_in_creation_order(n4: N4) -> None:
    saker = [n4.new_sak(f"Sak {i}") for i in range(1, 6)]
    assert [(s.saSaar, s.saSeknr) for s in saker] == [(TODAY.year, i) for i in range(1, 6)]
    assert len({s.saId for s in saker}) == 5


def test_journal_numbers_run_across_cases_and_entry_numbers_within_each(n4: N4) -> None:
    a, b, c = n4.new_sak("A"), n4.new_sak("B"), n4.new_sak("C")
    order = [a, b, a, c, a, b]
    made = [n4.new_jp(s, f"post {i}") for i, s in enumerate(order)]
    assert [j.jpSeknr for j in made] == [1, 2, 3, 4, 5, 6]
    assert [j.jpJpostnr for j in made] == [1, 1, 2, 1, 3, 2]
    assert all(j.jpJaar == TODAY.year and j.jpJdato == TODAY for j in made)
    assert [(j.jpSaar, j.jpSaseknr) for j in made] == [(s.saSaar, s.saSeknr) for s in order]


def test_refused_puts_consume_no_numbers(n4: N4) -> None:
    first = n4.new_sak()
    expect_error(n4.put_sak(saTittel=" "), "MISSING_FIELD")
    expect_error(n4.put_sak(saTittel="x", saStatus="Q"), "INVALID_CODE")
    assert n4.new_sak().saSeknr == first.saSeknr + 1
    j1 = n4.new_jp(first)
    expect_error(
        n4.put_jp(jpInnhold="x", jpSaar=first.saSaar, jpSaseknr=first.saSeknr, jpNdoktype="Q"),
        "INVALID_CODE",
    )
    expect_error(
        n4.put_jp(jpInnhold="x", jpSaar=first.saSaar, jpSaseknr=first.saSeknr, jpStatus="A"),
        "STATE_VIOLATION",
    )
    expect_error(
        n4.put_jp(
            jpInnhold="x",
            jpSaar=first.saSaar,
            jpSaseknr=first.saSeknr,
            dokument=[{"veFilnavn": " ", "veMimeType": "x"}],
        ),
        "MISSING_FIELD",
    )
    j2 = n4.new_jp(first)
    assert (j2.jpSeknr, j2.jpJpostnr) == (j1.jpSeknr + 1, j1.jpJpostnr + 1)


def test_updates_and_resends_consume_no_numbers(n4: N4) -> None:
    key = {"eksternSystem": "s", "nokkel": "k"}
    sak = n4.new_sak(saEksternNokkel=key)
    expect_ok(n4.put_sak(saTittel="Byggesak Storgata 1", saEksternNokkel=key))
    expect_ok(n4.put_sak(saId=sak.saId, saTittel="Endret"))
    jp = n4.new_jp(sak, jpEksternNokkel=key)
    expect_ok(n4.put_jp(jpInnhold=jp.jpInnhold, jpEksternNokkel=key, jpSaEksternNokkel=key))
    expect_ok(n4.update_jp(jp, jpInnhold="Endret"))
    assert n4.new_sak().saSeknr == 2
    nxt = n4.new_jp(sak)
    assert (nxt.jpSeknr, nxt.jpJpostnr) == (2, 2)


# ---------------------------------------------------------------- NUMBER_REPLACED


@pytest.mark.parametrize(
    "sent",
    [
        {"saSaar": 1999},
        {"saSeknr": 42},
        {"saSaar": TODAY.year, "saSeknr": 1},
        {"saSaar": 1999, "saSeknr": 42},
    ],
)
def test_case_numbers_sent_on_create_are_replaced(n4: N4, sent: dict[str, int]) -> None:
    resp = n4.put_sak(saTittel="Sak", **sent)
    text = expect_warning(resp, "NUMBER_REPLACED")
    for field in ("saSaar", "saSeknr"):
        assert (field in text) == (field in sent), text
    assert (resp.noarksak.saSaar, resp.noarksak.saSeknr) == (TODAY.year, 1)
    got = n4.sak(resp.noarksak.saId)
    assert (got.saSaar, got.saSeknr) == (TODAY.year, 1)


JP_NUMBERS: dict[str, Any] = {
    "jpJaar": 1999,
    "jpSeknr": 77,
    "jpJpostnr": 9,
    "jpJdato": dt.date(1999, 1, 2),
}


@pytest.mark.parametrize("fields", [[f] for f in JP_NUMBERS] + [list(JP_NUMBERS)])
def test_entry_numbers_sent_on_create_are_replaced(n4: N4, fields: list[str]) -> None:
    sak = n4.new_sak()
    resp = n4.put_jp(
        jpInnhold="Post",
        jpSaar=sak.saSaar,
        jpSaseknr=sak.saSeknr,
        **{f: JP_NUMBERS[f] for f in fields},
    )
    text = expect_warning(resp, "NUMBER_REPLACED")
    for f in JP_NUMBERS:
        assert (f in text) == (f in fields), text
    for jp in (resp.journpost, n4.jp(resp.journpost.jpId)):
        assert (jp.jpJaar, jp.jpSeknr, jp.jpJpostnr, jp.jpJdato) == (TODAY.year, 1, 1, TODAY)
        assert jp.jpDokdato == TODAY  # the default follows the archive's jpJdato, not the sent one


def test_numbers_sent_on_update_are_ignored(n4: N4) -> None:
    sak = n4.new_sak()
    jp = n4.new_jp(sak)
    # Equal to the stored numbers: no warning (profile decision).
    expect_ok(
        n4.put_sak(saId=sak.saId, saTittel=sak.saTittel, saSaar=sak.saSaar, saSeknr=sak.saSeknr)
    )
    expect_ok(
        n4.update_jp(
            jp, jpJaar=jp.jpJaar, jpSeknr=jp.jpSeknr, jpJpostnr=jp.jpJpostnr, jpJdato=jp.jpJdato
        )
    )
    # Different: a warning naming exactly the fields replaced; the rest of the update applies.
    text = expect_warning(
        n4.put_sak(saId=sak.saId, saTittel="Endret", saSaar=sak.saSaar, saSeknr=7),
        "NUMBER_REPLACED",
    )
    assert "saSeknr" in text and "saSaar" not in text
    text = expect_warning(
        n4.update_jp(
            jp, jpInnhold="Endret", jpSeknr=jp.jpSeknr, jpJpostnr=5, jpJdato=dt.date(2000, 1, 1)
        ),
        "NUMBER_REPLACED",
    )
    assert "jpJpostnr" in text and "jpJdato" in text and "jpSeknr" not in text
    got_sak, got_jp = n4.sak(sak.saId), n4.jp(jp.jpId)
    assert (got_sak.saTittel, got_sak.saSaar, got_sak.saSeknr) == ("Endret", TODAY.year, 1)
    assert (got_jp.jpInnhold, got_jp.jpJpostnr, got_jp.jpJdato) == ("Endret", 1, TODAY)


# ---------------------------------------------------------------- year boundary


def test_first_case_and_entry_of_a_new_year_get_number_one(n4: N4) -> None:
    n4.set_clock(dt.datetime(2030, 12, 31, 23, 59, 59))
    old = [n4.new_sak(f"Sak {i}") for i in range(3)]
    old_jps = [n4.new_jp(old[0]), n4.new_jp(old[1]), n4.new_jp(old[0])]
    assert [j.jpSeknr for j in old_jps] == [1, 2, 3]
    assert {(j.jpJaar, j.jpJdato) for j in old_jps} == {(2030, dt.date(2030, 12, 31))}

    n4.set_clock(dt.datetime(2031, 1, 1, 0, 0, 1))
    new = n4.new_sak("Nyttårssak")
    assert (new.saSaar, new.saSeknr, new.saDato) == (2031, 1, dt.date(2031, 1, 1))
    jp = n4.new_jp(old[0], "Første post i 2031")  # in a case of last year
    assert (jp.jpJaar, jp.jpSeknr, jp.jpJdato) == (2031, 1, dt.date(2031, 1, 1))
    assert jp.jpJpostnr == 3  # the position within its case runs on across years
    assert (jp.jpSaar, jp.jpSaseknr) == (2030, old[0].saSeknr)
    assert (n4.new_jp(new).jpSeknr, n4.new_sak().saSeknr) == (2, 2)

    # Both years' numbers stay addressable.
    for year, seknr in ((2030, 1), (2031, 1)):
        expect_ok(n4.get_sak(saksnummer={"saSaar": year, "saSeknr": seknr}))
        expect_ok(n4.get_jp(lopenummer={"jpJaar": year, "jpSeknr": seknr}))
    got = expect_ok(n4.get_jp(lopenummer={"jpJaar": 2031, "jpSeknr": 1})).journpost[0]
    assert got.jpId == jp.jpId


def test_year_follows_the_clock_back_too(n4: N4) -> None:
    # A clock set back (a test rig, not real life) still numbers per year, never reusing.
    n4.set_clock(dt.datetime(2031, 6, 1, 12, 0))
    assert n4.new_sak().saSeknr == 1
    n4.set_clock(NOON)
    assert (n4.new_sak().saSaar, n4.new_sak().saSeknr) == (TODAY.year, 2)
    n4.set_clock(dt.datetime(2031, 6, 1, 12, 0))
    assert n4.new_sak().saSeknr == 2


# ---------------------------------------------------------------- concurrent clients

THREADS, PER_THREAD, CASES = 8, 25, 4


def _run_threads(work: Callable[[int, Any], list[Any]], wsdl_url: str) -> list[Any]:
    clients = [make_client(wsdl_url) for _ in range(THREADS)]  # each thread its own client
    results: list[list[Any]] = [[] for _ in range(THREADS)]
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = work(i, clients[i].service)
        except BaseException as exc:  # re-raised in the test thread below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    if failures:
        raise failures[0]
    return [r for rs in results for r in rs]


def _concurrent_entries(server: ArchiveMock, saker: list[Any]) -> None:
    def work(i: int, service: Any) -> list[Any]:
        out = []
        for k in range(PER_THREAD):
            sak = saker[(i + k) % CASES]
            resp = service.PutJournpost(
                journpost={
                    "jpInnhold": f"tråd {i} post {k}",
                    "jpSaar": sak.saSaar,
                    "jpSaseknr": sak.saSeknr,
                    "jpJdato": dt.date(2000, 1, 1),  # replaced: proves warnings are per request
                }
            )
            assert resp.status.type == "WARNING", resp.status
            out.append(resp.journpost)
        return out

    made = _run_threads(work, server.wsdl_url)
    total = THREADS * PER_THREAD
    assert sorted(j.jpSeknr for j in made) == list(range(1, total + 1))
    by_case: dict[int, list[Any]] = defaultdict(list)
    for j in made:
        by_case[j.jpSaseknr].append(j)
    for entries in by_case.values():
        entries.sort(key=lambda j: j.jpSeknr)
        # 1..n within each case, rising with the journal number (creation order).
        assert [j.jpJpostnr for j in entries] == list(range(1, len(entries) + 1))
    # What the archive stores agrees with what it answered.
    service = make_client(server.wsdl_url).service
    for sak in saker:
        stored = service.GetJournpost(saId=sak.saId).journpost
        assert [(j.jpSeknr, j.jpJpostnr) for j in stored] == [
            (j.jpSeknr, j.jpJpostnr) for j in by_case[sak.saSeknr]
        ]


def test_concurrent_entries_are_numbered_without_gaps(n4: N4) -> None:
    saker = [n4.new_sak(f"Sak {i}") for i in range(CASES)]
    _concurrent_entries(n4.server, saker)


def test_concurrent_cases_are_numbered_without_gaps(n4: N4) -> None:
    def work(i: int, service: Any) -> list[Any]:
        return [
            service.PutNoarksak(noarksak={"saTittel": f"tråd {i} sak {k}"}).noarksak
            for k in range(PER_THREAD // 2)
        ]

    made = _run_threads(work, n4.server.wsdl_url)
    assert sorted(s.saSeknr for s in made) == list(range(1, THREADS * (PER_THREAD // 2) + 1))
    # Case numbers rise with creation order, which here is the order of the row ids.
    by_id = sorted(made, key=lambda s: int(s.saId))
    assert [s.saSeknr for s in by_id] == sorted(s.saSeknr for s in made)


def test_concurrent_puts_with_one_external_key_make_one_object(n4: N4) -> None:
    sak = n4.new_sak()
    key = {"eksternSystem": "skjema", "nokkel": "innsending-1"}

    def work(i: int, service: Any) -> list[Any]:
        out = []
        for _ in range(5):
            s = service.PutNoarksak(noarksak={"saTittel": "Søknad", "saEksternNokkel": key})
            j = service.PutJournpost(
                journpost={
                    "jpInnhold": "Søknad",
                    "jpEksternNokkel": key,
                    "jpSaar": sak.saSaar,
                    "jpSaseknr": sak.saSeknr,
                }
            )
            assert s.status.type == "OK" and j.status.type == "OK", (s.status, j.status)
            out.append((s.noarksak.saId, j.journpost.jpId))
        return out

    made = _run_threads(work, n4.server.wsdl_url)
    assert len(set(made)) == 1
    assert n4.server.archive.counts()["noarksak"] == 2
    assert n4.server.archive.counts()["journpost"] == 1


def test_concurrent_entries_on_a_file_database(tmp_path: Path) -> None:
    # A file store runs each write in its own connection (BEGIN IMMEDIATE), unlike memory.
    with ArchiveMock(MockConfig(db=f"sqlite:///{tmp_path / 'arkiv.sqlite3'}")) as server:
        server.set_clock(NOON)
        service = make_client(server.wsdl_url).service
        saker = [
            service.PutNoarksak(noarksak={"saTittel": f"Sak {i}"}).noarksak for i in range(CASES)
        ]
        _concurrent_entries(server, saker)
