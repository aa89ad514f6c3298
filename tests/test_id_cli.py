"""``tpn id check``: one tab-separated line per number, exit 0/1/2, numbers from stdin.

The numbers are synthetic (month + 80 or + 40), real-format but born in 2035 (individual
number 500-999), or organisation numbers that start with 3: none can be a real one.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest

from tpn.fixtures import identifiers
from tpn.harness.cli import main

SYNTHETIC = identifiers.first_fnr(dt.date(1985, 5, 17))  # month + 80
SYNTHETIC_40 = identifiers.first_fnr(dt.date(1985, 5, 17), scheme=40)
SYNTHETIC_DNR = identifiers.first_fnr(dt.date(1985, 5, 17), dnr=True)
REAL_FORMAT = identifiers.first_fnr(dt.date(2035, 5, 17), synthetic=False)
REAL_FORMAT_DNR = identifiers.first_fnr(dt.date(2035, 5, 17), synthetic=False, dnr=True)
ORGNR = "312345676"
BAD_K2 = SYNTHETIC[:10] + str((int(SYNTHETIC[10]) + 1) % 10)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["id", "check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_all_valid_exit_0_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        [SYNTHETIC, SYNTHETIC_40, SYNTHETIC_DNR, REAL_FORMAT, REAL_FORMAT_DNR, ORGNR], capsys
    )
    assert code == 0
    assert err == ""
    assert out == (
        f"{SYNTHETIC}\tfnr-synthetic\tvalid\n"
        f"{SYNTHETIC_40}\tfnr-synthetic\tvalid\n"
        f"{SYNTHETIC_DNR}\tdnr-synthetic\tvalid\n"
        f"{REAL_FORMAT}\tfnr\tvalid\n"
        f"{REAL_FORMAT_DNR}\tdnr\tvalid\n"
        f"{ORGNR}\torgnr\tvalid\n"
    )


def test_any_invalid_exit_1_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([SYNTHETIC, BAD_K2, "312345675", "12345"], capsys)
    assert code == 1
    assert err == ""
    assert out.splitlines() == [
        f"{SYNTHETIC}\tfnr-synthetic\tvalid",
        f"{BAD_K2}\tfnr-synthetic\tinvalid: check digit 11 is {BAD_K2[10]}, "
        f"the first ten give {SYNTHETIC[10]}",
        "312345675\torgnr\tinvalid: check digit 9 is 5, the first eight give 6",
        "12345\tunknown\tinvalid: not 11 digits (fødselsnummer, D-number) or 9 digits "
        "(organisasjonsnummer)",
    ]


def test_each_line_is_check_line(capsys: pytest.CaptureFixture[str]) -> None:
    numbers = [SYNTHETIC, BAD_K2, "01814550000", "81813550000", ORGNR, "x"]
    code, out, _ = run(numbers, capsys)
    assert code == 1
    assert out.splitlines() == [identifiers.check(n).line() for n in numbers]
    assert all(line.count("\t") == 2 for line in out.splitlines())


def test_synthetic_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--synthetic-only", SYNTHETIC, SYNTHETIC_DNR, ORGNR], capsys)
    assert code == 0
    code, out, _ = run([REAL_FORMAT, "--synthetic-only"], capsys)
    assert code == 1
    assert out == (
        f"{REAL_FORMAT}\tfnr\tinvalid: only synthetic numbers are accepted here "
        "(month 41-52 or 81-92)\n"
    )
    # Without the flag the same number is valid.
    assert run([REAL_FORMAT], capsys)[0] == 0


def test_numbers_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{SYNTHETIC}\n\n  {ORGNR}  \n\t\n{BAD_K2}"))
    code, out, _ = run(["-"], capsys)
    assert code == 1
    assert [line.split("\t")[:2] for line in out.splitlines()] == [
        [SYNTHETIC, "fnr-synthetic"],
        [ORGNR, "orgnr"],
        [BAD_K2, "fnr-synthetic"],
    ]


def test_stdin_mixed_with_arguments_keeps_the_order(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{SYNTHETIC_40}\r\n{SYNTHETIC_DNR}\r\n"))
    code, out, _ = run([SYNTHETIC, "-", ORGNR], capsys)
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == [
        SYNTHETIC,
        SYNTHETIC_40,
        SYNTHETIC_DNR,
        ORGNR,
    ]


def test_empty_stdin_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n \n"))
    code, out, err = run(["-"], capsys)
    assert code == 2
    assert out == ""
    assert err == "tpn id check: error: no numbers to check (stdin had none)\n"


def test_a_long_stdin_streams(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = [
        identifiers.first_fnr(dt.date(1990, 1, 1) + dt.timedelta(days=i)) for i in range(3000)
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(numbers)))
    code, out, _ = run(["-"], capsys)
    assert code == 0
    assert out.splitlines() == [f"{n}\tfnr-synthetic\tvalid" for n in numbers]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: NUMBER"),
        (["--bogus", SYNTHETIC], "unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["id", "check", *argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_id_needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["id"])
    assert exit_.value.code == 2
    assert "ACTION" in capsys.readouterr().err
