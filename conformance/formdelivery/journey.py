"""Judging the whole journey (issue 12, ``--with-minside``): from the archive's and MinSide's
stores, never from what the engine says.

For each journey application the suite knows what it did: which persona it logged in, at what
level, what the citizen typed (another person as Innsender), whether it handed over a forged
login, and which saStatus it later gave the case in the archive. Each application's persona is
its own (the suite picks a fresh one), so the messages and cases MinSide holds for that persona
from the form's municipality are the application's, whatever keys the engine chose.

``judge(application, archive_cases, minside)`` gives each FD-J requirement's finding:

- FD-J-001 Innsender (the filed form's and the entry's sender) is the login's uid;
- FD-J-002 the filed form's sikkerhetsnivaa is the login's level;
- FD-J-003 a forged login delivers nothing (no case, no message, no MinSide case);
- FD-J-004 the receipt reaches the login's uid and its tittel names the archive's saksnummer;
- FD-J-005 the MinSide case's saksnummer is the archive's;
- FD-J-006 the MinSide case's status is the archive's saStatus, mapped (README, "The whole
  journey"), after the engine was asked to sync;
- FD-J-007 exactly one receipt and one MinSide case per application.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tpn.fixtures import xmlguard

# The profile's mapping of the archive's saStatus to MinSide's case status.
STATUS_BY_SA_STATUS: Mapping[str, str] = {
    "R": "MOTTATT",
    "B": "UNDER_BEHANDLING",
    "P": "UNDER_BEHANDLING",
    "S": "VEDTAK_FATTET",
    "F": "VEDTAK_FATTET",
    "A": "AVSLUTTET",
    "U": "AVSLUTTET",
}
REQUIREMENTS = tuple(f"FD-J-00{n}" for n in range(1, 8))


@dataclass(frozen=True)
class Application:
    """What the suite did for one journey application."""

    referanse: str
    uid: str  # who logged in
    level: int  # the login's level
    typed: str  # the fødselsnummer the citizen typed as Innsender (another person)
    avsender_orgnr: str  # the form's Mottaker: the sender at MinSide
    forged: bool = False  # the login handed over was tampered with
    synced_sa_status: str | None = None  # the saStatus the case had when the engine synced


@dataclass(frozen=True)
class Finding:
    passed: bool
    detail: str


def _case(cases: list[dict[str, Any]], referanse: str) -> list[dict[str, Any]]:
    return [c for c in cases if (c.get("saEksternNokkel") or {}).get("nokkel") == referanse]


def _form(case: Mapping[str, Any]) -> Any:
    """The filed form XML (the first XML document of the case), parsed through the guard."""
    for entry in case.get("journpost", []):
        for doc in entry.get("dokument", []):
            content = (doc.get("fil") or {}).get("content", b"")
            if isinstance(content, bytes) and content.lstrip().startswith(b"<"):
                try:
                    return xmlguard.parse(
                        content, max_depth=64, max_elements=10_000, what="the form"
                    )
                except xmlguard.Refused:
                    return None
    return None


def _senders(case: Mapping[str, Any]) -> list[str]:
    return [
        str(am.get("amFodselsnr"))
        for entry in case.get("journpost", [])
        for am in entry.get("avsmot", [])
        if am.get("amFodselsnr")
    ]


def judge(
    app: Application, archive_cases: list[dict[str, Any]], minside: Mapping[str, Any]
) -> dict[str, Finding]:
    """Each FD-J requirement's finding for ``app`` (absent: not judged by this application)."""
    cases = _case(archive_cases, app.referanse)
    messages = [
        m
        for m in minside.get("meldinger", [])
        if m.get("mottaker") in (app.uid, app.typed)
        and m.get("avsenderOrgnr") == app.avsender_orgnr
    ]
    saker = [
        s
        for s in minside.get("saker", [])
        if s.get("mottaker") in (app.uid, app.typed)
        and s.get("avsenderOrgnr") == app.avsender_orgnr
    ]
    found: dict[str, Finding] = {}
    if app.forged:
        nothing = not cases and not messages and not saker
        found["FD-J-003"] = Finding(
            nothing,
            "nothing delivered"
            if nothing
            else f"a forged login made {len(cases)} case(s), {len(messages)} message(s), "
            f"{len(saker)} MinSide case(s)",
        )
        return found
    if len(cases) != 1:
        detail = f"the archive holds {len(cases)} case(s) for {app.referanse}"
        return {r: Finding(False, detail) for r in REQUIREMENTS if r != "FD-J-003"}
    case = cases[0]
    saksnummer = f"{case.get('saSaar')}/{case.get('saSeknr')}"
    form = _form(case)
    innsender = form.findtext("{*}Innsender/{*}foedselsnummer") if form is not None else None
    level = form.findtext("{*}Metadata/{*}sikkerhetsnivaa") if form is not None else None
    senders = _senders(case)
    found["FD-J-001"] = Finding(
        innsender == app.uid and senders == [app.uid],
        f"Innsender {'is' if innsender == app.uid else 'is not'} the login's uid; "
        f"the entry's sender {'is' if senders == [app.uid] else 'is not'}",
    )
    found["FD-J-002"] = Finding(
        level == str(app.level), f"sikkerhetsnivaa {level!r}, the login's {app.level}"
    )
    to_uid = [m for m in messages if m.get("mottaker") == app.uid]
    named = [m for m in to_uid if saksnummer in str(m.get("tittel", ""))]
    found["FD-J-004"] = Finding(
        bool(named),
        f"{len(to_uid)} message(s) to the login's uid, {len(named)} naming {saksnummer}",
    )
    matching = [s for s in saker if s.get("saksnummer") == saksnummer]
    found["FD-J-005"] = Finding(
        bool(matching) and len(matching) == len(saker),
        f"MinSide cases {[s.get('saksnummer') for s in saker]}, the archive's {saksnummer}",
    )
    if app.synced_sa_status is not None:
        # The application's cases, whatever their saksnummer (that is FD-J-005's).
        want = STATUS_BY_SA_STATUS.get(app.synced_sa_status)
        have = [s.get("status") for s in saker]
        found["FD-J-006"] = Finding(
            have == [want],
            f"MinSide shows {have}, the archive's saStatus {app.synced_sa_status} is {want}",
        )
    found["FD-J-007"] = Finding(
        len(messages) == 1 and len(saker) == 1,
        f"{len(messages)} receipt(s) and {len(saker)} MinSide case(s)",
    )
    return found
