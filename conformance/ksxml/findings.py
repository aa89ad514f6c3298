"""What the validator says about a document: findings (rule, message, where) and a verdict."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from lxml import etree


@dataclass(frozen=True)
class Finding:
    """One broken rule in one place of a document."""

    rule: str  # a KSX-… requirement id
    message: str
    line: int | None = None
    path: str = ""  # /melding/Skjemadata/Barn[2]/foedselsnummer

    def text(self, source: str) -> str:
        """``FILE:LINE: PATH: RULE MESSAGE``, the way compilers point at a mistake."""
        where = f"{source}:{self.line}" if self.line else source
        path = f" {self.path}:" if self.path else ""
        return f"{where}:{path} {self.rule} {self.message}"

    def to_json(self) -> dict[str, object]:
        return {"rule": self.rule, "message": self.message, "line": self.line, "path": self.path}


@dataclass(frozen=True)
class Verdict:
    """The validator's word on one document."""

    source: str
    form: str | None  # the skjemaId, once the namespace named a known form
    findings: tuple[Finding, ...] = ()
    referanse: str | None = None
    referanse_at: tuple[int | None, str] = (None, "")
    sha256: str = ""
    size: int = 0
    rules: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", frozenset(f.rule for f in self.findings))

    @property
    def valid(self) -> bool:
        return not self.findings

    def with_finding(self, finding: Finding) -> Verdict:
        return dataclasses.replace(self, findings=(*self.findings, finding))

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "form": self.form,
            "valid": self.valid,
            "sha256": self.sha256,
            "size": self.size,
            "findings": [f.to_json() for f in self.findings],
        }


def local(el: etree._Element) -> str:
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def line_of(el: etree._Element) -> int | None:
    """The element's line (lxml-stubs type ``sourceline`` loosely)."""
    line: object = el.sourceline
    return line if isinstance(line, int) else None


def path_of(el: etree._Element) -> str:
    """``/melding/Skjemadata/Barn[2]/foedselsnummer``: local names, an index where repeated."""
    parts: list[str] = []
    node: etree._Element | None = el
    while node is not None:
        name = local(node)
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            if len(same) > 1:
                name = f"{name}[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))
