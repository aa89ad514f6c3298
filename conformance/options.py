"""The options of a conformance run, defined once: ``tpn certify --NAME`` is ``pytest --tpn-NAME``.

``TABLE`` has one row per option: its name, the types it is read as, default, help, metavar,
which profiles read it, whether it is a secret, and how it is checked. Both surfaces are made
from it: ``add_to_pytest`` (the plugin's option group) and ``add_to_argparse`` (``tpn certify``);
``tpn certify`` hands its values on to pytest with ``pytest_arguments``, and the plugin judges
them with ``check`` (each row's own rule; the profile judges them together,
``Profile.validate``). A new option is one row; a profile's own options are rows that name it
in ``profiles``.

Reading a value is split where the two surfaces need it: ``type`` is what both command lines
make of the text (argparse's own message for a bad whole number), and ``parse``, where a row
has one, is the plugin's stricter reader, whose message names the ``--tpn-`` option. ``tpn
certify`` passes such a value on as the text it was given, so that one reader judges it.
Every message names the plugin's option (``--tpn-target``), under ``tpn certify`` too.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from tpn.conformance import profiles
from tpn.conformance.catalogue import LEVELS
from tpn.conformance.profile import PREFIX, OptionError, flag, readable
from tpn.conformance.transport import DEFAULT_MAX_RESPONSE, DEFAULT_REQUEST_TIMEOUT, RUN_TIMEOUTS

DEFAULT_REPORT_DIR = Path("tpn-report")
PASSWORD_VAR = "TPN_PASSWORD"
MAX_CA_BUNDLE = 16 * 1024 * 1024  # PEM; a whole system bundle is under 1 MB
LIMITS = "limits (a target past one stops the run: exit 2)"
SP = "sp profile (a SAML service provider)"
FD = "client profiles: form-delivery (a form engine, the archive's client), minside-client"

Check = Callable[[str, Any, Mapping[str, Any]], None]


@dataclass(frozen=True)
class Option:
    name: str  # --NAME for tpn certify, --tpn-NAME for pytest
    help: str
    metavar: str | None = None
    type: Callable[[str], Any] = str
    # The plugin's reader, in place of ``type``; its OptionError is what follows the option.
    parse: Callable[[str], Any] | None = None
    default: Any = None
    # tpn certify's default, where it is not ``default``: it always names a profile and
    # always writes reports; a plain pytest run does neither unless asked.
    certify_default: Any = None
    action: Literal["store", "store_true", "append"] = "store"
    choices: Sequence[str] | None = None
    profiles: tuple[str, ...] = ()  # the profiles that read it; () for every profile
    # Never an argument (arguments are recorded in report.json): tpn certify hands it to the
    # plugin in its environment variable, ``env``.
    secret: bool = False
    env: str | None = None  # the default comes from this environment variable
    check: Check | None = None  # the option's own rule, on a value that is given
    group: str | None = None  # its section of tpn certify's --help

    @property
    def flag(self) -> str:
        return flag(self.name)

    @property
    def attr(self) -> str:
        """Its attribute on pytest's ``config.option``."""
        return self.flag.removeprefix("--").replace("-", "_")

    @property
    def dest(self) -> str:
        """Its attribute on tpn certify's parsed arguments."""
        return self.name.replace("-", "_")

    def default_value(self) -> Any:
        return os.environ.get(self.env) if self.env else self.default

    def certify_default_value(self) -> Any:
        return self.default_value() if self.certify_default is None else self.certify_default

    def pytest_help(self) -> str:
        """The help under pytest, where every option is in one group: a profile's own say so."""
        return f"{', '.join(self.profiles)}: {self.help}" if self.profiles else self.help


# ------------------------------------------------------------------ readers


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise OptionError(f"takes a whole number, got {text!r}") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 10**7:
        raise OptionError(f"takes seconds (a number above 0), got {text!r}")
    return value


_SIZE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[kmg]?)(?:i?b)?", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def _size(text: str) -> int:
    """A size in bytes: ``1048576``, ``512K``, ``64M``, ``1G`` (binary units; ``MiB`` too)."""
    match = _SIZE.fullmatch(text.strip())
    value = int(float(match["n"]) * _UNITS[match["unit"].lower()]) if match else 0
    if value < 1:
        raise OptionError(f"takes a size such as 64M, 512K or 1048576, got {text!r}")
    return value


# ------------------------------------------------------------------ checks


