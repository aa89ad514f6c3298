"""Search (``searchCriteria``) on GetNoarksak and GetJournpost: how each of the profile's fields
matches, that criteria combine with AND, that an unknown field is an ERROR, and the order of the
answers.

The target is never assumed empty. Every object made here carries this module's token (a word
no other run uses) in a searched text, so a search is confined to our objects by the token
itself, or by an AND with a criterion holding it. A code, year or date cannot hold a token; such
a search is confined by that AND, and when the target does not combine criteria with AND
(N4WS-SRC-007 judges that) only what can be judged without it is checked: that our objects are
found, and that near-miss values nobody's object can hold find nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from tpn.conformance.noark4ws.checks import describe, expect_ok, expect_status, objects
from tpn.conformance.noark4ws.client import Archive

requirement = pytest.mark.requirement

Pair = tuple[str, str]
SHOWN = 10  # objects named in a failure's reason; a search that returns the archive is long


# ------------------------------------------------------------------ helpers


def _crit(pairs: Iterable[Pair]) -> list[dict[str, str]]:
    return [{"fieldName": n, "fieldValue": v} for n, v in pairs]


def _show(operation: str, pairs: Iterable[Pair]) -> str:
    said = " AND ".join(f"{n}={v!r}" for n, v in pairs)
    return f"{operation} with searchCriteria {said}"


def _mixed(text: str) -> str:
    """``text`` with every other letter's case swapped: neither as stored nor all one case."""
    return "".join(c.swapcase() if i % 2 else c for i, c in enumerate(text))


def word(n4ws: Archive) -> str:
    """This run's token, closed by a letter: the client's tokens end in a serial number, so
    token 1 is a prefix of tokens 10-19, and a substring search for it would find theirs too."""
    return f"{n4ws.token()}x"


def search(n4ws: Archive, operation: str, pairs: list[Pair]) -> list[Any]:
    """The objects a search answers (asserting OK)."""
    call = n4ws.get_sak if operation == "GetNoarksak" else n4ws.get_jp
    return objects(expect_ok(call(searchCriteria=_crit(pairs)), _show(operation, pairs)))


@dataclass(frozen=True)
class Ours:
    """This module's objects of one kind: label → stored object, and how to name them."""

    operation: str  # the Get operation that finds them
    by_label: dict[str, Any]

    @property
    def id_field(self) -> str:
        return "saId" if self.operation == "GetNoarksak" else "jpId"

    def labels(self, found: Iterable[Any]) -> list[str]:
        """Our labels for ``found``; an object not ours is named by its id."""
        names = {getattr(o, self.id_field): label for label, o in self.by_label.items()}
        out = []
        for o in found:
            oid = getattr(o, self.id_field)
            out.append(names.get(oid, f"{self.id_field} {oid} (not made by this test)"))
        return out

    def describe(self, labels: list[str]) -> str:
        texts = []
        for label in labels[:SHOWN]:
            o = self.by_label.get(label)
            if o is None:
                texts.append(label)
            else:
                text = o.saTittel if self.operation == "GetNoarksak" else o.jpInnhold
                texts.append(f"{label} ({text!r})")
        more = f", and {len(labels) - SHOWN} more" if len(labels) > SHOWN else ""
        return "[" + ", ".join(texts) + more + "]" if texts else "none"

    def expect_exactly(self, n4ws: Archive, pairs: list[Pair], expected: Iterable[str]) -> None:
        """The search finds exactly ``expected`` (criteria confined to our objects)."""
        got = self.labels(search(n4ws, self.operation, pairs))
        want = sorted(expected)
        assert sorted(got) == want, (
            f"{_show(self.operation, pairs)}: the profile expects exactly "
            f"{self.describe(want)}, got {self.describe(got)}"
        )

    def expect_including(self, n4ws: Archive, pairs: list[Pair], expected: list[str]) -> None:
        """The search finds every one of ``expected`` (and maybe objects that are not ours)."""
        got = set(self.labels(search(n4ws, self.operation, pairs)))
        missing = sorted(set(expected) - got)
        assert not missing, (
            f"{_show(self.operation, pairs)}: the profile expects {self.describe(expected)} "
            f"among the answers; missing {self.describe(missing)}"
        )


