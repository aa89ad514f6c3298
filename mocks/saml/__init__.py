"""SAML 2.0 building blocks of the security portal's profile, one module each.

``keys`` (signing keys and certificates), ``redirect`` (the HTTP-Redirect binding), ``messages``
(AuthnRequest, Response, Assertion, logout; signed with signxml), ``metadata`` (an IdP's and
an SP's), ``ns`` (namespaces, bindings, security levels) and ``quote`` (how a message quotes
what it was sent). Protocol, not a server: the identity provider (``tpn.mocks.sikkerhetsportal``),
the reference SP (``tpn.mocks.referencesp``) and the sp suite's forgeries
(``tpn.conformance.sp``) are all made of these, as ``tpn.mocks.soap`` is what SOAP mocks are
made of.
"""
