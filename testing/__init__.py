"""The reference mocks for a vendor's own unit tests, in the test's process (``tpn.testing``).

`responses` routes every request for ``BASE_URL`` (``http://tpn.invalid``) to the mocks'
WSGI application, so a vendor's requests or zeep code runs against them unchanged, with no
server and no socket. The pytest fixtures (registered when the harness is installed, and inert
unless a test asks for one) are ``tpn_mocks`` (every mock), and ``tpn_archive``,
``tpn_portal``, ``tpn_minside`` and ``tpn_enhetsregisteret`` (one mock's handle, over the same
mocks). Outside pytest, ``InProcessMocks().running()`` does the same.

The names below are loaded on first use: pytest imports this package in every run of a
vendor's own tests (to register the fixtures), and building the mocks' modules there would cost
half a second and Spyne's import warnings in runs that never ask for a mock.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tpn.testing.mocks import (
        BASE_URL,
        ArchiveHandle,
        EnhetsregisteretHandle,
        InProcessMocks,
        MinSideHandle,
        PortalHandle,
    )

__all__ = [
    "BASE_URL",
    "ArchiveHandle",
    "EnhetsregisteretHandle",
    "InProcessMocks",
    "MinSideHandle",
    "PortalHandle",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("tpn.testing.mocks"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
