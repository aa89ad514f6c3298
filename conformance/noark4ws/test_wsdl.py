"""The WSDL: what the endpoint describes at ?wsdl, read as a toolkit would (following
wsdl:import and xs:import/xs:include through the recording client). Whether the answers are
valid against the schema is test_schema.py's.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import pytest
import zeep
from lxml import etree
from zeep.transports import Transport

from tpn.conformance.noark4ws.checks import parse, schema
from tpn.conformance.noark4ws.client import NS, Archive
from tpn.conformance.noark4ws.messages import FLAGS_JP, FLAGS_SAK
from tpn.conformance.target import session

requirement = pytest.mark.requirement

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP_HTTP = "http://schemas.xmlsoap.org/soap/http"
XS = "http://www.w3.org/2001/XMLSchema"
OPERATIONS = ("GetNoarksak", "PutNoarksak", "GetJournpost", "PutJournpost")
# A vendor's WSDL may be split over documents; a few are normal, dozens would be a loop.
MAX_DOCUMENTS = 20
INLINE = "tpn-inline:"


# ------------------------------------------------------------------ reading the target's WSDL


def _wsdl_url(n4ws: Archive) -> str:
    return n4ws.target.url + "?wsdl"


def _fetch_xml(n4ws: Archive, url: str, what: str) -> etree._Element:
    response = n4ws.fetch(url)
    ctype = response.headers.get("Content-Type", "")
    assert response.status_code == 200, (
        f"GET {url} ({what}): expected HTTP 200 with XML, got HTTP {response.status_code} {ctype}"
    )
    try:
        return parse(response.content)
    except etree.XMLSyntaxError as exc:
        raise AssertionError(
            f"GET {url} ({what}): the answer is not well-formed XML ({exc}): "
            f"{response.content[:120]!r}"
        ) from None


def _qname(el: etree._Element, value: str | None) -> str:
    """An attribute's QName value in Clark notation, resolved in ``el``'s namespace scope."""
    prefix, _, local = (value or "").strip().rpartition(":")
    ns = el.nsmap.get(prefix or None)
    return f"{{{ns}}}{local}" if ns else local


@dataclass
class Described:
    """What the target's WSDL documents declare, keyed by QName (Clark notation)."""

    url: str
    documents: list[tuple[str, etree._Element]] = field(default_factory=list)
    messages: dict[str, etree._Element] = field(default_factory=dict)
    port_types: dict[str, etree._Element] = field(default_factory=dict)
    bindings: dict[str, etree._Element] = field(default_factory=dict)
    ports: list[etree._Element] = field(default_factory=list)
    # Every schema: (base URL, xs:schema element), inline ones first, then imported ones.
    schemas: list[tuple[str, etree._Element]] = field(default_factory=list)


def described(n4ws: Archive) -> Described:
    """The target's WSDL with its wsdl:imports and the schemas its types name."""
    out = Described(_wsdl_url(n4ws))
    pending = [out.url]
    seen: set[str] = set()
    while pending and len(seen) < MAX_DOCUMENTS:
        url = pending.pop(0)
        if url in seen:
            continue
        seen.add(url)
        root = _fetch_xml(n4ws, url, "the WSDL" if url == out.url else "a document it imports")
        assert root.tag == f"{{{WSDL_NS}}}definitions", (
            f"GET {url}: expected a WSDL 1.1 wsdl:definitions, got root element {root.tag}"
        )
        out.documents.append((url, root))
        tns = root.get("targetNamespace", "")
        for kind, table in (
            ("message", out.messages),
            ("portType", out.port_types),
            ("binding", out.bindings),
        ):
            for el in root.findall(f"{{{WSDL_NS}}}{kind}"):
                table[f"{{{tns}}}{el.get('name')}"] = el
        out.ports.extend(root.iterfind(f"{{{WSDL_NS}}}service/{{{WSDL_NS}}}port"))
        for imp in root.findall(f"{{{WSDL_NS}}}import"):
            if imp.get("location"):
                pending.append(urljoin(url, imp.get("location", "")))
        out.schemas.extend((url, s) for s in root.iterfind(f"{{{WSDL_NS}}}types/{{{XS}}}schema"))
    _fetch_imported_schemas(n4ws, out)
    return out


