"""The form-xml suite's batch: the reference form engine with defects, and a vendor's folder."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tpn.conformance.ksxml import batch, defects, generate
from tpn.conformance.ksxml.validator import Validator


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_every_defect_at_once_breaks_every_rule(seed: int) -> None:
    names = defects.names()
    found = batch.from_reference(seed, 2, names, Validator(synthetic_only=True))
    broken = {f.rule for v in found.verdicts for f in v.findings}
    assert broken == {d.rule for d in defects.catalogue()}


def test_an_unreadable_document_is_named(tmp_path: Path) -> None:
    (tmp_path / "ok.xml").write_bytes(generate.example("KS-SFO").to_bytes())
    os.symlink("/proc/self/mem", tmp_path / "mem.xml")  # exists, and every read fails
    with pytest.raises(batch.Unreadable, match=r"cannot read .*mem\.xml"):
        batch.from_folder(tmp_path, Validator())


def test_an_over_size_document_keeps_its_true_size_and_hash(tmp_path: Path) -> None:
    data = b"<melding>" + b" " * (3 * 1024 * 1024) + b"</melding>"
    (tmp_path / "big.xml").write_bytes(data)
    [verdict] = batch.from_folder(tmp_path, Validator()).verdicts
    assert verdict.rules == {"KSX-XML-002"}
    assert (verdict.size, verdict.sha256) == (len(data), hashlib.sha256(data).hexdigest())