def _needs_password(option: str, user: Any, values: Mapping[str, Any]) -> None:
    if not values["password"]:
        raise OptionError(f"{option} needs {flag('password')} (or ${PASSWORD_VAR})")


def _ca_bundle(option: str, path: Any, values: Mapping[str, Any]) -> None:
    readable(path, MAX_CA_BUNDLE, option)


def _profile(values: Mapping[str, Any]) -> profiles.Profile:
    return profiles.get(values["profile"] or profiles.DEFAULT_PROFILE)


def waivers(texts: Sequence[str]) -> dict[str, str]:
    """``ID=REASON`` texts as requirement id → reason."""
    found: dict[str, str] = {}
    for text in texts:
        rid, sep, reason = text.partition("=")
        if not sep or not reason.strip():
            raise OptionError(f"{flag('waive')} takes ID=REASON, got {text!r}")
        found[rid.strip()] = reason.strip()
    return found


def _waivers(option: str, texts: Any, values: Mapping[str, Any]) -> None:
    profile = _profile(values)
    for rid in waivers(texts):
        if rid not in profile.catalogue:
            raise OptionError(f"{option}: {rid} is not a requirement of {profile.name}")
        if not profile.catalogue.get(rid).within(values["level"]):
            raise OptionError(f"{option}: {rid} is above level {values['level']}")


def _defects(option: str, names: Any, values: Mapping[str, Any]) -> None:
    if values["target"]:
        raise OptionError(
            f"{option} gives the profile's own reference a defect: drop {flag('target')}"
        )
    profile = _profile(values)
    known = [d.name for d in profile.defects()]
    unknown = [d for d in names if d not in known]
    if unknown:
        raise OptionError(
            f"unknown defect {unknown[0]!r} for {profile.name}: "
            f"`tpn defects --profile {profile.name}` lists them ({', '.join(known)})"
        )


def _at_least_one(option: str, value: Any, values: Mapping[str, Any]) -> None:
    if value < 1:
        raise OptionError(f"{option} must be at least 1, got {value}")


def _targets() -> str:
    kinds = "; ".join(f"{p.name}: {p.target_help}" for p in profiles.PROFILES.values())
    return f"what to certify ({kinds}); default: the profile's reference"


# ------------------------------------------------------------------ the table

