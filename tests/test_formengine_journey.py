"""The form engine's part of the journey: it verifies the citizen's login handed over from the
portal (IdP-initiated, HTTP-POST), and tells MinSide about the archived case (receipt, case
status, sync from the archive's saStatus). Judged from MinSide's store, not the engine's say."""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from formengine_support import form_document, job_for
from lxml import etree
from served import tpn_command
from zeep import Client

from tpn.conformance.formdelivery import journey as judging
from tpn.conformance.ksxml.model import forms as ksxml_forms
from tpn.fixtures import population
from tpn.mocks.compose import ComposedMock
from tpn.mocks.core.store import Store
from tpn.mocks.formengine import journey
from tpn.mocks.formengine import login as logins
from tpn.mocks.formengine import minside as ms
from tpn.mocks.formengine.defects import journey as journey_defects
from tpn.mocks.formengine.job import Service
from tpn.mocks.formengine.messages import SYSTEM
from tpn.mocks.minside.mock import (
    MELDINGSBOKS_PATH,
    MINESAKER_PATH,
    TJENESTEKATALOG_PATH,
    MinSideMock,
    MinSidePart,
)
from tpn.mocks.noark4ws.mock import ArchivePart
from tpn.mocks.saml import messages, ns
from tpn.mocks.sikkerhetsportal.mock import PortalPart
from tpn.mocks.sikkerhetsportal.portal import Pending, Portal

PORTAL = "http://portal.test"
ENGINE = "https://skjema.kommune.example/"
ACS = "https://skjema.kommune.example/saml/acs"


def _people() -> tuple[population.Persona, population.Persona]:
    adults = [p for p in population.personas() if not p.dnr and p.born.year < 1990]
    return adults[0], adults[1]


@pytest.fixture(scope="module")
def portal() -> Portal:
    return Portal(Store("sqlite://"), PORTAL)


def _trust(portal: Portal) -> logins.PortalTrust:
    return logins.parse_metadata(portal.descriptor())


def _logged_in(portal: Portal, uid: str, method: str = "Minid-PIN", sp: str = ENGINE) -> str:
    pending = Pending(messages.new_id(), sp, ACS, 3, None, ns.POST)
    answer = portal.login(pending, uid, method)
    assert answer.response is not None
    return base64.b64encode(answer.response).decode()


def test_a_portal_login_gives_its_uid_and_level(portal: Portal) -> None:
    citizen, _ = _people()
    found = logins.verify(
        _logged_in(portal, citizen.foedselsnummer, "BankID"),
        _trust(portal),
        entity_id=ENGINE,
        acs_url=ACS,
    )
    assert (found.uid, found.level) == (citizen.foedselsnummer, 4)


def test_a_login_for_another_service_is_refused(portal: Portal) -> None:
    citizen, _ = _people()
    response = _logged_in(portal, citizen.foedselsnummer, sp="https://other.example/")
    with pytest.raises(logins.LoginError, match="audience"):
        logins.verify(response, _trust(portal), entity_id=ENGINE, acs_url=ACS)


def test_a_forged_login_is_refused(portal: Portal) -> None:
    citizen, other = _people()
    signed = base64.b64decode(_logged_in(portal, citizen.foedselsnummer))
    # The citizen swaps the uid for another person's: the signature no longer holds.
    forged = signed.replace(citizen.foedselsnummer.encode(), other.foedselsnummer.encode())
    assert forged != signed
    with pytest.raises(logins.LoginError, match="refused"):
        logins.verify(
            base64.b64encode(forged).decode(), _trust(portal), entity_id=ENGINE, acs_url=ACS
        )


def test_a_login_signed_by_another_key_is_refused(portal: Portal) -> None:
    citizen, _ = _people()
    stranger = Portal(Store("sqlite://"), PORTAL)  # same entityID, its own key
    with pytest.raises(logins.LoginError, match="refused"):
        logins.verify(
            _logged_in(stranger, citizen.foedselsnummer),
            _trust(portal),
            entity_id=ENGINE,
            acs_url=ACS,
        )


def test_an_expired_login_is_refused(portal: Portal) -> None:
    citizen, _ = _people()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    with pytest.raises(logins.LoginError, match="refused"):
        logins.verify(
            _logged_in(portal, citizen.foedselsnummer),
            _trust(portal),
            entity_id=ENGINE,
            acs_url=ACS,
            now=later,
        )