def expect_nothing_found(n4ws: Archive, operation: str, pairs: list[Pair], why: str) -> None:
    """A value no valid object can hold finds nothing (OK, or ERROR for a value out of range)."""
    call = n4ws.get_sak if operation == "GetNoarksak" else n4ws.get_jp
    resp = call(searchCriteria=_crit(pairs))
    assert resp.status is not None, f"{_show(operation, pairs)}: the answer has no status"
    found = objects(resp)
    assert not found, (
        f"{_show(operation, pairs)} ({why}): the profile expects an exact match, which finds "
        f"nothing, got {describe(resp)} with {len(found)} objects"
    )


def and_holds(n4ws: Archive, operation: str, pairs: list[Pair]) -> bool:
    """Whether two criteria that our objects meet only apart find nothing together."""
    call = n4ws.get_sak if operation == "GetNoarksak" else n4ws.get_jp
    resp = call(searchCriteria=_crit(pairs))
    return resp.status is not None and resp.status.type == "OK" and not objects(resp)


# ------------------------------------------------------------------ our cases and entries


@dataclass(frozen=True)
class Data:
    token: str
    saker: Ours
    poster: Ours

    @property
    def big(self) -> str:
        return self.token.upper()


def _fill(d: Data, text: str) -> str:
    return text.format(mixed=_mixed(d.token), lower=d.token, upper=d.big)


@pytest.fixture(scope="module")
def spelt(n4ws: Archive) -> Data:
    """Cases and entries whose titles hold the same words in different cases (SRC-001, -004).

    Every other search here confines itself with the token in the case it is stored in, so a
    target whose text search is case-sensitive fails only the requirements about case.
    """
    t = word(n4ws)
    u = t.upper()
    saker = {
        "t1": n4ws.new_sak(f"Byggesak {t} Storgata"),
        "t2": n4ws.new_sak(f"byggesak {t} storgata"),
        "t3": n4ws.new_sak(f"BYGGESAK {u} STORGATA 5"),
        "t4": n4ws.new_sak(f"Klage på vedtak {t.capitalize()}"),
        "t5": n4ws.new_sak(f"Søknad om ærlig øl på Åsen {t}"),
        "t6": n4ws.new_sak(f"SØKNAD OM ÆRLIG ØL PÅ ÅSEN {u}"),
    }
    sak = saker["t1"]
    poster = {
        "i1": n4ws.new_jp(sak, f"Søknad om ØKT høyde {t}"),
        "i2": n4ws.new_jp(sak, f"Vedtak om høyde {u}"),
        "i3": n4ws.new_jp(sak, f"Notat {t} 50% ferdig"),
        "i4": n4ws.new_jp(sak, f"ETTERSENDT dokumentasjon {t.capitalize()}"),
    }
    return Data(t, Ours("GetNoarksak", saker), Ours("GetJournpost", poster))


@pytest.fixture(scope="module")
def data(n4ws: Archive) -> Data:
    """Cases and entries for the exact fields, the full-level fields and AND."""
    t = word(n4ws)
    u = t.upper()
    saker = {
        "c1": n4ws.new_sak(
            f"Byggesak {t} Storgata 1",
            saStatus="B",
            saAnsvinit=f"ÅSE{u}",
            saAdmkort=f"PLAN{u}",
            klassering=[
                {"klOrdnpri": "ARKNOKKEL", "klOrdnver": f"{u}-L42"},
                {"klOrdnpri": "ARKNOKKEL", "klOrdnver": f"{u}-K"},
            ],
            sakspart=[{"spNavn": f"Kari Nordmann {u}"}, {"spNavn": f"Bygg og Anlegg AS {u}"}],
        ),
        "c2": n4ws.new_sak(
            f"Byggesak {t} Storgata 2",
            saStatus="R",
            saAnsvinit=f"ÅSE{u}X",
            saAdmkort=f"plan{t}",
            klassering=[{"klOrdnpri": "ARKNOKKEL", "klOrdnver": f"{u}-L4"}],
            sakspart=[{"spNavn": f"Åse Ødegård {t}"}],
        ),
        "c3": n4ws.new_sak(
            f"Byggesak {t} Storgata 5",
            saStatus="B",
            saAnsvinit=f"åse{t}",
            saAdmkort=f"NÆR{u}",
            sakspart=[{"spNavn": f"Ærlig Mat AS {t}"}],
        ),
        "c4": n4ws.new_sak(f"Klage {t}", saStatus="R"),
        "c5": n4ws.new_sak(f"Søknad {t}", saStatus="B"),
        "c6": n4ws.new_sak(f"Søknad {t} om skjenking", saStatus="F"),
    }
    a, b = saker["c1"], saker["c2"]
    poster = {
        "e1": n4ws.new_jp(
            a,
            f"Søknad om høyde {t}",
            jpNdoktype="I",
            jpStatus="M",
            avsmot=[{"amIhtype": "0", "amNavn": f"Kari Nordmann {u}"}],
        ),
        "e2": n4ws.new_jp(
            b,
            f"Vedtak om høyde {t}",
            jpNdoktype="U",
            jpStatus="R",
            avsmot=[
                {"amIhtype": "1", "amNavn": f"Åse Ødegård {t}"},
                {"amIhtype": "1", "amNavn": f"Bygg og Anlegg AS {t}", "amKopimot": "1"},
            ],
        ),
        "e3": n4ws.new_jp(a, f"Notat {t}", jpNdoktype="N", jpStatus="R"),
        "e4": n4ws.new_jp(a, f"Ettersendt dokumentasjon {t}", jpNdoktype="I", jpStatus="J"),
        "e5": n4ws.new_jp(b, f"Orientering {t}", jpNdoktype="X", jpStatus="R"),
    }
    return Data(t, Ours("GetNoarksak", saker), Ours("GetJournpost", poster))


