"""``tpn forms``: list, generate and export, as a vendor uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tpn.conformance.ksxml.validator import Validator
from tpn.harness.cli import main


def test_list_names_the_fifteen_forms(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 15
    assert lines[4].split()[:4] == ["KS-STARTLAAN", "1.0", "level", "4"]
    assert main(["forms", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["namespace"] == "http://skjema.ks.no/KS-BARNEHAGE/1.0"
    assert {r["applicant"] for r in rows} == {"person", "organisation"}


def test_generate_writes_valid_documents_the_same_every_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["forms", "generate", "--out", str(tmp_path / "a"), "--count", "2"]) == 0
    assert "wrote 30 valid documents of 15 forms" in capsys.readouterr().out
    assert main(["forms", "generate", "--out", str(tmp_path / "b"), "--count", "2"]) == 0
    first = sorted((tmp_path / "a").rglob("*.xml"))
    assert len(first) == 30
    for path in first:
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
    validator = Validator(synthetic_only=True)
    assert all(v.valid for v in validator.run((str(p), p.read_bytes()) for p in first))


def test_generate_breaking_a_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["forms", "generate", "--out", str(tmp_path), "--break", "KSX-MATR-001", "--count", "3"]
    assert main(args) == 0
    assert "wrote 12 breaking KSX-MATR-001 documents of 4 forms" in capsys.readouterr().out
    paths = sorted(tmp_path.rglob("*.xml"))
    for path in paths:
        assert b"<!-- breaks: KSX-MATR-001" in path.read_bytes()
    verdicts = list(Validator().run((str(p), p.read_bytes()) for p in paths))
    assert all(v.rules == {"KSX-MATR-001"} for v in verdicts)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--form", "KS-NOPE"], "tpn forms: error: no form 'KS-NOPE'; the forms are KS-BARNEHAGE"),
        (["--break", "KSX-REF-001"], "(KSX-REF-001 needs two documents)"),
        (["--form", "KS-SFO", "--break", "KSX-MATR-001"], "none of the chosen forms can break"),
    ],
)
def test_generate_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["forms", "generate", "--out", str(tmp_path), *args]) == 2
    assert message in capsys.readouterr().err


def test_export_writes_schemas_catalogues_and_examples(tmp_path: Path) -> None:
    assert main(["forms", "export", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "envelope.xsd").is_file()
    assert (tmp_path / "dataelementer.toml").is_file()
    assert len(list((tmp_path / "forms").glob("*.xsd"))) == 15
    assert (tmp_path / "examples" / "KS-TTKORT" / "valid.xml").is_file()
    assert list((tmp_path / "examples" / "KS-TTKORT" / "invalid").glob("*.xml"))
