"""The option table makes both surfaces, and every registered profile is complete.

``tpn certify --NAME`` and ``pytest --tpn-NAME`` are made from ``tpn.conformance.options.TABLE``:
every row is on both, with the same default and help, and nothing is on one surface that is not
in the table. A profile (``tpn.conformance.profile.Profile``) is complete when its catalogue,
defects, options, target and suite agree with each other and with the registry.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any

import pytest
from _pytest.config.argparsing import Parser

from tpn.conformance import options, plugin, profiles
from tpn.conformance.catalogue import LEVELS
from tpn.conformance.profile import OptionError, flag
from tpn.harness.cli import build_parser

# tpn certify's own options, which are not the plugin's (signing, output, pytest's arguments).
CERTIFY_ONLY = {"--help", "--sign-key", "--signer", "--witnessed", "--quiet"}


def pytest_options() -> dict[str, Any]:
    """The plugin's ``--tpn-*`` options, as pytest holds them (flag → argparse attributes)."""
    parser = Parser(_ispytest=True)
    plugin.pytest_addoption(parser)
    return {a.names()[0]: a.attrs() for a in parser.getgroup("tpn").options}


def certify_parser() -> argparse.ArgumentParser:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    parser: argparse.ArgumentParser = sub.choices["certify"]  # type: ignore[index]
    return parser


def certify_options() -> dict[str, argparse.Action]:
    return {s: a for a in certify_parser()._actions for s in a.option_strings if s.startswith("--")}


