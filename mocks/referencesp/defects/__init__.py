"""The reference SP's defects: realistic vendor mistakes the suite must catch.

Each defect is one entry of the registry (``registry.py``: the checks it skips) and one of the
catalogue (``catalogue.py``: what it does wrong, the requirements that must catch it). Adding a
defect is one registry entry, one catalogue entry and one test.
"""

from __future__ import annotations

from tpn.mocks.referencesp.defects.catalogue import CATALOGUE, Defect, names
from tpn.mocks.referencesp.defects.registry import REGISTRY, checks

__all__ = ["CATALOGUE", "REGISTRY", "Defect", "checks", "names"]
