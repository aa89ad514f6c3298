"""The MinSide client's defects: the registry and the catalogue agree, and each defect changes
what its summary says, seen in what reached MinSide (the suite's matrix judges them fully)."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from minsideclient_support import act, by_id, minside, steps

from tpn.conformance.minsideclient.sent import sent
from tpn.fixtures import standard_file
from tpn.mocks.minside.mock import MinSideMock
from tpn.mocks.minside.rules import fnr_in_text
from tpn.mocks.minsideclient.defects import REGISTRY, catalogue, policies
from tpn.mocks.minsideclient.defects.variants import VENDOR_NAME, VENDOR_ORGNR

REGISTER = ("ms-register-",)
RECEIPT = (*REGISTER, "ms-receipt-1")


def test_the_registry_and_the_catalogue_name_the_same_defects() -> None:
    assert sorted(e.name for e in REGISTRY.entries) == sorted(d.name for d in catalogue())
    assert len(catalogue()) >= 10


def test_every_defect_names_requirements_of_the_profile() -> None:
    raw = tomllib.loads(standard_file("minsideclient", "requirements.toml").read_text("utf-8"))
    known = {r["id"] for r in raw["requirement"]}
    for d in catalogue():
        assert d.requirements and set(d.requirements) <= known, d.name
        assert d.summary and d.story, d.name


def test_an_unknown_defect_names_every_known_one() -> None:
    with pytest.raises(ValueError, match=r"unknown defect 'nope'; the catalogue has: new-ref"):
        policies(["nope"])


@pytest.fixture(scope="module")
def mock() -> Iterator[MinSideMock]:
    with minside() as m:
        yield m


def codes(arrivals: list, operation: str) -> set[str]:  # type: ignore[type-arg]
    return {c for a in arrivals for s in sent(a.exchanges, operation) for c in s.codes}


def test_the_reference_client_does_every_job(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps("full"))
    for a in done:
        assert a.whole == (a.step.expect == "arrive"), a.step.id
        assert a.reply.success == (a.step.expect == "arrive"), (a.step.id, a.reply.detail)
    contents = mock.minside.contents()
    # Four applications under faults, three clean, one ERROR every time: no message twice.
    refs = [m["eksternReferanse"] for m in contents["meldinger"]]
    assert len(refs) == len(set(refs)) == 7
    assert len(contents["tjenester"]) == 2


def test_new_reference_on_retry_duplicates_after_a_commit(
    mock: MinSideMock, tmp_path: Path
) -> None:
    done = by_id(
        act(mock, tmp_path, steps(ids=("ms-fault-3-drop-after-commit",)), "new-reference-on-retry")
    )
    a = done["ms-fault-3-drop-after-commit"]
    refs = [s.get("eksternReferanse") for s in sent(a.exchanges, "SendMelding")]
    assert len(refs) == 2 and refs[0] != refs[1]
    assert len(a.messages_for_application()) == 2


def test_reference_per_job_sends_a_second_receipt(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps(ids=(*RECEIPT, "ms-receipt-1-again")), "reference-per-job")
    assert len(by_id(done)["ms-receipt-1-again"].messages_for_application()) == 2


def test_no_retry_gives_up_at_the_first_fault(mock: MinSideMock, tmp_path: Path) -> None:
    done = by_id(act(mock, tmp_path, steps(ids=("ms-fault-1-http-500",)), "no-retry"))
    a = done["ms-fault-1-http-500"]
    assert len(sent(a.exchanges, "SendMelding")) <= 1
    assert a.messages_for_application() == [] and a.reply.success is False


def test_success_after_error_reports_an_error_as_success(mock: MinSideMock, tmp_path: Path) -> None:
    done = by_id(
        act(mock, tmp_path, steps(ids=("ms-fault-4-error-status",)), "success-after-error")
    )
    a = done["ms-fault-4-error-status"]
    assert a.messages_for_application() == [] and a.reply.success is True


def test_register_stub_registers_nothing(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps(ids=RECEIPT), "register-stub")
    assert mock.minside.services() == []
    assert all(a.reply.success for a in done)
    assert sent(done[-1].exchanges, "SendMelding")  # the receipt went out all the same


def test_owner_is_vendor_registers_the_vendor(mock: MinSideMock, tmp_path: Path) -> None:
    act(mock, tmp_path, steps(ids=REGISTER), "owner-is-vendor")
    assert {s.eierOrgnr for s in mock.minside.services()} == {VENDOR_ORGNR}


def test_sender_is_vendor_sends_as_the_vendor(mock: MinSideMock, tmp_path: Path) -> None:
    act(mock, tmp_path, steps(ids=RECEIPT), "sender-is-vendor")
    contents = mock.minside.contents()
    assert [m["avsenderOrgnr"] for m in contents["meldinger"]] == [VENDOR_ORGNR]
    assert [c["avsenderOrgnr"] for c in contents["saker"]] == [VENDOR_ORGNR]


def test_sender_named_as_vendor(mock: MinSideMock, tmp_path: Path) -> None:
    act(mock, tmp_path, steps(ids=RECEIPT), "sender-named-as-vendor")
    assert [m["avsenderNavn"] for m in mock.minside.contents()["meldinger"]] == [VENDOR_NAME]


def test_fnr_in_title_is_refused_by_minside(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps(ids=RECEIPT), "fnr-in-title")
    assert fnr_in_text(sent(done[-1].exchanges, "SendMelding")[0].get("tittel") or "")
    assert "FNR_IN_TITLE" in codes(done, "SendMelding")
    assert mock.minside.contents()["meldinger"] == []


def test_fnr_in_case_title_is_refused_by_minside(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps(ids=RECEIPT), "fnr-in-case-title")
    assert "FNR_IN_TITLE" in codes(done, "OppdaterSaksstatus")
    assert mock.minside.contents()["saker"] == []


def test_http_link_is_refused_by_minside(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps(ids=RECEIPT), "http-link")
    assert (sent(done[-1].exchanges, "SendMelding")[0].get("lenke") or "").startswith("http://")
    assert "LINK_NOT_HTTPS" in codes(done, "SendMelding")


def test_level_two_is_below_the_service(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps(ids=RECEIPT), "level-two")
    assert sent(done[-1].exchanges, "SendMelding")[0].get("sikkerhetsnivaa") == "2"
    assert "NIVAA_BELOW_SERVICE" in codes(done, "SendMelding")


def test_no_receipt_link(mock: MinSideMock, tmp_path: Path) -> None:
    act(mock, tmp_path, steps(ids=RECEIPT), "no-receipt-link")
    assert [m["lenke"] for m in mock.minside.contents()["meldinger"]] == [None]


def test_receipt_without_saksnummer(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps(ids=RECEIPT), "receipt-without-saksnummer")
    (m,) = mock.minside.contents()["meldinger"]
    saksnummer = done[-1].step.inputs["saksnummer"]
    assert saksnummer not in m["tittel"] and saksnummer not in m["tekst"]


def test_attachment_octet_stream_is_refused(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps(ids=RECEIPT), "attachment-octet-stream")
    assert "INVALID_MIMETYPE" in codes(done, "SendMelding")


def test_reset_then_set_sends_a_status_backwards(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(
        mock, tmp_path, steps(ids=(*RECEIPT, "ms-update-1", "ms-update-3")), "reset-then-set"
    )
    assert "SAK_STATUS_BACKWARD" in codes(done, "OppdaterSaksstatus")
    (case,) = mock.minside.contents()["saker"]
    assert case["status"] == "VEDTAK_FATTET"  # it ends right: only the way there is wrong


def test_status_time_of_sending_dates_by_the_clock(mock: MinSideMock, tmp_path: Path) -> None:
    act(mock, tmp_path, steps(ids=RECEIPT), "status-time-of-sending")
    (case,) = mock.minside.contents()["saker"]
    assert dt.datetime.fromisoformat(case["tidspunkt"]).year > 2007


def test_receipt_renamed(mock: MinSideMock, tmp_path: Path) -> None:
    act(mock, tmp_path, steps(ids=RECEIPT), "receipt-renamed")
    (m,) = mock.minside.contents()["meldinger"]
    assert [v["filnavn"] for v in m["vedlegg"]] == ["kvittering.pdf"]


def test_case_links_to_service(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps(ids=RECEIPT), "case-links-to-service")
    (case,) = mock.minside.contents()["saker"]
    assert case["lenke"] == done[-1].step.inputs["tjenesteUrl"] != done[-1].step.inputs["lenke"]


def test_mottaker_spaced_is_refused_by_minside(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps(ids=RECEIPT), "mottaker-spaced")
    (case,) = sent(done[-1].exchanges, "OppdaterSaksstatus")[:1]
    assert " " in (case.get("mottaker") or "")
    assert "INVALID_MOTTAKER" in codes(done, "OppdaterSaksstatus")
    assert mock.minside.contents()["saker"] == []


def test_long_case_title_is_refused_by_minside(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps(ids=RECEIPT), "long-case-title")
    (case,) = sent(done[-1].exchanges, "OppdaterSaksstatus")[:1]
    assert len(case.get("tittel") or "") > 100
    assert "TITLE_TOO_LONG" in codes(done, "OppdaterSaksstatus")


def test_http_service_url_is_refused_by_minside(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps(ids=REGISTER), "http-service-url")
    assert all(
        (s.get("url") or "").startswith("http://")
        for a in done
        for s in sent(a.exchanges, "RegistrerTjeneste")
    )
    assert "LINK_NOT_HTTPS" in codes(done, "RegistrerTjeneste")
    assert mock.minside.contents()["tjenester"] == []


def test_http_case_link_is_refused_by_minside(mock: MinSideMock, tmp_path: Path) -> None:
    done = act(mock, tmp_path, steps(ids=RECEIPT), "http-case-link")
    (case,) = sent(done[-1].exchanges, "OppdaterSaksstatus")[:1]
    assert (case.get("lenke") or "").startswith("http://")
    assert "LINK_NOT_HTTPS" in codes(done, "OppdaterSaksstatus")


def test_hangs_after_error_never_answers_the_job(mock: MinSideMock, tmp_path: Path) -> None:
    refused = [s for s in steps() if s.expect == "refused"]
    assert refused, "the plan has a job MinSide refuses"
    done = act(mock, tmp_path, [*steps(ids=REGISTER), refused[0]], "hangs-after-error", deadline=2)
    assert done[-1].reply.success is False
    assert "no answer within" in done[-1].reply.detail
