"""The HTTP side of the citizen's pages: one request read (bounded), and the answers (a page, a
redirect, a download), each with the headers every MinSide answer carries.

Every page is rendered by Jinja2 with autoescape on (``templates/``), so nothing a sender wrote
(a title, a text, a file name) can become markup. Every answer forbids caching, framing and
content sniffing; pages may load nothing but themselves (CSP); an attachment is a download in a
sandbox, under a file name made safe (``disposition``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, quote

import jinja2

from tpn.mocks.core import bodies

StartResponse = Callable[..., Any]
MAX_FORM = 4 * 1024  # the logout form: one token
MAX_FIELDS = 8
MAX_QUERY = 2048

HEADERS = [
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
]
PAGE_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; connect-src 'self'; "
    "form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'"
)
# A media type as RFC 6838 writes one; anything else is served as bytes.
_MEDIA = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
)

# Letters NFKD does not take apart, as a Norwegian writes them without the letter.
_FOLD = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "đ": "d", "ß": "ss"})

_PAGES = jinja2.Environment(
    loader=jinja2.PackageLoader("tpn.mocks.minside.citizen", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_PAGES.filters["dato"] = lambda moment: f"{moment:%d.%m.%Y kl. %H:%M}"
_PAGES.filters["storrelse"] = lambda size: (
    f"{size} byte" if size < 1024 else f"{size / 1024:.0f} kB".replace(".", ",")
)


class HttpError(Exception):
    """An answer other than the page: the status and what the error page says (bokmål)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # under /minside, without a trailing slash but for the front page
    query: dict[str, list[str]]
    raw_query: str
    cookies: dict[str, str]
    form: dict[str, list[str]]

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def field(self, name: str) -> str | None:
        values = self.form.get(name)
        return values[0] if values and len(values) == 1 else None


def read(environ: dict[str, Any]) -> Request:
    """The request, its query, cookies and (for a POST) form read within their limits."""
    method = str(environ.get("REQUEST_METHOD", "GET"))
    raw_query = str(environ.get("QUERY_STRING", ""))
    if len(raw_query) > MAX_QUERY * 4:  # a SAML logout message rides in the query
        raise HttpError(414, "Adressen er for lang.")
    try:
        query = parse_qs(raw_query, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise HttpError(400, "Adressen har for mange parametere.") from None
    form: dict[str, list[str]] = {}
    if method == "POST":
        try:
            body = bodies.read_body(environ, MAX_FORM, "the form")
            form = parse_qs(body.decode("utf-8"), max_num_fields=MAX_FIELDS)
        except bodies.BodyError as exc:
            raise HttpError(exc.status, "Skjemaet er for stort eller kom ikke fram.") from None
        except (UnicodeDecodeError, ValueError):
            raise HttpError(400, "Skjemaet kan ikke leses.") from None
    return Request(
        method=method,
        path=str(environ.get("PATH_INFO", "")),
        query=query,
        raw_query=raw_query,
        cookies=_cookies(str(environ.get("HTTP_COOKIE", ""))),
        form=form,
    )


def _cookies(header: str) -> dict[str, str]:
    """Split by hand, as the portal does: ``http.cookies`` unquotes in quadratic time before
    Python 3.11.10 (CVE-2024-7592). MinSide's own values are plain."""
    found: dict[str, str] = {}
    for part in header[:8192].split(";"):
        name, _, value = part.strip().partition("=")
        if name and name not in found:
            found[name] = value
    return found


def cookie(name: str, value: str, *, secure: bool, max_age: int | None = None) -> str:
    """A cookie for MinSide's pages only: HttpOnly, SameSite=Lax (sent on the portal's redirect
    back, a top-level GET; never on another site's POST), Secure over https."""
    parts = [f"{name}={value}", "Path=/minside", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def page(
    start_response: StartResponse,
    template: str,
    status: int = 200,
    extra: list[tuple[str, str]] | None = None,
    **values: Any,
) -> list[bytes]:
    body = _PAGES.get_template(template).render(**values).encode("utf-8")
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Content-Security-Policy", PAGE_CSP),
        *HEADERS,
        *(extra or []),
    ]
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [body]


def send(start_response: StartResponse, status: int, body: bytes, content_type: str) -> list[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *HEADERS]
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [body]


def redirect(
    start_response: StartResponse, location: str, extra: list[tuple[str, str]] | None = None
) -> list[bytes]:
    headers = [("Location", location), ("Content-Length", "0"), *HEADERS, *(extra or [])]
    start_response("303 See Other", headers)
    return [b""]


def media_type(declared: str) -> str:
    """The attachment's declared mimeType when it is a well-formed media type, else bytes."""
    return declared.lower() if _MEDIA.fullmatch(declared) else "application/octet-stream"


def safe_filename(name: str) -> str:
    """``name`` without a path, control characters or characters a file system or a header
    reads specially; never empty."""
    base = re.split(r"[\\/]", name)[-1]
    kept = "".join(c for c in base if unicodedata.category(c)[0] not in "CZ" or c == " ").strip(
        " ."
    )
    kept = re.sub(r'[<>:"|?*;]', "_", kept)[:120]
    return kept or "vedlegg"


def disposition(name: str) -> str:
    """Content-Disposition for a download of ``name`` (RFC 6266): an ASCII fallback and the
    UTF-8 name (RFC 5987), both quoted safely."""
    safe = safe_filename(name)
    folded = unicodedata.normalize("NFKD", safe.translate(_FOLD))
    ascii_name = folded.encode("ascii", "ignore").decode("ascii") or "vedlegg"
    ascii_name = re.sub(r"[^A-Za-z0-9 ._()-]", "_", ascii_name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(safe, safe='')}"


def download(
    start_response: StartResponse, data: bytes, filename: str, declared_type: str
) -> list[bytes]:
    headers = [
        ("Content-Type", media_type(declared_type)),
        ("Content-Length", str(len(data))),
        ("Content-Disposition", disposition(filename)),
        # Opened anyway (a browser that ignores the disposition), it runs nothing.
        ("Content-Security-Policy", "sandbox; default-src 'none'"),
        *HEADERS,
    ]
    start_response("200 OK", headers)
    return [data]
