"""The form-xml profile as a form vendor uses it: ``tpn certify --profile form-xml`` on a folder
of the documents its engine made (or on the reference form engine), exit status and reports
read back.

Every run is a ``tpn certify`` process of its own, as in a vendor's CI (and as in
tests/test_certify.py). The defect matrix runs the whole suite at extended level once per
defect of ``tpn.conformance.ksxml.defects``: each must fail exactly its requirement, every other
requirement must pass. A form-xml run reads about 30 documents and takes about a second.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from served import run_tpn

from tpn.conformance import profiles
from tpn.conformance.ksxml import defects, generate, mutations
from tpn.conformance.ksxml.generate import RandomChooser
from tpn.conformance.ksxml.model import forms
from tpn.harness.cli import main

pytest_plugins = ["pytester"]

PROFILE = profiles.get("form-xml")
CATALOGUE = PROFILE.catalogue
ALL_IDS = [r.id for r in CATALOGUE]
CORE_IDS = [r.id for r in CATALOGUE if r.within("core")]
# The fixtures' examples of the source checkout: the wheel ships only the valid ones.
EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "ksxml" / "examples"
SEED = "20301"
# --examples 2: two documents of each of the 15 forms, enough for every rule to apply.
EXAMPLES_PER_FORM = "2"
# FILE:LINE: PATH: RULE MESSAGE (the line and path where the validator knows them).
FINDING = re.compile(
    r"^(?P<file>[^:]+)(?::(?P<line>\d+))?:(?: (?P<path>/[^:]*):)? (?P<rule>KSX-\S+) "
)


# ---------------------------------------------------------------------------- running tpn


tpn = run_tpn


class Certified:
    """One ``tpn certify --profile form-xml`` run: its exit status, output and report.json."""

    def __init__(self, done: subprocess.CompletedProcess[str], report_dir: Path) -> None:
        self.returncode = done.returncode
        self.stdout = done.stdout
        self.stderr = done.stderr
        self.report_dir = report_dir
        path = report_dir / "report.json"
        self.data: dict[str, Any] = (
            json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        )

    @property
    def output(self) -> str:
        """The tail of what the run said, for assertion messages."""
        return self.stdout[-3000:] + self.stderr[-2000:]

    def results(self) -> dict[str, str]:
        return {r["id"]: r["result"] for r in self.data["requirements"]}

    def requirement(self, rid: str) -> dict[str, Any]:
        found: dict[str, Any] = {r["id"]: r for r in self.data["requirements"]}[rid]
        return found

    def documents(self, rid: str) -> list[dict[str, Any]]:
        return [e for e in self.requirement(rid)["evidence"] if e["kind"] == "document"]


def certify(cwd: Path, *args: str) -> Certified:
    report_dir = cwd / "report"
    done = tpn(cwd, "certify", "--profile", "form-xml", "--report-dir", str(report_dir), *args)
    return Certified(done, report_dir)


def only(result: str, but: dict[str, str]) -> dict[str, str]:
    """Every requirement with ``result``, except those ``but`` names."""
    return {rid: but.get(rid, result) for rid in ALL_IDS}


# ---------------------------------------------------------------------------- vendor folders


def write_valid(folder: Path, per_form: int = 2, *, skjema: str | None = None) -> list[Path]:
    """Valid generated documents, ``per_form`` of each form (or of ``skjema`` only), each from
    a seed of its own so that no two share a referanse."""
    written = []
    chosen = [f for f in forms() if skjema in (None, f.id)]
    for i, f in enumerate(chosen):
        for n in range(per_form):
            path = folder / f.id / f"{n + 1:03d}.xml"
            path.parent.mkdir(parents=True, exist_ok=True)
            doc = generate.document(f, RandomChooser(1000 + i * per_form + n))
            path.write_bytes(doc.to_bytes())
            written.append(path)
    return written


def broken_document(rule: str) -> bytes:
    """A generated document broken by ``rule``'s single-rule mutation: of the first form that can
    carry it, from seeds the valid documents do not use (their referanse is its own)."""
    if rule == "KSX-REF-001":
        # Resent with the referanse of the first valid document of write_valid.
        first = generate.document(forms()[0], RandomChooser(1000))
        second = generate.document(forms()[1], RandomChooser(9000))
        return mutations.reused_reference(first, second).data
    for f in forms():
        if not mutations.possible(f, rule):
            continue
        for n in range(10):
            mutated = mutations.mutate(
                generate.document(f, RandomChooser(9000 + n)), rule, RandomChooser(n)
            )
            if mutated is not None:
                return mutated.data
    raise AssertionError(f"no form can carry a mutation of {rule}")


# In a folder of its own, read after the valid documents (KSX-REF-001 names the later one).
BROKEN = "utboks/zz-sendt-igjen.xml"


def vendor_folder(root: Path, rule: str | None = None) -> Path:
    """Two valid documents of each form, and with ``rule`` one more document that breaks it."""
    folder = root / "skjema"
    write_valid(folder)
    if rule is not None:
        path = folder / BROKEN
        path.parent.mkdir(parents=True)
        path.write_bytes(broken_document(rule))
    return folder


# ---------------------------------------------------------------------------- passing


def test_the_reference_form_engine_passes_every_requirement_at_extended_level(
    tmp_path: Path,
) -> None:
    run = certify(tmp_path, "--level", "extended", "--seed", SEED, "--examples", EXAMPLES_PER_FORM)
    assert run.returncode == 0, run.output
    assert run.results() == only("passed", {}), run.output
    assert run.data["summary"]["passed"] == len(ALL_IDS) == 19
    assert run.data["summary"]["result"] == "passed"
    assert run.data["reference"] is True and run.data["defects"] == []
    assert run.data["target"] == "generated documents"
    assert run.data["created"] == {"documents read": 30}
    assert f"verdict: PASSED; replay with --tpn-seed {SEED}" in run.stdout
    assert (
        "tpn: form-xml at level extended against the reference form engine "
        "(the project's generated documents): 19 requirements" in run.stdout
    )
    assert "It only reads the documents; it changes nothing." in run.stdout
    # The run leaves its reports and nothing else in the folder it ran in.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    assert {p.name for p in run.report_dir.iterdir()} == {
        "junit.xml",
        "report.json",
        "report.html",
    }


def test_a_vendors_folder_of_valid_documents_passes(tmp_path: Path) -> None:
    folder = vendor_folder(tmp_path)
    run = certify(
        tmp_path,
        "--target",
        str(folder),
        "--level",
        "extended",
        "--vendor",
        "Skjemaverkstedet AS",
        "--product",
        "SkjemaX",
        "--version",
        "2.0",
    )
    assert run.returncode == 0, run.output
    assert run.results() == only("passed", {}), run.output
    assert run.data["reference"] is False
    assert run.data["target"] == str(folder.resolve())
    assert run.data["created"] == {"documents read": 30}
    # A vendor's folder is judged as it is: no seed replays it.
    assert "verdict: PASSED\n" in run.stdout and "replay with" not in run.stdout
    assert (run.data["vendor"], run.data["product"], run.data["product_version"]) == (
        "Skjemaverkstedet AS",
        "SkjemaX",
        "2.0",
    )
    html = (run.report_dir / "report.html").read_text(encoding="utf-8")
    assert "PASSED" in html and "Skjemaverkstedet AS" in html and "KSX-MATR-001" in html


def test_at_core_level_only_the_core_requirements_are_reported(tmp_path: Path) -> None:
    run = certify(tmp_path, "--target", str(vendor_folder(tmp_path)), "--level", "core")
    assert run.returncode == 0, run.output
    assert sorted(run.results()) == sorted(CORE_IDS)
    assert set(run.results().values()) == {"passed"}
    assert {r["level"] for r in run.data["requirements"]} == {"core"}
    assert run.data["summary"]["total"] == len(CORE_IDS) == 13


# ---------------------------------------------------------------------------- the defect matrix


def test_every_requirement_has_exactly_one_defect() -> None:
    found = defects.catalogue()
    assert len({d.name for d in found}) == len(found)
    assert sorted(d.rule for d in found) == sorted(ALL_IDS)
    for d in found:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", d.name), d.name
        assert d.summary[0].isupper() and d.summary.endswith("."), d.summary
    assert PROFILE.defect_names() == defects.names()


@pytest.mark.parametrize("defect", defects.catalogue(), ids=lambda d: d.name)
def test_each_defect_fails_exactly_its_requirement(tmp_path: Path, defect: defects.Defect) -> None:
    run = certify(
        tmp_path,
        "--level",
        "extended",
        "--defect",
        defect.name,
        "--seed",
        SEED,
        "--examples",
        EXAMPLES_PER_FORM,
        "-q",
    )
    assert run.returncode == 1, run.output
    # not_applicable would mean the generated batch is too small to judge a rule: it must not be.
    assert run.results() == only("passed", {defect.rule: "failed"}), run.output
    assert run.data["reference"] is True and run.data["defects"] == [defect.name]
    assert run.requirement(defect.rule)["reason"].startswith("1 of ")
    [document] = run.documents(defect.rule)
    assert all(FINDING.match(text) for text in document["findings"]), document["findings"]
    assert all(f" {defect.rule} " in text for text in document["findings"])
    assert f"FAILED {defect.rule}: 1 of " in run.stdout


def test_two_defects_break_two_documents(tmp_path: Path) -> None:
    # Both mutations fit the first generated document; the second must not undo the first.
    run = certify(
        tmp_path,
        "--defect",
        "bad-code",
        "--defect",
        "low-level",
        "--seed",
        SEED,
        "--examples",
        EXAMPLES_PER_FORM,
        "-q",
    )
    assert run.returncode == 1, run.output
    failed = {rid for rid, result in run.results().items() if result != "passed"}
    assert failed == {"KSX-KODE-001", "KSX-NIVAA-001"}
    assert run.documents("KSX-KODE-001")[0]["source"] != run.documents("KSX-NIVAA-001")[0]["source"]


def test_a_defect_no_generated_document_can_carry_stops_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Certifying the reference without its defect would pass what must fail: the suite says it
    # could not judge (status 2) instead.
    from tpn.conformance.ksxml import batch
    from tpn.conformance.outcomes import SuiteError

    monkeypatch.setattr(mutations, "mutate", lambda doc, rule, chooser: None)
    with pytest.raises(SuiteError, match="defect bad-code: none of the 15 generated documents"):
        batch.reference_documents(1, 1, ["bad-code"])


# ---------------------------------------------------------------------------- a vendor's mistake


@pytest.mark.parametrize("rule", [*mutations.MUTATORS, "KSX-REF-001"])
def test_a_broken_document_in_a_vendors_folder_fails_exactly_its_requirement(
    tmp_path: Path, rule: str
) -> None:
    folder = vendor_folder(tmp_path, rule)
    run = certify(tmp_path, "--target", str(folder), "--level", "extended", "-q")
    assert run.returncode == 1, run.output
    assert run.results() == only("passed", {rule: "failed"}), run.output
    [document] = run.documents(rule)
    assert document["source"] == BROKEN
    data = (folder / BROKEN).read_bytes()
    assert document["size"] == len(data)
    assert document["findings"], document
    for text in document["findings"]:
        found = FINDING.match(text)
        assert found and found["file"] == BROKEN and found["rule"] == rule, text
    line = FINDING.match(document["findings"][0])["line"]  # type: ignore[index]
    if line is not None:
        assert f"{int(line):>5}> " in document["excerpt"], document["excerpt"]
    assert BROKEN in run.requirement(rule)["reason"]


def test_the_evidence_names_the_file_the_line_and_the_field(tmp_path: Path) -> None:
    folder = vendor_folder(tmp_path, "KSX-ID-001")
    run = certify(tmp_path, "--target", str(folder))
    assert run.returncode == 1, run.output
    [document] = run.documents("KSX-ID-001")
    [finding] = document["findings"]
    assert re.fullmatch(
        rf"{re.escape(BROKEN)}:\d+: /melding/\S+/foedselsnummer: KSX-ID-001 \d{{11}} is not "
        r"a valid .*",
        finding,
    ), finding
    line = int(finding.split(":")[1])
    excerpt = document["excerpt"].splitlines()
    marked = [x for x in excerpt if x.startswith(f"{line:>5}>")]
    assert len(marked) == 1 and "<foedselsnummer" in marked[0], excerpt
    assert len(excerpt) > 1  # the lines around it too
    assert len(document["sha256"]) == 64
    html = (run.report_dir / "report.html").read_text(encoding="utf-8")
    assert f"{BROKEN} ({document['size']} bytes" in html
    assert "foedselsnummer" in html
    assert "FAILED KSX-ID-001: 1 of " in run.stdout


def test_the_fixtures_examples_fail_every_requirement(tmp_path: Path) -> None:
    run = certify(tmp_path, "--target", str(EXAMPLES), "--level", "extended", "-q")
    assert run.returncode == 1, run.output
    assert run.results() == only("failed", {}), run.output
    # Each invalid example is named for the rule it breaks (KSX-REF-001: every copy of a
    # referanse, which the examples of one form share with their valid.xml).
    for rid in ALL_IDS:
        sources = [d["source"] for d in run.documents(rid)]
        assert sources, rid
        if rid != "KSX-REF-001":
            assert all(s.endswith(f"-{rid}.xml") for s in sources), (rid, sources)


# ---------------------------------------------------------------------------- not applicable


def test_forms_without_children_or_periods_leave_those_rules_not_applicable(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "vannmaaler"
    write_valid(folder, 3, skjema="KS-VANNMAALER")
    run = certify(tmp_path, "--target", str(folder), "--level", "full")
    assert run.returncode == 0, run.output
    na = {"KSX-BARN-001": "not_applicable", "KSX-PERIODE-001": "not_applicable"}
    assert run.results() == {rid: na.get(rid, "passed") for rid in ALL_IDS if rid != "KSX-ID-003"}
    assert run.requirement("KSX-BARN-001")["reason"] == (
        "none of the 3 documents applies: no form among them can break it"
    )
    assert run.data["summary"]["not_applicable"] == 2
    assert run.data["summary"]["result"] == "passed"


def test_one_document_leaves_unique_referanse_not_applicable(tmp_path: Path) -> None:
    folder = tmp_path / "en"
    write_valid(folder, 1, skjema="KS-BARNEHAGE")
    run = certify(tmp_path, "--target", str(folder))
    assert run.returncode == 0, run.output
    got = run.requirement("KSX-REF-001")
    assert got["result"] == "not_applicable"
    assert got["reason"] == "1 document(s) with a referanse: uniqueness needs two"


# ---------------------------------------------------------------------------- usage


def _usage_case(tmp_path: Path, case: str) -> list[str]:
    if case == "no-xml":
        (tmp_path / "tomt").mkdir()
        (tmp_path / "tomt" / "lesmeg.txt").write_text("ingen skjema her\n", encoding="utf-8")
        return ["--profile", "form-xml", "--target", "tomt"]
    if case == "a-file":
        (tmp_path / "ett.xml").write_bytes(generate.example("KS-SFO").to_bytes())
        return ["--profile", "form-xml", "--target", "ett.xml"]
    if case == "archive-folder":
        write_valid(tmp_path / "skjema", 1, skjema="KS-SFO")
        return ["--target", "skjema"]
    return {
        "nonexistent": ["--profile", "form-xml", "--target", "finnes-ikke"],
        "a-url": ["--profile", "form-xml", "--target", "https://skjema.example/ut"],
        "unknown-defect": ["--profile", "form-xml", "--defect", "html-faults"],
        "defect-and-target": ["--profile", "form-xml", "--defect", "bad-code", "--target", "."],
        "waive-unknown": ["--profile", "form-xml", "--waive", "N4WS-TRN-003=later"],
        "waive-above-level": ["--profile", "form-xml", "--waive", "KSX-ID-003=later"],
    }[case]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no-xml", "--target 'tomt' holds no *.xml documents"),
        ("a-file", "--target must be a folder of documents for form-xml: 'ett.xml' is not one"),
        (
            "nonexistent",
            "--target must be a folder of documents for form-xml: 'finnes-ikke' is not one",
        ),
        (
            "a-url",
            "--target must be a folder of documents for form-xml: "
            "'https://skjema.example/ut' is a URL",
        ),
        (
            "archive-folder",
            "--target must be an http(s) URL for noark4ws-archive, got 'skjema'",
        ),
        (
            "unknown-defect",
            "unknown defect 'html-faults' for form-xml: "
            "`tpn defects --profile form-xml` lists them (not-well-formed, hostile, ",
        ),
        (
            "defect-and-target",
            "--defect gives the profile's own reference a defect: drop --target",
        ),
        ("waive-unknown", "--waive: N4WS-TRN-003 is not a requirement of form-xml"),
        ("waive-above-level", "--waive: KSX-ID-003 is above level core"),
    ],
)
def test_usage_errors_exit_2_with_the_reason(tmp_path: Path, case: str, message: str) -> None:
    done = tpn(tmp_path, "certify", "-q", *_usage_case(tmp_path, case))
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    assert message in done.stdout + done.stderr
    if case == "unknown-defect":
        assert all(name in done.stderr for name in defects.names())
    assert not (tmp_path / "tpn-report" / "report.json").exists()


def test_a_waived_requirement_is_reported_and_does_not_fail_the_run(tmp_path: Path) -> None:
    folder = vendor_folder(tmp_path, "KSX-ID-001")
    run = certify(
        tmp_path, "--target", str(folder), "--waive", "KSX-ID-001=the check digit fix ships in 2.1"
    )
    assert run.returncode == 0, run.output
    got = run.requirement("KSX-ID-001")
    assert got["result"] == "waived"
    assert got["reason"] == "waived: the check digit fix ships in 2.1 (tests: failed)"
    assert run.data["waivers"] == {"KSX-ID-001": "the check digit fix ships in 2.1"}
    assert run.data["summary"]["waived"] == 1 and run.data["summary"]["result"] == "passed"
    # The evidence is kept: a waiver hides nothing.
    assert run.documents("KSX-ID-001")[0]["source"] == BROKEN


# ---------------------------------------------------------------------------- certificates


def test_the_reference_is_signed_and_verified_as_the_projects_own(tmp_path: Path) -> None:
    keys = tpn(tmp_path, "keygen", "--private-key", "team.key", "--public-key", "team.pub")
    assert keys.returncode == 0, keys.stderr
    done = tpn(
        tmp_path,
        "certify",
        "--profile",
        "form-xml",
        "--sign-key",
        "team.key",
        "--signer",
        "KS prosjektteam",
        "--witnessed",
        "-q",
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "signed tpn-report/report.json as KS prosjektteam (witnessed run)" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.key", "team.pub", "tpn-report"]
    check = tpn(tmp_path, "report", "verify", "tpn-report", "--public-key", "team.pub")
    assert check.returncode == 0, check.stdout + check.stderr
    for line in (
        "VALID",
        "KS prosjektteam",
        "witnessed run",
        "form-xml, level core",
        "generated documents (the reference form engine (the project's generated documents), "
        "not a vendor's product)",
    ):
        assert line in check.stdout, check.stdout


def test_a_vendors_folder_is_signed_with_the_folder_as_target(tmp_path: Path) -> None:
    folder = vendor_folder(tmp_path, "KSX-POST-001")
    assert tpn(tmp_path, "keygen").returncode == 0
    done = tpn(
        tmp_path,
        "certify",
        "--profile",
        "form-xml",
        "--target",
        str(folder),
        "--product",
        "SkjemaX",
        "--sign-key",
        "tpn-signing.key",
        "--signer",
        "Skjemaverkstedet AS",
        "-q",
    )
    # A failed run is signed too: the certificate says what happened, not that it passed.
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    check = tpn(tmp_path, "report", "verify", "tpn-report", "--public-key", "tpn-signing.pub")
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"target     {folder.resolve()}\n" in check.stdout
    assert "vendor's self-test" in check.stdout
    assert "failed: 12 passed, 1 failed" in check.stdout


# ---------------------------------------------------------------------------- plain pytest


def test_plain_pytest_with_the_plugin_certifies_a_folder(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    folder = vendor_folder(tmp_path, "KSX-NIVAA-001")
    out = pytester.path / "reports"
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "--tpn-profile",
        "form-xml",
        "--tpn-target",
        str(folder),
        "--tpn-level",
        "full",
        "--tpn-report-dir",
        str(out),
        timeout=300,
    )
    assert result.ret == 1, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines(
        [
            f"tpn: form-xml at level full against {folder}: 18 requirements (18 tests)*",
            "*FAILED KSX-NIVAA-001: 1 of 31 documents break KSX-NIVAA-001:*",
            "*verdict: FAILED*",
        ]
    )
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in data["requirements"] if r["result"] != "passed"] == ["KSX-NIVAA-001"]
    assert (out / "junit.xml").is_file() and (out / "report.html").is_file()


# ---------------------------------------------------------------------------- tpn defects


def test_tpn_defects_lists_form_xmls_defects(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["defects", "--profile", "form-xml"]) == 0
    blocks = capsys.readouterr().out.strip().split("\n\n")
    found = defects.catalogue()
    assert len(blocks) == len(found) + 1
    for block, d in zip(blocks, found, strict=False):
        assert block == f"{d.name}\n  {d.summary}\n  caught by: {d.rule}"
    assert blocks[-1] == (
        f"{len(found)} defects. Certify the reference form engine with one: "
        "tpn certify --profile form-xml --defect NAME (repeatable)."
    )


def test_tpn_defects_json_for_form_xml(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["defects", "--profile", "form-xml", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {"name": d.name, "summary": d.summary, "story": d.summary, "requirements": [d.rule]}
        for d in defects.catalogue()
    ]
    assert rows[0]["name"] == "not-well-formed" and rows[0]["requirements"] == ["KSX-XML-001"]


def test_tpn_defects_refuses_an_unknown_profile(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["defects", "--profile", "form-html"])
    assert exc.value.code == 2
    assert "argument --profile: invalid choice: 'form-html'" in capsys.readouterr().err


def test_an_unreadable_document_stops_the_run_naming_it(tmp_path: Path) -> None:
    folder = vendor_folder(tmp_path)
    os.symlink("/proc/self/mem", folder / "mem.xml")  # exists, and every read fails
    run = certify(tmp_path, "--target", str(folder))
    assert run.returncode == 2, run.output
    assert "SUITE ERROR (the run could not judge): cannot read " in run.stdout
    assert "mem.xml: Input/output error; every document must be readable" in run.stdout
    assert run.data["summary"]["failed"] == 0  # not the product's failure
