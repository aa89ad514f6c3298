"""Numbering: case numbers (saSaar/saSeknr), journal numbers (jpJaar/jpSeknr) and the entry's
position in its case (jpJpostnr) are the archive's, unique, rising, gap-free where checkable, per
year, and stay so under concurrent clients.

The archive is never assumed empty: every check is about numbers relative to the objects this
test created, and lookups by number must find exactly this test's object. Gap-freeness is only
checked when nobody else writes to the target (``--tpn-exclusive``, or the embedded reference).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from tpn.conformance.noark4ws.checks import (
    expect_accepted,
    expect_code,
    expect_ok,
    expect_status,
    objects,
)
from tpn.conformance.noark4ws.client import Archive
from tpn.conformance.outcomes import not_applicable
from tpn.conformance.results import Run

requirement = pytest.mark.requirement
T = TypeVar("T")

THREADS = 6
JOIN_TIMEOUT = 120  # seconds; a thread still running after this is a hung request

# Numbers no archive assigns today, so a kept client number cannot pass for the archive's own.
CLIENT_SAK_NUMBERS: dict[str, Any] = {"saSaar": 1066, "saSeknr": 987654321}
CLIENT_JP_NUMBERS: dict[str, Any] = {
    "jpJaar": 1066,
    "jpSeknr": 987654321,
    "jpJpostnr": 4242,
    "jpJdato": dt.date(1066, 10, 14),
}
SAK_SETS = [["saSaar"], ["saSeknr"], ["saSaar", "saSeknr"]]
JP_SETS = [[f] for f in CLIENT_JP_NUMBERS] + [list(CLIENT_JP_NUMBERS)]


# ------------------------------------------------------------------ helpers


def _one_sak_by_number(n4ws: Archive, sak: Any) -> None:
    """GetNoarksak by the case's saksnummer finds exactly this case (the number is unique)."""
    number = f"{sak.saSaar}/{sak.saSeknr}"
    resp = expect_ok(
        n4ws.get_sak(saksnummer={"saSaar": sak.saSaar, "saSeknr": sak.saSeknr}),
        f"GetNoarksak by saksnummer {number}",
    )
    found = [s.saId for s in objects(resp)]
    assert found == [sak.saId], (
        f"GetNoarksak by saksnummer {number}: expected exactly the case with saId {sak.saId} "
        f"that was given this number, got saId {found}: the case number is not unique"
    )


def _one_jp_by_number(n4ws: Archive, jp: Any) -> None:
    """GetJournpost by the entry's lopenummer finds exactly this entry (the number is unique)."""
    number = f"{jp.jpSeknr}/{jp.jpJaar}"
    resp = expect_ok(
        n4ws.get_jp(lopenummer={"jpJaar": jp.jpJaar, "jpSeknr": jp.jpSeknr}),
        f"GetJournpost by lopenummer {number}",
    )
    found = [j.jpId for j in objects(resp)]
    assert found == [jp.jpId], (
        f"GetJournpost by lopenummer {number}: expected exactly the entry with jpId {jp.jpId} "
        f"that was given this number, got jpId {found}: the journal number is not unique"
    )


def _entries_of(n4ws: Archive, sak: Any) -> list[Any]:
    resp = expect_ok(n4ws.get_jp(saId=sak.saId), f"GetJournpost by saId {sak.saId}")
    return objects(resp)


def _rising(numbers: list[tuple[int, int]], what: str) -> None:
    """(year, sequence) pairs in creation order: unique, and rising within each year."""
    assert len(set(numbers)) == len(numbers), f"{what}: numbers were given twice: {numbers}"
    last: dict[int, int] = {}
    for year, seq in numbers:
        # A year boundary passing during the test restarts the sequence: judge each year alone.
        if year in last:
            assert seq > last[year], (
                f"{what}: numbers must rise with creation order, but {seq}/{year} came after "
                f"{last[year]}/{year} (all, in creation order: {numbers})"
            )
        last[year] = seq


