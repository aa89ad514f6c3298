"""Enhetsregisteret's period SOAP service over the wire: every operation, found, unknown,
malformed, not authorised, each special organisation, the journal, and every answer valid
against grunndata.xsd."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
import zeep
from er_support import (
    AS,
    ENK,
    FLI,
    KOMMUNE,
    KONKURS,
    SLETTET,
    UNDER_AVVIKLING,
    UNKNOWN,
    envelope,
    post,
    returned,
    session,
    valid,
)
from lxml import etree

from tpn.fixtures import population
from tpn.mocks.core.config import MockConfig
from tpn.mocks.enhetsregisteret import DEFAULT_CREDENTIALS, EnhetsregisteretMock
from tpn.mocks.enhetsregisteret.register import MAX_HITS, Register, koder

ORGNR_OPERATIONS = ("hentBasisdataMini", "hentBasisdata", "hentKontaktdata", "hentRoller")
USER, PASSWORD = DEFAULT_CREDENTIALS


@pytest.fixture(scope="module")
def er() -> Iterator[EnhetsregisteretMock]:
    with EnhetsregisteretMock() as mock:
        yield mock


@pytest.fixture(scope="module")
def client(er: EnhetsregisteretMock) -> zeep.Client:
    return zeep.Client(er.wsdl_url)


def call(client: zeep.Client, operation: str, orgnr: str, **credentials: str) -> etree._Element:
    answer = getattr(client.service, operation)(
        userid=credentials.get("userid", USER),
        password=credentials.get("password", PASSWORD),
        orgnr=orgnr,
    )
    assert isinstance(answer, str)
    return valid(answer)


def header(root: etree._Element) -> tuple[str | None, str | None, str | None]:
    """(hovedStatus, kode, text) of an answer."""
    melding = root.find("responseHeader/underStatus/underStatusMelding")
    assert melding is not None
    return root.findtext("responseHeader/hovedStatus"), melding.get("kode"), melding.text


# ---------------------------------------------------------------------- found


@pytest.mark.parametrize("operation", ORGNR_OPERATIONS)
def test_every_operation_finds_a_municipality(client: zeep.Client, operation: str) -> None:
    root = call(client, operation, KOMMUNE)
    assert header(root) == ("0", "0", "found")
    assert root.findtext("responseHeader/orgnr") == KOMMUNE
    [melding] = root.findall("melding")
    assert melding.findtext("organisasjonsnummer") == KOMMUNE
    assert melding.find("organisasjonsnummer").get("registreringsDato") == "1995-04-02"  # type: ignore[union-attr]
    assert melding.findtext("navn/navn1") == "Oslo kommune"


def test_mini_holds_addresses_and_organisasjonsform(client: zeep.Client) -> None:
    melding = call(client, "hentBasisdataMini", AS).find("melding")
    assert melding is not None
    for tag in ("forretningsAdresse", "postAdresse"):
        address = melding.find(tag)
        assert address is not None
        assert [c.tag for c in address] == [
            "adresse1", "postnr", "poststed", "kommunenummer", "kommune", "landkode", "land",
        ]  # fmt: skip
        assert address.findtext("adresse1") == "Sandakerveien 24"
        assert address.findtext("kommune") == "Oslo"
        assert (address.findtext("landkode"), address.findtext("land")) == ("NO", "Norge")
    assert melding.findtext("organisasjonsform/orgform") == "AS"
    assert melding.findtext("organisasjonsform/orgformBeskrivelse") == "Aksjeselskap"
    assert melding.find("naeringskode") is None and melding.find("kontaktdata") is None


def test_basisdata_adds_naeringskode_dates_and_flags(client: zeep.Client) -> None:
    melding = call(client, "hentBasisdata", AS).find("melding")
    assert melding is not None
    assert melding.findtext("organisasjonsform/orgform") == "AS"
    assert melding.findtext("naeringskode/kode") == "56.101"
    assert melding.findtext("naeringskode/beskrivelse") == "Drift av restauranter og kafeer"
    assert (
        melding.findtext("registreringsdato")
        == population.organisation(AS).registreringsdato.isoformat()
    )
    assert (melding.findtext("konkurs"), melding.findtext("underAvvikling")) == ("N", "N")


@pytest.mark.parametrize(
    ("orgnr", "orgform", "beskrivelse"),
    [
        (ENK, "ENK", "Enkeltpersonforetak"),
        (FLI, "FLI", "Forening/lag/innretning"),
        (KOMMUNE, "KOMM", "Kommune"),
        ("384308155", "NUF", "Norskregistrert utenlandsk foretak"),
        ("353600605", "BRL", "Borettslag"),
        ("393375108", "SA", "Samvirkeforetak"),
    ],
)
def test_businesses_of_several_forms(
    client: zeep.Client, orgnr: str, orgform: str, beskrivelse: str
) -> None:
    melding = call(client, "hentBasisdata", orgnr).find("melding")
    assert melding is not None
    assert melding.findtext("organisasjonsform/orgform") == orgform
    assert melding.findtext("organisasjonsform/orgformBeskrivelse") == beskrivelse


def test_kontaktdata(client: zeep.Client) -> None:
    melding = call(client, "hentKontaktdata", AS).find("melding")
    assert melding is not None
    kontakt = melding.find("kontaktdata")
    assert kontakt is not None
    org = population.organisation(AS)
    assert kontakt.findtext("telefon") == org.telefon
    assert kontakt.findtext("epost") == org.epost
    assert kontakt.findtext("hjemmeside") == "kafe-lovetann.example.com"
    without = call(client, "hentKontaktdata", ENK).find("melding/kontaktdata")
    assert without is not None and without.find("hjemmeside") is None


def test_roller_are_personas_of_the_population(client: zeep.Client) -> None:
    roles = call(client, "hentRoller", KONKURS).findall("melding/roller/rolle")
    assert [(r.get("kode"), r.findtext("beskrivelse")) for r in roles] == [
        ("DAGL", "Daglig leder/adm.direktør"),
        ("LEDE", "Styrets leder"),
    ]
    for role in roles:
        who = population.persona(role.findtext("person/fodselsnummer") or "")
        assert role.findtext("person/fornavn") == who.fornavn
        assert role.findtext("person/etternavn") == who.etternavn
    [innehaver] = call(client, "hentRoller", ENK).findall("melding/roller/rolle")
    assert innehaver.get("kode") == "INNH"


def test_every_organisation_of_the_population_and_every_municipality_is_held(
    client: zeep.Client,
) -> None:
    numbers = {o.organisasjonsnummer for o in population.organisations(inactive=True)}
    numbers |= {m.organisasjonsnummer for m in population.municipalities()}
    for number in sorted(numbers):
        root = call(client, "hentBasisdataMini", number)
        expected = "1022" if number == SLETTET else "0"
        assert header(root)[1] == expected, number


# ---------------------------------------------------------------------- the special cases


def test_a_bankrupt_entity_is_found_with_its_date(client: zeep.Client) -> None:
    root = call(client, "hentBasisdata", KONKURS)
    assert header(root)[:2] == ("0", "0")
    konkurs = root.find("melding/konkurs")
    assert konkurs is not None and (konkurs.text, konkurs.get("dato")) == ("J", "2006-11-03")
    assert root.findtext("melding/underAvvikling") == "N"


def test_an_entity_being_wound_up_is_found_with_its_date(client: zeep.Client) -> None:
    root = call(client, "hentBasisdata", UNDER_AVVIKLING)
    assert header(root)[:2] == ("0", "0")
    flag = root.find("melding/underAvvikling")
    assert flag is not None and (flag.text, flag.get("dato")) == ("J", "2007-01-15")
    assert root.findtext("melding/konkurs") == "N"


@pytest.mark.parametrize("operation", ORGNR_OPERATIONS)
def test_a_deleted_entity_is_an_error_that_says_when(client: zeep.Client, operation: str) -> None:
    root = call(client, operation, SLETTET)
    assert header(root) == (
        "-1",
        "1022",
        f"organisasjonsnummer {SLETTET} was deleted from Enhetsregisteret on 2005-06-30",
    )
    [melding] = root.findall("melding")
    assert [c.tag for c in melding] == ["organisasjonsnummer", "navn", "slettedato"]
    assert melding.findtext("slettedato") == "2005-06-30"


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize("operation", ORGNR_OPERATIONS)
def test_an_unknown_orgnr_is_a_coded_error_never_an_empty_document(
    client: zeep.Client, operation: str
) -> None:
    root = call(client, operation, UNKNOWN)
    assert header(root) == (
        "-1",
        "1020",
        f"no entity with organisasjonsnummer {UNKNOWN} in Enhetsregisteret",
    )
    assert root.findtext("responseHeader/orgnr") == UNKNOWN
    assert root.find("melding") is None


@pytest.mark.parametrize(
    "orgnr",
    ["", "12345678", "1234567890", "39030100x", "390301007", "390301006 ", "٣٩٠٣٠١٠٠٦", "9" * 200],
)
def test_a_malformed_orgnr_is_code_1021(client: zeep.Client, orgnr: str) -> None:
    root = call(client, "hentBasisdata", orgnr)
    assert header(root)[:2] == ("-1", "1021")
    assert root.findtext("responseHeader/orgnr") == orgnr[:100]


@pytest.mark.parametrize(
    ("userid", "password"), [("tpn", "wrong"), ("other", "tpn"), ("", ""), ("TPN", "TPN")]
)
@pytest.mark.parametrize("operation", [*ORGNR_OPERATIONS, "sokEnhet"])
def test_wrong_credentials_are_not_authorised(
    client: zeep.Client, operation: str, userid: str, password: str
) -> None:
    selector = {"navn": "kommune"} if operation == "sokEnhet" else {"orgnr": KOMMUNE}
    answer = getattr(client.service, operation)(userid=userid, password=password, **selector)
    root = valid(answer)
    assert header(root) == ("-1", "-100", "not authorised: unknown userid or wrong password")
    assert root.find("melding") is None


def test_the_configured_credentials_replace_the_default() -> None:
    with EnhetsregisteretMock(MockConfig(auth=("kommune", "hemmelig"))) as er:
        http = session()
        http.auth = ("kommune", "hemmelig")  # the Basic gate asks for them as well
        for (userid, password), kode in [(("kommune", "hemmelig"), "0"), (("tpn", "tpn"), "-100")]:
            data = envelope("hentBasisdataMini", userid=userid, password=password, orgnr=KOMMUNE)
            root = valid(returned(post(http, er.url, data)))
            assert header(root)[1] == kode
        unauthenticated = post(session(), er.url, envelope("hentBasisdataMini"))
        assert unauthenticated.status_code == 401


# ---------------------------------------------------------------------- sokEnhet


def test_sok_enhet_finds_by_part_of_the_name(client: zeep.Client) -> None:
    root = valid(client.service.sokEnhet(userid=USER, password=PASSWORD, navn="  KOMMUNE "))
    assert header(root)[:2] == ("0", "0")
    assert root.find("responseHeader/orgnr") is None
    found = [m.findtext("organisasjonsnummer") for m in root.findall("melding")]
    assert found == [m.organisasjonsnummer for m in population.municipalities()]
    assert all(m.find("organisasjonsform") is not None for m in root.findall("melding"))


def test_sok_enhet_leaves_out_deleted_entities(client: zeep.Client) -> None:
    root = valid(client.service.sokEnhet(userid=USER, password=PASSWORD, navn="Sjakklubb"))
    assert header(root) == ("-1", "1030", "no entity's name contains 'Sjakklubb'")
    bankrupt = valid(client.service.sokEnhet(userid=USER, password=PASSWORD, navn="catering"))
    assert [m.findtext("organisasjonsnummer") for m in bankrupt.findall("melding")] == [KONKURS]


def test_a_search_answers_at_most_max_hits() -> None:
    base = population.organisation(AS)
    many = [
        dataclasses.replace(base, organisasjonsnummer=f"{n:09d}", navn=f"Kafé nr. {n}")
        for n in range(MAX_HITS + 10)
    ]
    assert len(Register(many).search("kafé")) == MAX_HITS


@pytest.mark.parametrize(
    ("navn", "kode"), [("x", "1031"), ("x" * 101, "1031"), ("Ingen slik", "1030")]
)
def test_sok_enhet_refusals_are_coded(client: zeep.Client, navn: str, kode: str) -> None:
    root = valid(client.service.sokEnhet(userid=USER, password=PASSWORD, navn=navn))
    assert header(root)[:2] == ("-1", kode)
    assert root.find("melding") is None


# ---------------------------------------------------------------------- codes, journal


def test_every_code_the_answers_use_is_in_koder_toml() -> None:
    codes = koder()
    assert {k: s.ok for k, s in codes.status.items()} == {
        0: True, 1020: False, 1021: False, 1022: False, 1030: False, 1031: False, -100: False,
    }  # fmt: skip
    assert MAX_HITS == 50


def test_every_exchange_is_journalled_with_its_outcome(er: EnhetsregisteretMock) -> None:
    http = session()
    er.parts.journal.clear()
    data = envelope("hentBasisdata", userid=USER, password=PASSWORD, orgnr=KOMMUNE)
    returned(post(http, er.url, data))
    data = envelope("hentRoller", userid=USER, password=PASSWORD, orgnr=UNKNOWN)
    returned(post(http, er.url, data))
    exchanges = [e for e in er.journal() if e.service == "ErFr"]
    assert [(e.operation, e.http_status, e.outcome) for e in exchanges] == [
        ("hentBasisdata", 200, "ok"),
        ("hentRoller", 200, "error"),
    ]
    assert b"<er:orgnr>390301006</er:orgnr>" in exchanges[0].request
    assert b"&lt;hovedStatus&gt;0&lt;/hovedStatus&gt;" in exchanges[0].response