@pytest.mark.parametrize(
    ("value", "reason"), [("not base64!", "base64"), ("A" * 200_000, "too large")]
)
def test_a_hostile_response_is_refused_in_one_line(value: str, reason: str) -> None:
    with pytest.raises(logins.LoginError, match=reason):
        logins.decode(value)


def test_metadata_without_a_certificate_is_refused() -> None:
    xml = etree.tostring(etree.Element(f"{{{ns.MD}}}EntityDescriptor", entityID="x"))
    with pytest.raises(logins.LoginError, match="certificate"):
        logins.parse_metadata(xml)


@pytest.fixture
def minside() -> Iterator[MinSideMock]:
    with MinSideMock() as mock:
        yield mock


def _sender() -> ms.Sender:
    kommune = population.municipality(_people()[0].address.kommunenummer)
    return ms.Sender(
        orgnr=kommune.organisasjonsnummer,
        navn=kommune.navn,
        kommunenummer=kommune.kommunenummer,
        tjeneste_id="byggesak-soknad",
        tjeneste_navn="Søknad om tillatelse",
        case_url="https://skjema.kommune.example/sak",
    )


def _client(mock: MinSideMock) -> ms.MinSideClient:
    return ms.MinSideClient(
        Service(mock.service_url(TJENESTEKATALOG_PATH)),
        Service(mock.service_url(MELDINGSBOKS_PATH)),
        Service(mock.service_url(MINESAKER_PATH)),
        timeout=10,
    )


def test_the_engine_tells_minside_of_the_case_and_follows_the_archive(
    minside: MinSideMock,
) -> None:
    citizen, _ = _people()
    sender, client = _sender(), _client(minside)
    case = {"saSaar": 2007, "saSeknr": 42}
    now = dt.datetime(2007, 3, 1, 9, 0, tzinfo=dt.UTC)
    try:
        client.register(sender, "BYGG-1")
        client.register(sender, "BYGG-1")  # once per engine start: a repeat updates
        melding = ms.receipt(sender, citizen.foedselsnummer, "ref-1", "Søknad", case)
        first = client.send_receipt(sender, melding)
        assert client.send_receipt(sender, melding) == first  # a resend makes no second one
        client.update_case(ms.sak(sender, citizen.foedselsnummer, "Søknad", case, ms.RECEIVED, now))
        for sa_status, hours in (("F", 1), ("A", 2)):
            status = ms.minside_status(sa_status)
            later = now + dt.timedelta(hours=hours)
            client.update_case(
                ms.sak(sender, citizen.foedselsnummer, "Søknad", case, status, later)
            )
    finally:
        client.close()
    box = minside.minside.messages_for(citizen.foedselsnummer)
    assert [m.eksternReferanse for m in box] == ["kvittering-ref-1"]
    assert "2007/42" in box[0].tittel and citizen.foedselsnummer not in box[0].tittel
    assert box[0].lenke == "https://skjema.kommune.example/sak/2007-42"
    cases = minside.minside.cases_for(citizen.foedselsnummer)
    assert [(c.saksnummer, c.status) for c in cases] == [("2007/42", "AVSLUTTET")]
    assert len(minside.minside.services()) == 1


def test_minside_refusing_the_receipt_is_an_error_naming_the_rule(minside: MinSideMock) -> None:
    citizen, _ = _people()
    sender, client = _sender(), _client(minside)
    melding = ms.receipt(
        sender, citizen.foedselsnummer, "ref-2", "Søknad", {"saSaar": 2007, "saSeknr": 1}
    )
    try:
        with pytest.raises(ms.MinSideError, match=r"ERROR.*LINK_NOT_HTTPS"):
            client.send_receipt(sender, melding | {"lenke": "http://plain.example/sak"})
    finally:
        client.close()
    assert minside.minside.messages_for(citizen.foedselsnummer) == []


def test_every_sa_status_maps_forward_and_an_unknown_one_is_an_error() -> None:
    order = ("MOTTATT", "UNDER_BEHANDLING", "VEDTAK_FATTET", "AVSLUTTET")
    assert order.index(ms.minside_status("B")) < order.index(ms.minside_status("F"))
    assert order.index(ms.minside_status("F")) < order.index(ms.minside_status("A"))
    with pytest.raises(ms.MinSideError, match="saStatus"):
        ms.minside_status("Q")


