"""SAML 2.0 protocol messages of the portal's profile: AuthnRequests, Responses and Assertions,
logout; read and made as the portal reads and makes them (the reference SP and the sp suite's
forgeries make theirs here too).

Reading goes through the project's hostile-XML guard (a DTD in a SAML message is refused from
its bytes). Assertions are signed enveloped, RSA-SHA256 with exclusive C14N (signxml), the
signature placed after the Issuer as the SAML schema orders it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from lxml import etree
from signxml.algorithms import CanonicalizationMethod
from signxml.signer import XMLSigner

from tpn.fixtures import xmlguard
from tpn.mocks.saml import ns
from tpn.mocks.saml.keys import SigningKey
from tpn.mocks.saml.quote import shown

MAX_DEPTH = 16
MAX_ELEMENTS = 200
# A request's ID, as the portal keeps it to answer (InResponseTo) and to refuse a replay. SAML
# asks for 128 to 160 random bits (Core §1.3.4): some 40 characters; 256 is what the store's
# columns hold.
MAX_ID = 256


class MessageError(ValueError):
    """A SAML message the portal cannot accept: names the element and the rule."""


def new_id() -> str:
    """A SAML ID: an xs:ID (no leading digit) with 160 bits of randomness."""
    return "_" + secrets.token_hex(20)


def instant(moment: dt.datetime) -> str:
    """xs:dateTime in UTC with a Z, as SAML writes times (§1.3.3 of the core spec)."""
    utc = moment.astimezone(dt.UTC)
    # The year by hand: strftime writes year 1 as "1", which no reader takes.
    return f"{utc.year:04d}-{utc:%m-%dT%H:%M:%S}Z"


def parse_instant(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no zone")
    return moment


@dataclass(frozen=True)
class AuthnRequest:
    """What the portal reads from an SP's AuthnRequest."""

    id: str
    issue_instant: dt.datetime
    issuer: str
    acs_url: str | None
    protocol_binding: str | None
    destination: str | None
    class_refs: tuple[str, ...]
    comparison: str
    force_authn: bool

    @property
    def unknown_refs(self) -> tuple[str, ...]:
        """Class refs the portal offers no login for (answered with NoAuthnContext)."""
        return tuple(c for c in self.class_refs if c not in ns.LEVELS)

    @property
    def level(self) -> int:
        """The security level asked for: the highest of the class refs (absent: level 3)."""
        return max((ns.LEVELS[c] for c in self.class_refs if c in ns.LEVELS), default=3)


def _q(prefix: str, name: str) -> str:
    return f"{{{ns.NSMAP[prefix]}}}{name}"


def _read(xml: bytes, name: str) -> etree._Element:
    """``xml`` through the hostile-XML guard, and a samlp:``name`` at its root."""
    try:
        root = xmlguard.parse(
            xml, max_depth=MAX_DEPTH, max_elements=MAX_ELEMENTS, what=f"the {name}"
        )
    except xmlguard.Refused as exc:
        raise MessageError(exc.message) from None
    if root.tag != _q("samlp", name):
        raise MessageError(f"the message is {shown(root.tag)}, not a samlp:{name}")
    return root


def _id(root: etree._Element, name: str) -> str:
    found = root.get("ID")
    if not found:
        raise MessageError(f"{name} has no ID")
    if len(found) > MAX_ID:
        raise MessageError(f"{name}/@ID {shown(found)} is longer than {MAX_ID} characters")
    return found


def parse_authn_request(xml: bytes) -> AuthnRequest:
    """Read an AuthnRequest, or raise :class:`MessageError` saying what is wrong."""
    root = _read(xml, "AuthnRequest")
    if root.get("Version") != "2.0":
        raise MessageError(f"AuthnRequest/@Version is {shown(root.get('Version', ''))}, not '2.0'")
    request_id = _id(root, "AuthnRequest")
    try:
        issued = parse_instant(root.get("IssueInstant") or "")
    except ValueError:
        raise MessageError(
            f"AuthnRequest/@IssueInstant {shown(root.get('IssueInstant', ''))} is not a dateTime "
            "with a zone"
        ) from None
    issuer = root.find(_q("saml", "Issuer"))
    if issuer is None or not (issuer.text or "").strip():
        raise MessageError("AuthnRequest has no saml:Issuer (the SP's entityID)")
    context = root.find(_q("samlp", "RequestedAuthnContext"))
    refs: tuple[str, ...] = ()
    comparison = "exact"
    if context is not None:
        comparison = context.get("Comparison", "exact")
        refs = tuple(
            (r.text or "").strip() for r in context.findall(_q("saml", "AuthnContextClassRef"))
        )
        if comparison not in ("exact", "minimum"):
            raise MessageError(
                f"RequestedAuthnContext/@Comparison {shown(comparison)}: the portal offers exact "
                "and minimum"
            )
    return AuthnRequest(
        id=request_id,
        issue_instant=issued,
        issuer=(issuer.text or "").strip(),
        acs_url=root.get("AssertionConsumerServiceURL"),
        protocol_binding=root.get("ProtocolBinding"),
        destination=root.get("Destination"),
        class_refs=refs,
        comparison=comparison,
        force_authn=root.get("ForceAuthn") in ("true", "1"),
    )


