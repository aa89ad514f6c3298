"""The common security portal (felles sikkerhetsportal): a SAML 2.0 identity provider mock.

``shared/standards/sikkerhetsportal.md``. This package holds the SAML pieces the identity
provider is made of: signing keys (``keys``), the HTTP-Redirect binding (``redirect``),
AuthnRequests, Responses and Assertions (``messages``), and metadata (``metadata``); the
identity provider over the store (``portal``), when it answers an AuthnRequest (``freshness``),
and its HTTP sides: pages (``web``), artifact resolution (``artifact``), admin routes
(``admin``), and what every route takes from the request itself (``wire``).
"""
