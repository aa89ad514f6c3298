"""``tpn.fixtures.identifiers``: the century rules, the D-number and synthetic schemes, every
reason a number can fail for, and the generators.

Only numbers no living person can have appear here: synthetic ones (month + 40 or + 80) and
real-format ones born 2030-2039 (individual number 500-999); organisation numbers start with 3.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tpn.fixtures import identifiers
from tpn.fixtures.identifiers import Check, Kind

K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
ORG = (3, 2, 7, 6, 5, 4, 3, 2)


def mod11(digits: str, weights: tuple[int, ...]) -> int:
    """The standard's formula, written out once more: 11 - (sum mod 11), 11 -> 0 (10 stays)."""
    k = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return 0 if k == 11 else k


def make(head: str) -> str:
    """``head`` (nine digits) with its two check digits; the test fails where they would be 10."""
    k1 = mod11(head, K1)
    k2 = mod11(f"{head}{k1}", K2)
    assert k1 != 10 and k2 != 10, f"{head} has no valid check digits"
    return f"{head}{k1}{k2}"


def first_valid(prefix: str, individuals: range) -> str:
    """The first valid number ``prefix`` (DDMMYY) + individual number, from ``individuals``."""
    for individual in individuals:
        head = f"{prefix}{individual:03d}"
        k1 = mod11(head, K1)
        if k1 != 10 and mod11(f"{head}{k1}", K2) != 10:
            return make(head)
    raise AssertionError(f"no valid number for {prefix}")


def with_digit(number: str, index: int, digit: int) -> str:
    return number[:index] + str(digit) + number[index + 1 :]


# ---------------------------------------------------------------------- centuries


@pytest.mark.parametrize(
    ("prefix", "individuals", "born"),
    [
        # 000-499: 1900-1999, whatever the year digits
        ("150805", range(0, 500), dt.date(1905, 8, 15)),
        ("150899", range(0, 500), dt.date(1999, 8, 15)),
        ("150840", range(0, 500), dt.date(1940, 8, 15)),
        # 500-749 with year 54-99: 1854-1899
        ("150854", range(500, 750), dt.date(1854, 8, 15)),
        ("150899", range(500, 750), dt.date(1899, 8, 15)),
        # 500-999 with year 00-39: 2000-2039
        ("150800", range(500, 1000), dt.date(2000, 8, 15)),
        ("150839", range(500, 1000), dt.date(2039, 8, 15)),
        ("150812", range(750, 900), dt.date(2012, 8, 15)),
        # 900-999 with year 40-99: 1940-1999
        ("150840", range(900, 1000), dt.date(1940, 8, 15)),
        ("150899", range(900, 1000), dt.date(1999, 8, 15)),
    ],
)
@pytest.mark.parametrize("scheme", [80, 40])
def test_century_from_individual_number_and_year(
    prefix: str, individuals: range, born: dt.date, scheme: int
) -> None:
    synthetic = prefix[:2] + f"{int(prefix[2:4]) + scheme:02d}" + prefix[4:]
    number = first_valid(synthetic, individuals)
    assert int(number[6:9]) in individuals
    assert identifiers.birth_date(number) == born
    assert identifiers.check(number) == Check(number, Kind.FNR_SYNTHETIC)


@pytest.mark.parametrize(
    ("year", "individual"),
    [
        (40, 500),
        (53, 749),
        (45, 613),
        (40, 750),
        (53, 899),
        (54, 750),
        (99, 899),
        (80, 800),
    ],
)
def test_individual_numbers_that_give_no_century(year: int, individual: int) -> None:
    # 500-749 with year 40-53, and 750-899 with year 40-99: no such number was ever issued.
    number = make(f"0181{year:02d}{individual:03d}")
    verdict = identifiers.check(number)
    assert verdict.kind == Kind.FNR_SYNTHETIC
    assert verdict.reason == (
        f"individual number {individual:03d} with year {year:02d} gives no century "
        "(500-749 needs year 54-99 or 00-39, 750-899 needs year 00-39)"
    )
    with pytest.raises(ValueError, match="gives no century"):
        identifiers.birth_date(number)


def test_the_edges_of_each_century_rule() -> None:
    cases = {
        ("01", 499): 1901,  # the last of 000-499
        ("54", 500): 1854,
        ("99", 749): 1899,
        ("39", 999): 2039,
        ("00", 500): 2000,
        ("40", 900): 1940,
        ("99", 999): 1999,
    }
    for (year, individual), century_year in cases.items():
        number = f"0181{year}{individual:03d}00"  # check digits do not matter to the date
        assert identifiers.birth_date(number) == dt.date(century_year, 1, 1), number


