"""The reference form engine delivers each of the 15 forms as the form-delivery profile decides,
and resends with the same keys when the archive fails in transit."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from formengine_support import (
    FORMS,
    arrived,
    client,
    enhet_json,
    flaky_proxy,
    form_document,
    job_for,
)
from formengine_support import register_stand_in as register_stand_in_cm
from lxml import etree
from pypdf import PdfReader

from tpn.conformance.ksxml.validator import Validator
from tpn.fixtures import population
from tpn.mocks.core.config import MockConfig
from tpn.mocks.formengine import SYSTEM, Engine, JobError, parse_job
from tpn.mocks.noark4ws import ArchiveMock

ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
CORE_RULES = {
    "KSX-XML-001", "KSX-XML-002", "KSX-ENV-001", "KSX-ENV-002", "KSX-XSD-001", "KSX-ID-001",
    "KSX-ID-002", "KSX-KOMM-001", "KSX-POST-001", "KSX-TID-001", "KSX-NIVAA-001", "KSX-KODE-001",
}  # fmt: skip


@pytest.fixture(scope="module")
def register_url() -> Iterator[str]:
    with register_stand_in_cm() as url:
        yield url


@pytest.fixture(scope="module")
def shared_archive() -> Iterator[ArchiveMock]:
    with ArchiveMock() as archive:
        yield archive


@pytest.fixture
def archive() -> Iterator[ArchiveMock]:
    with ArchiveMock() as fresh:
        yield fresh


def deliver(job: dict[str, Any], **options: Any) -> Any:
    return Engine(**options).deliver(parse_job(json.dumps(job).encode()))


def path_of(el: Any) -> str:
    """``/melding/Innsender/navn[1]``: local names, each with its place among its namesakes."""
    steps = []
    while el is not None:
        parent = el.getparent()
        same = [] if parent is None else [c for c in parent if c.tag == el.tag]
        steps.append(f"{etree.QName(el).localname}[{same.index(el) + 1 if same else 1}]")
        el = parent
    return "/" + "/".join(reversed(steps))


def leaves(root: Any) -> list[tuple[str, str]]:
    """Every leaf's (path, text) below melding, in document order."""
    return [(path_of(el), el.text or "") for el in root.iter(etree.Element) if len(el) == 0]


def applicant_of(doc: Any) -> dict[str, str | None]:
    """The applicant as the profile expects to find them (an organisation: the register's)."""
    if doc.form.applicant == "person":
        get = doc.find
        return {
            "navn": doc.text("Innsender/navn"),
            "adresse": doc.text("Innsender/adresse"),
            "postnummer": doc.text("Innsender/postnummer"),
            "poststed": doc.text("Innsender/poststed"),
            "epost": None if get("Innsender/epost") is None else doc.text("Innsender/epost"),
            "number": doc.text("Innsender/foedselsnummer"),
        }
    found = enhet_json(doc.text("Innsender/organisasjonsnummer"))
    assert found is not None
    address = found["postadresse"]
    return {
        "navn": found["navn"],
        "adresse": ", ".join(address["adresse"]),
        "postnummer": address["postnummer"],
        "poststed": address["poststed"],
        "epost": doc.text("Innsender/kontaktperson/epost"),
        "number": found["organisasjonsnummer"],
    }


