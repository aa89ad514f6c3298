"""MinSide, the national citizen portal, as this project defines it
(``shared/standards/minside.md``): its tjenestekatalog, meldingsboks and mine saker as SOAP
services over the shared store (``MinSide``), served under ``/minside`` by ``tpn serve``."""

from __future__ import annotations
