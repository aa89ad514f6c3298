"""The journey's defects: vendors' form engines that get the citizen's login or MinSide wrong.

The same mechanism as the delivery's defects (``tpn.mocks.core.defect_registry``), over the
journey's seams (``tpn.mocks.formengine.journey.JourneyPolicies``); a registry of its own so
that the delivery's registry and its catalogue (``defects.toml``) stay as they are. Each
variant is the smallest piece a realistic mistake replaces; the reference code has no switch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from tpn.mocks.core.defect_registry import Entry, Hook, Registry
from tpn.mocks.formengine import login as logins
from tpn.mocks.formengine import minside as ms
from tpn.mocks.formengine.journey import JOURNEY_REFERENCE, JourneyPolicies


def replaces(seam: str, variant: Any) -> Hook[JourneyPolicies]:
    def put(p: JourneyPolicies) -> JourneyPolicies:
        return dataclasses.replace(p, **{seam: variant})

    return Hook(f"journey {seam}", put)


def typed_applicant(login: logins.Login, typed: str | None) -> str:
    """Innsender as the citizen typed it (a citizen can send a form in another's name); the
    receipt, with no typed value to go on, still goes to the login."""
    return typed if typed is not None else login.uid


def typed_level(login: logins.Login, typed: str | None) -> str:
    """sikkerhetsnivaa as the form says, not as the login was."""
    return typed if typed is not None else str(login.level)


def receipt_without_saksnummer(
    sender: ms.Sender, mottaker: str, referanse: str, tittel: str, case: Mapping[str, Any]
) -> dict[str, Any]:
    """The receipt names the application, never the archive's case."""
    melding = ms.receipt(sender, mottaker, referanse, tittel, case)
    melding["tittel"] = f"Kvittering: {tittel[:120]}"
    melding["tekst"] = "Vi har mottatt søknaden din."
    return melding


def receipt_reference_per_attempt(
    sender: ms.Sender, mottaker: str, referanse: str, tittel: str, case: Mapping[str, Any]
) -> dict[str, Any]:
    """The receipt's eksternReferanse is new on every attempt: a job done again sends a second
    receipt, which MinSide cannot tell from a new one."""
    melding = ms.receipt(sender, mottaker, referanse, tittel, case)
    melding["eksternReferanse"] = f"kvittering-{uuid.uuid4().hex}"
    return melding


def own_application_number(
    sender: ms.Sender,
    mottaker: str,
    referanse: str,
    tittel: str,
    case: Mapping[str, Any],
    status: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """The MinSide case is numbered by the engine's own application number (the year and a
    number made from the form's referanse), not by the archive's saSaar/saSeknr."""
    sak = ms.sak(sender, mottaker, tittel, case, status, now)
    number = int(hashlib.sha256(referanse.encode()).hexdigest()[:8], 16) % 9_000_000 + 1_000_000
    sak["saksnummer"] = f"{case['saSaar']}/{number}"
    return sak


def not_synced(sa_status: str) -> str | None:
    """The engine says it synced, and sends nothing."""
    return None


# Checks the signature of nothing: takes the first Assertion's uid as it stands.
UNVERIFIED = dataclasses.replace(
    logins.JOURNEY_CHECKS, signature=False, signed_assertion=False, replay=False
)

REGISTRY: Registry[JourneyPolicies] = Registry(
    [
        Entry("typed-applicant", (replaces("applicant", typed_applicant),)),
        Entry("typed-level", (replaces("level", typed_level),)),
        Entry("unverified-login", (replaces("checks", UNVERIFIED),)),
        Entry("receipt-without-saksnummer", (replaces("receipt", receipt_without_saksnummer),)),
        Entry("status-not-synced", (replaces("status", not_synced),)),
        Entry(
            "receipt-reference-per-attempt",
            (replaces("receipt", receipt_reference_per_attempt),),
        ),
        Entry("own-application-number", (replaces("case", own_application_number),)),
    ]
)


def policies(chosen: Iterable[str]) -> JourneyPolicies:
    """The journey's seams with the ``chosen`` defects; an unknown name is a ValueError."""
    return REGISTRY.apply(chosen, JOURNEY_REFERENCE)
