"""The portal's admin routes: register an SP from its metadata, list the registered ones.

POST /__admin/sikkerhetsportal/sp   body: the SP's metadata (an md:EntityDescriptor)
GET  /__admin/sikkerhetsportal/sp

Every refusal is a JSON error (``AdminError``) saying what is wrong: a body over the metadata
limit (413, refused before it is read), metadata that does not parse or breaks a rule (400, the
rule and the element named; an endpoint that is not an http(s) URL among them), a full portal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tpn.mocks.core.admin import AdminError
from tpn.mocks.saml.metadata import MAX_BYTES, MetadataError
from tpn.mocks.sikkerhetsportal import wire
from tpn.mocks.sikkerhetsportal.portal import Portal

MAX_METADATA = MAX_BYTES


def routes(portal: Portal) -> Mapping[tuple[str, str], Callable[[dict[str, Any]], Any]]:
    def register(environ: dict[str, Any]) -> Any:
        try:
            xml = wire.read_body(environ, MAX_METADATA, what="the metadata")
        except wire.BodyError as exc:
            raise AdminError(exc.status, exc.message) from None
        if not xml.strip():
            raise AdminError(400, "the body must be the SP's metadata (an md:EntityDescriptor)")
        try:
            provider = portal.register(xml)
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
