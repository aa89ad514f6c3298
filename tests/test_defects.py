"""The defect catalogue: it loads, it names real requirements, ``tpn defects`` lists it, and
each defect really misbehaves as its summary says, over the wire, while the same scenario
against the reference archive behaves correctly.

Each defect has one test, ``test_<name with underscores>``; a test below proves there is one for
every catalogue entry. The reference side uses the session's archive (the ``n4`` fixture) unless
the scenario needs another configuration.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
import subprocess
import sys
import threading
import tomllib
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from n4ws_support import N4, NOON, TODAY, codes, expect_error, expect_ok, plain

from tpn.fixtures import standard_file
from tpn.harness.cli import main
from tpn.mocks.core.config import MockConfig
from tpn.mocks.noark4ws import ArchiveMock, build_archive
from tpn.mocks.noark4ws.defects import REFERENCE_SEAMS, REGISTRY, catalogue, names, seams
from tpn.mocks.noark4ws.defects.filters import DefectiveHandler
from tpn.mocks.noark4ws.policies import REFERENCE_POLICIES
from tpn.mocks.noark4ws.rules import REFERENCE
from tpn.mocks.soap.endpoint import SoapEndpoint
from tpn.mocks.soap.ns import SOAP11_ENV, SOAP12_ENV

NS = "http://www.arkivverket.no/Noark4-1-WS-WD/types"
BINDING = f"{{{NS}}}Noark4WS"
TEXT_XML = "text/xml; charset=utf-8"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def profile_client() -> zeep.Client:
    """A zeep client from the profile's own WSDL (as the conformance suite builds it), so that
    a defect in the served WSDL cannot break the client."""
    session = requests.Session()
    session.trust_env = False
    return zeep.Client(
        str(standard_file("noark4ws", "noark4ws.wsdl")),
        transport=zeep.transports.Transport(session=session),
        settings=zeep.Settings(xml_huge_tree=True),
    )


@pytest.fixture
def start(profile_client: zeep.Client) -> Iterator[Callable[..., N4]]:
    """Start an archive with the named defects (its clock frozen at NOON); stopped, and any
    failure inside it raised, when the test ends."""
    started: list[ArchiveMock] = []

    def _start(*defects: str, **config: Any) -> N4:
        server = ArchiveMock(MockConfig(defects=defects, **config))
        server.start()
        started.append(server)
        server.set_clock(NOON)
        n4 = N4(server, profile_client)
        n4.service = profile_client.create_service(BINDING, server.url)
        return n4

    yield _start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False
        yield session


# ---------------------------------------------------------------------------- helpers


def envelope(inner: str, *, header: str = "", env_ns: str = SOAP11_ENV) -> bytes:
    head = f"<s:Header>{header}</s:Header>" if header else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{env_ns}" xmlns:n="{NS}">'
        f"{head}<s:Body>{inner}</s:Body></s:Envelope>"
    ).encode()


GET_SAK_1 = envelope("<n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>")


def post(
    http: requests.Session, n4: N4, body: bytes, content_type: str = TEXT_XML
) -> requests.Response:
    return http.post(n4.server.url, data=body, headers={"Content-Type": content_type}, timeout=60)


def fault_code(resp: requests.Response) -> str:
    """The local faultcode of a well-formed SOAP 1.1 fault (HTTP 500, text/xml)."""
    assert resp.status_code == 500, (resp.status_code, resp.content[:300])
    assert resp.headers["Content-Type"] == TEXT_XML, resp.headers["Content-Type"]
    root = etree.fromstring(resp.content, PARSER)
    code = root.findtext(f"{{{SOAP11_ENV}}}Body/{{{SOAP11_ENV}}}Fault/faultcode") or ""
    return code.partition(":")[2]


def answer_status(resp: requests.Response) -> str:
    assert resp.status_code == 200, (resp.status_code, resp.content[:300])
    root = etree.fromstring(resp.content, PARSER)
    status = root.find(f".//{{{NS}}}status")
    assert status is not None
    return str(status.get("type"))


def doc(content: bytes, **fields: Any) -> dict[str, Any]:
    return {
        "dlType": "H",
        "veFilnavn": "brev.pdf",
        "veMimeType": "application/pdf",
        "fil": {"base64": content},
        **fields,
    }


def contents(n4: N4, jp: Any) -> dict[int, bytes]:
    found = n4.jp(jp.jpId, returnDokument=True, returnFil=True).dokument
    return {d.dlRnr: d.fil.base64 for d in found}


# ---------------------------------------------------------------------------- the catalogue


def _requirement_ids() -> set[str]:
    text = standard_file("noark4ws", "requirements.toml").read_text("utf-8")
    return {r["id"] for r in tomllib.loads(text)["requirement"]}


def test_catalogue_loads_with_unique_kebab_case_names_and_full_entries() -> None:
    found = catalogue()
    assert len(found) >= 30
    assert len({d.name for d in found}) == len(found)
    for d in found:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", d.name), d.name
        assert d.summary.strip() and "\n" not in d.summary, d.name
        assert d.story.strip(), d.name
        assert d.requirements, f"{d.name} names no requirement that must catch it"


def test_every_requirement_a_defect_names_exists() -> None:
    known = _requirement_ids()
    unknown = {d.name: sorted(set(d.requirements) - known) for d in catalogue()}
    assert not {k: v for k, v in unknown.items() if v}


def test_the_registry_is_the_catalogue() -> None:
    # One entry each: the registry (what a defect does) and defects.toml (what it is for).
    registered = [e.name for e in REGISTRY.entries]
    assert sorted(registered) == sorted(names())
    assert len(set(registered)) == len(registered)
    assert REGISTRY.names() == names()  # messages list them in the catalogue's order
    chosen = REGISTRY.chosen(["html-faults", "numbering-race", "html-faults"])
    assert [e.name for e in chosen] == ["numbering-race", "html-faults"]


def test_every_defect_replaces_a_seam() -> None:
    for name in names():
        assert seams([name]) != REFERENCE_SEAMS, name
        assert REGISTRY.entry(name).hooks, name


def test_the_reference_archive_names_no_defect() -> None:
    # The archive and its policies read as the standard: the defects live in defects/ only.
    from tpn.mocks.noark4ws import archive, documents, policies

    for module in (archive, policies, documents):
        source = inspect.getsource(module)
        named = [n for n in names() if n in source or n.replace("-", "_") in source]
        assert not named, f"{module.__name__} names {named}"


def test_every_defect_has_a_wire_test() -> None:
    missing = [n for n in names() if f"test_{n.replace('-', '_')}" not in globals()]
    assert not missing


def test_without_defects_the_archive_is_the_reference() -> None:
    assert seams([]) == REFERENCE_SEAMS
    assert REFERENCE_SEAMS.policies.rules is REFERENCE
    parts = build_archive(MockConfig())
    assert type(parts.endpoint) is SoapEndpoint
    assert parts.endpoint.handler is parts.archive
    assert parts.archive.checks is REFERENCE
    assert parts.archive.policies is REFERENCE_POLICIES
    parts.store.dispose()


def test_an_unknown_defect_name_fails_when_the_archive_is_built() -> None:
    with pytest.raises(ValueError) as err:
        build_archive(MockConfig(defects=("reused-journal-numbers", "nope")))
    text = str(err.value)
    assert text.startswith("unknown defect 'nope'; the catalogue has: reused-journal-numbers, ")
    assert all(n in text for n in names())
    with pytest.raises(ValueError, match="unknown defect 'nope'"):
        ArchiveMock(MockConfig(defects=("nope",))).start()


def test_defects_that_need_sqlite_refuse_another_store() -> None:
    # Refused before the store is built, so no database driver is needed to see it.
    with pytest.raises(ValueError, match="numbering-race need the SQLite store, not postgresql"):
        build_archive(MockConfig(db="postgresql://tpn@db/arkiv", defects=("numbering-race",)))


def test_tpn_serve_with_an_unknown_defect_exits_2(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    out = subprocess.run(
        [sys.executable, "-m", "tpn.harness.cli", "serve", "--defect", "nope", "--db", db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2, out
    assert "tpn serve: error: unknown defect 'nope'; the catalogue has: " in out.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # refused before anything was built


def test_tpn_defects_lists_every_defect(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["defects"]) == 0
    out = capsys.readouterr().out
    blocks = out.strip().split("\n\n")
    assert len(blocks) == len(catalogue()) + 1
    for block, d in zip(blocks, catalogue(), strict=False):
        assert block == f"{d.name}\n  {d.summary}\n  caught by: {', '.join(d.requirements)}"
    assert blocks[-1].startswith(f"{len(catalogue())} defects. Start the reference archive")


def test_tpn_defects_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["defects", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "name": d.name,
            "summary": d.summary,
            "story": d.story,
            "requirements": list(d.requirements),
        }
        for d in catalogue()
    ]


# ---------------------------------------------------------------------------- numbering


def test_reused_journal_numbers(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[int]:
        one, two = a.new_sak("A"), a.new_sak("B")
        made = [a.new_jp(one), a.new_jp(two), a.new_jp(one)]
        # Looked up by løpenummer, the broken archive's number finds every entry that has it.
        found = a.get_jp(lopenummer={"jpJaar": TODAY.year, "jpSeknr": 1}).journpost
        return [j.jpSeknr for j in made] + [len(found)]

    assert scenario(start("reused-journal-numbers")) == [1, 1, 2, 2]
    assert scenario(n4) == [1, 2, 3, 1]


def test_numbering_not_per_year(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[tuple[int, int, int]]:
        out = []
        for day in (dt.datetime(2030, 12, 31, 12), dt.datetime(2031, 1, 2, 12)):
            a.set_clock(day)
            sak = a.new_sak()
            out.append((sak.saSaar, sak.saSeknr, a.new_jp(sak).jpSeknr))
        return out

    assert scenario(start("numbering-not-per-year")) == [(2030, 1, 1), (2031, 2, 2)]
    assert scenario(n4) == [(2030, 1, 1), (2031, 1, 1)]


def _at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_numbering_race(start: Callable[..., N4], n4: N4, http: requests.Session) -> None:
    def scenario(a: N4) -> tuple[list[int], list[int], list[int], list[int]]:
        sak = a.new_sak()

        def put_case(i: int) -> int:
            body = envelope(
                f"<n:PutNoarksakRequest><n:noarksak><n:saTittel>Sak {i}</n:saTittel>"
                "</n:noarksak></n:PutNoarksakRequest>"
            )
            root = etree.fromstring(post(http, a, body).content, PARSER)
            return int(root.findtext(f".//{{{NS}}}saSeknr") or 0)

        def put_entry(i: int) -> tuple[int, int]:
            body = envelope(
                f"<n:PutJournpostRequest><n:journpost><n:jpInnhold>Post {i}</n:jpInnhold>"
                f"<n:jpSaar>{sak.saSaar}</n:jpSaar><n:jpSaseknr>{sak.saSeknr}</n:jpSaseknr>"
                "</n:journpost></n:PutJournpostRequest>"
            )
            root = etree.fromstring(post(http, a, body).content, PARSER)
            return (
                int(root.findtext(f".//{{{NS}}}jpSeknr") or 0),
                int(root.findtext(f".//{{{NS}}}jpJpostnr") or 0),
            )

        cases = _at_once(6, put_case)
        entries = _at_once(6, put_entry)
        # One client at a time: the race has nobody to race with.
        after = [a.new_sak().saSeknr for _ in range(3)]
        stored = a.get_jp(saId=sak.saId).journpost
        return (
            cases,
            [e[0] for e in entries] + [e[1] for e in entries],
            after,
            [j.jpJpostnr for j in stored],
        )

    cases, entries, after, stored = scenario(start("numbering-race"))
    assert len(set(cases)) < len(cases), f"no two concurrent cases got the same number: {cases}"
    assert len(set(entries)) < len(entries), entries
    assert after == [after[0], after[0] + 1, after[0] + 2]
    assert len(set(stored)) < len(stored), f"stored entries agree with the answers: {stored}"
    cases, entries, after, stored = scenario(n4)
    assert sorted(cases) == list(range(2, 8))
    assert sorted(entries[:6]) == list(range(1, 7)) and sorted(entries[6:]) == list(range(1, 7))
    assert after == [8, 9, 10] and sorted(stored) == list(range(1, 7))


def test_gaps_after_errors(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[int]:
        sak = a.new_sak()
        first = a.new_jp(sak).jpSeknr
        refused = a.put_jp(jpInnhold="x", jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr, jpNdoktype="Q")
        expect_error(refused, "INVALID_CODE")
        # No case found: nothing drawn, in either archive.
        expect_error(a.put_jp(jpInnhold="x", jpSaar=1999, jpSaseknr=9), "NOT_FOUND")
        return [first, a.new_jp(sak).jpSeknr]

    assert scenario(start("gaps-after-errors")) == [1, 3]
    assert scenario(n4) == [1, 2]


def test_client_numbers_kept(start: Callable[..., N4], n4: N4) -> None:
    sent = {"jpJaar": 1999, "jpSeknr": 77, "jpJpostnr": 5, "jpJdato": dt.date(1999, 1, 2)}

    def scenario(a: N4) -> tuple[list[str], tuple[int, int], list[str], tuple[Any, ...], int]:
        put = a.put_sak(saTittel="Sak", saSaar=1999, saSeknr=42)
        sak = a.sak(put.noarksak.saId)
        jp_put = a.put_jp(jpInnhold="x", jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr, **sent)
        jp = a.jp(jp_put.journpost.jpId)
        plain_case = a.new_sak()  # no numbers sent: the archive's own, in both
        return (
            codes(put),
            (sak.saSaar, sak.saSeknr),
            codes(jp_put),
            (jp.jpJaar, jp.jpSeknr, jp.jpJpostnr, jp.jpJdato),
            plain_case.saSeknr,
        )

    broken = start("client-numbers-kept")
    assert scenario(broken) == ([], (1999, 42), [], tuple(sent.values()), 2)
    assert scenario(n4) == (
        ["NUMBER_REPLACED"],
        (TODAY.year, 1),
        ["NUMBER_REPLACED"],
        (TODAY.year, 1, 1, TODAY),
        2,
    )


def test_jpostnr_global(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[int]:
        one, two = a.new_sak("A"), a.new_sak("B")
        made = [a.new_jp(one), a.new_jp(two), a.new_jp(two)]
        found = a.get_jp(dokumentnummer={**_case_number(two), "jpJpostnr": made[2].jpJpostnr})
        assert [j.jpId for j in expect_ok(found).journpost] == [made[2].jpId]
        return [j.jpJpostnr for j in made]

    assert scenario(start("jpostnr-global")) == [1, 2, 3]
    assert scenario(n4) == [1, 1, 2]


def test_case_numbers_per_arkivdel(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[Any]:
        made = [a.new_sak(saArkdel=arkdel) for arkdel in ("BYGG", "PLAN", "BYGG")]
        found = a.get_sak(saksnummer={"saSaar": TODAY.year, "saSeknr": 1}).noarksak
        return [s.saSeknr for s in made] + [[s.saArkdel for s in found]]

    assert scenario(start("case-numbers-per-arkivdel")) == [1, 1, 2, ["BYGG"]]
    assert scenario(n4) == [1, 2, 3, ["BYGG"]]


def _case_number(sak: Any) -> dict[str, int]:
    return {"saSaar": sak.saSaar, "saSeknr": sak.saSeknr}


# ---------------------------------------------------------------------------- external keys

KEY = {"eksternSystem": "skjemamotor", "nokkel": "soknad-1"}


def test_duplicate_case_on_resend(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[int, str]:
        first = a.new_sak(saEksternNokkel=KEY)
        again = a.new_sak(saEksternNokkel=KEY)
        found = expect_ok(a.get_sak(saEksternNokkel=KEY)).noarksak
        assert [s.saId for s in found] == [first.saId]  # the key still finds the first
        return len({first.saId, again.saId}), a.server.archive.counts()["noarksak"]

    assert scenario(start("duplicate-case-on-resend")) == (2, 2)
    assert scenario(n4) == (1, 1)


def test_duplicate_entry_on_resend(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[int, ...]:
        sak = a.new_sak()
        first = a.new_jp(sak, jpEksternNokkel=KEY)
        again = a.new_jp(sak, jpEksternNokkel=KEY)
        found = expect_ok(a.get_jp(jpEksternNokkel=KEY)).journpost
        assert [j.jpId for j in found] == [first.jpId]
        return len({first.jpId, again.jpId}), len(a.get_jp(saId=sak.saId).journpost)

    assert scenario(start("duplicate-entry-on-resend")) == (2, 2)
    assert scenario(n4) == (1, 1)


def test_external_key_system_ignored(start: Callable[..., N4], n4: N4) -> None:
    other = {**KEY, "eksternSystem": "sakssystem"}  # the same nokkel from another system

    def scenario(a: N4) -> list[tuple[str, int]]:
        sak = a.new_sak(saEksternNokkel=KEY)
        a.new_jp(sak, jpEksternNokkel=KEY)
        answers = (
            a.get_sak(saEksternNokkel=other),
            a.get_jp(jpEksternNokkel=other),
            a.get_jp(saEksternNokkel=other),
        )
        found = [r.noarksak if hasattr(r, "noarksak") else r.journpost for r in answers]
        return [(r.status.type, len(f)) for r, f in zip(answers, found, strict=True)]

    assert scenario(start("external-key-system-ignored")) == [("OK", 1)] * 3
    assert scenario(n4) == [("ERROR", 0)] * 3


def test_case_key_reference_unsupported(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[Any, ...]:
        sak = a.new_sak(saEksternNokkel=KEY)
        by_key = a.put_jp(jpInnhold="Søknad", jpSaEksternNokkel=KEY)
        by_number = a.put_jp(jpInnhold="Nabovarsel", **_jp_case(sak))
        return by_key.status.type, codes(by_key), by_number.status.type

    assert scenario(start("case-key-reference-unsupported")) == ("ERROR", ["MISSING_FIELD"], "OK")
    assert scenario(n4) == ("OK", [], "OK")


# ---------------------------------------------------------------------------- documents, text

BINARY = bytes(range(256))
TEXT = "Søknad om løyve\r\n".encode()


def test_documents_reencoded(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[bytes]:
        jp = a.new_jp(a.new_sak(), dokument=[doc(BINARY), doc(TEXT, dlType="V")])
        return list(contents(a, jp).values())

    binary, text = scenario(start("documents-reencoded"))
    assert binary != BINARY and binary == BINARY.decode("utf-8", "replace").encode()
    assert text == TEXT
    assert scenario(n4) == [BINARY, TEXT]


def test_large_documents_refused(start: Callable[..., N4], n4: N4) -> None:
    big, small = b"\x01" * (10 * 1024 * 1024 + 1), b"\x02" * (1024 * 1024)

    def scenario(a: N4) -> tuple[str, list[str]]:
        sak = a.new_sak()
        large = a.put_jp(
            jpInnhold="x", jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr, dokument=[doc(big)]
        )
        a.new_jp(sak, dokument=[doc(small)])
        return large.status.type, codes(large)

    broken = start("large-documents-refused")
    assert scenario(broken) == ("ERROR", ["INVALID_VALUE"])
    assert (
        "document too large" in broken.server.journal(operation="PutJournpost")[0].response.decode()
    )
    assert scenario(n4) == ("OK", [])


def test_document_replace_appends(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> dict[int, bytes]:
        jp = a.new_jp(a.new_sak(), dokument=[doc(b"first version")])
        expect_ok(a.update_jp(jp, dokument=[doc(b"second version", dlRnr=1)]))
        expect_ok(a.update_jp(jp, dokument=[doc(b"second version", dlRnr=1)]))  # a resend
        return contents(a, jp)

    assert scenario(start("document-replace-appends")) == {
        1: b"first version",
        2: b"second version",
    }
    assert scenario(n4) == {1: b"second version"}


def test_text_normalised(start: Callable[..., N4], n4: N4) -> None:
    title = unicodedata.normalize("NFD", "  Åse på Ærøy  ")

    def scenario(a: N4) -> tuple[str, str]:
        sak = a.sak(a.new_sak(title, saProsjekt=" Øst ").saId)
        return sak.saTittel, sak.saProsjekt

    assert scenario(start("text-normalised")) == ("Åse på Ærøy", "Øst")
    assert scenario(n4) == (title, " Øst ")


def test_filenames_ascii_only(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[str, str]:
        sent = doc(TEXT, veFilnavn="søknad_Æ.pdf", dbTittel="Søknad om løyve")
        jp = a.new_jp(a.new_sak(), dokument=[sent])
        stored = a.jp(jp.jpId, returnDokument=True).dokument[0]
        return stored.veFilnavn, stored.dbTittel

    assert scenario(start("filenames-ascii-only")) == ("s_knad__.pdf", "S_knad om l_yve")
    assert scenario(n4) == ("søknad_Æ.pdf", "Søknad om løyve")


def test_optional_fields_dropped(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[Any, ...]:
        sak = a.new_sak(saBevtid="10", saKasskode="K", saProsjekt="Øst")
        jp = a.new_jp(sak, jpTlkode="T", jpAgkode="BU", jpSaksdel="1")
        s, j = a.sak(sak.saId), a.jp(jp.jpId)
        return s.saBevtid, s.saKasskode, s.saProsjekt, j.jpTlkode, j.jpAgkode, j.jpSaksdel

    assert scenario(start("optional-fields-dropped")) == (None, None, "Øst", None, None, "1")
    assert scenario(n4) == ("10", "K", "Øst", "T", "BU", "1")


# ---------------------------------------------------------------------------- errors, selectors


def test_error_as_ok(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[tuple[str, list[str], Any]]:
        return [
            (r.status.type, codes(r), r.noarksak if hasattr(r, "noarksak") else r.journpost)
            for r in (
                a.get_sak(saId="999"),
                a.get_sak(saksnummer={"saSaar": 1999, "saSeknr": 1}),
                a.get_jp(jpId="999"),
                a.get_jp(lopenummer={"jpJaar": 1999, "jpSeknr": 1}),
            )
        ]

    assert scenario(start("error-as-ok")) == [("OK", [], [])] * 4
    assert scenario(n4) == [("ERROR", ["NOT_FOUND"], [])] * 4


def test_no_selector_returns_all(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[Any, ...]:
        sak = a.new_sak("A")
        a.new_sak("B")
        a.new_jp(sak)
        cases, entries = a.get_sak(), a.get_jp()
        return cases.status.type, len(cases.noarksak), entries.status.type, len(entries.journpost)

    assert scenario(start("no-selector-returns-all")) == ("OK", 2, "OK", 1)
    assert scenario(n4) == ("ERROR", 0, "ERROR", 0)
    expect_error(n4.get_sak(), "NO_SELECTOR")


def test_ambiguous_selector_first_wins(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[str, list[str]]:
        one, two = a.new_sak("A"), a.new_sak("B")
        resp = a.get_sak(saId=two.saId, saksnummer=_case_number(one))
        return resp.status.type, [s.saTittel for s in resp.noarksak]

    assert scenario(start("ambiguous-selector-first-wins")) == ("OK", ["B"])
    assert scenario(n4) == ("ERROR", [])


def test_empty_required_accepted(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[str]:
        case = a.put_sak(saTittel="")
        sak = a.new_sak()
        entry = a.put_jp(jpInnhold="  ", jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr)
        return [case.status.type, entry.status.type, *codes(case), *codes(entry)]

    assert scenario(start("empty-required-accepted")) == ["OK", "OK"]
    assert scenario(n4) == ["ERROR", "ERROR", "MISSING_FIELD", "MISSING_FIELD"]


def test_orphan_entries(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[Any, ...]:
        resp = a.put_jp(jpInnhold="Uten sak", jpSaar=1999, jpSaseknr=9)
        if resp.status.type == "ERROR":
            return ("ERROR", *codes(resp))
        jp = a.jp(resp.journpost.jpId)
        search = a.get_sak(searchCriteria=[{"fieldName": "saTittel", "fieldValue": ""}])
        return jp.jpSaar, jp.jpSaseknr, jp.jpJpostnr, len(search.noarksak)

    assert scenario(start("orphan-entries")) == (1999, 9, 1, 0)
    assert scenario(n4) == ("ERROR", "NOT_FOUND")


LAST_YEAR = dt.datetime(TODAY.year - 1, 6, 1, 12)


def test_saksnummer_ignores_year(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[list[str], str]:
        a.set_clock(LAST_YEAR)
        a.new_sak("Gammel sak")
        a.set_clock(NOON)
        a.new_sak("Ny sak")
        asked = a.get_sak(saksnummer={"saSaar": TODAY.year, "saSeknr": 1})
        unused = a.get_sak(saksnummer={"saSaar": TODAY.year + 1, "saSeknr": 1})
        return [s.saTittel for s in asked.noarksak], unused.status.type

    assert scenario(start("saksnummer-ignores-year")) == (["Gammel sak"], "OK")
    assert scenario(n4) == (["Ny sak"], "ERROR")


def test_lopenummer_ignores_year(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[list[str], str]:
        a.set_clock(LAST_YEAR)
        a.new_jp(a.new_sak(), "Gammel")
        a.set_clock(NOON)
        a.new_jp(a.new_sak(), "Ny")
        asked = a.get_jp(lopenummer={"jpJaar": TODAY.year, "jpSeknr": 1})
        unused = a.get_jp(lopenummer={"jpJaar": TODAY.year + 1, "jpSeknr": 1})
        return [j.jpInnhold for j in asked.journpost], unused.status.type

    assert scenario(start("lopenummer-ignores-year")) == (["Gammel"], "OK")
    assert scenario(n4) == (["Ny"], "ERROR")


def test_dokumentnummer_first_only(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[list[str], list[str]]:
        sak = a.new_sak()
        a.new_jp(sak, "A")
        a.new_jp(sak, "B")
        case = a.get_jp(dokumentnummer=_case_number(sak)).journpost
        second = a.get_jp(dokumentnummer={**_case_number(sak), "jpJpostnr": 2}).journpost
        return [j.jpInnhold for j in case], [j.jpInnhold for j in second]

    assert scenario(start("dokumentnummer-first-only")) == (["A"], ["B"])
    assert scenario(n4) == (["A", "B"], ["B"])


def test_entries_by_case_first_only(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[list[str], list[str]]:
        sak = a.new_sak(saEksternNokkel=KEY)
        a.new_jp(sak, "A")
        a.new_jp(sak, "B")
        by_key = a.get_jp(saEksternNokkel=KEY).journpost
        by_id = a.get_jp(saId=sak.saId).journpost
        return [j.jpInnhold for j in by_key], [j.jpInnhold for j in by_id]

    assert scenario(start("entries-by-case-first-only")) == (["A"], ["A", "B"])
    assert scenario(n4) == (["A", "B"], ["A", "B"])


def test_generic_status_codes(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[list[str]]:
        return [
            codes(a.get_sak(saId="999")),
            codes(a.put_sak(saTittel="x", saStatus="Q")),
            codes(a.put_sak(saTittel="x", saSaar=1999)),
        ]

    assert scenario(start("generic-status-codes")) == [["ERROR"], ["ERROR"], ["WARNING"]]
    assert scenario(n4) == [["NOT_FOUND"], ["INVALID_CODE"], ["NUMBER_REPLACED"]]


# ---------------------------------------------------------------------------- state rules


def test_archived_entry_mutable(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[Any, ...]:
        jp = a.new_jp(a.new_sak(), jpStatus="J")
        expect_ok(a.update_jp(jp, jpStatus="A"))
        text = a.update_jp(jp, jpInnhold="Endret etter arkivering")
        now = a.jp(jp.jpId)
        document = a.update_jp(now, dokument=[doc(b"etterpaa")])
        back = a.update_jp(now, jpStatus="J")  # A stays final as a status, in both
        expect_error(back, "STATE_VIOLATION")
        documents = len(a.jp(jp.jpId, returnDokument=True).dokument)
        return text.status.type, document.status.type, now.jpInnhold, documents

    changed = "Endret etter arkivering"
    assert scenario(start("archived-entry-mutable")) == ("OK", "OK", changed, 1)
    assert scenario(n4) == ("ERROR", "ERROR", "Søknad om rammetillatelse", 0)


def test_closed_case_takes_entries(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[str]:
        out = []
        for status in ("A", "U"):
            sak = a.new_sak(saStatus=status)
            resp = a.put_jp(jpInnhold="x", jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr)
            out += [resp.status.type, *codes(resp)]
        return out

    assert scenario(start("closed-case-takes-entries")) == ["OK", "OK"]
    assert scenario(n4) == ["ERROR", "CASE_CLOSED", "ERROR", "CASE_CLOSED"]


def test_state_rules_unchecked(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[str]:
        sak = a.new_sak()
        start_in_e = a.put_jp(jpInnhold="x", jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr, jpStatus="E")
        jp = a.new_jp(sak)  # I, M
        skip = a.update_jp(jp, jpStatus="E")  # E is no status of an incoming entry
        expect_ok(a.update_jp(jp, jpStatus="U"))
        expect_error(a.update_jp(jp, jpStatus="J"), "STATE_VIOLATION")  # U stays final
        return [start_in_e.status.type, skip.status.type]

    assert scenario(start("state-rules-unchecked")) == ["OK", "OK"]
    assert scenario(n4) == ["ERROR", "ERROR"]


def test_case_state_unchecked(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[str]:
        void = a.new_sak("Void", saStatus="U")
        closed = a.new_sak("Closed", saStatus="A")
        return [
            a.put_sak(saId=void.saId, saTittel="Void", saStatus="B").status.type,
            a.put_sak(saId=closed.saId, saTittel="Closed", saStatus="F").status.type,
            a.put_sak(saId=closed.saId, saTittel="Closed", saStatus="B").status.type,
        ]

    assert scenario(start("case-state-unchecked")) == ["OK", "OK", "OK"]
    assert scenario(n4) == ["ERROR", "ERROR", "OK"]


# ---------------------------------------------------------------------------- code lists


def test_closed_codes_unchecked(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[Any]:
        sak = a.put_sak(saTittel="x", saStatus="Q")
        if sak.status.type == "ERROR":
            return codes(sak)
        jp = a.new_jp(
            sak.noarksak,
            jpNdoktype="Q",
            jpStatus="Z",
            avsmot=[{"amIhtype": "7", "amAvskm": "XX"}],
            dokument=[doc(b"x", dlType="Q", dbStatus="Q", veVariant="Q")],
        )
        got = a.jp(jp.jpId, returnAvmot=True, returnDokument=True)
        d = got.dokument[0]
        changed = a.update_jp(jp, jpStatus="Y")
        return [
            sak.noarksak.saStatus,
            got.jpNdoktype,
            got.jpStatus,
            got.avsmot[0].amIhtype,
            got.avsmot[0].amAvskm,
            (d.dlType, d.dbStatus, d.veVariant),
            changed.status.type,
        ]

    assert scenario(start("closed-codes-unchecked")) == [
        "Q",
        "Q",
        "Z",
        "7",
        "XX",
        ("Q", "Q", "Q"),
        "OK",
    ]
    assert scenario(n4) == ["INVALID_CODE"]
    sak = n4.new_sak()
    for fields in (
        {"jpNdoktype": "Q"},
        {"avsmot": [{"amIhtype": "7"}]},
        {"dokument": [doc(b"x", veVariant="Q")]},
    ):
        resp = n4.put_jp(jpInnhold="x", jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr, **fields)
        expect_error(resp, "INVALID_CODE")


def test_old_code_list(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[str]:
        sak = a.new_sak()
        presentation = a.put_jp(
            jpInnhold="x", jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr, jpNdoktype="S"
        )
        note = a.new_jp(sak, jpNdoktype="N")
        expect_ok(a.update_jp(note, jpStatus="F"))
        approved = a.update_jp(note, jpStatus="G")
        return [*codes(presentation), *codes(approved)]

    assert scenario(start("old-code-list")) == ["INVALID_CODE", "INVALID_CODE"]
    assert scenario(n4) == []


def test_open_lists_closed(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[list[str]]:
        known = a.put_sak(
            saTittel="x", saTgkode="13", klassering=[{"klOrdnpri": "GBN", "klOrdnver": "1"}]
        )
        sak = a.new_sak()
        return [
            codes(known),
            codes(a.put_sak(saTittel="x", saTgkode="6")),
            codes(a.put_sak(saTittel="x", klassering=[{"klOrdnpri": "EMNE", "klOrdnver": "1"}])),
            codes(
                a.put_jp(
                    jpInnhold="x",
                    jpSaar=sak.saSaar,
                    jpSaseknr=sak.saSeknr,
                    dokument=[doc(b"x", veDokformat="PDF/A-2b")],
                )
            ),
            codes(a.put_jp(jpInnhold="x", jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr, jpTgkode="X")),
        ]

    assert scenario(start("open-lists-closed")) == [[]] + [["INVALID_CODE"]] * 4
    assert scenario(n4) == [[]] * 5


def test_public_field_unchecked(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[str]:
        sak = a.new_sak(sakspart=[{"spNavn": "Kari Nordmann"}])
        return [
            a.put_sak(saTittel="Barnevern", saU1="1").status.type,
            a.put_sak(saTittel="Barnevern", saU1="1", saOfftittel="Barnevern").status.type,
            a.put_jp(
                jpInnhold="Melding om Kari Nordmann",
                jpU1="1",
                jpOffinnhold="Melding om Kari Nordmann sitt barn",
                jpSaar=sak.saSaar,
                jpSaseknr=sak.saSeknr,
            ).status.type,
        ]

    assert scenario(start("public-field-unchecked")) == ["OK", "OK", "OK"]
    assert scenario(n4) == ["ERROR", "ERROR", "ERROR"]


# ---------------------------------------------------------------------------- updates, answers


def test_update_clears_omitted(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> dict[str, Any]:
        sak = a.new_sak("Sak", saAnsvnavn="Ola", saAdmkort="BYGG", sakspart=[{"spNavn": "Kari"}])
        expect_ok(a.put_sak(saId=sak.saId, saTittel="Sak, endret", saAdmkort="PLAN"))
        got = plain(a.sak(sak.saId, returnSakspart=True))
        return {k: got.get(k) for k in ("saTittel", "saAnsvnavn", "saAdmkort", "saStatus")} | {
            "sakspart": len(got.get("sakspart", []))
        }

    expected = {"saTittel": "Sak, endret", "saAdmkort": "PLAN", "saStatus": "B", "sakspart": 1}
    assert scenario(start("update-clears-omitted")) == {**expected, "saAnsvnavn": None}
    assert scenario(n4) == {**expected, "saAnsvnavn": "Ola"}


def test_child_lists_appended(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[list[str], list[str]]:
        sak = a.new_sak(sakspart=[{"spNavn": "Kari"}])
        jp = a.new_jp(sak, avsmot=[{"amIhtype": "0", "amNavn": "Kari"}])
        expect_ok(a.put_sak(saId=sak.saId, saTittel=sak.saTittel, sakspart=[{"spNavn": "Ola"}]))
        expect_ok(a.update_jp(jp, avsmot=[{"amIhtype": "0", "amNavn": "Ola"}]))
        expect_ok(a.update_jp(jp, avsmot=[{"amIhtype": "0", "amNavn": "Ola"}]))  # a resend
        parties = a.sak(sak.saId, returnSakspart=True).sakspart
        senders = a.jp(jp.jpId, returnAvmot=True).avsmot
        return [p.spNavn for p in parties], [s.amNavn for s in senders]

    assert scenario(start("child-lists-appended")) == (["Kari", "Ola"], ["Kari", "Ola"])
    assert scenario(n4) == (["Ola"], ["Ola"])


def test_return_flags_ignored(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[Any]:
        sak = a.new_sak(
            sakspart=[{"spNavn": "Kari"}], klassering=[{"klOrdnpri": "FNR", "klOrdnver": "x"}]
        )
        jp = a.new_jp(sak, avsmot=[{"amIhtype": "0"}], dokument=[doc(b"innhold")])
        got_sak = plain(a.sak(sak.saId))
        got_jp = a.jp(jp.jpId, returnDokument=True)
        fil = got_jp.dokument[0].fil
        return [
            sorted(k for k in got_sak if k in ("sakspart", "klassering", "journpost")),
            got_jp.avsmot is not None and len(got_jp.avsmot),
            fil.base64 if fil is not None else None,
        ]

    assert scenario(start("return-flags-ignored")) == [
        ["journpost", "klassering", "sakspart"],
        1,
        b"innhold",
    ]
    assert scenario(n4) == [[], False, None]


def test_put_answer_bare(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[Any, ...]:
        sak = a.new_sak(sakspart=[{"spNavn": "Kari"}])
        jp = a.new_jp(sak, avsmot=[{"amIhtype": "0"}], dokument=[doc(b"x")])
        return bool(sak.sakspart), bool(jp.avsmot), bool(jp.dokument), sak.saSeknr, jp.jpSeknr

    assert scenario(start("put-answer-bare")) == (False, False, False, 1, 1)
    assert scenario(n4) == (True, True, True, 1, 1)


def test_no_defaults(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[Any, ...]:
        sak = a.sak(a.new_sak().saId)
        jp = a.jp(a.new_jp(sak).jpId)
        # The archive still knows the defaults it did not store: an incoming entry starts in
        # M, so M -> J is allowed.
        expect_ok(a.update_jp(jp, jpStatus="J"))
        return sak.saStatus, sak.saDato, jp.jpNdoktype, jp.jpStatus, jp.jpDokdato, jp.jpJdato

    assert scenario(start("no-defaults")) == (None, None, None, None, None, TODAY)
    assert scenario(n4) == ("B", TODAY, "I", "M", TODAY, TODAY)


# ---------------------------------------------------------------------------- search


def _titles(resp: Any) -> list[str]:
    return [s.saTittel for s in expect_ok(resp).noarksak]


def test_unknown_search_field_returns_all(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[Any, ...]:
        a.new_sak("Byggesak")
        a.new_sak("Klage")
        only = a.get_sak(searchCriteria=[{"fieldName": "saTitel", "fieldValue": "bygg"}])
        mixed = a.get_sak(
            searchCriteria=[
                {"fieldName": "saTitel", "fieldValue": "x"},
                {"fieldName": "saTittel", "fieldValue": "klage"},
            ]
        )
        return (
            only.status.type,
            [s.saTittel for s in only.noarksak],
            [s.saTittel for s in mixed.noarksak],
        )

    assert scenario(start("unknown-search-field-returns-all")) == (
        "OK",
        ["Byggesak", "Klage"],
        ["Klage"],
    )
    assert scenario(n4) == ("ERROR", [], [])


def test_search_case_sensitive(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[list[str]]:
        sak = a.new_sak("Byggesak Storgata", sakspart=[{"spNavn": "Kari Nordmann"}])
        a.new_jp(sak, "Søknad om Rammetillatelse")
        entries = a.get_jp(searchCriteria=[{"fieldName": "jpInnhold", "fieldValue": "rammetill"}])
        return [
            _titles(a.get_sak(searchCriteria=[{"fieldName": "saTittel", "fieldValue": "bygg"}])),
            _titles(a.get_sak(searchCriteria=[{"fieldName": "saTittel", "fieldValue": "Bygg"}])),
            [j.jpInnhold for j in expect_ok(entries).journpost],
            _titles(a.get_sak(searchCriteria=[{"fieldName": "spNavn", "fieldValue": "kari"}])),
        ]

    case, entry = ["Byggesak Storgata"], ["Søknad om Rammetillatelse"]
    assert scenario(start("search-case-sensitive")) == [[], case, [], case]
    assert scenario(n4) == [case, case, entry, case]


def test_criteria_or(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[str]:
        a.new_sak("Byggesak", saStatus="B")
        a.new_sak("Byggesak", saStatus="R")
        a.new_sak("Klage", saStatus="R")
        criteria = [
            {"fieldName": "saTittel", "fieldValue": "bygg"},
            {"fieldName": "saStatus", "fieldValue": "R"},
        ]
        return [
            s.saStatus + s.saTittel for s in expect_ok(a.get_sak(searchCriteria=criteria)).noarksak
        ]

    assert scenario(start("criteria-or")) == ["BByggesak", "RByggesak", "RKlage"]
    assert scenario(n4) == ["RByggesak"]


def test_search_unordered(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[list[int], list[int], list[int]]:
        saker = [a.new_sak(f"Sak {i}") for i in range(3)]
        for sak in saker:
            a.new_jp(sak, "Søknad")
        found = a.get_sak(searchCriteria=[{"fieldName": "saTittel", "fieldValue": "sak"}])
        entries = a.get_jp(searchCriteria=[{"fieldName": "jpInnhold", "fieldValue": "søknad"}])
        by_case = a.get_jp(saId=saker[0].saId)  # not a search: unchanged in both
        return (
            [s.saSeknr for s in found.noarksak],
            [j.jpSeknr for j in entries.journpost],
            [j.jpSeknr for j in by_case.journpost],
        )

    assert scenario(start("search-unordered")) == ([3, 2, 1], [3, 2, 1], [1])
    assert scenario(n4) == ([1, 2, 3], [1, 2, 3], [1])


def test_exact_search_case_insensitive(start: Callable[..., N4], n4: N4) -> None:
    def criterion(name: str, value: str) -> list[dict[str, str]]:
        return [{"fieldName": name, "fieldValue": value}]

    def scenario(a: N4) -> list[Any]:
        a.new_jp(a.new_sak("Byggesak", saAnsvinit="KNO"), "Søknad")  # saStatus B, jpStatus M
        entries = expect_ok(a.get_jp(searchCriteria=criterion("jpStatus", "m"))).journpost
        return [
            _titles(a.get_sak(searchCriteria=criterion("saStatus", "b"))),
            _titles(a.get_sak(searchCriteria=criterion("saAnsvinit", "kno"))),
            [j.jpInnhold for j in entries],
            _titles(a.get_sak(searchCriteria=criterion("saStatus", "B"))),
        ]

    case = ["Byggesak"]
    assert scenario(start("exact-search-case-insensitive")) == [case, case, ["Søknad"], case]
    assert scenario(n4) == [[], [], [], case]


def test_jpjdato_search_prefix(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[int]:
        a.new_jp(a.new_sak(), "Søknad")  # jpJdato is today
        day = TODAY.isoformat()
        return [
            len(
                expect_ok(
                    a.get_jp(searchCriteria=[{"fieldName": "jpJdato", "fieldValue": v}])
                ).journpost
            )
            for v in (day, day[:7], day[:4])
        ]

    assert scenario(start("jpjdato-search-prefix")) == [1, 1, 1]
    assert scenario(n4) == [1, 0, 0]


# ---------------------------------------------------------------------------- extended metadata

MATRIKKEL = {"kommunenummer": "0301", "gaardsnummer": 12, "bruksnummer": 34}
GEO = {
    "matrikkelnummer": [MATRIKKEL],
    "bygning": [{"bygningsnummer": "80012345"}],
    "punkt": [{"koordinatsystem": "EPSG:25832", "x": "597000", "y": "6643000"}],
    "plan": [{"kommunenummer": "0301", "planident": "S-4321"}],
    "fagsystem": "Byggsak 3.0",
}


def test_gbn_unchecked(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> list[str]:
        wrong = [{"klOrdnpri": "GBN", "klOrdnver": "0301-99/1/0/0"}]
        right = [{"klOrdnpri": "GBN", "klOrdnver": "0301-12/34/0/0"}]
        return [
            a.put_sak(saTittel="x", matrikkelnummer=[MATRIKKEL], klassering=wrong).status.type,
            a.put_sak(saTittel="x", matrikkelnummer=[MATRIKKEL], klassering=right).status.type,
            *codes(
                a.put_sak(saTittel="x", matrikkelnummer=[{**MATRIKKEL, "kommunenummer": "301"}])
            ),
        ]

    assert scenario(start("gbn-unchecked")) == ["OK", "OK", "INVALID_VALUE"]
    assert scenario(n4) == ["ERROR", "OK", "INVALID_VALUE"]


def test_geo_dropped(start: Callable[..., N4], n4: N4) -> None:
    def scenario(a: N4) -> tuple[Any, ...]:
        sak = a.new_sak(**GEO)
        got = plain(a.sak(sak.saId))
        wrong = [{"klOrdnpri": "GBN", "klOrdnver": "0301-99/1/0/0"}]
        checked = a.put_sak(saTittel="x", matrikkelnummer=[MATRIKKEL], klassering=wrong)
        return sorted(k for k in GEO if k in got), *codes(checked)

    assert scenario(start("geo-dropped")) == ([], "INVALID_VALUE")
    assert scenario(n4) == (sorted(GEO), "INVALID_VALUE")


def test_fodselsnr_dropped(start: Callable[..., N4], n4: N4) -> None:
    fnr = "15838512345"

    def scenario(a: N4) -> tuple[Any, Any]:
        sak = a.new_sak(sakspart=[{"spNavn": "Kari", "spFodselsnr": fnr}])
        jp = a.new_jp(sak, avsmot=[{"amIhtype": "0", "amNavn": "Kari", "amFodselsnr": fnr}])
        return (
            a.sak(sak.saId, returnSakspart=True).sakspart[0].spFodselsnr,
            a.jp(jp.jpId, returnAvmot=True).avsmot[0].amFodselsnr,
        )

    assert scenario(start("fodselsnr-dropped")) == (None, None)
    assert scenario(n4) == (fnr, fnr)


# ---------------------------------------------------------------------------- transport, WSDL


def test_html_faults(start: Callable[..., N4], n4: N4, http: requests.Session) -> None:
    def scenario(a: N4) -> tuple[Any, ...]:
        bad = post(http, a, b"this is not XML at all")
        empty = post(http, a, b"")
        invalid = post(http, a, envelope("<n:GetNoarksakRequest><n:nope/></n:GetNoarksakRequest>"))
        return (
            bad.status_code,
            bad.headers["Content-Type"],
            empty.headers["Content-Type"],
            fault_code(invalid),
            b"<html>" in bad.content,
        )

    broken = start("html-faults")
    assert scenario(broken) == (
        500,
        "text/html; charset=utf-8",
        "text/html; charset=utf-8",
        "Client",
        True,
    )
    last = broken.server.journal()[0]
    assert (last.http_status, last.outcome) == (500, "http:500")
    assert last.validation.startswith("Client: the request is not well-formed XML")
    assert scenario(n4) == (500, TEXT_XML, TEXT_XML, "Client", False)


def test_soap12_content_type(start: Callable[..., N4], n4: N4, http: requests.Session) -> None:
    def scenario(a: N4) -> tuple[str, str, str]:
        ok = post(http, a, GET_SAK_1)
        fault = post(http, a, b"<nope")
        return ok.headers["Content-Type"], answer_status(ok), fault.headers["Content-Type"]

    assert scenario(start("soap12-content-type")) == (
        "application/soap+xml; charset=utf-8",
        "ERROR",
        TEXT_XML,
    )
    assert scenario(n4) == (TEXT_XML, "ERROR", TEXT_XML)


def test_soap12_accepted(start: Callable[..., N4], n4: N4, http: requests.Session) -> None:
    body = envelope(
        "<n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>", env_ns=SOAP12_ENV
    )

    def scenario(a: N4) -> str:
        resp = post(http, a, body, "application/soap+xml; charset=utf-8")
        if resp.status_code == 200:
            root = etree.fromstring(resp.content, PARSER)
            assert root.tag == f"{{{SOAP11_ENV}}}Envelope"  # answered as SOAP 1.1
            return answer_status(resp)
        return fault_code(resp)

    assert scenario(start("soap12-accepted")) == "ERROR"  # NOT_FOUND: processed
    assert scenario(n4) == "VersionMismatch"


def test_must_understand_ignored(start: Callable[..., N4], n4: N4, http: requests.Session) -> None:
    header = '<x:Transaction xmlns:x="urn:example:unknown" s:mustUnderstand="1">5</x:Transaction>'
    body = envelope(
        "<n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>", header=header
    )

    def scenario(a: N4) -> str:
        resp = post(http, a, body)
        return answer_status(resp) if resp.status_code == 200 else fault_code(resp)

    assert scenario(start("must-understand-ignored")) == "ERROR"
    assert scenario(n4) == "MustUnderstand"


def test_credentials_unchecked(start: Callable[..., N4], http: requests.Session) -> None:
    def scenario(a: N4) -> tuple[int, int, int]:
        url = a.server.url
        headers = {"Content-Type": TEXT_XML}
        return (
            http.post(url, data=GET_SAK_1, headers=headers, timeout=30).status_code,
            http.post(
                url, data=GET_SAK_1, headers=headers, auth=("u", "wrong"), timeout=30
            ).status_code,
            http.post(
                url, data=GET_SAK_1, headers=headers, auth=("u", "p"), timeout=30
            ).status_code,
        )

    assert scenario(start("credentials-unchecked", auth=("u", "p"))) == (200, 200, 200)
    assert scenario(start(auth=("u", "p"))) == (401, 401, 200)


def test_bare_faultcode(start: Callable[..., N4], n4: N4, http: requests.Session) -> None:
    def scenario(a: N4) -> tuple[str, str]:
        resp = post(http, a, envelope("<n:GetNoarksakRequest><n:nope/></n:GetNoarksakRequest>"))
        fault_code(resp)  # HTTP 500, text/xml, an envelope with a soap:Fault
        fault = etree.fromstring(resp.content, PARSER).find(f".//{{{SOAP11_ENV}}}Fault")
        assert fault is not None
        return fault.findtext("faultcode") or "", fault.findtext("faultstring") or ""

    assert scenario(start("bare-faultcode")) == ("Client", "")
    code, string = scenario(n4)
    assert code == "soap:Client" and string.strip()


def test_wsdl_incomplete(start: Callable[..., N4], n4: N4, http: requests.Session) -> None:
    wsdl_ns = "http://schemas.xmlsoap.org/wsdl/"

    def scenario(a: N4) -> tuple[list[str], list[str], set[str], str]:
        root = etree.fromstring(http.get(a.server.wsdl_url, timeout=30).content, PARSER)

        def named(path: str) -> list[str]:
            return sorted(str(el.get("name")) for el in root.findall(path))

        served = zeep.Client(a.server.wsdl_url)
        operations = set(served.service._binding._operations)
        # The operation itself is still served, to clients that know it from elsewhere.
        status = a.get_jp(jpId="1").status.type
        return (
            named(f"{{{wsdl_ns}}}portType/{{{wsdl_ns}}}operation"),
            named(f"{{{wsdl_ns}}}message"),
            operations,
            status,
        )

    four = ["GetJournpost", "GetNoarksak", "PutJournpost", "PutNoarksak"]
    ports, messages, operations, status = scenario(start("wsdl-incomplete"))
    assert ports == [op for op in four if op != "GetJournpost"]
    assert not [m for m in messages if m.startswith("GetJournpost")]
    assert operations == {"GetNoarksak", "PutJournpost", "PutNoarksak"}
    assert status == "ERROR"
    ports, messages, operations, status = scenario(n4)
    assert ports == four and len(messages) == 8 and operations == set(four)


def test_no_wsdl(start: Callable[..., N4], n4: N4, http: requests.Session) -> None:
    def scenario(a: N4) -> tuple[int, str, bool, str]:
        wsdl = http.get(a.server.wsdl_url, timeout=30)
        status = a.get_sak(saId="1").status.type  # the service itself still answers
        return wsdl.status_code, wsdl.headers["Content-Type"], b"<html>" in wsdl.content, status

    assert scenario(start("no-wsdl")) == (404, "text/html; charset=utf-8", True, "ERROR")
    assert scenario(n4) == (200, TEXT_XML, False, "ERROR")


def test_wsdl_schema_unqualified(start: Callable[..., N4], n4: N4, http: requests.Session) -> None:
    xs = "http://www.w3.org/2001/XMLSchema"

    def scenario(a: N4) -> tuple[list[str | None], str]:
        root = etree.fromstring(http.get(a.server.wsdl_url, timeout=30).content, PARSER)
        forms = [s.get("elementFormDefault") for s in root.iter(f"{{{xs}}}schema")]
        return forms, a.new_sak().saTittel  # qualified requests are still read

    assert scenario(start("wsdl-schema-unqualified")) == ([None], "Byggesak Storgata 1")
    assert scenario(n4) == (["qualified"], "Byggesak Storgata 1")


def test_undeclared_response_element(start: Callable[..., N4], n4: N4) -> None:
    schema = etree.XMLSchema(etree.parse(str(standard_file("noark4ws", "noark4ws.xsd"))))
    session = requests.Session()
    session.trust_env = False
    lenient = zeep.Client(
        str(standard_file("noark4ws", "noark4ws.wsdl")),
        transport=zeep.transports.Transport(session=session),
        settings=zeep.Settings(strict=False, xml_huge_tree=True),
    )

    def scenario(a: N4) -> tuple[list[bool], list[str], str]:
        # The suite's client is lenient; only its schema checks should see the extra element.
        a.client, a.service = lenient, lenient.create_service(BINDING, a.server.url)
        sak = a.new_sak()
        bodies = [
            a.raw("GetNoarksak", saId=sak.saId),
            a.raw("PutNoarksak", noarksak={"saTittel": "x"}),
            a.raw("GetJournpost", jpId="999"),
            a.raw("PutJournpost", journpost={"jpInnhold": "x", **_jp_case(sak)}),
        ]
        order = [etree.QName(child).localname for child in bodies[0]][-2:]
        title = expect_ok(a.get_sak(saId=sak.saId)).noarksak[0].saTittel
        return [schema.validate(etree.ElementTree(b)) for b in bodies], order, title

    valid, order, title = scenario(start("undeclared-response-element"))
    assert valid == [False] * 4 and order == ["noarksak", "tpnServerTime"]
    assert title == "Byggesak Storgata 1"  # the lenient client reads the answer fine
    assert scenario(n4) == ([True] * 4, ["status", "noarksak"], "Byggesak Storgata 1")


def _jp_case(sak: Any) -> dict[str, int]:
    return {"jpSaar": sak.saSaar, "jpSaseknr": sak.saSeknr}


# ---------------------------------------------------------------------------- bad input


def test_schema_unchecked(start: Callable[..., N4], n4: N4, http: requests.Session) -> None:
    def put(noarksak: str) -> bytes:
        return envelope(
            f"<n:PutNoarksakRequest><n:noarksak>{noarksak}</n:noarksak></n:PutNoarksakRequest>"
        )

    def outcome(resp: requests.Response) -> str:
        if resp.status_code == 200:
            root = etree.fromstring(resp.content, PARSER)
            message = root.find(f".//{{{NS}}}message")
            return answer_status(resp) + ("" if message is None else f" {message.get('code')}")
        return fault_code(resp)

    def scenario(a: N4) -> list[str]:
        return [
            outcome(post(http, a, put("<n:saTittel>x</n:saTittel><n:saNope>1</n:saNope>"))),
            outcome(post(http, a, put("<n:saAnsvnavn>Ola</n:saAnsvnavn>"))),
            outcome(post(http, a, put("<n:saSaar>abc</n:saSaar><n:saTittel>x</n:saTittel>"))),
            outcome(post(http, a, envelope("<n:PutNoarksakRequest/>"))),
            outcome(post(http, a, b'<?xml version="1.0"?><!DOCTYPE x []>' + GET_SAK_1[21:])),
        ]

    broken = start("schema-unchecked")
    assert scenario(broken) == ["OK", "ERROR MISSING_FIELD", "Server", "Server", "Client"]
    assert broken.server.archive.counts()["noarksak"] == 1  # only the first, valid enough
    broken.server.check()  # the crashes were the vendor's, answered as faults: nothing raised
    assert scenario(n4) == ["Client"] * 5


def test_deep_nesting_crash(start: Callable[..., N4], n4: N4, http: requests.Session) -> None:
    def nested(depth: int) -> bytes:
        return envelope("<n:x>" * depth + "</n:x>" * depth)

    def scenario(a: N4) -> tuple[Any, ...]:
        deep, shallow = post(http, a, nested(10_000)), post(http, a, nested(100))
        return deep.status_code, deep.headers["Content-Type"], deep.content, fault_code(shallow)

    assert scenario(start("deep-nesting-crash")) == (
        500,
        "text/plain; charset=utf-8",
        b"500 Internal Server Error",
        "Client",
    )
    status, ctype, _, shallow = scenario(n4)
    assert (status, ctype, shallow) == (500, TEXT_XML, "Client")


def _with_dtd(body: bytes, dtd: str) -> bytes:
    return body.replace(b"?>", b"?>" + dtd.encode(), 1)


SAK_WITH_ENTITY = _with_dtd(
    envelope(
        "<n:PutNoarksakRequest><n:noarksak><n:saTittel>&t; 1</n:saTittel></n:noarksak>"
        "</n:PutNoarksakRequest>"
    ),
    '<!DOCTYPE s:Envelope [<!ENTITY t "Byggesak Storgata">]>',
)
_LAUGHS = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
BILLION_LAUGHS = _with_dtd(
    envelope("<n:GetNoarksakRequest><n:saId>&l9;</n:saId></n:GetNoarksakRequest>"),
    f"<!DOCTYPE s:Envelope [{''.join(_LAUGHS)}]>",
)


def test_dtd_accepted(start: Callable[..., N4], n4: N4, http: requests.Session) -> None:
    def scenario(a: N4) -> tuple[str, str, list[str]]:
        resp = post(http, a, SAK_WITH_ENTITY)
        first = answer_status(resp) if resp.status_code == 200 else fault_code(resp)
        bomb = fault_code(post(http, a, BILLION_LAUGHS))  # never expanded: a fault, no crash
        found = a.get_sak(searchCriteria=[{"fieldName": "saTittel", "fieldValue": "storgata"}])
        return first, bomb, [s.saTittel for s in found.noarksak]

    broken = start("dtd-accepted")
    assert scenario(broken) == ("OK", "Client", ["Byggesak Storgata 1"])
    broken.server.check()  # nothing failed inside
    assert scenario(n4) == ("Client", "Client", [])


def test_unavailable_after_entity_bomb(
    start: Callable[..., N4], n4: N4, http: requests.Session
) -> None:
    def scenario(a: N4) -> list[tuple[int, str]]:
        sent = [BILLION_LAUGHS, GET_SAK_1, GET_SAK_1, GET_SAK_1, SAK_WITH_ENTITY, GET_SAK_1]
        answers = [post(http, a, body) for body in sent]
        return [(r.status_code, r.headers["Content-Type"].split(";")[0]) for r in answers]

    xml, down = (500, "text/xml"), (503, "text/plain")
    ok = (200, "text/xml")
    # A DTD without a bomb is refused as usual and takes no worker down.
    assert scenario(start("unavailable-after-entity-bomb")) == [down, down, down, ok, xml, ok]
    assert scenario(n4) == [xml, ok, ok, ok, xml, ok]


def test_defects_combine(start: Callable[..., N4]) -> None:
    # Not a designed combination, but both behave as their summaries say.
    a = start("jpostnr-global", "generic-status-codes")
    one, two = a.new_sak(), a.new_sak()
    assert [a.new_jp(one).jpJpostnr, a.new_jp(two).jpJpostnr] == [1, 2]
    assert codes(a.get_sak(saId="999")) == ["ERROR"]
    assert isinstance(a.server.parts.endpoint.handler, DefectiveHandler)
