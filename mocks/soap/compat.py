"""Make Spyne 2.14 importable on Python 3.11 to 3.13 without touching site-packages.

Spyne 2.14 (its last release) bundles six 1.14 as ``spyne.util.six``; that copy's import hook
fails on 3.12+ (``No module named 'spyne.util.six.moves'``) and warns on 3.11. We load the
installed modern six a second time under Spyne's name, so that its ``moves`` importer
registers itself for ``spyne.util.six.moves``, and add the one function Spyne added to its copy.
Python 3.13 removed ``cgi``; the ``legacy-cgi`` distribution (a dependency there) restores it.

``tpn.mocks`` (the package every Spyne-using module lives in) installs it on import, so no
module's import order can undo it.
"""

from __future__ import annotations

import importlib.util
import operator
import sys

_SPYNE_SIX = "spyne.util.six"


def install() -> None:
    """Register the modern six as ``spyne.util.six``; idempotent, and a no-op once Spyne is in."""
    if _SPYNE_SIX in sys.modules:
        return
    import six  # the modern one (>= 1.16), a declared dependency

    spec = importlib.util.spec_from_file_location(_SPYNE_SIX, six.__file__)
    if spec is None or spec.loader is None:  # pragma: no cover - six is a plain module
        raise ImportError(f"cannot load six from {six.__file__!r} as {_SPYNE_SIX}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_SPYNE_SIX] = module
    spec.loader.exec_module(module)
    # Spyne's copy of six carried this one addition (used when building its interface).
    module.get_function_name = operator.attrgetter("__name__")  # type: ignore[attr-defined]


install()
