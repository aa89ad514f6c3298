"""The archive's defects: realistic vendor mistakes the reference archive can be started with.

Every conformance test must be able to fail, so the archive can play a vendor's archive that
gets one thing wrong (``tpn serve --defect NAME``, ``MockConfig(defects=(NAME,))``). Each defect
is one entry of the registry (``registry.py``, on the mechanism of
``tpn.mocks.core.defect_registry``), which names the seam it replaces, and one entry of the catalogue
(``fixtures/standards/noark4ws/defects.toml``, read by ``catalogue.py``), which says what it
does wrong, why a vendor might, and which requirements must catch it. The variants live here by
kind: ``rules.py`` (business rules), ``numbering.py`` and ``policies.py`` (the archive's
policies), ``filters.py`` (around the handler), ``endpoint.py`` (the transport). ``seams.py`` is
what the archive is built from. Without defects the seams are the reference ones, and the
archive, its handler and its endpoint are untouched.

Adding a defect is one registry entry, one catalogue entry and one test.
"""

from __future__ import annotations

from tpn.mocks.noark4ws.defects.catalogue import Defect, catalogue, names
from tpn.mocks.noark4ws.defects.catalogue import panel as catalogue_panel
from tpn.mocks.noark4ws.defects.registry import REGISTRY, seams
from tpn.mocks.noark4ws.defects.seams import REFERENCE_SEAMS, Seams

__all__ = [
    "REFERENCE_SEAMS",
    "REGISTRY",
    "Defect",
    "Seams",
    "catalogue",
    "catalogue_panel",
    "names",
    "seams",
]
