"""The form engine's defect registry: every defect is one entry, naming the seams it replaces.

Built on ``tpn.mocks.core.defect_registry``, over the engine's seams, its ``Policies``. What
each defect does wrong and which requirements must catch it is its entry in
``fixtures/standards/formdelivery/defects.toml`` (``catalogue.py``). Adding a defect is one
entry here, its variant in ``variants.py``, one catalogue entry and one test
(``tests/test_formengine_defects.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from tpn.mocks.core.defect_registry import Entry, Hook, Registry
from tpn.mocks.formengine import form as forms
from tpn.mocks.formengine.defects import variants as v
from tpn.mocks.formengine.defects.catalogue import names
from tpn.mocks.formengine.policies import REFERENCE, MessageFilter, Policies


def replaces(seam: str, variant: Any) -> Hook[Policies]:
    """The policy field ``seam`` becomes ``variant``."""

    def put(p: Policies) -> Policies:
        return dataclasses.replace(p, **{seam: variant})

    return Hook(f"policy {seam}", put)


def filters(seam: str, variant: MessageFilter) -> Hook[Policies]:
    """``variant`` has the last word on the message of ``seam`` (after any earlier filter)."""

    def put(p: Policies) -> Policies:
        current: MessageFilter = getattr(p, seam)
        chained: Any = v.then(current, variant)
        return dataclasses.replace(p, **{seam: chained})

    return Hook(f"filter {seam}", put)


_ACCESS_CASE = ("saU1", "saTgkode", "saOfftittel")
_ACCESS_ENTRY = ("jpU1", "jpTgkode", "jpOffinnhold")

REGISTRY: Registry[Policies] = Registry(
    [
        Entry("new-keys-on-retry", (replaces("resend_keys", v.new_keys_on_retry),)),
        Entry("duplicate-on-resend", (replaces("resend_keys", v.case_key_dropped_on_resend),)),
        Entry("no-retry", (replaces("attempts", v.first_attempt_only),)),
        Entry("success-after-error", (replaces("stored", v.any_answer),)),
        Entry("document-reencoded", (replaces("serialise", v.latin1),)),
        Entry("values-padded", (replaces("serialise", v.padded),)),
        Entry("no-pdf", (replaces("render", v.no_rendering),)),
        Entry("fnr-in-title", (replaces("titles", v.titles_with_number),)),
        Entry(
            "no-access-code",
            (
                filters("case_message", v.without(*_ACCESS_CASE)),
                filters("entry_message", v.without(*_ACCESS_ENTRY)),
            ),
        ),
        Entry("wrong-document-type", (filters("entry_message", v.with_fields(jpNdoktype="U")),)),
        Entry("missing-sender", (filters("entry_message", v.without("avsmot")),)),
        Entry("matrikkel-dropped", (filters("case_message", v.without("matrikkelnummer")),)),
        Entry("org-from-job", (replaces("prefill", forms.keep_job_data),)),
        Entry("numbers-sent", (filters("case_message", v.case_numbers),)),
        Entry("keys-from-clock", (replaces("keys", v.keys_from_clock),)),
        Entry("system-per-form", (replaces("keys", v.system_per_form),)),
        Entry("hangs-after-error", (replaces("after_error", v.wait_for_change),)),
        Entry(
            "sender-without-address",
            (filters("entry_message", v.sender_without("amAdresse", "amPostnr", "amPoststed")),),
        ),
        Entry(
            "sender-unnumbered",
            (filters("entry_message", v.sender_without("amFodselsnr", "amOrgnr")),),
        ),
        Entry("no-sender-email", (filters("entry_message", v.sender_without("amEpostadr")),)),
        Entry("case-titled-by-applicant", (filters("case_message", v.case_titled_by_applicant),)),
        Entry("entry-titled-by-form-id", (filters("entry_message", v.entry_titled_by_form_id),)),
        Entry("dokdato-today", (filters("entry_message", v.dokdato_today),)),
        Entry("journalfoert", (filters("entry_message", v.with_fields(jpStatus="J")),)),
        Entry(
            "all-restricted",
            (
                filters("case_message", v.restricted(*_ACCESS_CASE)),
                filters("entry_message", v.restricted(*_ACCESS_ENTRY)),
            ),
        ),
        Entry("xml-as-text", (filters("entry_message", v.main_as_text),)),
        Entry("pdf-as-own-entry", (replaces("filings", v.pdf_as_own_entry),)),
        Entry("pdf-in-own-case", (replaces("filings", v.pdf_in_own_case),)),
    ],
    listed=names,
)


def policies(chosen: Iterable[str]) -> Policies:
    """The seams of an engine with the ``chosen`` defects; an unknown name is a ValueError
    naming every known defect."""
    return REGISTRY.apply(chosen, REFERENCE)
