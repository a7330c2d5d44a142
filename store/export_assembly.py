"""Everything held about one customer, as JSON-ready data, without a single secret.

The tables come from the schema (every table with a customer column), so a table a
later feature adds is exported without anyone remembering to come back here. Columns holding
secrets or their derivatives (hashes, encrypted boxes, passwords, undelivered codes) are left out
by name; the export says which columns were withheld.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from store.models import Customer

CUSTOMER_COLUMNS = ("customer_id", "expected_customer_id")
SECRET_MARKERS = ("hash", "secret", "box", "password", "undelivered", "token", "email_lookup")


def is_secret(column: str) -> bool:
    """Whether a column name marks a secret (or a value derived from one)."""
    return any(marker in column for marker in SECRET_MARKERS)


def assemble(db: Session, customer_id: str) -> dict[str, Any]:
    """``{"customer": {...}, "tables": {table: [rows]}, "withheld": [table.column]}``."""
    customer = db.get(Customer, customer_id)
    if customer is None:
        return {}
    tables: dict[str, list[dict[str, Any]]] = {}
    withheld: set[str] = set()
    for table in SQLModel.metadata.sorted_tables:
        if table.name == "customers":
            continue
        for column in CUSTOMER_COLUMNS:
            if column not in table.c:
                continue
            rows = db.execute(select(table).where(table.c[column] == customer_id)).mappings()
            found = []
            for row in rows:
                kept = {}
                for name, value in row.items():
                    if is_secret(name):
                        withheld.add(f"{table.name}.{name}")
                    else:
                        kept[name] = _plain(value)
                found.append(kept)
            if found:
                tables.setdefault(table.name, []).extend(found)
    profile = {
        name: _plain(getattr(customer, name))
        for name in Customer.model_fields
        if not is_secret(name) and name != "created_by_journey"
    }
    return {"customer": profile, "tables": tables, "withheld": sorted(withheld)}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
