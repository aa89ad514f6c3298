"""Bad and hostile input: schema-invalid requests, DTDs and entities, entity bombs, deep nesting.

Each request is written by hand (no toolkit would send it) and carries a word unique to the run,
so that a search afterwards shows whether the archive stored anything from it. Hostile requests
are judged twice: the refusal (a soap:Client fault), and that the endpoint still answers a valid
request correctly afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tpn.conformance.noark4ws import messages as msg
from tpn.conformance.noark4ws.checks import describe, expect_fault, expect_ok, objects
from tpn.conformance.noark4ws.client import Archive

requirement = pytest.mark.requirement

DEPTH = 10_000


# ------------------------------------------------------------------ hand-written requests


def _put_sak(inner: str) -> str:
    return f"<n:PutNoarksakRequest><n:noarksak>{inner}</n:noarksak></n:PutNoarksakRequest>"


def _put_jp(inner: str) -> str:
    return f"<n:PutJournpostRequest><n:journpost>{inner}</n:journpost></n:PutJournpostRequest>"


def _key(key: dict[str, str], element: str) -> str:
    return (
        f"<n:{element}><n:eksternSystem>{key['eksternSystem']}</n:eksternSystem>"
        f"<n:nokkel>{key['nokkel']}</n:nokkel></n:{element}>"
    )


def _case_ref(sak: Any) -> str:
    return f"<n:jpSaar>{sak.saSaar}</n:jpSaar><n:jpSaseknr>{sak.saSeknr}</n:jpSaseknr>"


def _with_dtd(envelope: bytes, dtd: str) -> bytes:
    """``envelope`` with ``dtd`` after its XML declaration, where a DTD stands."""
    declaration, sep, rest = envelope.partition(b"?>")
    return declaration + sep + dtd.encode() + rest


def _nested(depth: int) -> str:
    return "<n:d>" * depth + "</n:d>" * depth


# ------------------------------------------------------------------ what was stored


def _cases_titled(n4ws: Archive, token: str) -> list[Any]:
    criteria = [{"fieldName": "saTittel", "fieldValue": token}]
    return objects(expect_ok(n4ws.get_sak(searchCriteria=criteria), "GetNoarksak search"))


def _entries_about(n4ws: Archive, token: str) -> list[Any]:
    criteria = [{"fieldName": "jpInnhold", "fieldValue": token}]
    return objects(expect_ok(n4ws.get_jp(searchCriteria=criteria), "GetJournpost search"))


@dataclass
class Context:
    n4ws: Archive
    sak: Any  # a case of this run, for entries and updates
    token: str  # the word the request carries


# A request builder and a check of what it must not have stored: (body, check) where the check
# returns a sentence saying what was stored, or "" when nothing was.
Scenario = tuple[bytes, Callable[[], str]]


def _no_case(c: Context) -> Callable[[], str]:
    def check() -> str:
        found = _cases_titled(c.n4ws, c.token)
        return (
            f"a GetNoarksak search on saTittel {c.token!r} found {len(found)} cases"
            if found
            else ""
        )

    return check


def _no_entry(c: Context) -> Callable[[], str]:
    def check() -> str:
        found = _entries_about(c.n4ws, c.token)
        return (
            f"a GetJournpost search on jpInnhold {c.token!r} found {len(found)} entries"
            if found
            else ""
        )

    return check


def _no_entry_with_key(c: Context, key: dict[str, str]) -> Callable[[], str]:
    def check() -> str:
        found = objects(c.n4ws.get_jp(jpEksternNokkel=key))
        return (
            f"GetJournpost by the jpEksternNokkel sent found {len(found)} entries" if found else ""
        )

    return check


def _title_kept(c: Context) -> Callable[[], str]:
    title = c.sak.saTittel

    def check() -> str:
        now = c.n4ws.sak(c.sak.saId).saTittel
        return f"the case's saTittel changed from {title!r} to {now!r}" if now != title else ""

    return check


def _unknown_element(c: Context) -> Scenario:
    body = _put_sak(f"<n:saTittel>Byggesak {c.token}</n:saTittel><n:saUkjent>1</n:saUkjent>")
    return msg.envelope(body), _no_case(c)


def _unknown_element_after_noarksak(c: Context) -> Scenario:
    body = (
        f"<n:PutNoarksakRequest><n:noarksak><n:saTittel>Byggesak {c.token}</n:saTittel>"
        "</n:noarksak><n:vedlegg>1</n:vedlegg></n:PutNoarksakRequest>"
    )
    return msg.envelope(body), _no_case(c)


def _unqualified_element(c: Context) -> Scenario:
    # The profile's elements are namespace-qualified; an unqualified saTittel is not saTittel.
    body = _put_sak(f'<saTittel xmlns="">Byggesak {c.token}</saTittel>')
    return msg.envelope(body), _no_case(c)


def _unknown_element_in_update(c: Context) -> Scenario:
    body = _put_sak(
        f"<n:saId>{c.sak.saId}</n:saId><n:saTittel>Byggesak {c.token}</n:saTittel>"
        "<n:saUkjent>1</n:saUkjent>"
    )
    return msg.envelope(body), _title_kept(c)


def _klassering_without_klordnver(c: Context) -> Scenario:
    body = _put_sak(
        f"<n:saTittel>Byggesak {c.token}</n:saTittel>"
        "<n:klassering><n:klOrdnpri>ARKNOKKEL</n:klOrdnpri></n:klassering>"
    )
    return msg.envelope(body), _no_case(c)


def _journpost_without_jpinnhold(c: Context) -> Scenario:
    key = c.n4ws.key("bad")
    # The token goes in jpOffinnhold (after jpSaseknr in the profile's order); the key finds it.
    body = _put_jp(
        f"{_case_ref(c.sak)}<n:jpOffinnhold>Søknad {c.token}</n:jpOffinnhold>"
        + _key(key, "jpEksternNokkel")
    )
    return msg.envelope(body), _no_entry_with_key(c, key)


def _avsmot_without_amihtype(c: Context) -> Scenario:
    body = _put_jp(
        f"<n:jpInnhold>Søknad {c.token}</n:jpInnhold>{_case_ref(c.sak)}"
        "<n:avsmot><n:amNavn>Kari Nordmann</n:amNavn></n:avsmot>"
    )
    return msg.envelope(body), _no_entry(c)


def _date_of_wrong_type(c: Context) -> Scenario:
    body = _put_sak(f"<n:saDato>17.05.2030</n:saDato><n:saTittel>Byggesak {c.token}</n:saTittel>")
    return msg.envelope(body), _no_case(c)


def _integer_of_wrong_type(c: Context) -> Scenario:
    body = _put_jp(
        f"<n:jpInnhold>Søknad {c.token}</n:jpInnhold>"
        f"<n:jpSaar>{c.sak.saSaar}</n:jpSaar><n:jpSaseknr>en</n:jpSaseknr>"
    )
    return msg.envelope(body), _no_entry(c)


def _base64_of_wrong_type(c: Context) -> Scenario:
    body = _put_jp(
        f"<n:jpInnhold>Søknad {c.token}</n:jpInnhold>{_case_ref(c.sak)}"
        "<n:dokument><n:fil><n:base64>ikke base64!</n:base64></n:fil>"
        "<n:veFilnavn>a.pdf</n:veFilnavn><n:veMimeType>application/pdf</n:veMimeType></n:dokument>"
    )
    return msg.envelope(body), _no_entry(c)


def _boolean_of_wrong_type(c: Context) -> Scenario:
    body = (
        f"<n:GetJournpostRequest><n:jpId>{c.token}</n:jpId><n:returnJournpostRequests>"
        "<n:returnFil>ja</n:returnFil></n:returnJournpostRequests></n:GetJournpostRequest>"
    )
    return msg.envelope(body), lambda: ""


SCHEMA_INVALID: dict[str, Callable[[Context], Scenario]] = {
    "an unknown element in noarksak": _unknown_element,
    "an unknown element after noarksak": _unknown_element_after_noarksak,
    "an unqualified saTittel": _unqualified_element,
    "an unknown element in an update": _unknown_element_in_update,
    "a klassering without the required klOrdnver": _klassering_without_klordnver,
    "a journpost without the required jpInnhold": _journpost_without_jpinnhold,
    "an avsmot without the required amIhtype": _avsmot_without_amihtype,
    "a saDato that is not an xs:date (17.05.2030)": _date_of_wrong_type,
    "a jpSaseknr that is not an xs:integer ('en')": _integer_of_wrong_type,
    "a fil/base64 that is not base64": _base64_of_wrong_type,
    "a returnFil that is not an xs:boolean ('ja')": _boolean_of_wrong_type,
}


@pytest.fixture(scope="module")
def sak(n4ws: Archive) -> Any:
    return n4ws.new_sak()


def _refused_and_nothing_stored(
    n4ws: Archive, sak: Any, build: Callable[[Context], Scenario], what: str
) -> None:
    c = Context(n4ws, sak, n4ws.token())
    body, stored = build(c)
    response = n4ws.post(body)
    expect_fault(response, "Client", what)
    found = stored()
    assert not found, f"{what} was refused with a fault, but the archive stored it: {found}"


@requirement("N4WS-BAD-001")
@pytest.mark.parametrize("label", list(SCHEMA_INVALID))
def test_a_schema_invalid_request_gets_a_client_fault(n4ws: Archive, sak: Any, label: str) -> None:
    _refused_and_nothing_stored(n4ws, sak, SCHEMA_INVALID[label], f"a request with {label}")


# ------------------------------------------------------------------ DTDs and entities


def _entity_in_satittel(c: Context) -> Scenario:
    # The entity's text holds the token, the request does not: only expansion can store it.
    dtd = f'<!DOCTYPE s:Envelope [<!ENTITY tittel "Byggesak {c.token}">]>'
    body = _with_dtd(msg.envelope(_put_sak("<n:saTittel>&tittel;</n:saTittel>")), dtd)
    return body, _no_case(c)


def _entity_in_jpinnhold(c: Context) -> Scenario:
    dtd = f'<!DOCTYPE s:Envelope [<!ENTITY innhold "Søknad {c.token}">]>'
    body = _with_dtd(
        msg.envelope(_put_jp(f"<n:jpInnhold>&innhold;</n:jpInnhold>{_case_ref(c.sak)}")), dtd
    )
    return body, _no_entry(c)


def _bare_dtd(c: Context) -> Scenario:
    body = _with_dtd(
        msg.envelope(_put_sak(f"<n:saTittel>Byggesak {c.token}</n:saTittel>")),
        "<!DOCTYPE s:Envelope>",
    )
    return body, _no_case(c)


WITH_DTD: dict[str, Callable[[Context], Scenario]] = {
    "a DTD with an internal entity used in saTittel": _entity_in_satittel,
    "a DTD with an internal entity used in jpInnhold": _entity_in_jpinnhold,
    "a DTD that declares nothing": _bare_dtd,
}


@requirement("N4WS-BAD-002")
@pytest.mark.parametrize("label", list(WITH_DTD))
def test_a_request_with_a_dtd_gets_a_client_fault(n4ws: Archive, sak: Any, label: str) -> None:
    _refused_and_nothing_stored(n4ws, sak, WITH_DTD[label], f"a request with {label}")


# ------------------------------------------------------------------ hostile requests


def _billion_laughs(token: str) -> bytes:
    levels = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    ]
    dtd = f"<!DOCTYPE s:Envelope [{''.join(levels)}]>"
    return _with_dtd(msg.envelope(_put_sak(f"<n:saTittel>{token} &l9;</n:saTittel>")), dtd)


def _deeply_nested(token: str) -> bytes:
    return msg.envelope(
        f"<n:GetNoarksakRequest><n:saId>{token}</n:saId>{_nested(DEPTH)}</n:GetNoarksakRequest>"
    )


def _unterminated(token: str) -> bytes:
    return msg.envelope(_put_sak(f"<n:saTittel>Byggesak {token}</n:saTittel>"))[:-40]


HOSTILE: dict[str, Callable[[str], bytes]] = {
    "entity expansion (a billion laughs)": _billion_laughs,
    f"nesting {DEPTH:,} elements deep": _deeply_nested,
    "an unterminated document": _unterminated,
}


@requirement("N4WS-BAD-003")
@pytest.mark.parametrize("label", list(HOSTILE))
def test_the_endpoint_is_alive_after_a_hostile_request(n4ws: Archive, label: str) -> None:
    # Only liveness is judged here: how the hostile request is refused is BAD-001/002/004's and
    # TRN-003's business. A dropped connection is noted, and is fine if the archive lives on.
    try:
        hostile = n4ws.post(HOSTILE[label](n4ws.token()))
        what = f"HTTP {hostile.status_code}"
    except requests.RequestException as exc:
        what = f"no answer ({type(exc).__name__})"
    after = f"after a request with {label} (answered with {what})"
    title = f"Byggesak {n4ws.token()}"
    key = n4ws.key("alive")
    try:
        put = n4ws.put_sak(saTittel=title, saEksternNokkel=key)
        assert put.status is not None and put.status.type == "OK", (
            f"{after}, a valid PutNoarksak got {describe(put)}"
        )
        got = n4ws.get_sak(saEksternNokkel=key)
    except requests.RequestException as exc:
        raise AssertionError(
            f"{after}, the endpoint no longer answers a valid request: {type(exc).__name__}: {exc}"
        ) from None
    found = objects(got)
    assert got.status is not None and got.status.type == "OK" and len(found) == 1, (
        f"{after}, GetNoarksak by the saEksternNokkel just created got {describe(got)} "
        f"with {len(found)} cases"
    )
    assert found[0].saTittel == title, (
        f"{after}, the case just created came back with saTittel {found[0].saTittel!r}, "
        f"sent {title!r}"
    )


@requirement("N4WS-BAD-004")
def test_a_deeply_nested_document_gets_a_client_fault(n4ws: Archive) -> None:
    expect_fault(
        n4ws.post(_deeply_nested(n4ws.token())),
        "Client",
        f"a GetNoarksakRequest nesting {DEPTH:,} elements deep",
    )