def _in_threads(n4ws: Archive, work: Callable[[int, Archive], list[T]]) -> list[list[T]]:
    """Run ``work(i, archive)`` in THREADS threads, released at once, each with its own client.

    A client per thread: zeep's client is thread-safe, but a requests Session shared between
    threads is not documented to be. The clients share the run's recorder, budget and run id;
    ``work`` must take its external keys and tokens from the caller (made in this thread),
    since each client's own counter would repeat the others'.
    """
    clients = [Archive(n4ws.target, n4ws.recorder, n4ws.spent, n4ws.run_id) for _ in range(THREADS)]
    results: list[list[T]] = [[] for _ in range(THREADS)]
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run(i: int) -> None:
        try:
            start.wait(timeout=JOIN_TIMEOUT)
            results[i] = work(i, clients[i])
        except BaseException as exc:  # re-raised in the test's thread below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(THREADS)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=JOIN_TIMEOUT)
    finally:
        for c in clients:
            c.http.close()
    hung = sum(t.is_alive() for t in threads)
    assert not hung, f"{hung} of {THREADS} concurrent clients got no answer in {JOIN_TIMEOUT} s"
    if failures:
        raise failures[0]
    return results


# ------------------------------------------------------------------ N4WS-NUM-001..003


@requirement("N4WS-NUM-001")
def test_case_numbers_are_unique_and_rise_with_creation_order(n4ws: Archive) -> None:
    # Alternately in arkivdel BYGG and in none: saSeknr runs per year, not per arkivdel, so
    # numbers kept per arkivdel would repeat or fall here. (BYGG is the arkivdel the suite's
    # other cases use, so an archive that checks arkivdeler knows it already.)
    saker = [n4ws.new_sak(**({"saArkdel": "BYGG"} if i % 2 else {})) for i in range(5)]
    _rising(
        [(s.saSaar, s.saSeknr) for s in saker],
        "PutNoarksak: saSaar/saSeknr of 5 new cases, in arkivdel BYGG and in none by turns",
    )
    assert len({s.saId for s in saker}) == len(saker), (
        f"PutNoarksak: 5 new cases got saId {[s.saId for s in saker]}, not 5 different ones"
    )
    for sak in saker:
        _one_sak_by_number(n4ws, sak)


@requirement("N4WS-NUM-002")
def test_journal_numbers_are_unique_across_cases_and_rise(n4ws: Archive) -> None:
    a, b, c = n4ws.new_sak(), n4ws.new_sak(), n4ws.new_sak()
    made = [n4ws.new_jp(s) for s in (a, b, a, c, b, a)]
    _rising(
        [(j.jpJaar, j.jpSeknr) for j in made],
        "PutJournpost: jpSeknr/jpJaar of 6 new entries in 3 cases",
    )
    for jp in made:
        _one_jp_by_number(n4ws, jp)


@requirement("N4WS-NUM-003")
def test_entry_numbers_run_from_one_in_each_case(n4ws: Archive) -> None:
    a, b = n4ws.new_sak(), n4ws.new_sak()
    order = [a, b, b, a, a, b]
    made = [(s, n4ws.new_jp(s)) for s in order]
    for sak in (a, b):
        answered = [j.jpJpostnr for s, j in made if s is sak]
        assert answered == [1, 2, 3], (
            f"PutJournpost: three entries in the new case {sak.saSaar}/{sak.saSeknr} (created "
            f"interleaved with entries of another case) got jpJpostnr {answered}, expected "
            "[1, 2, 3]: jpJpostnr is the entry's position within its own case"
        )
        ids = {j.jpId: j.jpJpostnr for s, j in made if s is sak}
        stored = {j.jpId: j.jpJpostnr for j in _entries_of(n4ws, sak)}
        assert stored == ids, (
            f"GetJournpost by saId {sak.saId}: expected the entries with jpId: jpJpostnr "
            f"{ids} as answered on create, got {stored}"
        )


# ------------------------------------------------------------------ N4WS-NUM-004..005


def _sak_with_client_numbers(n4ws: Archive, fields: list[str]) -> tuple[Any, Any, dict[str, Any]]:
    """A case made first, the answer to a PutNoarksak right after it sending ``fields`` with
    client numbers, and what was sent."""
    before = n4ws.new_sak()
    sent = {f: CLIENT_SAK_NUMBERS[f] for f in fields}
    resp = n4ws.put_sak(
        saTittel=f"Byggesak {n4ws.token()}", saEksternNokkel=n4ws.key("sak"), **sent
    )
    return before, resp, sent


