"""How many emails one address, and one client address, may cause: the same for every journey.

Registration, the sign-in code, account recovery and the proof before linking all email a code
to an address someone typed. Without a shared limit, each journey (and each restart of one) is a
fresh allowance: eight sign-ups sent eight emails, and five codes of five tries each gave 24
guesses. :class:`MailLimiter` is admitted once per email, before it is sent, race-free on
:class:`store.throttle.Throttle`, and keyed by the address's lookup hash, so an address with an
account and one without are limited alike (the answer reveals nothing).

Guesses follow from sends: each code accepts at most five tries, so the codes an address can get
in an hour bound the guesses on it, whatever the number of journeys.
"""

from __future__ import annotations

from datetime import timedelta

from store.throttle import Admission, Throttle, ThrottlePolicy

#: Per address: three emails, then one a minute, doubling to one an hour; a quiet hour forgets.
PER_ADDRESS = ThrottlePolicy(
    free_failures=3,
    first_delay=timedelta(minutes=1),
    max_delay=timedelta(hours=1),
    forget_after=timedelta(hours=1),
)
#: Per client address: room for a shared NAT, forgotten after a quiet hour.
PER_CLIENT = ThrottlePolicy(
    free_failures=20,
    first_delay=timedelta(minutes=1),
    max_delay=timedelta(hours=1),
    forget_after=timedelta(hours=1),
)


class MailLimiter:
    """Admits each email to an address before it is sent."""

    def __init__(self, database_url: str) -> None:
        self.gate = Throttle(database_url)

    @staticmethod
    def address_key(address_lookup: str) -> str:
        """The key of an address (its lookup hash: the address itself is never stored here)."""
        return f"mail:{address_lookup}"

    @staticmethod
    def client_key(client_ip: str) -> str:
        """The key of a client address."""
        return f"mail-ip:{client_ip[:64]}"

    def admit(self, address_lookup: str, client_ip: str = "") -> Admission:
        """Count one email to the address (and from the client, when known) unless it must wait.

        A refused email costs the client nothing: a victim whose address is flooded by someone
        else is not throttled from their own network for asking again.
        """
        client = self.client_key(client_ip) if client_ip else ""
        if client:
            waiting = self.gate.blocked(client, PER_CLIENT)
            if not waiting.allowed:
                return waiting
        by_address = self.gate.admit(self.address_key(address_lookup), PER_ADDRESS)
        if not by_address.allowed or not client:
            return by_address
        by_client = self.gate.admit(client, PER_CLIENT)
        if not by_client.allowed:
            self.gate.refund(self.address_key(address_lookup))
            return by_client
        return by_address
