"""Synthetic identities for the suite's data (``shared/standards/identifiers.md``).

Only the synthetic fødselsnummer series (month + 80) is used, so nothing the suite writes into
a vendor's archive can be a real person's number. (The project's full identifier module, with
D-numbers and organisation numbers, comes with the KS skjema-XML work.)
"""

from __future__ import annotations

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    k = 11 - sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    return None if k == 10 else 0 if k == 11 else k


def synthetic_fnr(day: int, month: int, yy: int, individual: int = 100) -> str:
    """A synthetic fødselsnummer (month + 80) with valid check digits: the first valid
    individual number from ``individual`` on (000-499: born 1900-1999)."""
    for ind in range(individual, 500):
        digits = [int(c) for c in f"{day:02d}{month + 80:02d}{yy:02d}{ind:03d}"]
        k1 = _check_digit(digits, _W1)
        if k1 is None:
            continue
        k2 = _check_digit([*digits, k1], _W2)
        if k2 is None:
            continue
        number = "".join(map(str, [*digits, k1, k2]))
        if not 81 <= int(number[2:4]) <= 92:
            raise ValueError(f"{number} is not in the synthetic series")
        return number
    raise ValueError(f"no valid individual number from {individual} for {day}.{month}.{yy}")
