"""Passwordless sign-in by emailed link: who a request is for, admitted per address and network.

``magic_link.request`` does the same work for every address (one admission by the shared
:class:`~store.mail_limits.MailLimiter`, one customer lookup), so neither the page nor its timing
says whether the address has an account. The journey then emails either the link (and code) or
a message saying there is no account here, through ``verification.send_code``.
"""

from __future__ import annotations

from sqlmodel import select

from contracts.magic_link import MagicLinkActivities, MagicLinkRequested, RequestMagicLink
from store.mail_limits import MailLimiter
from store.models import SIGN_IN_STATUSES, Customer
from store.throttle import wait_seconds
from workers.activities.base import ActivityGroup, implements


class MagicLinkActivitiesImpl(ActivityGroup):
    """Admit sign-in link requests and say whose account they are for."""

    @implements(MagicLinkActivities.request)
    def request(self, request: RequestMagicLink) -> MagicLinkRequested:
        """Admit the email (the limits every emailed code shares), then find who may sign in."""
        lookup = self.email_lookup(request.email)
        admission = MailLimiter(self.settings.database_url).admit(lookup, request.client_ip)
        if not admission.allowed:
            seconds = wait_seconds(admission.retry_after)
            return MagicLinkRequested(
                admitted=False, email_lookup=lookup, retry_after_seconds=seconds
            )
        with self.db() as session:
            customer = session.exec(select(Customer).where(Customer.email == request.email)).first()
        usable = customer is not None and customer.status in SIGN_IN_STATUSES
        return MagicLinkRequested(
            admitted=True,
            email_lookup=lookup,
            customer_id=customer.id if usable and customer else "",
        )