@requirement("N4WS-NUM-004")
@pytest.mark.parametrize("fields", SAK_SETS, ids=["+".join(f) for f in SAK_SETS])
def test_case_numbers_sent_on_create_are_replaced(n4ws: Archive, fields: list[str]) -> None:
    before, resp, sent = _sak_with_client_numbers(n4ws, fields)
    why = f"a new case sent with {sent}"
    sak = expect_accepted(resp, "PutNoarksak", why).noarksak
    got = (sak.saSaar, sak.saSeknr)
    assert sak.saSaar == before.saSaar and sak.saSeknr > before.saSeknr, (
        f"PutNoarksak ({why}): expected the archive's own number, the year of the case made "
        f"just before ({before.saSaar}/{before.saSeknr}) and a higher saSeknr, got "
        f"{got[0]}/{got[1]}"
    )
    stored = n4ws.sak(sak.saId)
    assert (stored.saSaar, stored.saSeknr) == got, (
        f"GetNoarksak by saId {sak.saId} ({why}): the archive answered saksnummer "
        f"{got[0]}/{got[1]} but stored {stored.saSaar}/{stored.saSeknr}"
    )


@pytest.fixture(scope="module")
def open_sak(n4ws: Archive) -> Any:
    """A case for the entries of the tests that judge numbers relative to an entry they made
    just before in it (so they do not spend a case each)."""
    return n4ws.new_sak()


def _jp_with_client_numbers(
    n4ws: Archive, sak: Any, fields: list[str]
) -> tuple[Any, Any, dict[str, Any]]:
    """An entry made in ``sak``, the answer to a PutJournpost into the same case right after
    it sending ``fields``, and what was sent."""
    before = n4ws.new_jp(sak)
    sent = {f: CLIENT_JP_NUMBERS[f] for f in fields}
    resp = n4ws.put_jp(
        jpInnhold=f"Søknad om ferdigattest {n4ws.token()}",
        jpSaar=sak.saSaar,
        jpSaseknr=sak.saSeknr,
        jpEksternNokkel=n4ws.key("jp"),
        **sent,
    )
    return before, resp, sent


@requirement("N4WS-NUM-004")
@pytest.mark.parametrize("fields", JP_SETS, ids=["+".join(f) for f in JP_SETS])
def test_entry_numbers_and_date_sent_on_create_are_replaced(
    n4ws: Archive, open_sak: Any, fields: list[str]
) -> None:
    before, resp, sent = _jp_with_client_numbers(n4ws, open_sak, fields)
    why = f"an entry sent with {sent}, right after another in the same case"
    jp = expect_accepted(resp, "PutJournpost", why).journpost
    # The registration date: today's, as the entry made a moment before got (or the next day,
    # should midnight pass in between).
    day = before.jpJdato
    expected_dates = (day, day + dt.timedelta(days=1))
    assert jp.jpJdato in expected_dates, (
        f"PutJournpost ({why}): expected jpJdato {day} (the registration date, as the entry "
        f"made just before got), got {jp.jpJdato}"
    )
    assert jp.jpJaar == jp.jpJdato.year, (
        f"PutJournpost ({why}): expected jpJaar {jp.jpJdato.year}, the year of the "
        f"registration date {jp.jpJdato}, got {jp.jpJaar}"
    )
    if jp.jpJaar == before.jpJaar:
        assert jp.jpSeknr > before.jpSeknr, (
            f"PutJournpost ({why}): expected the archive's next journal number after "
            f"{before.jpSeknr}/{before.jpJaar} (the entry made just before), got "
            f"{jp.jpSeknr}/{jp.jpJaar}"
        )
    assert jp.jpSeknr != CLIENT_JP_NUMBERS["jpSeknr"], (
        f"PutJournpost ({why}): the archive kept the client's jpSeknr {jp.jpSeknr}"
    )
    assert jp.jpJpostnr == before.jpJpostnr + 1, (
        f"PutJournpost ({why}): expected jpJpostnr {before.jpJpostnr + 1} (the entry's "
        f"position in its case), got {jp.jpJpostnr}"
    )
    stored = n4ws.jp(jp.jpId)
    numbers = ("jpJaar", "jpSeknr", "jpJpostnr", "jpJdato")
    answered = {f: getattr(jp, f) for f in numbers}
    kept = {f: getattr(stored, f) for f in numbers}
    assert kept == answered, (
        f"GetJournpost by jpId {jp.jpId} ({why}): the archive answered {answered} on create "
        f"but stored {kept}"
    )


