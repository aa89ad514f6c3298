"""MinSide's three SOAP services over the wire with zeep: every operation, every rule of the
standard (one test each, so that removing a rule fails one), idempotent SendMelding, the
status transitions of messages and cases, isolation between senders, and the journal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import zeep
from ms_support import (
    CITIZEN,
    ORG,
    OTHER_CITIZEN,
    OTHER_ORG,
    OUTSIDER,
    codes,
    kind,
    melding,
    sak,
    texts,
    tjeneste,
)

from tpn.mocks.minside import rules
from tpn.mocks.minside.mock import (
    MELDINGSBOKS_PATH,
    MINESAKER_PATH,
    TJENESTEKATALOG_PATH,
    MinSideMock,
)

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def ms() -> Iterator[MinSideMock]:
    with MinSideMock() as mock:
        yield mock


@pytest.fixture(autouse=True)
def _fresh(ms: MinSideMock) -> None:
    ms.reset()


@pytest.fixture(scope="module")
def katalog(ms: MinSideMock) -> Any:
    return zeep.Client(ms.wsdl(TJENESTEKATALOG_PATH)).service


@pytest.fixture(scope="module")
def boks(ms: MinSideMock) -> Any:
    settings = zeep.Settings(xml_huge_tree=True)
    return zeep.Client(ms.wsdl(MELDINGSBOKS_PATH), settings=settings).service


@pytest.fixture(scope="module")
def saker(ms: MinSideMock) -> Any:
    return zeep.Client(ms.wsdl(MINESAKER_PATH)).service


# ---------------------------------------------------------------- tjenestekatalog


def test_a_registered_service_is_listed(katalog: Any) -> None:
    answer = katalog.RegistrerTjeneste(tjeneste=tjeneste())
    assert kind(answer) == "OK" and answer.tjeneste.tjenesteId == "oslo-barnehage"
    listed = katalog.HentTjenester()
    assert kind(listed) == "OK"
    assert [(t.tjenesteId, t.sikkerhetsnivaa, t.skjemaId) for t in listed.tjeneste] == [
        ("oslo-barnehage", 3, "BHG-01")
    ]


def test_services_are_selected_by_kommunenummer_and_kategori(katalog: Any) -> None:
    katalog.RegistrerTjeneste(tjeneste=tjeneste())
    katalog.RegistrerTjeneste(tjeneste=tjeneste(tjenesteId="oslo-sfo", kategori="skole"))
    katalog.RegistrerTjeneste(
        tjeneste=tjeneste(tjenesteId="stavanger-bhg", kommunenummer="1103", eierOrgnr=OTHER_ORG)
    )
    ids = lambda answer: sorted(t.tjenesteId for t in answer.tjeneste)  # noqa: E731
    assert ids(katalog.HentTjenester(kommunenummer="0301")) == ["oslo-barnehage", "oslo-sfo"]
    assert ids(katalog.HentTjenester(kategori="barnehage")) == ["oslo-barnehage", "stavanger-bhg"]
    assert ids(katalog.HentTjenester(kommunenummer="1103", kategori="skole")) == []


def test_registering_an_existing_id_updates_it(katalog: Any) -> None:
    katalog.RegistrerTjeneste(tjeneste=tjeneste())
    answer = katalog.RegistrerTjeneste(tjeneste=tjeneste(navn="Barnehageplass", sikkerhetsnivaa=4))
    assert kind(answer) == "OK"
    [found] = katalog.HentTjenester().tjeneste
    assert (found.navn, found.sikkerhetsnivaa) == ("Barnehageplass", 4)


def test_only_the_owner_updates_or_removes_a_service(katalog: Any) -> None:
    katalog.RegistrerTjeneste(tjeneste=tjeneste())
    taken = katalog.RegistrerTjeneste(tjeneste=tjeneste(eierOrgnr=OTHER_ORG, navn="Kapret"))
    assert (kind(taken), codes(taken)) == ("ERROR", ["NOT_OWNER"])
    removed = katalog.AvregistrerTjeneste(tjenesteId="oslo-barnehage", eierOrgnr=OTHER_ORG)
    assert codes(removed) == ["NOT_OWNER"]
    assert [t.navn for t in katalog.HentTjenester().tjeneste] == ["Søknad om barnehageplass"]


def test_unregistering_removes_a_service(katalog: Any) -> None:
    katalog.RegistrerTjeneste(tjeneste=tjeneste())
    assert kind(katalog.AvregistrerTjeneste(tjenesteId="oslo-barnehage", eierOrgnr=ORG)) == "OK"
    assert katalog.HentTjenester().tjeneste == []
    again = katalog.AvregistrerTjeneste(tjenesteId="oslo-barnehage", eierOrgnr=ORG)
    assert codes(again) == ["UNKNOWN_TJENESTE"]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("tjenesteId", "oslo barnehage", "INVALID_TJENESTE_ID"),
        ("kommunenummer", "301", "INVALID_KOMMUNENUMMER"),
        ("eierOrgnr", "390301007", "INVALID_ORGNR"),
        ("url", "http://tjenester.oslo.example/barnehage", "LINK_NOT_HTTPS"),
        ("url", "tjenester.oslo.example/barnehage", "INVALID_LINK"),
        ("sikkerhetsnivaa", 0, "INVALID_SIKKERHETSNIVAA"),
        ("sikkerhetsnivaa", 5, "INVALID_SIKKERHETSNIVAA"),
        ("kategori", "parkering", "INVALID_KATEGORI"),
        ("navn", "  ", "MISSING_FIELD"),
        ("navn", "n" * 201, "FIELD_TOO_LONG"),
    ],
)
def test_a_service_breaking_a_rule_is_refused(
    katalog: Any, field: str, value: Any, code: str
) -> None:
    answer = katalog.RegistrerTjeneste(tjeneste=tjeneste(**{field: value}))
    assert (kind(answer), codes(answer)) == ("ERROR", [code])
    assert f"tjeneste/{field}" in texts(answer)[0]
    assert katalog.HentTjenester().tjeneste == []


@pytest.mark.parametrize(
    ("selector", "code"),
    [({"kommunenummer": "03x1"}, "INVALID_KOMMUNENUMMER"), ({"kategori": "x"}, "INVALID_KATEGORI")],
)
def test_hent_tjenester_checks_its_selectors(katalog: Any, selector: Any, code: str) -> None:
    assert codes(katalog.HentTjenester(**selector)) == [code]


# ---------------------------------------------------------------- meldingsboks


def test_a_message_is_received_and_its_status_is_told(boks: Any, ms: MinSideMock) -> None:
    sent = boks.SendMelding(melding=melding())
    assert kind(sent) == "OK" and sent.meldingId
    status = boks.HentMeldingStatus(meldingId=sent.meldingId, avsenderOrgnr=ORG)
    assert (kind(status), status.meldingStatus, status.aarsak) == ("OK", "MOTTATT", None)
    [stored] = ms.minside.messages_for(CITIZEN)
    assert (stored.meldingId, stored.tittel, stored.sikkerhetsnivaa) == (
        sent.meldingId,
        "Kvittering for søknad om barnehageplass",
        3,
    )


def test_a_message_moves_mottatt_levert_lest(boks: Any, ms: MinSideMock) -> None:
    sent = boks.SendMelding(melding=melding())
    told = lambda: boks.HentMeldingStatus(meldingId=sent.meldingId, avsenderOrgnr=ORG).meldingStatus  # noqa: E731
    assert told() == "MOTTATT"
    assert ms.minside.deliver(CITIZEN) == 1
    assert told() == "LEVERT"
    opened = ms.minside.open_message(sent.meldingId, CITIZEN)
    assert opened is not None and opened.status == "LEST"
    assert told() == "LEST"
    assert [h.status for h in opened.historikk] == ["MOTTATT", "LEVERT", "LEST"]


def test_another_citizen_cannot_open_a_message(boks: Any, ms: MinSideMock) -> None:
    sent = boks.SendMelding(melding=melding())
    assert ms.minside.open_message(sent.meldingId, OTHER_CITIZEN) is None
    assert ms.minside.messages_for(OTHER_CITIZEN) == []


def test_a_message_to_someone_who_is_no_user_is_avvist(boks: Any, ms: MinSideMock) -> None:
    sent = boks.SendMelding(melding=melding(mottaker=OUTSIDER))
    assert (kind(sent), codes(sent)) == ("WARNING", ["MOTTAKER_NOT_USER"])
    status = boks.HentMeldingStatus(meldingId=sent.meldingId, avsenderOrgnr=ORG)
    assert status.meldingStatus == "AVVIST"
    assert status.aarsak == "mottaker is not a user of MinSide"
    assert ms.minside.messages_for(OUTSIDER) == []


def test_attachments_are_kept_as_sent(boks: Any, ms: MinSideMock) -> None:
    files = [
        {"filnavn": "vedtak.pdf", "mimeType": "application/pdf", "data": b"%PDF-1.4 \x00\xff"},
        {"filnavn": "kart.png", "mimeType": "image/png", "data": b"\x89PNG"},
    ]
    sent = boks.SendMelding(melding=melding(vedlegg=files))
    assert kind(sent) == "OK"
    [stored] = ms.minside.messages_for(CITIZEN)
    assert [(v.filnavn, v.mimeType, v.data) for v in stored.vedlegg] == [
        (f["filnavn"], f["mimeType"], f["data"]) for f in files
    ]


def test_a_resend_delivers_nothing_new(boks: Any, ms: MinSideMock) -> None:
    first = boks.SendMelding(melding=melding())
    again = boks.SendMelding(melding=melding())
    assert (kind(again), again.meldingId) == ("OK", first.meldingId)
    assert len(ms.minside.messages_for(CITIZEN)) == 1


def test_the_same_reference_from_another_sender_is_another_message(
    boks: Any, ms: MinSideMock
) -> None:
    first = boks.SendMelding(melding=melding())
    other = boks.SendMelding(melding=melding(avsenderOrgnr=OTHER_ORG, lenke=None))
    assert kind(other) == "OK" and other.meldingId != first.meldingId
    assert len(ms.minside.messages_for(CITIZEN)) == 2


def test_a_reused_reference_with_other_content_is_refused(boks: Any, ms: MinSideMock) -> None:
    first = boks.SendMelding(melding=melding())
    reused = boks.SendMelding(melding=melding(tittel="Vedtak om barnehageplass"))
    assert (kind(reused), codes(reused)) == ("ERROR", ["EKSTERN_REFERANSE_REUSED"])
    assert first.meldingId in texts(reused)[0]
    assert [m.tittel for m in ms.minside.messages_for(CITIZEN)] == [
        "Kvittering for søknad om barnehageplass"
    ]


def test_a_sender_sees_only_its_own_messages(boks: Any) -> None:
    sent = boks.SendMelding(melding=melding())
    other = boks.HentMeldingStatus(meldingId=sent.meldingId, avsenderOrgnr=OTHER_ORG)
    unknown = boks.HentMeldingStatus(meldingId="0" * 32, avsenderOrgnr=OTHER_ORG)
    assert (kind(other), codes(other), other.meldingStatus) == ("ERROR", ["UNKNOWN_MELDING"], None)
    # Another sender's message reads exactly as a message that does not exist.
    assert texts(other)[0].replace(sent.meldingId, "0" * 32) == texts(unknown)[0]


def test_messages_are_listed_newest_first(boks: Any, ms: MinSideMock) -> None:
    ms.set_clock(dt.datetime(2007, 3, 1, 9, 0))
    boks.SendMelding(melding=melding(eksternReferanse="a", tittel="Første"))
    ms.set_clock(dt.datetime(2007, 3, 2, 9, 0))
    boks.SendMelding(melding=melding(eksternReferanse="b", tittel="Andre"))
    listed = ms.minside.messages_for(CITIZEN)
    assert [m.tittel for m in listed] == ["Andre", "Første"]
    assert listed[0].mottatt == dt.datetime(2007, 3, 2, 9, 0)


def test_a_message_linking_into_a_service_needs_its_level(katalog: Any, boks: Any) -> None:
    katalog.RegistrerTjeneste(tjeneste=tjeneste(sikkerhetsnivaa=4))
    low = boks.SendMelding(melding=melding(sikkerhetsnivaa=3))
    assert (kind(low), codes(low)) == ("ERROR", ["NIVAA_BELOW_SERVICE"])
    assert "oslo-barnehage" in texts(low)[0]
    assert kind(boks.SendMelding(melding=melding(sikkerhetsnivaa=4))) == "OK"
    # A link outside every registered service's url needs no particular level.
    elsewhere = melding(eksternReferanse="x", lenke="https://tjenester.oslo.example/barnehagex")
    assert kind(boks.SendMelding(melding=elsewhere | {"sikkerhetsnivaa": 1})) == "OK"


PERSON = CITIZEN


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("mottaker", "12345678901", "INVALID_MOTTAKER"),
        ("mottaker", PERSON[:10] + str((int(PERSON[10]) + 1) % 10), "INVALID_MOTTAKER"),
        ("avsenderOrgnr", "390301007", "INVALID_ORGNR"),
        ("tittel", "t" * 101, "TITLE_TOO_LONG"),
        ("tittel", f"Kvittering til {PERSON}", "FNR_IN_TITLE"),
        ("tittel", f"Kvittering til {PERSON[:6]} {PERSON[6:]}", "FNR_IN_TITLE"),
        ("lenke", "http://tjenester.oslo.example/sak/1", "LINK_NOT_HTTPS"),
        ("lenke", "https:///sak/1", "INVALID_LINK"),
        ("lenke", "javascript:alert(1)", "INVALID_LINK"),
        ("sikkerhetsnivaa", 0, "INVALID_SIKKERHETSNIVAA"),
        ("sikkerhetsnivaa", 5, "INVALID_SIKKERHETSNIVAA"),
        ("tekst", "", "MISSING_FIELD"),
        ("eksternReferanse", "r" * 201, "FIELD_TOO_LONG"),
    ],
)
def test_a_message_breaking_a_rule_is_refused(
    boks: Any, ms: MinSideMock, field: str, value: Any, code: str
) -> None:
    answer = boks.SendMelding(melding=melding(**{field: value}))
    assert (kind(answer), codes(answer), answer.meldingId) == ("ERROR", [code], None)
    assert f"melding/{field}" in texts(answer)[0]
    assert ms.minside.counts()["minside_meldinger"] == 0


def _file(size: int, name: str = "vedlegg.pdf", mime: str = "application/pdf") -> dict[str, Any]:
    return {"filnavn": name, "mimeType": mime, "data": b"x" * size}


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ([_file(1)] * (rules.MAX_VEDLEGG + 1), "TOO_MANY_VEDLEGG"),
        ([_file(rules.MAX_VEDLEGG_BYTES + 1)], "VEDLEGG_TOO_LARGE"),
        ([_file(rules.MAX_VEDLEGG_BYTES)] * 3, "VEDLEGG_TOTAL_TOO_LARGE"),
        ([_file(1, mime="application/x-msdownload")], "INVALID_MIMETYPE"),
        ([_file(1, name="../../etc/passwd")], "INVALID_FILNAVN"),
        ([_file(1, name="faktura\u202efdp.exe")], "INVALID_FILNAVN"),
    ],
    ids=["count", "size", "total", "mime", "path", "control"],
)
def test_attachments_beyond_the_limits_are_refused(
    boks: Any, ms: MinSideMock, files: list[dict[str, Any]], code: str
) -> None:
    answer = boks.SendMelding(melding=melding(vedlegg=files))
    assert (kind(answer), codes(answer)) == ("ERROR", [code])
    assert "melding/vedlegg" in texts(answer)[0]
    assert ms.minside.counts()["minside_meldinger"] == 0


def test_attachments_at_the_limits_are_taken(boks: Any) -> None:
    at_count = boks.SendMelding(melding=melding(vedlegg=[_file(1)] * rules.MAX_VEDLEGG))
    assert kind(at_count) == "OK"
    each = rules.MAX_VEDLEGG_BYTES
    rest = rules.MAX_TOTAL_BYTES - 2 * each
    at_total = boks.SendMelding(
        melding=melding(eksternReferanse="total", vedlegg=[_file(each), _file(each), _file(rest)])
    )
    assert kind(at_total) == "OK"


# ---------------------------------------------------------------- mine saker


def test_a_case_is_created_then_moved_forward(saker: Any, ms: MinSideMock) -> None:
    assert kind(saker.OppdaterSaksstatus(sak=sak())) == "OK"
    later = sak(status="VEDTAK_FATTET", tidspunkt=dt.datetime(2007, 4, 1, 12, 0))
    assert kind(saker.OppdaterSaksstatus(sak=later)) == "OK"
    [case] = ms.minside.cases_for(CITIZEN)
    assert (case.saksnummer, case.status) == ("2007/123", "VEDTAK_FATTET")
    assert [h.status for h in case.historikk] == ["MOTTATT", "VEDTAK_FATTET"]


def test_updates_never_create_a_second_case(saker: Any, ms: MinSideMock) -> None:
    for n, status in enumerate(("MOTTATT", "UNDER_BEHANDLING", "UNDER_BEHANDLING", "AVSLUTTET")):
        update = sak(status=status, tidspunkt=dt.datetime(2007, 3, 1 + n))
        assert kind(saker.OppdaterSaksstatus(sak=update)) == "OK"
    assert ms.minside.counts()["minside_saker"] == 1
    [case] = ms.minside.cases_for(CITIZEN)
    assert [h.status for h in case.historikk] == ["MOTTATT", "UNDER_BEHANDLING", "AVSLUTTET"]


def test_a_case_status_never_moves_back(saker: Any, ms: MinSideMock) -> None:
    saker.OppdaterSaksstatus(sak=sak(status="VEDTAK_FATTET"))
    back = saker.OppdaterSaksstatus(
        sak=sak(status="UNDER_BEHANDLING", tidspunkt=dt.datetime(2007, 5, 1))
    )
    assert (kind(back), codes(back)) == ("ERROR", ["SAK_STATUS_BACKWARD"])
    assert ms.minside.cases_for(CITIZEN)[0].status == "VEDTAK_FATTET"


def test_an_older_update_is_ignored(saker: Any, ms: MinSideMock) -> None:
    saker.OppdaterSaksstatus(sak=sak(status="VEDTAK_FATTET", tidspunkt=dt.datetime(2007, 4, 1)))
    late = saker.OppdaterSaksstatus(
        sak=sak(status="UNDER_BEHANDLING", tidspunkt=dt.datetime(2007, 3, 15))
    )
    assert (kind(late), codes(late)) == ("WARNING", ["SAK_OUTDATED"])
    [case] = ms.minside.cases_for(CITIZEN)
    assert (case.status, case.tidspunkt) == ("VEDTAK_FATTET", dt.datetime(2007, 4, 1))


def test_a_case_keeps_its_citizen(saker: Any, ms: MinSideMock) -> None:
    saker.OppdaterSaksstatus(sak=sak())
    other = saker.OppdaterSaksstatus(
        sak=sak(
            mottaker=OTHER_CITIZEN, status="UNDER_BEHANDLING", tidspunkt=dt.datetime(2007, 4, 1)
        )
    )
    assert codes(other) == ["SAK_MOTTAKER_MISMATCH"]
    assert ms.minside.cases_for(OTHER_CITIZEN) == []


def test_the_same_saksnummer_from_another_sender_is_another_case(
    saker: Any, ms: MinSideMock
) -> None:
    saker.OppdaterSaksstatus(sak=sak())
    saker.OppdaterSaksstatus(sak=sak(avsenderOrgnr=OTHER_ORG, lenke=None))
    assert ms.minside.counts()["minside_saker"] == 2


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("saksnummer", "2007-123", "INVALID_SAKSNUMMER"),
        ("saksnummer", "07/123", "INVALID_SAKSNUMMER"),
        ("saksnummer", "2007/0", "INVALID_SAKSNUMMER"),
        ("status", "FERDIG", "INVALID_SAK_STATUS"),
        ("mottaker", "00000000000", "INVALID_MOTTAKER"),
        ("avsenderOrgnr", "123", "INVALID_ORGNR"),
        ("tittel", f"Sak for {PERSON}", "FNR_IN_TITLE"),
        ("lenke", "http://tjenester.oslo.example/sak", "LINK_NOT_HTTPS"),
    ],
)
def test_a_case_breaking_a_rule_is_refused(
    saker: Any, ms: MinSideMock, field: str, value: str, code: str
) -> None:
    answer = saker.OppdaterSaksstatus(sak=sak(**{field: value}))
    assert (kind(answer), codes(answer)) == ("ERROR", [code])
    assert f"sak/{field}" in texts(answer)[0]
    assert ms.minside.counts()["minside_saker"] == 0


# ---------------------------------------------------------------- the journal, the judge


def test_every_exchange_is_journalled_with_its_business_key(
    ms: MinSideMock, katalog: Any, boks: Any, saker: Any
) -> None:
    katalog.RegistrerTjeneste(tjeneste=tjeneste())
    sent = boks.SendMelding(melding=melding())
    boks.SendMelding(melding=melding(tittel="x"))
    saker.OppdaterSaksstatus(sak=sak())
    got = [(e.service, e.operation, e.outcome, e.key) for e in ms.journal()]
    assert got == [
        ("Tjenestekatalog", "RegistrerTjeneste", "ok", "oslo-barnehage"),
        ("Meldingsboks", "SendMelding", "ok", "oslo-bhg-0001"),
        ("Meldingsboks", "SendMelding", "error", "oslo-bhg-0001"),
        ("MineSaker", "OppdaterSaksstatus", "ok", "2007/123"),
    ]
    journey = ms.parts.journal.entries(key="oslo-bhg-0001")
    assert [e.operation for e in journey] == ["SendMelding", "SendMelding"]
    assert sent.meldingId.encode() in journey[0].response


def test_contents_hold_everything_with_its_history(
    ms: MinSideMock, katalog: Any, boks: Any, saker: Any
) -> None:
    katalog.RegistrerTjeneste(tjeneste=tjeneste())
    vedlegg = [{"filnavn": "a.txt", "mimeType": "text/plain", "data": b"hei"}]
    boks.SendMelding(melding=melding(vedlegg=vedlegg))
    saker.OppdaterSaksstatus(sak=sak())
    saker.OppdaterSaksstatus(sak=sak(status="AVSLUTTET", tidspunkt=dt.datetime(2007, 6, 1)))
    found = ms.minside.contents()
    assert [t["tjenesteId"] for t in found["tjenester"]] == ["oslo-barnehage"]
    [m] = found["meldinger"]
    assert (m["eksternReferanse"], m["status"], m["vedlegg"][0]["data"]) == (
        "oslo-bhg-0001",
        "MOTTATT",
        b"hei",
    )
    [s] = found["saker"]
    assert [h["status"] for h in s["historikk"]] == ["MOTTATT", "AVSLUTTET"]
    assert s["tidspunkt"] == "2007-06-01T00:00:00"
    assert ms.minside.counts() == {
        "minside_tjenester": 1,
        "minside_meldinger": 1,
        "minside_saker": 1,
    }
