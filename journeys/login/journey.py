"""The login journey's script: a first factor, then the sign-in decision."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journeys.kit import Journey, Outcome, StepTimedOut, expired, journey
    from journeys.login.decision import after_first_factor
    from journeys.login.first_factor import FirstFactor, emailed_code, federated, password
    from journeys.login.start import LoginStart


@journey("login", public=True)
class Login(Journey):
    """The login journey (see the package docstring)."""

    @workflow.run
    async def run(self, start: LoginStart) -> Outcome:
        """The first factor (password or passkey, upstream provider, emailed code), then risk,
        a second factor when needed, and a session."""
        journey_id = workflow.info().workflow_id
        proof: FirstFactor | Outcome
        try:
            if start.federated_customer_id:
                proof = await federated(self, start.federated_customer_id)
            elif start.linking_customer_id:
                proof = await emailed_code(self, start.linking_customer_id)
            else:
                proof = await password(self, start)
        except StepTimedOut as timeout:
            return await self.finish(expired(journey_id, f"No answer at step {timeout}."))
        if isinstance(proof, Outcome):
            return await self.finish(proof)
        return await after_first_factor(
            self,
            start=start,
            customer_id=proof.customer_id,
            email=proof.email,
            email_lookup=proof.email_lookup,
            amr=proof.amr,
            reauthenticating=bool(start.reauth_customer_id),
        )