# ------------------------------------------------------------------ the whole journey


@pytest.fixture(scope="module")
def mocks() -> Iterator[ComposedMock]:
    with ComposedMock() as composed:
        yield composed


def _person_form() -> str:
    return next(f.id for f in ksxml_forms() if f.applicant == "person")


def _journey_job(
    mocks: ComposedMock,
    folder: Path,
    typed: str,
    uid: str,
    *,
    seed: int,
    method: str = "Minid-PIN",
) -> tuple[dict[str, Any], str]:
    # Each test its own seed: its own referanse, in the module's one archive.
    doc = form_document(_person_form(), seed=seed)
    fnr = doc.find("Innsender/foedselsnummer")
    assert fnr is not None
    fnr.text = typed  # the citizen types another person as Innsender
    level = doc.find("Metadata/sikkerhetsnivaa")
    assert level is not None
    level.text = "3" if method == "BankID" else "4"  # and a level the login does not have
    job = job_for(doc, folder, f"{mocks.base_url}/noark4ws")
    portal = mocks.parts.part(PortalPart).portal.at(mocks.base_url)
    pending = Pending(messages.new_id(), journey.ENTITY_ID, journey.ACS_URL, 3, None, ns.POST)
    answer = portal.login(pending, uid, method)
    assert answer.response is not None
    job["inputs"]["login"] = {"SAMLResponse": base64.b64encode(answer.response).decode()}
    job["services"]["portal"] = {"metadata_url": f"{mocks.base_url}/sikkerhetsportal/metadata"}
    for name in ms.SERVICE_NAMES:
        job["services"][name] = {"url": f"{mocks.base_url}/minside/{name}"}
    return job, doc.text("Metadata/referanse") or ""


def _archived(mocks: ComposedMock, referanse: str) -> list[dict[str, Any]]:
    contents = mocks.parts.part(ArchivePart).archive.contents()
    return [c for c in contents if (c.get("saEksternNokkel") or {}).get("nokkel") == referanse]


def _filed(mocks: ComposedMock, referanse: str) -> tuple[str | None, str | None]:
    """Innsender's fødselsnummer and the sikkerhetsnivaa of the form XML the archive holds."""
    for case in _archived(mocks, referanse):
        for entry in case.get("journpost", []):
            for doc in entry.get("dokument", []):
                content = (doc.get("fil") or {}).get("content", b"")
                if content.lstrip().startswith(b"<"):
                    root = etree.fromstring(content)
                    return (
                        root.findtext("{*}Innsender/{*}foedselsnummer"),
                        root.findtext("{*}Metadata/{*}sikkerhetsnivaa"),
                    )
    return None, None


def test_the_journey_files_the_login_s_person_and_tells_minside(
    mocks: ComposedMock, tmp_path: Path
) -> None:
    citizen, other = _people()
    job, referanse = _journey_job(
        mocks, tmp_path, other.foedselsnummer, citizen.foedselsnummer, seed=1, method="BankID"
    )
    result = journey.deliver_journey(json.dumps(job).encode())
    assert result.success, result.detail
    # Innsender and sikkerhetsnivaa are the login's, not the typed form's.
    assert _filed(mocks, referanse) == (citizen.foedselsnummer, "4")
    saksnummer = f"{result.case['saSaar']}/{result.case['saSeknr']}"
    text = json.dumps(_archived(mocks, referanse), default=str)
    assert citizen.foedselsnummer in text and other.foedselsnummer not in text
    minside = mocks.parts.part(MinSidePart).minside
    [melding] = [
        m
        for m in minside.messages_for(citizen.foedselsnummer)
        if m.eksternReferanse == f"kvittering-{referanse}"
    ]
    assert saksnummer in melding.tittel
    assert minside.messages_for(other.foedselsnummer) == []
    [sak] = [s for s in minside.cases_for(citizen.foedselsnummer) if s.saksnummer == saksnummer]
    assert sak.status == "MOTTATT"

    # The archive moves the case on; the engine, asked to sync, follows it.
    archive = Client(f"{mocks.base_url}/noark4ws?wsdl").service
    key = {"eksternSystem": SYSTEM, "nokkel": referanse}
    [stored] = archive.GetNoarksak(saEksternNokkel=key).noarksak
    stored.saStatus = "F"
    assert archive.PutNoarksak(noarksak=stored).status.type in ("OK", "WARNING")
    sync = {
        "tpn_job": 1,
        "action": journey.SYNC_ACTION,
        "inputs": {
            "referanse": referanse,
            "mottaker": citizen.foedselsnummer,
            "avsenderOrgnr": melding.avsenderOrgnr,
        },
        "services": {k: v for k, v in job["services"].items() if k != "portal"},
    }
    synced = journey.sync_case_status(json.dumps(sync).encode())
    assert synced.success, synced.detail
    [sak] = [s for s in minside.cases_for(citizen.foedselsnummer) if s.saksnummer == saksnummer]
    assert sak.status == "VEDTAK_FATTET"


