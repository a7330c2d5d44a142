"""Which journeys the web knows, may start at ``/j/<journey>``, and links from the account page.

Read from the journeys' own declarations (``@journey``), so adding a journey edits nothing here.
"""

from __future__ import annotations

from journeys.catalog import by_name
from journeys.kit import Journey


class Catalog:
    """The registered journeys as the generic routes see them (no Temporal call)."""

    @staticmethod
    def known(journey: str) -> bool:
        """Whether ``journey`` names a registered journey."""
        return journey in by_name()

    @staticmethod
    def startable(journey: str) -> type[Journey] | None:
        """The journey class the web may start at ``/j/<journey>``, or None (unknown/internal)."""
        declared = by_name().get(journey)
        return declared if declared is not None and declared.entry != "internal" else None

    @staticmethod
    def account_links() -> list[tuple[str, str]]:
        """(URL, label) of every signed-in journey that declares an account-page link."""
        return sorted(
            (f"/j/{name}", cls.account_link)
            for name, cls in by_name().items()
            if cls.entry == "signed_in" and cls.account_link
        )