def authn_request(
    *,
    issuer: str,
    destination: str,
    acs_url: str,
    level: int = 3,
    binding: str = ns.ARTIFACT,
    now: dt.datetime | None = None,
    request_id: str | None = None,
) -> bytes:
    """An AuthnRequest as an SP sends it (the reference SP's, and the tests')."""
    E = etree.Element
    root = E(_q("samlp", "AuthnRequest"), nsmap={"samlp": ns.SAMLP, "saml": ns.SAML})
    root.set("ID", request_id or new_id())
    root.set("Version", "2.0")
    root.set("IssueInstant", instant(now or dt.datetime.now(dt.UTC)))
    root.set("Destination", destination)
    root.set("AssertionConsumerServiceURL", acs_url)
    root.set("ProtocolBinding", binding)
    etree.SubElement(root, _q("saml", "Issuer")).text = issuer
    context = etree.SubElement(root, _q("samlp", "RequestedAuthnContext"), Comparison="minimum")
    etree.SubElement(context, _q("saml", "AuthnContextClassRef")).text = ns.CLASS_OF_LEVEL[level]
    return etree.tostring(root)


@dataclass(frozen=True)
class Login:
    """Who logged in, how, and for which SP session: what an assertion says."""

    uid: str  # fødselsnummer or D-number
    level: int  # 3 or 4
    method: str  # Minid-PIN, BankID, Buypass, Commfides …
    culture: str  # nb, nn, se, en
    name_id: str  # transient, per SP
    session_index: str
    authn_instant: dt.datetime


def _attribute(parent: etree._Element, name: str, value: str) -> None:
    attribute = etree.SubElement(parent, _q("saml", "Attribute"), Name=name)
    attribute.set("NameFormat", "urn:oasis:names:tc:SAML:2.0:attrname-format:basic")
    etree.SubElement(attribute, _q("saml", "AttributeValue")).text = value


def assertion(
    *,
    idp: str,
    sp: str,
    acs_url: str,
    in_response_to: str,
    login: Login,
    now: dt.datetime,
    lifetime: dt.timedelta = dt.timedelta(minutes=5),
) -> etree._Element:
    """An unsigned Assertion for ``login``, valid from ``now`` for ``lifetime``."""
    a = etree.Element(_q("saml", "Assertion"), nsmap={"saml": ns.SAML})
    a.set("ID", new_id())
    a.set("Version", "2.0")
    a.set("IssueInstant", instant(now))
    etree.SubElement(a, _q("saml", "Issuer")).text = idp
    subject = etree.SubElement(a, _q("saml", "Subject"))
    name_id = etree.SubElement(subject, _q("saml", "NameID"), Format=ns.TRANSIENT)
    name_id.set("NameQualifier", idp)
    name_id.set("SPNameQualifier", sp)
    name_id.text = login.name_id
    confirmation = etree.SubElement(subject, _q("saml", "SubjectConfirmation"), Method=ns.BEARER)
    data = etree.SubElement(confirmation, _q("saml", "SubjectConfirmationData"))
    data.set("InResponseTo", in_response_to)
    data.set("NotOnOrAfter", instant(now + lifetime))
    data.set("Recipient", acs_url)
    conditions = etree.SubElement(a, _q("saml", "Conditions"))
    conditions.set("NotBefore", instant(now))
    conditions.set("NotOnOrAfter", instant(now + lifetime))
    audience = etree.SubElement(conditions, _q("saml", "AudienceRestriction"))
    etree.SubElement(audience, _q("saml", "Audience")).text = sp
    statement = etree.SubElement(a, _q("saml", "AuthnStatement"))
    statement.set("AuthnInstant", instant(login.authn_instant))
    statement.set("SessionIndex", login.session_index)
    context = etree.SubElement(statement, _q("saml", "AuthnContext"))
    etree.SubElement(context, _q("saml", "AuthnContextClassRef")).text = ns.CLASS_OF_LEVEL[
        login.level
    ]
    attributes = etree.SubElement(a, _q("saml", "AttributeStatement"))
    _attribute(attributes, "uid", login.uid)
    _attribute(attributes, "SecurityLevel", str(login.level))
    _attribute(attributes, "Culture", login.culture)
    _attribute(attributes, "AuthMethod", login.method)
    return a


_SIGNER = XMLSigner(c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)


def sign(element: etree._Element, key: SigningKey) -> etree._Element:
    """``element`` (an Assertion, Response or LogoutRequest with an ``ID``) signed enveloped,
    the ds:Signature placed right after its Issuer (the SAML schema's order)."""
    placeholder = etree.Element(f"{{{ns.DS}}}Signature", Id="placeholder", nsmap={"ds": ns.DS})
    issuer = element.find(_q("saml", "Issuer"))
    if issuer is None:
        element.insert(0, placeholder)
    else:
        issuer.addnext(placeholder)
    signed: etree._Element = _SIGNER.sign(
        element,
        key=key.key,
        cert=key.cert_pem.decode("ascii"),
        reference_uri=f"#{element.get('ID')}",
        id_attribute="ID",
    )
    return signed


