"""What an sp run does to its target: logs synthetic personas in and out; it stores nothing."""

from __future__ import annotations


def describe(level: str, run_id: str, examples: int) -> str:
    """The notice line's last sentence (``Profile.creates``)."""
    return "It logs synthetic personas in and out of the SP; it stores nothing there."
