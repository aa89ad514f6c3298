"""The fast codec and Spyne's pipeline read and write the same messages.

Two endpoints over one recording handler, one per engine, get the same generated request; the
requests they decode and the response bytes they write must be identical. This is what lets the
archive serve through the codec while Spyne's model stays the one source of the wire format.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from model_strategies import instances

from tpn.mocks.noark4ws.model import NS, OPERATIONS
from tpn.mocks.soap import codec
from tpn.mocks.soap.endpoint import SoapEndpoint
from tpn.mocks.soap.ns import SOAP11_ENV


class Recorder:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.response: Any = None

    def handle(self, operation: str, request: Any) -> Any:
        self.requests.append(codec.to_dict(request))
        return self.response


@pytest.fixture(scope="module")
def endpoints() -> tuple[Recorder, SoapEndpoint, SoapEndpoint]:
    rec = Recorder()
    common = {"name": "Noark4WS", "namespace": NS, "operations": OPERATIONS, "handler": rec}
    return rec, SoapEndpoint(engine="fast", **common), SoapEndpoint(engine="spyne", **common)


def request_envelope(obj: Any) -> bytes:
    env = etree.Element(f"{{{SOAP11_ENV}}}Envelope", nsmap={"s": SOAP11_ENV, "t": NS})
    body = etree.SubElement(env, f"{{{SOAP11_ENV}}}Body")
    codec.to_element(obj, body, f"{{{NS}}}{type(obj).get_type_name()}")
    out: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
    return out


def call(endpoint: SoapEndpoint, body: bytes) -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "text/xml; charset=utf-8",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "127.0.0.1",
        "PATH_INFO": "/noark4ws",
    }
    status: list[str] = []
    payload = b"".join(endpoint(environ, lambda s, h, *a: status.append(s)))
    return status[0], payload


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_engines_agree(
    endpoints: tuple[Recorder, SoapEndpoint, SoapEndpoint], operation: str, data: st.DataObject
) -> None:
    rec, fast, spyne = endpoints
    request_cls, response_cls = OPERATIONS[operation]
    request = data.draw(instances(request_cls), label="request")
    rec.response = data.draw(instances(response_cls), label="response")
    body = request_envelope(request)
    rec.requests.clear()
    fast_status, fast_out = call(fast, body)
    spyne_status, spyne_out = call(spyne, body)
    assert fast_status == spyne_status == "200 OK", (fast_out[:500], spyne_out[:500])
    assert rec.requests[0] == rec.requests[1], "the engines decoded the request differently"
    assert rec.requests[0] == codec.to_dict(request), "the decoded request is not what was sent"
    assert fast_out == spyne_out


def test_a_difference_would_be_seen(endpoints: tuple[Recorder, SoapEndpoint, SoapEndpoint]) -> None:
    """The comparison above is byte-exact: one changed character in a response shows."""
    rec, fast, _ = endpoints
    from tpn.mocks.noark4ws import model as m

    rec.response = m.GetNoarksakResponse(
        status=m.StatusType(type="OK"), noarksak=[m.NoarksakType(saTittel="a")]
    )
    req = request_envelope(m.GetNoarksakRequest(saId="1"))
    _, one = call(fast, req)
    rec.response.noarksak[0].saTittel = "b"
    _, two = call(fast, req)
    assert one != two


def test_status_text_beyond_ascii(endpoints: tuple[Recorder, SoapEndpoint, SoapEndpoint]) -> None:
    """Status texts name Norwegian things ("løpenummer"). Spyne 2.14 loses any non-ASCII text
    content (XmlData): it answers 200 with an empty envelope. The fast codec writes it; this is
    one reason the archive serves through the codec (and why XmlData stays ASCII above)."""
    rec, fast, spyne = endpoints
    from tpn.mocks.noark4ws import model as m

    req = request_envelope(m.GetJournpostRequest(jpId="7"))
    for text in ("ingen journpost har løpenummer 7/2026", "verdi\xa0\x85"):
        rec.response = m.GetJournpostResponse(
            status=m.StatusType(type="ERROR", message=[m.MessageType(code="NOT_FOUND", text=text)])
        )
        status, out = call(fast, req)
        assert status == "200 OK"
        assert etree.fromstring(out).findtext(f".//{{{NS}}}message") == text
        _, spyne_out = call(spyne, req)
        assert etree.fromstring(spyne_out).find(f".//{{{NS}}}message") is None, (
            "Spyne now writes non-ASCII XmlData: widen DATA_TEXT in model_strategies.py"
        )


def _lxml_envelope(endpoint: SoapEndpoint, response_cls: type[Any], response: Any) -> bytes:
    """The envelope as lxml's writer makes it, which ``to_xml`` must match byte for byte."""
    env = etree.Element(
        f"{{{SOAP11_ENV}}}Envelope", nsmap={"soap11env": SOAP11_ENV, "tns": endpoint.namespace}
    )
    body = etree.SubElement(env, f"{{{SOAP11_ENV}}}Body")
    codec.to_element(response, body, f"{{{endpoint.namespace}}}{response_cls.get_type_name()}")
    out: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
    return out


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_the_text_writer_writes_what_lxml_writes(
    endpoints: tuple[Recorder, SoapEndpoint, SoapEndpoint], operation: str, data: st.DataObject
) -> None:
    _, fast, _ = endpoints
    response_cls = OPERATIONS[operation][1]
    response = data.draw(instances(response_cls), label="response")
    assert fast.envelope(response_cls, response) == _lxml_envelope(fast, response_cls, response)