def _fetch_imported_schemas(n4ws: Archive, out: Described) -> None:
    seen = {url for url, _ in out.documents}
    i = 0
    while i < len(out.schemas) and len(seen) < MAX_DOCUMENTS:
        base, el = out.schemas[i]
        i += 1
        for ref in (*el.findall(f"{{{XS}}}import"), *el.findall(f"{{{XS}}}include")):
            location = ref.get("schemaLocation")
            if not location:
                continue
            url = urljoin(base, location)
            if url in seen or not url.startswith(("http://", "https://")):
                continue
            seen.add(url)
            root = _fetch_xml(n4ws, url, "a schema the WSDL imports")
            if root.tag == f"{{{XS}}}schema":
                out.schemas.append((url, root))


def _declares_element(d: Described, qname: str) -> bool:
    ns, _, local = qname[1:].partition("}")
    for _, el in d.schemas:
        if el.get("targetNamespace", "") != ns:
            continue
        if any(e.get("name") == local for e in el.findall(f"{{{XS}}}element")):
            return True
    return False


# ------------------------------------------------------------------ WSDL-001


@requirement("N4WS-WSDL-001")
def test_the_wsdl_is_served_at_url_wsdl_and_a_toolkit_loads_it(n4ws: Archive) -> None:
    url = _wsdl_url(n4ws)
    root = _fetch_xml(n4ws, url, "the WSDL")
    assert root.tag == f"{{{WSDL_NS}}}definitions", (
        f"GET {url}: expected a WSDL 1.1 document (wsdl:definitions), got root element {root.tag}"
    )
    # zeep stands for the SOAP toolkits a client uses; it fetches the WSDL and what it imports.
    # The run's guarded session: zeep's fetches get the run's deadline and size cap.
    transport = Transport(session=session(n4ws.target), timeout=None, operation_timeout=None)
    try:
        client = zeep.Client(url, transport=transport)
    except Exception as exc:  # whatever stops the toolkit stops a client
        raise AssertionError(
            f"the WSDL at {url} is XML, but zeep {zeep.__version__} cannot load it: "
            f"{type(exc).__name__}: {exc}"
        ) from None
    found = sorted(name for binding in client.wsdl.bindings.values() for name in binding.all())
    assert found, f"zeep loaded the WSDL at {url} but found no bound operation in it"


# ------------------------------------------------------------------ WSDL-002


def _part_element(
    d: Described, message_ref: str | None, owner: etree._Element
) -> tuple[str | None, str]:
    """(the element of a message's one part, "") or (None, why there is none)."""
    name = _qname(owner, message_ref)
    message = d.messages.get(name)
    if message is None:
        return None, f"message {name} is not declared"
    parts = message.findall(f"{{{WSDL_NS}}}part")
    if len(parts) != 1:
        return None, f"message {name} has {len(parts)} parts (document/literal wraps one element)"
    part = parts[0]
    if part.get("element") is None:
        return None, f"the part of message {name} names a type, not an element (rpc style)"
    return _qname(part, part.get("element")), ""


def _port_type_problems(d: Described, operation: str, port_type: etree._Element) -> list[str]:
    op = port_type.find(f"{{{WSDL_NS}}}operation[@name='{operation}']")
    assert op is not None
    problems = []
    for direction, suffix in (("input", "Request"), ("output", "Response")):
        io = op.find(f"{{{WSDL_NS}}}{direction}")
        expected = f"{{{NS}}}{operation}{suffix}"
        if io is None:
            problems.append(f"the portType operation {operation} has no wsdl:{direction}")
            continue
        element, why = _part_element(d, io.get("message"), io)
        if element is None:
            problems.append(f"{operation} {direction}: {why}")
        elif element != expected:
            problems.append(f"{operation} {direction} is element {element}, expected {expected}")
        elif not _declares_element(d, expected):
            problems.append(f"the WSDL's schema does not declare element {expected}")
    return problems


