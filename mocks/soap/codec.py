"""A model-driven XML codec: Spyne's own model classes, read and written with plain lxml.

Spyne spends most of a request in its generic (de)serialiser (engineering notes: ~60 % of a
GetJournpost). This codec walks the same ``_type_info`` of the same model classes, compiled once
per class into a flat plan, and produces the same XML as Spyne (the tests compare both outputs
canonically over generated objects). It is only used on requests that already passed the XSD,
so it does not validate; it converts.

ByteArray values are lists of byte chunks, as Spyne keeps them.

The XSD allows values Python and the store cannot hold: xs:date years before 1 or after 9999,
xs:integer of any length (the archive holds 4,300 digits). Those are the client's mistake, so
reading them raises ``Unrepresentable`` naming the element and the limit, which the endpoint
answers as a ``soap:Client`` fault (never a ``soap:Server`` "internal error").
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, cast

from lxml import etree
from spyne.model.binary import ByteArray
from spyne.model.complex import ComplexModelBase, XmlAttribute, XmlData
from spyne.model.primitive import Boolean, Date, DateTime, Integer, Unicode

from tpn.fixtures.text import clip, local_name

ATTR, DATA, SIMPLE, COMPLEX = range(4)

# Python's dates run from year 1 to 9999. Integers are held exactly, whatever their size (the
# store keeps a message as JSON), up to the 4,300 digits Python converts between text and int
# (sys.int_info.default_max_str_digits); past that, int() itself refuses.
YEAR_MIN, YEAR_MAX = dt.MINYEAR, dt.MAXYEAR
MAX_INTEGER_DIGITS = 4300


class Unrepresentable(ValueError):
    """A schema-valid value the archive cannot hold; ``element`` is filled in by the reader."""

    def __init__(self, message: str, element: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.element = element


# xs:date: an optional minus, a year of four or more digits, month, day, an optional zone.
_DATE = re.compile(r"\s*(-?)(\d{4,})-(\d\d)-(\d\d)")


def _date_from_text(text: str) -> dt.date:
    if len(text) == 10:
        # The common case (and every date the store keeps): YYYY-MM-DD, read at C speed; a year
        # it refuses (0000) goes on to the full reading below, which says why.
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    # xs:date may carry a time zone ("2020-01-02Z", "2020-01-02+01:00"); the date is what counts.
    m = _DATE.match(text)
    if m is None:
        raise Unrepresentable(f"{_clip(text)!r} is not a date")
    digits = m[2].lstrip("0") or "0"
    year = -1 if m[1] else (int(digits) if len(digits) <= 5 else YEAR_MAX + 1)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Unrepresentable(
            f"the year of {_clip(text.strip())!r} is outside {YEAR_MIN}..{YEAR_MAX}, the years "
            "the archive can hold"
        )
    return dt.date(year, int(m[3]), int(m[4]))


def _datetime_from_text(text: str) -> dt.datetime:
    """An xs:dateTime as the mock's naive local time (the test clock's): a zoned time is
    converted, so that every stored time compares with every other."""
    t = text.strip()
    # xs:dateTime's year may be longer than four digits or negative: the XSD passed it.
    if len(t) < 19 or not t[:4].isdigit() or t[4] != "-":
        raise Unrepresentable(f"the time {_clip(t)!r} is outside the years {YEAR_MIN}..{YEAR_MAX}")
    try:
        moment = dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        raise Unrepresentable(f"{_clip(t)!r} is not a time the mock can hold") from None
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone().replace(tzinfo=None)
        except (OverflowError, ValueError):
            raise Unrepresentable(f"{_clip(t)!r} is not a time the mock can hold") from None
    return moment


def _int_from_text(text: str) -> int:
    t = text.strip()
    # A sign and leading zeros are allowed; the digits left decide, before int() runs.
    digits = len(t.lstrip("+-").lstrip("0"))
    if digits > MAX_INTEGER_DIGITS:
        raise Unrepresentable(
            f"the integer {_clip(t)} has {digits} digits; the archive holds integers of at most "
            f"{MAX_INTEGER_DIGITS}"
        )
    return int(t)


def _clip(text: str) -> str:
    return clip(text, 40)


def _bool_from_text(text: str) -> bool:
    return text.strip() in ("true", "1")


def _bytes_from_text(text: str) -> list[bytes]:
    return [base64.b64decode(text)]


def _bytes_to_text(value: Any) -> str:
    data = value if isinstance(value, bytes | bytearray) else b"".join(value)
    return base64.b64encode(data).decode("ascii")


# (from_text, to_text) per Spyne primitive; the first base class that matches wins.
_CONVERTERS: list[tuple[type[Any], Callable[[str], Any], Callable[[Any], str]]] = [
    (Boolean, _bool_from_text, lambda v: "true" if v else "false"),
    (Integer, _int_from_text, str),
    (Date, _date_from_text, lambda v: v.isoformat()),
    (DateTime, _datetime_from_text, lambda v: v.isoformat()),
    (ByteArray, _bytes_from_text, _bytes_to_text),
    (Unicode, str, str),
]


def _converters(t: type[Any]) -> tuple[Callable[[str], Any], Callable[[Any], str]]:
    for base, from_text, to_text in _CONVERTERS:
        if issubclass(t, base):
            return from_text, to_text
    raise TypeError(f"the codec has no converter for {t!r}")


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    tag: str  # Clark notation for elements, the plain name for attributes
    kind: int
    many: bool
    cls: type[Any] | None  # the complex type, for COMPLEX
    from_text: Callable[[str], Any] | None
    to_text: Callable[[Any], str] | None


@dataclass(frozen=True, slots=True)
class Plan:
    cls: type[Any]
    ns: str
    fields: tuple[Field, ...]
    by_tag: dict[str, Field]
    by_name: dict[str, Field]
    blank: dict[str, None]  # every field unset, as Spyne's __init__ leaves an instance

    def new(self) -> Any:
        """An empty instance. Spyne's ``ComplexModel.__init__`` costs ~25 µs an object (it
        walks the type info through several layers); this sets the same None fields directly."""
        obj = cast(Any, self.cls).__new__(self.cls)
        obj.__dict__.update(self.blank)
        return obj


_PLANS: dict[type[Any], Plan] = {}


def make(cls: type[Any], **fields: Any) -> Any:
    """``cls(**fields)`` as Spyne's ``__init__`` leaves it, at a tenth of the cost: every
    answer's status and envelope object is made on every request."""
    p = plan(cls)
    obj = p.new()
    for name, value in fields.items():
        if name not in p.blank:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
        setattr(obj, name, value)
    return obj