def _sak_and(d: Data) -> list[Pair]:
    # c1-c3 hold "Byggesak <token>", c4 holds "Klage <token>": no case holds both.
    return [("saTittel", f"Byggesak {d.token}"), ("saTittel", f"Klage {d.token}")]


def _jp_and(d: Data) -> list[Pair]:
    # e3 holds "Notat <token>", only e1 and e4 are incoming: no entry is both.
    return [("jpInnhold", f"Notat {d.token}"), ("jpNdoktype", "I")]


def _confined(
    n4ws: Archive, ours: Ours, pairs: list[Pair], expected: list[str], and_probe: list[Pair]
) -> None:
    """Check a search confined to our objects by an AND with a token criterion."""
    if and_holds(n4ws, ours.operation, and_probe):
        ours.expect_exactly(n4ws, pairs, expected)
    else:
        # Without AND the search cannot be confined to our objects; SRC-007 reports that.
        ours.expect_including(n4ws, pairs, expected)


# ------------------------------------------------------------------ GetNoarksak


@requirement("N4WS-SRC-001")
@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("{mixed}", ["t1", "t2", "t3", "t4", "t5", "t6"]),
        ("saK {mixed} sTOR", ["t1", "t2", "t3"]),
        ("BYGGESAK {lower} STORGATA", ["t1", "t2", "t3"]),
        ("byggesak {upper} storgata 5", ["t3"]),
        ("kLAGE PÅ vedtak {upper}", ["t4"]),
        ("ærlig ØL på åSEN {mixed}", ["t5", "t6"]),
        ("ÆRLIG ØL PÅ ÅSEN {lower}", ["t5", "t6"]),
        ("søknad om ærlig øl på åsen {upper}", ["t5", "t6"]),
        ("byggesak {lower} storgata 1", []),
        ("bygge sak {lower}", []),
    ],
)
def test_satittel_is_a_case_insensitive_substring(
    n4ws: Archive, spelt: Data, fragment: str, expected: list[str]
) -> None:
    spelt.saker.expect_exactly(n4ws, [("saTittel", _fill(spelt, fragment))], expected)


SA_STATUS = {"B": ["c1", "c3", "c5"], "R": ["c2", "c4"], "F": ["c6"]}


@requirement("N4WS-SRC-002")
@pytest.mark.parametrize("status", list(SA_STATUS))
def test_sastatus_is_an_exact_match(n4ws: Archive, data: Data, status: str) -> None:
    pairs = [("saStatus", status), ("saTittel", data.token)]
    _confined(n4ws, data.saker, pairs, SA_STATUS[status], _sak_and(data))
    # A lower-case code is not the code: no valid case has status "b".
    expect_nothing_found(
        n4ws, "GetNoarksak", [("saStatus", status.lower())], "a status in the wrong case"
    )


