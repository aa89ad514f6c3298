"""SAML 2.0 namespaces, bindings and the security levels of the portal's profile."""

from __future__ import annotations

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
MDUI = "urn:oasis:names:tc:SAML:metadata:ui"  # SAML V2.0 Metadata Extensions for Login and Discovery UI
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NSMAP = {"samlp": SAMLP, "saml": SAML, "md": MD, "ds": DS, "mdui": MDUI}

REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
ARTIFACT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact"
SOAP = "urn:oasis:names:tc:SAML:2.0:bindings:SOAP"

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
# SAML V2.0 Metadata Profile for Algorithm Support: what a party accepts, stated in metadata
# (Shibboleth SP reads it to choose how it signs its back-channel requests).
ALG = "urn:oasis:names:tc:SAML:metadata:algsupport"
TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
REQUESTER = "urn:oasis:names:tc:SAML:2.0:status:Requester"
NO_AUTHN_CONTEXT = "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext"
REQUEST_DENIED = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
AUTHN_FAILED = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
PARTIAL_LOGOUT = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout"

_AC = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
UNSPECIFIED = _AC + "Unspecified"
PASSWORD_PROTECTED = _AC + "PasswordProtectedTransport"
SMARTCARD_PKI = _AC + "SmartcardPKI"

# The level each AuthnContextClassRef asks for (the profile: Unspecified and
# PasswordProtectedTransport are level 3, SmartcardPKI level 4).
LEVELS = {UNSPECIFIED: 3, PASSWORD_PROTECTED: 3, SMARTCARD_PKI: 4}
# What an assertion at each level says it was.
CLASS_OF_LEVEL = {3: PASSWORD_PROTECTED, 4: SMARTCARD_PKI}
