"""The common security portal (felles sikkerhetsportal): a SAML 2.0 identity provider mock.

``shared/standards/sikkerhetsportal.md``. This package holds the SAML pieces the identity
provider is made of: signing keys (``keys``), the HTTP-Redirect binding (``redirect``),
AuthnRequests, Responses and Assertions (``messages``), and metadata (``metadata``).
"""
