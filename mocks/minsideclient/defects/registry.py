"""The MinSide client's defect registry: every defect is one entry, naming the seams it
replaces (on ``tpn.mocks.core.defect_registry``, over the client's ``Policies``). What each
defect does wrong and which requirements must catch it is its entry in
``fixtures/standards/minsideclient/defects.toml`` (``catalogue.py``). Adding a defect is one
entry here, its variant in ``variants.py``, one catalogue entry and one test
(``tests/test_minsideclient_defects.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from tpn.mocks.core.defect_registry import Entry, Hook, Registry
from tpn.mocks.minsideclient.defects import variants as v
from tpn.mocks.minsideclient.defects.catalogue import names
from tpn.mocks.minsideclient.policies import REFERENCE, MessageFilter, Policies


def replaces(seam: str, variant: Any) -> Hook[Policies]:
    """The policy field ``seam`` becomes ``variant``."""

    def put(p: Policies) -> Policies:
        return dataclasses.replace(p, **{seam: variant})

    return Hook(f"policy {seam}", put)


def filters(seam: str, variant: MessageFilter) -> Hook[Policies]:
    """``variant`` has the last word on the object of ``seam`` (after any earlier filter)."""

    def put(p: Policies) -> Policies:
        current: MessageFilter = getattr(p, seam)
        chained: Any = v.then(current, variant)
        return dataclasses.replace(p, **{seam: chained})

    return Hook(f"filter {seam}", put)


REGISTRY: Registry[Policies] = Registry(
    [
        Entry("new-reference-on-retry", (replaces("reference", v.reference_per_attempt),)),
        Entry("reference-per-job", (replaces("reference", v.reference_per_job),)),
        Entry("no-retry", (replaces("attempts", v.first_attempt_only),)),
        Entry("success-after-error", (replaces("stored", v.any_answer),)),
        Entry("register-stub", (replaces("registers", False),)),
        Entry(
            "owner-is-vendor",
            (filters("service_message", v.with_fields(eierOrgnr=v.VENDOR_ORGNR)),),
        ),
        Entry(
            "sender-is-vendor",
            (
                filters("receipt_message", v.with_fields(avsenderOrgnr=v.VENDOR_ORGNR)),
                filters("case_message", v.with_fields(avsenderOrgnr=v.VENDOR_ORGNR)),
            ),
        ),
        Entry(
            "sender-named-as-vendor",
            (filters("receipt_message", v.with_fields(avsenderNavn=v.VENDOR_NAME)),),
        ),
        Entry("fnr-in-title", (filters("receipt_message", v.title_with_number),)),
        Entry("fnr-in-case-title", (filters("case_message", v.case_title_with_number),)),
        Entry("http-link", (filters("receipt_message", v.http_link),)),
        Entry("level-two", (filters("receipt_message", v.with_fields(sikkerhetsnivaa=2)),)),
        Entry("no-receipt-link", (filters("receipt_message", v.without("lenke")),)),
        Entry("receipt-without-saksnummer", (filters("receipt_message", v.without_saksnummer),)),
        Entry(
            "attachment-octet-stream",
            (filters("receipt_message", v.attachments_as("application/octet-stream")),),
        ),
        Entry(
            "receipt-renamed", (filters("receipt_message", v.attachments_named("kvittering.pdf")),)
        ),
        Entry("case-links-to-service", (filters("case_message", v.link_to_service),)),
        Entry("reset-then-set", (replaces("statuses", v.reset_then_set),)),
        Entry("status-time-of-sending", (filters("case_message", v.time_of_sending),)),
        Entry(
            "mottaker-spaced",
            (
                filters("receipt_message", v.mottaker_spaced),
                filters("case_message", v.mottaker_spaced),
            ),
        ),
        Entry("long-case-title", (filters("case_message", v.case_title_with_address),)),
        Entry("http-service-url", (filters("service_message", v.http_url),)),
        Entry("http-case-link", (filters("case_message", v.http_case_link),)),
        Entry("hangs-after-error", (replaces("stored", v.waits_after_error),)),
    ],
    listed=names,
)


def policies(chosen: Iterable[str]) -> Policies:
    """The seams of a client with the ``chosen`` defects; an unknown name is a ValueError
    naming every known defect."""
    return REGISTRY.apply(chosen, REFERENCE)
