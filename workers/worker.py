"""The worker process: runs every journey and every activity on one task queue."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from core.codec import make_data_converter
from core.settings import Settings
from core.telemetry import client_interceptors, runtime
from journeys.catalog import all_journeys
from journeys.consent_change import ConsentChange
from journeys.kit.runner import workflow_runner
from journeys.profile import Profile
from workers.activities.consent import ConsentActivities
from workers.activities.deletion_gate import deletion_gate_activities
from workers.activities.deprovisioning import deprovisioning_activities
from workers.activities.events import EventActivities
from workers.activities.export import export_activities
from workers.activities.factors import FactorActivities
from workers.activities.identity import IdentityActivities
from workers.activities.invitation import invitation_activities
from workers.activities.login import LoginActivities
from workers.activities.passkeys import PasskeyActivities
from workers.activities.profiling import ProfilingActivities
from workers.activities.recovery import recovery_activities
from workers.activities.risk import RiskActivities
from workers.activities.support import SupportActivities
from workers.activities.verification import VerificationActivities
from workers.activities.webhooks import WebhookActivities
from workers.webhooks.delivery import WebhookDeliveryWorkflow

log = logging.getLogger("threshold.worker")


async def connect(settings: Settings) -> Client:
    """A Temporal client with our encrypting data converter."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=make_data_converter(settings.codec_keyring),
        interceptors=client_interceptors(settings),
        runtime=runtime(settings),
    )


def activities_for(settings: Settings) -> list[Any]:
    """Every activity, bound to one instance of its group."""
    identity = IdentityActivities(settings)
    verification = VerificationActivities(settings)
    consent = ConsentActivities(settings)
    profiling = ProfilingActivities(settings)
    passkeys = PasskeyActivities(settings)
    login = LoginActivities(settings)
    factors = FactorActivities(settings)
    risk = RiskActivities(settings)
    return [
        identity.stage_registration,
        identity.create_customer,
        identity.create_federated_customer,
        verification.send_code,
        verification.check_code,
        verification.check_link,
        consent.record,
        consent.due,
        profiling.next,
        profiling.save,
        passkeys.begin_registration,
        passkeys.finish_registration,
        passkeys.begin_authentication,
        passkeys.finish_authentication,
        login.check_password,
        login.home_realm,
        login.known_customer,
        login.reset_throttle,
        factors.enrolled,
        factors.check_totp,
        factors.check_recovery_code,
        factors.send_login_code,
        factors.check_email_code,
        risk.assess,
        risk.record,
        SupportActivities(settings).record_action,
        *invitation_activities(settings),
        *recovery_activities(settings),
        EventActivities(settings).emit,
        WebhookActivities(settings).deliver,
        *deprovisioning_activities(settings),
        *deletion_gate_activities(settings),
        *export_activities(settings),
    ]


def build_worker(client: Client, settings: Settings, executor: ThreadPoolExecutor) -> Worker:
    """A worker for all journeys; synchronous activities run on ``executor``."""
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[*all_journeys(), WebhookDeliveryWorkflow, ConsentChange, Profile],
        activities=activities_for(settings),
        activity_executor=executor,
        workflow_runner=workflow_runner(),
        max_concurrent_activities=32,
    )


async def run_worker(settings: Settings) -> None:
    """Connect and poll until cancelled (Ctrl-C / SIGTERM); in-flight activities finish first."""
    client = await connect(settings)
    with ThreadPoolExecutor(max_workers=32, thread_name_prefix="activity") as executor:
        worker = build_worker(client, settings, executor)
        log.info(
            "worker polling task queue %s on %s", settings.task_queue, settings.temporal_address
        )
        await worker.run()


def main(settings: Settings) -> None:
    """Entry point of ``threshold worker``."""
    asyncio.run(run_worker(settings))
