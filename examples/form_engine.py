"""A vendor's small form engine (an example): a submitted form becomes a case and an entry in
the municipality's archive, through the vendor's own ``ArchiveClient``."""

from __future__ import annotations

from archive_client import ArchiveClient, Filed


def deliver(form: dict[str, str], archive: ArchiveClient) -> Filed:
    """File a submitted form; delivering it again (a retry) files nothing new."""
    title = f"{form['tjeneste']}: {form['navn']}"
    return archive.file_form(form["id"], title, f"Søknad mottatt {form['mottatt']}")
