"""Mock servers: each one also the project's reference implementation of its standard.

``tpn.mocks.core`` is the machinery every mock shares (store, clock, journal, admin side, the
app and its parts, serving); ``tpn.mocks.soap`` what every SOAP mock is made of (intake guard,
faults, codec, endpoint); ``tpn.mocks.saml`` the SAML building blocks. The mocks:
``tpn.mocks.noark4ws`` (the Noark-4 WS reference archive), ``tpn.mocks.sikkerhetsportal`` (the
security portal, a SAML identity provider) and ``tpn.mocks.referencesp`` (the reference SP).
``tpn.mocks.compose`` is the composition root that puts the mocks into one app for ``tpn serve``.
"""

# Spyne 2.14 needs its six replaced before it is first imported (see soap/compat.py). Doing it
# here, in the package every mock module lives in, makes the order independent of how any one
# module's imports happen to be sorted.
from tpn.mocks.soap import compat as _compat  # noqa: F401
