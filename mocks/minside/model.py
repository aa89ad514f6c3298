"""MinSide's message model: the one source of its three services' WSDLs and XSDs.

Three SOAP 1.1 document/literal services in one target namespace, in the style of Noark-4 WS
(``shared/standards/minside.md``): the tjenestekatalog, the meldingsboks and mine saker. Body
elements are ``<Operation>Request`` and ``<Operation>Response``; every answer carries ``status``
(``OK``/``WARNING``/``ERROR`` with coded messages), as the archive's do. Element names are the
standard's. Values are plain strings and integers in the schema: an http link, a level of 7 or
a fødselsnummer in a title is a business answer (status ERROR, ``rules.py``), never a fault;
faults are for messages the schema refuses.
"""

from __future__ import annotations

from typing import Any

from spyne import ByteArray, ComplexModel, DateTime, Integer, Unicode, XmlAttribute, XmlData

NS = "http://tpn-harness.example/minside/2007"


def opt(t: Any) -> Any:
    """An optional element (``minOccurs="0"``)."""
    return t.customize(min_occurs=0, nillable=False)


def req(t: Any) -> Any:
    """A required element (``minOccurs="1"``)."""
    return t.customize(min_occurs=1, nillable=False)


def many(t: Any) -> Any:
    """A repeated element (``minOccurs="0" maxOccurs="unbounded"``), not wrapped."""
    return t.customize(min_occurs=0, max_occurs="unbounded", nillable=False)


class _Base(ComplexModel):
    __namespace__ = NS


def _key(path: str) -> Any:
    """A request's ``journal_key()`` (``tpn.mocks.soap.endpoint``): the value at ``path``
    (``melding.eksternReferanse``), the business key the journal records the exchange by."""

    def journal_key(self: Any) -> str | None:
        found = self
        for name in path.split("."):
            found = getattr(found, name, None)
        return found if isinstance(found, str) else None

    return journal_key


class MessageType(_Base):
    code = XmlAttribute(Unicode)
    text = XmlData(Unicode)


class StatusType(_Base):
    message = many(MessageType)
    type = XmlAttribute(Unicode(min_occurs=1))


# ---------------------------------------------------------------- tjenestekatalog


class TjenesteType(_Base):
    tjenesteId = req(Unicode)
    kommunenummer = req(Unicode)
    eierOrgnr = req(Unicode)
    navn = req(Unicode)
    beskrivelse = opt(Unicode)
    url = req(Unicode)
    sikkerhetsnivaa = req(Integer)
    kategori = req(Unicode)
    skjemaId = opt(Unicode)


class RegistrerTjenesteRequest(_Base):
    tjeneste = req(TjenesteType)
    journal_key = _key("tjeneste.tjenesteId")


class RegistrerTjenesteResponse(_Base):
    status = req(StatusType)
    tjeneste = opt(TjenesteType)


class AvregistrerTjenesteRequest(_Base):
    tjenesteId = req(Unicode)
    eierOrgnr = req(Unicode)
    journal_key = _key("tjenesteId")


class AvregistrerTjenesteResponse(_Base):
    status = req(StatusType)


class HentTjenesterRequest(_Base):
    kommunenummer = opt(Unicode)
    kategori = opt(Unicode)


class HentTjenesterResponse(_Base):
    status = req(StatusType)
    tjeneste = many(TjenesteType)


# ---------------------------------------------------------------- meldingsboks


class VedleggType(_Base):
    filnavn = req(Unicode)
    mimeType = req(Unicode)
    data = req(ByteArray)


class MeldingType(_Base):
    mottaker = req(Unicode)
    avsenderOrgnr = req(Unicode)
    avsenderNavn = req(Unicode)
    tittel = req(Unicode)
    tekst = req(Unicode)
    lenke = opt(Unicode)
    sikkerhetsnivaa = req(Integer)
    vedlegg = many(VedleggType)
    eksternReferanse = req(Unicode)


class SendMeldingRequest(_Base):
    melding = req(MeldingType)
    journal_key = _key("melding.eksternReferanse")


class SendMeldingResponse(_Base):
    status = req(StatusType)
    meldingId = opt(Unicode)


class HentMeldingStatusRequest(_Base):
    meldingId = req(Unicode)
    avsenderOrgnr = req(Unicode)
    journal_key = _key("meldingId")


class HentMeldingStatusResponse(_Base):
    status = req(StatusType)
    meldingStatus = opt(Unicode)
    aarsak = opt(Unicode)


# ---------------------------------------------------------------- mine saker


class SakType(_Base):
    mottaker = req(Unicode)
    avsenderOrgnr = req(Unicode)
    saksnummer = req(Unicode)
    tittel = req(Unicode)
    status = req(Unicode)
    tidspunkt = req(DateTime)
    lenke = opt(Unicode)


class OppdaterSaksstatusRequest(_Base):
    sak = req(SakType)
    journal_key = _key("sak.saksnummer")


class OppdaterSaksstatusResponse(_Base):
    status = req(StatusType)


# Each service's operations: name -> (request class, response class), for the endpoint and codec.
TJENESTEKATALOG: dict[str, tuple[type[Any], type[Any]]] = {
    "RegistrerTjeneste": (RegistrerTjenesteRequest, RegistrerTjenesteResponse),
    "AvregistrerTjeneste": (AvregistrerTjenesteRequest, AvregistrerTjenesteResponse),
    "HentTjenester": (HentTjenesterRequest, HentTjenesterResponse),
}
MELDINGSBOKS: dict[str, tuple[type[Any], type[Any]]] = {
    "SendMelding": (SendMeldingRequest, SendMeldingResponse),
    "HentMeldingStatus": (HentMeldingStatusRequest, HentMeldingStatusResponse),
}
MINESAKER: dict[str, tuple[type[Any], type[Any]]] = {
    "OppdaterSaksstatus": (OppdaterSaksstatusRequest, OppdaterSaksstatusResponse),
}
# Every operation of the three, for answers made without knowing the service.
OPERATIONS: dict[str, tuple[type[Any], type[Any]]] = {
    **TJENESTEKATALOG,
    **MELDINGSBOKS,
    **MINESAKER,
}
