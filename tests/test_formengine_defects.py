"""The form engine's defects: the registry and the catalogue agree, and each defect changes
what its summary says (a quick look at what arrived; the suite's matrix judges them fully)."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from formengine_support import (
    Arrived,
    arrived,
    client,
    flaky_proxy,
    form_document,
    job_for,
    register_stand_in,
)
from lxml import etree

from tpn.conformance.ksxml.validator import Validator
from tpn.fixtures import standard_file
from tpn.mocks.formengine import SYSTEM, Engine, Result, engine, parse_job
from tpn.mocks.formengine.defects import REGISTRY, catalogue, policies
from tpn.mocks.formengine.messages import OSLO
from tpn.mocks.noark4ws import ArchiveMock


def test_the_registry_and_the_catalogue_name_the_same_defects() -> None:
    # The journey's defects (issue 12) are a registry of their own over the journey's seams.
    from tpn.mocks.formengine.defects import journey

    registered = [e.name for e in (*REGISTRY.entries, *journey.REGISTRY.entries)]
    assert sorted(registered) == sorted(d.name for d in catalogue())
    assert len(catalogue()) >= 12


def test_every_defect_names_requirements_of_the_profile() -> None:
    raw = tomllib.loads(standard_file("formdelivery", "requirements.toml").read_text("utf-8"))
    known = {r["id"] for r in raw["requirement"]}
    for d in catalogue():
        assert d.requirements and set(d.requirements) <= known, d.name
        assert d.summary and d.story, d.name


def test_an_unknown_defect_names_every_known_one() -> None:
    with pytest.raises(ValueError, match=r"unknown defect 'nope'; the catalogue has: new-keys"):
        engine(["nope"])


@dataclass
class Run:
    result: Result
    found: Arrived
    counts: dict[str, int]
    seen: list[bytes]
    referanse: str
    job: dict[str, Any]


@pytest.fixture(scope="module")
def register_url() -> Iterator[str]:
    with register_stand_in() as url:
        yield url


def run(
    defect: str,
    skjema_id: str,
    folder: Path,
    register_url: str,
    *,
    fault: tuple[str, str] | None = None,
    system: str = SYSTEM,
) -> Run:
    doc = form_document(skjema_id)
    referanse = doc.text("Metadata/referanse")
    with ArchiveMock() as archive:
        proxy = flaky_proxy(archive.url, *fault) if fault else nullcontext()
        with proxy as flaky:
            url = flaky.url if flaky is not None else archive.url
            job = job_for(doc, folder, url, register_url)
            result = engine([defect], timeout=1.0).deliver(parse_job(json.dumps(job).encode()))
        found = arrived(client(archive.wsdl_url), system, referanse)
        counts = archive.archive.counts()
    return Run(result, found, counts, flaky.seen if flaky else [], referanse, job)


def main_xml(r: Run) -> bytes:
    [main] = [d for d in r.found.entries[0].dokument if d.dlType == "H"]
    data: bytes = main.fil.base64
    return data


def _keys(bodies: list[bytes]) -> set[tuple[bytes, ...]]:
    return {tuple(re.findall(rb"<[^>]*nokkel>([^<]*)<", b)) for b in bodies}


def check_new_keys_on_retry(tmp: Path, reg: str) -> None:
    r = run("new-keys-on-retry", "KS-BARNEHAGE", tmp, reg, fault=("drop-after", "PutJournpost"))
    assert r.result.success and r.counts["journpost"] == 2 and len(_keys(r.seen)) == 2


def check_duplicate_on_resend(tmp: Path, reg: str) -> None:
    r = run("duplicate-on-resend", "KS-BARNEHAGE", tmp, reg, fault=("drop-after", "PutNoarksak"))
    assert r.result.success and r.counts["noarksak"] == 2


def check_no_retry(tmp: Path, reg: str) -> None:
    r = run("no-retry", "KS-BARNEHAGE", tmp, reg, fault=("http-500", "PutNoarksak"))
    assert not r.result.success and len(r.seen) == 1 and r.counts["noarksak"] == 0


def check_success_after_error(tmp: Path, reg: str) -> None:
    r = run("success-after-error", "KS-BARNEHAGE", tmp, reg, fault=("error-status", "PutJournpost"))
    assert r.result.success and r.counts["journpost"] == 0


def check_document_reencoded(tmp: Path, reg: str) -> None:
    r = run("document-reencoded", "KS-BARNEHAGE", tmp, reg)
    xml = main_xml(r)
    assert xml.startswith(b"<?xml version='1.0' encoding='ISO-8859-1'?>")
    assert "KSX-XML-001" in Validator().check(xml).rules


def check_values_padded(tmp: Path, reg: str) -> None:
    r = run("values-padded", "KS-BARNEHAGE", tmp, reg)
    texts = [el.text for el in etree.fromstring(main_xml(r)).iter(etree.Element) if len(el) == 0]
    assert any(t and t != t.strip() for t in texts)


def check_no_pdf(tmp: Path, reg: str) -> None:
    r = run("no-pdf", "KS-BARNEHAGE", tmp, reg)
    assert [d.dlType for d in r.found.entries[0].dokument] == ["H"]


def check_org_from_job(tmp: Path, reg: str) -> None:
    r = run("org-from-job", "KS-SKJENKEBEVILLING", tmp, reg)
    assert r.result.success and "register" not in [a.operation for a in r.result.attempts]
    [am] = r.found.entries[0].avsmot
    assert am.amNavn is None and am.amAdresse is None and am.amOrgnr
    assert "KSX-XSD-001" in Validator().check(main_xml(r)).rules


def check_fnr_in_title(tmp: Path, reg: str) -> None:
    r = run("fnr-in-title", "KS-STARTLAAN", tmp, reg)
    assert re.search(r"\(\d{11}\)$", r.found.cases[0].saTittel)
    assert re.search(r"\(\d{11}\)$", r.found.entries[0].jpInnhold)


def check_no_access_code(tmp: Path, reg: str) -> None:
    r = run("no-access-code", "KS-STARTLAAN", tmp, reg)
    sak, jp = r.found.cases[0], r.found.entries[0]
    assert (sak.saTgkode, sak.saU1, sak.saOfftittel) == (None, None, None)
    assert (jp.jpTgkode, jp.jpU1, jp.jpOffinnhold) == (None, None, None)


def check_wrong_document_type(tmp: Path, reg: str) -> None:
    r = run("wrong-document-type", "KS-BARNEHAGE", tmp, reg)
    assert r.found.entries[0].jpNdoktype == "U"


def check_missing_sender(tmp: Path, reg: str) -> None:
    r = run("missing-sender", "KS-BARNEHAGE", tmp, reg)
    assert not r.found.entries[0].avsmot


def check_matrikkel_dropped(tmp: Path, reg: str) -> None:
    r = run("matrikkel-dropped", "KS-GRAVETILLATELSE", tmp, reg)
    assert r.result.success and not r.found.cases[0].matrikkelnummer


def check_numbers_sent(tmp: Path, reg: str) -> None:
    r = run("numbers-sent", "KS-BARNEHAGE", tmp, reg)
    [case] = [a for a in r.result.attempts if a.operation == "PutNoarksak"]
    assert case.outcome == "WARNING" and "NUMBER_REPLACED" in case.detail


def check_keys_from_clock(tmp: Path, reg: str) -> None:
    r = run("keys-from-clock", "KS-BARNEHAGE", tmp, reg)
    assert r.result.success and r.counts["noarksak"] == 1 and not r.found.cases


def check_system_per_form(tmp: Path, reg: str) -> None:
    r = run("system-per-form", "KS-BARNEHAGE", tmp, reg, system=f"{SYSTEM}-KS-BARNEHAGE")
    assert r.result.success and len(r.found.cases) == 1


def _sender(r: Run) -> Any:
    [am] = r.found.entries[0].avsmot
    return am


def check_sender_without_address(tmp: Path, reg: str) -> None:
    for skjema_id in ("KS-BARNEHAGE", "KS-SKJENKEBEVILLING"):  # a person's, an organisation's
        am = _sender(run("sender-without-address", skjema_id, tmp, reg))
        assert (am.amAdresse, am.amPostnr, am.amPoststed) == (None, None, None)
        assert am.amNavn and (am.amFodselsnr or am.amOrgnr)


def check_sender_unnumbered(tmp: Path, reg: str) -> None:
    for skjema_id in ("KS-BARNEHAGE", "KS-SKJENKEBEVILLING"):
        am = _sender(run("sender-unnumbered", skjema_id, tmp, reg))
        assert (am.amFodselsnr, am.amOrgnr) == (None, None) and am.amNavn and am.amAdresse


def check_no_sender_email(tmp: Path, reg: str) -> None:
    r = run("no-sender-email", "KS-BARNEHAGE", tmp, reg)
    assert form_document("KS-BARNEHAGE").text("Innsender/epost")
    am = _sender(r)
    assert am.amEpostadr is None and am.amFodselsnr and am.amAdresse


def check_case_titled_by_applicant(tmp: Path, reg: str) -> None:
    r = run("case-titled-by-applicant", "KS-BARNEHAGE", tmp, reg)
    name = form_document("KS-BARNEHAGE").text("Innsender/navn")
    assert r.found.cases[0].saTittel == f"{name} - Søknad om barnehageplass"
    assert r.found.entries[0].jpInnhold == f"Søknad om barnehageplass - {name}"


def check_entry_titled_by_form_id(tmp: Path, reg: str) -> None:
    r = run("entry-titled-by-form-id", "KS-BARNEHAGE", tmp, reg)
    assert r.found.entries[0].jpInnhold == "KS-BARNEHAGE"
    assert r.found.cases[0].saTittel.startswith("Søknad om barnehageplass - ")


def check_dokdato_today(tmp: Path, reg: str) -> None:
    r = run("dokdato-today", "KS-BARNEHAGE", tmp, reg)
    sent = dt.datetime.fromisoformat(
        form_document("KS-BARNEHAGE").text("Metadata/innsendtTidspunkt").replace("Z", "+00:00")
    )
    today = dt.datetime.now(OSLO).date()
    assert sent.astimezone(OSLO).date() != today  # the reference would send that date
    assert r.found.entries[0].jpDokdato == today


def check_journalfoert(tmp: Path, reg: str) -> None:
    r = run("journalfoert", "KS-BARNEHAGE", tmp, reg)
    assert r.result.success and r.found.entries[0].jpStatus == "J"


def check_all_restricted(tmp: Path, reg: str) -> None:
    r = run("all-restricted", "KS-BARNEHAGE", tmp, reg)  # not a confidential form
    sak, jp = r.found.cases[0], r.found.entries[0]
    assert (sak.saTgkode, sak.saU1, sak.saOfftittel) == ("13", "1", "Søknad om barnehageplass")
    assert (jp.jpTgkode, jp.jpU1, jp.jpOffinnhold) == ("13", "1", "Søknad om barnehageplass")


def check_xml_as_text(tmp: Path, reg: str) -> None:
    r = run("xml-as-text", "KS-BARNEHAGE", tmp, reg)
    [main] = [d for d in r.found.entries[0].dokument if d.dlType == "H"]
    assert (main.veDokformat, main.veMimeType) == ("RA-TEKST", "text/plain")
    assert main_xml(r).startswith(b"<?xml")


def check_pdf_as_own_entry(tmp: Path, reg: str) -> None:
    r = run("pdf-as-own-entry", "KS-BARNEHAGE", tmp, reg)
    assert r.result.success and r.counts == {"noarksak": 1, "journpost": 2, "dokument": 2}
    kinds = sorted([d.dlType for d in e.dokument] for e in r.found.entries)
    assert kinds == [["H"], ["V"]]
    keys = sorted(e.jpEksternNokkel.nokkel for e in r.found.entries)
    assert keys == [r.referanse, f"{r.referanse}-pdf"]


def check_pdf_in_own_case(tmp: Path, reg: str) -> None:
    r = run("pdf-in-own-case", "KS-BARNEHAGE", tmp, reg)
    assert r.result.success and r.counts == {"noarksak": 2, "journpost": 2, "dokument": 2}
    assert [d.dlType for e in r.found.entries for d in e.dokument] == ["H"]


class _StillWaiting(Exception):
    pass


def check_hangs_after_error(tmp: Path, reg: str) -> None:
    pauses: list[float] = []

    def sleep(seconds: float) -> None:  # the third pause ends the wait the engine never ends
        pauses.append(seconds)
        if len(pauses) == 3:
            raise _StillWaiting

    doc = form_document("KS-BARNEHAGE")
    hanging = Engine(policies(["hangs-after-error"]), timeout=1.0, sleep=sleep)
    with ArchiveMock() as archive, flaky_proxy(archive.url, "error-status", "PutJournpost") as f:
        job = parse_job(json.dumps(job_for(doc, tmp, f.url, reg)).encode())
        with pytest.raises(_StillWaiting):
            hanging.deliver(job)
        assert engine([], timeout=1.0).deliver(job).success is False  # the reference gives up
    assert len(f.seen) == 2  # one request each: no resend, the defect only waits


CHECKS: dict[str, Callable[[Path, str], None]] = {
    name.removeprefix("check_").replace("_", "-"): check
    for name, check in list(globals().items())
    if name.startswith("check_")
}


def test_every_defect_has_a_check() -> None:
    # The journey's defects have theirs in test_formengine_journey.py.
    from tpn.mocks.formengine.defects import journey

    assert sorted(CHECKS) == sorted(
        d.name for d in catalogue() if d.name not in journey.REGISTRY.names()
    )


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_defect_does_what_its_summary_says(
    name: str, tmp_path: Path, register_url: str
) -> None:
    CHECKS[name](tmp_path, register_url)