# ---------------------------------------------------------------------- kinds and schemes


def test_real_format_numbers_born_in_the_2030s() -> None:
    number = first_valid("150835", range(500, 1000))
    assert identifiers.check(number) == Check(number, Kind.FNR)
    assert not identifiers.is_synthetic(number)
    assert identifiers.birth_date(number) == dt.date(2035, 8, 15)


def test_d_number_adds_4_to_the_first_digit() -> None:
    number = first_valid("550835", range(500, 1000))  # day 15 + 40
    assert identifiers.check(number) == Check(number, Kind.DNR)
    assert identifiers.birth_date(number) == dt.date(2035, 8, 15)
    assert identifiers.check(first_valid("710135", range(500, 1000))).valid  # day 31 + 40
    assert identifiers.check(first_valid("410135", range(500, 1000))).valid  # day 1 + 40


@pytest.mark.parametrize(
    ("prefix", "kind", "born"),
    [
        ("158805", Kind.FNR_SYNTHETIC, dt.date(1905, 8, 15)),  # + 80
        ("154805", Kind.FNR_SYNTHETIC, dt.date(1905, 8, 15)),  # + 40
        ("018105", Kind.FNR_SYNTHETIC, dt.date(1905, 1, 1)),
        ("319205", Kind.FNR_SYNTHETIC, dt.date(1905, 12, 31)),
        ("014105", Kind.FNR_SYNTHETIC, dt.date(1905, 1, 1)),
        ("315205", Kind.FNR_SYNTHETIC, dt.date(1905, 12, 31)),
        ("558805", Kind.DNR_SYNTHETIC, dt.date(1905, 8, 15)),  # D-number + 80
        ("554805", Kind.DNR_SYNTHETIC, dt.date(1905, 8, 15)),  # D-number + 40
        ("719205", Kind.DNR_SYNTHETIC, dt.date(1905, 12, 31)),
    ],
)
def test_synthetic_schemes(prefix: str, kind: Kind, born: dt.date) -> None:
    number = first_valid(prefix, range(0, 500))
    assert identifiers.check(number) == Check(number, kind)
    assert identifiers.check(number, synthetic_only=True) == Check(number, kind)
    assert identifiers.is_synthetic(number)
    assert identifiers.birth_date(number) == born


def test_checksums_are_computed_on_the_modified_digits() -> None:
    number = first_valid("158805", range(0, 500))
    plain = number[:2] + "08" + number[4:]  # the same digits without the + 80
    assert not identifiers.check(plain).valid


def test_kind_names_as_tpn_id_check_prints_them() -> None:
    assert [str(k) for k in Kind] == [
        "fnr",
        "dnr",
        "fnr-synthetic",
        "dnr-synthetic",
        "orgnr",
        "unknown",
    ]


# ---------------------------------------------------------------------- reasons


SYNTHETIC = first_valid("158835", range(500, 1000))  # a valid synthetic number to break


@pytest.mark.parametrize(
    ("number", "kind", "reason"),
    [
        ("1588355", Kind.UNKNOWN, "a fødselsnummer or D-number is 11 digits"),
        ("1588355000a", Kind.UNKNOWN, "a fødselsnummer or D-number is 11 digits"),
        (
            "81883550000",
            Kind.FNR_SYNTHETIC,
            "day digits 81 are not a day (01-31, or 41-71)",
        ),
        (
            "72883550000",
            Kind.DNR_SYNTHETIC,
            "day digits 72 are not a day (01-31, or 41-71)",
        ),
        (
            "15133550000",
            Kind.FNR,
            "month digits 13 are not a month (01-12, 41-52 or 81-92)",
        ),
        (
            "15533550000",
            Kind.FNR_SYNTHETIC,
            "month digits 53 are not a month (01-12, 41-52 or 81-92)",
        ),
        (
            "15803550000",
            Kind.FNR_SYNTHETIC,
            "month digits 80 are not a month (01-12, 41-52 or 81-92)",
        ),
        (
            "15933550000",
            Kind.FNR_SYNTHETIC,
            "month digits 93 are not a month (01-12, 41-52 or 81-92)",
        ),
        (
            "00813550000",
            Kind.FNR_SYNTHETIC,
            "digits 1-4 (0081) give no date: day 00, month 01 of 2035",
        ),
        (
            "31823550000",
            Kind.FNR_SYNTHETIC,
            "digits 1-4 (3182) give no date: day 31, month 02 of 2035",
        ),
        (
            "29823950000",
            Kind.FNR_SYNTHETIC,
            "digits 1-4 (2982) give no date: day 29, month 02 of 2039",
        ),
        (
            "40813550000",
            Kind.DNR_SYNTHETIC,
            "digits 1-4 (4081) give no date: day 40, month 01 of 2035",
        ),
        (
            "01813550500",
            Kind.FNR_SYNTHETIC,
            "the first nine digits give check digit 10: no such number",
        ),
        (
            "01813551800",
            Kind.FNR_SYNTHETIC,
            "the first nine digits give check digit 10: no such number",
        ),
        (
            "01813550250",
            Kind.FNR_SYNTHETIC,
            "the first ten digits give check digit 10: no such number",
        ),
        (
            "01813551710",
            Kind.FNR_SYNTHETIC,
            "the first ten digits give check digit 10: no such number",
        ),
    ],
)
def test_each_reason_says_what_is_wrong(number: str, kind: Kind, reason: str) -> None:
    assert identifiers.check_person(number) == Check(number, kind, reason)


