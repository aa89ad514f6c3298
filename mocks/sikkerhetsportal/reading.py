"""How the portal parses XML it did not write: through the project's hostile-XML guard.

``tpn.fixtures.xmlguard`` refuses DTDs and bounds depth and element count while parsing. One
failure gets past it as a ``ValueError`` rather than its ``Refused``: after a syntax error
libxml2 may hand over an element named like ``samlp:Aap:Body``, which lxml cannot split into a
namespace and a local name when the guard names it in a message (found by the portal's fuzz test;
the archive's endpoint answers it with a soap:Server fault). Until the guard catches it itself,
it is caught here and refused as what it is: malformed XML.
"""

from __future__ import annotations

from lxml import etree

from tpn.fixtures import xmlguard


def malformed(what: str) -> xmlguard.Refused:
    return xmlguard.Refused(
        "xml.syntax", f"{what} is not well-formed XML (an element name that cannot be read)"
    )


def parse(data: bytes, *, max_depth: int, max_elements: int, what: str) -> etree._Element:
    """``xmlguard.parse``, every refusal a ``xmlguard.Refused``."""
    try:
        return xmlguard.parse(data, max_depth=max_depth, max_elements=max_elements, what=what)
    except ValueError:
        raise malformed(what) from None
