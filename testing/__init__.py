"""The reference mocks for a vendor's own unit tests, in the test's process (``tpn.testing``).

`responses` routes every request for ``BASE_URL`` (``http://tpn.invalid``) to the mocks'
WSGI application, so a vendor's requests or zeep code runs against them unchanged, with no
server and no socket. The pytest fixtures (registered when the harness is installed, and inert
unless a test asks for one) are ``tpn_mocks`` (every mock), and ``tpn_archive``,
``tpn_portal``, ``tpn_minside`` and ``tpn_enhetsregisteret`` (one mock's handle, over the same
mocks). Outside pytest, ``InProcessMocks().running()`` does the same.
"""

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
