"""The risk activities: directly on SQLite and PostgreSQL, and via a worker on the dev server."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from temporalio import workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from contracts.risk import LoginRecord, LoginSignals, RiskAssessment
from core.settings import Settings
from store.models import AuditEvent
from tests.conftest import MakeSettings
from tests.support.store import rows
from workers.activities.risk import RiskActivitiesImpl
from workers.worker import activities_for

HOME_IP = "81.2.69.160"  # GB
US_IP = "8.8.8.8"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
START = datetime(2026, 3, 1, 8, tzinfo=UTC)


def signals(n: int, **changes: object) -> LoginSignals:
    usual = LoginSignals(
        journey_id=f"login-{uuid.uuid4()}",
        customer_id="customer-1",
        client_ip=HOME_IP,
        user_agent=CHROME,
        device="device-hash-1",
        at=START + timedelta(days=n),
    )
    return usual.model_copy(update=changes)


def with_habits(settings: Settings, logins: int = 5) -> RiskActivitiesImpl:
    risk = RiskActivitiesImpl(settings)
    for n in range(logins):
        risk.record(LoginRecord(signals=signals(n), success=True))
    return risk


def test_the_usual_device_is_allowed_and_a_new_country_and_browser_is_challenged(
    db_settings: Settings,
) -> None:
    risk = with_habits(db_settings)

    usual = risk.assess(signals(10))
    odd = risk.assess(signals(10, client_ip=US_IP, user_agent=FIREFOX, device=""))

    assert usual.decision == "allow"
    assert usual.reasons == []
    assert (usual.country, usual.browser, usual.os, usual.device_type) == (
        "GB",
        "Chrome 131",
        "Windows 10",
        "desktop",
    )
    assert odd.decision == "step_up"
    assert odd.reasons == ["new country: US", "new browser: Firefox 133", "unrecognised device"]
    assert odd.score > usual.score


def test_enrolled_customers_are_challenged_where_others_would_be_refused(
    make_settings: MakeSettings, sqlite_url: str
) -> None:
    # Thresholds every score here is above: the factor alone decides between deny and step-up.
    settings = make_settings(sqlite_url, risk_step_up_threshold=-100, risk_deny_threshold=-99)
    risk = with_habits(settings)
    odd = signals(10, client_ip=US_IP, user_agent=FIREFOX, device="")

    assert risk.assess(odd).decision == "deny"
    assert risk.assess(odd.model_copy(update={"enrolled_factors": ["totp"]})).decision == "step_up"


def test_failed_attempts_raise_the_score_of_the_next_attempt(db_settings: Settings) -> None:
    risk = with_habits(db_settings)
    before = risk.assess(signals(10))
    for minute in range(12):
        failed = signals(10, at=START + timedelta(days=10, minutes=minute - 30))
        risk.record(LoginRecord(signals=failed, success=False))

    after = risk.assess(signals(10))

    assert after.score > before.score
    assert "12 failed sign-ins for this account in the last hour, 12 today" in after.reasons


def test_an_unknown_email_is_scored_without_history(db_settings: Settings) -> None:
    risk = RiskActivitiesImpl(db_settings)
    unknown = risk.assess(signals(0, customer_id=None))
    risk.record(LoginRecord(signals=signals(0, customer_id=None), success=False))

    assert unknown.reasons == ["no sign-in history yet"]
    assert unknown.decision == "allow"


def test_garbage_signals_are_scored_not_crashed_on(db_settings: Settings) -> None:
    risk = with_habits(db_settings, logins=2)
    garbage = signals(5, client_ip="x" * 5000, user_agent="\x00" * 100_000, device="d" * 5000)

    assessment = risk.assess(garbage)
    risk.record(LoginRecord(signals=garbage, success=True))

    assert assessment.decision in {"allow", "step_up", "deny"}
    assert assessment.country == ""


def test_each_decision_is_audited_once_with_its_reasons(db_settings: Settings) -> None:
    risk = with_habits(db_settings)
    odd = signals(10, client_ip=US_IP)

    risk.assess(odd)
    risk.assess(odd)  # a retried activity

    events = rows(db_settings, AuditEvent, kind="risk.assessed", journey_id=odd.journey_id)
    assert len(events) == 1
    detail = json.loads(events[0].detail)
    assert detail["reasons"] == ["new country: US"]
    assert detail["decision"] in {"allow", "step_up"}
    assert HOME_IP not in events[0].detail and US_IP not in events[0].detail


def test_concurrent_records_of_one_login_learn_it_once(db_settings: Settings) -> None:
    risk = RiskActivitiesImpl(db_settings)
    login = LoginRecord(signals=signals(0), success=True)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: risk.record(login), range(8)))

    evidence = risk.store.evidence(risk.attempt(signals(1)))
    assert evidence.history == 1


# ----- through Temporal --------------------------------------------------------------------


@workflow.defn(name="risk-probe")
class RiskProbe:
    """What the login journey does: assess at ``workflow.now()``, then record the outcome."""

    @workflow.run
    async def run(self, start: LoginSignals) -> RiskAssessment:
        probe = start.model_copy(update={"at": workflow.now()})
        assessment = await workflow.execute_activity(
            "risk.assess",
            probe,
            result_type=RiskAssessment,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(maximum_attempts=3),
        )
        await workflow.execute_activity(
            "risk.record",
            LoginRecord(signals=probe, success=assessment.decision == "allow"),
            start_to_close_timeout=timedelta(seconds=30),
        )
        return assessment


async def test_the_worker_serves_risk_assess_and_record(client: Client, settings: Settings) -> None:
    with_habits(settings)
    with ThreadPoolExecutor(4) as executor:
        async with Worker(
            client,
            task_queue=settings.task_queue,
            workflows=[RiskProbe],
            activities=activities_for(settings),
            activity_executor=executor,
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):

            async def probe(**changes: object) -> RiskAssessment:
                return await client.execute_workflow(
                    RiskProbe.run,
                    signals(0, **changes),
                    id=f"risk-probe-{uuid.uuid4()}",
                    task_queue=settings.task_queue,
                    result_type=RiskAssessment,
                )

            odd = await probe(client_ip=US_IP, user_agent=FIREFOX, device="")
            usual = await probe()

    assert odd.decision == "step_up"
    assert "new country: US" in odd.reasons
    assert usual.decision == "allow"
    learned = RiskActivitiesImpl(settings).store.evidence(RiskActivitiesImpl.attempt(signals(20)))
    assert learned.history == 6  # five habits and the allowed probe, not the challenged one
