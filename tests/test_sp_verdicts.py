"""How the sp suite judges wrapping and comments (sikkerhetsportal.md, the last section): the
attack succeeds only when someone other than the persona the portal signed, read in full, gets a
session. An SP that ignores the forged part and logs in the signed persona passes, and the report
says so (issue 13: Shibboleth SP was failed for that)."""

from __future__ import annotations

from typing import Any

import pytest

from tpn.conformance.evidence import Recorder
from tpn.conformance.sp import checks

UID, OTHER = "17858400120", "04909948021"


class _Site:
    uid, other_uid = UID, OTHER

    def __init__(self) -> None:
        self.recorder = Recorder()

    def browser(self) -> None:
        return None


def _probe_shows(monkeypatch: pytest.MonkeyPatch, shown: dict[str, str | None]) -> _Site:
    monkeypatch.setattr(checks, "can_judge", lambda site: None)
    monkeypatch.setattr(checks, "attempt", lambda browser, name, uid, other: shown[name])
    return _Site()


def test_an_sp_that_logs_in_the_signed_persona_passes_with_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = _probe_shows(monkeypatch, {"xsw3": UID, "xsw4": None})
    checks.not_fooled(site, "xsw3", "xsw4")  # type: ignore[arg-type]
    assert site.recorder.noted().startswith("xsw3: the SP logged in the persona the portal signed")


@pytest.mark.parametrize(
    ("shown", "words"),
    [(OTHER, "the attacker's persona"), (UID[:6], "a uid cut short")],
)
def test_a_forged_identity_with_a_session_fails(
    monkeypatch: pytest.MonkeyPatch, shown: str, words: str
) -> None:
    site = _probe_shows(monkeypatch, {"comment-in-uid": shown})
    with pytest.raises(AssertionError, match=words):
        checks.not_fooled(site, "comment-in-uid")  # type: ignore[arg-type]


def test_a_refusal_leaves_no_note(monkeypatch: pytest.MonkeyPatch) -> None:
    site = _probe_shows(monkeypatch, {"xsw1": None, "xsw2": None})
    checks.not_fooled(site, "xsw1", "xsw2")  # type: ignore[arg-type]
    assert site.recorder.noted() == ""


def test_other_forgeries_still_fail_on_any_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """Signed by another key, tampered...: even the right persona's session is a failure."""
    site: Any = _probe_shows(monkeypatch, {"wrong-key": UID})
    with pytest.raises(AssertionError, match="wrong-key: the probe shows"):
        checks.refused(site, "wrong-key")
