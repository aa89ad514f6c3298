"""The form engine's defects: realistic vendor mistakes the reference engine can be built with.

Every form-delivery requirement must be able to fail, so the reference engine can play a
vendor's engine that gets one thing wrong (``tpn engine deliver --defect NAME``,
``tpn.mocks.formengine.engine(defects=(NAME,))``). Each defect is one entry of the registry
(``registry.py``), which names the seam of ``Policies`` it replaces, its variant in
``variants.py``, and one entry of the catalogue (``fixtures/standards/formdelivery/defects.toml``,
read by ``catalogue.py``): what it does wrong, why a vendor might, and the requirements that
must catch it. Without defects the seams are the reference ones.
"""

from __future__ import annotations

from tpn.mocks.formengine.defects.catalogue import Defect, catalogue, names
from tpn.mocks.formengine.defects.registry import REGISTRY, policies

__all__ = ["REGISTRY", "Defect", "catalogue", "names", "policies"]
