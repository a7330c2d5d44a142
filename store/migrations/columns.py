"""Column types the hand-written revisions share, instead of a private copy in each.

Autogenerate spells a model's bounded ``str`` as ``sqlmodel.sql.sqltypes.AutoString(length=n)``
and an aware datetime as ``UTCDateTime()``. ``string(n)`` and ``utc()`` build exactly those objects,
so a revision written with them creates the same schema. Revisions already applied import them:
never change what they return.
"""

from __future__ import annotations

import sqlmodel


def string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    """A ``VARCHAR(length)``: a model's ``str`` field with ``max_length=length``."""
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def utc() -> sqlmodel.sql.sqltypes.UTCDateTime:
    """A timestamp that refuses naive datetimes, as the models declare every ``…_at``."""
    return sqlmodel.sql.sqltypes.UTCDateTime()