def _binding_problems(binding: etree._Element, operation: str) -> list[str]:
    soap = binding.find(f"{{{WSDL_SOAP11}}}binding")
    if soap is None:
        return ["it is not a SOAP 1.1 binding (no soap:binding in the wsdl/soap/ namespace)"]
    problems = []
    if soap.get("transport") != SOAP_HTTP:
        problems.append(f"soap:binding transport is {soap.get('transport')!r}, not {SOAP_HTTP}")
    op = binding.find(f"{{{WSDL_NS}}}operation[@name='{operation}']")
    if op is None:
        return [*problems, f"it does not bind operation {operation}"]
    soap_op = op.find(f"{{{WSDL_SOAP11}}}operation")
    # WSDL 1.1 §3.4/§3.5: an operation's style defaults to the binding's, and that to document.
    style = (soap_op.get("style") if soap_op is not None else None) or soap.get("style")
    if (style or "document") != "document":
        problems.append(f"operation {operation} has style {style!r}, not document")
    for direction in ("input", "output"):
        body = op.find(f"{{{WSDL_NS}}}{direction}/{{{WSDL_SOAP11}}}body")
        if body is None:
            problems.append(f"operation {operation} {direction} has no soap:body")
        # WS-I BP 1.1 R2707: a soap:body without use is literal.
        elif (body.get("use") or "literal") != "literal":
            problems.append(f"operation {operation} {direction} is use={body.get('use')!r}")
    return problems


@requirement("N4WS-WSDL-002")
@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_wsdl_declares_the_operation_document_literal(n4ws: Archive, operation: str) -> None:
    d = described(n4ws)
    head = f"the WSDL at {d.url}, operation {operation}"
    declaring = {
        name: pt
        for name, pt in d.port_types.items()
        if pt.find(f"{{{WSDL_NS}}}operation[@name='{operation}']") is not None
    }
    assert declaring, f"{head}: no wsdl:portType declares the operation"
    problems: list[str] = []
    for pt_name, port_type in declaring.items():
        problems = _port_type_problems(d, operation, port_type)
        bindings = {
            name: b for name, b in d.bindings.items() if _qname(b, b.get("type")) == pt_name
        }
        if not bindings:
            problems.append(f"no wsdl:binding binds portType {pt_name}")
        found = [(name, _binding_problems(b, operation)) for name, b in bindings.items()]
        good = [name for name, p in found if not p]
        if bindings and not good:
            problems.extend(f"binding {name}: {p}" for name, ps in found for p in ps)
        served = [
            port
            for port in d.ports
            if _qname(port, port.get("binding")) in good
            and port.find(f"{{{WSDL_SOAP11}}}address") is not None
        ]
        if good and not served:
            problems.append(
                f"no wsdl:service port with a soap:address serves binding {', '.join(good)}"
            )
        if not problems:
            return
    raise AssertionError(
        f"{head}: the profile expects document/literal over SOAP 1.1 (HTTP) with elements "
        f"{operation}Request and {operation}Response in {NS}; " + "; ".join(problems[:6])
    )


# ------------------------------------------------------------------ WSDL-003


class _Schemas(etree.Resolver):
    """Serves the WSDL's inline schemas by name, and fetches what they import over HTTP."""

    def __init__(self, n4ws: Archive, inline: dict[str, bytes]) -> None:
        super().__init__()
        self.n4ws = n4ws
        self.inline = inline
        self.refused: list[str] = []

    # lxml passes the context as a third argument (its stubs leave it out).
    def resolve(self, system_url: str, public_id: str, context: Any = None) -> Any:
        url = system_url or ""
        if url in self.inline:
            return self.resolve_string(self.inline[url], context, base_url=None)
        if url.startswith(("http://", "https://")):
            response = self.n4ws.fetch(url)
            return self.resolve_string(response.content, context, base_url=url)
        # Never let libxml2 read local files on behalf of a schemaLocation the target wrote.
        self.refused.append(url)
        return self.resolve_string(b"", context, base_url=None)