def _is(t: Any, base: type[Any]) -> bool:
    return isinstance(t, type) and issubclass(t, base)


def plan(cls: type[Any]) -> Plan:
    """The compiled plan of a complex model class (cached)."""
    found = _PLANS.get(cls)
    if found is not None:
        return found
    ns = cls.get_namespace()
    fields: list[Field] = []
    for name, t in cls.get_flat_type_info(cls).items():
        if _is(t, XmlAttribute):
            f, to = _converters(t.type)
            fields.append(Field(name, name, ATTR, False, None, f, to))
        elif _is(t, XmlData):
            f, to = _converters(t.type)
            fields.append(Field(name, name, DATA, False, None, f, to))
        else:
            many = t.Attributes.max_occurs > 1
            tag = f"{{{ns}}}{name}"
            if issubclass(t, ComplexModelBase):
                # ``.customize()`` makes a subclass Spyne warns against instantiating.
                orig = getattr(t, "__orig__", None) or t
                fields.append(Field(name, tag, COMPLEX, many, orig, None, None))
            else:
                f, to = _converters(t)
                fields.append(Field(name, tag, SIMPLE, many, None, f, to))
    built = Plan(
        cls,
        ns,
        tuple(fields),
        {f.tag: f for f in fields if f.kind in (SIMPLE, COMPLEX)},
        {f.name: f for f in fields},
        dict.fromkeys(f.name for f in fields),
    )
    _PLANS[cls] = built
    return built


