"""Shared fixtures of the project's own tests."""

# ---- the shared browser: headless Chromium + axe-core (tests/browser_support.py) ----
from browser_support import axe_js, browser  # noqa: F401  (fixtures)

# ---- Noark-4 WS archive semantics (fixtures live in tests/n4ws_support.py) ----
from n4ws_support import n4, noark4ws_client, noark4ws_server  # noqa: F401  (fixtures)

# ---- end Noark-4 WS archive semantics ----