def test_a_forged_login_delivers_nothing(mocks: ComposedMock, tmp_path: Path) -> None:
    citizen, other = _people()
    job, referanse = _journey_job(
        mocks, tmp_path, other.foedselsnummer, citizen.foedselsnummer, seed=2
    )
    signed = base64.b64decode(job["inputs"]["login"]["SAMLResponse"])
    forged = signed.replace(citizen.foedselsnummer.encode(), other.foedselsnummer.encode())
    job["inputs"]["login"]["SAMLResponse"] = base64.b64encode(forged).decode()
    result = journey.deliver_journey(json.dumps(job).encode())
    assert not result.success and "refused" in result.detail
    assert _archived(mocks, referanse) == []


def _run(
    mocks: ComposedMock, folder: Path, defect: str | None, seed: int
) -> tuple[Any, str, population.Persona, population.Persona]:
    citizen, other = _people()
    job, referanse = _journey_job(
        mocks, folder, other.foedselsnummer, citizen.foedselsnummer, seed=seed
    )
    chosen = journey_defects.policies([defect] if defect else [])
    return (
        journey.deliver_journey(json.dumps(job).encode(), journey=chosen),
        referanse,
        citizen,
        other,
    )


def test_typed_applicant_files_the_typed_person(mocks: ComposedMock, tmp_path: Path) -> None:
    result, referanse, _, other = _run(mocks, tmp_path, "typed-applicant", 11)
    assert result.success, result.detail
    assert _filed(mocks, referanse)[0] == other.foedselsnummer


def test_typed_level_files_the_form_s_level(mocks: ComposedMock, tmp_path: Path) -> None:
    # The login is Minid-PIN (3); the form typed 4.
    result, referanse, _, _ = _run(mocks, tmp_path, "typed-level", 21)
    assert result.success, result.detail
    assert _filed(mocks, referanse)[1] == "4"


def test_unverified_login_delivers_a_forged_login(mocks: ComposedMock, tmp_path: Path) -> None:
    citizen, other = _people()
    job, referanse = _journey_job(
        mocks, tmp_path, other.foedselsnummer, citizen.foedselsnummer, seed=31
    )
    signed = base64.b64decode(job["inputs"]["login"]["SAMLResponse"])
    forged = signed.replace(citizen.foedselsnummer.encode(), other.foedselsnummer.encode())
    job["inputs"]["login"]["SAMLResponse"] = base64.b64encode(forged).decode()
    chosen = journey_defects.policies(["unverified-login"])
    result = journey.deliver_journey(json.dumps(job).encode(), journey=chosen)
    assert result.success, result.detail
    assert _filed(mocks, referanse)[0] == other.foedselsnummer


def test_receipt_without_saksnummer(mocks: ComposedMock, tmp_path: Path) -> None:
    result, referanse, citizen, _ = _run(mocks, tmp_path, "receipt-without-saksnummer", 41)
    assert result.success, result.detail
    minside = mocks.parts.part(MinSidePart).minside
    [melding] = [
        m
        for m in minside.messages_for(citizen.foedselsnummer)
        if m.eksternReferanse == f"kvittering-{referanse}"
    ]
    assert ms.saksnummer(result.case) not in melding.tittel


def test_own_application_number_numbers_the_case_its_own_way(
    mocks: ComposedMock, tmp_path: Path
) -> None:
    result, _, citizen, _ = _run(mocks, tmp_path, "own-application-number", 43)
    assert result.success, result.detail
    minside = mocks.parts.part(MinSidePart).minside
    numbers = {s.saksnummer for s in minside.cases_for(citizen.foedselsnummer)}
    year = str(result.case["saSaar"])
    own = {n for n in numbers if n.startswith(f"{year}/") and len(n) == len(year) + 8}
    assert own and ms.saksnummer(result.case) not in own


