"""MinSide's records: what the mock stores and what its readers (the SOAP handlers, the
citizen's pages, the client profile's judge) get back, as frozen dataclasses.

Names follow ``shared/standards/minside.md`` (Norwegian where the standard is); times are the
mock's test clock's local time (``tpn.mocks.core.clock``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = [
    "KATEGORIER",
    "MELDING_STATUSES",
    "SAK_STATUSES",
    "Melding",
    "Sak",
    "Statusendring",
    "Tjeneste",
    "Vedlegg",
]

# A message's status: MOTTATT → LEVERT (the citizen's box showed it) → LEST (opened); or AVVIST.
MELDING_STATUSES = ("MOTTATT", "LEVERT", "LEST", "AVVIST")
# A case's status, in the only order it may move (``rules.sak_forward``).
SAK_STATUSES = ("MOTTATT", "UNDER_BEHANDLING", "VEDTAK_FATTET", "AVSLUTTET")


@dataclass(frozen=True)
class Tjeneste:
    """One service in the tjenestekatalog."""

    tjenesteId: str
    kommunenummer: str
    eierOrgnr: str
    navn: str
    beskrivelse: str | None
    url: str
    sikkerhetsnivaa: int
    kategori: str
    skjemaId: str | None = None
    registrert: dt.datetime | None = None  # first registered
    endret: dt.datetime | None = None  # last registered (an update)


@dataclass(frozen=True)
class Vedlegg:
    """An attachment of a message: its bytes as sent (the wire's base64 decoded)."""

    filnavn: str
    mimeType: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Statusendring:
    """One step of a message's or a case's status history."""

    status: str
    tidspunkt: dt.datetime


@dataclass(frozen=True)
class Melding:
    """One message in a citizen's meldingsboks."""

    meldingId: str
    mottaker: str
    avsenderOrgnr: str
    avsenderNavn: str
    tittel: str
    tekst: str
    lenke: str | None
    sikkerhetsnivaa: int
    eksternReferanse: str
    status: str  # MELDING_STATUSES
    aarsak: str | None  # why, when AVVIST
    mottatt: dt.datetime
    vedlegg: tuple[Vedlegg, ...] = ()
    historikk: tuple[Statusendring, ...] = ()


@dataclass(frozen=True)
class Sak:
    """One case in a citizen's "mine saker", as its sender last updated it."""

    mottaker: str
    avsenderOrgnr: str
    saksnummer: str  # saSaar/saSeknr, e.g. 2007/123
    tittel: str
    status: str  # SAK_STATUSES
    tidspunkt: dt.datetime  # the sender's time of the status
    lenke: str | None
    oppdatert: dt.datetime  # when MinSide last took an update
    historikk: tuple[Statusendring, ...] = ()


# The tjenestekatalog's categories (code → the bokmål name shown to citizens).
KATEGORIER: dict[str, str] = {
    "barnehage": "Barnehage",
    "skole": "Skole og SFO",
    "helse": "Helse og omsorg",
    "bolig": "Bolig og eiendom",
    "naering": "Næring",
    "teknisk": "Tekniske tjenester",
    "kultur": "Kultur og fritid",
}
