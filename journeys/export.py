"""Data export: assemble everything held about the customer, email a single-use link for 24 h.

The journey (started from ``/account/export``) runs one activity that assembles the JSON file,
stores it encrypted and emails the link, then keeps a durable 24-hour timer after which the file is
deleted; support may ``cancel`` (the file is deleted at once).
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.export import LINK_LIFETIME, ExportActivities, PrepareExport
    from journeys.kit import Journey, JourneyStart, Outcome, Screen, failed, journey, redirect
    from journeys.kit.cancel import JourneyCancelled
    from journeys.kit.journey import StepTimedOut
    from journeys.kit.outcomes import cancelled


class ExportStart(JourneyStart):
    """Whose data."""

    customer_id: str


class DownloadReady(Screen):
    """The link is in the customer's inbox until it expires."""

    title = "Your data export is ready"
    intro = "We emailed you a download link. It works once, for 24 hours."
    actions = ()


@journey("export")
class Export(Journey):
    """The export journey (see the module docstring)."""

    support_actions = frozenset({"cancel"})
    funnel_steps = ("download-ready",)

    @workflow.run
    async def run(self, start: ExportStart) -> Outcome:
        """Prepare and mail, wait out the link's lifetime, delete the file."""
        journey_id = workflow.info().workflow_id
        request = PrepareExport(journey_id=journey_id, customer_id=start.customer_id)
        self.identify(customer_id=start.customer_id)
        ready = await self.step(
            ExportActivities.prepare, request, why="Assembling the export and emailing its link"
        )
        if not ready.found:
            return await self.finish(failed(journey_id, "No such customer."))
        outcome = redirect(journey_id, to="/account")
        try:
            await self.ask(DownloadReady, timeout=LINK_LIFETIME, why="The download link is live")
        except StepTimedOut:
            outcome = outcome.model_copy(update={"reason": "The download link expired."})
        except JourneyCancelled:
            outcome = cancelled(journey_id, "Cancelled by our support team; the file is deleted.")
        await self.step(ExportActivities.discard, request, why="Deleting the export file")
        return await self.finish(outcome)
