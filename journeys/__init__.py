"""Journeys: deterministic workflow code only (no I/O, no clock, no randomness but ``workflow.*``).

Importing this package registers every journey in :data:`journeys.kit.JOURNEYS`.
"""

from journeys import add_passkey, invitation, login, registration

__all__ = ["add_passkey", "invitation", "login", "registration"]
