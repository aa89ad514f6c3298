"""The shared browser works end to end: axe-core finds a blocking violation where there is one,
and a citizen logs in through the security portal's login page to the reference SP in a real
headless Chromium, the login page passing axe (the pattern the citizen's pages will follow)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from browser_support import assert_accessible, axe_check, follow
from test_reference_sp import Site, start_sp

from tpn.mocks.sikkerhetsportal.mock import PortalMock

pytestmark = pytest.mark.browser

BROKEN = (
    '<!doctype html><html lang="nb"><head><title>Feil</title></head><body><main>'
    '<h1>Feil</h1><img src="x.png"><input type="text"></main></body></html>'
)


def test_axe_flags_an_image_without_text(browser: Any, axe_js: str) -> None:
    # A check that cannot fail is a defect: this page breaks image-alt (critical) on purpose.
    browser.get("data:text/html;charset=utf-8," + quote(BROKEN))
    rules = {violation.rule for violation in axe_check(browser, axe_js)}
    assert "image-alt" in rules
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(browser, axe_js)


@pytest.fixture(scope="module")
def served() -> Iterator[PortalMock]:
    with PortalMock() as mock:
        yield mock


@pytest.fixture(scope="module")
def site(served: PortalMock) -> Iterator[Site]:
    found, server = start_sp(served)
    yield found
    server.shutdown()
    server.server_close()


def test_a_citizen_logs_in_through_the_portal_page(browser: Any, axe_js: str, site: Site) -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(f"{site.sp.base_url}/side")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Logg inn til")
    assert_accessible(browser, axe_js)
    chosen = browser.find_element(By.CSS_SELECTOR, "input[name=persona]:checked")
    uid = chosen.get_attribute("value")
    follow(browser, browser.find_element(By.XPATH, "//form[@method='post']//button[not(@name)]"))
    assert browser.current_url == f"{site.sp.base_url}/side"
    assert browser.find_element(By.TAG_NAME, "body").text == f"Velkommen, {uid}"
