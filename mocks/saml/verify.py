"""What an SP must check of the portal's Response before it trusts it (sikkerhetsportal.md,
"What an SP must get right"), in the order that defeats the known attacks. Both SPs of the
harness check with it: the reference SP (``tpn.mocks.referencesp``) and MinSide's citizen pages
(``tpn.mocks.minside.citizen``).

Everything the SP uses is read from what the signature covers (signxml's ``signed_xml``), never
from the document as received: that is what defeats signature wrapping, and since canonical
XML drops comments, a comment inside ``uid`` or NameID cannot cut the value short either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Container
from dataclasses import dataclass

from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidInput, InvalidSignature
from signxml.verifier import SignatureConfiguration, XMLVerifier

from tpn.fixtures import identifiers, xmlguard
from tpn.mocks.saml import ns
from tpn.mocks.saml.checks import EVERY_CHECK, Checks
from tpn.mocks.saml.messages import parse_instant

SKEW = dt.timedelta(minutes=2)
# RSA-SHA256 and SHA-256 only: a message whose algorithm was swapped is refused, not tried.
_CONFIG = SignatureConfiguration(
    expect_references=1,
    signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
)


class Refused(Exception):
    """A Response the SP must not create a session from; the message says which check."""


@dataclass(frozen=True)
class Expect:
    """What this SP expects of every Response: who signs, for whom, where, at what level."""

    idp_entity: str
    idp_cert_pem: str
    sp_entity: str
    acs_url: str
    level: int = 3


@dataclass(frozen=True)
class Identity:
    """Who the portal says logged in (from the signed assertion only)."""

    uid: str
    level: int
    method: str
    name_id: str
    session_index: str
    assertion_id: str
    in_response_to: str


def _q(prefix: str, name: str) -> str:
    return f"{{{ns.NSMAP[prefix]}}}{name}"


def _signed_assertion(
    data: bytes, received: etree._Element, expect: Expect, *, wrapping: bool = True
) -> etree._Element:
    try:
        result = XMLVerifier().verify(
            data, x509_cert=expect.idp_cert_pem, id_attribute="ID", expect_config=_CONFIG
        )
    except (InvalidSignature, InvalidInput) as exc:
        raise Refused(
            f"the signature does not verify with the portal's certificate: {exc}"
        ) from None
    signed = result.signed_xml  # type: ignore[union-attr]
    if signed is None:
        raise Refused("nothing is signed")
    if not wrapping:
        return signed
    if signed.tag == _q("samlp", "Response"):
        if signed.get("ID") != received.get("ID"):
            raise Refused("the signed Response is not the Response received (signature wrapping)")
        inside = signed.findall(_q("saml", "Assertion"))
        if len(inside) != 1:
            raise Refused(f"the signed Response holds {len(inside)} assertions, not one")
        return inside[0]
    if signed.tag != _q("saml", "Assertion"):
        raise Refused(f"the signature covers {signed.tag}, not the Response or its Assertion")
    # The signed assertion must be the one in its place, not one moved or wrapped elsewhere.
    placed = received.find(_q("saml", "Assertion"))
    if placed is None or placed.get("ID") != signed.get("ID"):
        raise Refused("the signed Assertion is not the Response's Assertion (signature wrapping)")
    return signed


def _window(el: etree._Element, now: dt.datetime, what: str) -> None:
    before, after = el.get("NotBefore"), el.get("NotOnOrAfter")
    try:
        if before is not None and now + SKEW < parse_instant(before):
            raise Refused(f"{what} is not valid before {before}")
        if after is None:
            raise Refused(f"{what} has no NotOnOrAfter")
        if now - SKEW >= parse_instant(after):
            raise Refused(f"{what} expired at {after}")
    except ValueError:
        raise Refused(f"{what} has a time that is not a dateTime with a zone") from None


def verify_response(
    data: bytes,
    expect: Expect,
    *,
    now: dt.datetime,
    requests: Container[str],
    first_use: Callable[[str], bool],
    checks: Checks = EVERY_CHECK,
) -> Identity:
    """The identity in a Response, or :class:`Refused` saying which check failed.

    ``requests``: the IDs of AuthnRequests this SP sent and has not seen answered;
    ``first_use(assertion_id)``: false if the assertion was seen before (the replay cache);
    ``checks``: the checks made, every one for the reference; a defect
    (``tpn.mocks.referencesp.defects``) skips some, as vendors' SPs go wrong, for the
    conformance suite to catch.
    """
    try:
        root = xmlguard.parse(data, max_depth=32, max_elements=500, what="the Response")
    except xmlguard.Refused as exc:
        raise Refused(exc.message) from None
    if root.tag != _q("samlp", "Response"):
        raise Refused(f"the message is {root.tag}, not a samlp:Response")
    if (
        checks.comments
        and next(root.iter(etree.Comment, etree.ProcessingInstruction), None) is not None
    ):
        # The portal never writes one; inside a token, one can cut a NameID or uid short for
        # code that reads .text (the 2018 SAML comment attacks).
        raise Refused("the Response holds a comment or processing instruction")
    status = root.find(f"{_q('samlp', 'Status')}/{_q('samlp', 'StatusCode')}")
    if status is None or status.get("Value") != ns.SUCCESS:
        raise Refused(f"the status is {status.get('Value') if status is not None else 'missing'}")
    trusting = not checks.signed_assertion
    if len(root.findall(_q("saml", "Assertion"))) != 1 and not trusting:
        raise Refused("the Response must hold exactly one Assertion")
    if trusting:
        # What naive code does: check a signature if it likes, then read the first Assertion.
        if checks.signature:
            _signed_assertion(data, root, expect, wrapping=False)
        first = root.find(_q("saml", "Assertion"))
        if first is None:
            raise Refused("no Assertion")
        assertion = first
    else:
        assertion = _signed_assertion(data, root, expect)
    issuer = assertion.findtext(_q("saml", "Issuer"), "").strip()
    if issuer != expect.idp_entity:
        raise Refused(f"the assertion's issuer is {issuer!r}, not the portal")
    conditions = assertion.find(_q("saml", "Conditions"))
    if conditions is None:
        raise Refused("the assertion has no Conditions")
    if checks.validity:
        _window(conditions, now, "the assertion")
    # The SP must be in every AudienceRestriction (Core §2.5.1.4), and there must be one.
    restrictions = [
        [a.text for a in r.iter(_q("saml", "Audience"))]
        for r in conditions.iter(_q("saml", "AudienceRestriction"))
    ]
    audiences = [a for r in restrictions for a in r]
    outside = not restrictions or any(expect.sp_entity not in r for r in restrictions)
    if outside and checks.audience:
        raise Refused(f"the audience is {audiences}, not this SP ({expect.sp_entity})")
    bearer = [
        c for c in assertion.iter(_q("saml", "SubjectConfirmation")) if c.get("Method") == ns.BEARER
    ]
    data_el = bearer[0].find(_q("saml", "SubjectConfirmationData")) if bearer else None
    if data_el is None:
        raise Refused("the assertion has no bearer SubjectConfirmationData")
    if data_el.get("Recipient") != expect.acs_url and checks.recipient:
        raise Refused(f"the Recipient is {data_el.get('Recipient')!r}, not {expect.acs_url}")
    known = data_el.get("InResponseTo") in requests
    if not known and checks.in_response_to:
        raise Refused(f"InResponseTo {data_el.get('InResponseTo')!r} is no request this SP sent")
    if checks.validity:
        _window(data_el, now, "the subject confirmation")
    destination = root.get("Destination")
    if destination is not None and destination != expect.acs_url and checks.recipient:
        raise Refused(f"the Response's Destination is {destination!r}, not {expect.acs_url}")
    attributes: dict[str | None, str] = {}
    for a in assertion.iter(_q("saml", "Attribute")):
        values = a.findall(_q("saml", "AttributeValue"))
        if a.get("Name") in attributes or len(values) != 1:
            raise Refused(f"attribute {a.get('Name')} must occur once with one value")
        attributes[a.get("Name")] = (
            values[0].text or ""
        ).strip()  # .text: from the signed tree, comments are already gone (c14n drops them)
    try:
        level = int(attributes.get("SecurityLevel", ""))
    except ValueError:
        raise Refused(f"SecurityLevel {attributes.get('SecurityLevel')!r} is not a level") from None
    if level < expect.level and checks.level:
        raise Refused(f"SecurityLevel {level} is below the {expect.level} this service needs")
    uid = attributes.get("uid", "")
    check = identifiers.check_person(uid)
    if not check.valid and checks.uid:
        raise Refused(f"uid {uid!r} is not a fødselsnummer or D-number: {check.reason}")
    assertion_id = assertion.get("ID", "")
    if not first_use(assertion_id) and checks.replay:
        raise Refused(f"assertion {assertion_id} was used before (a replay)")
    statement = assertion.find(_q("saml", "AuthnStatement"))
    return Identity(
        uid=uid,
        level=level,
        method=attributes.get("AuthMethod", ""),
        name_id=assertion.findtext(f"{_q('saml', 'Subject')}/{_q('saml', 'NameID')}", "").strip(),
        session_index=statement.get("SessionIndex", "") if statement is not None else "",
        assertion_id=assertion_id,
        in_response_to=data_el.get("InResponseTo", ""),
    )