@pytest.mark.parametrize(("defect", "receipts"), [(None, 1), ("receipt-reference-per-attempt", 2)])
def test_a_job_done_twice_sends_one_receipt_unless_the_reference_is_new(
    mocks: ComposedMock, tmp_path: Path, defect: str | None, receipts: int
) -> None:
    citizen, other = _people()
    job, referanse = _journey_job(
        mocks, tmp_path, other.foedselsnummer, citizen.foedselsnummer, seed=45 + receipts
    )
    chosen = journey_defects.policies([defect] if defect else [])
    for _ in range(2):
        done = journey.deliver_journey(json.dumps(job).encode(), journey=chosen)
        assert done.success, done.detail
    minside = mocks.parts.part(MinSidePart).minside
    saksnummer = ms.saksnummer(done.case)
    mine = minside.messages_for(citizen.foedselsnummer)
    sent = [m for m in mine if m.tittel.endswith(f"(sak {saksnummer})")]
    assert len(sent) == receipts
    assert len(_archived(mocks, referanse)) == 1  # the archive's case is one either way


def _cases(minside: Any, mottaker: str, saksnummer: str) -> list[Any]:
    return [s for s in minside.cases_for(mottaker) if s.saksnummer == saksnummer]


def test_status_not_synced(mocks: ComposedMock, tmp_path: Path) -> None:
    result, referanse, citizen, _ = _run(mocks, tmp_path, None, 51)
    assert result.success, result.detail
    archive = Client(f"{mocks.base_url}/noark4ws?wsdl").service
    [stored] = archive.GetNoarksak(
        saEksternNokkel={"eksternSystem": SYSTEM, "nokkel": referanse}
    ).noarksak
    stored.saStatus = "A"
    assert archive.PutNoarksak(noarksak=stored).status.type in ("OK", "WARNING")
    services = {n: {"url": f"{mocks.base_url}/minside/{n}"} for n in ms.SERVICE_NAMES}
    sync = {
        "tpn_job": 1,
        "action": journey.SYNC_ACTION,
        "inputs": {
            "referanse": referanse,
            "mottaker": citizen.foedselsnummer,
            "avsenderOrgnr": stored.saAnsvinit or "",
        },
        "services": {"archive": {"url": f"{mocks.base_url}/noark4ws"}, **services},
    }
    minside = mocks.parts.part(MinSidePart).minside
    [sak] = [
        s
        for s in minside.cases_for(citizen.foedselsnummer)
        if s.saksnummer == ms.saksnummer(result.case)
    ]
    sync["inputs"]["avsenderOrgnr"] = sak.avsenderOrgnr
    chosen = journey_defects.policies(["status-not-synced"])
    synced = journey.sync_case_status(json.dumps(sync).encode(), journey=chosen)
    assert synced.success, synced.detail  # it says it synced
    [sak] = [
        s
        for s in minside.cases_for(citizen.foedselsnummer)
        if s.saksnummer == ms.saksnummer(result.case)
    ]
    assert sak.status == "MOTTATT"  # while the archive closed the case
    assert journey.sync_case_status(json.dumps(sync).encode()).success  # the reference follows
    [sak] = [
        s
        for s in minside.cases_for(citizen.foedselsnummer)
        if s.saksnummer == ms.saksnummer(result.case)
    ]
    assert sak.status == "AVSLUTTET"


def test_every_journey_defect_has_a_test() -> None:
    tested = {
        "typed-applicant",
        "typed-level",
        "unverified-login",
        "receipt-without-saksnummer",
        "status-not-synced",
        "receipt-reference-per-attempt",
        "own-application-number",
    }
    assert set(journey_defects.REGISTRY.names()) == tested


