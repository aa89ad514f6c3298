"""Unit tests of the intake guard (``tpn.mocks.soap.intake``) and the fault renderer.

These call the functions directly, no server: each refusal is checked for its fault code, its
rule id and the element it names. ``test_hostile_xml.py`` sends the same attacks over HTTP.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from lxml import etree

from tpn.fixtures import xmlguard
from tpn.mocks.soap import intake
from tpn.mocks.soap.faults import DETAIL_NS, Fault
from tpn.mocks.soap.intake import Limits
from tpn.mocks.soap.ns import SOAP11_ENV, SOAP12_ENV

NS = "http://www.arkivverket.no/Noark4-1-WS-WD/types"


def envelope(inner: str, header: str = "", *, env_ns: str = SOAP11_ENV) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{env_ns}" xmlns:n="{NS}">{header}'
        f"<soap:Body>{inner}</soap:Body></soap:Envelope>"
    ).encode()


VALID = envelope("<n:GetNoarksakRequest><n:saId>1</n:saId></n:GetNoarksakRequest>")


def refused(body: bytes, limits: Limits | None = None) -> Fault:
    with pytest.raises(Fault) as info:
        intake.envelope_body(intake.parse(body, limits or Limits()))
    return info.value


# ---------------------------------------------------------------------------- Limits, read_body


@pytest.mark.parametrize("field", ["max_body_bytes", "max_depth", "max_elements"])
def test_limits_refuse_values_below_one_and_name_the_field(field: str) -> None:
    with pytest.raises(ValueError, match=rf"Limits\.{field} must be at least 1, got 0"):
        Limits(**{field: 0})


class _NoRead:
    def read(self, n: int = -1) -> bytes:
        raise AssertionError("an over-size body announced by Content-Length must not be read")


def test_read_body_refuses_a_declared_oversize_body_without_reading_it() -> None:
    with pytest.raises(Fault) as info:
        intake.read_body(_NoRead(), "1025", Limits(max_body_bytes=1024))
    fault = info.value
    assert (fault.code, fault.rule, fault.http_status) == ("Client", "limit.size", 500)
    assert "of 1025 bytes is over the limit of 1024 bytes" in fault.message


def test_read_body_takes_a_body_exactly_at_the_limit() -> None:
    assert (
        intake.read_body(io.BytesIO(b"x" * 1024), "1024", Limits(max_body_bytes=1024))
        == b"x" * 1024
    )


def test_read_body_without_length_stops_one_byte_past_the_limit() -> None:
    stream = io.BytesIO(b"x" * 10_000)
    with pytest.raises(Fault) as info:
        intake.read_body(stream, None, Limits(max_body_bytes=1024))
    assert (info.value.rule, info.value.http_status) == ("limit.size", 500)
    assert stream.tell() == 1025  # it read no more than it needed to know


def test_read_body_without_length_under_the_limit() -> None:
    assert intake.read_body(io.BytesIO(b"abc"), None, Limits(max_body_bytes=1024)) == b"abc"


def test_read_body_refuses_a_non_numeric_length() -> None:
    with pytest.raises(Fault) as info:
        intake.read_body(io.BytesIO(b""), "12abc", Limits())
    assert (info.value.code, info.value.rule) == ("Client", "http.length")
    assert "'12abc'" in info.value.message


# ---------------------------------------------------------------------------- DTD refusal

LOL = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)


@pytest.mark.parametrize(
    "prolog",
    [
        "",
        "\ufeff",
        '  \n<?xml version="1.0" encoding="utf-8"?>\n',
        '<?xml version="1.0"?><!-- a comment --><?pi data?>\n<!-- another -->  ',
        "<!-- a comment that mentions ?> and <!-- -->",
    ],
    ids=["bare", "bom", "declaration", "declaration-comments-pis", "tricky-comment"],
)
def test_doctype_in_the_prolog_is_refused_before_parsing(prolog: str) -> None:
    body = (prolog + f"<!DOCTYPE x [{LOL}]><x>&lol9;</x>").encode("utf-8")
    fault = refused(body)
    assert (fault.code, fault.rule) == ("Client", "xml.dtd")
    assert "(<!DOCTYPE" in fault.message  # the pre-parse check's message, not the post-parse one


def test_prolog_scan_does_not_backtrack_exponentially() -> None:
    # Regression: with plain groups the scan doubled its time with each comment or PI before
    # the root (24 took ~1.5 s, 30 minutes). Sized so that a regression fails, not hangs.
    for body in (b"<!--a-->" * 24 + b"<x/>", b"<?a?>" * 24 + b"<x/>", b"<!--" + b"a" * 1_000_000):
        started = time.perf_counter()
        xmlguard.doctype_in_prolog(body)
        assert time.perf_counter() - started < 0.5


def test_doctype_text_outside_the_prolog_is_not_a_dtd() -> None:
    inner = (
        "<n:PutNoarksakRequest><n:noarksak><!-- <!DOCTYPE html> -->"
        "<n:saTittel><![CDATA[<!DOCTYPE html><html>]]></n:saTittel>"
        "</n:noarksak></n:PutNoarksakRequest>"
    )
    element = intake.envelope_body(intake.parse(envelope(inner), Limits()))
    assert element.findtext(f".//{{{NS}}}saTittel") == "<!DOCTYPE html><html>"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_dtd_is_refused_by_the_prolog_scan(codec: str) -> None:
    encoding = codec.upper().replace("-LE", "LE").replace("-BE", "BE")
    text = f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    fault = refused(text.encode(codec))
    assert (fault.code, fault.rule) == ("Client", "xml.dtd")
    assert "(<!DOCTYPE" in fault.message  # the scan caught it, before any parser


def test_the_post_parse_check_is_a_second_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Were the prolog scan ever to miss a DTD, the check after parsing still refuses it."""
    monkeypatch.setattr(xmlguard, "doctype_in_prolog", lambda body: False)
    fault = refused(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    assert (fault.code, fault.rule) == ("Client", "xml.dtd")
    assert fault.message.startswith(
        "the request contains a DTD (<!DOCTYPE); SOAP messages must not"
    )


def test_utf16_billion_laughs_is_refused_fast() -> None:
    # Refused by the prolog scan, which reads a UTF-16 prolog as text; in milliseconds.
    body = f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [{LOL}]><x a="&lol9;">&lol9;</x>'
    started = time.perf_counter()
    fault = refused(body.encode("utf-16"))
    assert time.perf_counter() - started < 1.0
    assert fault.code == "Client"
    assert fault.rule in ("xml.dtd", "xml.syntax")


def test_utf16_external_entity_never_reads_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42", encoding="utf-8")
    body = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        f'<!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'
        "<x>&e;</x>"
    )
    fault = refused(body.encode("utf-16"))
    assert (fault.code, fault.rule) == ("Client", "xml.dtd")
    assert "TOP-SECRET-42" not in fault.message
    assert b"TOP-SECRET-42" not in fault.to_bytes()