def _standalone(base: str, el: etree._Element, namespaces: dict[str, str]) -> bytes:
    """An inline xs:schema as a document of its own: the WSDL's namespace declarations kept
    (QName values such as type="tns:X" need them), imports pointing at absolute URLs or at the
    other inline schemas."""
    nsmap: Any = el.nsmap  # every namespace in scope, the WSDL's included
    out = etree.Element(el.tag, nsmap=nsmap)
    for name, value in el.attrib.items():
        out.set(name, value)
    for child in el:
        out.append(copy.deepcopy(child))
    for ref in (*out.findall(f"{{{XS}}}import"), *out.findall(f"{{{XS}}}include")):
        location = ref.get("schemaLocation")
        if location:
            ref.set("schemaLocation", urljoin(base, location))
        elif ref.get("namespace") in namespaces:
            ref.set("schemaLocation", namespaces[ref.get("namespace", "")])
    return etree.tostring(out)


def target_schema(n4ws: Archive) -> etree.XMLSchema:
    """The schema in the target's WSDL (wsdl:types), compiled with lxml."""
    d = described(n4ws)
    inline = [(base, el) for base, el in d.schemas if el.getparent() is not None]
    assert inline, f"the WSDL at {d.url} has no xs:schema in wsdl:types"
    names: dict[str, str] = {}
    for i, (_, el) in enumerate(inline):
        names.setdefault(el.get("targetNamespace", ""), f"{INLINE}{i}")
    texts = {f"{INLINE}{i}": _standalone(base, el, names) for i, (base, el) in enumerate(inline)}
    # One wrapper importing every inline schema, so that they can refer to one another.
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{loc}"/>'
        if ns
        else f'<xs:import schemaLocation="{loc}"/>'
        for ns, loc in names.items()
    )
    wrapper = (
        f'<xs:schema xmlns:xs="{XS}" targetNamespace="urn:tpn-harness:wsdl-types">{imports}'
        "</xs:schema>"
    ).encode()
    resolver = _Schemas(n4ws, texts)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    parser.resolvers.add(resolver)
    try:
        doc = etree.fromstring(wrapper, parser, base_url=d.url)
        return etree.XMLSchema(etree.ElementTree(doc))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        refused = (
            f" (refused non-HTTP schemaLocations {resolver.refused})" if resolver.refused else ""
        )
        raise AssertionError(
            f"the schema in the WSDL at {d.url} does not compile: {exc}{refused}"
        ) from None


