"""The Noark-4 WS message model: the one source of the WSDL, the XSD and the wire format.

Element names, order and types follow ``shared/standards/noark4ws.md`` (types namespace of
the Noark4-1-WS-WD working draft). Every field is declared ``nillable=False`` so that the
exported schema has one clean type per object and no ``xsi:nil`` surprises; optional fields are
``minOccurs="0"``, required ones ``minOccurs="1"``, repeated ones ``maxOccurs="unbounded"``.
Spyne cannot express ``xs:choice``: "exactly one selector" and "base64 or ref" are checked by
the archive.
"""

from __future__ import annotations

from typing import Any

from spyne import (
    Boolean,
    ByteArray,
    ComplexModel,
    Date,
    Integer,
    Unicode,
    XmlAttribute,
    XmlData,
)

NS = "http://www.arkivverket.no/Noark4-1-WS-WD/types"


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


Str = Unicode
Int = Integer


class MessageType(_Base):
    code = XmlAttribute(Unicode)
    text = XmlData(Unicode)


class StatusType(_Base):
    message = many(MessageType)
    type = XmlAttribute(Unicode(min_occurs=1))


class EksternNokkelType(_Base):
    eksternSystem = req(Str)
    nokkel = req(Str)


class EksternDataType(_Base):
    eksternSystem = req(Str)
    innhold = req(Str)


class SearchCriteriaType(_Base):
    fieldName = req(Str)
    fieldValue = req(Str)


class KlasseringType(_Base):
    klSort = opt(Str)
    klOrdnpri = req(Str)
    klOrdnver = req(Str)
    klU1 = opt(Str)
    klOpltekst = opt(Str)
    klOvbesk = opt(Str)


class SakspartType(_Base):
    spId = opt(Str)
    spOrgnr = opt(Str)
    spFodselsnr = opt(Str)
    spU1 = opt(Str)
    spKortnavn = opt(Str)
    spNavn = req(Str)
    spAdresse = opt(Str)
    spPostnr = opt(Str)
    spPoststed = opt(Str)
    spUtland = opt(Str)
    spEpostadr = opt(Str)
    spKontakt = opt(Str)
    spRolle = opt(Str)
    spFaks = opt(Str)
    spTlf = opt(Str)
    spMerknad = opt(Str)


class TilleggsinfoType(_Base):
    tiId = opt(Str)
    tiRnr = opt(Str)
    tiItype = req(Str)
    tiTgkode = opt(Str)
    tiOppbedato = opt(Date)
    tiTekst = req(Str)
    tiTggruppnavn = opt(Str)


class AvsmotType(_Base):
    amId = opt(Str)
    amOrgnr = opt(Str)
    amFodselsnr = opt(Str)
    amIhtype = req(Str)
    amKopimot = opt(Str)
    amBehansv = opt(Str)
    amNavn = opt(Str)
    amU1 = opt(Str)
    amKortnavn = opt(Str)
    amAdresse = opt(Str)
    amPostnr = opt(Str)
    amPoststed = opt(Str)
    amUtland = opt(Str)
    amEpostadr = opt(Str)
    amRef = opt(Str)
    amJenhet = opt(Str)
    amAvskm = opt(Str)
    amAvskdato = opt(Date)
    amFrist = opt(Date)
    amForsend = opt(Str)
    amAdmkort = opt(Str)
    amAdmbet = opt(Str)
    amSbhinit = opt(Str)
    amSbhnavn = opt(Str)
    amAvsavdok = opt(Str)
    amBesvardok = opt(Str)
    amAvsavEksternNokkel = opt(EksternNokkelType)
    amBesvarEksternNokkel = opt(EksternNokkelType)


class FilType(_Base):
    base64 = opt(ByteArray)
    ref = opt(Str)


class DokumentType(_Base):
    dlRnr = opt(Int)
    dlType = opt(Str)
    dbKategori = opt(Str)
    dbTittel = opt(Str)
    dbStatus = opt(Str)
    veVariant = opt(Str)
    veDokformat = opt(Str)
    fil = opt(FilType)
    veFilnavn = req(Str)
    veMimeType = req(Str)


class JournpostType(_Base):
    jpId = opt(Str)
    jpJaar = opt(Int)
    jpSeknr = opt(Int)
    jpJpostnr = opt(Int)
    jpJdato = opt(Date)
    jpNdoktype = opt(Str)
    jpDokdato = opt(Date)
    jpStatus = opt(Str)
    jpInnhold = req(Str)
    jpU1 = opt(Str)
    jpForfdato = opt(Date)
    jpTgkode = opt(Str)
    jpUoff = opt(Str)
    jpAgdato = opt(Date)
    jpAgkode = opt(Str)
    jpSaksdel = opt(Str)
    jpU2 = opt(Str)
    jpArkdel = opt(Str)
    jpTlkode = opt(Str)
    jpAntved = opt(Int)
    jpSaar = opt(Int)
    jpSaseknr = opt(Int)
    jpOffinnhold = opt(Str)
    jpTggruppnavn = opt(Str)
    jpEksternNokkel = opt(EksternNokkelType)
    jpSaEksternNokkel = opt(EksternNokkelType)
    avsmot = many(AvsmotType)
    tilleggsinfo = many(TilleggsinfoType)
    dokument = many(DokumentType)