# ---------------------------------------------------------------------------- parse limits


def test_ten_thousand_deep_nesting_is_refused_by_the_depth_rule_fast() -> None:
    # Regression: libxml2 stops at its own cap (depth 2048) inside one fed chunk, and the
    # fault used to be a generic syntax error; the depth rule must have the first word.
    body = b"<a>" * 10_000 + b"</a>" * 10_000
    started = time.perf_counter()
    fault = refused(body)
    assert time.perf_counter() - started < 0.5
    assert (fault.code, fault.rule, fault.element) == ("Client", "limit.depth", "a")
    assert "deeper than 64 elements (at <a>)" in fault.message


def test_depth_at_the_limit_passes_and_one_more_is_refused() -> None:
    def nested(depth: int) -> bytes:
        return b"<e>" * depth + b"</e>" * depth

    intake.parse(nested(5), Limits(max_depth=5))
    fault = refused(nested(6), Limits(max_depth=5))
    assert fault.rule == "limit.depth"


def test_element_count_limit() -> None:
    body = b"<r>" + b"<e/>" * 20 + b"</r>"
    intake.parse(body, Limits(max_elements=21))
    with pytest.raises(Fault) as info:
        intake.parse(body, Limits(max_elements=20))
    assert (info.value.rule, info.value.message) == (
        "limit.elements",
        "the document has more than 20 elements",
    )


@pytest.mark.parametrize("body", [b"", b"   \r\n\t  "], ids=["empty", "whitespace"])
def test_empty_body(body: bytes) -> None:
    fault = refused(body)
    assert (fault.code, fault.rule) == ("Client", "soap.empty")
    assert "empty" in fault.message


@pytest.mark.parametrize(
    "body",
    [
        b"hello, archive",
        b"<a><b></a>",
        b'<?xml version="1.0" encoding="utf-8"?><x>\xc3\x28</x>',
        b"\xff\xfe\xfd",
    ],
    ids=["text", "mismatched-tags", "invalid-utf8-in-text", "invalid-utf8-bytes"],
)
def test_not_well_formed(body: bytes) -> None:
    fault = refused(body)
    assert (fault.code, fault.rule) == ("Client", "xml.syntax")
    assert fault.message.startswith("the request is not well-formed XML: ")


def test_invalid_utf8_inside_text_is_a_syntax_fault_with_a_line() -> None:
    body = envelope("<n:GetNoarksakRequest><n:saId>X</n:saId></n:GetNoarksakRequest>").replace(
        b">X<", b">\xc3\x28<"
    )
    fault = refused(body)
    assert fault.rule == "xml.syntax"
    assert fault.line == 1


# ---------------------------------------------------------------------------- envelope_body


def test_valid_envelope_gives_the_one_body_element() -> None:
    element = intake.envelope_body(intake.parse(VALID, Limits()))
    assert element.tag == f"{{{NS}}}GetNoarksakRequest"


def test_soap12_envelope_is_a_version_mismatch() -> None:
    fault = refused(envelope("<n:GetNoarksakRequest/>", env_ns=SOAP12_ENV))
    assert (fault.code, fault.rule, fault.element) == (
        "VersionMismatch",
        "soap.version",
        "Envelope",
    )
    assert "SOAP 1.2" in fault.message


