"""What the tests assert about answers, with messages that say what the target did.

Every assertion message names the operation, what the profile expects and what came back, so
a report's reason reads without the code: ``PutNoarksak: expected status OK, got ERROR
[INVALID_CODE: saStatus 'Q' …]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import zeep.helpers
from lxml import etree

from tpn.fixtures import standard_file

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
# Answers are untrusted input: no entities, no network, but big text nodes (20 MB documents).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def messages(resp: Any) -> list[tuple[str, str]]:
    status = getattr(resp, "status", None)
    if status is None:
        return []
    return [(m.code or "", m._value_1 or "") for m in (status.message or [])]


def codes(resp: Any) -> list[str]:
    return [c for c, _ in messages(resp)]


def describe(resp: Any) -> str:
    status = getattr(resp, "status", None)
    if status is None:
        return "an answer without status"
    said = "; ".join(f"{c}: {t}" for c, t in messages(resp))
    return f"{status.type}" + (f" [{said}]" if said else "")


def expect_ok(resp: Any, operation: str) -> Any:
    assert resp.status is not None, f"{operation}: the answer has no status"
    assert resp.status.type == "OK", f"{operation}: expected status OK, got {describe(resp)}"
    return resp


def expect_accepted(resp: Any, operation: str, why: str) -> Any:
    """Assert status OK or WARNING: accepted, whether or not the archive had something to say."""
    assert resp.status is not None, f"{operation} ({why}): the answer has no status"
    assert resp.status.type in ("OK", "WARNING"), (
        f"{operation} ({why}): expected status OK or WARNING, got {describe(resp)}"
    )
    return resp


def objects(resp: Any) -> list[Any]:
    """The cases or entries an answer carries (a Put's one object as a list)."""
    for name in ("noarksak", "journpost"):
        value = getattr(resp, name, None)
        if value is None:
            continue
        return list(value) if isinstance(value, list) else [value]
    return []


def expect_status(resp: Any, status: str, operation: str, why: str) -> Any:
    """Assert status ``status`` (for ERROR: with no objects); ``why`` says what was sent."""
    assert resp.status is not None, f"{operation} ({why}): the answer has no status"
    assert resp.status.type == status, (
        f"{operation} ({why}): expected status {status}, got {describe(resp)}"
        + (f" with {len(objects(resp))} objects" if objects(resp) else "")
    )
    if status == "ERROR":
        found = objects(resp)
        assert not found, f"{operation} ({why}): an ERROR answer carried {len(found)} objects"
    return resp


def expect_code(resp: Any, code: str, operation: str, why: str) -> str:
    """Assert that the answer names ``code`` with a text; return the text."""
    for c, text in messages(resp):
        if c == code:
            assert text.strip(), f"{operation} ({why}): message {code} has no text"
            return text
    raise AssertionError(
        f"{operation} ({why}): expected a message with code {code}, got {describe(resp)}"
    )


def plain(obj: Any) -> Any:
    """A zeep object as plain dicts and lists, without absent fields and empty lists."""
    return _strip(zeep.helpers.serialize_object(obj, target_cls=dict))


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _strip(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def differences(sent: dict[str, Any], got: Any, where: str = "") -> list[str]:
    """Each field of ``sent`` that ``got`` does not hold unchanged (recursing into lists)."""
    have = got if isinstance(got, dict) else plain(got)
    out: list[str] = []
    for name, value in sent.items():
        path = f"{where}{name}"
        other = have.get(name) if isinstance(have, dict) else None
        if isinstance(value, list):
            if not isinstance(other, list) or len(other) != len(value):
                n = len(other) if isinstance(other, list) else 0
                out.append(f"{path}: sent {len(value)} items, got {n}")
                continue
            for i, (a, b) in enumerate(zip(value, other, strict=True)):
                if isinstance(a, dict):
                    out.extend(differences(a, b, f"{path}[{i}]."))
                elif a != b:
                    out.append(f"{path}[{i}]: sent {a!r}, got {b!r}")
        elif isinstance(value, dict):
            out.extend(differences(value, other or {}, f"{path}."))
        elif value != other:
            out.append(f"{path}: sent {_short(value)}, got {_short(other)}")
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def expect_same(sent: dict[str, Any], got: Any, operation: str) -> None:
    diff = differences(sent, got)
    assert not diff, f"{operation}: the archive did not return what was sent: " + "; ".join(
        diff[:8]
    )


# ------------------------------------------------------------------ raw answers


def parse(content: bytes) -> etree._Element:
    return etree.fromstring(content, _PARSER)


@dataclass(frozen=True)
class Fault:
    code: str  # the local part: Client, Server, VersionMismatch, MustUnderstand
    string: str


def fault_of(response: Any, what: str, *, strict: bool = True) -> Fault:
    """Assert that ``response`` is a SOAP 1.1 fault (HTTP 500, text/xml, soap:Fault in the body).

    ``strict`` also requires what N4WS-TRN-004 is about: a faultcode qualified with the
    envelope namespace and a non-empty faultstring. The other requirements only need the
    fault's code, so a slip in its form fails that one requirement rather than all of them.
    """
    ctype = response.headers.get("Content-Type", "")
    head = f"{what}: expected a SOAP 1.1 fault (HTTP 500, text/xml)"
    assert response.status_code == 500, f"{head}, got HTTP {response.status_code} {ctype}"
    assert ctype.startswith("text/xml"), f"{head}, got Content-Type {ctype!r}"
    try:
        root = parse(response.content)
    except etree.XMLSyntaxError as exc:
        raise AssertionError(
            f"{head}, got a body that is not XML ({exc}): {response.content[:120]!r}"
        ) from None
    assert root.tag == f"{{{SOAP11}}}Envelope", f"{head}, got root element {root.tag}"
    fault = root.find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert fault is not None, f"{head}, got an envelope without soap:Fault"
    code_el = fault.find("faultcode")
    string_el = fault.find("faultstring")
    assert code_el is not None and code_el.text, f"{what}: the fault has no faultcode"
    prefix, _, local = code_el.text.strip().rpartition(":")
    if strict:
        assert string_el is not None and (string_el.text or "").strip(), (
            f"{what}: the fault's faultstring is missing or empty"
        )
        ns = code_el.nsmap.get(prefix or None)
        assert ns == SOAP11, (
            f"{what}: faultcode {code_el.text!r} is not qualified with the SOAP 1.1 envelope "
            f"namespace (SOAP 1.1 §4.4.1)"
        )
    text = string_el.text if string_el is not None else ""
    return Fault(local, text or "")


def expect_fault(response: Any, code: str, what: str) -> Fault:
    fault = fault_of(response, what, strict=False)
    assert fault.code == code, (
        f"{what}: expected a soap:{code} fault, got soap:{fault.code}: {fault.string}"
    )
    return fault


@cache
def schema() -> etree.XMLSchema:
    doc = etree.parse(str(standard_file("noark4ws", "noark4ws.xsd")))
    return etree.XMLSchema(doc)


def body_element(content: bytes, what: str) -> etree._Element:
    root = parse(content)
    assert root.tag == f"{{{SOAP11}}}Envelope", (
        f"{what}: the answer is not a SOAP 1.1 envelope: {root.tag}"
    )
    body = root.find(f"{{{SOAP11}}}Body")
    assert body is not None and len(body), f"{what}: the envelope has no body element"
    return body[0]


def schema_errors(content: bytes, what: str) -> list[str]:
    """The profile schema's complaints about the answer's body element."""
    element = body_element(content, what)
    s = schema()
    if s.validate(etree.ElementTree(element)):
        return []
    log: Iterable[Any] = s.error_log  # type: ignore[assignment]  # lxml-stubs lack __iter__
    return [f"line {e.line}: {e.message}" for e in log][:5]