def test_tpn_engine_deliver_does_the_journey_and_knows_its_defects(
    mocks: ComposedMock, tmp_path: Path
) -> None:
    citizen, other = _people()
    job, referanse = _journey_job(
        mocks, tmp_path, other.foedselsnummer, citizen.foedselsnummer, seed=61
    )
    path = tmp_path / "job.json"
    path.write_text(json.dumps(job))
    done = subprocess.run(
        [*tpn_command(), "engine", "deliver", str(path), "--defect", "typed-applicant"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "MinSide told" in done.stdout
    assert _filed(mocks, referanse)[0] == other.foedselsnummer


# ------------------------------------------------------------------ the judge, on every defect

# Which FD-J requirements each journey defect must fail (and no other).
EXPECTED = {
    None: set(),
    "typed-applicant": {"FD-J-001"},
    "typed-level": {"FD-J-002"},
    "unverified-login": {"FD-J-003"},
    "receipt-without-saksnummer": {"FD-J-004"},
    "status-not-synced": {"FD-J-006"},
}


def _journey_findings(
    mocks: ComposedMock, folder: Path, defect: str | None, index: int
) -> dict[str, Any]:
    """One application and one forged login, then a sync after the archive closed the case:
    the FD-J findings, judged from the stores."""
    people = [p for p in population.personas() if not p.dnr and p.born.year < 1990]
    # Three people of their own (the module's other tests use the first two).
    citizen, typed, victim = people[2 + 3 * index : 5 + 3 * index]
    seed = 100 + index
    chosen = journey_defects.policies([defect] if defect else [])
    job, referanse = _journey_job(
        mocks, folder, typed.foedselsnummer, citizen.foedselsnummer, seed=seed
    )
    result = journey.deliver_journey(json.dumps(job).encode(), journey=chosen)
    avsender = ""
    synced = None
    if result.success:
        archive = Client(f"{mocks.base_url}/noark4ws?wsdl").service
        key = {"eksternSystem": SYSTEM, "nokkel": referanse}
        [stored] = archive.GetNoarksak(saEksternNokkel=key).noarksak
        stored.saStatus = "A"
        assert archive.PutNoarksak(noarksak=stored).status.type in ("OK", "WARNING")
        contents = mocks.parts.part(MinSidePart).minside.contents()
        avsender = next(
            s["avsenderOrgnr"]
            for s in contents["saker"]
            if s["mottaker"] in (citizen.foedselsnummer, typed.foedselsnummer)
        )
        sync = {
            "tpn_job": 1,
            "action": journey.SYNC_ACTION,
            "inputs": {
                "referanse": referanse,
                "mottaker": citizen.foedselsnummer,
                "avsenderOrgnr": avsender,
            },
            "services": {k: v for k, v in job["services"].items() if k != "portal"},
        }
        journey.sync_case_status(json.dumps(sync).encode(), journey=chosen)
        synced = "A"
    forged_job, forged_ref = _journey_job(
        mocks, folder, typed.foedselsnummer, victim.foedselsnummer, seed=seed + 1000
    )
    signed = base64.b64decode(forged_job["inputs"]["login"]["SAMLResponse"])
    forged = signed.replace(victim.foedselsnummer.encode(), typed.foedselsnummer.encode())
    forged_job["inputs"]["login"]["SAMLResponse"] = base64.b64encode(forged).decode()
    journey.deliver_journey(json.dumps(forged_job).encode(), journey=chosen)
    cases = mocks.parts.part(ArchivePart).archive.contents()
    minside = mocks.parts.part(MinSidePart).minside.contents()
    app = judging.Application(
        referanse,
        citizen.foedselsnummer,
        3,
        typed.foedselsnummer,
        avsender,
        synced_sa_status=synced,
    )
    forged_app = judging.Application(
        forged_ref, typed.foedselsnummer, 3, typed.foedselsnummer, avsender, forged=True
    )
    return judging.judge(app, cases, minside) | judging.judge(forged_app, cases, minside)


@pytest.mark.parametrize("defect", list(EXPECTED), ids=str)
def test_the_judge_fails_each_journey_defect_on_exactly_its_requirements(
    mocks: ComposedMock, tmp_path: Path, defect: str | None
) -> None:
    findings = _journey_findings(mocks, tmp_path, defect, list(EXPECTED).index(defect))
    assert set(findings) == set(judging.REQUIREMENTS)
    failed = {r for r, f in findings.items() if not f.passed}
    assert failed == EXPECTED[defect], {r: findings[r].detail for r in failed}


def test_tpn_engine_metadata_registers_the_engine_at_the_portal(tmp_path: Path) -> None:
    key = tmp_path / "engine.pem"
    runs = [
        subprocess.run(
            [*tpn_command(), "engine", "metadata", "--key", str(key)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout == runs[1].stdout  # the key made once is kept
    portal = Portal(Store("sqlite://"), PORTAL)
    provider = portal.register(runs[0].stdout.encode())
    assert provider.entity_id == journey.ENTITY_ID
