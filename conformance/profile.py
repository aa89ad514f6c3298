"""What a conformance profile is: the ``Profile`` protocol, and the base the profiles build on.

A profile is what ``tpn certify --profile`` and ``pytest --tpn-profile`` name: a role judged
against one requirement catalogue. Everything the plugin, ``tpn certify`` and ``tpn defects``
need to know of one goes through this protocol, so that none of them asks which profile it is:

- its ``name``, ``title`` and ``levels``, and its ``catalogue`` of requirements;
- its ``defects``: the mistakes its reference can be given (``--defect``), each with the
  requirements that must catch it, and the ``defects_hint`` that ``tpn defects`` ends with;
- what a target is (``target_kind``, ``target_help``, ``check_target``) and what runs without
  one (``reference_name``);
- its options: the option table (``tpn.conformance.options``) says which options each profile
  reads; ``target_needs`` names those a run against a vendor's target must have, and
  ``validate`` judges them together;
- how its tests are selected: the modules under ``suite_dir`` (``owns``, ``module_name``), and
  the pytest ``fixtures`` module that the plugin registers for them;
- what a run creates in the target (``creates``).

``SuiteProfile`` implements all of it for a suite package under ``tpn.conformance``; a profile
module (``tpn.conformance.<suite>.profile``) makes one and overrides what is its own. The
registry of profiles is ``tpn.conformance.profiles``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from tpn.conformance.catalogue import LEVELS, Catalogue, load
from tpn.fixtures.files import FileRefused, printable, regular_size

TargetKind = Literal["url", "folder"]
PREFIX = "--tpn-"  # the plugin's options; tpn certify's messages name them too


def flag(name: str) -> str:
    """The plugin's option for the table's ``name``: ``target`` is ``--tpn-target``."""
    return PREFIX + name


class OptionError(ValueError):
    """Options that cannot make a run; the message is the one line the user sees."""


@dataclass(frozen=True)
class Defect:
    """One defect of a profile's reference, as ``tpn defects`` lists it."""

    name: str
    summary: str  # what the reference then does wrong
    story: str  # why a vendor's product might (the summary where there is no more to say)
    requirements: tuple[str, ...]  # the requirements that must catch it


class Profile(Protocol):
    """A conformance profile, as the plugin, ``tpn certify`` and ``tpn defects`` see it."""

    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def levels(self) -> tuple[str, ...]:
        """The levels a run can choose, lowest first; each includes those before it."""
        ...

    @property
    def catalogue(self) -> Catalogue: ...

    def defects(self) -> tuple[Defect, ...]:
        """The defects its reference can be started with, in the catalogue's order."""
        ...

    @property
    def defects_hint(self) -> str:
        """The last line of ``tpn defects``: how to use one."""
        ...

    @property
    def target_kind(self) -> TargetKind:
        """What ``--target`` names: a server's URL, or a folder of documents a product made."""
        ...

    @property
    def target_help(self) -> str:
        """What ``--target`` names for this profile, in the option's help."""
        ...

    @property
    def reference_name(self) -> str:
        """What is certified without ``--target``, in notices and reports."""
        ...

    def certified(self, values: Mapping[str, Any]) -> str:
        """What a run with these options (table name → value) certifies, for its notice."""
        ...

    @property
    def target_needs(self) -> tuple[str, ...]:
        """The option-table names a run against a vendor's target cannot do without."""
        ...

    def validate(self, values: Mapping[str, Any]) -> None:
        """Raise ``OptionError`` unless the options (table name → parsed value) make a run."""
        ...

    def check_target(self, target: str) -> None:
        """Raise ``OptionError`` unless ``target`` is a target of this profile."""
        ...

    @property
    def suite_dir(self) -> Path:
        """The folder its test modules are collected from."""
        ...

    @property
    def fixtures(self) -> str:
        """The module of its pytest fixtures (registered by the plugin in every run)."""
        ...

    def owns(self, path: Path) -> bool:
        """Whether the test module at ``path`` is one of its suite's."""
        ...

    def module_name(self, path: Path) -> str:
        """The importable name of its test module at ``path``."""
        ...

    def creates(self, level: str, run_id: str, examples: int) -> str:
        """One line on what a run will create in the target."""
        ...


