"""State rules: the entry status table per jpNdoktype (start statuses, forward changes, any
non-final status to U), A and U as final, the case status rules, and closed cases that take no
new entries.

The tables are written out here from the standard (not read from the fixtures the reference
archive uses), so an archive with a wrong table fails.
"""

from __future__ import annotations

from collections import deque
from itertools import pairwise
from typing import Any

import pytest

from tpn.conformance.noark4ws.checks import expect_ok, expect_status, objects, plain
from tpn.conformance.noark4ws.client import Archive
from tpn.conformance.noark4ws.messages import FLAGS_JP_FIL

requirement = pytest.mark.requirement

JP_STATUSES = ["R", "M", "S", "J", "F", "G", "E", "A", "U"]
FINAL = ("A", "U")
VOID = "U"
START = {"I": ["M", "S", "J"], "U": ["R"], "N": ["R"], "X": ["R"], "S": ["R"]}
_NOTE = [("R", "F"), ("F", "G"), ("F", "J"), ("G", "J"), ("J", "A")]
FORWARD: dict[str, list[tuple[str, str]]] = {
    "I": [("M", "S"), ("M", "J"), ("S", "J"), ("J", "A")],
    "U": [("R", "F"), ("F", "G"), ("F", "E"), ("G", "E"), ("E", "J"), ("J", "A")],
    "N": _NOTE,
    "X": _NOTE,
    "S": _NOTE,
}
TYPES = list(START)

SA_STATUSES = ["B", "R", "F", "S", "P", "A", "U"]
SA_OPEN = ["B", "R", "F", "S", "P"]

DOC = {"dlType": "H", "veFilnavn": "vedtak.pdf", "veMimeType": "application/pdf"}


# ------------------------------------------------------------------ the entry status table


def _allowed(ndoktype: str, old: str, new: str) -> bool:
    if old in FINAL:
        return False
    return new == VOID or (old, new) in FORWARD[ndoktype]


def _reach(ndoktype: str) -> dict[str, list[str]]:
    """For each status an entry of ``ndoktype`` can reach: the shortest way there, start first."""
    paths = {s: [s] for s in START[ndoktype]}
    queue = deque(paths)
    while queue:
        s = queue.popleft()
        if s in FINAL:
            continue
        for new in [b for a, b in FORWARD[ndoktype] if a == s] + [VOID]:
            if new not in paths:
                paths[new] = [*paths[s], new]
                queue.append(new)
    return paths


def _walks(ndoktype: str) -> list[list[str]]:
    """Status sequences that together take every allowed change of ``ndoktype`` at least once
    (the forward changes, and every reachable non-final status to U), one entry each."""
    reach = _reach(ndoktype)
    todo = set(FORWARD[ndoktype]) | {(s, VOID) for s in reach if s not in FINAL}
    walks = []
    while todo:
        a, b = min(todo, key=lambda e: (len(reach[e[0]]), e))
        walk = [*reach[a], b]
        # Go on as far as changes still to be taken allow, forward ones before U.
        while walk[-1] not in FINAL:
            nxt = sorted(e for e in todo if e[0] == walk[-1])
            nxt = [e for e in nxt if e[1] != VOID] or nxt
            if not nxt:
                break
            walk.append(nxt[0][1])
        todo -= set(pairwise(walk))
        walks.append(walk)
    return walks


@pytest.fixture(scope="module")
def open_sak(n4ws: Archive) -> Any:
    """One open case for the entries of this module's status tests (each judges its own
    entries, never the case's whole list), so they do not spend a case each."""
    return n4ws.new_sak()


def _longest_to_archived(ndoktype: str) -> list[str]:
    """The longest forward way from a start status to A: it passes every non-final status."""

    def longest(path: list[str]) -> list[str]:
        ways = [longest([*path, b]) for a, b in FORWARD[ndoktype] if a == path[-1]]
        return max(ways, key=len) if ways else path

    return max((longest([s]) for s in START[ndoktype]), key=len)


def _new_entry(n4ws: Archive, sak: Any, ndoktype: str, status: str, **fields: Any) -> Any:
    return n4ws.new_jp(sak, jpNdoktype=ndoktype, jpStatus=status, **fields)


def _change(n4ws: Archive, jp: Any, ndoktype: str, old: str, new: str) -> None:
    why = f"jpNdoktype {ndoktype}, jpStatus {old} to {new}, which the state table allows"
    resp = expect_ok(n4ws.update_jp(jp, jpStatus=new), f"PutJournpost ({why})")
    stored = n4ws.jp(jp.jpId).jpStatus
    assert resp.journpost.jpStatus == new and stored == new, (
        f"PutJournpost ({why}): answered OK, but the answer says jpStatus "
        f"{resp.journpost.jpStatus} and the archive stored {stored}"
    )


