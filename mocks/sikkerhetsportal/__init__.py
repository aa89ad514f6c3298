"""The common security portal (felles sikkerhetsportal): a SAML 2.0 identity provider mock.

``shared/standards/sikkerhetsportal.md``. The SAML it speaks is ``tpn.mocks.saml``; this package
is the identity provider itself: its logic over the store (``portal``, tables in ``tables``),
when it answers an AuthnRequest (``freshness``), how it refuses one (``errors``), and its HTTP
sides: pages (``web``), artifact resolution (``artifact``), admin routes (``admin``), and what
every route takes from the request itself (``wire``).
"""
