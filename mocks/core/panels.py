"""Panels: what a part tells a person on the admin side's pages about the state it is in.

The journal page (``tpn.mocks.core.journal_page``) shows what every mock shares (the test
clock, the injected faults) and, beside it, each part's panels: the archive's defects in force,
the portal's personas to log in with. A panel is a small table of text, so the page renders
every part's alike and knows none of them; a part offers its panels through ``Part.panels``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Panel"]


@dataclass(frozen=True)
class Panel:
    """A heading, a sentence, and a table (``columns``, one tuple of text per row). ``empty`` is
    what the page says when there are no rows."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
    empty: str = "none"

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"panel {self.title!r}: a row of {len(row)} cells under "
                    f"{len(self.columns)} columns"
                )
