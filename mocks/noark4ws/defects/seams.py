"""What the archive is built from, as the defect registry sees it: its seams.

``Seams`` holds the archive's policies (business rules and search matching included), the
filters around its handler, the faults of its endpoint and whether it asks for credentials;
``REFERENCE_SEAMS`` is the standard's archive. The hooks below are the ways a registry entry can
replace a seam: ``rule``, ``policy``, ``search``, ``handler``, ``endpoint`` and
``credentials_unchecked``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tpn.mocks.core.defect_registry import Hook
from tpn.mocks.noark4ws.defects.endpoint import EndpointFaults
from tpn.mocks.noark4ws.defects.endpoint import endpoint as endpoint_for
from tpn.mocks.noark4ws.defects.filters import DefectiveHandler, Filter, HandlerFilter
from tpn.mocks.noark4ws.policies import REFERENCE_POLICIES, Policies
from tpn.mocks.soap.endpoint import SoapEndpoint
from tpn.mocks.soap.service import Handler

if TYPE_CHECKING:
    from tpn.mocks.noark4ws.archive import Archive

NO_FAULTS = EndpointFaults()


@dataclass(frozen=True)
class Seams:
    """The archive's seams: the standard's, unless a defect replaced some."""

    policies: Policies = REFERENCE_POLICIES
    filters: tuple[HandlerFilter, ...] = ()  # around the archive, outermost first
    faults: EndpointFaults = NO_FAULTS
    credentials_checked: bool = True  # whether the archive asks for the configured credentials

    def handler(self, archive: Archive) -> Handler:
        """What the endpoint calls: the archive itself, or the archive behind its filters."""
        return DefectiveHandler(archive, self.filters) if self.filters else archive

    def endpoint(self, **kwargs: Any) -> SoapEndpoint:
        """The archive's SOAP endpoint: the reference one, or one with transport faults."""
        return endpoint_for(self.faults, **kwargs)


REFERENCE_SEAMS = Seams()


def _policies(s: Seams, **changes: Any) -> Seams:
    return dataclasses.replace(s, policies=dataclasses.replace(s.policies, **changes))


def rule(**variants: Callable[..., None]) -> Hook[Seams]:
    """Replace business rules (fields of ``RuleSet``) with a vendor's lenient or broken ones."""

    def put(s: Seams) -> Seams:
        return _policies(s, rules=dataclasses.replace(s.policies.rules, **variants))

    return Hook(f"rule {', '.join(variants)}", put)


def policy(seam: str, wrap: Callable[[Any], Any]) -> Hook[Seams]:
    """Wrap the policy ``seam`` (a field of ``Policies``) in a variant: ``wrap(the policy)``."""

    def put(s: Seams) -> Seams:
        return _policies(s, **{seam: wrap(getattr(s.policies, seam))})

    return Hook(f"policy {seam}", put)


def search(**options: bool) -> Hook[Seams]:
    """Turn on options of the search's matching (fields of ``search.Matching``)."""

    def put(s: Seams) -> Seams:
        return _policies(s, search=dataclasses.replace(s.policies.search, **options))

    return Hook(f"search {', '.join(options)}", put)


def handler(operations: tuple[str, ...], around: Filter) -> Hook[Seams]:
    """Put a filter around the archive for ``operations`` (inside those already there)."""

    def put(s: Seams) -> Seams:
        return dataclasses.replace(s, filters=(*s.filters, HandlerFilter(operations, around)))

    return Hook("handler filter", put)


def endpoint(**faults: bool) -> Hook[Seams]:
    """Turn on transport faults of the endpoint (fields of ``EndpointFaults``)."""

    def put(s: Seams) -> Seams:
        return dataclasses.replace(s, faults=dataclasses.replace(s.faults, **faults))

    return Hook(f"endpoint {', '.join(faults)}", put)


def credentials_unchecked() -> Hook[Seams]:
    """The archive never asks for credentials, whatever the configuration says."""

    def put(s: Seams) -> Seams:
        return dataclasses.replace(s, credentials_checked=False)

    return Hook("auth", put)
