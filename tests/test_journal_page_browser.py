"""A person looks at the journal in a real headless Chromium: ``tpn serve`` with credentials,
a few exchanges from a zeep client, the journal page opened, filtered by operation with its
form, one exchange opened with its request indented; axe-core finds no serious or critical
violation on the list or the exchange.

The shared browser and axe check are ``tests/browser_support.py``'s; the test skips, saying
why, where Chromium or axe-core is missing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from browser_support import assert_accessible, follow
from served import Served
from zeep import Client
from zeep.transports import Transport

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USER, PASSWORD = "tester", "hemmelig"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    auth = tmp_path / "auth"
    auth.write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
    server = Served(tmp_path / "tpn.sqlite3", workers=1, extra=("--auth-file", str(auth)))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _exchanges(served: Served) -> None:
    """A case stored, read back, and an entry filed in it: three exchanges."""
    session = requests.Session()
    session.trust_env = False
    session.auth = (USER, PASSWORD)
    client = Client(f"{served.url}?wsdl", transport=Transport(session=session))
    key = {"eksternSystem": "skjemamotor", "nokkel": "soknad-0042"}
    put = client.service.PutNoarksak(
        noarksak={"saTittel": "Byggesøknad, Storgata 42", "saEksternNokkel": key}
    )
    assert put.status.type in ("OK", "WARNING")
    assert client.service.GetNoarksak(saEksternNokkel=key).status.type == "OK"
    entry = {"jpInnhold": "Søknad om rammetillatelse", "jpSaEksternNokkel": key}
    assert client.service.PutJournpost(journpost=entry).status.type == "OK"


def _by() -> Any:
    from selenium.webdriver.common.by import By

    return By


def test_a_person_filters_the_journal_and_reads_an_exchange(
    browser: Any, axe_js: str, served: Served
) -> None:
    from selenium.webdriver.support.ui import Select

    by = _by()
    _exchanges(served)
    # Chromium sends the credentials in the URL for the page and keeps them for the
    # origin's later requests (the form, the links), as it does after a person typed them.
    browser.get(f"http://{USER}:{PASSWORD}@127.0.0.1:{served.port}/__admin/view/journal")
    assert browser.find_element(by.TAG_NAME, "h1").text == "Journal"
    assert browser.find_element(by.TAG_NAME, "html").get_attribute("lang") == "en"
    rows = browser.find_elements(by.CSS_SELECTOR, "#exchanges + table tbody th[scope=row]")
    assert len(rows) >= 3
    assert "3 exchanges in the journal" in browser.find_element(by.ID, "main").text
    assert_accessible(browser, axe_js)
    # The personas, folded at first, opened: a persona to log in with, and still accessible.
    personas = browser.find_element(by.XPATH, "//summary[starts-with(., 'Personas to log in')]")
    assert not browser.find_element(by.XPATH, "//td[. = '17858400120']").is_displayed()
    personas.click()
    assert browser.find_element(by.XPATH, "//td[. = '17858400120']").is_displayed()
    assert_accessible(browser, axe_js)

    Select(browser.find_element(by.ID, "f-operation")).select_by_visible_text("GetNoarksak")
    follow(browser, browser.find_element(by.CSS_SELECTOR, "form.filters button[type=submit]"))
    assert "operation=GetNoarksak" in browser.current_url
    assert "1 exchange match the filters, of 3" in browser.find_element(by.ID, "main").text
    cells = browser.find_elements(by.CSS_SELECTOR, "#exchanges + table tbody td:nth-child(4)")
    assert [c.text for c in cells] == ["GetNoarksak"]
    selected = Select(browser.find_element(by.ID, "f-operation")).first_selected_option
    assert selected.text == "GetNoarksak"
    assert_accessible(browser, axe_js)

    follow(
        browser, browser.find_element(by.CSS_SELECTOR, "#exchanges + table tbody th[scope=row] a")
    )
    heading = browser.find_element(by.TAG_NAME, "h1").text
    assert heading.startswith("Exchange ") and heading.endswith("Noark4WS GetNoarksak")
    request = browser.find_element(by.CSS_SELECTOR, "#request + pre.hl").text
    lines = request.splitlines()
    assert lines[0].startswith("<soap-env:Envelope") and len(lines) > 5
    assert "        <ns0:nokkel>soknad-0042</ns0:nokkel>" in lines, request
    # Highlighted: element names in their own colour, not the text's.
    tag = browser.find_element(by.CSS_SELECTOR, "#request + pre.hl span.nt")
    assert tag.value_of_css_property("color") != browser.find_element(
        by.CSS_SELECTOR, "#request + pre.hl"
    ).value_of_css_property("color")
    answer = browser.find_element(by.CSS_SELECTOR, "#answer + pre.hl").text
    assert "Byggesøknad, Storgata 42" in answer
    assert_accessible(browser, axe_js)

    # Back to the list it was opened from: the filter still chosen, the same exchanges.
    follow(browser, browser.find_element(by.LINK_TEXT, "Back to the journal"))
    assert "operation=GetNoarksak" in browser.current_url
    assert "1 exchange match the filters, of 3" in browser.find_element(by.ID, "main").text
    selected = Select(browser.find_element(by.ID, "f-operation")).first_selected_option
    assert selected.text == "GetNoarksak"
