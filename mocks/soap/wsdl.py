"""The WSDL and XSD of a Spyne application, as bytes, and the compiled schema for validation."""

from __future__ import annotations

import copy
from typing import Any

from lxml import etree
from spyne.interface.wsdl import Wsdl11

from tpn.mocks.soap.ns import WSDL, XS

# The address written into exported files; a served WSDL names the host it was asked on.
PLACEHOLDER_URL = "http://127.0.0.1:8086/noark4ws"


def wsdl_bytes(app: Any, url: str = PLACEHOLDER_URL) -> bytes:
    """The application's WSDL with ``soap:address`` set to ``url``."""
    doc = Wsdl11(app.interface)
    doc.build_interface_document(url)
    out: bytes = doc.get_interface_document()
    return out


def xsd_element(wsdl: bytes) -> etree._Element:
    """The schema inside ``wsdl:types``, as a standalone ``xs:schema`` element."""
    root = etree.fromstring(wsdl)
    schemas = root.findall(f"{{{WSDL}}}types/{{{XS}}}schema")
    if len(schemas) != 1:
        raise ValueError(f"expected one xs:schema in wsdl:types, found {len(schemas)}")
    schema = copy.deepcopy(schemas[0])
    # Namespace declarations made on wsdl:definitions must travel with the extracted schema.
    nsmap: dict[str, str] = {k: v for k, v in root.nsmap.items() if k}
    nsmap.update((k, v) for k, v in schema.nsmap.items() if k)
    out = etree.Element(schema.tag, attrib=dict(schema.attrib), nsmap=nsmap)  # type: ignore[misc]
    out.extend(list(schema))
    return out


def xsd_bytes(wsdl: bytes) -> bytes:
    out: bytes = etree.tostring(
        xsd_element(wsdl), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return out


def compile_schema(xsd: bytes) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.fromstring(xsd, parser))
