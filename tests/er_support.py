"""What the Enhetsregisteret tests share: one mock for the module, the grunndata XSD, and a raw
SOAP request."""

from __future__ import annotations

from typing import Any

import requests
from lxml import etree

from tpn.fixtures import standard_file
from tpn.mocks.enhetsregisteret.model import NS

SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
GRUNNDATA = etree.XMLSchema(
    etree.fromstring(standard_file("enhetsregisteret", "grunndata.xsd").read_bytes(), SAFE)
)

# The register's special cases (fixtures/population/organisations.toml).
KOMMUNE = "390301006"  # Oslo kommune
AS = "319985018"  # Kafé Løvetann AS, with a hjemmeside
ENK = "398401867"  # Frisør Hanne Ødegård
FLI = "317219601"  # Løkkeås Idrettslag
KONKURS = "312201909"  # Tollbodkaia Catering AS
UNDER_AVVIKLING = "345011609"  # Nidelva Trykkeri AS
SLETTET = "360430006"  # Hamar Sjakklubb
UNKNOWN = "300000010"  # a valid synthetic number the register does not hold


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    return s


def valid(document: str) -> etree._Element:
    """``document`` parsed, after checking it against grunndata.xsd."""
    root = etree.fromstring(document.encode("utf-8"), SAFE)
    assert GRUNNDATA.validate(root), f"{GRUNNDATA.error_log.last_error}: {document[:600]}"
    return root


def envelope(operation: str, **fields: str) -> bytes:
    inner = "".join(f"<er:{k}>{v}</er:{k}>" for k, v in fields.items())
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:er="{NS}"><soapenv:Body><er:{operation}>{inner}</er:{operation}>'
        "</soapenv:Body></soapenv:Envelope>"
    ).encode()


def post(http: requests.Session, url: str, data: bytes, **headers: Any) -> requests.Response:
    return http.post(
        url,
        data=data,
        headers={"Content-Type": "text/xml; charset=utf-8", **headers},
        timeout=10,
    )


def returned(response: requests.Response) -> str:
    """The grunndata string of a raw SOAP answer."""
    assert response.status_code == 200, response.text[:500]
    found = etree.fromstring(response.content, SAFE).find(f".//{{{NS}}}return")
    assert found is not None and found.text is not None, response.text[:500]
    return found.text