TABLE: tuple[Option, ...] = (
    Option(
        "profile",
        f"conformance profile (default {profiles.DEFAULT_PROFILE})",
        choices=tuple(sorted(profiles.PROFILES)),
        certify_default=profiles.DEFAULT_PROFILE,
    ),
    Option("target", _targets(), metavar="URL|DIR"),
    Option(
        "level",
        "core (default), full or extended; a level includes those below it",
        choices=LEVELS,
        default="core",
    ),
    Option("user", "HTTP Basic user for the target", metavar="USER", check=_needs_password),
    Option(
        "password",
        f"HTTP Basic password for the target (default: ${PASSWORD_VAR}, which keeps it out of "
        "the process list)",
        metavar="PASSWORD",
        secret=True,
        env=PASSWORD_VAR,
    ),
    Option(
        "ca-bundle",
        "trust this CA bundle (PEM) for an https target (the environment's is not read)",
        metavar="FILE",
        check=_ca_bundle,
    ),
    Option(
        "report-dir",
        "where junit.xml, report.json and report.html go (default: "
        f"{DEFAULT_REPORT_DIR} for tpn certify; none for a plain pytest run)",
        metavar="DIR",
        type=Path,
        certify_default=DEFAULT_REPORT_DIR,
    ),
    Option(
        "seed",
        "seed for generated data (default: random; the report and a failure name the seed that "
        "replays the run)",
        metavar="N",
        type=int,
        parse=_whole,
    ),
    Option("vendor", "vendor named in the report", metavar="NAME"),
    Option("product", "product named in the report", metavar="NAME"),
    Option("version", "product version named in the report", metavar="VERSION"),
    Option(
        "exclusive",
        "declare that nobody else writes to the target during the run, which makes gap-free "
        "numbering checkable",
        action="store_true",
        default=False,
    ),
    Option(
        "waive",
        "waive a requirement (repeatable): it is run and reported, but cannot fail the run",
        metavar="ID=REASON",
        action="append",
        default=[],
        check=_waivers,
    ),
    Option(
        "defect",
        "certify the profile's reference with this defect (repeatable; "
        "`tpn defects --profile P` lists them)",
        metavar="NAME",
        action="append",
        default=[],
        check=_defects,
    ),
    Option(
        "examples",
        "examples per property-based test (default 20; fixed, also against real targets)",
        metavar="N",
        type=int,
        check=_at_least_one,
    ),
    Option(
        "request-timeout",
        "the most one request to the target may take, from sending it to the last byte of the "
        f"answer (default {DEFAULT_REQUEST_TIMEOUT:g}: a 20 MB document each way on a slow "
        "archive); past it the run stops",
        metavar="SECONDS",
        parse=_seconds,
        group=LIMITS,
    ),
    Option(
        "max-response",
        "the largest answer read from the target, e.g. 64M or 512K (default "
        f"{DEFAULT_MAX_RESPONSE // 2**20}M: the largest document, 20 MB, is 27 MB of base64); "
        "a larger one stops the run",
        metavar="SIZE",
        parse=_size,
        group=LIMITS,
    ),
    Option(
        "run-timeout",
        "the most the whole run may take (default per level: "
        + ", ".join(f"{level} {seconds:g}" for level, seconds in RUN_TIMEOUTS.items())
        + "); past it the run stops",
        metavar="SECONDS",
        parse=_seconds,
        group=LIMITS,
    ),
    Option(
        "sp-metadata",
        "the SP's SAML metadata, registered with the suite's portal",
        metavar="FILE",
        profiles=("sp",),
        group=SP,
    ),
    Option(
        "probe-url",
        "a page of the SP that shows who is logged in",
        metavar="URL",
        profiles=("sp",),
        group=SP,
    ),
    Option(
        "probe-expect",
        "what the probe shows for a logged-in persona, {uid} standing for the number "
        "(e.g. 'Hei {uid}')",
        metavar="TEXT",
        profiles=("sp",),
        group=SP,
    ),
    Option(
        "sp-logout-url",
        "the SP's logout link (for SP-SLO-001)",
        metavar="URL",
        profiles=("sp",),
        group=SP,
    ),
    Option(
        "idp-port",
        "the port of the suite's portal, which the SP trusts (default: any free one)",
        metavar="N",
        type=int,
        profiles=("sp",),
        group=SP,
    ),
    Option(
        "idp-key",
        "the portal's signing key and certificate (PEM); made there on first use",
        metavar="FILE",
        profiles=("sp",),
        group=SP,
    ),
    Option(
        "binding",
        "answer the SP over this binding only (default: each the SP's metadata declares, "
        "HTTP-Artifact and HTTP-POST)",
        choices=("artifact", "post"),
        profiles=("sp",),
        group=SP,
    ),
    Option(
        "engine-cmd",
        "ask the engine by running this command per job; placeholders such as {job} (the job "
        "file), {document}, {form}, {archive_url}, {user}, {password} are filled in; exit "
        "status 0 is success",
        metavar="'CMD ...'",
        profiles=("form-delivery", "minside-client"),
        group=FD,
    ),
    Option(
        "engine-webhook",
        'ask the engine by POSTing each job (JSON) to this URL; it answers {"success": ...}',
        metavar="URL",
        profiles=("form-delivery", "minside-client"),
        group=FD,
    ),
    Option(
        "manual",
        "a person delivers each form through the engine's user interface: the jobs are written "
        "to the report folder and the run waits for each delivery",
        action="store_true",
        default=False,
        profiles=("form-delivery", "minside-client"),
        group=FD,
    ),
    Option(
        "with-minside",
        "the citizen's whole journey too: the engine takes the applicant and level from the "
        "citizen's login at the security portal and sends the receipt and the case status to "
        "MinSide (requirements FD-J-...)",
        action="store_true",
        default=False,
        profiles=("form-delivery",),
        group=FD,
    ),
    Option(
        "engine-metadata",
        "with --with-minside and a vendor's engine: its SAML SP metadata (entityID, an "
        "HTTP-POST ACS), registered with the suite's portal",
        metavar="FILE",
        profiles=("form-delivery",),
        group=FD,
    ),
    Option(
        "archive-port",
        "the port of the suite's archive and register, so the engine is configured once "
        "(default: any free one)",
        metavar="N",
        type=int,
        profiles=("form-delivery", "minside-client"),
        group=FD,
    ),
    Option(
        "archive-password",
        "the password the suite's archive asks of the engine, user 'tpn' (default: "
        "$TPN_ARCHIVE_PASSWORD, else a new one each run, given in every job)",
        metavar="PASSWORD",
        secret=True,
        env="TPN_ARCHIVE_PASSWORD",
        profiles=("form-delivery", "minside-client"),
        group=FD,
    ),
    Option(
        "engine-timeout",
        "how long the engine waits for the archive's answer before it gives up on an attempt "
        "(the suite holds an answer longer than that for FD-FAULT-002; default 30, 3 for the "
        "reference engine)",
        metavar="SECONDS",
        parse=_seconds,
        profiles=("form-delivery", "minside-client"),
        group=FD,
    ),
    Option(
        "job-timeout",
        "how long one job may take the engine (default 120; 900 with --manual)",
        metavar="SECONDS",
        parse=_seconds,
        profiles=("form-delivery", "minside-client"),
        group=FD,
    ),
)
BY_NAME = {o.name: o for o in TABLE}


