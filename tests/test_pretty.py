"""Pretty-printing a recorded message (``tpn.fixtures.pretty``): XML and JSON indented and
highlighted; hostile, broken, huge or foreign bodies shown as they came, escaped, with the
reason; colours readable; and report.html showing its XML evidence indented."""

from __future__ import annotations

import html
import re
import time

import pytest
from lxml import etree
from markupsafe import escape
from test_results import REQ, run_with

from tpn.conformance.evidence import Exchange, Message
from tpn.conformance.report import build, render_html
from tpn.conformance.results import TestResult
from tpn.fixtures import pretty as pretty_module
from tpn.fixtures.pretty import BACKGROUND, MAX_DEPTH, MAX_PRETTY, Readable, css, pretty, visible

ENVELOPE = (
    b'<?xml version="1.0" encoding="utf-8"?><s:Envelope '
    b'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    b'<n:GetNoarksakRequest xmlns:n="urn:n4"><n:saEksternNokkel><n:eksternSystem>skjemamotor'
    b"</n:eksternSystem><n:nokkel>soknad-0001</n:nokkel></n:saEksternNokkel>"
    b"</n:GetNoarksakRequest></s:Body></s:Envelope>"
)


def _text_of(markup: str) -> str:
    """What a browser shows of the highlighted HTML: tags out, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_a_one_line_envelope_is_indented_and_highlighted() -> None:
    shown = pretty(ENVELOPE)
    assert shown.kind == "xml" and not shown.note
    lines = shown.text.splitlines()
    assert lines[0].startswith("<s:Envelope") and len(lines) == 10
    assert "    <n:GetNoarksakRequest" in shown.text
    assert "        <n:nokkel>soknad-0001</n:nokkel>" in lines
    # The same document, only white space between elements added.
    again = etree.fromstring(shown.text.encode())
    assert etree.tostring(again, method="c14n") != b"" and again.findtext(".//{urn:n4}nokkel") == (
        "soknad-0001"
    )
    markup = str(shown.html)
    assert markup.startswith('<pre class="hl"><code>') and '<span class="nt">' in markup
    assert _text_of(markup) == shown.text


def test_json_is_indented_and_highlighted() -> None:
    shown = pretty('{"saTittel": "Byggesøknad", "dokumenter": [1, true, null]}')
    assert shown.kind == "json"
    assert shown.text.splitlines()[1] == '  "saTittel": "Byggesøknad",'
    assert '<span class="kc">true</span>' in str(shown.html)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "contains a DTD"),
        (  # a billion laughs: refused before a parser sees the entities
            b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY l0 "ha">'
            + b"".join(
                b'<!ENTITY l%d "&l%d;&l%d;&l%d;">' % (i, i - 1, i - 1, i - 1) for i in range(1, 10)
            )
            + b"]><l>&l9;</l>",
            "contains a DTD",
        ),
        (b"<a><b></a>", "not well-formed XML"),
        (b"<a>" * (MAX_DEPTH + 1) + b"</a>" * (MAX_DEPTH + 1), "nests deeper than"),
        (b"<?xml version='1.0'?><a>" + b"x" * MAX_PRETTY + b"</a>", "over 256 KiB"),
        (b'{"a": [1, 2', "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "nested deeper than"),
    ],
    ids=[
        "dtd",
        "billion-laughs",
        "broken",
        "deep-xml",
        "huge",
        "broken-json",
        "deep-json",
        "json-depth",
    ],
)
def test_a_body_that_cannot_be_indented_is_shown_as_it_came_with_the_reason(
    body: bytes, why: str
) -> None:
    started = time.perf_counter()
    shown = pretty(body)
    assert time.perf_counter() - started < 2.0
    assert shown.kind == "text" and why in shown.note, shown.note
    assert shown.text == body.decode()
    markup = str(shown.html)
    assert "<span" not in markup  # nothing of a stranger's raw text goes to the highlighter
    assert f'<p class="hl-note">{escape(shown.note)}</p>' in markup
    assert _text_of(markup.split("</p>", 1)[1]) == shown.text


def test_markup_in_a_message_is_text_on_the_page() -> None:
    hostile = b"<x><![CDATA[</code></pre><script>alert(1)</script>]]></x>"
    for body in (hostile, b"not xml <script>alert(1)</script>", b'{"a": "<script>alert(1)"}'):
        markup = str(pretty(body).html)
        assert "<script" not in markup and "alert(1)" in _text_of(markup), markup
        assert markup.count("</pre>") == 1 and markup.count("</code>") == 1


def test_controls_and_bidi_overrides_are_made_visible() -> None:
    assert visible("Byggesøknad\tå\n") == "Byggesøknad\tå\n"
    assert visible("a\x1b[31mb\u202ec\x00") == "a⟨U+001B⟩[31mb⟨U+202E⟩c⟨U+0000⟩"
    shown = pretty('<x a="\u202e">\u2067</x>'.encode())
    assert shown.kind == "xml" and "⟨U+202E⟩" in shown.text and "⟨U+2067⟩" in shown.text
    assert pretty(b"\xff\xfe not utf-8 \x80").text == "\ufffd\ufffd not utf-8 \ufffd"


def test_empty_and_plain_text_are_shown_as_they_are() -> None:
    assert pretty(b"") == pretty_module.Pretty("text", "")
    assert pretty(b"GET /minside/\r\n\r\nq=1") == pretty_module.Pretty(
        "text", "GET /minside/\n\nq=1"
    )


def test_a_large_document_of_small_elements_is_indented_in_reasonable_time() -> None:
    body = b"<r>" + b'<a x="1">t</a>' * 15_000 + b"</r>"
    assert len(body) < MAX_PRETTY
    started = time.perf_counter()
    shown = pretty(body)
    str(shown.html)
    assert shown.kind == "xml" and time.perf_counter() - started < 5.0


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_colour_has_aa_contrast_on_the_background() -> None:
    colours = {
        token: found.group(0)
        for token, style in Readable.styles.items()
        if (found := re.search(r"#[0-9a-fA-F]{6}", style))
    }
    assert len(colours) >= 10
    weak = {str(t): c for t, c in colours.items() if _contrast(c, BACKGROUND) < 4.5}
    assert not weak, weak
    sheet = str(css())
    foregrounds = re.findall(r"[{;] color: (#[0-9a-fA-F]{6})", sheet)
    assert len(foregrounds) >= 10
    for colour in foregrounds:
        assert _contrast(colour, BACKGROUND) >= 4.5, colour
    # Scoped to the blocks: nothing of it restyles the rest of a page.
    rules = [line for line in sheet.splitlines() if line.strip()]
    assert all(line.startswith(".hl") for line in rules), rules


def test_report_html_shows_xml_evidence_indented() -> None:
    answer = ENVELOPE.replace(b"GetNoarksakRequest", b"GetNoarksakResponse")
    exchange = Exchange(
        "POST",
        "http://t/noark4ws",
        200,
        Message.of({"Content-Type": "text/xml"}, ENVELOPE),
        Message.of({"Content-Type": "text/xml"}, answer),
        1.0,
    )
    run = run_with(1)
    run.record(TestResult("t0", (REQ.id,), "failed", "call", "wrong", 0.1, (exchange,)))
    page = render_html(build(run))
    assert ".hl .nt" in page  # the colours are in the report itself: it stands alone
    shown = _text_of(page)
    assert "\n    <n:GetNoarksakRequest" in shown and "\n    <n:GetNoarksakResponse" in shown
    assert "<s:Body><n:GetNoarksakRequest" not in shown  # no longer one long line