def response(
    *,
    idp: str,
    destination: str,
    in_response_to: str,
    signed_assertion: etree._Element | None,
    now: dt.datetime,
    status: str = ns.SUCCESS,
    message: str | None = None,
) -> etree._Element:
    """A samlp:Response carrying ``signed_assertion`` (or, for an error, a status only)."""
    r = etree.Element(_q("samlp", "Response"), nsmap={"samlp": ns.SAMLP, "saml": ns.SAML})
    r.set("ID", new_id())
    r.set("Version", "2.0")
    r.set("IssueInstant", instant(now))
    r.set("Destination", destination)
    r.set("InResponseTo", in_response_to)
    etree.SubElement(r, _q("saml", "Issuer")).text = idp
    status_el = etree.SubElement(r, _q("samlp", "Status"))
    code = etree.SubElement(status_el, _q("samlp", "StatusCode"), Value=status)
    if status != ns.SUCCESS and status != ns.REQUESTER:
        # Second-level codes (NoAuthnContext, RequestDenied) sit inside a top-level Responder
        # or Requester code (core §3.2.2.2); the portal's errors are the requester's.
        code.set("Value", ns.REQUESTER)
        etree.SubElement(code, _q("samlp", "StatusCode"), Value=status)
    if message:
        etree.SubElement(status_el, _q("samlp", "StatusMessage")).text = message
    if signed_assertion is not None:
        r.append(signed_assertion)
    return r


@dataclass(frozen=True)
class LogoutRequest:
    """What the portal reads from an SP's LogoutRequest."""

    id: str
    issuer: str
    name_id: str
    session_indexes: tuple[str, ...]
    destination: str | None


def parse_logout_request(xml: bytes) -> LogoutRequest:
    """Read a LogoutRequest, or raise :class:`MessageError` saying what is wrong."""
    root = _read(xml, "LogoutRequest")
    issuer = root.find(_q("saml", "Issuer"))
    name_id = root.find(_q("saml", "NameID"))
    if issuer is None or name_id is None:
        raise MessageError("a LogoutRequest needs an ID, a saml:Issuer and a saml:NameID")
    return LogoutRequest(
        id=_id(root, "LogoutRequest"),
        issuer=(issuer.text or "").strip(),
        name_id=(name_id.text or "").strip(),
        session_indexes=tuple(
            (s.text or "").strip() for s in root.findall(_q("samlp", "SessionIndex"))
        ),
        destination=root.get("Destination"),
    )


def logout_request(
    *, issuer: str, destination: str, name_id: str, session_index: str, now: dt.datetime
) -> bytes:
    """A LogoutRequest as an SP sends it (the reference SP's, and the tests')."""
    root = etree.Element(_q("samlp", "LogoutRequest"), nsmap={"samlp": ns.SAMLP, "saml": ns.SAML})
    root.set("ID", new_id())
    root.set("Version", "2.0")
    root.set("IssueInstant", instant(now))
    root.set("Destination", destination)
    etree.SubElement(root, _q("saml", "Issuer")).text = issuer
    etree.SubElement(root, _q("saml", "NameID"), Format=ns.TRANSIENT).text = name_id
    etree.SubElement(root, _q("samlp", "SessionIndex")).text = session_index
    return etree.tostring(root)


def logout_response(
    *,
    issuer: str,
    destination: str,
    in_response_to: str,
    now: dt.datetime,
    status: str = ns.SUCCESS,
) -> bytes:
    """The portal's LogoutResponse to an SP."""
    root = etree.Element(_q("samlp", "LogoutResponse"), nsmap={"samlp": ns.SAMLP, "saml": ns.SAML})
    root.set("ID", new_id())
    root.set("Version", "2.0")
    root.set("IssueInstant", instant(now))
    root.set("Destination", destination)
    root.set("InResponseTo", in_response_to)
    etree.SubElement(root, _q("saml", "Issuer")).text = issuer
    status_el = etree.SubElement(root, _q("samlp", "Status"))
    etree.SubElement(status_el, _q("samlp", "StatusCode"), Value=status)
    return etree.tostring(root)


@dataclass(frozen=True)
class LogoutResponse:
    """What the portal reads from an SP's LogoutResponse."""

    id: str
    issuer: str
    in_response_to: str
    success: bool


def parse_logout_response(xml: bytes) -> LogoutResponse:
    """Read a LogoutResponse, or raise :class:`MessageError` saying what is wrong."""
    root = _read(xml, "LogoutResponse")
    issuer = root.find(_q("saml", "Issuer"))
    code = root.find(f"{_q('samlp', 'Status')}/{_q('samlp', 'StatusCode')}")
    if issuer is None or code is None:
        raise MessageError("a LogoutResponse needs a saml:Issuer and a samlp:StatusCode")
    return LogoutResponse(
        id=root.get("ID", ""),
        issuer=(issuer.text or "").strip(),
        in_response_to=root.get("InResponseTo", ""),
        success=code.get("Value") == ns.SUCCESS,
    )