@pytest.mark.parametrize("skjema_id", FORMS)
def test_every_form_arrives_as_the_profile_decides(
    skjema_id: str, shared_archive: ArchiveMock, register_url: str, tmp_path: Path
) -> None:
    doc = form_document(skjema_id)
    f = doc.form
    referanse = doc.text("Metadata/referanse")
    result = deliver(job_for(doc, tmp_path, shared_archive.url, register_url))
    assert result.success, result.detail

    found = arrived(client(shared_archive.wsdl_url), SYSTEM, referanse)
    [sak], [jp] = found.cases, found.entries
    who = applicant_of(doc)
    # Keys, case and entry (FD-KEY-*, FD-CASE-*, FD-JP-*).
    assert (sak.saEksternNokkel.eksternSystem, sak.saEksternNokkel.nokkel) == (SYSTEM, referanse)
    assert (jp.jpEksternNokkel.eksternSystem, jp.jpEksternNokkel.nokkel) == (SYSTEM, referanse)
    assert sak.saTittel == jp.jpInnhold == f"{f.title} - {who['navn']}"
    assert jp.jpNdoktype == "I" and jp.jpStatus == "M"
    sent = dt_of(doc.text("Metadata/innsendtTidspunkt"))
    assert jp.jpDokdato == sent.astimezone(ZoneInfo("Europe/Oslo")).date()
    # The sender (FD-AM-*, FD-ORG-001/002).
    [am] = jp.avsmot
    assert am.amIhtype == "0" and am.amNavn == who["navn"]
    assert (am.amAdresse, am.amPostnr, am.amPoststed) == (
        who["adresse"],
        who["postnummer"],
        who["poststed"],
    )
    assert am.amEpostadr == who["epost"]
    if f.applicant == "person":
        assert (am.amFodselsnr, am.amOrgnr) == (who["number"], None)
    else:
        assert (am.amOrgnr, am.amFodselsnr) == (who["number"], None)
    # Confidentiality (FD-CONF-*).
    titles = [sak.saTittel, sak.saOfftittel, jp.jpInnhold, jp.jpOffinnhold]
    titles += [d.dbTittel for d in jp.dokument]
    assert not any(ELEVEN_DIGITS.search(t or "") for t in titles)
    if f.confidential:
        assert (sak.saTgkode, sak.saU1, jp.jpTgkode, jp.jpU1) == ("13", "1", "13", "1")
        assert sak.saOfftittel == jp.jpOffinnhold == f.title
        assert str(who["navn"]) not in sak.saOfftittel
    else:
        assert (sak.saTgkode, jp.jpTgkode, sak.saOfftittel, jp.jpOffinnhold) == (None,) * 4
    # The matrikkel (FD-MATR-001).
    if f.id in ("KS-TILTAK-UTEN-ANSVAR", "KS-GRAVETILLATELSE"):
        [m] = sak.matrikkelnummer
        assert (m.kommunenummer, str(m.gaardsnummer), str(m.bruksnummer)) == (
            doc.text("Skjemadata/Eiendom/kommunenummer"),
            doc.text("Skjemadata/Eiendom/gaardsnummer"),
            doc.text("Skjemadata/Eiendom/bruksnummer"),
        )
    else:
        assert not sak.matrikkelnummer
    # The documents (FD-DOK-*).
    [main] = [d for d in jp.dokument if d.dlType == "H"]
    [pdf] = [d for d in jp.dokument if d.dlType == "V"]
    assert (main.veDokformat, main.veMimeType, main.dbTittel) == ("XML", "application/xml", f.title)
    xml = main.fil.base64
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    verdict = Validator(synthetic_only=True).check(xml)
    assert not (verdict.rules & CORE_RULES), [x.message for x in verdict.findings]
    archived = dict(leaves(etree.fromstring(xml)))
    given = leaves(etree.fromstring(job_document(tmp_path, f.id, referanse)))
    assert [(p, archived.get(p)) for p, _ in given] == given
    if f.applicant == "organisation":
        assert archived["/melding[1]/Innsender[1]/navn[1]"] == who["navn"]
        assert archived["/melding[1]/Innsender[1]/postnummer[1]"] == who["postnummer"]
    assert (pdf.veDokformat, pdf.veMimeType) == ("PDF", "application/pdf")
    text = " ".join(PdfReader(io.BytesIO(pdf.fil.base64)).pages[0].extract_text().split())
    assert f.title in text and " ".join(str(who["navn"]).split()) in text


def dt_of(text: str) -> Any:
    import datetime as dt

    return dt.datetime.fromisoformat(text)


def job_document(folder: Path, skjema_id: str, referanse: str) -> bytes:
    return (folder / f"{skjema_id}-{referanse}.xml").read_bytes()


def test_two_forms_from_one_applicant_make_two_cases(
    archive: ArchiveMock, register_url: str, tmp_path: Path
) -> None:
    first = form_document("KS-BARNEHAGE", seed=1)
    second = form_document("KS-BARNEHAGE", seed=1)
    second.find("Metadata/referanse").text = "another-referanse-0001"  # type: ignore[union-attr]
    for doc in (first, second):
        assert deliver(job_for(doc, tmp_path, archive.url, register_url)).success
    assert archive.archive.counts()["noarksak"] == 2


# ------------------------------------------------------------------ faults and retries

FAULTS = [
    ("http-500", "PutNoarksak"),
    ("http-500", "PutJournpost"),
    ("server-fault", "PutJournpost"),
    ("drop-before", "PutNoarksak"),
    ("drop-after", "PutNoarksak"),
    ("drop-after", "PutJournpost"),
    ("delay-after", "PutNoarksak"),
    ("delay-after", "PutJournpost"),
]


