"""``tpn validate``: the listing, --json, --quiet, exit codes, folders and their order, the
refused documents (DTD, not UTF-8, over-size) and KSX-REF-001 across a batch."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tpn.conformance.ksxml import generate
from tpn.conformance.ksxml.model import forms
from tpn.conformance.ksxml.validator import MAX_BYTES
from tpn.fixtures import identifiers
from tpn.harness import validate
from tpn.harness.cli import main

DTD = b'<?xml version="1.0"?>\n<!DOCTYPE melding [<!ENTITY a "b">]>\n<melding>&a;</melding>\n'
LATIN_1 = '<?xml version="1.0"?>\n<melding>\n  <navn>Kjærnes</navn>\n</melding>\n'.encode("latin-1")


def doc(form: str = "KS-BARNEHAGE", seed: int = 1) -> generate.Document:
    return generate.document(form, generate.RandomChooser(seed))


def write(path: Path, data: bytes | generate.Document) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.to_bytes())
    return path


def broken_number(d: generate.Document) -> tuple[bytes, str]:
    """``d`` with the applicant's fødselsnummer's last check digit changed (KSX-ID-001)."""
    number = d.text("Innsender/foedselsnummer")
    wrong = number[:10] + str((int(number[10]) + 1) % 10)
    el = d.find("Innsender/foedselsnummer")
    assert el is not None
    el.text = wrong
    return d.to_bytes(), wrong


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------------- the listing


def test_valid_documents_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path / "a.xml", doc("KS-BARNEHAGE", 1))
    b = write(tmp_path / "b.xml", doc("KS-SKJENKEBEVILLING", 2))
    code, out, err = run([str(a), str(b)], capsys)
    assert (code, err) == (0, "")
    assert out == f"{a}: valid\n{b}: valid\n2 documents: 2 valid, 0 invalid\n"


def test_one_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path / "a.xml", doc())
    assert run([str(a)], capsys) == (0, f"{a}: valid\n1 document: 1 valid, 0 invalid\n", "")


def test_an_invalid_document_lists_its_findings_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, wrong = broken_number(doc())
    bad = write(tmp_path / "bad.xml", data)
    good = write(tmp_path / "good.xml", doc(seed=2))
    code, out, err = run([str(tmp_path)], capsys)
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0] == f"{bad}: invalid (1 finding)"
    check = identifiers.check_person(wrong)
    assert lines[1] == (
        f"  {bad}:4: /melding/Innsender/foedselsnummer: KSX-ID-001 {wrong} is not a valid "
        f"{check.kind}: {check.reason}"
    )
    assert check.reason is not None and check.reason.startswith("check digit 11 is")
    assert lines[2:] == [f"{good}: valid", "2 documents: 1 valid, 1 invalid (KSX-ID-001 ×1)"]


def test_findings_are_the_validators_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tpn.conformance.ksxml.validator import Validator

    d = doc("KS-SFO", 3)
    for name in ("Innsender/postnummer", "Mottaker/kommunenummer"):
        el = d.find(name)
        assert el is not None
        el.text = "12"
    bad = write(tmp_path / "bad.xml", d)
    verdict = Validator().check(bad.read_bytes(), str(bad))
    assert len(verdict.findings) >= 2
    code, out, _ = run([str(bad)], capsys)
    assert code == 1
    assert out.splitlines()[: len(verdict.findings) + 1] == [
        f"{bad}: invalid ({len(verdict.findings)} findings)",
        *(f"  {f.text(str(bad))}" for f in verdict.findings),
    ]


def test_summary_counts_findings_by_rule_most_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(3):
        write(tmp_path / f"id{i}.xml", broken_number(doc(seed=10 + i))[0])
    write(tmp_path / "dtd.xml", DTD)
    write(tmp_path / "latin.xml", LATIN_1)
    write(tmp_path / "ok.xml", doc(seed=20))
    code, out, _ = run([str(tmp_path), "--quiet"], capsys)
    assert code == 1
    assert out.splitlines()[-1] == (
        "6 documents: 1 valid, 5 invalid (KSX-ID-001 ×3, KSX-XML-001 ×1, KSX-XML-002 ×1)"
    )


def test_quiet_lists_only_invalid_documents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a.xml", doc(seed=1))
    dtd = write(tmp_path / "b.xml", DTD)
    write(tmp_path / "c.xml", doc(seed=2))
    code, out, _ = run(["--quiet", str(tmp_path)], capsys)
    assert code == 1
    assert out == (
        f"{dtd}: invalid (1 finding)\n"
        f"  {dtd}: KSX-XML-002 the document contains a DTD (<!DOCTYPE); DTDs and entity "
        "declarations are refused\n"
        "3 documents: 2 valid, 1 invalid (KSX-XML-002 ×1)\n"
    )
    code, out, _ = run(["-q", str(tmp_path / "a.xml")], capsys)
    assert (code, out) == (0, "1 document: 1 valid, 0 invalid\n")


# ---------------------------------------------------------------------- refused documents


def test_a_dtd_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Even in front of a valid document: the DTD is refused from the bytes, never parsed.
    data = doc().to_bytes().replace(b"?>\n", b'?>\n<!DOCTYPE melding [<!ENTITY x "y">]>\n', 1)
    path = write(tmp_path / "dtd.xml", data)
    code, out, _ = run([str(path), "--json"], capsys)
    assert code == 1
    [verdict] = json.loads(out)["documents"]
    assert verdict["form"] is None
    assert [f["rule"] for f in verdict["findings"]] == ["KSX-XML-002"]
    assert "DTD" in verdict["findings"][0]["message"]


def test_a_document_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "latin.xml", LATIN_1)
    code, out, _ = run([str(path)], capsys)
    assert code == 1
    assert out.splitlines() == [
        f"{path}: invalid (1 finding)",
        f"  {path}:3: KSX-XML-001 the document is not UTF-8: byte {LATIN_1.index(0xE6)} (0xe6) "
        "cannot start a character",
        "1 document: 0 valid, 1 invalid (KSX-XML-001 ×1)",
    ]


def test_not_well_formed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "cut.xml", doc().to_bytes()[:300])
    code, out, _ = run([str(path)], capsys)
    assert code == 1
    assert "KSX-XML-001" in out.splitlines()[1]


def test_an_oversize_file_is_refused_with_its_true_size_and_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.xml"
    with big.open("wb") as fh:
        fh.write(b"<melding>")
        fh.write(b" " * (MAX_BYTES + 1_000_000))
        fh.write(b"</melding>")
    code, out, _ = run(["--json", str(big)], capsys)
    assert code == 1
    [verdict] = json.loads(out)["documents"]
    assert [f["rule"] for f in verdict["findings"]] == ["KSX-XML-002"]
    # The validator read no more than the limit; the evidence names the whole file.
    assert verdict["size"] == big.stat().st_size == MAX_BYTES + 1_000_019
    assert verdict["sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
    assert verdict["findings"][0]["message"] == (
        f"the document is larger than the limit of {MAX_BYTES} bytes"
    )


# ---------------------------------------------------------------------- KSX-REF-001


def test_a_referanse_used_twice_fails_the_second(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = doc(seed=1), doc(seed=2)
    referanse = first.text("Metadata/referanse")
    el = second.find("Metadata/referanse")
    assert el is not None
    el.text = referanse
    a = write(tmp_path / "1-first.xml", first)
    b = write(tmp_path / "2-resent.xml", second)
    code, out, _ = run([str(tmp_path)], capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{a}: valid"
    assert lines[1] == f"{b}: invalid (1 finding)"
    assert lines[2].startswith(f"  {b}:")
    assert lines[2].endswith(
        f"/melding/Metadata/referanse: KSX-REF-001 referanse {referanse} was already used by "
        f"{a}; each submission needs its own"
    )
    assert lines[3] == "2 documents: 1 valid, 1 invalid (KSX-REF-001 ×1)"
    # Named the other way round, the other one keeps the referanse.
    code, out, _ = run([str(b), str(a)], capsys)
    assert out.splitlines()[0] == f"{b}: valid"
    assert out.splitlines()[1] == f"{a}: invalid (1 finding)"


def test_a_file_named_twice_is_validated_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path / "a.xml", doc())
    code, out, _ = run([str(a), str(tmp_path), str(a)], capsys)
    assert code == 0
    assert out == f"{a}: valid\n1 document: 1 valid, 0 invalid\n"


# ---------------------------------------------------------------------- folders


def test_folders_are_searched_recursively_in_path_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ["b.xml", "a/z.xml", "a/b/c.xml", "a-c.xml", "A.xml", "c/d/e/f.xml", ".hidden.xml"]
    for i, name in enumerate(reversed(names)):
        write(tmp_path / name, doc(forms()[i].id, i))
    write(tmp_path / "notes.txt", b"not a document")
    write(tmp_path / "a" / "data.json", b"{}")
    write(tmp_path / "x.xml.bak", b"<old/>")
    code, out, _ = run([str(tmp_path)], capsys)
    assert code == 0
    listed = [line.removesuffix(": valid") for line in out.splitlines()[:-1]]
    expected = [".hidden.xml", "A.xml", "a/b/c.xml", "a/z.xml", "a-c.xml", "b.xml", "c/d/e/f.xml"]
    assert listed == [str(tmp_path / n) for n in expected]
    assert out.splitlines()[-1] == "7 documents: 7 valid, 0 invalid"
    # The same order as the conformance suite reads a vendor's folder in.
    assert [Path(p) for p in validate.collect([str(tmp_path)])] == sorted(
        p for p in tmp_path.rglob("*.xml") if p.is_file()
    )


def test_paths_keep_the_order_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "one" / "a.xml", doc(seed=1))
    write(tmp_path / "two" / "a.xml", doc(seed=2))
    plain = write(tmp_path / "plain.document", doc(seed=3))  # a file named is read, any name
    code, out, _ = run([str(tmp_path / "two"), str(plain), str(tmp_path / "one")], capsys)
    assert code == 0
    assert out.splitlines()[:3] == [
        f"{tmp_path / 'two' / 'a.xml'}: valid",
        f"{plain}: valid",
        f"{tmp_path / 'one' / 'a.xml'}: valid",
    ]


def test_a_relative_folder_keeps_its_spelling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "in" / "sub" / "a.xml", doc())
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["in"], capsys)
    assert code == 0
    assert out.splitlines()[0] == f"{os.path.join('in', 'sub', 'a.xml')}: valid"


# ---------------------------------------------------------------------- usage errors


def test_a_missing_path_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path / "a.xml", doc())
    missing = tmp_path / "nowhere"
    assert run([str(a), str(missing)], capsys) == (
        2,
        "",
        f"tpn validate: error: no such file or folder: {missing}\n",
    )


def test_a_folder_without_documents_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run([str(empty)], capsys) == (
        2,
        "",
        f"tpn validate: error: no .xml files in folder {empty}\n",
    )
    other = tmp_path / "other"
    write(other / "sub" / "readme.txt", b"hello")
    assert run([str(other)], capsys) == (
        2,
        "",
        f"tpn validate: error: no .xml files in folder {other}\n",
    )


def test_no_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["validate"])
    assert exit_.value.code == 2
    assert "the following arguments are required: PATH" in capsys.readouterr().err


def test_an_unreadable_file_exits_2_after_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path / "a.xml", doc())
    dangling = tmp_path / "b.xml"
    dangling.symlink_to(tmp_path / "gone.xml")
    code, out, err = run([str(tmp_path)], capsys)
    assert code == 2
    assert out == f"{a}: valid\n1 document: 1 valid, 0 invalid\n"
    assert err == f"tpn validate: error: cannot read {dangling}: No such file or directory\n"


# ---------------------------------------------------------------------- --json, --synthetic-only


def test_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "a.xml", doc("KS-STARTLAAN", 1))
    bad = write(tmp_path / "b.xml", broken_number(doc(seed=2))[0])
    dtd = write(tmp_path / "c.xml", DTD)
    code, out, err = run(["--json", str(tmp_path)], capsys)
    assert (code, err) == (1, "")
    result = json.loads(out)
    assert list(result) == ["documents", "summary"]
    assert result["summary"] == {
        "documents": 3,
        "valid": 1,
        "invalid": 2,
        "by_rule": {"KSX-ID-001": 1, "KSX-XML-002": 1},
    }
    docs = result["documents"]
    assert [d["source"] for d in docs] == [str(good), str(bad), str(dtd)]
    assert [d["valid"] for d in docs] == [True, False, False]
    assert [d["form"] for d in docs] == ["KS-STARTLAAN", "KS-BARNEHAGE", None]
    assert set(docs[0]) == {"source", "form", "valid", "sha256", "size", "findings"}
    assert docs[0]["size"] == good.stat().st_size and len(docs[0]["sha256"]) == 64
    [finding] = docs[1]["findings"]
    assert set(finding) == {"rule", "message", "line", "path"}
    assert (finding["rule"], finding["line"], finding["path"]) == (
        "KSX-ID-001",
        4,
        "/melding/Innsender/foedselsnummer",
    )


def test_json_quiet_leaves_out_valid_documents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a.xml", doc(seed=1))
    code, out, _ = run(["--json", "--quiet", str(tmp_path)], capsys)
    assert code == 0
    assert json.loads(out) == {
        "documents": [],
        "summary": {"documents": 1, "valid": 1, "invalid": 0, "by_rule": {}},
    }
    dtd = write(tmp_path / "b.xml", DTD)
    code, out, _ = run(["--json", "--quiet", str(tmp_path)], capsys)
    assert code == 1
    assert [d["source"] for d in json.loads(out)["documents"]] == [str(dtd)]


def test_synthetic_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = doc()
    el = d.find("Innsender/foedselsnummer")
    assert el is not None
    # A real-format number no living person can have (born 2035): no rule dates the applicant.
    el.text = identifiers.first_fnr(dt.date(2035, 5, 17), synthetic=False)
    path = write(tmp_path / "a.xml", d)
    assert run([str(path)], capsys)[0] == 0
    code, out, _ = run(["--synthetic-only", str(path)], capsys)
    assert code == 1
    assert "KSX-ID-003" in out.splitlines()[1]


# ---------------------------------------------------------------------- progress, the script


def test_a_progress_bar_only_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    chooser = generate.RandomChooser(7)
    catalogue = forms()
    for i in range(validate.PROGRESS_FROM + 1):
        write(tmp_path / f"{i:03d}.xml", generate.document(catalogue[i % 15], chooser))
    code, quiet_out, _ = run(["-q", str(tmp_path)], capsys)
    assert code == 0
    monkeypatch.setenv("FORCE_TERMINAL", "1")
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    code, out, err = run(["-q", str(tmp_path)], capsys)
    assert code == 0
    assert out == quiet_out == "201 documents: 201 valid, 0 invalid\n"
    assert "validating" in err


def test_the_console_script(tmp_path: Path) -> None:
    tpn = shutil.which("tpn")
    if tpn is None:
        pytest.skip("the tpn console script is not on PATH (pip install -e .)")
    a = write(tmp_path / "docs" / "a.xml", doc(seed=1))
    b = write(tmp_path / "docs" / "sub" / "b.xml", DTD)
    done = subprocess.run(
        [tpn, "validate", str(tmp_path / "docs")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines() == [
        f"{a}: valid",
        f"{b}: invalid (1 finding)",
        f"  {b}: KSX-XML-002 the document contains a DTD (<!DOCTYPE); DTDs and entity "
        "declarations are refused",
        "2 documents: 1 valid, 1 invalid (KSX-XML-002 ×1)",
    ]
    done = subprocess.run(
        [tpn, "validate", "--json", "-q", str(a)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["summary"]["valid"] == 1
