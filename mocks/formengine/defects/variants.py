"""A vendor's variants of the engine's seams, one per mistake (``registry.py`` names them).

Each replaces or wraps one field of ``Policies``; what it does wrong is in its docstring and, for
people, in ``fixtures/standards/formdelivery/defects.toml``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lxml import etree

from tpn.mocks.formengine import messages
from tpn.mocks.formengine.archive import Answer
from tpn.mocks.formengine.form import Form
from tpn.mocks.formengine.messages import Filing, Keys, Titles
from tpn.mocks.formengine.policies import Message, MessageFilter, Sleep


def new_keys_on_retry(operation: str, keys: Keys, attempt: int) -> Keys | None:
    """Each attempt gets a fresh nokkel (the referanse with the attempt's number after it)."""
    return keys if attempt == 1 else Keys(keys.system, f"{keys.nokkel}-{attempt}")


def case_key_dropped_on_resend(operation: str, keys: Keys, attempt: int) -> Keys | None:
    """A resent PutNoarksak carries no saEksternNokkel, so the archive makes a second case."""
    return None if operation == "PutNoarksak" and attempt > 1 else keys


def first_attempt_only(retries: int) -> int:
    return 1


def any_answer(answer: Answer) -> bool:
    """Takes every answer as stored, ERROR included."""
    return True


def wait_for_change(sleep: Sleep) -> None:
    """After an ERROR the engine waits for the archive to 'come back', checking every 5 s, and
    never stops waiting: the job is never answered."""
    while True:
        sleep(5.0)


def latin1(root: Any) -> bytes:
    """The document written in ISO-8859-1 (with a declaration that says so)."""
    out: Any = etree.tostring(root, xml_declaration=True, encoding="ISO-8859-1", pretty_print=True)
    return bytes(out)


def padded(root: Any) -> bytes:
    """Indents inside values too: every free-text value (one with a space in it) gets a line
    break and indentation around it, as a careless pretty-printer does."""
    copy: Any = etree.fromstring(etree.tostring(root))
    for el in copy.iter(etree.Element):
        if len(el) == 0 and el.text and " " in el.text.strip():
            el.text = f"\n    {el.text}\n  "
    out: bytes = etree.tostring(copy, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return out


def no_rendering(form: Form) -> bytes | None:
    return None


def titles_with_number(form: Form) -> Titles:
    """The applicant's fødselsnummer (or organisasjonsnummer) after the name in the titles."""
    plain = messages.titles_of_form(form)
    number = form.applicant.foedselsnummer or form.applicant.organisasjonsnummer or ""
    return Titles(
        full=f"{plain.full} ({number})", public=plain.public, document=f"{plain.document} {number}"
    )


def keys_from_clock(form: Form) -> Keys:
    """The nokkel is the moment the delivery started (microseconds), not the referanse."""
    return Keys(messages.SYSTEM, dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f"))


def system_per_form(form: Form) -> Keys:
    """eksternSystem names the form (one 'system' per form), not the engine."""
    return Keys(f"{messages.SYSTEM}-{form.job.skjema_id}", form.job.referanse)


def pdf_as_own_entry(keys: Keys, documents: list[dict[str, Any]]) -> list[Filing]:
    """The rendering goes into an entry of its own in the form's case (its nokkel the
    referanse with "-pdf" after it); the form's entry holds the XML alone."""
    main = [d for d in documents if d["dlType"] == "H"]
    rest = [d for d in documents if d["dlType"] != "H"]
    pdf = Keys(keys.system, f"{keys.nokkel}-pdf")
    return [Filing(keys, keys, main), *([Filing(keys, pdf, rest)] if rest else [])]


def pdf_in_own_case(keys: Keys, documents: list[dict[str, Any]]) -> list[Filing]:
    """The rendering goes into a case of its own, with an entry of its own (both keyed by the
    referanse with "-pdf" after it)."""
    main = [d for d in documents if d["dlType"] == "H"]
    rest = [d for d in documents if d["dlType"] != "H"]
    pdf = Keys(keys.system, f"{keys.nokkel}-pdf")
    return [Filing(keys, keys, main), *([Filing(pdf, pdf, rest)] if rest else [])]


def without(*names: str) -> MessageFilter:
    """A filter that leaves ``names`` out of the message."""

    def drop(form: Form, message: Message) -> Message:
        return {k: v for k, v in message.items() if k not in names}

    return drop


def with_fields(**fields: Any) -> MessageFilter:
    """A filter that sets ``fields`` in the message."""

    def put(form: Form, message: Message) -> Message:
        return {**message, **fields}

    return put


def sender_without(*names: str) -> MessageFilter:
    """A filter that leaves ``names`` out of every avsmot of the entry."""

    def drop(form: Form, message: Message) -> Message:
        senders = [{k: v for k, v in am.items() if k not in names} for am in message["avsmot"]]
        return {**message, "avsmot": senders}

    return drop


def case_titled_by_applicant(form: Form, message: Message) -> Message:
    """saTittel is the applicant's name, then the form's title (the entry keeps its title)."""
    name = form.applicant.navn.strip()
    return {**message, "saTittel": f"{name} - {form.job.tittel}"}


def entry_titled_by_form_id(form: Form, message: Message) -> Message:
    """jpInnhold is the form's skjemaId, KS-BARNEHAGE … (the case keeps its title)."""
    return {**message, "jpInnhold": form.job.skjema_id}


def dokdato_today(form: Form, message: Message) -> Message:
    """jpDokdato is the day of the delivery, not the day the form was sent."""
    return {**message, "jpDokdato": dt.datetime.now(messages.OSLO).date()}


def main_as_text(form: Form, message: Message) -> Message:
    """The main document is registered as plain text (RA-TEKST, text/plain)."""
    documents = [
        {**d, "veDokformat": "RA-TEKST", "veMimeType": "text/plain"} if d["dlType"] == "H" else d
        for d in message["dokument"]
    ]
    return {**message, "dokument": documents}


def restricted(u1: str, code: str, public: str) -> MessageFilter:
    """A filter that marks every form as confidential: U1, tilgangskode 13 and the form's title
    as the public title, on the case (``saU1`` …) or the entry (``jpU1`` …)."""

    def put(form: Form, message: Message) -> Message:
        return {**message, u1: "1", code: messages.TILGANGSKODE, public: form.job.tittel}

    return put


def case_numbers(form: Form, message: Message) -> Message:
    """Sends a case number of its own: the year the form was sent and the count 1."""
    return {**message, "saSaar": form.innsendt.year, "saSeknr": 1}


def then(first: MessageFilter, second: MessageFilter) -> MessageFilter:
    """``second`` applied to what ``first`` gives: defects combine."""

    def both(form: Form, message: Message) -> Message:
        return second(form, first(form, message))

    return both