def nokler(bodies: list[bytes]) -> set[tuple[bytes, ...]]:
    return {tuple(re.findall(rb"<[^>]*nokkel>([^<]*)<", b)) for b in bodies}


@pytest.mark.parametrize(("fault", "operation"), FAULTS, ids=[f"{f}-{o}" for f, o in FAULTS])
def test_a_fault_is_retried_with_the_same_keys(
    fault: str, operation: str, archive: ArchiveMock, register_url: str, tmp_path: Path
) -> None:
    doc = form_document("KS-SKJENKEBEVILLING")
    with flaky_proxy(archive.url, fault, operation, seconds=1.5) as proxy:
        job = job_for(doc, tmp_path, proxy.url, register_url)
        result = deliver(job, timeout=0.8, sleep=lambda s: None)
    assert result.success, result.detail
    assert len(proxy.seen) == 2, [a.to_json() for a in result.attempts]
    assert len(nokler(proxy.seen)) == 1  # the resend carried the first attempt's keys
    counts = archive.archive.counts()
    assert (counts["noarksak"], counts["journpost"]) == (1, 1)
    assert counts["dokument"] == 2
    [transient] = [a for a in result.attempts if a.outcome == "transient"]
    assert transient.operation == operation


def test_an_error_status_is_an_answer_not_retried(
    archive: ArchiveMock, register_url: str, tmp_path: Path
) -> None:
    doc = form_document("KS-BARNEHAGE")
    with flaky_proxy(archive.url, "error-status", "PutJournpost") as proxy:
        result = deliver(job_for(doc, tmp_path, proxy.url, register_url))
    assert not result.success
    assert result.detail.startswith("PutJournpost: the archive answered ERROR (INTERNAL_ERROR:")
    assert len(proxy.seen) == 1
    assert [(a.operation, a.outcome) for a in result.attempts] == [
        ("PutNoarksak", "OK"),
        ("PutJournpost", "ERROR"),
    ]


def test_a_failure_for_good_is_reported_after_the_retries(
    archive: ArchiveMock, register_url: str, tmp_path: Path
) -> None:
    doc = form_document("KS-BARNEHAGE")
    with flaky_proxy(archive.url, "http-500", "PutJournpost", times=10) as proxy:
        result = deliver(job_for(doc, tmp_path, proxy.url, register_url), retries=2)
    assert not result.success and len(proxy.seen) == 3
    assert result.detail == (
        "PutJournpost failed after 3 attempt(s): HTTP 500 without a SOAP answer"
    )
    assert archive.archive.counts()["noarksak"] == 1  # the case was made: still a failure


def test_the_deadline_bounds_every_wait(
    archive: ArchiveMock, register_url: str, tmp_path: Path
) -> None:
    doc = form_document("KS-BARNEHAGE")
    with flaky_proxy(archive.url, "delay-after", "PutNoarksak", times=5, seconds=4) as proxy:
        job = job_for(doc, tmp_path, proxy.url, register_url, deadline=3)
        started = time.monotonic()
        result = deliver(job, timeout=10)
        took = time.monotonic() - started
    assert not result.success and took < 3.0, (took, result.detail)


def test_an_archive_that_wants_credentials_gets_them(register_url: str, tmp_path: Path) -> None:
    doc = form_document("KS-SFO")
    with ArchiveMock(MockConfig(auth=("engine", "s3cret-pass"))) as locked:
        ok = deliver(
            job_for(doc, tmp_path, locked.url, register_url, auth=("engine", "s3cret-pass"))
        )
        wrong = deliver(job_for(doc, tmp_path, locked.url, register_url, auth=("engine", "nope")))
    assert ok.success
    assert not wrong.success and wrong.detail == (
        "PutNoarksak was refused: SOAP fault soap:Client: authentication required (HTTP Basic)"
    )


# ------------------------------------------------------------------ the register


def test_an_organisation_the_register_does_not_know_is_not_delivered(
    archive: ArchiveMock, register_url: str, tmp_path: Path
) -> None:
    doc = form_document("KS-SALGSBEVILLING")
    job = job_for(doc, tmp_path, archive.url, register_url)
    job["inputs"]["organisasjonsnummer"] = "300000001"
    doc2 = Path(job["files"]["document"])
    doc2.write_bytes(
        re.sub(
            rb"<organisasjonsnummer>\d{9}</organisasjonsnummer>",
            b"<organisasjonsnummer>300000001</organisasjonsnummer>",
            doc2.read_bytes(),
            count=1,
        )
    )
    result = deliver(job)
    assert not result.success and result.detail == "Enhetsregisteret does not know 300000001"
    assert archive.archive.counts()["noarksak"] == 0