def test_k1_and_k2_of_10_are_found_by_the_standards_formula() -> None:
    # The hand-picked numbers above: their heads do give 10, by the formula written out here.
    assert mod11("018135505", K1) == 10
    assert mod11("018135518", K1) == 10
    assert mod11("0181355025", K2) == 10
    assert mod11("0181355171", K2) == 10


def test_a_wrong_check_digit_names_the_digit_and_the_right_value() -> None:
    k1, k2 = int(SYNTHETIC[9]), int(SYNTHETIC[10])
    wrong_k1 = with_digit(SYNTHETIC, 9, (k1 + 1) % 10)
    assert identifiers.check(wrong_k1).reason == (
        f"check digit 10 is {(k1 + 1) % 10}, the first nine give {k1}"
    )
    wrong_k2 = with_digit(SYNTHETIC, 10, (k2 + 1) % 10)
    assert identifiers.check(wrong_k2).reason == (
        f"check digit 11 is {(k2 + 1) % 10}, the first ten give {k2}"
    )


def test_every_single_digit_change_is_caught() -> None:
    # mod 11 with weights 1-9 catches any one wrong digit.
    for index in range(11):
        for digit in range(10):
            changed = with_digit(SYNTHETIC, index, digit)
            if changed != SYNTHETIC:
                assert not identifiers.check(changed).valid, changed


def test_synthetic_only_refuses_real_format_numbers() -> None:
    fnr = first_valid("150835", range(500, 1000))
    dnr = first_valid("550835", range(500, 1000))
    message = "only synthetic numbers are accepted here (month 41-52 or 81-92)"
    assert identifiers.check(fnr, synthetic_only=True) == Check(fnr, Kind.FNR, message)
    assert identifiers.check_person(dnr, synthetic_only=True) == Check(dnr, Kind.DNR, message)
    # A broken number gives its own reason first.
    broken = with_digit(fnr, 10, (int(fnr[10]) + 1) % 10)
    assert identifiers.check(broken, synthetic_only=True).reason.startswith("check digit 11")  # type: ignore[union-attr]


def test_check_dispatches_on_length_and_strips() -> None:
    org = "312345676"
    assert identifiers.check(org) == Check(org, Kind.ORGNR)
    assert identifiers.check(f" {SYNTHETIC}\n") == Check(SYNTHETIC, Kind.FNR_SYNTHETIC)
    assert identifiers.check(f"  {org} ") == Check(org, Kind.ORGNR)
    for bad in ("", "1234567890", "12345678", "123456789012", "3123 45676", "abc"):
        assert identifiers.check(bad) == Check(
            bad,
            Kind.UNKNOWN,
            "not 11 digits (fødselsnummer, D-number) or 9 digits (organisasjonsnummer)",
        )


def test_check_line() -> None:
    assert Check("312345676", Kind.ORGNR).line() == "312345676\torgnr\tvalid"
    assert Check("1", Kind.UNKNOWN, "too short").line() == "1\tunknown\tinvalid: too short"


