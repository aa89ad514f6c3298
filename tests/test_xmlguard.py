"""The hostile-XML guard the SOAP intake and the form validator share."""

from __future__ import annotations

import pytest

from tpn.fixtures import xmlguard

DTD = '<?xml version="1.0" encoding="{enc}"?><!DOCTYPE m [<!ENTITY a "b">]><m>&a;</m>'


@pytest.mark.parametrize(
    "codec", ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
)
def test_a_dtd_is_found_in_the_bytes_in_every_unicode_encoding(codec: str) -> None:
    enc = codec.upper().replace("-LE", "LE").replace("-BE", "BE")
    data = DTD.format(enc=enc).encode(codec)
    assert xmlguard.doctype_in_prolog(data)
    with pytest.raises(xmlguard.Refused) as caught:
        xmlguard.parse(data, max_depth=10, max_elements=10)
    assert caught.value.rule == "xml.dtd"
    assert "(<!DOCTYPE)" in caught.value.message  # refused from the bytes, before parsing


def test_text_that_mentions_a_doctype_is_not_one() -> None:
    data = b"<m><!-- <!DOCTYPE x> --><t>&lt;!DOCTYPE</t></m>"
    assert not xmlguard.doctype_in_prolog(data)
    assert xmlguard.parse(data, max_depth=10, max_elements=10).tag == "m"


def test_limits_while_parsing() -> None:
    with pytest.raises(xmlguard.Refused) as deep:
        xmlguard.parse(b"<a>" * 50 + b"</a>" * 50, max_depth=32, max_elements=1000)
    assert (deep.value.rule, deep.value.element) == ("limit.depth", "a")
    with pytest.raises(xmlguard.Refused) as wide:
        xmlguard.parse(b"<m>" + b"<a/>" * 50 + b"</m>", max_depth=32, max_elements=20)
    assert wide.value.message == "the document has more than 20 elements"
    with pytest.raises(xmlguard.Refused) as bad:
        xmlguard.parse(b"<m>\n<a></m>", max_depth=32, max_elements=20, what="the form")
    assert bad.value.rule == "xml.syntax" and bad.value.line == 2
    assert bad.value.message.startswith("the form is not well-formed XML: ")
