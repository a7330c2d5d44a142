"""The workflow sandbox configuration shared by the worker and the replayer.

Journeys stay sandboxed (re-imported per run, so module state cannot leak between runs), while the
kit, the contracts (message models) and pure libraries they use pass through: they hold no workflow
state, and importing them once keeps workflow tasks fast.
"""

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

PASSTHROUGH = ("journeys.kit", "contracts", "email_validator", "idna", "pydantic", "pydantic_core")


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandboxed runner every worker and replayer uses."""
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
    )
