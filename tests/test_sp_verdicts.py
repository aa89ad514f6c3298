"""How the sp suite judges wrapping and comments (sikkerhetsportal.md, the last section): the
attack succeeds only when someone other than the persona the portal signed, read in full, gets a
session. An SP that ignores the forged part and logs in the signed persona passes, and the report
says so (issue 13: Shibboleth SP was failed for that)."""

from __future__ import annotations

from typing import Any

import pytest

from tpn.conformance.evidence import Recorder
from tpn.conformance.sp import checks
from tpn.conformance.sp.bindings import Acs
from tpn.mocks.saml import ns
from tpn.mocks.sikkerhetsportal.errors import LoginError

UID, OTHER = "17858400120", "04909948021"
ARTIFACT = Acs(ns.ARTIFACT, "https://sp.example/acs")
POST = Acs(ns.POST, "https://sp.example/acs/post")


class _Site:
    uid, other_uid = UID, OTHER

    def __init__(self, acs: tuple[Acs, ...] = (ARTIFACT,)) -> None:
        self.recorder = Recorder()
        self.acs = acs

    def browser(self, acs: Acs | None = None) -> Acs | None:
        return acs  # the fake attempt below reads the binding from its "browser"


def _probe_shows(
    monkeypatch: pytest.MonkeyPatch,
    shown: dict[str, str | None],
    acs: tuple[Acs, ...] = (ARTIFACT,),
    *,
    over_post: dict[str, str | None] | None = None,
) -> _Site:
    """The probe shows ``shown[forgery]`` after each forged login (``over_post`` over
    HTTP-POST, where given)."""

    def attempt(browser: Acs | None, name: str, uid: str, other: str) -> str | None:
        if over_post is not None and browser == POST:
            return over_post[name]
        return shown[name]

    monkeypatch.setattr(checks, "can_judge", lambda site, acs=None: None)
    monkeypatch.setattr(checks, "attempt", attempt)
    return _Site(acs)


def test_an_sp_that_logs_in_the_signed_persona_passes_with_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = _probe_shows(monkeypatch, {"xsw3": UID, "xsw4": None})
    checks.not_fooled(site, "xsw3", "xsw4")  # type: ignore[arg-type]
    assert site.recorder.noted().startswith(
        "over HTTP-Artifact: xsw3: the SP logged in the persona the portal signed"
    )


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


def test_a_requirement_fails_when_it_fails_over_one_binding_and_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site: Any = _probe_shows(
        monkeypatch, {"expired": None}, (ARTIFACT, POST), over_post={"expired": UID}
    )
    with pytest.raises(AssertionError) as failed:
        checks.refused(site, "expired")
    assert str(failed.value) == (
        "over HTTP-POST: the SP created a session for a forged login: expired: the probe shows "
        f"{UID} logged in"
    )


def test_a_requirement_passes_only_over_every_binding(monkeypatch: pytest.MonkeyPatch) -> None:
    site: Any = _probe_shows(monkeypatch, {"expired": None}, (ARTIFACT, POST))
    checks.refused(site, "expired")  # refused over both: passes


def test_a_binding_it_cannot_judge_over_leaves_it_not_run_saying_which(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site: Any = _probe_shows(monkeypatch, {"expired": None}, (ARTIFACT, POST))

    def can_judge(site: Any, acs: Acs | None = None) -> None:
        if acs == POST:
            pytest.skip("cannot judge: the correct login failed")

    monkeypatch.setattr(checks, "can_judge", can_judge)
    with pytest.raises(pytest.skip.Exception) as skipped:
        checks.refused(site, "expired")
    assert skipped.value.msg == "over HTTP-POST: cannot judge: the correct login failed"


def test_notes_name_their_binding(monkeypatch: pytest.MonkeyPatch) -> None:
    site = _probe_shows(monkeypatch, {"xsw3": None}, (ARTIFACT, POST), over_post={"xsw3": UID})
    checks.not_fooled(site, "xsw3")  # type: ignore[arg-type]
    assert site.recorder.noted().startswith("over HTTP-POST: xsw3: the SP logged in")


def _refused_request(*args: object) -> None:
    raise LoginError("SigAlg 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' is not allowed")


def test_when_no_login_can_start_a_refusal_is_not_run_saying_the_portals_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The portal refusing the SP's AuthnRequest is SP-LOGIN-001's failure (and a request
    requirement's); every check of a refusal is then *not run*, never failed."""
    monkeypatch.setattr(checks, "attempt_of", _refused_request)
    with pytest.raises(pytest.skip.Exception) as skipped:
        checks.can_judge(_Site())  # type: ignore[arg-type]
    assert skipped.value.msg.startswith(
        "cannot judge: a correct login could not start, so a refusal proves nothing: the portal "
        "refuses the SP's AuthnRequest: SigAlg"
    )


def test_a_login_that_cannot_start_fails_naming_its_binding_and_the_reason() -> None:
    site: Any = _Site((ARTIFACT, POST))
    with pytest.raises(AssertionError) as failed:
        checks.judge(site, _refused_request)
    assert str(failed.value) == (
        "over HTTP-Artifact: the portal refuses the SP's AuthnRequest: SigAlg "
        "'http://www.w3.org/2000/09/xmldsig#rsa-sha1' is not allowed; over HTTP-POST: the portal "
        "refuses the SP's AuthnRequest: SigAlg 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' is "
        "not allowed"
    )
