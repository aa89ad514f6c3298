"""What the client sent and what MinSide answered, read from MinSide's journal.

Each request is parsed through the hostile-XML guard; ``Sent`` gives the operation's object
(``melding``, ``sak``, ``tjeneste``) as plain values, and the answer's status and codes. A
request the journal kept only in part (bigger than its record limit) cannot be read back and
is left out (``readable`` False).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

from tpn.fixtures import xmlguard

if TYPE_CHECKING:
    from tpn.mocks.core.journal import Exchange

MAX_DEPTH = 64
MAX_ELEMENTS = 100_000
OBJECTS = {"SendMelding": "melding", "OppdaterSaksstatus": "sak", "RegistrerTjeneste": "tjeneste"}


@dataclass(frozen=True)
class Attachment:
    filnavn: str
    mimeType: str
    size: int  # bytes, decoded


@dataclass(frozen=True)
class Sent:
    """One request of the client and MinSide's answer to it."""

    exchange_id: int
    operation: str
    values: dict[str, str]  # the object's simple children, by local name
    vedlegg: tuple[Attachment, ...] = ()
    status: str | None = None  # OK, WARNING, ERROR; None where no SOAP answer came back
    codes: tuple[str, ...] = field(default_factory=tuple)

    def get(self, name: str) -> str | None:
        return self.values.get(name)


def _parse(data: bytes, what: str) -> etree._Element | None:
    try:
        return xmlguard.parse(data, max_depth=MAX_DEPTH, max_elements=MAX_ELEMENTS, what=what)
    except xmlguard.Refused:
        return None


def _decoded_size(text: str) -> int:
    try:
        return len(base64.b64decode("".join(text.split()), validate=True))
    except (binascii.Error, ValueError):
        return -1


def read(exchange: Exchange) -> Sent | None:
    """The request of ``exchange`` and its answer, or None if it cannot be read back."""
    name = OBJECTS.get(exchange.operation)
    if name is None or len(exchange.request) < exchange.request_size:
        return None
    root = _parse(exchange.request, "the request")
    if root is None:
        return None
    obj = next(root.iter(f"{{*}}{name}"), None)
    if obj is None:
        return None
    values: dict[str, str] = {}
    vedlegg: list[Attachment] = []
    for child in obj:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local == "vedlegg":
            vedlegg.append(
                Attachment(
                    child.findtext("{*}filnavn") or "",
                    child.findtext("{*}mimeType") or "",
                    _decoded_size(child.findtext("{*}data") or ""),
                )
            )
        elif len(child) == 0:
            values[local] = child.text or ""
    status: str | None = None
    codes: tuple[str, ...] = ()
    answer = _parse(exchange.response, "the answer") if exchange.response else None
    if answer is not None:
        found = next(answer.iter("{*}status"), None)
        if found is not None:
            status = found.get("type")
            codes = tuple(m.get("code") or "" for m in found.iter("{*}message"))
    return Sent(exchange.id, exchange.operation, values, tuple(vedlegg), status, codes)


def sent(exchanges: list[Exchange], operation: str) -> list[Sent]:
    """The readable requests of ``operation`` among ``exchanges``, in order."""
    out = []
    for e in exchanges:
        if e.operation == operation:
            got = read(e)
            if got is not None:
                out.append(got)
    return out
