"""MinSide's citizen's pages at the request level (no browser): the login through the portal as
a real SP, the pages' rules (levels, step-up, other citizens' messages, escaping, downloads,
CSRF, cookies) and the refusal of forged and tampered artifacts."""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from citizen_support import (
    CITIZEN,
    OTHER,
    PDF,
    Seeded,
    follow_login,
    http,
    login,
    minside_of,
    seed,
    site_of,
)
from lxml import etree

from tpn.mocks.compose import ComposedMock
from tpn.mocks.minside.citizen import OverHttp
from tpn.mocks.minside.citizen.web import disposition, safe_filename
from tpn.mocks.saml import keys, messages, metadata, ns
from tpn.mocks.sikkerhetsportal.mock import PortalPart

HOSTILE = '<script>alert("x")</script> & <b>fet</b>'


@pytest.fixture(scope="module")
def mocks() -> Iterator[ComposedMock]:
    with ComposedMock() as served:
        yield served


@pytest.fixture
def seeded(mocks: ComposedMock) -> Seeded:
    mocks.reset()
    return seed(minside_of(mocks), title3=HOSTILE)


def _status_of(mocks: ComposedMock, melding_id: str) -> str:
    found = [m for m in minside_of(mocks).contents()["meldinger"] if m["meldingId"] == melding_id]
    return str(found[0]["status"])


def _requested_level(location: str) -> int:
    raw = parse_qs(urlsplit(location).query)["SAMLRequest"][0]
    request = messages.parse_authn_request(zlib.decompress(base64.b64decode(raw), -15))
    return request.level


def test_a_citizen_logs_in_at_level_3_through_the_portal(
    mocks: ComposedMock, seeded: Seeded
) -> None:
    session = http()
    page = login(session, mocks.base_url, CITIZEN.foedselsnummer)
    assert page.status_code == 200
    assert f"<strong>{CITIZEN.navn}</strong> (fødselsnummer {CITIZEN.foedselsnummer})" in page.text
    assert "på sikkerhetsnivå 3, med Minid-PIN" in page.text
    cookies = page.request.headers["Cookie"]
    assert "minside=" in cookies and "minside_login" not in cookies


def test_minside_registers_itself_with_its_display_name(
    mocks: ComposedMock, seeded: Seeded
) -> None:
    portal = mocks.parts.part(PortalPart).portal
    entity = f"{mocks.base_url}/minside/metadata"
    assert entity not in portal.providers()  # a reset forgot it
    login(http(), mocks.base_url, CITIZEN.foedselsnummer)
    registered = portal.provider(entity)
    assert registered is not None and registered.display_name == "MinSide"
    served = http().get(entity)
    assert served.headers["Content-Type"] == "application/samlmetadata+xml"
    assert metadata.parse_sp(served.content) == registered


def test_cookies_are_httponly_and_lax(mocks: ComposedMock, seeded: Seeded) -> None:
    session = http()
    start = session.get(f"{mocks.base_url}/minside/meldinger", allow_redirects=False)
    assert re.fullmatch(
        r"minside_login=_[0-9a-f]{40}; Path=/minside; HttpOnly; SameSite=Lax",
        start.headers["Set-Cookie"],
    )
    to_portal = session.get(
        f"{start.headers['Location']}&tpn-persona={CITIZEN.foedselsnummer}", allow_redirects=False
    )
    acs = session.get(to_portal.headers["Location"], allow_redirects=False)
    assert acs.status_code == 303
    assert acs.headers["Location"] == f"{mocks.base_url}/minside/meldinger"
    set_cookie = acs.raw.headers.getlist("Set-Cookie")
    assert any(
        re.fullmatch(r"minside=[\w-]{43}; Path=/minside; HttpOnly; SameSite=Lax", c)
        for c in set_cookie
    )


def test_the_box_lists_marks_levert_and_escapes_a_hostile_title(
    mocks: ComposedMock, seeded: Seeded
) -> None:
    session = http()
    login(session, mocks.base_url, CITIZEN.foedselsnummer)
    assert _status_of(mocks, seeded.level3) == "MOTTATT"
    box = session.get(f"{mocks.base_url}/minside/meldinger")
    assert box.status_code == 200
    assert "<script>" not in box.text and "<b>fet</b>" not in box.text
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;fet&lt;/b&gt;" in box.text
    )
    assert _status_of(mocks, seeded.level3) == "LEVERT"
    assert _status_of(mocks, seeded.level4) == "LEVERT"
    assert "Ikke din melding" not in box.text
    # The level-4 message is listed, with a way to step up, but not opened.
    assert "Helseopplysninger<br>" in box.text
    assert "Logg inn på nivå 4 for å lese" in box.text


