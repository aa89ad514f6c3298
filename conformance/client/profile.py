"""What every client profile's ``Profile`` shares: the product is the client, so there is no
``--target``; the run names one way of asking it (``WAYS``), or certifies the profile's
reference client, whose defects are in ``fixtures/standards/<standard>/defects.toml``.

A client profile is a ``ClientProfile`` with its own ``check_options`` (the placeholders its
jobs offer a command template, through ``check_ways``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tpn.conformance.client.ask import check_template
from tpn.conformance.client.job import Job
from tpn.conformance.profile import Defect, OptionError, SuiteProfile, flag
from tpn.fixtures import standard_file

WAYS = ("engine-cmd", "engine-webhook", "manual")


@dataclass(frozen=True)
class ClientProfile(SuiteProfile):
    product: str = "engine"  # what the messages call the vendor's product

    def defects(self) -> tuple[Defect, ...]:
        path = standard_file(self.standard, "defects.toml")
        if not path.is_file():
            return ()
        return tuple(
            Defect(d["name"], d["summary"], d["story"], tuple(d["requirements"]))
            for d in tomllib.loads(path.read_text(encoding="utf-8")).get("defect", [])
        )

    def certified(self, values: Mapping[str, Any]) -> str:
        if values.get("engine-cmd"):
            return f"the {self.product} run as {values['engine-cmd']}"
        if values.get("engine-webhook"):
            return f"the {self.product} at {values['engine-webhook']}"
        if values.get("manual"):
            return f"an {self.product} operated by hand"
        return self.reference_name

    def validate(self, values: Mapping[str, Any]) -> None:
        if values.get("target"):
            raise OptionError(
                f"{self.name} takes no {flag('target')}: the {self.product} is the client; name "
                f"how it is asked with {', '.join(flag(w) for w in WAYS)}"
            )
        given = [flag(w) for w in WAYS if values.get(w)]
        if len(given) > 1:
            raise OptionError(
                f"choose one way of asking the {self.product}, not {' and '.join(given)}"
            )
        if given and values.get("defect"):
            raise OptionError(
                f"{flag('defect')} gives the reference {self.product} a defect: drop {given[0]}"
            )
        self.check_options(values)


def check_ways(values: Mapping[str, Any], example: Job) -> None:
    """The options of the ways of asking, each on its own: a command template whose
    placeholders a job shaped like ``example`` fills in, an http(s) webhook, a port."""
    command = values.get("engine-cmd")
    if command:
        try:
            check_template(command, example.placeholders(Path("/job.json")))
        except ValueError as exc:
            raise OptionError(f"{flag('engine-cmd')}: {exc}") from None
    hook = values.get("engine-webhook")
    if hook and urlsplit(hook).scheme not in ("http", "https"):
        raise OptionError(f"{flag('engine-webhook')} must be an http(s) URL, got {hook!r}")
    port = values.get("archive-port")
    if port is not None and not 0 < port < 65536:
        raise OptionError(f"{flag('archive-port')} must be a port (1-65535), got {port}")