def test_unknown_envelope_namespace_is_a_version_mismatch() -> None:
    fault = refused(envelope("<n:GetNoarksakRequest/>", env_ns="urn:not-soap"))
    assert fault.code == "VersionMismatch"
    assert "'urn:not-soap'" in fault.message


def test_root_that_is_not_an_envelope() -> None:
    fault = refused(b"<n:GetNoarksakRequest xmlns:n='" + NS.encode() + b"'/>")
    assert (fault.code, fault.rule, fault.element) == (
        "Client",
        "soap.envelope",
        "GetNoarksakRequest",
    )
    assert "<GetNoarksakRequest>" in fault.message


@pytest.mark.parametrize(
    ("children", "found"),
    [
        ("", "nothing"),
        ("<soap:Header/>", "nothing"),
        ("<soap:Body/><soap:Header/>", "<Body>, <Header>"),
        ("<soap:Body/><soap:Body/>", "<Body>, <Body>"),
        ("<x/>", "<x>"),
    ],
    ids=["nothing", "header-only", "header-after-body", "two-bodies", "stranger"],
)
def test_envelope_must_be_header_then_body(children: str, found: str) -> None:
    body = f'<soap:Envelope xmlns:soap="{SOAP11_ENV}">{children}</soap:Envelope>'.encode()
    fault = refused(body)
    assert (fault.code, fault.rule, fault.element) == ("Client", "soap.body", "Envelope")
    assert fault.message.endswith(f"found {found}")


@pytest.mark.parametrize(("inner", "count"), [("", 0), ("<n:A/><n:B/>", 2), ("text only", 0)])
def test_body_must_hold_exactly_one_element(inner: str, count: int) -> None:
    fault = refused(envelope(inner))
    assert (fault.code, fault.rule, fault.element) == ("Client", "soap.body", "Body")
    assert fault.message.endswith(f"found {count}")


def test_comments_and_pis_around_the_body_element_are_not_elements() -> None:
    body = envelope(
        "<!-- c --><?pi x?><n:GetNoarksakRequest><n:saId>1</n:saId>"
        "</n:GetNoarksakRequest><!-- d -->"
    )
    assert (
        etree.QName(intake.envelope_body(intake.parse(body, Limits()))).localname
        == "GetNoarksakRequest"
    )


@pytest.mark.parametrize("flag", ["1", "true", " 1 "])
def test_must_understand_header_is_refused(flag: str) -> None:
    header = (
        f'<soap:Header><w:Security xmlns:w="urn:wsse" soap:mustUnderstand="{flag}"/></soap:Header>'
    )
    fault = refused(envelope("<n:GetNoarksakRequest/>", header))
    assert (fault.code, fault.rule, fault.element) == (
        "MustUnderstand",
        "soap.mustUnderstand",
        "Security",
    )
    assert "{urn:wsse}Security" in fault.message


def test_must_understand_zero_or_understood_header_passes() -> None:
    header = (
        '<soap:Header><w:Trace xmlns:w="urn:t" soap:mustUnderstand="0"/>'
        '<w:Security xmlns:w="urn:wsse" soap:mustUnderstand="1"/></soap:Header>'
    )
    element = intake.envelope_body(
        intake.parse(envelope("<n:X/>", header), Limits()), ["{urn:wsse}Security"]
    )
    assert etree.QName(element).localname == "X"


# ---------------------------------------------------------------------------- faults


def _parse_fault(data: bytes) -> etree._Element:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == f"{{{SOAP11_ENV}}}Envelope"
    fault = root.find(f"{{{SOAP11_ENV}}}Body/{{{SOAP11_ENV}}}Fault")
    assert fault is not None
    return fault


def test_fault_is_soap11_with_unqualified_children_and_a_qualified_detail() -> None:
    fault = _parse_fault(
        Fault(
            "Client", "bad <saTittel> & more: æøå", rule="xsd", element="saTittel", line=3
        ).to_bytes()
    )
    assert [c.tag for c in fault] == ["faultcode", "faultstring", "detail"]
    code = fault.findtext("faultcode")
    assert code == "soap:Client"
    assert fault.nsmap["soap"] == SOAP11_ENV  # the faultcode's prefix resolves to SOAP 1.1
    assert fault.findtext("faultstring") == "bad <saTittel> & more: æøå"
    problem = fault.find(f"detail/{{{DETAIL_NS}}}problem")
    assert problem is not None
    assert sorted(problem.keys()) == ["element", "line", "rule"]
    assert (problem.get("rule"), problem.get("element"), problem.get("line")) == (
        "xsd",
        "saTittel",
        "3",
    )


def test_version_mismatch_fault_has_no_detail() -> None:
    fault = _parse_fault(Fault("VersionMismatch", "v").to_bytes())
    assert [c.tag for c in fault] == ["faultcode", "faultstring"]


def test_fault_with_characters_xml_cannot_carry_still_renders() -> None:
    # Regression: lxml refused the text and the endpoint's fault became a plain-text 500.
    fault = _parse_fault(Fault("Server", "boom \x00\x1b\ud800 end", rule="server").to_bytes())
    assert fault.findtext("faultstring") == "boom \ufffd\ufffd\ufffd end"
