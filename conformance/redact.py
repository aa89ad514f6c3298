"""No secret in any artefact: the one place everything a run writes passes through.

A run knows its secrets (the password of ``--tpn-password``/``$TPN_PASSWORD``, the one in a
target URL's userinfo). Reports are shared and signed, JUnit files and logs end up in CI
artefacts, terminal output in build logs: every one of them goes through a ``Redactor`` before
it is written (``tpn.conformance.report`` for report.json and report.html, ``redact_junit`` for
junit.xml, ``RedactingStream`` for the terminal, ``redact_logs`` for log records).

A secret can show in many spellings: as is, in a URL (percent-encoded), in a Basic
Authorization header (base64 of ``user:password``), escaped in XML, HTML, JSON or a Python
repr (pytest's assertion messages). Every spelling is replaced by ``[redacted]``; one shorter
than eight characters only where it stands as a word of its own, since it would otherwise match
inside ordinary text (requirement ids, counts, seeds) and corrupt it. A password of fewer than
four characters is not looked for in text at all (it is everywhere: "1" is in every requirement
id), only masked in arguments, URLs and its Basic header; the run warns of it.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import quote, quote_plus, unquote, urlsplit, urlunsplit
from xml.etree import ElementTree as ET

__all__ = [
    "MASK",
    "RedactingStream",
    "Redactor",
    "redact_junit",
    "redact_logs",
    "split_userinfo",
]

MASK = "[redacted]"
# Spellings shorter than this are redacted only as words of their own (``Redactor.text``).
WHOLE_WORD_BELOW = 8
# A password shorter than this is in every report as a matter of course ("1" is in every
# requirement id): it is not looked for in text, where masking it would destroy the report.
MIN_SECRET = 4
# Options whose value is a secret, as the plugin and `tpn certify` spell them.
SECRET_OPTIONS = ("--tpn-password", "--password")
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s]*@)")

T = TypeVar("T")


def _basic(user: str, password: str) -> set[str]:
    """What an Authorization: Basic header carries (requests sends latin-1 where it can)."""
    out = set()
    for encoding in ("latin-1", "utf-8"):
        try:
            raw = f"{user}:{password}".encode(encoding)
        except UnicodeEncodeError:
            continue
        out.add(base64.b64encode(raw).decode("ascii"))
    return out


def _spellings(secret: str) -> set[str]:
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        html.escape(secret, quote=True),
        html.escape(secret, quote=False),
        secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        secret.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;"),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        ascii(secret)[1:-1],
    }
    return {f for f in forms if f}


def split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without userinfo, and the user and password it held (unquoted), if any."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, sep, password = userinfo.partition(":")
    return (
        urlunsplit(parts._replace(netloc=host)),
        unquote(user) or None,
        unquote(password) if sep else None,
    )


@dataclass(frozen=True)
class Redactor:
    """Replaces every spelling of a run's secrets with ``[redacted]``."""

    spellings: tuple[str, ...] = ()  # longest first, so no spelling is left half-replaced
    # A password too short to look for in text (MIN_SECRET): only its Basic header and its
    # place in arguments and URLs are masked. The plugin says so before the run.
    too_short: bool = False

    @classmethod
    def of(cls, credentials: Iterable[tuple[str | None, str | None]]) -> Redactor:
        """For (user, password) pairs; a pair without a password adds nothing."""
        found: set[str] = set()
        short = False
        for user, password in credentials:
            if not password:
                continue
            if len(password) >= MIN_SECRET:
                found |= _spellings(password)
            else:
                short = True
            if user:
                found |= _basic(user, password)
        return cls(tuple(sorted(found, key=lambda s: (-len(s), s))), short)

    def __bool__(self) -> bool:
        return bool(self.spellings)

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str]:
        # A long spelling is replaced wherever it stands. A short one only where it is not part
        # of a longer word or number: a password "1" must not eat the 1s of "N4WS-NUM-001" or
        # of the seed that replays the run, nor "div" the HTML.
        parts = [
            re.escape(s) if len(s) >= WHOLE_WORD_BELOW else rf"(?<!\w){re.escape(s)}(?!\w)"
            for s in self.spellings
        ]
        return re.compile("|".join(parts) or r"(?!)")

    def text(self, text: str) -> str:
        if not self.spellings:
            return text
        return self._pattern.sub(MASK, text)

    def data(self, value: T) -> T:
        """``value`` (JSON-like: dicts, lists, tuples, strings) with every string redacted."""
        out: Any
        if isinstance(value, str):
            out = self.text(value)
        elif isinstance(value, dict):
            out = {self.data(k): self.data(v) for k, v in value.items()}
        elif isinstance(value, list):
            out = [self.data(v) for v in value]
        elif isinstance(value, tuple):
            out = tuple(self.data(v) for v in value)
        else:
            out = value
        return out  # type: ignore[no-any-return]

    def arguments(self, args: Iterable[str]) -> list[str]:
        """A command line as it may be recorded: secret options' values and URL userinfo
        masked whatever the secret (even one this redactor was not told of)."""
        out: list[str] = []
        mask_next = False
        for arg in args:
            if mask_next:
                out.append(MASK)
                mask_next = False
                continue
            name, sep, _ = arg.partition("=")
            if name in SECRET_OPTIONS:
                if sep:
                    out.append(f"{name}={MASK}")
                else:
                    out.append(arg)
                    mask_next = True
                continue
            out.append(self.text(_URL_USERINFO.sub(_mask_userinfo, arg)))
        return out


def _mask_userinfo(match: re.Match[str]) -> str:
    user, sep, _ = match["userinfo"][:-1].partition(":")
    return f"{match['scheme']}{user}:{MASK}@" if sep else match[0]


# ------------------------------------------------------------------ junit.xml


def redact_junit(path: Path, redactor: Redactor) -> None:
    """Redact pytest's junit.xml in place: every text and attribute value, as XML holds them
    (so escaping in the file cannot hide a secret from the redactor)."""
    if not redactor:
        return
    tree = ET.parse(path)
    for element in tree.iter():
        if element.text:
            element.text = redactor.text(element.text)
        if element.tail:
            element.tail = redactor.text(element.tail)
        for name, value in element.attrib.items():
            element.attrib[name] = redactor.text(value)
    part = path.with_name(f".{path.name}.part")
    try:
        tree.write(part, encoding="utf-8", xml_declaration=True)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------ the terminal


class RedactingStream:
    """A text stream that redacts what passes through it, line by line (a secret written in
    two pieces is still found), before the stream it wraps sees it."""

    def __init__(self, stream: IO[str], redactor: Redactor) -> None:
        self.stream = stream
        self.redactor = redactor
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            lines, _, self._pending = self._pending.rpartition("\n")
            self.stream.write(self.redactor.text(lines + "\n"))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.stream.write(self.redactor.text(self._pending))
            self._pending = ""
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        # isatty, fileno, encoding, errors: what pytest's terminal writer asks of its file.
        return getattr(self.stream, name)


# ------------------------------------------------------------------ logs


@contextmanager
def redact_logs(redactor: Redactor) -> Iterator[None]:
    """Every log record made while this is open has its message redacted, whichever logger
    and handler it goes to (zeep logs whole answers at DEBUG)."""
    if not redactor:
        yield
        return
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it for logging to report
            return record
        record.msg, record.args = redactor.text(message), None
        if record.exc_info and not record.exc_text:
            # Formatted now, redacted, and kept: a handler uses exc_text as it finds it.
            record.exc_text = redactor.text(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redactor.text(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    try:
        yield
    finally:
        logging.setLogRecordFactory(previous)
