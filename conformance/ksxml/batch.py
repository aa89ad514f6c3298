"""A batch of form documents under judgement: a vendor's folder, or the reference form engine's.

The batch is validated once per run (every rule, in one pass); each requirement's test then
asks which documents broke its rule. A document that could not be parsed, or names no known
form, is judged by the document rules only: the others say how many they could not judge.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tpn.conformance.ksxml import generate, mutations
from tpn.conformance.ksxml.defects import by_name
from tpn.conformance.ksxml.findings import Finding, Verdict
from tpn.conformance.ksxml.model import form, forms
from tpn.conformance.ksxml.validator import MAX_BYTES, Validator
from tpn.conformance.outcomes import SuiteError
from tpn.fixtures.files import FileRefused, read_regular, regular_size

# Rules every document is judged by, whatever it is; the others need a known form.
DOCUMENT_RULES = ("KSX-XML-001", "KSX-XML-002", "KSX-ENV-001")
EXCERPT_LINES = 3  # either side of a finding's line
KEEP_BYTES = 200  # documents whose bytes are kept for the report's excerpts


@dataclass
class Batch:
    """Verdicts on every document, and the bytes of the first broken ones (for evidence)."""

    where: str
    verdicts: list[Verdict] = field(default_factory=list)
    kept: dict[str, bytes] = field(default_factory=dict)

    def add(self, verdict: Verdict, data: bytes) -> None:
        self.verdicts.append(verdict)
        if not verdict.valid and len(self.kept) < KEEP_BYTES:
            self.kept[verdict.source] = data

    def judged(self, rule: str) -> list[Verdict]:
        """The documents ``rule`` can judge: all for the document rules, and otherwise those of a
        known form that could break it (KSX-BARN-001 judges only forms with a Barn group)."""
        if rule in DOCUMENT_RULES:
            return list(self.verdicts)
        if rule == "KSX-REF-001":
            return [v for v in self.verdicts if v.referanse is not None]
        return [
            v
            for v in self.verdicts
            if v.form is not None and mutations.possible(form(v.form), rule)
        ]

    def broken(self, rule: str) -> list[tuple[Verdict, list[Finding]]]:
        found = []
        for v in self.verdicts:
            hits = [f for f in v.findings if f.rule == rule]
            if hits:
                found.append((v, hits))
        return found

    def unjudged(self) -> int:
        """Documents only the document rules could judge (not parsed, or no known form)."""
        return sum(1 for v in self.verdicts if v.form is None)

    def excerpt(self, verdict: Verdict, finding: Finding) -> str:
        """The lines around ``finding``, numbered, from the kept bytes."""
        data = self.kept.get(verdict.source)
        if data is None or not finding.line:
            return ""
        lines = data.decode("utf-8", errors="replace").splitlines()
        lo = max(finding.line - 1 - EXCERPT_LINES, 0)
        hi = min(finding.line + EXCERPT_LINES, len(lines))
        return "\n".join(
            f"{n + 1:>5}{'>' if n + 1 == finding.line else ' '} {lines[n][:200]}"
            for n in range(lo, hi)
        )


def files(folder: Path) -> list[Path]:
    """The ``*.xml`` entries under ``folder`` that are not folders, in path order (the order
    KSX-REF-001 reads them). A FIFO or device among them is kept, for ``read`` to refuse by
    name, rather than skipped without a word."""
    return sorted(p for p in folder.rglob("*.xml") if not p.is_dir())


class Unreadable(Exception):
    """A document in the folder that cannot be read at all (permissions, a device, I/O)."""


def read(path: Path, limit: int = MAX_BYTES) -> bytes:
    """A regular file's bytes, at most ``limit + 1`` of them: an over-size document is refused
    whole (by its size). A FIFO, a device or a symlink to one is never opened for reading."""
    try:
        size = regular_size(path, 2**62, what="document")
        if size <= limit:
            return read_regular(path, limit, what="document")
    except FileRefused as exc:
        raise Unreadable(f"cannot read {exc}") from None
    try:
        with path.open("rb") as fh:  # a regular file over the limit: its first bytes tell so
            return fh.read(limit + 1)
    except OSError as exc:
        raise Unreadable(f"cannot read {path}: {exc.strerror or exc}") from exc


def whole(path: Path) -> tuple[int, str]:
    """The size and SHA-256 of a whole file, read in chunks (for an over-size document's
    evidence: what it names must match the file a third party holds)."""
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise Unreadable(f"cannot read {path}: {exc.strerror or exc}") from exc
    return size, digest.hexdigest()


def from_folder(folder: Path, validator: Validator) -> Batch:
    """The folder's documents, validated; :class:`Unreadable` names a file that cannot be read."""
    batch = Batch(str(folder))
    paths: dict[str, Path] = {}
    pending: dict[str, bytes] = {}  # the run yields each verdict as soon as it reads the file

    def sources() -> Iterator[tuple[str, bytes]]:
        for path in files(folder):
            name = str(path.relative_to(folder))
            paths[name] = path
            pending[name] = read(path, validator.max_bytes)
            yield name, pending[name]

    for verdict in validator.run(sources()):
        data = pending.pop(verdict.source)
        if len(data) > validator.max_bytes:
            size, sha256 = whole(paths[verdict.source])
            verdict = dataclasses.replace(verdict, size=size, sha256=sha256)
        batch.add(verdict, data)
    return batch


def reference_documents(
    seed: int, per_form: int, defects: Iterable[str] = ()
) -> list[tuple[str, bytes]]:
    """What the reference form engine delivers: ``per_form`` documents of each form, and for
    each defect one of them broken by its mutation."""
    chooser = generate.RandomChooser(seed)
    docs: list[tuple[str, generate.Document]] = [
        (f"{f.id}/{n + 1:03d}.xml", generate.document(f, chooser))
        for f in forms()
        for n in range(per_form)
    ]
    out = [(name, doc.to_bytes()) for name, doc in docs]
    broken: set[int] = set()  # one defect per document: a second must not undo the first
    if any(by_name(name).rule == "KSX-REF-001" for name in defects):
        broken.add(0)  # the original whose referanse is resent: no other defect may hide it

    # The most particular defects first (KSX-BARN-001 needs one of the four forms with children),
    # so that the general ones do not take every document that could carry them.
    def choices(name: str) -> int:
        return sum(1 for _, d in docs if mutations.possible(d.form, by_name(name).rule))

    for number, name in sorted(enumerate(defects), key=lambda item: choices(item[1])):
        defect = by_name(name)
        if defect.rule == "KSX-REF-001":
            out.append(
                (
                    f"zz-defect-{number}/{name}.xml",
                    mutations.reused_reference(docs[0][1], docs[1][1]).data,
                )
            )
            continue
        for i, (source, doc) in enumerate(docs):
            if i in broken or not mutations.possible(doc.form, defect.rule):
                continue
            mutated = mutations.mutate(doc, defect.rule, chooser)
            if mutated is not None:
                out[i] = (source, mutated.data)
                broken.add(i)
                break
        else:
            # Certifying the reference without the defect would pass what should fail.
            raise SuiteError(
                f"defect {name}: none of the {len(docs)} generated documents can carry it "
                "(try more --examples)"
            )
    return out


def from_reference(seed: int, per_form: int, defects: Iterable[str], validator: Validator) -> Batch:
    documents = reference_documents(seed, per_form, defects)
    batch = Batch("reference")
    for verdict, (_, data) in zip(validator.run(documents), documents, strict=True):
        batch.add(verdict, data)
    return batch
