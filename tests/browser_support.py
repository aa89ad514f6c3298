"""The shared browser of the project's browser tests: a real headless Chromium driven by
Selenium, and an axe-core check of the page it shows.

What it needs, and where it looks:
- Chromium and its driver: Debian's ``chromium`` and ``chromium-driver`` (``/usr/bin``), or
  ``$TPN_CHROMIUM`` / ``$TPN_CHROMEDRIVER``;
- axe-core 4.x: ``$TPN_AXE_JS`` (the path of ``axe.min.js``), else the npm install that
  ``.ci/run`` makes (``npm install --prefix ~/.cache/tpn-axe axe-core@4``);
- ``selenium`` (the ``test`` extra).
When one is missing, the ``browser`` fixture (and ``axe_js``) skip the test, naming what is
missing and how to get it; CI installs all three. Mark browser tests ``@pytest.mark.browser``
so the fast loop can leave them out (``-m "not browser"``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Impacts that fail a page: the ones that keep a citizen from using it.
BLOCKING = frozenset({"serious", "critical"})
PAGE_LOAD_SECONDS = 20


def _chromium() -> tuple[str | None, str | None]:
    binary = os.environ.get("TPN_CHROMIUM") or shutil.which("chromium")
    driver = os.environ.get("TPN_CHROMEDRIVER") or shutil.which("chromedriver")
    return binary, driver


def axe_path() -> Path | None:
    """Where ``axe.min.js`` is, or None."""
    named = os.environ.get("TPN_AXE_JS")
    candidates = [Path(named)] if named else []
    candidates.append(
        Path.home() / ".cache" / "tpn-axe" / "node_modules" / "axe-core" / "axe.min.js"
    )
    return next((path for path in candidates if path.is_file()), None)


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on a page, with the elements that break it."""

    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.impact}: {self.rule} ({self.help}) at {', '.join(self.targets)}"


def axe_check(driver: Any, script: str, *, blocking: frozenset[str] = BLOCKING) -> list[Violation]:
    """Run axe-core on the page the driver shows; the violations whose impact is blocking."""
    driver.execute_script(script)
    # axe.run is asynchronous: the async script's last argument is its callback.
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations), e => done({error: String(e)}));"
    )
    if isinstance(result, dict) and "error" in result:
        raise RuntimeError(f"axe-core failed on {driver.current_url}: {result['error']}")
    found = []
    for item in result:
        if item.get("impact") in blocking:
            targets = tuple(str(node.get("target")) for node in item.get("nodes", []))
            found.append(Violation(item["id"], item["impact"], item.get("help", ""), targets))
    return found


def assert_accessible(driver: Any, script: str) -> None:
    """Fail, naming each rule and element, when the page has a serious or critical violation."""
    violations = axe_check(driver, script)
    assert not violations, f"axe on {driver.current_url}:\n" + "\n".join(map(str, violations))


@pytest.fixture(scope="session")
def axe_js() -> str:
    """The text of ``axe.min.js``, or a skip that says how to install it."""
    path = axe_path()
    if path is None:
        pytest.skip(
            "axe-core is missing: `npm install --prefix ~/.cache/tpn-axe axe-core@4` "
            "or set TPN_AXE_JS to axe.min.js (.ci/run installs it)"
        )
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (a Selenium WebDriver) for the session; its cookies are cleared
    by the tests that need a fresh citizen (``browser.delete_all_cookies()``)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is missing: install the `test` extra")
    binary, driver_path = _chromium()
    if binary is None or driver_path is None:
        pytest.skip(
            "chromium or chromedriver is missing: `apt-get install chromium chromium-driver` "
            "(.ci/run installs them) or set TPN_CHROMIUM / TPN_CHROMEDRIVER"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=nb"):
        options.add_argument(argument)
    # Keep the loopback mocks reachable when the environment names a proxy.
    options.add_argument("--no-proxy-server")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(PAGE_LOAD_SECONDS)
    driver.set_script_timeout(PAGE_LOAD_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


def follow(driver: Any, element: Any, *, submit: bool = False, timeout: float = 15.0) -> None:
    """Click ``element`` (or submit its form) and wait until the page it leads to has loaded:
    Selenium's click returns before the navigation, so reading the next page at once may read
    the old one, or an element of it gone stale."""
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element("tag name", "html")
    if submit:
        element.submit()
    else:
        element.click()
    wait = WebDriverWait(driver, timeout)
    wait.until(lambda _: _gone(old))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def _gone(element: Any) -> bool:
    """Whether the old page's element is gone. Mid-navigation Chromium may answer a look at it
    with "Node with given id does not belong to the document" rather than a stale element: gone
    too (a dead browser fails at the next step anyway)."""
    from selenium.common.exceptions import WebDriverException

    try:
        element.is_enabled()
    except WebDriverException:  # StaleElementReferenceException is one
        return True
    return False
