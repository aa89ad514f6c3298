"""The portal's login page as a tester uses it (WSGI calls, no browser): headed by the
service's display name from its metadata, personas found by a search that keeps the login
under way, each with what matters for choosing one; hostile names and searches escaped, a
too-long search refused politely."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import quote

import pytest
from test_portal import ACS, BASE, SP, call, sso_query

from tpn.fixtures import population
from tpn.mocks.core.store import Store
from tpn.mocks.saml import keys, metadata
from tpn.mocks.sikkerhetsportal import personas
from tpn.mocks.sikkerhetsportal.portal import PREFIX, Portal
from tpn.mocks.sikkerhetsportal.web import PortalApp

TODAY = dt.datetime.now(dt.UTC).date()  # the portal's clock, here the real one


@pytest.fixture(scope="module")
def sp_key() -> keys.SigningKey:
    return keys.generate("sp.example")


def _portal(sp_key: keys.SigningKey, display_name: str | None) -> Portal:
    portal = Portal(Store("sqlite://"), BASE)
    xml = metadata.sp(SP, ACS, "https://sp.example/slo", sp_key, display_name=display_name)
    portal.register(xml)
    return portal


def _page(portal: Portal, sp_key: keys.SigningKey, level: int = 3) -> tuple[PortalApp, str, str]:
    app = PortalApp(portal)
    status, _, page = call(app, "GET", f"{PREFIX}/sso", sso_query(sp_key, level=level))
    assert status == 200, page
    text = page.decode()
    request_id = text.split('name="request" value="')[1].split('"')[0]
    return app, text, request_id


def _search(app: PortalApp, request_id: str, q: str) -> tuple[int, str]:
    status, _, page = call(app, "GET", f"{PREFIX}/login", f"request={request_id}&q={quote(q)}")
    return status, page.decode()


def _listed(text: str) -> list[str]:
    return re.findall(r'name="persona" id="p\d+" value="(\d{11})"', text)


def test_the_page_is_headed_by_the_services_display_name(sp_key: keys.SigningKey) -> None:
    _, text, _ = _page(_portal(sp_key, "Byggesøknad i Oslo"), sp_key)
    assert "<h1>Logg inn til Byggesøknad i Oslo</h1>" in text
    assert f"Tjenestens ID: {SP}" in text


def test_without_a_display_name_the_entity_id_heads_it(sp_key: keys.SigningKey) -> None:
    _, text, _ = _page(_portal(sp_key, None), sp_key)
    assert f"<h1>Logg inn til {SP}</h1>" in text


def test_a_hostile_display_name_is_escaped(sp_key: keys.SigningKey) -> None:
    hostile = '<script>alert("x")</script>'
    _, text, _ = _page(_portal(sp_key, hostile), sp_key)
    assert "<script>alert" not in text
    assert html.escape(hostile, quote=True) in text or "&lt;script&gt;" in text


def test_the_display_name_prefers_bokmaal_and_falls_back_to_the_organisation() -> None:
    key = keys.generate("sp.example")
    xml = metadata.sp(SP, ACS, "https://sp.example/slo", key).decode()
    org = (
        '<md:Organization><md:OrganizationName xml:lang="en">Oslo</md:OrganizationName>'
        '<md:OrganizationDisplayName xml:lang="en">City of Oslo</md:OrganizationDisplayName>'
        '<md:OrganizationDisplayName xml:lang="nb">Oslo kommune</md:OrganizationDisplayName>'
        '<md:OrganizationURL xml:lang="nb">https://oslo.example/</md:OrganizationURL>'
        "</md:Organization></md:EntityDescriptor>"
    )
    with_org = xml.replace("</md:EntityDescriptor>", org).encode()
    assert metadata.parse_sp(with_org).display_name == "Oslo kommune"
    assert metadata.parse_sp(xml.encode()).display_name is None


def test_every_adult_is_listed_with_age_children_and_roles(sp_key: keys.SigningKey) -> None:
    _, text, _ = _page(_portal(sp_key, None), sp_key)
    adults = personas.choices(TODAY)
    assert sorted(_listed(text)) == sorted(c.foedselsnummer for c in adults)
    parent = next(c for c in adults if c.barn)
    leader = next(c for c in adults if any(r.rolle == "daglig leder" for r in c.roller))
    assert f"{len(parent.barn)}: {', '.join(map(str, parent.barn))} år" in text
    role = next(r for r in leader.roller if r.rolle == "daglig leder")
    assert html.escape(str(role), quote=True) in text
    assert all(c.alder >= personas.ADULT for c in adults)


def test_ages_come_from_the_portals_clock() -> None:
    person = next(p for p in population.personas() if p.born.year < 1990)
    [choice] = [c for c in personas.choices(TODAY) if c.foedselsnummer == person.foedselsnummer]
    later = [
        c
        for c in personas.choices(TODAY.replace(year=TODAY.year + 10))
        if c.foedselsnummer == person.foedselsnummer
    ]
    assert later[0].alder == choice.alder + 10


@pytest.mark.parametrize("by", ["name", "number", "organisation"])
def test_a_search_finds_a_persona_and_keeps_the_login(sp_key: keys.SigningKey, by: str) -> None:
    app, _, request_id = _page(_portal(sp_key, None), sp_key)
    leader = next(c for c in personas.choices(TODAY) if c.roller)
    q = {
        "name": leader.navn.upper(),
        "number": leader.foedselsnummer,
        "organisation": leader.roller[0].organisasjon,
    }[by]
    status, text = _search(app, request_id, q)
    assert status == 200
    found = _listed(text)
    assert leader.foedselsnummer in found and len(found) < len(personas.choices(TODAY))
    assert f'name="request" value="{request_id}"' in text
    # The login goes on from the filtered page.
    form = f"request={request_id}&persona={leader.foedselsnummer}&method=Minid-PIN".encode()
    status, headers, _ = call(app, "POST", f"{PREFIX}/login", body=form)
    assert status == 302 and headers["Location"].startswith(f"{ACS}?SAMLart=")


def test_a_search_that_finds_nobody_says_so(sp_key: keys.SigningKey) -> None:
    app, _, request_id = _page(_portal(sp_key, None), sp_key)
    status, text = _search(app, request_id, "ingen-slik-person")
    assert status == 200 and _listed(text) == []
    assert "Ingen personer passer" in text and ">Logg inn</button>" not in text


def test_a_hostile_search_is_escaped(sp_key: keys.SigningKey) -> None:
    app, _, request_id = _page(_portal(sp_key, None), sp_key)
    status, text = _search(app, request_id, '"><img src=x onerror=alert(1)>')
    assert status == 200
    assert "<img src=x" not in text and "&lt;img src=x" in text


def test_a_too_long_search_is_refused_politely(sp_key: keys.SigningKey) -> None:
    app, _, request_id = _page(_portal(sp_key, None), sp_key)
    status, text = _search(app, request_id, "a" * (personas.MAX_QUERY + 1))
    assert status == 400
    assert "Søket er for langt" in text and f'name="request" value="{request_id}"' in text


def test_a_search_without_a_login_under_way_is_an_error_page(sp_key: keys.SigningKey) -> None:
    app = PortalApp(_portal(sp_key, None))
    status, _, page = call(app, "GET", f"{PREFIX}/login", "q=Sæther")
    assert status == 400 and b"login under way" in page
    status, _, page = call(app, "GET", f"{PREFIX}/login", "request=_nope&q=x")
    assert status in (400, 404) and b"no login under way" in page
