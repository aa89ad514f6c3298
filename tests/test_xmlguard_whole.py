"""The guard's two ways to parse: a small document whole and then checked, any other as a stream
checked as it goes. The whole way must never let through what the stream refuses, and must give
the same tree; where it cannot be sure, the stream decides, with the stream's words."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tpn.fixtures import xmlguard

ROOT = Path(__file__).resolve().parent.parent
TINY = xmlguard.Shape(
    max_namespaces=2,
    max_namespaces_in_scope=3,
    max_attributes=2,
    max_name_chars=4,
    max_uri_chars=12,
)


# xmlns:a="u" xmlns:b="v" xmlns:c="w", every character shifted into UTF-7's base64.
UTF7_DECLARATIONS = (
    b"+"
    + base64.b64encode('xmlns:a="u" xmlns:b="v" xmlns:c="w"'.encode("utf-16-be")).rstrip(b"=")
    + b"-"
)


def _outcome(
    data: bytes, *, whole: bool, depth: int = 6, elements: int = 12, shape: xmlguard.Shape = TINY
) -> tuple[str, object]:
    """What ``parse`` makes of ``data`` one way: the tree's bytes, or the refusal in full."""
    saved = xmlguard.SMALL_BYTES
    xmlguard.SMALL_BYTES = saved if whole else 0
    try:
        root = xmlguard.parse(data, max_depth=depth, max_elements=elements, shape=shape)
    except xmlguard.Refused as refused:
        return "refused", (refused.rule, refused.message, refused.line, refused.element)
    finally:
        xmlguard.SMALL_BYTES = saved
    return "tree", etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _same_both_ways(data: bytes, **limits: object) -> tuple[str, object]:
    streamed = _outcome(data, whole=False, **limits)  # type: ignore[arg-type]
    assert _outcome(data, whole=True, **limits) == streamed, data  # type: ignore[arg-type]
    return streamed


@pytest.mark.parametrize(
    ("data", "refused"),
    [
        # depth: 6 allowed, 7 not; elements: 12 allowed, 13 not
        (b"<a>" * 6 + b"</a>" * 6, None),
        (b"<a>" * 7 + b"</a>" * 7, "limit.depth"),
        (b"<m>" + b"<a/>" * 11 + b"</m>", None),
        (b"<m>" + b"<a/>" * 12 + b"</m>", "limit.elements"),
        # names: 4 characters allowed (the local part), 5 not; a prefix counts on its own
        (b'<p:abcd xmlns:p="u"/>', None),
        (b"<abcde/>", "limit.name"),
        (b'<m abcde="1"/>', "limit.name"),
        (b'<m p:abcd="1" xmlns:p="u"/>', None),
        (b'<abcde:m xmlns:abcde="u"/>', "limit.name"),
        # attributes: 2 allowed on one element, 3 not
        (b'<m a="1" b="2"/>', None),
        (b'<m a="1" b="2" c="3"/>', "limit.attributes"),
        (b'<m a="1" b="2"><n c="3" d="4"/></m>', None),
        # declarations: 2 on one element, 3 in scope; a name of 12 characters
        (b'<m xmlns:a="u" xmlns:b="v"/>', None),
        (b'<m xmlns:a="u" xmlns:b="v" xmlns:c="w"/>', "limit.namespaces"),
        (b'<m xmlns:a="u" xmlns:b="v"><n xmlns:c="w"/></m>', None),
        (b'<m xmlns:a="u" xmlns:b="v"><n xmlns:c="w" xmlns:d="x"/></m>', "limit.namespaces"),
        (b'<m xmlns="" xmlns:a="u" xmlns:b="v"/>', "limit.namespaces"),
        (b'<m xmlns:a="123456789012"/>', None),
        (b'<m xmlns:a="1234567890123"/>', "limit.name"),
        (b'<m xmlns:a="12345678901&amp;"/>', None),  # 12 once the entity is read
        # "xmlns" that declares nothing: counted all the same, then the stream decides
        (b"<m>xmlns xmlns xmlns xmlns</m>", None),
        (b'<m a="xmlns"/>', None),
        # DTDs, syntax, encodings
        (b'<?xml version="1.0"?><!DOCTYPE m><m/>', "xml.dtd"),
        (b"<m><a></m>", "xml.syntax"),
        (b"<m/><n/>", "xml.syntax"),
        (b"", "xml.syntax"),
        ('<?xml version="1.0" encoding="ISO-8859-1"?><m>æøå</m>'.encode("latin-1"), None),
        ('<?xml version="1.0" encoding="UTF-16"?><m a="1"/>'.encode("utf-16"), None),
        ('<m xmlns:a="u" xmlns:b="v" xmlns:c="w"/>'.encode("utf-16"), "limit.namespaces"),
        (b"\xef\xbb\xbf<m>\xc3\xa6</m>", None),
        # UTF-7 may spell "xmlns" in base64: its bytes count for nothing
        (
            b'<?xml version="1.0" encoding="UTF-7"?><m ' + UTF7_DECLARATIONS + b"/>",
            "limit.namespaces",
        ),
        (b"<m><![CDATA[<a><b><c><d><e><f><g>]]><!-- <x/> --><?pi x?></m>", None),
    ],
)
def test_both_ways_agree_at_every_limit(data: bytes, refused: str | None) -> None:
    kind, detail = _same_both_ways(data)
    if refused is None:
        assert kind == "tree", detail
    else:
        assert kind == "refused" and detail[0] == refused, detail  # type: ignore[index]


