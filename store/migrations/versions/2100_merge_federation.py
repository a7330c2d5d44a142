"""merge the client-assertion (jti) and organizations branches

Revision ID: 2100_merge
Revises: 2010_client_assertion_jtis, 2020_organizations
Create Date: 2026-11-23
"""

from collections.abc import Sequence

revision: str = "2100_merge"
down_revision: str | Sequence[str] | None = ("2010_client_assertion_jtis", "2020_organizations")


def upgrade() -> None:
    """Nothing to change: this revision only joins the parallel branches into one head."""


def downgrade() -> None:
    """Nothing to change: downgrading splits the head back into its branches."""
