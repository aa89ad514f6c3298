"""Synthetic identities for the suite's data (``shared/standards/identifiers.md``).

Only the synthetic fødselsnummer series (month + 80) is used, so nothing the suite writes into
a vendor's archive can be a real person's number. The check digits are the project's identifier
module's (``tpn.fixtures.identifiers``).
"""

from __future__ import annotations

import datetime as dt

from tpn.fixtures import identifiers


def synthetic_fnr(day: int, month: int, yy: int, individual: int = 100) -> str:
    """A synthetic fødselsnummer (month + 80) with valid check digits: the first valid
    individual number from ``individual`` on (000-499: born 1900-1999)."""
    born = dt.date(1900 + yy, month, day)
    for ind in range(individual, 500):
        number = identifiers.fnr(born, ind)
        if number is not None:
            return number
    raise ValueError(f"no valid individual number from {individual} for {day}.{month}.{yy}")