def _refused(n4ws: Archive, jp: Any, ndoktype: str, old: str) -> None:
    """Every change out of ``old`` the table forbids is refused, and the status stays ``old``."""
    forbidden = [new for new in JP_STATUSES if new != old and not _allowed(ndoktype, old, new)]
    for new in forbidden:
        why = f"jpNdoktype {ndoktype}, jpStatus {old} to {new}, which the state table forbids"
        expect_status(n4ws.update_jp(jp, jpStatus=new), "ERROR", "PutJournpost", why)
    # Once per status, not per attempt: a change taken despite the ERROR would stick.
    stored = n4ws.jp(jp.jpId).jpStatus
    assert stored == old, (
        f"PutJournpost (jpNdoktype {ndoktype}, jpStatus {old} to each of {forbidden}, which the "
        f"state table forbids): every one was answered ERROR, but the stored jpStatus is now "
        f"{stored}"
    )


def _entries(n4ws: Archive, sak: Any) -> list[str]:
    resp = expect_ok(n4ws.get_jp(saId=sak.saId), f"GetJournpost by saId {sak.saId}")
    return [j.jpId for j in objects(resp)]


@requirement("N4WS-STA-001")
@pytest.mark.parametrize("ndoktype", TYPES)
def test_every_allowed_status_change_is_accepted(
    n4ws: Archive, open_sak: Any, ndoktype: str
) -> None:
    sak = open_sak
    walks = _walks(ndoktype)
    # The walks start in every status the type may start in (I: M, S and J).
    assert {w[0] for w in walks} == set(START[ndoktype]), "the suite's walks miss a start"
    for walk in walks:
        jp = _new_entry(n4ws, sak, ndoktype, walk[0])
        assert jp.jpStatus == walk[0], (
            f"PutJournpost (a new entry of jpNdoktype {ndoktype} in jpStatus {walk[0]}): "
            f"the answer says jpStatus {jp.jpStatus}"
        )
        for old, new in pairwise(walk):
            _change(n4ws, jp, ndoktype, old, new)


@requirement("N4WS-STA-002")
@pytest.mark.parametrize("ndoktype", TYPES)
def test_forbidden_status_changes_are_refused(n4ws: Archive, open_sak: Any, ndoktype: str) -> None:
    sak = open_sak
    reach = _reach(ndoktype)
    # One entry goes the longest forward way to A, trying every forbidden change on the way;
    # another becomes U and tries every change out of it.
    for walk in (_longest_to_archived(ndoktype), reach[VOID]):
        jp = _new_entry(n4ws, sak, ndoktype, walk[0])
        for i, old in enumerate(walk):
            if i:
                _change(n4ws, jp, ndoktype, walk[i - 1], old)
            _refused(n4ws, jp, ndoktype, old)


@requirement("N4WS-STA-002")
@pytest.mark.parametrize("ndoktype", TYPES)
def test_a_new_entry_cannot_start_in_a_forbidden_status(
    n4ws: Archive, open_sak: Any, ndoktype: str
) -> None:
    sak = open_sak
    for status in JP_STATUSES:
        if status in START[ndoktype]:
            continue
        why = (
            f"a new entry of jpNdoktype {ndoktype} in jpStatus {status}; it may start in "
            f"{', '.join(START[ndoktype])} only"
        )
        key = n4ws.key("jp")
        resp = n4ws.put_jp(
            jpInnhold=f"Post {n4ws.token()}",
            jpSaar=sak.saSaar,
            jpSaseknr=sak.saSeknr,
            jpNdoktype=ndoktype,
            jpStatus=status,
            jpEksternNokkel=key,
        )
        expect_status(resp, "ERROR", "PutJournpost", why)
        found = objects(n4ws.get_jp(jpEksternNokkel=key))
        assert not found, (
            f"PutJournpost ({why}): answered ERROR, but GetJournpost by its jpEksternNokkel "
            f"finds {len(found)} entr(ies)"
        )


# ------------------------------------------------------------------ A and U are final


def _final_entry(n4ws: Archive, sak: Any, final: str) -> Any:
    jp = _new_entry(
        n4ws,
        sak,
        "I",
        "J",
        jpTgkode="13",
        avsmot=[{"amIhtype": "0", "amNavn": "Kari Nordmann"}],
        dokument=[{**DOC, "fil": {"base64": b"%PDF-1.4 vedtak v1\n"}}],
    )
    _change(n4ws, jp, "I", "J", final)
    return jp