def _named(text: str, fields: list[str], operation: str, why: str) -> None:
    missing = [f for f in fields if f not in text]
    assert not missing, (
        f"{operation} ({why}): the NUMBER_REPLACED text must name the replaced fields; "
        f"it does not name {missing}: {text!r}"
    )


@requirement("N4WS-NUM-005")
@pytest.mark.parametrize("fields", SAK_SETS, ids=["+".join(f) for f in SAK_SETS])
def test_replaced_case_numbers_are_reported(n4ws: Archive, fields: list[str]) -> None:
    _, resp, sent = _sak_with_client_numbers(n4ws, fields)
    why = f"a new case sent with {sent}"
    expect_status(resp, "WARNING", "PutNoarksak", why)
    _named(expect_code(resp, "NUMBER_REPLACED", "PutNoarksak", why), fields, "PutNoarksak", why)


@requirement("N4WS-NUM-005")
@pytest.mark.parametrize("fields", JP_SETS, ids=["+".join(f) for f in JP_SETS])
def test_replaced_entry_numbers_are_reported(
    n4ws: Archive, open_sak: Any, fields: list[str]
) -> None:
    _, resp, sent = _jp_with_client_numbers(n4ws, open_sak, fields)
    why = f"a new entry sent with {sent}"
    expect_status(resp, "WARNING", "PutJournpost", why)
    _named(expect_code(resp, "NUMBER_REPLACED", "PutJournpost", why), fields, "PutJournpost", why)


@requirement("N4WS-NUM-005")
def test_numbers_sent_on_update_are_reported_and_ignored(n4ws: Archive) -> None:
    sak = n4ws.new_sak()
    jp = n4ws.new_jp(sak)
    why = f"an update of case {sak.saId} sent with saSeknr {sak.saSeknr + 1000}"
    resp = n4ws.put_sak(saId=sak.saId, saTittel=sak.saTittel, saSeknr=sak.saSeknr + 1000)
    expect_status(resp, "WARNING", "PutNoarksak", why)
    _named(
        expect_code(resp, "NUMBER_REPLACED", "PutNoarksak", why), ["saSeknr"], "PutNoarksak", why
    )
    assert n4ws.sak(sak.saId).saSeknr == sak.saSeknr, (
        f"GetNoarksak by saId {sak.saId} ({why}): the stored saSeknr changed"
    )
    why = f"an update of entry {jp.jpId} sent with jpJpostnr {jp.jpJpostnr + 1000}"
    resp = n4ws.update_jp(jp, jpJpostnr=jp.jpJpostnr + 1000)
    expect_status(resp, "WARNING", "PutJournpost", why)
    _named(
        expect_code(resp, "NUMBER_REPLACED", "PutJournpost", why),
        ["jpJpostnr"],
        "PutJournpost",
        why,
    )
    assert n4ws.jp(jp.jpId).jpJpostnr == jp.jpJpostnr, (
        f"GetJournpost by jpId {jp.jpId} ({why}): the stored jpJpostnr changed"
    )


# ------------------------------------------------------------------ N4WS-NUM-006 concurrency


