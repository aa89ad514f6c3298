"""The engine's seams: every choice of a delivery that a vendor's engine might make otherwise.

The reference engine is built from ``REFERENCE``; a defect of the registry
(``defects/registry.py``) puts a vendor's variant into one or more of these fields, chosen once
when the engine is built, so the delivery's code has no switch on a defect. Each field is the
smallest piece that a realistic mistake replaces:

- ``prefill``: how Innsender of an organisation's form is completed (from the register);
- ``serialise``: how the engine writes its document;
- ``render``: the PDF rendering (None: no rendering);
- ``keys``: the external keys of a delivery; ``resend_keys``: the keys an attempt sends;
- ``titles``: the full, public and document titles;
- ``filings``: which documents go into which entry of which case (the reference: one case, one
  entry, every document in it);
- ``case_message`` / ``entry_message``: the last word on the PutNoarksak / PutJournpost
  message (the reference leaves it as built);
- ``attempts``: how many attempts a call gets, given ``--retries``;
- ``stored``: whether an answer means the archive stored the object;
- ``after_error``: what the engine does, given its pause, once the archive has answered a
  request with ERROR, before it reports the failure (the reference: nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tpn.mocks.formengine import form as forms
from tpn.mocks.formengine import messages
from tpn.mocks.formengine.archive import Answer
from tpn.mocks.formengine.form import AskRegister, Form
from tpn.mocks.formengine.job import DeliveryJob
from tpn.mocks.formengine.messages import Filing, Keys, Titles
from tpn.mocks.formengine.render import render

Message = dict[str, Any]
MessageFilter = Callable[[Form, Message], Message]
Prefill = Callable[[Any, DeliveryJob, AskRegister], None]
ResendKeys = Callable[[str, Keys, int], "Keys | None"]
Filings = Callable[[Keys, list[dict[str, Any]]], list[Filing]]
Sleep = Callable[[float], None]


def unchanged(form: Form, message: Message) -> Message:
    return message


def same_keys(operation: str, keys: Keys, attempt: int) -> Keys | None:
    """The reference: every attempt sends the first attempt's keys (a resend is then safe)."""
    return keys


def retries_and_first(retries: int) -> int:
    return retries + 1


def not_error(answer: Answer) -> bool:
    """The reference: stored unless the archive answered ERROR (a WARNING is stored too)."""
    return answer.status in ("OK", "WARNING")


def give_up(sleep: Sleep) -> None:
    """The reference: an ERROR is the archive's answer; the engine reports it at once."""


@dataclass(frozen=True)
class Policies:
    prefill: Prefill = forms.prefill_from_register
    serialise: Callable[[Any], bytes] = forms.serialise
    render: Callable[[Form], bytes | None] = render
    keys: Callable[[Form], Keys] = messages.keys_of_form
    resend_keys: ResendKeys = same_keys
    titles: Callable[[Form], Titles] = messages.titles_of_form
    filings: Filings = messages.one_entry
    case_message: MessageFilter = unchanged
    entry_message: MessageFilter = unchanged
    attempts: Callable[[int], int] = retries_and_first
    stored: Callable[[Answer], bool] = not_error
    after_error: Callable[[Sleep], None] = give_up


REFERENCE = Policies()