def test_a_level_3_message_is_opened(mocks: ComposedMock, seeded: Seeded) -> None:
    session = http()
    login(session, mocks.base_url, CITIZEN.foedselsnummer)
    page = session.get(f"{mocks.base_url}/minside/meldinger/{seeded.level3}")
    assert page.status_code == 200
    assert "<h1>&lt;script&gt;" in page.text
    assert "<p>Første avsnitt.</p>\n<p>Andre avsnitt.</p>" in page.text
    assert '<a href="https://kommune.example/sak/2007/42">Gå til saken</a>' in page.text
    assert _status_of(mocks, seeded.level3) == "LEST"


def test_a_level_4_message_asks_for_a_step_up_then_opens(
    mocks: ComposedMock, seeded: Seeded
) -> None:
    session = http()
    login(session, mocks.base_url, CITIZEN.foedselsnummer)
    asked = session.get(
        f"{mocks.base_url}/minside/meldinger/{seeded.level4}", allow_redirects=False
    )
    assert asked.status_code == 303
    assert _requested_level(asked.headers["Location"]) == 4
    assert _status_of(mocks, seeded.level4) == "MOTTATT"  # not opened at level 3
    page = follow_login(session, asked, CITIZEN.foedselsnummer, "BankID")
    assert page.status_code == 200, page.text
    assert page.url == f"{mocks.base_url}/minside/meldinger/{seeded.level4}"
    assert "<h1>Helseopplysninger</h1>" in page.text
    assert "sikkerhetsnivå 4" in page.text
    assert _status_of(mocks, seeded.level4) == "LEST"


def test_an_attachment_downloads_with_a_safe_name(mocks: ComposedMock, seeded: Seeded) -> None:
    session = http()
    login(session, mocks.base_url, CITIZEN.foedselsnummer)
    got = session.get(f"{mocks.base_url}/minside/meldinger/{seeded.level3}/vedlegg/1")
    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"] == (
        "attachment; filename=\"vedtak 2007-42.pdf\"; filename*=UTF-8''vedtak%202007-42.pdf"
    )
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    missing = session.get(f"{mocks.base_url}/minside/meldinger/{seeded.level3}/vedlegg/2")
    assert missing.status_code == 404


def test_hostile_file_names_and_types_are_made_safe() -> None:
    assert safe_filename('../../etc/passwd"\r\n.pdf') == "passwd_.pdf"
    assert safe_filename("..") == "vedlegg"
    assert disposition('Søknad "ny";\n.pdf') == (
        "attachment; filename=\"Soknad _ny__.pdf\"; filename*=UTF-8''S%C3%B8knad%20_ny__.pdf"
    )


def test_another_citizens_message_is_not_found(mocks: ComposedMock, seeded: Seeded) -> None:
    session = http()
    login(session, mocks.base_url, CITIZEN.foedselsnummer)
    for path in (seeded.others, f"{seeded.others}/vedlegg/1", "0" * 32):
        page = session.get(f"{mocks.base_url}/minside/meldinger/{path}")
        assert page.status_code == 404
        assert "Meldingen finnes ikke i din meldingsboks." in page.text
    assert _status_of(mocks, seeded.others) == "MOTTATT"
    assert OTHER.navn not in session.get(f"{mocks.base_url}/minside/meldinger").text


def test_cases_and_the_catalogue(mocks: ComposedMock, seeded: Seeded) -> None:
    session = http()
    login(session, mocks.base_url, CITIZEN.foedselsnummer)
    cases = session.get(f"{mocks.base_url}/minside/saker").text
    assert "<td>2007/42</td>" in cases
    assert '<a href="https://kommune.example/sak/2007/42">Søknad om barnehageplass</a>' in cases
    assert "<td>Under behandling</td>" in cases
    catalogue = session.get(f"{mocks.base_url}/minside/tjenester").text
    assert re.search(r'<h2 id="k1">Barnehage</h2>\s*<ul>\s*<li><a href="https://kommune', catalogue)


