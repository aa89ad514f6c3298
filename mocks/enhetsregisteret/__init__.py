"""Enhetsregisteret (``shared/standards/enhetsregisteret.md``): the register of legal entities,
as the period SOAP service ("ErFr", grunndata) at ``/enhetsregisteret`` and the modern REST
shape at ``/enhetsregisteret/api/enheter/{orgnr}``, over the synthetic population's
organisations.

``model`` is the SOAP messages (the one source of the WSDL and XSD), ``register`` the data and
code lists, ``grunndata`` the inner answer document, ``service`` the operations' logic, ``rest``
the REST shape, ``mock`` the part and ``EnhetsregisteretMock``.
"""

from __future__ import annotations

from tpn.mocks.enhetsregisteret.mock import (
    DEFAULT_CREDENTIALS,
    PATH,
    EnhetsregisteretMock,
    EnhetsregisteretParts,
    build_enhetsregisteret,
)

__all__ = [
    "DEFAULT_CREDENTIALS",
    "PATH",
    "EnhetsregisteretMock",
    "EnhetsregisteretParts",
    "build_enhetsregisteret",
]