@pytest.mark.parametrize(
    "text",
    [
        "a & b < c > d",
        "line\r\nbreak\tand\ttab",  # CR is written as &#13; in text, LF and TAB as they are
        "quotes \" and ' and ]]>",
        "",
        "løpenummer \U0001f600 \x85 \u2028",
    ],
)
def test_the_text_writer_escapes_as_lxml_does(
    endpoints: tuple[Recorder, SoapEndpoint, SoapEndpoint], text: str
) -> None:
    from tpn.mocks.noark4ws import model as m

    _, fast, _ = endpoints
    response = m.GetNoarksakResponse(
        status=m.StatusType(type=text, message=[m.MessageType(code=text, text=text)]),
        noarksak=[m.NoarksakType(saTittel=text, saId="1")],
    )
    ours = fast.envelope(m.GetNoarksakResponse, response)
    assert ours == _lxml_envelope(fast, m.GetNoarksakResponse, response)
    assert etree.fromstring(ours).findtext(f".//{{{NS}}}saTittel") == text


def test_what_is_not_xml_text_is_refused_as_lxml_refuses_it(
    endpoints: tuple[Recorder, SoapEndpoint, SoapEndpoint],
) -> None:
    from tpn.mocks.noark4ws import model as m

    _, fast, _ = endpoints
    response = m.GetNoarksakResponse(noarksak=[m.NoarksakType(saTittel="bell\x07")])
    with pytest.raises(ValueError, match="XML compatible"):
        fast.envelope(m.GetNoarksakResponse, response)


@pytest.mark.parametrize(
    ("cls_name", "fields"),
    [
        ("StatusType", {"type": "OK"}),
        ("StatusType", {"type": "WARNING", "message": []}),
        ("GetJournpostResponse", {"journpost": None}),
        ("JournpostReturnRequestsType", {}),
        ("FilType", {"ref": "r", "base64": [b"x"]}),
    ],
)
def test_make_leaves_an_object_as_spynes_init_does(cls_name: str, fields: dict[str, Any]) -> None:
    from tpn.mocks.noark4ws import model as m

    cls = getattr(m, cls_name)
    assert vars(codec.make(cls, **fields)) == vars(cls(**fields))
    with pytest.raises(TypeError, match="no field"):
        codec.make(cls, nonsense=1)
