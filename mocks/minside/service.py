"""MinSide's SOAP handler: the six operations of its three services, model objects in and out.

The handler turns a request into ``MinSide``'s calls and its answer (or its ``Rejected``) into
the operation's response with ``status`` OK, WARNING or ERROR and coded messages, as Noark-4 WS
answers. It never raises for a business breach: faults are left to the shared endpoint, for
messages the schema refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tpn.mocks.minside import model as m
from tpn.mocks.minside.minside import MeldingInn, MinSide, SakInn
from tpn.mocks.minside.records import Tjeneste, Vedlegg
from tpn.mocks.minside.rules import Rejected
from tpn.mocks.soap.faults import clip

__all__ = ["MinSideService", "error_answer"]

Warning_ = tuple[str, str]


def _status(warnings: Iterable[Warning_] = ()) -> Any:
    msgs = [m.MessageType(code=c, text=clip(t)) for c, t in warnings]
    return m.StatusType(type="WARNING" if msgs else "OK", message=msgs or None)


def _error(code: str, text: str) -> Any:
    # A message may quote the client's values: clipped, so an answer never echoes megabytes.
    return m.StatusType(type="ERROR", message=[m.MessageType(code=code, text=clip(text))])


def error_answer(operation: str, code: str, text: str) -> Any:
    """The answer of ``operation`` with status ERROR and one message (the endpoint's
    ``error_answer``, for an injected ``error-status`` fault)."""
    return m.OPERATIONS[operation][1](status=_error(code, text))


def _bytes(data: Any) -> bytes:
    # Base64 content arrives as a list of chunks (engineering notes).
    if data is None:
        return b""
    return data if isinstance(data, bytes) else b"".join(data)


def _tjeneste(t: Tjeneste) -> Any:
    return m.TjenesteType(
        tjenesteId=t.tjenesteId,
        kommunenummer=t.kommunenummer,
        eierOrgnr=t.eierOrgnr,
        navn=t.navn,
        beskrivelse=t.beskrivelse,
        url=t.url,
        sikkerhetsnivaa=t.sikkerhetsnivaa,
        kategori=t.kategori,
        skjemaId=t.skjemaId,
    )


class MinSideService:
    """The handler of MinSide's three endpoints (``tpn.mocks.soap.service.Handler``)."""

    def __init__(self, minside: MinSide) -> None:
        self.minside = minside
        self._ops: dict[str, Callable[[Any], Any]] = {
            "RegistrerTjeneste": self.registrer_tjeneste,
            "AvregistrerTjeneste": self.avregistrer_tjeneste,
            "HentTjenester": self.hent_tjenester,
            "SendMelding": self.send_melding,
            "HentMeldingStatus": self.hent_melding_status,
            "OppdaterSaksstatus": self.oppdater_saksstatus,
        }

    def handle(self, operation: str, request: Any) -> Any:
        try:
            return self._ops[operation](request)
        except Rejected as r:
            return error_answer(operation, r.code, r.text)

    def registrer_tjeneste(self, req: Any) -> Any:
        t = req.tjeneste
        stored = self.minside.register(
            Tjeneste(
                tjenesteId=t.tjenesteId,
                kommunenummer=t.kommunenummer,
                eierOrgnr=t.eierOrgnr,
                navn=t.navn,
                beskrivelse=t.beskrivelse,
                url=t.url,
                sikkerhetsnivaa=int(t.sikkerhetsnivaa),
                kategori=t.kategori,
                skjemaId=t.skjemaId,
            )
        )
        return m.RegistrerTjenesteResponse(status=_status(), tjeneste=_tjeneste(stored))

    def avregistrer_tjeneste(self, req: Any) -> Any:
        self.minside.unregister(req.tjenesteId, req.eierOrgnr)
        return m.AvregistrerTjenesteResponse(status=_status())

    def hent_tjenester(self, req: Any) -> Any:
        found = self.minside.find_services(req.kommunenummer, req.kategori)
        return m.HentTjenesterResponse(
            status=_status(), tjeneste=[_tjeneste(t) for t in found] or None
        )

    def send_melding(self, req: Any) -> Any:
        x = req.melding
        sent = self.minside.send(
            MeldingInn(
                mottaker=x.mottaker,
                avsenderOrgnr=x.avsenderOrgnr,
                avsenderNavn=x.avsenderNavn,
                tittel=x.tittel,
                tekst=x.tekst,
                lenke=x.lenke,
                sikkerhetsnivaa=int(x.sikkerhetsnivaa),
                eksternReferanse=x.eksternReferanse,
                vedlegg=tuple(
                    Vedlegg(v.filnavn, v.mimeType, _bytes(v.data)) for v in x.vedlegg or ()
                ),
            )
        )
        return m.SendMeldingResponse(status=_status(sent.warnings), meldingId=sent.meldingId)

    def hent_melding_status(self, req: Any) -> Any:
        found = self.minside.message_status(req.meldingId, req.avsenderOrgnr)
        return m.HentMeldingStatusResponse(
            status=_status(), meldingStatus=found.status, aarsak=found.aarsak
        )

    def oppdater_saksstatus(self, req: Any) -> Any:
        s = req.sak
        warnings = self.minside.update_case(
            SakInn(
                mottaker=s.mottaker,
                avsenderOrgnr=s.avsenderOrgnr,
                saksnummer=s.saksnummer,
                tittel=s.tittel,
                status=s.status,
                tidspunkt=s.tidspunkt,
                lenke=s.lenke,
            )
        )
        return m.OppdaterSaksstatusResponse(status=_status(warnings))
