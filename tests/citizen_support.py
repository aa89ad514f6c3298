"""What the tests of MinSide's citizen's pages share: the composed mocks (portal and MinSide in
one server, as ``tpn serve`` runs them), the citizens and sender they use, the messages, cases
and services seeded for them, and a login through the portal without a browser (the portal's
``tpn-persona`` test shortcut on the SSO request)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import requests

from tpn.fixtures import population
from tpn.mocks.compose import ComposedMock
from tpn.mocks.minside.citizen import CitizenSite
from tpn.mocks.minside.minside import MeldingInn, MinSide, SakInn
from tpn.mocks.minside.mock import PREFIX, MinSidePart
from tpn.mocks.minside.records import Tjeneste, Vedlegg


def _adults() -> list[population.Persona]:
    return [p for p in population.personas() if not p.dnr and p.born.year < 1985]


CITIZEN = _adults()[0]  # who logs in
OTHER = _adults()[1]  # another citizen, whose messages the first must never see
SENDER = next(o for o in population.organisations() if o.organisasjonsform == "KOMM")
PDF = b"%PDF-1.4\n% a synthetic attachment\n"


def site_of(mocks: ComposedMock) -> CitizenSite:
    site = mocks.parts.part(MinSidePart).sites[PREFIX]
    assert isinstance(site, CitizenSite)
    return site


def minside_of(mocks: ComposedMock) -> MinSide:
    return mocks.parts.part(MinSidePart).minside


@dataclass(frozen=True)
class Seeded:
    level3: str  # meldingId of a message at level 3, with an attachment and a link
    level4: str  # meldingId of a message that needs level 4
    others: str  # meldingId of OTHER's message
    saksnummer: str


def seed(minside: MinSide, *, title3: str = "Vedtak om barnehageplass") -> Seeded:
    def send(mottaker: str, tittel: str, nivaa: int, ref: str, **extra: object) -> str:
        melding = MeldingInn(
            mottaker=mottaker,
            avsenderOrgnr=SENDER.organisasjonsnummer,
            avsenderNavn=SENDER.navn,
            tittel=tittel,
            tekst=str(extra.get("tekst", "Første avsnitt.\n\nAndre avsnitt.")),
            lenke=extra.get("lenke"),  # type: ignore[arg-type]
            sikkerhetsnivaa=nivaa,
            eksternReferanse=ref,
            vedlegg=extra.get("vedlegg", ()),  # type: ignore[arg-type]
        )
        return minside.send(melding).meldingId

    level3 = send(
        CITIZEN.foedselsnummer,
        title3,
        3,
        "ref-3",
        lenke="https://kommune.example/sak/2007/42",
        vedlegg=(Vedlegg("vedtak 2007-42.pdf", "application/pdf", PDF),),
    )
    level4 = send(CITIZEN.foedselsnummer, "Helseopplysninger", 4, "ref-4")
    others = send(OTHER.foedselsnummer, "Ikke din melding", 3, "ref-other")
    minside.update_case(
        SakInn(
            mottaker=CITIZEN.foedselsnummer,
            avsenderOrgnr=SENDER.organisasjonsnummer,
            saksnummer="2007/42",
            tittel="Søknad om barnehageplass",
            status="UNDER_BEHANDLING",
            tidspunkt=dt.datetime(2007, 3, 1, 10, 0),
            lenke="https://kommune.example/sak/2007/42",
        )
    )
    minside.register(
        Tjeneste(
            tjenesteId="barnehage-soknad",
            kommunenummer=SENDER.address.kommunenummer,
            eierOrgnr=SENDER.organisasjonsnummer,
            navn="Søknad om barnehageplass",
            beskrivelse="Søk plass i kommunal barnehage.",
            url="https://kommune.example/barnehage",
            sikkerhetsnivaa=3,
            kategori="barnehage",
        )
    )
    return Seeded(level3, level4, others, "2007/42")


def http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def follow_login(
    session: requests.Session, response: requests.Response, uid: str, method: str = "Minid-PIN"
) -> requests.Response:
    """From MinSide's redirect to the portal, through the portal (as ``uid`` by ``method``),
    back to MinSide's page: the last answer."""
    assert response.status_code == 303, response.text
    to_portal = response.headers["Location"]
    assert "/sikkerhetsportal/sso?SAMLRequest=" in to_portal
    answered = session.get(
        f"{to_portal}&tpn-persona={uid}&tpn-method={method}", allow_redirects=False
    )
    assert answered.status_code == 302, answered.text
    acs = session.get(answered.headers["Location"], allow_redirects=False)
    if acs.status_code != 303:
        return acs
    return session.get(acs.headers["Location"], allow_redirects=False)


def login(
    session: requests.Session, base: str, uid: str, *, page: str = "/minside/", level: int = 3
) -> requests.Response:
    start = session.get(f"{base}/minside/logginn?nivaa={level}&neste={page}", allow_redirects=False)
    method = "Minid-PIN" if level == 3 else "BankID"
    return follow_login(session, start, uid, method)
