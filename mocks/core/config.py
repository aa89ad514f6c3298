"""One typed configuration for a mock process, shared by tests, ``tpn serve`` and workers.

Worker processes of a multi-process server receive it as JSON in ``TPN_MOCK_CONFIG``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from tpn.fixtures.xmlguard import Shape
from tpn.mocks.core.front import BODY_SECONDS
from tpn.mocks.core.paths import default_db_path
from tpn.mocks.soap.endpoint import ENGINES
from tpn.mocks.soap.intake import Limits

__all__ = ["ENV_VAR", "MockConfig", "default_db_path"]

ENV_VAR = "TPN_MOCK_CONFIG"


@dataclass(frozen=True)
class MockConfig:
    db: str = "sqlite://"  # any SQLAlchemy URL; memory is for single-process use only
    auth: tuple[str, str] | None = None  # HTTP Basic user and password
    engine: str = "fast"  # "fast" (model-driven codec) or "spyne" (Spyne's own pipeline)
    journal: bool = True
    limits: Limits = field(default_factory=Limits)
    # Seconds a client has to send a whole body, once its headers arrived (tpn.mocks.core.front).
    body_seconds: float = BODY_SECONDS
    # Named defects from the defect catalogue (tpn.mocks.noark4ws.defects): deliberate vendor
    # mistakes that prove the conformance suite catches them. Empty: the reference behaviour.
    defects: tuple[str, ...] = ()
    # The URL the harness is reached at from outside (a container, a CI service name): what the
    # security portal writes into its metadata and assertions. None: the URL a request came to.
    public_url: str | None = None
    # The security portal's signing key and certificate (one PEM file); None: made on first
    # start and kept in the store.
    portal_key: str | None = None

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        if not self.body_seconds > 0:
            raise ValueError(f"body_seconds must be more than 0, got {self.body_seconds}")

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> MockConfig:
        raw = json.loads(text)
        auth = raw.get("auth")
        return cls(
            db=raw["db"],
            auth=(auth[0], auth[1]) if auth else None,
            engine=raw["engine"],
            journal=raw["journal"],
            limits=Limits(**{**raw["limits"], "shape": Shape(**raw["limits"]["shape"])}),
            body_seconds=raw["body_seconds"],
            defects=tuple(raw.get("defects", ())),
            public_url=raw.get("public_url"),
            portal_key=raw.get("portal_key"),
        )