@dataclass(frozen=True)
class SuiteProfile:
    """A profile whose suite is a package of ``tpn.conformance``, with ``budget`` and
    ``fixtures`` modules, over the catalogue ``fixtures/standards/<standard>/requirements.toml``.

    It has no defects of its own: a profile module overrides ``defects`` (and ``check_options``
    where its options need more than ``target_needs``).
    """

    name: str
    title: str
    standard: str  # folder under fixtures/standards/
    package: str  # the package holding the suite's test modules
    target_kind: TargetKind = "url"
    target_help: str = "an endpoint's URL"
    reference_name: str = "the embedded reference archive"
    target_needs: tuple[str, ...] = ()
    defects_hint: str = ""
    levels: tuple[str, ...] = LEVELS

    @property
    def catalogue(self) -> Catalogue:
        return load(self.standard)

    def defects(self) -> tuple[Defect, ...]:
        return ()

    def certified(self, values: Mapping[str, Any]) -> str:
        return str(values.get("target") or self.reference_name)

    def defect_names(self) -> list[str]:
        return [d.name for d in self.defects()]

    @property
    def suite_dir(self) -> Path:
        return Path(str(resources.files(self.package)))

    @property
    def fixtures(self) -> str:
        return f"{self.package}.fixtures"

    def owns(self, path: Path) -> bool:
        return path.is_relative_to(self.suite_dir)

    def module_name(self, path: Path) -> str:
        return f"{self.package}.{path.stem}"

    def creates(self, level: str, run_id: str, examples: int) -> str:
        budget = importlib.import_module(f"{self.package}.budget")
        text: str = budget.describe(level, run_id, examples)
        return text

    def validate(self, values: Mapping[str, Any]) -> None:
        """Against a vendor's target: ``target_needs``, then ``check_options``, then the
        target itself. Without one the reference runs, which needs nothing."""
        target = values.get("target")
        if not target:
            return
        missing = [flag(name) for name in self.target_needs if not values.get(name)]
        if missing:
            raise OptionError(f"{self.name} with {flag('target')} needs {', '.join(missing)}")
        self.check_options(values)
        self.check_target(target)

    def check_options(self, values: Mapping[str, Any]) -> None:
        """What this profile's options need beyond being there (a profile's own rules)."""

    def check_target(self, target: str) -> None:
        if self.target_kind == "url":
            url_target(self.name, target)
        else:
            folder_target(self.name, target)


# ------------------------------------------------------------------ shared checks


def url_target(profile: str, target: str) -> None:
    if urlsplit(target).scheme not in ("http", "https"):
        raise OptionError(f"{flag('target')} must be an http(s) URL for {profile}, got {target!r}")


def folder_target(profile: str, target: str) -> None:
    """A folder holding at least one ``*.xml`` document (a form-output profile's target)."""
    if not Path(target).is_dir():
        what = "a URL" if urlsplit(target).scheme in ("http", "https") else "not one"
        raise OptionError(
            f"{flag('target')} must be a folder of documents for {profile}: {target!r} is {what}"
        )
    if not any(Path(target).rglob("*.xml")):
        raise OptionError(f"{flag('target')} {target!r} holds no *.xml documents")


def readable(path: str, limit: int, option: str) -> None:
    """A file named by ``option`` is a regular file within ``limit`` (no FIFO, no device)."""
    if not os.path.lexists(path):
        raise OptionError(f"{option}: no such file {printable(path)!r}")
    try:
        regular_size(path, limit, what=option)
    except FileRefused as exc:
        raise OptionError(str(exc)) from None
