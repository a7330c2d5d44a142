"""merge the login, risk, passkey, SCIM and support branches

Revision ID: 0900_merge
Revises: 0200_risk, 0300_login, 0400_passkeys, 0500_scim, 0800_support
Create Date: 2026-11-23
"""

from collections.abc import Sequence

revision: str = "0900_merge"
down_revision: str | Sequence[str] | None = (
    "0200_risk",
    "0300_login",
    "0400_passkeys",
    "0500_scim",
    "0800_support",
)


def upgrade() -> None:
    """Nothing to change: this revision only joins the parallel branches into one head."""


def downgrade() -> None:
    """Nothing to change: downgrading splits the head back into its branches."""