@requirement("N4WS-SRC-002")
def test_sasaar_is_an_exact_match(n4ws: Archive, data: Data) -> None:
    years = {o.saSaar for o in data.saker.by_label.values()}
    for year in sorted(years):
        expected = [k for k, o in data.saker.by_label.items() if o.saSaar == year]
        _confined(
            n4ws,
            data.saker,
            [("saSaar", str(year)), ("saTittel", data.token)],
            expected,
            _sak_and(data),
        )
    year = min(years)
    if and_holds(n4ws, "GetNoarksak", _sak_and(data)):
        data.saker.expect_exactly(n4ws, [("saSaar", str(year - 10)), ("saTittel", data.token)], [])
    # Parts of the year are other years, in which nobody registered anything.
    for part in (str(year)[:2], str(year)[:3], str(year)[1:]):
        expect_nothing_found(n4ws, "GetNoarksak", [("saSaar", part)], f"a part of the year {year}")


@requirement("N4WS-SRC-003")
@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        # Exact: the whole value, case included.
        ("saAnsvinit", "ÅSE{upper}", ["c1"]),
        ("saAnsvinit", "ÅSE{upper}X", ["c2"]),
        ("saAnsvinit", "åse{lower}", ["c3"]),
        ("saAnsvinit", "SE{upper}", []),
        ("saAnsvinit", "ÅSE{upper}XX", []),
        ("saAdmkort", "PLAN{upper}", ["c1"]),
        ("saAdmkort", "plan{lower}", ["c2"]),
        ("saAdmkort", "NÆR{upper}", ["c3"]),
        ("saAdmkort", "LAN{upper}", []),
        ("saAdmkort", "nær{lower}", []),
        ("klOrdnver", "{upper}-L42", ["c1"]),
        ("klOrdnver", "{upper}-K", ["c1"]),
        ("klOrdnver", "{upper}-L4", ["c2"]),
        ("klOrdnver", "{lower}-l4", []),
        ("klOrdnver", "{upper}-L", []),
        # Case-insensitive substring over every party of the case.
        ("spNavn", "nordmann {mixed}", ["c1"]),
        ("spNavn", "ANLEGG as {lower}", ["c1"]),
        ("spNavn", "ÅSE ØDEGÅRD {upper}", ["c2"]),
        ("spNavn", "ærlig mat AS {mixed}", ["c3"]),
        ("spNavn", " as {mixed}", ["c1", "c3"]),
        ("spNavn", "per {lower}", []),
    ],
)
def test_full_case_fields_match_as_the_profile_says(
    n4ws: Archive, data: Data, field: str, value: str, expected: list[str]
) -> None:
    data.saker.expect_exactly(n4ws, [(field, _fill(data, value))], expected)


# ------------------------------------------------------------------ GetJournpost


@requirement("N4WS-SRC-004")
@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("{mixed}", ["i1", "i2", "i3", "i4"]),
        ("HØYDE {mixed}", ["i1", "i2"]),
        ("om økt HØYDE {upper}", ["i1"]),
        ("søknad OM ØKT høyde {lower}", ["i1"]),
        ("vedtak om høyde {lower}", ["i2"]),
        ("NOTAT {upper} 50% FERDIG", ["i3"]),
        ("{mixed} 50%", ["i3"]),
        ("ettersendt DOKUMENTASJON {upper}", ["i4"]),
        ("vedtak om høyde {lower}x", []),
        ("notat  {lower}", []),
    ],
)
def test_jpinnhold_is_a_case_insensitive_substring(
    n4ws: Archive, spelt: Data, fragment: str, expected: list[str]
) -> None:
    spelt.poster.expect_exactly(n4ws, [("jpInnhold", _fill(spelt, fragment))], expected)


JP_CODES = [
    ("jpStatus", "M", ["e1"]),
    ("jpStatus", "R", ["e2", "e3", "e5"]),
    ("jpStatus", "J", ["e4"]),
    ("jpNdoktype", "I", ["e1", "e4"]),
    ("jpNdoktype", "U", ["e2"]),
    ("jpNdoktype", "N", ["e3"]),
    ("jpNdoktype", "X", ["e5"]),
]


@requirement("N4WS-SRC-005")
@pytest.mark.parametrize(("field", "code", "expected"), JP_CODES)
def test_jpstatus_and_jpndoktype_are_exact_matches(
    n4ws: Archive, data: Data, field: str, code: str, expected: list[str]
) -> None:
    pairs = [(field, code), ("jpInnhold", data.token)]
    _confined(n4ws, data.poster, pairs, expected, _jp_and(data))
    expect_nothing_found(n4ws, "GetJournpost", [(field, code.lower())], "a code in the wrong case")