def from_element(cls: type[Any], el: etree._Element) -> Any:
    """An instance of ``cls`` from a (schema-valid) element; ``Unrepresentable`` names the
    element whose value the archive cannot hold."""
    p = plan(cls)
    obj = p.new()
    for f in p.fields:
        if f.kind == ATTR:
            value = el.get(f.tag)
            if value is not None and f.from_text is not None:
                setattr(obj, f.name, f.from_text(value))
        elif f.kind == DATA and f.from_text is not None:
            setattr(obj, f.name, f.from_text(el.text or ""))
        elif f.many:
            setattr(obj, f.name, [])
    by_tag = p.by_tag
    for child in el.iterchildren(tag=etree.Element):
        found = by_tag.get(str(child.tag))
        if found is None:
            continue  # cannot happen after XSD validation; unknown content is not ours to keep
        if found.kind == COMPLEX:
            assert found.cls is not None
            value = from_element(found.cls, child)
        else:
            assert found.from_text is not None
            try:
                value = found.from_text(child.text or "")
            except Unrepresentable as exc:
                exc.element = exc.element or local_name(child.tag)
                raise
        if found.many:
            getattr(obj, found.name).append(value)
        else:
            setattr(obj, found.name, value)
    for f in p.fields:
        # Spyne leaves an absent repeated element as None, not [].
        if f.many and not getattr(obj, f.name):
            setattr(obj, f.name, None)
    return obj


def to_element(obj: Any, parent: etree._Element, tag: str) -> etree._Element:
    """Append ``obj`` to ``parent`` as element ``tag`` (Clark notation), fields in model order."""
    el = etree.SubElement(parent, tag)
    fill(obj, el)
    return el


def fill(obj: Any, el: etree._Element) -> None:
    """Write the fields of ``obj`` into ``el``."""
    for f in plan(type(obj)).fields:
        value = getattr(obj, f.name, None)
        if value is None:
            continue
        if f.kind == ATTR:
            assert f.to_text is not None
            el.set(f.tag, f.to_text(value))
        elif f.kind == DATA:
            assert f.to_text is not None
            el.text = f.to_text(value)
        else:
            for item in value if f.many else (value,):
                if item is None:
                    continue
                if f.kind == COMPLEX:
                    to_element(item, el, f.tag)
                else:
                    assert f.to_text is not None
                    etree.SubElement(el, f.tag).text = f.to_text(item)


# What libxml2 writes for these characters when it serialises text and attribute values; every
# other character of XML 1.0 is written as it is (UTF-8).
_TEXT_SPECIAL = re.compile(r"[&<>\r]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_SPECIAL = re.compile(r'[&<>"\n\r\t]')
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)
# Characters XML 1.0 has no place for (lxml refuses them, and so does ``to_xml``).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class NotWritable(ValueError):
    """A value ``to_xml`` does not write (lxml's own writer says why, or writes it)."""


# One search says whether a value needs either look: most values need neither (a few dozen a
# response, each searched twice before).
_TEXT_CARE = re.compile(f"{_TEXT_SPECIAL.pattern}|{_NOT_XML.pattern}")
_ATTR_CARE = re.compile(f"{_ATTR_SPECIAL.pattern}|{_NOT_XML.pattern}")


def _text(value: str) -> str:
    if _TEXT_CARE.search(value) is None:
        return value
    if _NOT_XML.search(value):
        raise NotWritable("not XML text")
    return value.translate(_TEXT_ESCAPES)


def _attr(value: str) -> str:
    if _ATTR_CARE.search(value) is None:
        return value
    if _NOT_XML.search(value):
        raise NotWritable("not XML text")
    return value.translate(_ATTR_ESCAPES)


