"""Messages of the generic ``support`` update: staff acting on a live journey.

Every journey inherits the update from the kit's ``Journey`` and declares which
actions it accepts in ``support_actions``:

* ``cancel`` – the waiting ``ask``/``wait_for`` raises ``JourneyCancelled``; the journey
  catches it and returns ``await self.finish(cancelled(...))``.
* ``extend`` – the current wait's deadline moves ``extend_minutes`` later (kit-owned).
* any other name – a button of the current screen that needs no input (``validate_fields=False``,
  e.g. registration's ``resend``), pressed on the customer's behalf; the journey sees an ordinary
  answer, so it needs no extra code.

The request (with the staff member's id) is in the workflow history as the update's input; before
acting, the kit runs the ``support.record_action`` activity, which writes the audit row and emails
the customer.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from contracts.activity import ActivityRef

#: ``ApplicationError.type`` of a refused support request (validator: nothing enters history).
SUPPORT_REFUSED = "SUPPORT_REFUSED"
RECORD_ACTIVITY = "support.record_action"
MAX_EXTEND_MINUTES = 7 * 24 * 60


class SupportRequest(BaseModel):
    """One staff action; ``staff_id`` is who asked (shown in history and the audit trail)."""

    action: str = Field(min_length=1, max_length=32)
    staff_id: str = Field(min_length=1, max_length=36)
    reason: str = Field(default="", max_length=500)
    extend_minutes: int = 0


class SupportReply(BaseModel):
    """What happened: ``done`` is False when the journey moved on before the action could run."""

    action: str
    done: bool
    message: str


class SupportActed(BaseModel):
    """Input of the ``support.record_action`` activity (idempotent by ``request_id``)."""

    request_id: str
    journey_id: str
    journey: str
    action: str
    staff_id: str
    reason: str = ""
    customer_id: str = ""


class SupportActivities:
    """Typed reference to the support activity the kit runs before acting on a request."""

    record_action = ActivityRef(RECORD_ACTIVITY, SupportActed, type(None))
