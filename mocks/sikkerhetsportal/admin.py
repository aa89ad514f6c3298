"""The portal's admin routes: register an SP from its metadata, list the registered ones.

POST /__admin/sikkerhetsportal/sp   body: the SP's metadata (an md:EntityDescriptor)
GET  /__admin/sikkerhetsportal/sp
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tpn.mocks.admin import AdminError
from tpn.mocks.sikkerhetsportal.metadata import MetadataError
from tpn.mocks.sikkerhetsportal.portal import Portal

MAX_METADATA = 256 * 1024


def routes(portal: Portal) -> Mapping[tuple[str, str], Callable[[dict[str, Any]], Any]]:
    def register(environ: dict[str, Any]) -> Any:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise AdminError(400, "Content-Length is not a number") from None
        if not 0 < length <= MAX_METADATA:
            raise AdminError(400, f"the body must be the SP's metadata (1 to {MAX_METADATA} bytes)")
        try:
            provider = portal.register(environ["wsgi.input"].read(length))
        except MetadataError as exc:
            raise AdminError(400, f"the metadata cannot be registered: {exc}") from None
        return {
            "registered": provider.entity_id,
            "acs": [{"binding": e.binding, "location": e.location} for e in provider.acs],
        }

    return {
        ("POST", "/sikkerhetsportal/sp"): register,
        ("GET", "/sikkerhetsportal/sp"): lambda _e: {"providers": portal.providers()},
    }
