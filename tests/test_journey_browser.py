"""After the citizen's journey the citizen sees it in MinSide: a real headless Chromium logs the
persona who applied in to MinSide's pages through the portal's login page, and Mine saker shows
the case with the archive's saksnummer and the status the archive's case has now (synced by the
engine), with axe-core finding nothing serious on the way. The shared browser is
``tests/browser_support.py``'s; the test skips, saying why, where Chromium or axe-core is
missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import assert_accessible, follow
from journey_support import apps, journey

pytestmark = pytest.mark.browser


def test_the_citizen_sees_the_delivered_case_in_minside(
    browser: Any, axe_js: str, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    with journey(tmp_path, (), apps(0)) as (done, mocks):
        [trip] = done.trips
        assert trip.saksnummer is not None and trip.sync is not None
        assert [r for r, f in trip.findings.items() if not f.passed] == []
        base = f"{mocks.base_url}/minside"
        browser.delete_all_cookies()
        browser.get(f"{base}/saker")
        # Not logged in: MinSide sends the browser to the portal's login page.
        assert browser.find_element(By.TAG_NAME, "h1").text == "Logg inn til MinSide"
        search = browser.find_element(By.ID, "q")
        search.send_keys(trip.app.login_uid)
        follow(browser, search, submit=True)
        chosen = browser.find_element(By.CSS_SELECTOR, "input[name=persona]:checked")
        assert chosen.get_attribute("value") == trip.app.login_uid
        follow(
            browser, browser.find_element(By.XPATH, "//form[@method='post']//button[not(@name)]")
        )

        if browser.find_element(By.TAG_NAME, "h1").text != "Mine saker":
            follow(browser, browser.find_element(By.LINK_TEXT, "Mine saker"))
        assert browser.find_element(By.TAG_NAME, "h1").text == "Mine saker"
        assert_accessible(browser, axe_js)
        row = browser.find_element(By.TAG_NAME, "tbody").text
        assert trip.saksnummer in row and "Vedtak fattet" in row, row
        case = browser.find_element(By.CSS_SELECTOR, "tbody a")
        assert case.text.startswith(trip.app.delivery.form.title), case.text
        href = case.get_attribute("href")
        assert href.startswith("https://") and href.endswith(trip.saksnummer.replace("/", "-"))

        follow(browser, browser.find_element(By.LINK_TEXT, "Meldinger"))
        assert browser.find_element(By.TAG_NAME, "h1").text == "Meldinger"
        assert_accessible(browser, axe_js)
        assert trip.saksnummer in browser.find_element(By.TAG_NAME, "tbody").text
