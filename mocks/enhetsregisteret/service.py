"""The period SOAP service's logic ("ErFr"): check the caller, look the entity up, answer grunndata.

Every operation answers with a grunndata document, whatever the register finds: a wrong userid
or password is kode -100, a malformed orgnr 1021, an unknown one 1020, a deleted one 1022 (with
the entity's number, name and slettedato), each with hovedStatus -1; a SOAP fault is left for a
request that is not a valid message (the shared endpoint's intake and XSD check).
"""

from __future__ import annotations

import hmac
from typing import Any

from tpn.mocks.enhetsregisteret import grunndata
from tpn.mocks.enhetsregisteret.grunndata import Content
from tpn.mocks.enhetsregisteret.model import OPERATIONS, answer
from tpn.mocks.enhetsregisteret.register import NAME_LENGTH, Code, Register

__all__ = ["CONTENT", "ErFr"]

# What each orgnr operation's melding holds.
CONTENT: dict[str, Content] = {
    "hentBasisdataMini": Content.MINI,
    "hentBasisdata": Content.MINI | Content.BASIS,
    "hentKontaktdata": Content.KONTAKT,
    "hentRoller": Content.ROLLER,
}


def _same(given: str, expected: str) -> bool:
    # UTF-8 bytes: compare_digest refuses a str with non-ASCII characters.
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class ErFr:
    """The handler of the SOAP endpoint (``tpn.mocks.soap.service.Handler``)."""

    def __init__(self, register: Register, credentials: tuple[str, str]) -> None:
        self.register = register
        self.credentials = credentials

    def handle(self, operation: str, request: Any) -> Any:
        return answer(OPERATIONS[operation][1], self.grunndata(operation, request))

    def grunndata(self, operation: str, request: Any) -> str:
        """The answer's document for ``request`` to ``operation``."""
        koder = self.register.koder
        searching = operation == "sokEnhet"
        asked = (request.navn if searching else request.orgnr) or ""
        orgnr = None if searching else asked
        userid, password = request.userid or "", request.password or ""
        # Both compared, always, so that the time taken says nothing of which was wrong.
        known = _same(userid, self.credentials[0]) & _same(password, self.credentials[1])
        if not known:
            text = koder.text(Code.NOT_AUTHORISED)
            return grunndata.document(Code.NOT_AUTHORISED, text, orgnr=orgnr, koder=koder)
        if searching:
            return self._search(asked)
        found = self.register.look_up(asked)
        if found.code is Code.MALFORMED or found.enhet is None:
            text = koder.text(found.code, orgnr=asked)
            return grunndata.document(found.code, text, orgnr=orgnr, koder=koder)
        enhet = found.enhet
        content = CONTENT[operation]
        if found.code is Code.DELETED:
            # A deleted entity is still known by number: say when it went, nothing more.
            content = Content.IDENTITY
            text = koder.text(found.code, orgnr=asked, dato=enhet.slettet)
        else:
            text = koder.text(found.code)
        melding = grunndata.melding(enhet, content, koder)
        return grunndata.document(found.code, text, [melding], orgnr=orgnr, koder=koder)

    def _search(self, navn: str) -> str:
        koder = self.register.koder
        shortest, longest = NAME_LENGTH
        length = len(navn.strip())
        if not shortest <= length <= longest:
            text = koder.text(Code.BAD_NAME, antall=length)
            return grunndata.document(Code.BAD_NAME, text, orgnr=None, koder=koder)
        hits = self.register.search(navn)
        if not hits:
            text = koder.text(Code.NO_HITS, navn=repr(navn.strip()))
            return grunndata.document(Code.NO_HITS, text, orgnr=None, koder=koder)
        meldinger = [grunndata.melding(hit, Content.MINI, koder) for hit in hits]
        return grunndata.document(
            Code.FOUND, koder.text(Code.FOUND), meldinger, orgnr=None, koder=koder
        )