@requirement("N4WS-SRC-006")
def test_jpjdato_is_an_exact_date(n4ws: Archive, data: Data) -> None:
    stored = data.poster.by_label
    dates = {label: n4ws.jp(o.jpId).jpJdato for label, o in stored.items()}
    for day in sorted(set(dates.values())):
        expected = [label for label, d in dates.items() if d == day]
        pairs = [("jpJdato", day.isoformat()), ("jpInnhold", data.token)]
        _confined(n4ws, data.poster, pairs, expected, _jp_and(data))
    day = min(dates.values())
    if and_holds(n4ws, "GetJournpost", _jp_and(data)):
        for other in (day - dt.timedelta(days=1), day + dt.timedelta(days=400)):
            data.poster.expect_exactly(
                n4ws, [("jpJdato", other.isoformat()), ("jpInnhold", data.token)], []
            )
    # A month or a year is not a date: exact matching finds nothing (or refuses the value).
    for part in (day.isoformat()[:7], day.isoformat()[:4]):
        expect_nothing_found(n4ws, "GetJournpost", [("jpJdato", part)], f"a part of {day}")


@requirement("N4WS-SRC-006")
@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("NORDMANN {mixed}", ["e1"]),
        ("kari nordmann {lower}", ["e1"]),
        ("ødegård {upper}", ["e2"]),
        ("ÅSE ØDEGÅRD {mixed}", ["e2"]),
        ("anlegg AS {upper}", ["e2"]),
        ("per {lower}", []),
    ],
)
def test_amnavn_is_a_case_insensitive_substring(
    n4ws: Archive, data: Data, fragment: str, expected: list[str]
) -> None:
    data.poster.expect_exactly(n4ws, [("amNavn", _fill(data, fragment))], expected)


# ------------------------------------------------------------------ AND


# Texts here are spelt as stored: AND is judged apart from case-insensitivity.
SAK_AND = [
    ([("saTittel", "{lower}"), ("saStatus", "R")], ["c2", "c4"]),
    ([("saTittel", "Byggesak {lower}"), ("saTittel", "Klage {lower}")], []),
    ([("saTittel", "Storgata"), ("saTittel", "{lower} Storgata 5")], ["c3"]),
    ([("saTittel", "{lower}"), ("saStatus", "B"), ("saTittel", "Søknad")], ["c5"]),
]
JP_AND = [
    ([("jpInnhold", "{lower}"), ("jpNdoktype", "I"), ("jpStatus", "J")], ["e4"]),
    ([("jpInnhold", "høyde {lower}"), ("jpNdoktype", "U")], ["e2"]),
    ([("jpInnhold", "Notat {lower}"), ("jpNdoktype", "I")], []),
    ([("jpInnhold", "{lower}"), ("jpStatus", "M"), ("jpNdoktype", "U")], []),
]


@requirement("N4WS-SRC-007")
@pytest.mark.parametrize(
    ("operation", "criteria", "expected"),
    [("GetNoarksak", c, e) for c, e in SAK_AND] + [("GetJournpost", c, e) for c, e in JP_AND],
)
def test_criteria_combine_with_and(
    n4ws: Archive, data: Data, operation: str, criteria: list[Pair], expected: list[str]
) -> None:
    ours = data.saker if operation == "GetNoarksak" else data.poster
    pairs = [(n, _fill(data, v)) for n, v in criteria]
    ours.expect_exactly(n4ws, pairs, expected)


# ------------------------------------------------------------------ unknown fields


@requirement("N4WS-SRC-008")
@pytest.mark.parametrize("operation", ["GetNoarksak", "GetJournpost"])
@pytest.mark.parametrize(
    "criteria",
    [
        [("tpnUkjentFelt", "{lower}")],
        [("saTitle", "{lower}")],
        [("{known}", "{lower}"), ("tpnUkjentFelt", "{lower}")],
    ],
    ids=["unknown", "misspelt", "unknown-with-known"],
)
def test_an_unknown_search_field_is_an_error(
    n4ws: Archive, data: Data, operation: str, criteria: list[Pair]
) -> None:
    known = "saTittel" if operation == "GetNoarksak" else "jpInnhold"
    pairs = [(n.format(known=known), v.format(lower=data.token)) for n, v in criteria]
    call = n4ws.get_sak if operation == "GetNoarksak" else n4ws.get_jp
    expect_status(
        call(searchCriteria=_crit(pairs)),
        "ERROR",
        operation,
        f"searchCriteria {' AND '.join(f'{n}={v!r}' for n, v in pairs)}: "
        f"a field the profile does not define",
    )


