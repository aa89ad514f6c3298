"""The register's data: the synthetic population's organisations, read-only, and its code lists.

Enhetsregisteret is reference data here, not state: it is read from ``tpn.fixtures.population``
(every organisation, the municipalities and the three that are no longer active among them) and
never written, so it lives in no store, every worker holds the same, and a reset has nothing to
forget. The meaning of every code the answers carry is ``fixtures/standards/enhetsregisteret/
koder.toml``.
"""

from __future__ import annotations

import enum
import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tpn.fixtures import identifiers, population, standard_file
from tpn.fixtures.population import Organisation

__all__ = [
    "MAX_HITS",
    "NAME_LENGTH",
    "Code",
    "Koder",
    "Lookup",
    "Register",
    "koder",
]

# sokEnhet: the name to search for is 2 to 100 characters; at most 50 entities are answered.
NAME_LENGTH = (2, 100)
MAX_HITS = 50


class Code(enum.IntEnum):
    """underStatusMelding/@kode (koder.toml says what each means)."""

    FOUND = 0
    UNKNOWN = 1020
    MALFORMED = 1021
    DELETED = 1022
    NO_HITS = 1030
    BAD_NAME = 1031
    NOT_AUTHORISED = -100


@dataclass(frozen=True)
class Status:
    kode: int
    ok: bool
    tekst: str  # with {orgnr}, {navn}, {dato} or {antall} to fill in


@dataclass(frozen=True)
class Koder:
    status: Mapping[int, Status]
    orgform: Mapping[str, str]
    rolle: Mapping[str, str]
    naeringskode: Mapping[str, str]

    def text(self, code: Code, **values: object) -> str:
        return self.status[code].tekst.format(**values)


@functools.cache
def koder() -> Koder:
    """The code lists, read once from ``fixtures/standards/enhetsregisteret/koder.toml``."""
    raw: dict[str, Any] = tomllib.loads(
        standard_file("enhetsregisteret", "koder.toml").read_text("utf-8")
    )
    status = {
        int(s["kode"]): Status(int(s["kode"]), bool(s["ok"]), str(s["tekst"]))
        for s in raw["status"]
    }
    missing = {int(c) for c in Code} - status.keys()
    if missing:
        raise ValueError(f"koder.toml: no text for status code(s) {sorted(missing)}")
    return Koder(
        status=status,
        orgform=dict(raw["orgform"]),
        rolle=dict(raw["rolle"]),
        naeringskode=dict(raw["naeringskode"]),
    )


@dataclass(frozen=True)
class Lookup:
    """What the register says of one organisasjonsnummer: a code, and the entity when it holds
    one (found, or deleted)."""

    code: Code
    enhet: Organisation | None = None


class Register:
    """The organisations Enhetsregisteret holds, by number and searchable by name."""

    def __init__(self, organisations: Iterable[Organisation]) -> None:
        self._by_number = {o.organisasjonsnummer: o for o in organisations}
        self.koder = koder()
        for o in self._by_number.values():
            # Every code an answer shows must have its description: said here, not mid-answer.
            for table, code in (
                (self.koder.orgform, o.organisasjonsform),
                (self.koder.naeringskode, o.naeringskode),
                *((self.koder.rolle, r.rolle) for r in o.roller),
            ):
                if code not in table:
                    raise ValueError(f"{o.organisasjonsnummer}: code {code!r} is not in koder.toml")

    @classmethod
    def from_population(cls) -> Register:
        """Every organisation of the synthetic population, active or not."""
        return cls(population.organisations(inactive=True))

    def __len__(self) -> int:
        return len(self._by_number)

    def look_up(self, orgnr: str) -> Lookup:
        if not identifiers.check_orgnr(orgnr).valid:
            return Lookup(Code.MALFORMED)
        found = self._by_number.get(orgnr)
        if found is None:
            return Lookup(Code.UNKNOWN)
        return Lookup(Code.DELETED if found.slettet is not None else Code.FOUND, found)

    def search(self, navn: str) -> list[Organisation]:
        """Entities not deleted whose name contains ``navn`` (case and surrounding spaces
        ignored), in the register's order, at most ``MAX_HITS``."""
        wanted = navn.strip().casefold()
        hits = (
            o for o in self._by_number.values() if o.slettet is None and wanted in o.navn.casefold()
        )
        return [hit for _, hit in zip(range(MAX_HITS), hits, strict=False)]
