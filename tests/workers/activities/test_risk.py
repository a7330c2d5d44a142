"""The risk activities: directly on SQLite and PostgreSQL, and via a worker on the dev server."""

from __future__ import annotations

import json
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from temporalio import workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from contracts.risk import (
    Baseline,
    DeviceBinding,
    ForgetDevice,
    KnownDevice,
    LoginRecord,
    LoginSignals,
    RiskAssessment,
)
from core.settings import Settings
from store.models import AuditEvent
from store.risk_models import RiskKnownDevice
from tests.conftest import MakeSettings
from tests.support.net import free_port
from tests.support.settings import data_converter
from tests.support.store import rows
from tests.support.temporal import target_of
from tests.support.waiting import eventually
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
    assert (
        "12 failed sign-in steps for this account in the last hour, 12 in the last day"
        in after.reasons
    )


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


# ----- cold start, device binding, the new-device rule, plain words ------------------------


def baseline(**changes: object) -> Baseline:
    usual = Baseline(
        journey_id=f"registration-{uuid.uuid4()}",
        customer_id="customer-1",
        client_ip=HOME_IP,
        user_agent=CHROME,
        device="device-hash-1",
        at=START - timedelta(days=1),
    )
    return usual.model_copy(update=changes)


def test_cold_start_makes_the_first_sign_in_from_the_same_browser_familiar(
    db_settings: Settings,
) -> None:
    risk = RiskActivitiesImpl(db_settings)
    stranger = risk.assess(signals(0, customer_id="customer-2"))
    registration = baseline()
    risk.cold_start(registration)
    risk.cold_start(registration)  # a retried activity learns nothing more

    first = risk.assess(signals(0))
    elsewhere = risk.assess(signals(0, client_ip=US_IP, user_agent=FIREFOX, device="other"))

    assert stranger.history == 0 and stranger.score == 0
    assert first.history == 1
    assert first.score < 0 and first.decision == "allow"
    assert "recognised device" in first.familiar
    assert elsewhere.score > first.score
    assert "unrecognised device" in elsewhere.reasons


def test_a_new_device_with_a_new_browser_family_asks_a_customer_with_a_factor(
    db_settings: Settings,
) -> None:
    risk = with_habits(db_settings)
    new_browser = signals(10, user_agent=FIREFOX, device="new-laptop", enrolled_factors=["totp"])
    same_family = signals(10, device="cleared-cookies", enrolled_factors=["totp"])

    asked = risk.assess(new_browser)
    allowed = risk.assess(same_family)
    no_factor = risk.assess(new_browser.model_copy(update={"enrolled_factors": []}))

    assert asked.decision == "step_up"
    assert "new device and new software for an account with a second factor" in asked.reasons
    assert asked.summary.startswith("Second step asked: new device and new software")
    assert allowed.decision == "allow"  # same browser family: a cleared cookie is not a stranger
    assert no_factor.decision == "allow"


def test_a_device_that_passed_a_second_factor_is_known_until_forgotten(
    db_settings: Settings,
) -> None:
    risk = with_habits(db_settings)
    laptop = signals(10, user_agent=FIREFOX, device="new-laptop", enrolled_factors=["totp"])
    assert risk.assess(laptop).decision == "step_up"

    binding = DeviceBinding(
        journey_id=laptop.journey_id,
        customer_id="customer-1",
        device="new-laptop",
        user_agent=FIREFOX,
        at=laptop.at,
    )
    bound = risk.bind_device(binding)
    again = risk.bind_device(binding)  # a retried activity
    risk.record(LoginRecord(signals=laptop, success=True))
    later = risk.assess(
        signals(11, user_agent=FIREFOX, device="new-laptop", enrolled_factors=["totp"])
    )

    assert again.id == bound.id
    assert bound.label == "Firefox 133 on Windows 10"
    assert [d.id for d in risk.devices.list("customer-1")] == [bound.id]
    assert later.decision == "allow"
    assert "recognised device" in later.familiar

    assert not risk.forget_device(ForgetDevice(customer_id="customer-2", device_id=bound.id))
    assert risk.forget_device(ForgetDevice(customer_id="customer-1", device_id=bound.id))
    assert not risk.forget_device(ForgetDevice(customer_id="customer-1", device_id=bound.id))
    forgotten = risk.assess(
        signals(12, user_agent=FIREFOX, device="new-laptop", enrolled_factors=["totp"])
    )

    assert risk.devices.list("customer-1") == []
    assert "forgotten device" in forgotten.reasons
    assert "recognised device" not in forgotten.familiar
    assert risk.bind_device(binding).id == bound.id  # passing a factor again binds it again
    assert [d.id for d in risk.devices.list("customer-1")] == [bound.id]


def test_the_known_devices_table_names_no_device_hash(db_settings: Settings) -> None:
    risk = with_habits(db_settings, logins=1)
    risk.bind_device(
        DeviceBinding(
            journey_id="login-x",
            customer_id="customer-1",
            device="device-hash-1",
            user_agent=CHROME,
            at=START,
        )
    )
    (row,) = rows(db_settings, RiskKnownDevice, customer_id="customer-1")
    assert "device-hash-1" not in row.device_key