def test_pages_need_a_login_and_never_redirect_off_site(
    mocks: ComposedMock, seeded: Seeded
) -> None:
    session = http()
    for page in ("tjenester", "meldinger", "saker", f"meldinger/{seeded.level3}"):
        answer = session.get(f"{mocks.base_url}/minside/{page}", allow_redirects=False)
        assert answer.status_code == 303 and "/sikkerhetsportal/sso?" in answer.headers["Location"]
    start = session.get(
        f"{mocks.base_url}/minside/logginn?neste=//evil.example/x", allow_redirects=False
    )
    back = follow_login(session, start, CITIZEN.foedselsnummer)
    assert back.url == f"{mocks.base_url}/minside/"


def test_logout_needs_the_token_and_ends_both_sessions(mocks: ComposedMock, seeded: Seeded) -> None:
    session = http()
    front = login(session, mocks.base_url, CITIZEN.foedselsnummer)
    token = re.search(r'name="csrf" value="([^"]+)"', front.text)
    assert token is not None
    forged = session.post(f"{mocks.base_url}/minside/loggut", data={"csrf": "x"})
    assert forged.status_code == 403
    assert session.get(f"{mocks.base_url}/minside/saker").status_code == 200  # still logged in
    out = session.post(f"{mocks.base_url}/minside/loggut", data={"csrf": token[1]})
    assert out.status_code == 200 and out.url == f"{mocks.base_url}/minside/utlogget"
    assert "<h1>Du er logget ut</h1>" in out.text
    again = session.get(f"{mocks.base_url}/minside/saker", allow_redirects=False)
    assert again.status_code == 303
    # The portal's SSO session ended too: the portal shows its login page, not a login.
    portal = session.get(again.headers["Location"], allow_redirects=False)
    assert portal.status_code == 200 and "Velg person" in portal.text


def _start(session: object, base: str) -> tuple[str, str]:
    """A login started at MinSide: the portal query, the browser's login cookie."""
    assert hasattr(session, "get")
    start = session.get(f"{base}/minside/meldinger", allow_redirects=False)
    return urlsplit(start.headers["Location"]).query, start.cookies["minside_login"]


def test_a_forged_artifact_is_refused(mocks: ComposedMock, seeded: Seeded) -> None:
    session = http()
    _start(session, mocks.base_url)
    forged = base64.b64encode(b"\x00\x04\x00\x00" + b"\x01" * 40).decode()
    answer = session.get(f"{mocks.base_url}/minside/acs", params={"SAMLart": forged})
    assert answer.status_code == 403
    assert "no Response (unknown, or used before)" in answer.text
    assert "minside=" not in answer.headers.get("Set-Cookie", "")


def test_a_tampered_response_is_refused(mocks: ComposedMock, seeded: Seeded) -> None:
    """The portal hands MinSide a Response whose assertion was signed by another key (the sp
    suite's way of forging): MinSide checks it against the portal's certificate."""
    portal = mocks.parts.part(PortalPart).portal.at(mocks.base_url)
    session = http()
    query, _ = _start(session, mocks.base_url)
    pending = portal.check(query)
    login_ = messages.Login(
        uid=OTHER.foedselsnummer,
        level=4,
        method="BankID",
        culture="nb",
        name_id=messages.new_id(),
        session_index=messages.new_id(),
        authn_instant=portal.now(),
    )
    assertion = messages.assertion(
        idp=portal.entity_id,
        sp=pending.sp,
        acs_url=pending.acs_url,
        in_response_to=pending.id,
        login=login_,
        now=portal.now(),
    )
    forged = messages.sign(assertion, keys.generate("not the portal"))
    response = messages.response(
        idp=portal.entity_id,
        destination=pending.acs_url,
        in_response_to=pending.id,
        signed_assertion=forged,
        now=portal.now(),
    )
    answer = portal.deliver(pending, etree.tostring(response))
    refused = session.get(answer.location)
    assert refused.status_code == 403, refused.text
    assert "does not verify with the portal&#39;s certificate" in refused.text, refused.text


def test_an_artifact_for_another_browser_is_refused(mocks: ComposedMock, seeded: Seeded) -> None:
    victim, attacker = http(), http()
    query, _ = _start(attacker, mocks.base_url)
    to_portal = attacker.get(
        f"{mocks.base_url}/sikkerhetsportal/sso?{query}&tpn-persona={OTHER.foedselsnummer}",
        allow_redirects=False,
    )
    _start(victim, mocks.base_url)  # the victim has a login of its own under way
    refused = victim.get(to_portal.headers["Location"])
    assert refused.status_code == 403
    assert "InResponseTo" in refused.text or "no login under way" in refused.text


