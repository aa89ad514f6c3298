"""The installed distribution carries what its users' tools need (PEP 561 markers)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setuptools() -> dict[str, object]:
    raw = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    table = raw["tool"]["setuptools"]
    assert isinstance(table, dict)
    return table


def test_every_top_level_package_is_typed_in_the_tree_and_in_the_wheel() -> None:
    """mypy refuses `-p tpn.x` for an installed package without py.typed; a vendor's too."""
    table = _setuptools()
    package_dir = table["package-dir"]
    package_data = table["package-data"]
    assert isinstance(package_dir, dict) and isinstance(package_data, dict)
    missing = [
        name
        for name, folder in package_dir.items()
        if not (ROOT / folder / "py.typed").is_file()
        or "py.typed" not in package_data.get(name, [])
    ]
    assert not missing, f"packages without a shipped py.typed: {missing}"