ORGNR = "312345676"  # synthetic (starts with 3), valid check digit
DATO = dt.date(2030, 5, 17)
KEY = {"eksternSystem": "tpn-conformance", "nokkel": "wsdl-003"}
TILLEGG = {
    "tiId": "1",
    "tiRnr": "1",
    "tiItype": "M",
    "tiTgkode": "13",
    "tiOppbedato": DATO,
    "tiTekst": "Merknad",
    "tiTggruppnavn": "Byggesak",
}
# The profile's request messages, every element of the core and full levels filled (the
# extended GeoIntegrasjon elements and fødselsnummer are left out: a full-level archive need not
# declare them).
REQUESTS: dict[str, tuple[str, dict[str, Any]]] = {
    "GetNoarksak by searchCriteria": (
        "GetNoarksak",
        {
            "searchCriteria": [
                {"fieldName": "saTittel", "fieldValue": "Storgata"},
                {"fieldName": "saStatus", "fieldValue": "B"},
            ],
            "returnNoarksakRequests": FLAGS_SAK,
            "returnJournpostRequests": {**FLAGS_JP, "returnFil": True},
        },
    ),
    "GetNoarksak by saId": ("GetNoarksak", {"saId": "1"}),
    "GetNoarksak by saksnummer": (
        "GetNoarksak",
        {"saksnummer": {"saSaar": 2030, "saSeknr": 1}, "returnNoarksakRequests": FLAGS_SAK},
    ),
    "GetNoarksak by saEksternNokkel": ("GetNoarksak", {"saEksternNokkel": KEY}),
    "PutNoarksak with every field": (
        "PutNoarksak",
        {
            "noarksak": {
                "saId": "1",
                "saSaar": 2030,
                "saSeknr": 1,
                "saPapir": "1",
                "saDato": DATO,
                "saTittel": "Byggesak Storgata 1",
                "saU1": "1",
                "saStatus": "B",
                "saArkdel": "BYGG",
                "saType": "BYGGESAK",
                "saJenhet": "SENTRAL",
                "saTgkode": "13",
                "saUoff": "offl. § 13",
                "saBevtid": "25",
                "saKasskode": "B",
                "saKassdato": DATO,
                "saProsjekt": "Fjordbyen",
                "saOfftittel": "Byggesak",
                "saAdmkort": "PLAN",
                "saAdmbet": "Plan- og bygningsetaten",
                "saAnsvinit": "ÅSE",
                "saAnsvnavn": "Åse Ås",
                "saTggruppnavn": "Byggesak",
                "saEksternNokkel": KEY,
                "klassering": [
                    {
                        "klSort": "1",
                        "klOrdnpri": "ARKNOKKEL",
                        "klOrdnver": "L42",
                        "klU1": "0",
                        "klOpltekst": "Byggesaker",
                        "klOvbesk": "Plan og bygg",
                    }
                ],
                "sakspart": [
                    {
                        "spId": "1",
                        "spOrgnr": ORGNR,
                        "spU1": "0",
                        "spKortnavn": "BYGG",
                        "spNavn": "Bygg AS",
                        "spAdresse": "Storgata 1",
                        "spPostnr": "0155",
                        "spPoststed": "OSLO",
                        "spUtland": "NO",
                        "spEpostadr": "post@bygg.example",
                        "spKontakt": "Kari",
                        "spRolle": "Tiltakshaver",
                        "spFaks": "22000001",
                        "spTlf": "22000000",
                        "spMerknad": "Søker",
                    }
                ],
                "tilleggsinfo": [TILLEGG],
            },
            "eksternData": {"eksternSystem": "eByggesak", "innhold": "<sak/>"},
        },
    ),
    "GetJournpost by searchCriteria": (
        "GetJournpost",
        {
            "searchCriteria": [{"fieldName": "jpInnhold", "fieldValue": "søknad"}],
            "returnJournpostRequests": {**FLAGS_JP, "returnFil": True},
        },
    ),
    "GetJournpost by jpId": ("GetJournpost", {"jpId": "1"}),
    "GetJournpost by saId": ("GetJournpost", {"saId": "1", "returnJournpostRequests": FLAGS_JP}),
    "GetJournpost by lopenummer": ("GetJournpost", {"lopenummer": {"jpJaar": 2030, "jpSeknr": 7}}),
    "GetJournpost by dokumentnummer": (
        "GetJournpost",
        {"dokumentnummer": {"saSaar": 2030, "saSeknr": 1, "jpJpostnr": 2}},
    ),
    "GetJournpost by jpEksternNokkel": ("GetJournpost", {"jpEksternNokkel": KEY}),
    "GetJournpost by saEksternNokkel": ("GetJournpost", {"saEksternNokkel": KEY}),
    "PutJournpost with every field": (
        "PutJournpost",
        {
            "journpost": {
                "jpId": "1",
                "jpJaar": 2030,
                "jpSeknr": 7,
                "jpJpostnr": 2,
                "jpJdato": DATO,
                "jpNdoktype": "I",
                "jpDokdato": DATO,
                "jpStatus": "J",
                "jpInnhold": "Søknad om rammetillatelse",
                "jpU1": "0",
                "jpForfdato": DATO,
                "jpTgkode": "13",
                "jpUoff": "offl. § 13",
                "jpAgdato": DATO,
                "jpAgkode": "TE",
                "jpSaksdel": "1",
                "jpU2": "0",
                "jpArkdel": "BYGG",
                "jpTlkode": "KL",
                "jpAntved": 1,
                "jpSaar": 2030,
                "jpSaseknr": 1,
                "jpOffinnhold": "Søknad",
                "jpTggruppnavn": "Byggesak",
                "jpEksternNokkel": KEY,
                "jpSaEksternNokkel": KEY,
                "avsmot": [
                    {
                        "amId": "1",
                        "amOrgnr": ORGNR,
                        "amIhtype": "0",
                        "amKopimot": "0",
                        "amBehansv": "1",
                        "amNavn": "Bygg AS",
                        "amU1": "0",
                        "amKortnavn": "BYGG",
                        "amAdresse": "Storgata 1",
                        "amPostnr": "0155",
                        "amPoststed": "OSLO",
                        "amUtland": "NO",
                        "amEpostadr": "post@bygg.example",
                        "amRef": "2030/17",
                        "amJenhet": "SENTRAL",
                        "amAvskm": "BU",
                        "amAvskdato": DATO,
                        "amFrist": DATO,
                        "amForsend": "post",
                        "amAdmkort": "PLAN",
                        "amAdmbet": "Plan- og bygningsetaten",
                        "amSbhinit": "ÅSE",
                        "amSbhnavn": "Åse Ås",
                        "amAvsavdok": "2030/1-1",
                        "amBesvardok": "2030/1-2",
                        "amAvsavEksternNokkel": KEY,
                        "amBesvarEksternNokkel": KEY,
                    }
                ],
                "tilleggsinfo": [TILLEGG],
                "dokument": [
                    {
                        "dlRnr": 1,
                        "dlType": "H",
                        "dbKategori": "Søknad",
                        "dbTittel": "Søknad",
                        "dbStatus": "F",
                        "veVariant": "A",
                        "veDokformat": "RA-PDF",
                        "fil": {"base64": b"%PDF-1.4"},
                        "veFilnavn": "søknad.pdf",
                        "veMimeType": "application/pdf",
                    },
                    {
                        "dlType": "V",
                        "fil": {"ref": "https://arkiv.example/dok/2"},
                        "veFilnavn": "kart.png",
                        "veMimeType": "image/png",
                    },
                ],
            },
            "eksternData": {"eksternSystem": "eByggesak", "innhold": "<jp/>"},
        },
    ),
}


