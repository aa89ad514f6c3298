"""The register as a part (``enhetsregisteret_part``): the period SOAP service at
``/enhetsregisteret`` and the REST shape under ``/enhetsregisteret/api``; and the register
alone, assembled (``build_enhetsregisteret``) and in a thread (``EnhetsregisteretMock``).

The SOAP service runs on the shared endpoint (``tpn.mocks.soap.endpoint.SoapEndpoint``), so it
refuses hostile input, bounds bodies, journals and faults as the archive does. It authenticates
as the period service did, by ``userid`` and ``password`` in each request's body: the
``MockConfig.auth`` pair when one is set (the same that HTTP Basic asks for), else
``DEFAULT_CREDENTIALS``. With ``auth`` set the endpoint is behind the Basic gate too, like every
SOAP endpoint; the REST shape is a site, open like the public API.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tpn.mocks.core.config import MockConfig
from tpn.mocks.core.parts import Assembly, Part, Shared
from tpn.mocks.core.server import MockServer
from tpn.mocks.enhetsregisteret.model import NS, OPERATIONS
from tpn.mocks.enhetsregisteret.register import Register
from tpn.mocks.enhetsregisteret.rest import PREFIX, RestApp
from tpn.mocks.enhetsregisteret.service import ErFr
from tpn.mocks.soap.endpoint import SoapEndpoint

__all__ = [
    "DEFAULT_CREDENTIALS",
    "PATH",
    "EnhetsregisteretMock",
    "EnhetsregisteretPart",
    "EnhetsregisteretParts",
    "build_enhetsregisteret",
    "enhetsregisteret_part",
]

PATH = "/enhetsregisteret"
# userid and password of the SOAP service when the config sets no credentials.
DEFAULT_CREDENTIALS = ("tpn", "tpn")
SERVICE = "ErFr"


@dataclass(frozen=True, kw_only=True)
class EnhetsregisteretPart(Part):
    """The register's part, with its data and its endpoint for tests and tools."""

    register: Register
    endpoint: SoapEndpoint
    credentials: tuple[str, str]


def enhetsregisteret_part(config: MockConfig) -> Callable[[Shared], EnhetsregisteretPart]:
    """The register's plan (``tpn.mocks.core.parts.Plan``): its data read, then the build."""
    # Read (and checked against its code lists) before anything is built.
    register = Register.from_population()
    credentials = config.auth or DEFAULT_CREDENTIALS

    def build(shared: Shared) -> EnhetsregisteretPart:
        journal = shared.journal if config.journal else None
        endpoint = SoapEndpoint(
            name=SERVICE,
            namespace=NS,
            operations=OPERATIONS,
            handler=ErFr(register, credentials),
            journal=journal,
            limits=config.limits,
            engine=config.engine,
            on_error=shared.on_error,
        )
        return EnhetsregisteretPart(
            name="enhetsregisteret",
            auth=config.auth,
            endpoints={PATH: endpoint},
            sites={PREFIX: RestApp(register, journal)},
            # Reference data, not state: nothing to reset; its size for /__admin/state.
            counts=lambda: _counts(register),
            register=register,
            endpoint=endpoint,
            credentials=credentials,
        )

    return build


def _counts(register: Register) -> Mapping[str, int]:
    return {"enhetsregisteret_enheter": len(register)}


class EnhetsregisteretParts(Assembly):
    """The register alone, assembled: its app over its own store, clock and journal."""

    @property
    def register(self) -> Register:
        return self.part(EnhetsregisteretPart).register

    @property
    def endpoint(self) -> SoapEndpoint:
        return self.part(EnhetsregisteretPart).endpoint


def build_enhetsregisteret(
    config: MockConfig | None = None,
    *,
    on_error: Callable[[BaseException], None] | None = None,
    create_schema: bool = True,
) -> EnhetsregisteretParts:
    """The register alone (no archive, no portal), assembled over a store of its own (for the
    journal)."""
    return EnhetsregisteretParts.of(
        config or MockConfig(),
        (enhetsregisteret_part,),
        on_error=on_error,
        create_schema=create_schema,
    )


class EnhetsregisteretMock(MockServer):
    """Enhetsregisteret alone on a free port, in a thread:
    ``with EnhetsregisteretMock() as er: Client(er.wsdl_url)``. ``url`` is the SOAP endpoint;
    ``api_url`` the REST shape's root."""

    path = PATH
    parts: EnhetsregisteretParts

    def _assemble(self, on_error: Callable[[BaseException], None]) -> EnhetsregisteretParts:
        return build_enhetsregisteret(self.config, on_error=on_error)

    @property
    def register(self) -> Register:
        return self.parts.register

    @property
    def credentials(self) -> tuple[str, str]:
        return self.parts.part(EnhetsregisteretPart).credentials

    @property
    def api_url(self) -> str:
        return self.url + PREFIX.removeprefix(PATH)
