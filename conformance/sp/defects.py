"""The sp profile's defects: the reference SP's (``tpn.mocks.referencesp.defects``)."""

from __future__ import annotations

from tpn.mocks.referencesp.defects import CATALOGUE, Defect, names

__all__ = ["CATALOGUE", "Defect", "names"]