def test_checks_never_raise_on_ascii_rubbish() -> None:
    for text in ("", " ", "\t\n", "-1234567890", "+1234567890", "1_234567890", "12.45678901"):
        assert not identifiers.check(text).valid
        assert not identifiers.check_person(text).valid
        assert not identifiers.check_orgnr(text).valid


def test_non_ascii_digits_are_not_numbers() -> None:
    # str.isdigit() is true of '²' and full-width digits: int('²') raises, and full-width
    # digits once passed as a valid number.
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in SYNTHETIC)
    for text in (full_width, "²" * 11, "²" * 9, "３１２３４５６７６", SYNTHETIC[:10] + "٣"):
        assert identifiers.check(text) == Check(
            text,
            Kind.UNKNOWN,
            "not 11 digits (fødselsnummer, D-number) or 9 digits (organisasjonsnummer)",
        )
    assert identifiers.check_person(full_width) == Check(
        full_width, Kind.UNKNOWN, "a fødselsnummer or D-number is 11 digits"
    )
    assert not identifiers.check_orgnr("²" * 9).valid
    assert not identifiers.is_synthetic(full_width)
    with pytest.raises(ValueError, match="is not 11 digits"):
        identifiers.birth_date(full_width)


def test_is_synthetic_only_for_the_two_schemes() -> None:
    for month in (*range(0, 41), *range(53, 81), *range(93, 100)):
        assert not identifiers.is_synthetic(f"15{month:02d}3550000"), month
    for month in (*range(41, 53), *range(81, 93)):
        assert identifiers.is_synthetic(f"15{month:02d}3550000"), month


# ---------------------------------------------------------------------- birth_date, is_synthetic


def test_birth_date_refuses_what_is_not_a_number() -> None:
    with pytest.raises(ValueError, match="is not 11 digits"):
        identifiers.birth_date("123")
    with pytest.raises(ValueError, match="give no date"):
        identifiers.birth_date("31823550000")


def test_is_synthetic() -> None:
    assert identifiers.is_synthetic(SYNTHETIC)
    assert not identifiers.is_synthetic(first_valid("150835", range(500, 1000)))
    assert not identifiers.is_synthetic(SYNTHETIC[:10])
    assert not identifiers.is_synthetic("a" + SYNTHETIC[1:])


# ---------------------------------------------------------------------- organisasjonsnummer


def test_orgnr_checks() -> None:
    assert identifiers.check_orgnr("312345676") == Check("312345676", Kind.ORGNR)
    assert identifiers.check_orgnr("312345675") == Check(
        "312345675", Kind.ORGNR, "check digit 9 is 5, the first eight give 6"
    )
    # 30000007 and 30000010 give check digit 10: no organisation has either.
    for base in ("30000007", "30000010"):
        assert mod11(base, ORG) == 10
        assert identifiers.orgnr(base) is None
        for last in "0123456789":
            assert identifiers.check_orgnr(base + last) == Check(
                base + last,
                Kind.ORGNR,
                "the first eight digits give check digit 10: no such number",
            )
    for bad in ("31234567", "3123456760", "31234567x", ""):
        assert identifiers.check_orgnr(bad) == Check(
            bad, Kind.UNKNOWN, "an organisasjonsnummer is 9 digits"
        )


def test_orgnr_generator_refuses_a_bad_base() -> None:
    for bad in ("3123456", "312345678", "3123456x"):
        with pytest.raises(ValueError, match="base is 8 digits"):
            identifiers.orgnr(bad)


@given(st.integers(0, 9_999_999))
def test_orgnr_generator_agrees_with_the_check(n: int) -> None:
    base = f"3{n:07d}"
    made = identifiers.orgnr(base)
    if mod11(base, ORG) == 10:
        assert made is None
        return
    assert made is not None and made.startswith(base)
    assert identifiers.check(made) == Check(made, Kind.ORGNR)
    assert identifiers.check_orgnr(made).valid


# ---------------------------------------------------------------------- kommunenummer, postnummer


def test_kommunenummer() -> None:
    assert identifiers.check_kommunenummer("0301") is None
    assert identifiers.check_kommunenummer("4601", {"4601", "0301"}) is None
    assert identifiers.check_kommunenummer("4602", {"4601"}) == (
        "kommunenummer 4602 is not a municipality known to the project"
    )
    assert identifiers.check_kommunenummer("0042") == (
        "kommunenummer 0042: the first two digits are the county and cannot be 00"
    )
    for bad in ("301", "03011", "03a1", "", "０３０１"):
        assert identifiers.check_kommunenummer(bad) == f"a kommunenummer is 4 digits, got {bad!r}"


