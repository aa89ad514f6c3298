"""The reference service provider: what a municipality's SAML login should do with the portal.

It is the SP conformance suite's reference implementation (it must pass every requirement),
and, started with a defect, a realistic vendor mistake the suite must catch.
"""
