"""Evidence: the exchanges a test had with the target, kept so a report can show what decided it.

Every request the suite sends goes through a ``Recorder``; the plugin points it at the running
test, and a report keeps the last exchanges of the test that decided each requirement. Bodies
are cut at ``BODY_LIMIT`` bytes (with their full size and SHA-256), so a 20 MB document does not
become a 20 MB report.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

BODY_LIMIT = 6 * 1024
KEEP = 3  # exchanges kept per test: the last ones are the ones an assertion is about


def _text(body: bytes) -> str:
    cut = body[:BODY_LIMIT]
    text = cut.decode("utf-8", errors="replace")
    if len(body) > BODY_LIMIT:
        text += f"\n… [{len(body) - BODY_LIMIT:,} more bytes not kept]"
    return text


@dataclass(frozen=True)
class Message:
    headers: dict[str, str]
    body: str
    size: int
    sha256: str

    @classmethod
    def of(cls, headers: dict[str, str], body: bytes) -> Message:
        return cls(dict(headers), _text(body), len(body), hashlib.sha256(body).hexdigest())


@dataclass(frozen=True)
class Exchange:
    method: str
    url: str
    status: int | None  # None when no answer came (connection refused, reset, timeout)
    request: Message
    response: Message | None
    elapsed_ms: float
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Recorder:
    """Collects exchanges per test; ``current`` is the running test's list."""

    current: list[Exchange] = field(default_factory=list)
    total: int = 0

    def start(self) -> list[Exchange]:
        self.current = []
        return self.current

    def add(self, exchange: Exchange) -> None:
        self.total += 1
        self.current.append(exchange)
        if len(self.current) > KEEP:
            del self.current[0]
