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
        return {"kind": "exchange", **asdict(self)}


@dataclass(frozen=True)
class DocumentEvidence:
    """A document a vendor's product made that broke a requirement (form output profiles)."""

    source: str  # the file, as the run was given it
    size: int
    sha256: str
    findings: tuple[str, ...]  # FILE:LINE: PATH: RULE MESSAGE
    excerpt: str  # the lines around the first finding

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "document", **asdict(self)}


DOCUMENTS_KEPT = 50  # documents kept per test: enough to see the pattern, not a copy of the batch


@dataclass
class Recorder:
    """Collects exchanges per test; ``current`` is the running test's list.

    Thread-safe: the concurrency checks record from several client threads at once.
    """

    current: list[Exchange] = field(default_factory=list)
    documents: list[DocumentEvidence] = field(default_factory=list)
    # What a passing test wants the report to say beside "passed" (how the target passed).
    notes: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self) -> list[Exchange]:
        with self._lock:
            self.current = []
            self.documents = []
            self.notes = []
            return self.current

    def note(self, text: str) -> None:
        with self._lock:
            if text not in self.notes:
                self.notes.append(text)

    def noted(self) -> str:
        with self._lock:
            return "; ".join(self.notes)

    def add_document(self, document: DocumentEvidence) -> None:
        with self._lock:
            if len(self.documents) < DOCUMENTS_KEPT:
                self.documents.append(document)

    def evidence(self) -> tuple[Exchange | DocumentEvidence, ...]:
        """What the running test leaves as evidence: its last exchanges, its documents."""
        with self._lock:
            return (*self.current, *self.documents)

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self.current.append(exchange)
            if len(self.current) > KEEP:
                del self.current[0]