# ------------------------------------------------------------------ order


# The case (index into the cases made) of each entry made, interleaved across cases.
MADE = [1, 0, 1, 3, 1, 0]


@pytest.fixture(scope="module")
def numbered(n4ws: Archive) -> tuple[str, list[Any], list[Any]]:
    """Cases and entries whose stored and alphabetical order differ from their numbers."""
    t = word(n4ws)
    # Titles run backwards in the alphabet, so a title order is not the number order.
    saker = [n4ws.new_sak(f"Rekkefolge {t} {c}") for c in "edcba"]
    poster = [n4ws.new_jp(saker[i], f"Post {t} {c}") for i, c in zip(MADE, "fedcba", strict=True)]
    # Change the earliest ones, so an order by change time is not the number order either.
    for sak in (saker[0], saker[2]):
        expect_ok(n4ws.put_sak(saId=sak.saId, saTittel=f"{sak.saTittel} (endret)"), "PutNoarksak")
    for jp in (poster[0], poster[2]):
        expect_ok(n4ws.update_jp(jp, jpInnhold=f"{jp.jpInnhold} (endret)"), "PutJournpost")
    return t, saker, poster


@requirement("N4WS-SRC-009")
def test_cases_come_in_case_number_order(
    n4ws: Archive, numbered: tuple[str, list[Any], list[Any]]
) -> None:
    t, saker, _ = numbered
    pairs = [("saTittel", t)]
    got = [(s.saSaar, s.saSeknr) for s in search(n4ws, "GetNoarksak", pairs)]
    want = sorted((s.saSaar, s.saSeknr) for s in saker)
    assert got == want, (
        f"{_show('GetNoarksak', pairs)}: the profile expects the cases in case-number order "
        f"{want}, got {got}"
    )


@requirement("N4WS-SRC-009")
def test_entries_come_in_journal_number_order(
    n4ws: Archive, numbered: tuple[str, list[Any], list[Any]]
) -> None:
    t, saker, poster = numbered
    pairs = [("jpInnhold", t)]
    got = [(j.jpJaar, j.jpSeknr) for j in search(n4ws, "GetJournpost", pairs)]
    want = sorted((j.jpJaar, j.jpSeknr) for j in poster)
    assert got == want, (
        f"{_show('GetJournpost', pairs)}: the profile expects the entries in journal-number "
        f"order {want}, got {got}"
    )
    # The entries of one case, by saId and nested in its case, come in the same order.
    sak = saker[1]
    want = sorted((j.jpJaar, j.jpSeknr) for j, i in zip(poster, MADE, strict=True) if i == 1)
    resp = expect_ok(n4ws.get_jp(saId=sak.saId), f"GetJournpost by saId {sak.saId}")
    got = [(j.jpJaar, j.jpSeknr) for j in objects(resp)]
    assert got == want, (
        f"GetJournpost by saId {sak.saId}: the profile expects the case's entries in "
        f"journal-number order {want}, got {got}"
    )
    nested = n4ws.sak(sak.saId, returnJposts=True).journpost or []
    got = [(j.jpJaar, j.jpSeknr) for j in nested]
    assert got == want, (
        f"GetNoarksak by saId {sak.saId} with returnJposts: the profile expects the entries "
        f"in journal-number order {want}, got {got}"
    )


@requirement("N4WS-SRC-009")
@pytest.mark.parametrize(
    ("operation", "field"), [("GetNoarksak", "saTittel"), ("GetJournpost", "jpInnhold")]
)
def test_a_search_that_matches_nothing_is_an_empty_ok(
    n4ws: Archive, operation: str, field: str
) -> None:
    pairs = [(field, f"{n4ws.token()} finnes ikke")]
    call = n4ws.get_sak if operation == "GetNoarksak" else n4ws.get_jp
    resp = expect_status(
        call(searchCriteria=_crit(pairs)), "OK", _show(operation, pairs), "matches nothing"
    )
    found = objects(resp)
    assert not found, (
        f"{_show(operation, pairs)}: the profile expects OK with no objects, got {len(found)}"
    )
