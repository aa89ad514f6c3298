"""Hand-written request envelopes, for the checks that must send what no toolkit would."""

from __future__ import annotations

from xml.sax.saxutils import escape

NS = "http://www.arkivverket.no/Noark4-1-WS-WD/types"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"

# Every child list of a case (entries included), and of an entry but the file content.
FLAGS_SAK = {
    "returnJposts": True,
    "returnSakspart": True,
    "returnKlassering": True,
    "returnTilleggsinfo": True,
}
FLAGS_JP = {"returnAvmot": True, "returnTilleggsinfo": True, "returnDokument": True}
FLAGS_JP_FIL = {**FLAGS_JP, "returnFil": True}


def envelope(body: str, *, header: str = "", soap_ns: str = SOAP11) -> bytes:
    head = f"<s:Header>{header}</s:Header>" if header else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>'
        f'<s:Envelope xmlns:s="{soap_ns}" xmlns:n="{NS}">{head}<s:Body>{body}</s:Body></s:Envelope>'
    ).encode()


def get_sak_by_id(said: str) -> str:
    return f"<n:GetNoarksakRequest><n:saId>{escape(said)}</n:saId></n:GetNoarksakRequest>"


def put_sak(title: str, extra: str = "") -> str:
    """A PutNoarksakRequest; ``extra`` is raw XML placed after saTittel."""
    return (
        f"<n:PutNoarksakRequest><n:noarksak><n:saTittel>{title}</n:saTittel>{extra}"
        f"</n:noarksak></n:PutNoarksakRequest>"
    )
