"""Hypothesis strategies for any Spyne model class, derived from the model itself.

Used to prove the fast codec and Spyne agree on every message shape the model allows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from tpn.mocks.soap import codec

# XML 1.0 characters, less the ones a parser rewrites (CR is normalised to LF in text and
# attributes; that is XML's rule, not a codec's choice, so it cannot be round-tripped).
XML_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="\r",
        min_codepoint=0x9,
        max_codepoint=0x2FFFF,
    ).filter(lambda c: c in "\t\n" or (ord(c) >= 0x20 and c not in "\ufffe\uffff")),
    max_size=20,
)

# Spyne 2.14 cannot reliably write non-ASCII text content (XmlData): it hands lxml encoded
# bytes, which lxml refuses for characters such as U+00A0 or U+0085. The fast codec writes any
# XML text (tests/test_codec_equivalence.py shows it); for the comparison, XmlData stays ASCII.
DATA_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)


def _leaf(field: codec.Field) -> st.SearchStrategy[Any]:
    if field.kind == codec.DATA:
        return DATA_TEXT
    f = field.from_text
    if f is codec._bool_from_text:
        return st.booleans()
    if f is codec._date_from_text:
        return st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
    if f is codec._bytes_from_text:
        # Spyne reads an empty <base64/> as "no content"; the codec reads it as an empty file,
        # which is what a 0-byte document is (tests/test_archive_documents.py round-trips one).
        return st.binary(min_size=1, max_size=64).map(lambda b: [b])
    if field.to_text is str and f is not str:  # Integer
        return st.integers(min_value=-(2**70), max_value=2**70)
    return XML_TEXT


def instances(cls: type[Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Instances of ``cls`` with optional fields sometimes absent, lists of 0..2 items."""
    plan = codec.plan(cls)
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for field in plan.fields:
        t = cls.get_flat_type_info(cls)[field.name]
        required = getattr(getattr(t, "Attributes", None), "min_occurs", 0) >= 1
        if field.kind == codec.COMPLEX:
            assert field.cls is not None
            if depth > 2:
                inner: st.SearchStrategy[Any] = st.nothing()
            else:
                inner = st.deferred(lambda c=field.cls: instances(c, depth + 1))
        else:
            inner = _leaf(field)
        if field.many:
            parts[field.name] = st.lists(inner, max_size=2).map(lambda v: v or None)
        elif required or field.kind == codec.DATA:
            parts[field.name] = inner
        else:
            parts[field.name] = st.none() | inner

    def build(values: dict[str, Any]) -> Any:
        obj = cls()
        for k, v in values.items():
            setattr(obj, k, v)
        return obj

    return st.fixed_dictionaries(parts).map(build)