def _request_element(n4ws: Archive, operation: str, request: dict[str, Any]) -> etree._Element:
    """The request as the profile's WSDL writes it: its body element."""
    envelope = n4ws.client.create_message(n4ws.service, operation, **request)
    body = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
    assert body is not None and len(body), f"zeep wrote no body for {operation}"
    element: etree._Element = body[0]
    own = schema()
    if not own.validate(element):
        log: Any = own.error_log  # lxml-stubs lack the log's attributes
        raise AssertionError(
            f"suite defect: the hand-made {operation} request is not valid against the profile's "
            f"own schema: {log.last_error}"
        )
    return element


@pytest.fixture(scope="module")
def wsdl_schema(n4ws: Archive) -> etree.XMLSchema:
    return target_schema(n4ws)


@requirement("N4WS-WSDL-003")
@pytest.mark.parametrize("label", list(REQUESTS))
def test_the_wsdl_schema_accepts_the_profile_request(
    n4ws: Archive, wsdl_schema: etree.XMLSchema, label: str
) -> None:
    operation, request = REQUESTS[label]
    element = _request_element(n4ws, operation, request)
    if not wsdl_schema.validate(element):
        log: Any = wsdl_schema.error_log  # lxml-stubs lack the log's sequence protocol
        errors = [f"line {e.line}: {e.message[:300]}" for e in log][:3]
        raise AssertionError(
            f"the schema in the target's WSDL refuses a valid profile request ({label}); a client "
            f"that follows the profile cannot call it: " + "; ".join(errors)
        )
