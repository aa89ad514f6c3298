"""Request bodies: one reading of ``Content-Length`` and one bounded read, for every route.

Every mock reads its bodies here, within the route's limit: ``Content-Length`` is checked
before a byte is read, and no more than the limit and one byte is ever read, so an over-size or
endless body costs nothing; a body that ends before its ``Content-Length`` is never acted on.
The caller turns a ``BodyError`` into its route's own error form (a SOAP fault, a JSON error, a
page). The serving front (``tpn.mocks.core.front``) checks the announced length the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from tpn.fixtures.text import clip

__all__ = ["BodyError", "Readable", "announced_length", "read", "read_body"]


@dataclass(frozen=True)
class BodyError(Exception):
    """A body that is not read: the HTTP status, the message, and the rule."""

    status: int  # 400 or 413
    message: str
    rule: str  # http.length, limit.size

    def __str__(self) -> str:
        return self.message


class Readable(Protocol):
    """What a WSGI ``wsgi.input`` offers for certain."""

    def read(self, size: int = -1, /) -> bytes: ...


def announced_length(announced: str, limit: int, what: str = "the request body") -> int:
    """The body's length from its ``Content-Length``, or a ``BodyError``: not a number (400), or
    over ``limit`` (413)."""
    text = announced.strip()
    # ASCII digits only: int() would also take "+5", " 5", "5_000", "²" and thousands of digits.
    if not text.isascii() or not text.isdigit():
        raise BodyError(
            400, f"Content-Length {clip(text, 24)!r} is not a number of bytes", "http.length"
        )
    if len(text) > 18 or int(text) > limit:
        size = text if len(text) <= 18 else "more than 10**18"
        raise BodyError(
            413, f"{what} of {size} bytes is over the limit of {limit} bytes", "limit.size"
        )
    return int(text)


def read(
    stream: Readable,
    announced: str | None,
    limit: int,
    *,
    what: str = "the request body",
    terminated: bool = True,
) -> bytes:
    """The body from ``stream``, at most ``limit`` bytes, or :class:`BodyError`.

    ``announced`` is the ``Content-Length`` (None or empty: not sent); ``terminated`` says the
    server ends the stream after the body (PEP 3333's ``wsgi.input_terminated``), without which a
    body of no announced length is empty: reading on could wait for a client that never sends.
    """
    if announced and announced.strip():
        length = announced_length(announced, limit, what)
        data = stream.read(length) if length else b""
        if len(data) < length:
            # The client went away mid-body: a truncated request is never acted on, even one
            # that happens to be well-formed.
            raise BodyError(
                400,
                f"{what} ended after {len(data)} of its {length} bytes (Content-Length); it was "
                "not processed",
                "http.length",
            )
        return data
    if not terminated:
        return b""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise BodyError(413, f"{what} is over the limit of {limit} bytes", "limit.size")
    return data


def read_body(environ: dict[str, Any], limit: int, what: str = "the request body") -> bytes:
    """A WSGI request's body, at most ``limit`` bytes, or :class:`BodyError`."""
    return read(
        environ["wsgi.input"],
        environ.get("CONTENT_LENGTH"),
        limit,
        what=what,
        terminated=bool(environ.get("wsgi.input_terminated")),
    )
