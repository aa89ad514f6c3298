"""How a run's secrets are found in what it writes (tpn.conformance.redact), short ones too.

A password is replaced wherever it stands once it is long enough not to be ordinary text; a
shorter one only as a word of its own; one of fewer than four characters ("1" is in every
requirement id) is not looked for in text at all, and the run says so.
"""

from __future__ import annotations

import json

from tpn.conformance.redact import MASK, MIN_SECRET, Redactor

ORDINARY = "N4WS-NUM-001 passed; replay with --tpn-seed 41733 (http://www.arkivverket.no/Noark4-1-WS-WD/types)"


def test_a_long_password_is_masked_wherever_it_stands() -> None:
    r = Redactor.of([("arkiv", "hemmelig-passord")])
    assert r.text("x=hemmelig-passordx") == f"x={MASK}x"
    assert r.text('"hemmelig-passord"') == f'"{MASK}"'
    assert not r.too_short


def test_a_short_password_is_masked_as_a_word_of_its_own() -> None:
    r = Redactor.of([("arkiv", "kode42")])
    assert r.text("password=kode42&next") == f"password={MASK}&next"
    assert r.text("kode421 and xkode42") == "kode421 and xkode42"
    assert r.text(ORDINARY) == ORDINARY


def test_a_password_of_a_few_characters_is_not_looked_for_in_text() -> None:
    r = Redactor.of([("arkiv", "1")])
    assert len("1") < MIN_SECRET and r.too_short
    assert r.text(ORDINARY) == ORDINARY
    report = r.data({"summary": {"passed": 12}, "ids": ["N4WS-NUM-001"]})
    assert json.loads(json.dumps(report)) == {"summary": {"passed": 12}, "ids": ["N4WS-NUM-001"]}
    # Its Basic header is long enough to find, and is masked.
    assert r.text("Authorization: Basic YXJraXY6MQ==") == f"Authorization: Basic {MASK}"


def test_the_recorded_arguments_mask_any_password() -> None:
    r = Redactor.of([("arkiv", "1")])
    assert r.arguments(["--tpn-password", "1", "--tpn-target", "http://u:1@host/x"]) == [
        "--tpn-password",
        MASK,
        "--tpn-target",
        f"http://u:{MASK}@host/x",
    ]
