"""Keys behind emailed links that the web checks and the workers issue.

A deletion's cancel link and an export's download link are keyed hashes of their journey id: the
worker puts the token in the email, the database keeps only a second keyed hash to look it up, and
the web layer recomputes that hash from the token a browser brings. Both sides derive the same
keys from ``THRESHOLD_SECRET_KEY`` through this module.
"""

from __future__ import annotations

from core.security.boxes import open_box, seal_box
from core.security.hashing import keyed_hash
from core.settings import Settings


def cancel_token(settings: Settings, journey_id: str) -> str:
    """The cancel link's token: a keyed hash of the journey id, the same in every email."""
    return keyed_hash(settings.derive_key("deletion-cancel"), journey_id)


def cancel_token_hash(settings: Settings, token: str) -> str:
    """What is stored to find a deletion by its cancel token (never the token itself)."""
    return keyed_hash(settings.derive_key("deletion-cancel-lookup"), token)


class ExportKeys:
    """The keys of exports: link tokens, their stored hashes, and the file encryption."""

    def __init__(self, settings: Settings) -> None:
        self.link_key = settings.derive_key("export-link")
        self.lookup_key = settings.derive_key("export-link-lookup")
        self.file_key = settings.derive_key("export-file")

    def token(self, journey_id: str) -> str:
        """The download link's token for the export journey ``journey_id``."""
        return keyed_hash(self.link_key, journey_id)

    def token_hash(self, token: str) -> str:
        """What is stored to find an export by its token."""
        return keyed_hash(self.lookup_key, token)

    def seal(self, export_id: str, document: str) -> str:
        """Encrypt the export file at rest, bound to its id."""
        return seal_box(self.file_key, document, aad=export_id.encode())

    def open(self, export_id: str, box: str) -> str:
        """Decrypt an export file sealed by :meth:`seal`."""
        return open_box(self.file_key, box, aad=export_id.encode())