_ABSENT = object()


def to_xml(obj: Any, name: str, prefix: str, ns: str, out: list[str]) -> None:
    """Append ``obj`` as element ``prefix:name`` to ``out`` as text, byte for byte what
    ``to_element`` and lxml's ``tostring`` write when ``prefix`` is bound to ``ns`` (the
    codec tests compare the two). Building the elements cost about as much as the rest of a
    read; a response is only ever written, so it is written as text.

    Raises ``NotWritable`` for what this does not write: a model of another namespace (lxml
    would invent a prefix for it), or a value that is not XML text."""
    p = plan(type(obj))
    if p.ns != ns:
        raise NotWritable(f"{p.cls.__name__} is not of namespace {ns}")
    tag = f"{prefix}:{name}"
    out.append("<" + tag)
    content: list[str] = []
    text: str | None = None
    held = obj.__dict__  # where Spyne's objects and ``Plan.new``'s keep every field
    for f in p.fields:
        value = held.get(f.name, _ABSENT)
        if value is _ABSENT:
            value = getattr(obj, f.name, None)  # a class attribute, a property
        if value is None:
            continue
        to_text = f.to_text
        if f.kind == ATTR:
            assert to_text is not None
            out.append(f' {f.name}="{_attr(to_text(value))}"')
        elif f.kind == DATA:
            assert to_text is not None
            text = _text(to_text(value))
        else:
            for item in value if f.many else (value,):
                if item is None:
                    continue
                if f.kind == COMPLEX:
                    to_xml(item, f.name, prefix, ns, content)
                else:
                    assert to_text is not None
                    child = f"{prefix}:{f.name}"
                    content.append(f"<{child}>{_text(to_text(item))}</{child}>")
    if text is None and not content:
        out.append("/>")
        return
    out.append(">")
    if text is not None:
        out.append(text)
    out.extend(content)
    out.append(f"</{tag}>")


def to_dict(obj: Any, *, without: Collection[str] = ()) -> dict[str, Any]:
    """A JSON-ready dict of ``obj`` (dates as ISO text, bytes as base64), None fields left out,
    and those of its own fields named in ``without`` (a document's bytes, kept apart)."""
    out: dict[str, Any] = {}
    for f in plan(type(obj)).fields:
        value = getattr(obj, f.name, None)
        if value is None or f.name in without:
            continue
        if f.kind == COMPLEX:
            out[f.name] = [to_dict(v) for v in value] if f.many else to_dict(value)
        elif f.many:
            assert f.to_text is not None
            out[f.name] = [_json_leaf(v, f.to_text) for v in value]
        else:
            assert f.to_text is not None
            out[f.name] = _json_leaf(value, f.to_text)
    return out


def _json_leaf(value: Any, to_text: Callable[[Any], str]) -> Any:
    if isinstance(value, bool | int | str):
        return value
    return to_text(value)


def from_dict(cls: type[Any], data: dict[str, Any]) -> Any:
    """The inverse of ``to_dict``."""
    p = plan(cls)
    obj = p.new()
    by_name = p.by_name
    # Over the stored fields, not the model's: a stored message holds about half of them.
    for name, value in data.items():
        f = by_name.get(name)
        if f is None or value is None:
            continue
        if f.kind == COMPLEX:
            assert f.cls is not None
            sub = f.cls
            setattr(
                obj, f.name, [from_dict(sub, v) for v in value] if f.many else from_dict(sub, value)
            )
        else:
            assert f.from_text is not None
            conv = f.from_text
            if f.many:
                setattr(obj, f.name, [v if isinstance(v, bool | int) else conv(v) for v in value])
            elif conv is str and type(value) is str:
                setattr(obj, f.name, value)  # text, the commonest field: nothing to convert
            else:
                setattr(obj, f.name, value if isinstance(value, bool | int) else conv(value))
    return obj
