"""consent: consent_records can never be updated (append-only at the database level)

Revision ID: 1100_consent
Revises: 0900_merge
Create Date: 2026-11-23

Only UPDATE is rejected. DELETE stays possible on purpose: erasing a deleted customer's data (the
deprovisioning journey) must be able to remove their consent history, keeping only what the law
requires, and that decision belongs to that path, not to a trigger (see docs/consent.md).
"""

from alembic import op

revision: str = "1100_consent"
down_revision: str | None = "0900_merge"

MESSAGE = "consent_records is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION consent_records_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER consent_records_no_update BEFORE UPDATE ON consent_records "
            "FOR EACH ROW EXECUTE FUNCTION consent_records_append_only()"
        )
        return
    op.execute(
        "CREATE TRIGGER consent_records_no_update BEFORE UPDATE ON consent_records "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    )


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER consent_records_no_update ON consent_records"
        if op.get_bind().dialect.name == "postgresql"
        else "DROP TRIGGER consent_records_no_update"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION consent_records_append_only()")
