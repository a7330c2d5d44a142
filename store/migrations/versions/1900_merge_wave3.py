"""merge the consent/profiling, events/deprovisioning/export and OIDC branches

Revision ID: 1900_merge
Revises: 1110_profiling, 1202_export, 1300_oidc
Create Date: 2026-11-23
"""

from collections.abc import Sequence

revision: str = "1900_merge"
down_revision: str | Sequence[str] | None = ("1110_profiling", "1202_export", "1300_oidc")


def upgrade() -> None:
    """Nothing to change: this revision only joins the parallel branches into one head."""


def downgrade() -> None:
    """Nothing to change: downgrading splits the head back into its branches."""
