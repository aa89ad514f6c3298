"""The period SOAP service's message model ("ErFr", grunndata): the one source of its WSDL and XSD.

Every operation takes ``userid``, ``password`` and a selector (``orgnr``; ``sokEnhet`` takes
``navn``), all required strings, and answers with one string, ``return``, that holds the
register's answer as an XML document (root ``grunndata``; its own schema is
``fixtures/standards/enhetsregisteret/grunndata.xsd``). The orgnr is a plain string, not a
9-digit pattern: a malformed number is the register's business answer (hovedStatus -1, kode
1021), never a SOAP fault, as the period service answered it.
"""

from __future__ import annotations

import re
from typing import Any

from spyne import ComplexModel, Unicode

NS = "http://tpn-harness.example/enhetsregisteret/ErFr"

# hovedStatus, read back from an answer for the journal's outcome.
_HOVEDSTATUS = re.compile(r"<hovedStatus>(-?\d+)</hovedStatus>")


def req(t: Any) -> Any:
    """A required element (``minOccurs="1"``), never nil."""
    return t.customize(min_occurs=1, nillable=False)


class _Base(ComplexModel):
    __namespace__ = NS


def _journal_outcome(self: Any) -> str:
    """``ok`` when the register said hovedStatus 0, ``error`` otherwise: the journal's outcome
    of the exchange (``tpn.mocks.soap.endpoint`` asks an answer for it)."""
    found = _HOVEDSTATUS.search(getattr(self, "return", None) or "")
    return "ok" if found is not None and found.group(1) == "0" else "error"


def _returns() -> list[tuple[str, Any]]:
    """An answer's one element, ``return`` (a Python keyword, so declared by name); a new list
    for each class, which Spyne takes over."""
    return [("return", req(Unicode))]


def answer(cls: type[Any], document: str) -> Any:
    """An answer of type ``cls`` holding ``document`` in ``return`` (a Python keyword, so the
    element is declared and filled in by name)."""
    return cls(**{"return": document})


class hentBasisdataMini(_Base):
    userid = req(Unicode)
    password = req(Unicode)
    orgnr = req(Unicode)


class hentBasisdataMiniResponse(_Base):
    _type_info = _returns()
    journal_outcome = _journal_outcome


class hentBasisdata(_Base):
    userid = req(Unicode)
    password = req(Unicode)
    orgnr = req(Unicode)


class hentBasisdataResponse(_Base):
    _type_info = _returns()
    journal_outcome = _journal_outcome


class hentKontaktdata(_Base):
    userid = req(Unicode)
    password = req(Unicode)
    orgnr = req(Unicode)


class hentKontaktdataResponse(_Base):
    _type_info = _returns()
    journal_outcome = _journal_outcome


class hentRoller(_Base):
    userid = req(Unicode)
    password = req(Unicode)
    orgnr = req(Unicode)


class hentRollerResponse(_Base):
    _type_info = _returns()
    journal_outcome = _journal_outcome


class sokEnhet(_Base):
    userid = req(Unicode)
    password = req(Unicode)
    navn = req(Unicode)


class sokEnhetResponse(_Base):
    _type_info = _returns()
    journal_outcome = _journal_outcome


# operation name -> (request class, response class); the endpoint and the codec both use it.
OPERATIONS: dict[str, tuple[type[Any], type[Any]]] = {
    "hentBasisdataMini": (hentBasisdataMini, hentBasisdataMiniResponse),
    "hentBasisdata": (hentBasisdata, hentBasisdataResponse),
    "hentKontaktdata": (hentKontaktdata, hentKontaktdataResponse),
    "hentRoller": (hentRoller, hentRollerResponse),
    "sokEnhet": (sokEnhet, sokEnhetResponse),
}
