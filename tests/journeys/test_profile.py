"""Progressive profiling on a real dev server: the plan's triggers, one interstitial per sign-in,
skip with backoff, "after 30 days" with per-workflow time skipping, continue-as-new keeping state.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from contracts.profiling import PlanProgress, ProductEvent, ProfileState, SignIn, profile_id
from core.settings import Settings
from journeys.kit import ErrorCode
from journeys.profile import Profile
from journeys.profiling_plan import due, skipped
from store.events_models import OutboxEvent
from store.profile_models import ProfileField
from tests.conftest import MakeSettings
from tests.support.login import login_worker, pinned, start_login
from tests.support.store import register_customer, rows, unique_email
from tests.support.temporal import fast_forward
from tests.support.waiting import eventually, rejected

PASSWORD = "violet-tractor-harbour"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def base(make_settings: MakeSettings, sqlite_url: str) -> Settings:
    return make_settings(sqlite_url)


# ----- the plan, as pure rules ---------------------------------------------------------------


def test_plan_order_triggers_and_backoff() -> None:
    progress = PlanProgress(since=T0)
    progress.logins = 2
    assert due(progress, T0) is None
    progress.logins = 3
    assert (rule := due(progress, T0)) is not None and rule.name == "about-you"
    skipped(progress, "about-you")
    progress.logins = 4
    assert due(progress, T0) is None  # never on the very next sign-in
    progress.logins = 5
    assert (rule := due(progress, T0)) is not None and rule.name == "about-you"
    progress.events["purchase"] = 1
    progress.answered.append("about-you")
    assert (rule := due(progress, T0)) is not None and rule.name == "contact"
    progress.answered.append("contact")
    assert due(progress, T0 + timedelta(days=29)) is None
    assert (rule := due(progress, T0 + timedelta(days=30))) is not None
    assert rule.name == "preferences"


def test_a_rule_skipped_too_often_is_dropped() -> None:
    progress = PlanProgress(since=T0, logins=3)
    for _ in range(3):
        skipped(progress, "about-you")
        progress.logins = progress.resume_at["about-you"]
    assert due(progress, T0) is None


# ----- sign-ins through the login journey ------------------------------------------------------


async def sign_in(client: Client, settings: Settings, email: str) -> str:
    """One sign-in; returns the interstitial shown (or "" when it went straight through)."""
    run = await start_login(client, settings)
    view = await run.submit(email=email, password=PASSWORD)
    return "" if view.status == "done" else view.screen


async def test_third_sign_in_asks_skip_rests_then_answer_is_stored(
    client: Client, base: Settings
) -> None:
    email = unique_email("profiling")
    customer_id = register_customer(base, email, PASSWORD, profiled=False)
    async with login_worker(client, pinned(base, "allow")) as settings:
        assert [await sign_in(client, settings, email) for _ in range(2)] == ["", ""]
        run = await start_login(client, settings)
        view = await run.submit(email=email, password=PASSWORD)
        assert view.screen == "about-you"
        assert (await run.submit("skip")).status == "done"

        assert await sign_in(client, settings, email) == ""  # skipped: not on the next sign-in
        run = await start_login(client, settings)
        view = await run.submit(email=email, password=PASSWORD)
        assert view.screen == "about-you"  # asked again later
        bad = await rejected(run.submit(display_name="Ann", country="XX"))
        assert bad.type == ErrorCode.INVALID_SUBMISSION and "countries" in bad.message
        assert (await run.submit(display_name="Ann", country="FR")).status == "done"
        assert await sign_in(client, settings, email) == ""  # answered: never again

        state = await client.get_workflow_handle(profile_id(customer_id)).query(Profile.state)

    fields = {f.name: f.value for f in rows(base, ProfileField, customer_id=customer_id)}
    assert fields == {"display_name": "Ann", "country": "FR"}
    [event] = rows(base, OutboxEvent, customer_id=customer_id, type="profile.updated")
    assert json.loads(event.data)["fields"] == ["country", "display_name"]
    assert "Ann" not in event.data
    assert state.progress is not None and state.progress.logins == 6
    assert state.progress.answered == ["about-you"]


async def test_first_purchase_and_thirty_days_trigger_their_screens(
    client: Client, base: Settings, temporal_env: WorkflowEnvironment
) -> None:
    email = unique_email("purchase")
    customer_id = register_customer(base, email, PASSWORD, profiled=False)
    async with login_worker(client, pinned(base, "allow")) as settings:
        assert await sign_in(client, settings, email) == ""  # creates the profile workflow
        profile: WorkflowHandle[Profile, None] = client.get_workflow_handle_for(
            Profile.run, profile_id(customer_id)
        )
        await profile.signal(Profile.event, ProductEvent(event_id="order-1", type="purchase"))
        await profile.signal(Profile.event, ProductEvent(event_id="order-1", type="purchase"))
        run = await start_login(client, settings)
        view = await run.submit(email=email, password=PASSWORD)
        assert view.screen == "contact-details"
        await run.submit(phone="+33 6 12 34 56 78", address="1 rue de la Paix, Paris")

        assert await fast_forward(temporal_env, profile, timedelta(days=30, minutes=1))
        run = await start_login(client, settings)
        view = await run.submit(email=email, password=PASSWORD)
        assert view.screen == "about-you"  # the 3rd sign-in: plan order, one screen only
        await run.submit("skip")
        assert await sign_in(client, settings, email) == "preferences"  # 30 days old now

        state = await profile.query(Profile.state)
    assert state.progress is not None and state.progress.events == {"purchase": 1}
    phone = rows(base, ProfileField, customer_id=customer_id, name="phone")
    assert [f.value for f in phone] == ["+33612345678"]


# ----- the entity workflow itself --------------------------------------------------------------


async def test_continue_as_new_keeps_the_state(client: Client, base: Settings) -> None:
    customer_id = str(uuid.uuid4())
    async with login_worker(client, base) as settings:
        handle = await client.start_workflow(
            Profile.run,
            ProfileState(customer_id=customer_id, max_history=40),
            id=profile_id(customer_id),
            task_queue=settings.task_queue,
        )
        first_run = handle.result_run_id
        for n in range(30):
            await handle.signal(Profile.event, ProductEvent(event_id=f"e{n}", type="purchase"))
        answer = await handle.execute_update(Profile.sign_in, SignIn(journey_id="j1"))

        async def rolled_over() -> ProfileState:
            described = await handle.describe()
            assert described.run_id != first_run
            return await handle.query(Profile.state)

        state = await eventually(rolled_over)
        await handle.terminate("test over")

    assert answer.rule == "contact"  # purchases made, the 3rd sign-in not reached
    assert state.progress is not None
    assert state.progress.events == {"purchase": 30} and state.progress.logins == 1
    assert len(state.seen_events) == 30 and state.max_history == 40


async def test_a_retried_sign_in_update_counts_once(client: Client, base: Settings) -> None:
    customer_id = str(uuid.uuid4())
    async with login_worker(client, base) as settings:
        handle = await client.start_workflow(
            Profile.run,
            ProfileState(customer_id=customer_id),
            id=profile_id(customer_id),
            task_queue=settings.task_queue,
        )
        for _ in range(3):
            await handle.execute_update(Profile.sign_in, SignIn(journey_id="j"), id="j:sign-in")
        state = await handle.query(Profile.state)
        await handle.terminate("test over")

    assert state.progress is not None and state.progress.logins == 1


async def test_fields_already_stored_are_not_asked_again(client: Client, base: Settings) -> None:
    email = unique_email("profiled")
    customer_id = register_customer(base, email, PASSWORD, profiled=True)
    async with login_worker(client, pinned(base, "allow")) as settings:
        shown = [await sign_in(client, settings, email) for _ in range(3)]
        state = await client.get_workflow_handle(profile_id(customer_id)).query(Profile.state)

    assert shown == ["", "", ""]
    assert state.progress is not None and state.progress.answered == ["about-you"]