def for_profile(name: str) -> tuple[Option, ...]:
    """The options ``name`` reads: the common ones and its own."""
    return tuple(o for o in TABLE if not o.profiles or name in o.profiles)


# ------------------------------------------------------------------ the two surfaces


class _Adds(Protocol):
    def __call__(self, *names: str, **attrs: Any) -> Any: ...


def _common(option: Option) -> dict[str, Any]:
    attrs: dict[str, Any] = {"action": option.action, "help": option.help}
    if option.action != "store_true":
        attrs["metavar"] = option.metavar
    if option.choices is not None:
        attrs["choices"] = option.choices
    return attrs


def add_to_pytest(add: _Adds) -> None:
    """Every row as ``--tpn-NAME`` (``add`` is the plugin group's ``addoption``)."""
    for option in TABLE:
        attrs = _common(option)
        attrs["help"] = option.pytest_help()
        attrs["default"] = option.default_value()
        if option.action == "store":
            attrs["type"] = _pytest_reader(option)
        add(option.flag, **attrs)


def _pytest_reader(option: Option) -> Callable[[str], Any]:
    parse = option.parse
    if parse is None:
        return option.type

    def read(text: str) -> Any:
        import pytest  # loaded already: only the plugin calls this

        try:
            return parse(text)
        except OptionError as exc:
            # Not a ValueError to argparse, which would word it its own way.
            raise pytest.UsageError(f"{option.flag} {exc}") from None

    return read


def add_to_argparse(parser: argparse.ArgumentParser) -> None:
    """Every row as ``--NAME`` of ``tpn certify``, a row with a ``group`` in that section."""
    groups: dict[str, argparse._ArgumentGroup] = {}
    for option in TABLE:
        attrs = _common(option)
        attrs["default"] = option.certify_default_value()
        if option.action == "store":
            attrs["type"] = option.type  # text, where the plugin's ``parse`` reads it
        where: Any = parser
        if option.group is not None:
            if option.group not in groups:
                groups[option.group] = parser.add_argument_group(option.group)
            where = groups[option.group]
        where.add_argument(f"--{option.name}", **attrs)


def pytest_arguments(args: argparse.Namespace) -> list[str]:
    """tpn certify's values as the plugin's arguments, in the table's order; no secret."""
    out: list[str] = []
    for option in TABLE:
        value = getattr(args, option.dest)
        if option.secret or value is None or value is False:
            continue
        if option.action == "store_true":
            out.append(option.flag)
        elif option.action == "append":
            out += [x for item in value for x in (option.flag, item)]
        else:
            out += [option.flag, str(value)]
    return out


# ------------------------------------------------------------------ the plugin's side


def values(namespace: Any) -> dict[str, Any]:
    """pytest's ``config.option`` as table name → value."""
    return {option.name: getattr(namespace, option.attr) for option in TABLE}


def check(given: Mapping[str, Any]) -> None:
    """Each given option's own rule, in the table's order: raise ``OptionError``."""
    for option in TABLE:
        value = given[option.name]
        # Not given: None, an empty list, a flag not set, an empty text (0 is a value).
        absent = value is None or value is False or (not isinstance(value, int) and not value)
        if option.check is not None and not absent:
            option.check(option.flag, value, given)


__all__ = [
    "BY_NAME",
    "DEFAULT_REPORT_DIR",
    "PASSWORD_VAR",
    "PREFIX",
    "TABLE",
    "Option",
    "OptionError",
    "add_to_argparse",
    "add_to_pytest",
    "check",
    "for_profile",
    "pytest_arguments",
    "values",
    "waivers",
]