@pytest.mark.parametrize("depth", [5, 6, 20])
def test_both_ways_agree_on_depth_where_the_elements_cannot_say(depth: int) -> None:
    """More '<' than the depth allows, too few to break the element limit: the tree is asked."""
    data = b"<a>" * depth + b"<b/>" * 10 + b"</a>" * depth
    kind, detail = _same_both_ways(data, depth=6, elements=1000)
    if depth < 6:  # the <b/> at depth + 1: within the limit
        assert kind == "tree", detail
    else:
        assert kind == "refused" and detail[0] == "limit.depth", detail  # type: ignore[index]


@pytest.mark.parametrize(
    ("data", "depth", "elements"),
    [
        (b"<a/>", 0, 10),  # no element is allowed at all
        (b"<a/>", -1, 10),
        # libxml2 will not walk the depth's path of some 5,000 steps: the stream decides
        (b"<r>" + b"<x/>" * 5001 + b"</r>", 5000, 10**6),
        # many "xmlns:" each before a long word: refused as the stream refuses it
        (b"<a " + b"xmlns:" * 32 + b"a" * 65_300 + b"/>", 64, 100_000),
    ],
)
def test_both_ways_agree_at_the_edges_of_the_limits(data: bytes, depth: int, elements: int) -> None:
    _same_both_ways(data, depth=depth, elements=elements, shape=xmlguard.SHAPE)


def test_a_declaration_the_pattern_misses_is_left_to_the_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every "xmlns" must be found as a declaration whose prefix and name were measured;
    where one is not (the pattern is the guard's own reading of XML), the stream decides."""
    data = b'<m xmlns:a="1234567890123"/>'
    monkeypatch.setattr(xmlguard, "_DECLARATION", __import__("re").compile(rb"(?!)()()()"))
    kind, detail = _same_both_ways(data)
    assert kind == "refused" and detail[0] == "limit.name"  # type: ignore[index]


def test_a_small_document_is_parsed_whole_and_a_large_one_as_a_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The whole way is taken where it may be (it is what makes a SOAP request cheaper), and
    not past ``SMALL_BYTES``."""
    taken: list[int] = []
    real = xmlguard._parsed_within
    monkeypatch.setattr(
        xmlguard,
        "_parsed_within",
        lambda data, *a: taken.append(len(data)) or real(data, *a),  # type: ignore[func-returns-value]
    )
    small = b"<m>" + b"<a>x</a>" * 10 + b"</m>"
    large = b"<m>" + b"<a>x</a>" * 9000 + b"</m>"
    assert len(large) > xmlguard.SMALL_BYTES
    xmlguard.parse(small, max_depth=8, max_elements=100)
    xmlguard.parse(large, max_depth=8, max_elements=100_000)
    assert taken == [len(small)]


def _fixture_documents() -> Iterator[Path]:
    for folder in ("fixtures", "tests"):
        for path in sorted((ROOT / folder).rglob("*.xml")):
            if path.stat().st_size <= xmlguard.SMALL_BYTES:
                yield path


@pytest.mark.parametrize("path", list(_fixture_documents()), ids=lambda p: str(p.relative_to(ROOT)))
def test_both_ways_agree_on_every_document_in_the_project(path: Path) -> None:
    """At the guard's real limits, every XML file the project holds (forms, SOAP, SAML)."""
    data = path.read_bytes()
    _same_both_ways(data, depth=64, elements=100_000, shape=xmlguard.SHAPE)


_NAMES = st.sampled_from(["a", "bb", "abcd", "abcde", "p:a", "q:abcd", "p:abcde", "abcde:a"])
_PREFIXES = st.sampled_from(["", "p", "q", "abcde"])
_URIS = st.sampled_from(["u", "v", "123456789012", "1234567890123", "a&amp;b"])


@st.composite
def _documents(draw: st.DrawFn, depth: int = 0) -> str:
    """A small document near TINY's limits: names, attributes, declarations and nesting."""
    name = draw(_NAMES)
    declared = {
        draw(_PREFIXES): draw(_URIS) for _ in range(draw(st.integers(0, 4)))
    }  # one declaration a prefix, as XML requires
    for needed in {n.split(":")[0] for n in [name] if ":" in n}:
        declared.setdefault(needed, "u")
    attributes = {draw(_NAMES): "1" for _ in range(draw(st.integers(0, 3)))}
    for needed in {n.split(":")[0] for n in attributes if ":" in n}:
        declared.setdefault(needed, "u")
    head = " ".join(
        [name]
        + [f'xmlns{":" + p if p else ""}="{u}"' for p, u in declared.items()]
        + [f'{a}="{v}"' for a, v in attributes.items()]
    )
    children = (
        draw(st.lists(_documents(depth + 1), max_size=3))  # type: ignore[arg-type]
        if depth < 7
        else []
    )
    text = draw(st.sampled_from(["", "xmlns", "t"]))
    return f"<{head}>{text}{''.join(children)}</{name}>"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents())
def test_both_ways_agree_on_generated_documents(document: str) -> None:
    """Documents that cross TINY's limits in every combination, well-formed or not (a
    prefixed attribute may repeat another, a name may bind no prefix): the same tree, or the
    same refusal, both ways."""
    data = document.encode("utf-8")
    _same_both_ways(data)
    _same_both_ways(data, elements=200)  # nesting then told by the tree, not by the count