class MatrikkelnummerType(_Base):
    kommunenummer = req(Str)
    gaardsnummer = req(Int)
    bruksnummer = req(Int)
    festenummer = opt(Int)
    seksjonsnummer = opt(Int)


class BygningType(_Base):
    bygningsnummer = req(Str)
    endringsloepenummer = opt(Str)


class PunktType(_Base):
    koordinatsystem = req(Str)
    x = req(Str)
    y = req(Str)


class PlanType(_Base):
    kommunenummer = req(Str)
    planident = req(Str)


class NoarksakType(_Base):
    saId = opt(Str)
    saSaar = opt(Int)
    saSeknr = opt(Int)
    saPapir = opt(Str)
    saDato = opt(Date)
    saTittel = req(Str)
    saU1 = opt(Str)
    saStatus = opt(Str)
    saArkdel = opt(Str)
    saType = opt(Str)
    saJenhet = opt(Str)
    saTgkode = opt(Str)
    saUoff = opt(Str)
    saBevtid = opt(Str)
    saKasskode = opt(Str)
    saKassdato = opt(Date)
    saProsjekt = opt(Str)
    saOfftittel = opt(Str)
    saAdmkort = opt(Str)
    saAdmbet = opt(Str)
    saAnsvinit = opt(Str)
    saAnsvnavn = opt(Str)
    saTggruppnavn = opt(Str)
    saEksternNokkel = opt(EksternNokkelType)
    klassering = many(KlasseringType)
    sakspart = many(SakspartType)
    journpost = many(JournpostType)
    tilleggsinfo = many(TilleggsinfoType)
    matrikkelnummer = many(MatrikkelnummerType)
    bygning = many(BygningType)
    punkt = many(PunktType)
    plan = many(PlanType)
    fagsystem = opt(Str)


class NoarksakReturnRequestsType(_Base):
    returnJposts = opt(Boolean)
    returnSakspart = opt(Boolean)
    returnKlassering = opt(Boolean)
    returnTilleggsinfo = opt(Boolean)


class JournpostReturnRequestsType(_Base):
    returnAvmot = opt(Boolean)  # sic: the working draft's spelling
    returnTilleggsinfo = opt(Boolean)
    returnDokument = opt(Boolean)
    returnFil = opt(Boolean)


class SaksnummerType(_Base):
    saSaar = req(Int)
    saSeknr = req(Int)


class LopenummerType(_Base):
    jpJaar = req(Int)
    jpSeknr = req(Int)


class DokumentnummerType(_Base):
    saSaar = req(Int)
    saSeknr = req(Int)
    jpJpostnr = opt(Int)


class GetNoarksakRequest(_Base):
    searchCriteria = many(SearchCriteriaType)
    saId = opt(Str)
    saksnummer = opt(SaksnummerType)
    saEksternNokkel = opt(EksternNokkelType)
    returnNoarksakRequests = opt(NoarksakReturnRequestsType)
    returnJournpostRequests = opt(JournpostReturnRequestsType)


class GetNoarksakResponse(_Base):
    status = req(StatusType)
    noarksak = many(NoarksakType)


class PutNoarksakRequest(_Base):
    noarksak = req(NoarksakType)
    eksternData = opt(EksternDataType)


class PutNoarksakResponse(_Base):
    status = req(StatusType)
    noarksak = opt(NoarksakType)


class GetJournpostRequest(_Base):
    searchCriteria = many(SearchCriteriaType)
    jpId = opt(Str)
    saId = opt(Str)
    lopenummer = opt(LopenummerType)
    dokumentnummer = opt(DokumentnummerType)
    jpEksternNokkel = opt(EksternNokkelType)
    saEksternNokkel = opt(EksternNokkelType)
    returnJournpostRequests = opt(JournpostReturnRequestsType)


class GetJournpostResponse(_Base):
    status = req(StatusType)
    journpost = many(JournpostType)


class PutJournpostRequest(_Base):
    journpost = req(JournpostType)
    eksternData = opt(EksternDataType)


class PutJournpostResponse(_Base):
    status = req(StatusType)
    journpost = opt(JournpostType)


# operation name -> (request class, response class); the service and the codec both use it.
OPERATIONS: dict[str, tuple[type[Any], type[Any]]] = {
    "GetNoarksak": (GetNoarksakRequest, GetNoarksakResponse),
    "PutNoarksak": (PutNoarksakRequest, PutNoarksakResponse),
    "GetJournpost": (GetJournpostRequest, GetJournpostResponse),
    "PutJournpost": (PutJournpostRequest, PutJournpostResponse),
}
