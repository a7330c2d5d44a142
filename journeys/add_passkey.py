"""Add a passkey to a signed-in customer's account (from ``/account/passkeys``).

A journey rather than a plain route because the WebAuthn ceremony is a round trip through the
browser with a challenge that must be bound and spent once. The web route starts it only for a
customer whose sign-in is at most five minutes old (else it sends them through re-authentication
first), with their id in :class:`AddPasskeyStart`; started any other way it refuses at once.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journeys.kit import (
        Action,
        Journey,
        JourneyStart,
        Outcome,
        Screen,
        StepTimedOut,
        expired,
        failed,
        field,
        journey,
        redirect,
    )
    from journeys.kit.passkey_steps import create_passkey

NAME_TIMEOUT = timedelta(minutes=30)
PASSKEYS_PAGE = "/account/passkeys"


class AddPasskeyStart(JourneyStart):
    """:class:`JourneyStart` plus who is adding the passkey (filled in by the account route)."""

    customer_id: str = ""
    email: str = ""


class NamePasskey(Screen):
    """A name the customer will recognise in the list, e.g. the device the passkey lives on."""

    title = "Add a passkey"
    intro = "Name this passkey so you can tell it apart later, e.g. the device it lives on."
    actions = (Action(name="submit", label="Continue"),)

    name: str = field(kind="text", label="Name", autocomplete="off", min_length=1, max_length=64)


@journey("add-passkey")
class AddPasskey(Journey):
    """Name the passkey, then create it with the browser (see the module docstring)."""

    funnel_steps = ("name-passkey", "create-passkey")

    @workflow.run
    async def run(self, start: AddPasskeyStart) -> Outcome:
        """Refuse without a customer; otherwise name, create, and go back to the passkeys page."""
        journey_id = workflow.info().workflow_id
        if not start.customer_id:
            return await self.finish(
                failed(journey_id, "Add a passkey from your account's passkeys page.")
            )
        self.identify(customer_id=start.customer_id)
        try:
            named = await self.ask(NamePasskey, values={"name": "Passkey"}, timeout=NAME_TIMEOUT)
            created = await create_passkey(
                self,
                journey_id=journey_id,
                user_name=start.email,
                customer_id=start.customer_id,
                name=named.name,
            )
        except StepTimedOut as timeout:
            return await self.finish(expired(journey_id, f"No answer at step {timeout}."))
        if not created:
            return await self.finish(failed(journey_id, "No passkey could be added. Try again."))
        return await self.finish(redirect(journey_id, to=f"{PASSKEYS_PAGE}?done=added"))