@pytest.mark.parametrize("option", options.TABLE, ids=lambda o: o.name)
def test_every_row_is_on_both_surfaces_with_one_default_and_help(
    option: options.Option, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(options.PASSWORD_VAR, "fra-miljoet")
    under_pytest = pytest_options()[f"--tpn-{option.name}"]
    under_certify = certify_options()[f"--{option.name}"]
    assert under_pytest["default"] == option.default_value()
    assert under_certify.default == option.certify_default_value()
    # Only where tpn certify always does what a plain pytest run does when asked.
    assert option.certify_default is None or option.name in ("profile", "report-dir")
    assert under_certify.help == option.help
    assert under_pytest["help"] == option.pytest_help()
    assert option.help in option.pytest_help()
    assert under_pytest["metavar"] == under_certify.metavar
    assert under_pytest["choices"] == under_certify.choices
    assert under_pytest["dest"] == option.attr and under_certify.dest == option.dest


def test_nothing_is_on_a_surface_that_is_not_in_the_table() -> None:
    rows = {o.name for o in options.TABLE}
    assert {f.removeprefix("--tpn-") for f in pytest_options()} == rows
    assert {f.removeprefix("--") for f in certify_options()} - rows == {
        f.removeprefix("--") for f in CERTIFY_ONLY
    }


def test_the_password_default_is_the_environments_on_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(options.PASSWORD_VAR, "fra-miljoet")
    assert pytest_options()["--tpn-password"]["default"] == "fra-miljoet"
    assert certify_options()["--password"].default == "fra-miljoet"


def test_certify_hands_every_value_on_but_the_secret() -> None:
    given = {
        "profile": "sp",
        "target": "http://sp.example/side",
        "level": "full",
        "user": "u",
        "password": "hemmelig-passord",
        "ca-bundle": "ca.pem",
        "report-dir": "out",
        "seed": "7",
        "vendor": "V",
        "product": "P",
        "version": "4.2",
        "waive": "SP-SIG-001=later",
        "defect": "ignores-audience",
        "examples": "3",
        "request-timeout": "12",
        "max-response": "1M",
        "run-timeout": "99",
        "sp-metadata": "sp.xml",
        "probe-url": "http://sp.example/hvem",
        "probe-expect": "Hei {uid}",
        "sp-logout-url": "http://sp.example/ut",
        "idp-port": "8087",
        "idp-key": "portal.pem",
        "binding": "post",
        "engine-cmd": "engine {job}",
        "engine-webhook": "http://engine.example/jobs",
        "engine-metadata": "engine.xml",
        "archive-port": "8088",
        "archive-password": "arkiv-hemmelig",
        "engine-timeout": "5",
        "job-timeout": "60",
    }
    flags = {"exclusive", "manual", "with-minside"}
    assert set(given) | flags == {o.name for o in options.TABLE}, "a row is untested"
    argv = [x for name, value in given.items() for x in (f"--{name}", value)]
    args = certify_parser().parse_args([*argv, "--exclusive", "--manual", "--with-minside"])
    passed = options.pytest_arguments(args)
    secret = {o.name for o in options.TABLE if o.secret}
    assert secret == {"password", "archive-password"}
    assert "hemmelig-passord" not in passed and "arkiv-hemmelig" not in passed
    expected = [
        x for name, value in given.items() if name not in secret for x in (flag(name), value)
    ]
    expected.insert(expected.index("--tpn-waive"), "--tpn-exclusive")  # the table's order
    for switch in ("--tpn-manual", "--tpn-with-minside"):
        expected.insert(expected.index("--tpn-engine-metadata"), switch)
    assert passed == expected
    # What the plugin makes of it is what tpn certify was given.
    parser = Parser(_ispytest=True)
    plugin.pytest_addoption(parser)
    ns = parser.parse(passed)
    assert ns.tpn_idp_port == 8087 and ns.tpn_request_timeout == 12.0
    assert ns.tpn_max_response == 2**20 and ns.tpn_exclusive is True


def test_certify_passes_nothing_it_was_not_given_but_its_profile_level_and_folder() -> None:
    args = certify_parser().parse_args([])
    assert options.pytest_arguments(args) == [
        "--tpn-profile",
        profiles.DEFAULT_PROFILE,
        "--tpn-level",
        "core",
        "--tpn-report-dir",
        str(options.DEFAULT_REPORT_DIR),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tpn-seed", "x"], "--tpn-seed takes a whole number, got 'x'"),
        (["--tpn-request-timeout", "0"], "--tpn-request-timeout takes seconds (a number above 0)"),
        (["--tpn-run-timeout", "soon"], "--tpn-run-timeout takes seconds (a number above 0)"),
        (["--tpn-max-response", "lots"], "--tpn-max-response takes a size such as 64M"),
    ],
)
def test_the_plugins_readers_name_the_option(args: list[str], message: str) -> None:
    parser = Parser(_ispytest=True)
    plugin.pytest_addoption(parser)
    with pytest.raises(pytest.UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parser.parse(args)


# ------------------------------------------------------------------ profiles


ALL = list(profiles.PROFILES.values())


@pytest.mark.parametrize("profile", ALL, ids=lambda p: p.name)
def test_a_profile_is_complete(profile: profiles.Profile) -> None:
    catalogue = profile.catalogue
    assert catalogue.profile == profile.name, "the catalogue names another profile"
    assert len(catalogue) > 0
    assert profile.levels and set(profile.levels) <= set(LEVELS)
    assert list(profile.levels) == [lv for lv in LEVELS if lv in profile.levels]  # lowest first
    assert set(profile.levels) <= set(options.BY_NAME["level"].choices or ())
    assert {r.level for r in catalogue} <= set(profile.levels)
    # Its defects: named once each, said what they do, caught by its own requirements.
    defects = profile.defects()
    names = [d.name for d in defects]
    assert len(names) == len(set(names)), "a defect is named twice"
    for d in defects:
        assert d.summary and d.story and d.requirements, d.name
        assert all(rid in catalogue for rid in d.requirements), d.name
    assert not defects or "--defect NAME" in profile.defects_hint
    # Its options: what a target needs is in the table, and read by this profile.
    own = {o.name for o in options.for_profile(profile.name)}
    assert set(profile.target_needs) <= own
    assert profile.target_kind in ("url", "folder")
    assert f"{profile.name}: {profile.target_help}" in options.BY_NAME["target"].help
    # Its suite: collected from its folder, its fixtures registered by the plugin.
    assert profile.fixtures in plugin.pytest_plugins
    importlib.import_module(profile.fixtures)
    tests = sorted(profile.suite_dir.glob("test_*.py"))
    assert tests, f"{profile.name} has no test modules"
    for path in tests:
        assert profiles.owning(path) is profile
        importlib.import_module(profile.module_name(path))
    for level in profile.levels:
        assert profile.creates(level, "r1", 20).endswith(".")


def test_every_profile_option_names_a_registered_profile() -> None:
    for option in options.TABLE:
        assert set(option.profiles) <= set(profiles.PROFILES), option.name
    assert profiles.DEFAULT_PROFILE in profiles.PROFILES
    assert options.BY_NAME["profile"].choices == tuple(sorted(profiles.PROFILES))


@pytest.mark.parametrize("profile", ALL, ids=lambda p: p.name)
def test_a_target_without_what_it_needs_is_refused_by_name(profile: profiles.Profile) -> None:
    given: dict[str, Any] = {o.name: o.default for o in options.TABLE}
    given["target"] = "http://x.example/" if profile.target_kind == "url" else "no-such-folder"
    for needed in profile.target_needs:
        with pytest.raises(OptionError, match=flag(needed)):
            profile.validate({**given, needed: None})
    profile.validate({**given, "target": None})  # the reference needs nothing


def test_a_folder_profile_takes_a_folder_and_a_url_profile_a_url(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text("<a/>", encoding="utf-8")
    for profile in ALL:
        good = str(tmp_path) if profile.target_kind == "folder" else "https://x.example/"
        bad = "https://x.example/" if profile.target_kind == "folder" else str(tmp_path)
        profile.check_target(good)
        with pytest.raises(OptionError, match="--tpn-target must be"):
            profile.check_target(bad)