@requirement("N4WS-STA-003")
@pytest.mark.parametrize("final", FINAL)
def test_an_archived_or_void_entry_cannot_change(n4ws: Archive, open_sak: Any, final: str) -> None:
    jp = _final_entry(n4ws, open_sak, final)
    before = plain(n4ws.jp(jp.jpId, **FLAGS_JP_FIL))
    changes: list[tuple[str, dict[str, Any]]] = [
        ("a new jpInnhold", {"jpInnhold": f"Endret {n4ws.token()}"}),
        ("a new jpTgkode", {"jpTgkode": "UO"}),
        ("a new jpOffinnhold", {"jpOffinnhold": "Vedtak"}),
        ("a new avsmot list", {"avsmot": [{"amIhtype": "0", "amNavn": "Ola Nordmann"}]}),
        (
            "an added document",
            {"dokument": [{**DOC, "dlType": "V", "fil": {"base64": b"vedlegg\n"}}]},
        ),
        (
            "document 1 replaced (dlRnr 1)",
            {"dokument": [{**DOC, "dlRnr": 1, "fil": {"base64": b"%PDF-1.4 vedtak v2\n"}}]},
        ),
    ]
    for what, fields in changes:
        why = f"{what} for an entry in jpStatus {final}, which is final"
        expect_status(n4ws.update_jp(jp, **fields), "ERROR", "PutJournpost", why)
        after = plain(n4ws.jp(jp.jpId, **FLAGS_JP_FIL))
        assert after == before, (
            f"PutJournpost ({why}): answered ERROR, but the stored entry changed: "
            f"{_changed(before, after)}"
        )


def _changed(before: dict[str, Any], after: dict[str, Any]) -> str:
    names = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return "; ".join(f"{k}: {before.get(k)!r:.80} became {after.get(k)!r:.80}" for k in names[:5])


# ------------------------------------------------------------------ case status


def _set_sak(n4ws: Archive, sak: Any, old: str, new: str) -> None:
    why = f"saStatus {old} to {new}, which the case rules allow"
    resp = expect_ok(
        n4ws.put_sak(saId=sak.saId, saTittel=sak.saTittel, saStatus=new), f"PutNoarksak ({why})"
    )
    stored = n4ws.sak(sak.saId).saStatus
    assert resp.noarksak.saStatus == new and stored == new, (
        f"PutNoarksak ({why}): answered OK, but the answer says saStatus "
        f"{resp.noarksak.saStatus} and the archive stored {stored}"
    )


def _refuse_sak(n4ws: Archive, sak: Any, old: str, new: str) -> None:
    why = f"saStatus {old} to {new}, which the case rules forbid"
    resp = n4ws.put_sak(saId=sak.saId, saTittel=sak.saTittel, saStatus=new)
    expect_status(resp, "ERROR", "PutNoarksak", why)
    stored = n4ws.sak(sak.saId).saStatus
    assert stored == old, f"PutNoarksak ({why}): answered ERROR but stored saStatus {stored}"


@requirement("N4WS-STA-004")
def test_open_case_statuses_change_freely_and_a_closed_case_only_reopens(n4ws: Archive) -> None:
    sak = n4ws.new_sak(saStatus="B")
    now = "B"
    for old in SA_OPEN:
        for new in SA_OPEN:
            if new == old:
                continue
            if now != old:
                _set_sak(n4ws, sak, now, old)
            _set_sak(n4ws, sak, old, new)
            now = new
    for old in SA_OPEN:
        if now != old:
            _set_sak(n4ws, sak, now, old)
        _set_sak(n4ws, sak, old, "A")
        if old == SA_OPEN[0]:
            for new in SA_STATUSES:
                if new not in ("A", "B"):
                    _refuse_sak(n4ws, sak, "A", new)
        _set_sak(n4ws, sak, "A", "B")
        now = "B"


@requirement("N4WS-STA-004")
@pytest.mark.parametrize("old", SA_OPEN)
def test_a_void_case_is_final(n4ws: Archive, old: str) -> None:
    sak = n4ws.new_sak(saStatus=old)
    _set_sak(n4ws, sak, old, "U")
    for new in SA_STATUSES:
        if new != "U":
            _refuse_sak(n4ws, sak, "U", new)


# ------------------------------------------------------------------ closed cases


@requirement("N4WS-STA-005")
@pytest.mark.parametrize("closed", ["A", "U"])
def test_a_closed_case_takes_no_new_entries(n4ws: Archive, closed: str) -> None:
    sak_key = n4ws.key("sak")
    sak = n4ws.new_sak(saEksternNokkel=sak_key)
    kept = n4ws.new_jp(sak)
    _set_sak(n4ws, sak, sak.saStatus, closed)
    for named, ref in (
        ("jpSaar/jpSaseknr", {"jpSaar": sak.saSaar, "jpSaseknr": sak.saSeknr}),
        ("jpSaEksternNokkel", {"jpSaEksternNokkel": sak_key}),
    ):
        why = f"a new entry naming by {named} a case in saStatus {closed}"
        resp = n4ws.put_jp(
            jpInnhold=f"Ettersendt vedlegg {n4ws.token()}", jpEksternNokkel=n4ws.key("jp"), **ref
        )
        expect_status(resp, "ERROR", "PutJournpost", why)
    made = _entries(n4ws, sak)
    assert made == [kept.jpId], (
        f"PutJournpost: new entries for case {sak.saSaar}/{sak.saSeknr} in saStatus {closed} "
        f"were answered ERROR, but the case now holds entries {made}, not only {[kept.jpId]}"
    )