def test_the_threshold_follows_the_history_bucket(
    make_settings: MakeSettings, sqlite_url: str
) -> None:
    settings = make_settings(
        sqlite_url,
        risk_step_up_thresholds={"1": 50.0, "2-4": -50.0, "5-9": -50.0},
        risk_deny_threshold=60.0,
    )
    risk = with_habits(settings, logins=1)
    usual_one = risk.assess(signals(10))
    for n in range(1, 3):
        risk.record(LoginRecord(signals=signals(n), success=True))
    usual_three = risk.assess(signals(10))

    assert (usual_one.history_bucket, usual_one.threshold, usual_one.decision) == (
        "1",
        50.0,
        "allow",
    )
    assert (usual_three.history_bucket, usual_three.threshold) == ("2-4", -50.0)
    assert usual_three.decision == "step_up"


def test_an_allowed_sign_in_with_failures_says_what_outweighed_them(db_settings: Settings) -> None:
    risk = with_habits(db_settings)
    for minute in range(4):
        failed = signals(10, at=START + timedelta(days=10, minutes=minute - 30))
        risk.record(LoginRecord(signals=failed, success=False))

    probe = signals(10)
    allowed = risk.assess(probe)

    assert allowed.decision == "allow"
    assert allowed.summary.startswith("Allowed without a second step: usual network")
    assert "outweigh 4 failed sign-in steps for this account" in allowed.summary
    (event,) = rows(db_settings, AuditEvent, kind="risk.assessed", journey_id=probe.journey_id)
    detail = json.loads(event.detail)
    assert detail["summary"] == allowed.summary
    assert (detail["history"], detail["history_bucket"]) == (5, "5-9")


@workflow.defn(name="risk-cold-start-probe")
class ColdStartProbe:
    """Registration's cold start, then a sign-in's assessment and a passed factor's binding."""

    @workflow.run
    async def run(self, start: Baseline) -> list[str]:
        timeout = timedelta(seconds=30)
        await workflow.execute_activity("risk.cold_start", start, start_to_close_timeout=timeout)
        probe = LoginSignals(
            journey_id=f"{start.journey_id}-login",
            customer_id=start.customer_id,
            client_ip=start.client_ip,
            user_agent=FIREFOX,
            device="new-laptop",
            at=workflow.now(),
            enrolled_factors=["totp"],
        )
        first = await workflow.execute_activity(
            "risk.assess", probe, result_type=RiskAssessment, start_to_close_timeout=timeout
        )
        bound = await workflow.execute_activity(
            "risk.bind_device",
            DeviceBinding(
                journey_id=probe.journey_id,
                customer_id=start.customer_id,
                device=probe.device,
                user_agent=probe.user_agent,
                at=probe.at,
            ),
            result_type=KnownDevice,
            start_to_close_timeout=timeout,
        )
        again = await workflow.execute_activity(
            "risk.assess",
            probe.model_copy(update={"at": workflow.now() + timedelta(seconds=1)}),
            result_type=RiskAssessment,
            start_to_close_timeout=timeout,
        )
        return [first.decision, bound.label, again.decision]


async def test_the_worker_serves_cold_start_and_device_binding(
    client: Client, settings: Settings
) -> None:
    with ThreadPoolExecutor(4) as executor:
        async with Worker(
            client,
            task_queue=settings.task_queue,
            workflows=[ColdStartProbe],
            activities=activities_for(settings),
            activity_executor=executor,
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):
            decisions = await client.execute_workflow(
                ColdStartProbe.run,
                baseline(customer_id=f"customer-{uuid.uuid4()}"),
                id=f"risk-cold-start-{uuid.uuid4()}",
                task_queue=settings.task_queue,
                result_type=list[str],
            )

    # Registered with Chrome; a new laptop with Firefox is asked for the factor, then known.
    assert decisions == ["step_up", "Firefox 133 on Windows 10", "allow"]


async def test_decisions_are_counted_for_prometheus_by_decision_reason_and_bucket(
    temporal_env: WorkflowEnvironment, settings: Settings
) -> None:
    with_habits(settings)
    port = free_port()
    runtime = Runtime(
        telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"127.0.0.1:{port}"))
    )
    metered = await Client.connect(
        target_of(temporal_env.client), data_converter=data_converter(), runtime=runtime
    )
    with ThreadPoolExecutor(4) as executor:
        async with Worker(
            metered,
            task_queue=settings.task_queue,
            workflows=[RiskProbe],
            activities=activities_for(settings),
            activity_executor=executor,
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):
            odd = await metered.execute_workflow(
                RiskProbe.run,
                signals(0, client_ip=US_IP, user_agent=FIREFOX, device=""),
                id=f"risk-probe-{uuid.uuid4()}",
                task_queue=settings.task_queue,
                result_type=RiskAssessment,
            )

    async def counted() -> list[str]:
        url = f"http://127.0.0.1:{port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - loopback
            body: str = answer.read().decode()
        lines = [x for x in body.splitlines() if x.startswith("threshold_risk_decisions")]
        assert lines
        return lines

    lines = await eventually(counted)
    assert odd.decision == "step_up" and odd.history_bucket == "5-9"
    for reason in ("new_country", "new_software", "new_device"):
        line = next(x for x in lines if f'reason="{reason}"' in x)
        assert 'decision="step_up"' in line and 'history_bucket="5-9"' in line
        assert line.rstrip().endswith(" 1")
    assert not any(US_IP in x or "customer-1" in x for x in lines)  # no ids or addresses
