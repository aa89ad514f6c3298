"""The Noark-4 WS reference archive (``/noark4ws``), and its defect catalogue."""

from __future__ import annotations

from tpn.mocks.noark4ws.defects import Defect, catalogue
from tpn.mocks.noark4ws.mock import PATH, ArchiveMock, ArchiveParts, build_archive

__all__ = ["PATH", "ArchiveMock", "ArchiveParts", "Defect", "build_archive", "catalogue"]
