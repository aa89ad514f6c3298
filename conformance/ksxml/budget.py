"""What a form-xml run does to its target: nothing. It reads the documents and writes none."""

from __future__ import annotations


def describe(level: str, run_id: str, examples: int) -> str:
    """The notice line's last sentence (``Profile.creates``)."""
    return "It only reads the documents; it changes nothing."
