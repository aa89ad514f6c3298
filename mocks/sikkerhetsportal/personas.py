"""The personas a tester can log in as, with what matters for choosing one.

The login page lists the synthetic population's adults (``tpn.fixtures.population``), each with
the facts a tester picks a persona by: age on the portal's day (its test clock), children and
their ages (forms for barnehage, SFO, kulturskole need them), and roles in organisations (an
organisation's form is sent by its daglig leder or styreleder). ``find`` filters them by a
search for name, number, organisation name or organisasjonsnummer; no JavaScript needed, the
page sends the search to the portal.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from tpn.fixtures import population
from tpn.mocks.core.panels import Panel

__all__ = ["ADULT", "MAX_QUERY", "Choice", "Role", "choices", "find", "panel"]

ADULT = 18  # the youngest a persona who logs in may be
MAX_QUERY = 100  # characters of a search; a longer one is refused, politely

# Enhetsregisteret's role codes, as a tester reads them.
ROLE_NAMES = {
    "DAGL": "daglig leder",
    "LEDE": "styreleder",
    "NEST": "nestleder",
    "INNH": "innehaver",
    "MEDL": "styremedlem",
    "KONT": "kontaktperson",
}


@dataclass(frozen=True)
class Role:
    organisasjon: str  # the organisation's name
    orgnr: str
    rolle: str  # in words (ROLE_NAMES), or the code where it has none

    def __str__(self) -> str:
        return f"{self.rolle}, {self.organisasjon} ({self.orgnr})"


@dataclass(frozen=True)
class Choice:
    """One persona as the login page shows it."""

    foedselsnummer: str
    navn: str
    alder: int
    barn: tuple[int, ...]  # the children's ages, eldest first
    roller: tuple[Role, ...]
    kommune: str
    dnr: bool

    def matches(self, words: list[str]) -> bool:
        """Every word of a search is in the persona's name, number, municipality, or one of
        their organisations' names or numbers (case-insensitive)."""
        haystack = " ".join(
            [self.foedselsnummer, self.navn, self.kommune]
            + [f"{r.organisasjon} {r.orgnr}" for r in self.roller]
        ).casefold()
        return all(word in haystack for word in words)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@functools.cache
def _roles() -> dict[str, tuple[Role, ...]]:
    """Every adult's roles, by fødselsnummer: a role in the register, or the contact person
    of an organisation that records no role for them."""
    found: dict[str, list[Role]] = {}
    for org in population.organisations():
        holders = set()
        for rolle in org.roller:
            holders.add(rolle.person)
            name = ROLE_NAMES.get(rolle.rolle, rolle.rolle)
            found.setdefault(rolle.person, []).append(Role(org.navn, org.organisasjonsnummer, name))
        if org.kontaktperson not in holders:
            found.setdefault(org.kontaktperson, []).append(
                Role(org.navn, org.organisasjonsnummer, ROLE_NAMES["KONT"])
            )
    return {person: tuple(roles) for person, roles in found.items()}


def choices(on: dt.date) -> list[Choice]:
    """The adults on ``on``, in the population's order."""
    roles = _roles()
    kommuner = {m.kommunenummer: m.navn for m in population.municipalities()}
    out = []
    for p in population.personas():
        age = _age(p.born, on)
        if age < ADULT:
            continue
        children = sorted((population.persona(c) for c in p.children), key=lambda c: c.born)
        out.append(
            Choice(
                foedselsnummer=p.foedselsnummer,
                navn=p.navn,
                alder=age,
                barn=tuple(_age(c.born, on) for c in children if c.born <= on),
                roller=roles.get(p.foedselsnummer, ()),
                kommune=kommuner.get(p.address.kommunenummer, p.address.kommunenummer),
                dnr=p.dnr,
            )
        )
    return out


def find(on: dt.date, query: str) -> list[Choice]:
    """The adults on ``on`` that a search matches (all of them for an empty one). The caller
    bounds the query (``MAX_QUERY``) before it gets here."""
    words = query.casefold().split()
    return [c for c in choices(on) if c.matches(words)]


def panel(on: dt.date) -> Panel:
    """The personas to log in with, as the journal page lists them (``Part.panels``)."""
    rows = tuple(
        (
            c.navn,
            c.foedselsnummer + (" (D-number)" if c.dnr else ""),
            str(c.alder),
            c.kommune,
            ", ".join(str(age) for age in c.barn) or "none",
            "; ".join(str(r) for r in c.roller) or "none",
        )
        for c in choices(on)
    )
    return Panel(
        title="Personas to log in with",
        columns=("Name", "Fødselsnummer", "Age", "Kommune", "Children's ages", "Roles"),
        rows=rows,
        note=(
            "The security portal's synthetic adults, aged on the test clock's day. A service "
            "that logs in through the portal (MinSide at /minside/) sends you to its login page: "
            "search for one of them, choose a login method (MinID gives level 3; BankID, "
            "Buypass and Commfides level 4) and log in. There are no passwords."
        ),
    )
