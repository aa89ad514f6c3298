"""Transport and envelope: SOAP 1.1 over HTTP, faults that are faults, and authentication."""

from __future__ import annotations

from typing import Any

import pytest

from tpn.conformance.noark4ws import messages as msg
from tpn.conformance.noark4ws.checks import body_element, expect_fault, fault_of
from tpn.conformance.noark4ws.client import Archive
from tpn.conformance.outcomes import not_applicable

requirement = pytest.mark.requirement


@requirement("N4WS-TRN-001")
def test_a_valid_request_is_answered_200_text_xml_utf8(n4ws: Archive) -> None:
    response = n4ws.raw("GetNoarksak", saId="0")
    ctype = response.headers.get("Content-Type", "")
    assert response.status_code == 200, (
        f"GetNoarksak: expected HTTP 200, got {response.status_code}"
    )
    media, _, params = ctype.partition(";")
    assert media.strip().lower() == "text/xml", f"expected Content-Type text/xml, got {ctype!r}"
    assert "charset=utf-8" in params.replace(" ", "").lower(), (
        f"expected charset=utf-8 in {ctype!r}"
    )


@requirement("N4WS-TRN-002")
@pytest.mark.parametrize(
    "operation", ["GetNoarksak", "GetJournpost", "PutNoarksak", "PutJournpost"]
)
def test_answers_are_soap11_envelopes_with_the_response_element(
    n4ws: Archive, operation: str
) -> None:
    requests: dict[str, dict[str, Any]] = {
        "GetNoarksak": {"saId": "0"},
        "GetJournpost": {"jpId": "0"},
        "PutNoarksak": {"noarksak": {"saTittel": "", "saEksternNokkel": n4ws.key("trn")}},
        "PutJournpost": {"journpost": {"jpInnhold": "", "jpSaar": 1, "jpSaseknr": 1}},
    }
    response = n4ws.raw(operation, **requests[operation])
    element = body_element(response.content, operation)
    expected = f"{{{msg.NS}}}{operation}Response"
    assert element.tag == expected, (
        f"{operation}: expected body element {expected}, got {element.tag}"
    )


NOT_SOAP = {
    "not XML": b"this is not XML at all",
    "truncated XML": msg.envelope(msg.get_sak_by_id("1"))[:-20],
    "XML but not an envelope": b'<?xml version="1.0"?><GetNoarksakRequest/>',
    "an empty body": b"",
}


@requirement("N4WS-TRN-003")
@pytest.mark.parametrize("what", list(NOT_SOAP))
def test_a_request_that_is_not_soap_gets_a_client_fault(n4ws: Archive, what: str) -> None:
    expect_fault(n4ws.post(NOT_SOAP[what]), "Client", f"a request body that is {what}")


# Requests every archive must refuse with a fault; which fault is the other requirements' concern.
FAULTING = {
    "a schema-invalid PutNoarksak": msg.envelope(
        msg.put_sak("x", "<n:noSuchElement>1</n:noSuchElement>")
    ),
    "a SOAP 1.2 envelope": msg.envelope(msg.get_sak_by_id("1"), soap_ns=msg.SOAP12),
    "an envelope with an empty body": msg.envelope(""),
    "a mustUnderstand header": msg.envelope(
        msg.get_sak_by_id("1"),
        header='<x:T xmlns:x="urn:example:unknown" s:mustUnderstand="1">5</x:T>',
    ),
}


@requirement("N4WS-TRN-004")
def test_faults_are_well_formed_soap11(n4ws: Archive) -> None:
    faults = 0
    for what, body in FAULTING.items():
        response = n4ws.post(body)
        if response.status_code == 200:
            continue  # not refused at all: a failure of another requirement, not of the form
        fault_of(response, what, strict=True)
        faults += 1
    assert faults, f"none of {list(FAULTING)} was answered with a fault"


@requirement("N4WS-TRN-005")
def test_a_soap12_envelope_gets_version_mismatch(n4ws: Archive) -> None:
    body = msg.envelope(msg.get_sak_by_id("1"), soap_ns=msg.SOAP12)
    response = n4ws.post(body, content_type="application/soap+xml; charset=utf-8")
    expect_fault(response, "VersionMismatch", "a SOAP 1.2 envelope")


@requirement("N4WS-TRN-006")
def test_an_unknown_must_understand_header_gets_must_understand(n4ws: Archive) -> None:
    header = '<x:Transaction xmlns:x="urn:example:unknown" s:mustUnderstand="1">5</x:Transaction>'
    response = n4ws.post(msg.envelope(msg.get_sak_by_id("1"), header=header))
    expect_fault(response, "MustUnderstand", "a mustUnderstand header the archive cannot know")


@requirement("N4WS-TRN-007")
def test_without_credentials_401_with_basic_challenge(n4ws: Archive) -> None:
    if n4ws.target.auth is None:
        not_applicable(
            "the run was given no credentials (--tpn-user), so authentication is not checked"
        )
    body = msg.envelope(msg.get_sak_by_id("1"))
    response = n4ws.post(body, auth=False)
    assert response.status_code == 401, (
        f"a request without credentials got HTTP {response.status_code}"
    )
    challenge = response.headers.get("WWW-Authenticate", "")
    assert challenge.lower().startswith("basic"), f"WWW-Authenticate is {challenge!r}, not Basic"
    user = n4ws.target.auth[0]
    wrong = n4ws.post(body, auth=(user, "not-the-password"))
    assert wrong.status_code == 401, f"wrong credentials got HTTP {wrong.status_code}"
    assert n4ws.post(body).status_code == 200, "the run's own credentials were refused"