def test_the_login_works_over_a_real_http_back_channel(mocks: ComposedMock, seeded: Seeded) -> None:
    """The in-thread server serves each connection in a thread of its own, so MinSide can
    resolve its artifact at the portal over HTTP from inside a request (tpn serve cannot)."""
    posted: list[str] = []

    class Counted(OverHttp):
        def post(self, url: str, body: bytes, headers: dict[str, str]) -> bytes:
            posted.append(url)
            return super().post(url, body, headers)

    sp = site_of(mocks).sp
    in_process = sp.backchannel
    sp.backchannel = Counted(timeout=5)
    try:
        page = login(http(), mocks.base_url, CITIZEN.foedselsnummer)
    finally:
        sp.backchannel = in_process
    assert page.status_code == 200 and f"<strong>{CITIZEN.navn}</strong>" in page.text
    assert posted == [f"{mocks.base_url}/sikkerhetsportal/artifact"]


def test_the_level_asked_for_is_the_level_required(mocks: ComposedMock, seeded: Seeded) -> None:
    start = http().get(f"{mocks.base_url}/minside/logginn?nivaa=4", allow_redirects=False)
    assert _requested_level(start.headers["Location"]) == 4
    assert (
        ns.CLASS_OF_LEVEL[4]
        in zlib.decompress(
            base64.b64decode(parse_qs(urlsplit(start.headers["Location"]).query)["SAMLRequest"][0]),
            -15,
        ).decode()
    )
    bad = http().get(f"{mocks.base_url}/minside/logginn?nivaa=2")
    assert bad.status_code == 400


def _raw(mocks: ComposedMock, method: str, path: str, **headers: str) -> tuple[int, str]:
    """One request as a hostile client sends it (http.client: no normalising)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", mocks.port, timeout=10)
    body = headers.pop("body", None)
    try:
        connection.putrequest(method, path, skip_host="Host" in headers)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body or "")))
        connection.endheaders(body.encode("latin-1") if body else None)
        answer = connection.getresponse()
        return answer.status, answer.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("HEAD", "/minside/", {}, 405),
        ("POST", "/minside/meldinger", {}, 405),
        ("GET", "/minside/acs?SAMLart=" + "A" * 500, {"Cookie": "minside_login=_x"}, 403),
        ("GET", "/minside/acs?SAMLart=AAQ", {}, 403),
        ("GET", "/minside/", {"Cookie": "minside=" + "\\" * 9000}, 200),
        ("GET", "/minside/", {"Host": "evil host"}, 400),
        ("GET", "/minside/slo?SAMLRequest=%%%", {}, 403),
        ("GET", "/minside/slo?SAMLResponse=" + "eJw" * 10, {}, 403),
        ("GET", "/minside/tjenester?" + "&".join(f"a{i}=1" for i in range(50)), {}, 400),
        ("POST", "/minside/loggut", {"body": "csrf=" + "x" * 10000}, 413),
        ("POST", "/minside/loggut", {"body": "csrf=\xff\xfe"}, 400),
        ("GET", "/minside/meldinger/..%2f..%2fetc/vedlegg/1", {}, 404),
        ("GET", "/minside/logginn?nivaa=%00", {}, 400),
    ],
)
def test_hostile_requests_get_a_page_never_a_traceback(
    mocks: ComposedMock, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    got, text = _raw(mocks, method, path, **headers)
    assert got == status, text
    if method != "HEAD":
        assert text.startswith("<!doctype html>") and 'lang="nb"' in text
        assert "Traceback" not in text
    mocks.check()  # nothing went wrong inside the server


def test_a_script_link_is_never_followed_after_login(mocks: ComposedMock, seeded: Seeded) -> None:
    session = http()
    start = session.get(
        f"{mocks.base_url}/minside/logginn?neste=javascript:alert(1)", allow_redirects=False
    )
    assert follow_login(session, start, CITIZEN.foedselsnummer).url == f"{mocks.base_url}/minside/"


def test_the_citizens_steps_are_in_the_journal(mocks: ComposedMock, seeded: Seeded) -> None:
    session = http()
    login(session, mocks.base_url, CITIZEN.foedselsnummer)
    session.get(f"{mocks.base_url}/minside/meldinger/{seeded.level3}")
    steps = [(e.service, e.operation, e.key) for e in mocks.journal()]
    assert ("minside-web", "logginn", None) in steps
    assert ("sikkerhetsportal", "artifact", None) in steps  # the back channel, in process
    assert ("minside-web", "acs", None) in steps
    assert ("minside-web", f"meldinger/{seeded.level3}", seeded.level3) in steps
