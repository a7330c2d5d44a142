"""Staff cancelling a live journey: what ``ask``/``wait_for`` raise (see contracts/support.py)."""

from __future__ import annotations


class JourneyCancelled(Exception):
    """Raised by ``ask``/``wait_for`` when staff cancelled the journey."""

    def __init__(self, staff_id: str) -> None:
        super().__init__(f"cancelled by staff {staff_id}")
        self.staff_id = staff_id
