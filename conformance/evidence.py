"""Evidence: the exchanges a test had with the target, kept so a report can show what decided it.

Every request the suite sends goes through a ``Recorder``; the plugin points it at the running
test, and a report keeps the last exchanges of the test that decided each requirement. Bodies
are cut at ``BODY_LIMIT`` bytes (with their full size and SHA-256), so a 20 MB document does not
become a 20 MB report.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

BODY_LIMIT = 6 * 1024
KEEP = 3  # exchanges kept per test: the last ones are the ones an assertion is about


# Reports are shared and signed: credentials and session cookies never go into them.
SECRET_HEADERS = {"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}


def _header_name(name: str) -> str:
    """One spelling per header (servers send content-type, Content-Type, CONTENT-TYPE)."""
    return "-".join(part.capitalize() for part in name.split("-"))


def _headers(headers: dict[str, str]) -> dict[str, str]:
    out = {}
    for name, value in headers.items():
        canonical = _header_name(name)
        out[canonical] = "[not kept]" if canonical in SECRET_HEADERS else value
    return out


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
        return cls(
            _headers(dict(headers)), _text(body), len(body), hashlib.sha256(body).hexdigest()
        )


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
    """Collects exchanges per test; ``current`` is the running test's list.

    Thread-safe: the concurrency checks record from several client threads at once.
    """

    current: list[Exchange] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self) -> list[Exchange]:
        with self._lock:
            self.current = []
            return self.current

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self.current.append(exchange)
            if len(self.current) > KEEP:
                del self.current[0]