@requirement("N4WS-NUM-006")
def test_concurrent_clients_get_unique_numbers(n4ws: Archive) -> None:
    shared = [n4ws.new_sak() for _ in range(3)]
    # Made here, in one thread: the threads' own clients would repeat each other's keys.
    sak_keys = [[n4ws.key("sak") for _ in range(2)] for _ in range(THREADS)]
    jp_keys = [[n4ws.key("jp") for _ in range(6)] for _ in range(THREADS)]
    tokens = [n4ws.token() for _ in range(THREADS)]

    def work(i: int, client: Archive) -> list[tuple[str, Any]]:
        made: list[tuple[str, Any]] = []
        own = []
        for k, key in enumerate(sak_keys[i]):
            resp = client.put_sak(saTittel=f"Sak {tokens[i]} {k}", saEksternNokkel=key)
            own.append(expect_ok(resp, f"PutNoarksak (client {i} of {THREADS})").noarksak)
            made.append(("sak", own[-1]))
        for k, key in enumerate(jp_keys[i]):
            # Every other entry into a case all clients write to, so jpJpostnr is contended.
            sak = shared[(i + k) % len(shared)] if k % 2 == 0 else own[(k // 2) % 2]
            resp = client.put_jp(
                jpInnhold=f"Post {tokens[i]} {k}",
                jpSaar=sak.saSaar,
                jpSaseknr=sak.saSeknr,
                jpEksternNokkel=key,
            )
            jp = expect_ok(resp, f"PutJournpost (client {i} of {THREADS})").journpost
            made.append(("jp", jp))
        return made

    made = [m for ms in _in_threads(n4ws, work) for m in ms]
    saker = [o for kind, o in made if kind == "sak"]
    entries = [o for kind, o in made if kind == "jp"]
    what = f"{THREADS} clients at once"
    numbers = sorted((s.saSaar, s.saSeknr) for s in saker)
    assert len(set(numbers)) == len(numbers), (
        f"PutNoarksak ({what}): {len(saker)} new cases got only {len(set(numbers))} different "
        f"case numbers: {numbers}"
    )
    jnumbers = sorted((j.jpJaar, j.jpSeknr) for j in entries)
    assert len(set(jnumbers)) == len(jnumbers), (
        f"PutJournpost ({what}): {len(entries)} new entries got only {len(set(jnumbers))} "
        f"different journal numbers: {jnumbers}"
    )
    for sak in saker:
        _one_sak_by_number(n4ws, sak)
    for jp in entries:
        _one_jp_by_number(n4ws, jp)
    by_case: dict[tuple[int, int], list[int]] = defaultdict(list)
    for j in entries:
        by_case[(j.jpSaar, j.jpSaseknr)].append(j.jpJpostnr)
    for sak in [*shared, *saker]:
        answered = sorted(by_case[(sak.saSaar, sak.saSeknr)])
        stored = sorted(j.jpJpostnr for j in _entries_of(n4ws, sak))
        expected = list(range(1, len(answered) + 1))
        assert answered == expected and stored == expected, (
            f"PutJournpost ({what}): the entries of case {sak.saSaar}/{sak.saSeknr} must have "
            f"jpJpostnr 1..{len(answered)}; answered {answered}, stored {stored}"
        )


# ------------------------------------------------------------------ N4WS-NUM-007 gap-free


def _failing_puts(
    client: Archive, sak: Any, token: str, keys: list[dict[str, str]]
) -> list[tuple[str, Any]]:
    """Send Puts the profile refuses (``keys``: two external keys for the cases among them).

    Returns what the archive nevertheless created, as ("sak"/"jp", object): whether these Puts
    are refused is judged by other requirements (ERR-004, COD-001, STA-002, ACC-001); here a
    create the archive took is simply one more number in the sequence.
    """
    where = {"jpSaar": sak.saSaar, "jpSaseknr": sak.saSeknr}
    attempts: list[tuple[str, Callable[[], Any]]] = [
        ("sak", lambda: client.put_sak(saTittel="", saEksternNokkel=keys[0])),
        (
            "sak",
            lambda: client.put_sak(saTittel=f"Sak {token}", saStatus="Q", saEksternNokkel=keys[1]),
        ),
        # Entries refused after their case was found: an invalid code, an empty jpInnhold, a
        # start status the type may not have, a document with an invalid code.
        ("jp", lambda: client.put_jp(jpInnhold=f"Post {token}", jpNdoktype="Q", **where)),
        ("jp", lambda: client.put_jp(jpInnhold="", **where)),
        (
            "jp",
            lambda: client.put_jp(jpInnhold=f"Post {token}", jpNdoktype="I", jpStatus="A", **where),
        ),
        (
            "jp",
            lambda: client.put_jp(
                jpInnhold=f"Post {token}",
                dokument=[{"dlType": "Q", "veFilnavn": "a.txt", "veMimeType": "text/plain"}],
                **where,
            ),
        ),
    ]
    created: list[tuple[str, Any]] = []
    for kind, put in attempts:
        resp = put()
        if resp.status is not None and resp.status.type != "ERROR":
            created.extend((kind, o) for o in objects(resp))
    return created


def _consecutive(
    numbers: list[int], first: int, operation: str, field: str, why: str, year: int
) -> None:
    """The numbers given after ``first`` leave no gap: they are first+1, first+2, ….

    A number given twice is a uniqueness failure (N4WS-NUM-006), judged there, not here.
    """
    got = sorted(set(numbers))
    expected = list(range(first + 1, first + 1 + len(got)))
    assert got == expected, (
        f"{operation} ({why}): after {field} {first} of {year} expected {field} "
        f"{expected[0]}..{expected[-1]} without gaps, got {sorted(numbers)}"
    )


@requirement("N4WS-NUM-007")
def test_numbering_is_gap_free_after_failed_puts(n4ws: Archive) -> None:
    if not n4ws.target.exclusive:
        not_applicable("others may write to the target during the run (no --tpn-exclusive)")
    first = n4ws.new_sak()
    j1 = n4ws.new_jp(first)
    made = _failing_puts(n4ws, first, n4ws.token(), [n4ws.key("sak"), n4ws.key("sak")])
    made += [("sak", n4ws.new_sak()), ("jp", n4ws.new_jp(first))]
    why = "consecutive creates with refused Puts in between, and no other writer"
    saker = [o.saSeknr for kind, o in made if kind == "sak"]
    _consecutive(saker, first.saSeknr, "PutNoarksak", "saSeknr", why, first.saSaar)
    entries = [o for kind, o in made if kind == "jp"]
    _consecutive(
        [j.jpSeknr for j in entries], j1.jpSeknr, "PutJournpost", "jpSeknr", why, j1.jpJaar
    )
    # All of them are in one case, so their place in it runs on without gaps too.
    _consecutive(
        [j.jpJpostnr for j in entries],
        j1.jpJpostnr,
        "PutJournpost",
        f"jpJpostnr in case {first.saSaar}/{first.saSeknr}",
        why,
        j1.jpJaar,
    )


@requirement("N4WS-NUM-007")
def test_numbering_is_gap_free_under_concurrent_clients(n4ws: Archive) -> None:
    if not n4ws.target.exclusive:
        not_applicable("others may write to the target during the run (no --tpn-exclusive)")
    before = n4ws.new_sak()
    jp_before = n4ws.new_jp(before)
    tokens = [n4ws.token() for _ in range(THREADS)]
    keys = [[n4ws.key("sak") for _ in range(3)] for _ in range(THREADS)]
    jp_keys = [[n4ws.key("jp") for _ in range(3)] for _ in range(THREADS)]

    def work(i: int, client: Archive) -> list[tuple[str, Any]]:
        resp = client.put_sak(saTittel=f"Sak {tokens[i]}", saEksternNokkel=keys[i][0])
        own = expect_ok(resp, f"PutNoarksak (client {i} of {THREADS})").noarksak
        made: list[tuple[str, Any]] = [("sak", own)]
        for k, key in enumerate(jp_keys[i]):
            if k == 1:
                made += _failing_puts(client, own, tokens[i], keys[i][1:])
            sak = own if k % 2 else before
            resp = client.put_jp(
                jpInnhold=f"Post {tokens[i]} {k}",
                jpSaar=sak.saSaar,
                jpSaseknr=sak.saSeknr,
                jpEksternNokkel=key,
            )
            jp = expect_ok(resp, f"PutJournpost (client {i} of {THREADS})").journpost
            made.append(("jp", jp))
        return made

    made = [m for ms in _in_threads(n4ws, work) for m in ms]
    made += [("sak", n4ws.new_sak()), ("jp", n4ws.new_jp(before))]
    why = f"{THREADS} clients at once, with refused Puts among them, and no other writer"
    saker = [o.saSeknr for kind, o in made if kind == "sak"]
    _consecutive(saker, before.saSeknr, "PutNoarksak", "saSeknr", why, before.saSaar)
    entries = [o.jpSeknr for kind, o in made if kind == "jp"]
    _consecutive(entries, jp_before.jpSeknr, "PutJournpost", "jpSeknr", why, jp_before.jpJaar)


# ------------------------------------------------------------------ N4WS-NUM-008..009 years


def _unused_year(n4ws: Archive, tpn_run: Run, label: str) -> int:
    """A year in 2200-2999 without cases or entries in the target, drawn from the run's seed
    (so a replay draws the same years, and moves on where an earlier run used them)."""
    rng = random.Random(f"{tpn_run.seed}-{label}")
    for _ in range(25):
        year = rng.randint(2200, 2999)
        criteria = [{"fieldName": "saSaar", "fieldValue": str(year)}]
        resp = expect_ok(
            n4ws.get_sak(searchCriteria=criteria),
            f"GetNoarksak searching saSaar {year} (to find a year no case uses)",
        )
        if objects(resp):
            continue
        jps = n4ws.get_jp(lopenummer={"jpJaar": year, "jpSeknr": 1})
        # Only an entry of that year says the year is used; judging the lookup itself is
        # N4WS-JP-004's business, not the year requirements'.
        if not [j for j in objects(jps) if j.jpJaar == year]:
            return year
    raise AssertionError("found no unused year in 2200-2999 after 25 draws")


def _year_end_and_start(year: int) -> tuple[dt.datetime, dt.datetime]:
    """Dec 31 23:59 of the year before, and Jan 1 00:01 of ``year``."""
    return dt.datetime(year - 1, 12, 31, 23, 59), dt.datetime(year, 1, 1, 0, 1)


@requirement("N4WS-NUM-008")
def test_first_case_of_a_new_year_gets_number_one(n4ws_clock: Archive, tpn_run: Run) -> None:
    n4ws = n4ws_clock
    year = _unused_year(n4ws, tpn_run, "NUM-008")
    old_year, new_year = _year_end_and_start(year)
    n4ws.set_clock(old_year)
    old = n4ws.new_sak()
    n4ws.new_jp(old)
    assert old.saSaar == year - 1, (
        f"PutNoarksak with the clock at {old_year}: expected saSaar {year - 1}, got {old.saSaar}"
    )
    n4ws.set_clock(new_year)
    first, second = n4ws.new_sak(), n4ws.new_sak()
    got = [(s.saSaar, s.saSeknr) for s in (first, second)]
    assert got == [(year, 1), (year, 2)], (
        f"PutNoarksak with the clock at {new_year}, the first cases of {year}: expected "
        f"saksnummer {year}/1 and {year}/2, got {[f'{a}/{b}' for a, b in got]}"
    )
    _one_sak_by_number(n4ws, first)


@requirement("N4WS-NUM-009")
def test_first_entry_of_a_new_year_gets_number_one(n4ws_clock: Archive, tpn_run: Run) -> None:
    n4ws = n4ws_clock
    year = _unused_year(n4ws, tpn_run, "NUM-009")
    old_year, new_year = _year_end_and_start(year)
    n4ws.set_clock(old_year)
    old = n4ws.new_sak()
    last = n4ws.new_jp(old)
    assert (last.jpJaar, last.jpJdato) == (year - 1, old_year.date()), (
        f"PutJournpost with the clock at {old_year}: expected jpJaar {year - 1} and jpJdato "
        f"{old_year.date()}, got {last.jpJaar} and {last.jpJdato}"
    )
    n4ws.set_clock(new_year)
    # The second entry of the year goes into a case of last year: the journal year is the
    # entry's own, not its case's.
    first = n4ws.new_jp(n4ws.new_sak())
    second = n4ws.new_jp(old)
    got = [(j.jpSeknr, j.jpJaar, j.jpJdato) for j in (first, second)]
    expected = [(1, year, new_year.date()), (2, year, new_year.date())]
    assert got == expected, (
        f"PutJournpost with the clock at {new_year}, the first entries of {year}: expected "
        f"(jpSeknr, jpJaar, jpJdato) {expected}, got {got}"
    )
    _one_jp_by_number(n4ws, first)
