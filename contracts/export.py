"""The export activities' contract: their messages and typed references.

Journeys call these references; ``workers/activities/export.py`` implements them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from contracts.activity import ActivityRef


class PrepareExport(BaseModel):
    """Whose data, for which journey."""

    journey_id: str
    customer_id: str


class ExportReady(BaseModel):
    """The export's id and when its link stops working (``found`` False: no such customer)."""

    found: bool
    export_id: str = ""
    expires_at: datetime | None = None


class ExportActivities:
    """Typed references to the export activities, for ``Journey.step``."""

    prepare = ActivityRef("export.prepare", PrepareExport, ExportReady)
    discard = ActivityRef("export.discard", PrepareExport, type(None), local=True)


LINK_LIFETIME = timedelta(hours=24)