def test_postnummer() -> None:
    for good in ("0001", "0150", "5003", "9990"):
        assert identifiers.check_postnummer(good) is None
    for bad in ("150", "01500", "01a0", "", " 150", "０１５０"):
        assert identifiers.check_postnummer(bad) == f"a postnummer is 4 digits, got {bad!r}"


# ---------------------------------------------------------------------- generators


DATES = st.dates(dt.date(1854, 1, 1), dt.date(2039, 12, 31))
FUTURE = st.dates(dt.date(2030, 1, 1), dt.date(2039, 12, 31))


@given(
    born=DATES,
    start=st.integers(0, 200),
    dnr=st.booleans(),
    scheme=st.sampled_from([40, 80]),
)
def test_first_fnr_makes_valid_synthetic_numbers(
    born: dt.date, start: int, dnr: bool, scheme: int
) -> None:
    number = identifiers.first_fnr(born, start, dnr=dnr, scheme=scheme)
    kind = Kind.DNR_SYNTHETIC if dnr else Kind.FNR_SYNTHETIC
    assert identifiers.check(number, synthetic_only=True) == Check(number, kind)
    assert identifiers.birth_date(number) == born
    assert int(number[2:4]) == born.month + scheme
    assert int(number[:2]) == born.day + (40 if dnr else 0)
    # The number is made from the start-th individual number of the century's range or later.
    low = {1800: 500, 1900: 0, 2000: 500}[born.year // 100 * 100]
    assert int(number[6:9]) >= low + start
    # and it is the standard's check digits, computed independently
    assert number == make(number[:9])


@given(born=FUTURE, start=st.integers(0, 400), dnr=st.booleans())
def test_first_fnr_makes_valid_real_format_numbers(born: dt.date, start: int, dnr: bool) -> None:
    number = identifiers.first_fnr(born, start, synthetic=False, dnr=dnr)
    assert identifiers.check(number) == Check(number, Kind.DNR if dnr else Kind.FNR)
    assert identifiers.birth_date(number) == born
    assert int(number[6:9]) >= 500 + start


@given(born=DATES, individual=st.integers(0, 999), scheme=st.sampled_from([40, 80]))
def test_fnr_is_none_or_valid(born: dt.date, individual: int, scheme: int) -> None:
    number = identifiers.fnr(born, individual, scheme=scheme)
    yy = born.year % 100
    fits = {
        1800: 500 <= individual <= 749,
        1900: individual <= 499 or (individual >= 900 and yy >= 40),
        2000: individual >= 500,
    }[born.year // 100 * 100]
    if not fits:
        assert number is None
        return
    head = f"{born.day:02d}{born.month + scheme:02d}{yy:02d}{individual:03d}"
    k1 = mod11(head, K1)
    if k1 == 10 or mod11(f"{head}{k1}", K2) == 10:
        assert number is None
        return
    assert number == make(head)
    assert identifiers.check(number, synthetic_only=True).valid


def test_different_starts_give_different_people() -> None:
    born = dt.date(1985, 5, 17)
    numbers = {identifiers.first_fnr(born, start) for start in range(0, 400, 10)}
    assert len(numbers) == 40


def test_generators_refuse_bad_arguments() -> None:
    born = dt.date(1985, 5, 17)
    with pytest.raises(ValueError, match="scheme is 40 or 80"):
        identifiers.fnr(born, 1, scheme=50)
    with pytest.raises(ValueError, match="individual is 000-999"):
        identifiers.fnr(born, 1000)
    with pytest.raises(ValueError, match="individual is 000-999"):
        identifiers.fnr(born, -1)
    for year in (1853, 2040):
        with pytest.raises(ValueError, match=r"no fødselsnummer for birth year .* \(1854-2039\)"):
            identifiers.first_fnr(dt.date(year, 1, 1))
    with pytest.raises(ValueError, match="no valid number for 1985-05-17"):
        identifiers.first_fnr(born, 500)


def test_fnr_refuses_an_individual_number_outside_the_century() -> None:
    assert identifiers.fnr(dt.date(1985, 5, 17), 600) is None  # 500-899 are not 1940-1999
    assert identifiers.fnr(dt.date(2035, 5, 17), 100) is None  # 000-499 are 1900-1999
    assert identifiers.fnr(dt.date(1870, 5, 17), 800) is None  # 750-999 are not 1854-1899
