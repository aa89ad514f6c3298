"""A citizen's walk through MinSide in a real headless Chromium: login at level 3 through the
portal's login page, the catalogue, a message opened, a level-4 message listed but not opened,
the step-up to level 4 and the message opened, an attachment downloaded, a case with its status
and link, logout; axe-core finds no serious or critical violation on any page on the way.

The shared browser and axe check are ``tests/browser_support.py``'s; these tests skip, saying
why, where Chromium or axe-core is missing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import assert_accessible, follow
from citizen_support import CITIZEN, PDF, SENDER, Seeded, minside_of, seed

from tpn.mocks.compose import ComposedMock

pytestmark = pytest.mark.browser

# The browser's fetch of a download: status, headers and size, with the browser's own cookies.
FETCH = """
const done = arguments[arguments.length - 1];
fetch(arguments[0]).then(async r => done({
    status: r.status,
    type: r.headers.get('Content-Type'),
    disposition: r.headers.get('Content-Disposition'),
    size: (await r.arrayBuffer()).byteLength,
}), e => done({error: String(e)}));
"""


@pytest.fixture(scope="module")
def mocks() -> Iterator[ComposedMock]:
    with ComposedMock() as served:
        yield served


@pytest.fixture
def seeded(mocks: ComposedMock) -> Seeded:
    mocks.reset()
    return seed(minside_of(mocks))


def _by() -> Any:
    from selenium.webdriver.common.by import By

    return By


def _checked(browser: Any, axe_js: str, heading: str) -> None:
    """The page is the one expected (its h1), and axe finds nothing blocking on it."""
    assert browser.find_element(_by().TAG_NAME, "h1").text == heading, browser.current_url
    assert browser.find_element(_by().TAG_NAME, "html").get_attribute("lang") == "nb"
    assert_accessible(browser, axe_js)


def _portal_login(browser: Any, axe_js: str, uid: str, level: int) -> None:
    """On the portal's login page: find the citizen by number, keep the first method the
    level allows, log in."""
    by = _by()
    assert browser.find_element(by.TAG_NAME, "h1").text == "Logg inn til MinSide"
    assert f"Tjenesten krever sikkerhetsnivå {level}." in browser.page_source
    assert_accessible(browser, axe_js)
    search = browser.find_element(by.ID, "q")
    search.send_keys(uid)
    follow(browser, search, submit=True)
    chosen = browser.find_element(by.CSS_SELECTOR, "input[name=persona]:checked")
    assert chosen.get_attribute("value") == uid
    method = browser.find_element(by.CSS_SELECTOR, "input[name=method]:checked")
    assert method.get_attribute("value") == ("Minid-PIN" if level == 3 else "BankID")
    follow(browser, browser.find_element(by.XPATH, "//form[@method='post']//button[not(@name)]"))


def test_a_citizens_walk_through_minside(
    browser: Any, axe_js: str, mocks: ComposedMock, seeded: Seeded
) -> None:
    by = _by()
    base = f"{mocks.base_url}/minside"
    browser.delete_all_cookies()
    browser.get(f"{base}/")
    _checked(browser, axe_js, "MinSide")
    follow(browser, browser.find_element(by.LINK_TEXT, "Logg inn"))
    _portal_login(browser, axe_js, CITIZEN.foedselsnummer, 3)

    assert browser.current_url == f"{base}/"
    _checked(browser, axe_js, "MinSide")
    assert f"Du er logget inn som {CITIZEN.navn}" in browser.find_element(by.TAG_NAME, "main").text
    assert "på sikkerhetsnivå 3" in browser.page_source

    follow(browser, browser.find_element(by.LINK_TEXT, "Tjenester"))
    _checked(browser, axe_js, "Tjenester")
    assert browser.find_element(by.TAG_NAME, "h2").text == "Barnehage"

    follow(browser, browser.find_element(by.LINK_TEXT, "Meldinger"))
    _checked(browser, axe_js, "Meldinger")
    listed = browser.find_element(by.TAG_NAME, "tbody").text
    assert "Helseopplysninger" in listed and "Logg inn på nivå 4 for å lese" in listed

    follow(browser, browser.find_element(by.LINK_TEXT, "Vedtak om barnehageplass"))
    _checked(browser, axe_js, "Vedtak om barnehageplass")
    link = browser.find_element(by.LINK_TEXT, "Gå til saken")
    assert link.get_attribute("href") == "https://kommune.example/sak/2007/42"
    download = browser.find_element(by.PARTIAL_LINK_TEXT, "vedtak 2007-42.pdf")
    got = browser.execute_async_script(FETCH, download.get_attribute("href"))
    assert got == {
        "status": 200,
        "type": "application/pdf",
        "disposition": 'attachment; filename="vedtak 2007-42.pdf"; '
        "filename*=UTF-8''vedtak%202007-42.pdf",
        "size": len(PDF),
    }

    follow(browser, browser.find_element(by.LINK_TEXT, "Meldinger"))
    step_up = browser.find_element(by.PARTIAL_LINK_TEXT, "Logg inn på nivå 4 for å lese")
    follow(browser, step_up)  # the portal, asking for level 4: the level-3 session does not do
    _portal_login(browser, axe_js, CITIZEN.foedselsnummer, 4)
    assert browser.current_url == f"{base}/meldinger/{seeded.level4}"
    _checked(browser, axe_js, "Helseopplysninger")
    assert "sikkerhetsnivå 4" in browser.find_element(by.TAG_NAME, "header").text

    follow(browser, browser.find_element(by.LINK_TEXT, "Mine saker"))
    _checked(browser, axe_js, "Mine saker")
    row = browser.find_element(by.TAG_NAME, "tbody").text
    assert "2007/42" in row and "Under behandling" in row and SENDER.navn in row
    case = browser.find_element(by.LINK_TEXT, "Søknad om barnehageplass")
    assert case.get_attribute("href") == "https://kommune.example/sak/2007/42"

    browser.get(f"{base}/meldinger/{seeded.others}")  # another citizen's: not found
    _checked(browser, axe_js, "Noe gikk galt")

    follow(browser, browser.find_element(by.XPATH, "//button[text()='Logg ut']"))
    assert browser.current_url == f"{base}/utlogget"
    _checked(browser, axe_js, "Du er logget ut")
    statuses = {m["meldingId"]: m["status"] for m in minside_of(mocks).contents()["meldinger"]}
    assert statuses == {seeded.level3: "LEST", seeded.level4: "LEST", seeded.others: "MOTTATT"}


def test_a_refused_login_shows_an_accessible_page(
    browser: Any, axe_js: str, mocks: ComposedMock, seeded: Seeded
) -> None:
    browser.delete_all_cookies()
    browser.get(f"{mocks.base_url}/minside/meldinger")
    follow(browser, browser.find_element(_by().XPATH, "//button[@name='cancel']"))
    _checked(browser, axe_js, "Innloggingen ble avvist")
    assert "AuthnFailed" in browser.page_source or "Requester" in browser.page_source
