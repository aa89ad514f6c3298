"""The MinSide client's defects: realistic vendor mistakes the reference client can be built
with (``tpn eservice act --defect NAME``), so that the minside-client requirements can be shown
to fail. Each is one entry of the registry (``registry.py``), its variant in ``variants.py``,
and one entry of ``fixtures/standards/minsideclient/defects.toml`` (``catalogue.py``)."""

from __future__ import annotations

from tpn.mocks.minsideclient.defects.catalogue import Defect, catalogue, names
from tpn.mocks.minsideclient.defects.registry import REGISTRY, policies

__all__ = ["REGISTRY", "Defect", "catalogue", "names", "policies"]
