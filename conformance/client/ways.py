"""Choosing how a run asks the product, from the run's options: the part of a client profile's
fixture that every client profile shares.

One way per run (the profile's ``validate`` has made sure of it): ``--engine-cmd`` runs a
command per job, ``--engine-webhook`` POSTs each job, ``--manual`` has a person do it. With
none of them the profile's reference product is asked, in whatever way the profile chooses
(``reference``): a command of ``tpn`` for the reference form engine, the reference MinSide
client in process.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest

from tpn.conformance.client.ask import Asker, CommandAsker, ManualAsker, WebhookAsker

Say = Callable[[str], None]


def say_to(config: pytest.Config) -> Say:
    """A line on the run's terminal (nothing where pytest shows none). The lines are said
    while a fixture sets up, when pytest captures the output: capture is suspended for each,
    or a passing run would never show them."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")

    def say(text: str) -> None:
        if reporter is None:
            return
        with capture.global_and_fixture_disabled() if capture is not None else nullcontext():
            reporter.write_line(text)

    return say


def vendor(opt: Any) -> bool:
    """Whether the run asks a vendor's product (any of the three ways), not the reference."""
    return bool(opt.tpn_engine_cmd or opt.tpn_engine_webhook or opt.tpn_manual)


def asker_for(
    opt: Any,
    work: Path,
    say: Say,
    reference: Callable[[], tuple[Asker, str]],
    *,
    what: str = "engine",
) -> tuple[Asker, str, bool]:
    """How the product is asked; what the report calls the target; whether it is the
    reference. ``what`` names the product in the report ("engine", "client")."""
    if opt.tpn_engine_cmd:
        return CommandAsker(opt.tpn_engine_cmd, work), f"{what}: {opt.tpn_engine_cmd}", False
    if opt.tpn_engine_webhook:
        hook = opt.tpn_engine_webhook
        return WebhookAsker(hook), f"{what} webhook: {hook}", False
    if opt.tpn_manual:
        folder = Path(opt.tpn_report_dir or work) / "jobs"
        return ManualAsker(folder, say), f"an {what} operated by hand", False
    asker, described = reference()
    return asker, described, True