def test_the_register_name_wins_over_the_job(
    archive: ArchiveMock, register_url: str, tmp_path: Path
) -> None:
    doc = form_document("KS-TILSKUDD-LAG")
    orgnr = doc.text("Innsender/organisasjonsnummer")
    result = deliver(job_for(doc, tmp_path, archive.url, register_url))
    assert result.success
    assert result.attempts[0].operation == "register"
    found = arrived(client(archive.wsdl_url), SYSTEM, doc.text("Metadata/referanse"))
    assert found.entries[0].avsmot[0].amNavn == population.organisation(orgnr).navn


# ------------------------------------------------------------------ the job as hostile input

BAD_JOBS = [
    ({"tpn_job": 2}, "tpn_job must be 1 (this engine reads version 1), not 2"),
    ({"action": "publish"}, "action must be 'deliver-form', not 'publish'"),
    ({"inputs": {"applicant": "robot"}}, "inputs.applicant must be 'person' or 'organisation'"),
    ({"files": {"document": "relative.xml"}}, "files.document must be an absolute path"),
    ({"deadline_seconds": 0}, "deadline_seconds must be more than 0 and at most 3600"),
    ({"deadline_seconds": True}, "deadline_seconds must be a number, not a boolean"),
    (
        {"services": {"archive": {"url": "ftp://x"}}},
        "services.archive.url must be an http or https URL",
    ),
    ({"inputs": {"referanse": "a b"}}, "inputs.referanse must be 1 to 64 of A-Z a-z 0-9 . _ : -"),
    ({"inputs": {"confidential": "yes"}}, "inputs.confidential must be true or false, not str"),
    (
        {"services": {"archive": {"url": "http://a", "user": "u"}}},
        "services.archive needs both user and password, or neither",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD_JOBS, ids=[m[:30] for _, m in BAD_JOBS])
def test_a_bad_job_is_refused_with_a_reason(
    change: dict[str, Any], message: str, tmp_path: Path
) -> None:
    job = job_for(form_document("KS-BARNEHAGE"), tmp_path, "http://127.0.0.1:9/noark4ws")
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(job.get(key), dict):
            job[key] = {**job[key], **value}
        else:
            job[key] = value
    with pytest.raises(JobError) as caught:
        parse_job(json.dumps(job).encode())
    assert str(caught.value).startswith(message)


def test_a_hostile_document_is_not_delivered(archive: ArchiveMock, tmp_path: Path) -> None:
    job = job_for(form_document("KS-BARNEHAGE"), tmp_path, archive.url)
    Path(job["files"]["document"]).write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]><melding>&a;</melding>'
    )
    result = deliver(job)
    assert not result.success and "DTD" in result.detail
    assert archive.archive.counts()["noarksak"] == 0


def test_a_document_of_another_form_is_not_delivered(archive: ArchiveMock, tmp_path: Path) -> None:
    job = job_for(form_document("KS-BARNEHAGE"), tmp_path, archive.url)
    job["inputs"]["skjemaId"] = "KS-SFO"
    result = deliver(job)
    assert not result.success
    assert result.detail.startswith("the job's document is not a KS-SFO 1.0 form")


@pytest.mark.parametrize("name", ["Ańa Jūratė Kazlauskienė", "Áilu Máret Ŋuvttá Čađa Šárá Žoŧŧe"])
def test_the_pdf_gives_back_names_beyond_latin_1_exactly(name: str) -> None:
    import dataclasses

    from tpn.mocks.formengine import form as forms
    from tpn.mocks.formengine.job import DeliveryJob, Service
    from tpn.mocks.formengine.render import render

    doc = form_document("KS-BARNEHAGE")
    job = DeliveryJob(
        "j", "KS-BARNEHAGE", "1.0", doc.text("Metadata/referanse"), "Søknad om barnehageplass",
        False, "person", None, False, Path("/form.xml"), Service("http://127.0.0.1:9"), None, 60,
    )  # fmt: skip
    applicant = forms.applicant(doc.root, job)
    form = forms.Form(
        job,
        doc.root,
        dataclasses.replace(applicant, navn=name),
        forms.innsendt(doc.root, job),
        None,
    )
    pdf = render(form)
    assert pdf == render(form)  # the same bytes every time: a resend adds no second attachment
    lines = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()
    assert [" ".join(line.split()) for line in lines[:3]] == [
        "Søknad om barnehageplass",
        f"KS-BARNEHAGE 1.0, referanse {job.referanse}",
        name,
    ]
