"""The system of record: SQLModel tables, small repositories and Alembic migrations."""
