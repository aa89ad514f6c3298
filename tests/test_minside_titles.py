"""The title rule, by property: any title with a fødselsnummer or D-number written in it (plain,
or split by a separator) is refused; any printable title of at most 100 characters without one
is accepted. Run on ``MinSide`` in process (the wire tests cover the SOAP side)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ms_support import CITIZEN, ORG

from tpn.fixtures import identifiers
from tpn.mocks.core.store import Store
from tpn.mocks.minside.minside import MeldingInn, MinSide
from tpn.mocks.minside.rules import TITLE_MAX, Rejected, fnr_in_text


@pytest.fixture(scope="module")
def minside() -> Iterator[MinSide]:
    yield MinSide(Store())


@st.composite
def numbers(draw: st.DrawFn) -> str:
    """A valid fødselsnummer or D-number, real-format (a future birth date) or synthetic."""
    synthetic = draw(st.booleans())
    year = draw(st.integers(1940, 2006)) if synthetic else draw(st.integers(2030, 2039))
    born = dt.date(year, draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    dnr = draw(st.booleans())
    found = identifiers.fnr(
        born,
        draw(st.integers(500, 999)) if year >= 2000 else draw(st.integers(0, 499)),
        synthetic=synthetic,
        dnr=dnr,
    )
    assume(found is not None)
    assert found is not None
    return found


def written(number: str, separator: str, split: int) -> str:
    return number if not separator else number[:split] + separator + number[split:]


_edge = st.text(
    st.characters(
        blacklist_categories=("Cs",), blacklist_characters="0123456789 .-\u00a0\u2009\u202f"
    ),
    max_size=30,
)


def _melding(tittel: str, ref: str) -> MeldingInn:
    return MeldingInn(CITIZEN, ORG, "Oslo kommune", tittel, "tekst", None, 3, ref)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    number=numbers(),
    separator=st.sampled_from(["", " ", "-", ".", "\u00a0"]),
    split=st.sampled_from([6, 4, 2]),
    before=_edge,
    after=_edge,
)
def test_any_title_with_a_written_number_is_refused(
    minside: MinSide, number: str, separator: str, split: int, before: str, after: str
) -> None:
    title = f"{before} {written(number, separator, split)} {after}"[:TITLE_MAX]
    assume(len(f"{before} {written(number, separator, split)}") <= TITLE_MAX)
    assert fnr_in_text(title) == number
    with pytest.raises(Rejected) as refused:
        minside.send(_melding(title, "ref"))
    assert refused.value.code == "FNR_IN_TITLE"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=st.text(
        st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=TITLE_MAX
    ).filter(lambda t: t.strip())
)
def test_any_printable_title_without_a_number_is_accepted(minside: MinSide, title: str) -> None:
    assume(fnr_in_text(title) is None)
    sent = minside.send(_melding(title, f"ref-{hash(title)}"))
    assert sent.meldingId


@pytest.mark.parametrize(
    "title",
    [
        "Saksnummer 2007/123456",
        "Ordre 123456789012345",  # a longer unbroken number is another kind of number
        "Tlf 22 33 44 55",
        "Søknad om barnehageplass for Kari",
    ],
)
def test_other_numbers_are_not_taken_for_one(title: str) -> None:
    assert fnr_in_text(title) is None


def test_a_fullwidth_number_is_still_a_number() -> None:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in CITIZEN)
    assert fnr_in_text(f"Kvittering {fullwidth}") == CITIZEN
