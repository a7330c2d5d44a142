"""Recorded progressive-profiling histories: the login journey's interstitial (answered at the
third sign-in) and a ``profile`` entity workflow run that continues as new.

Recorded with the others: ``python -m tests.histories.record login-profiling profile-entity``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from contracts.profiling import ProductEvent, ProfileState, SignIn, profile_id
from journeys.kit import ScreenView
from journeys.profile import Profile
from tests.histories.login_cases import PASSWORD, pinned_worker, start
from tests.support.journeys import JourneyRun
from tests.support.store import register_customer

if TYPE_CHECKING:
    from tests.histories.record import Recording


async def login_profiling(rec: Recording) -> JourneyRun:
    email = "recorded-login-profiling@example.com"
    register_customer(rec.settings, email, PASSWORD, profiled=False)
    async with pinned_worker(rec, "allow") as settings:
        for n in (1, 2):
            warm = await start(rec, settings, f"profiling-warm-up-{n}")
            await warm.submit(email=email, password=PASSWORD)
            assert (await warm.result()).kind == "signed_in"
        run = await start(rec, settings, "profiling")
        view = await run.submit(email=email, password=PASSWORD)
        assert view.screen == "about-you", view
        await run.submit(display_name="Recorded", country="GB")
        assert (await run.result()).kind == "signed_in"
    return run


async def profile_entity(rec: Recording) -> JourneyRun:
    customer_id = "00000000-0000-4000-8000-00000000cafe"
    handle = await rec.env.client.start_workflow(
        Profile.run,
        ProfileState(customer_id=customer_id, max_history=30),
        id=profile_id(customer_id),
        task_queue=rec.settings.task_queue,
    )
    await handle.execute_update(Profile.sign_in, SignIn(journey_id="recorded"))
    for n in range(20):
        await handle.signal(Profile.event, ProductEvent(event_id=f"order-{n}", type="purchase"))
    # The history of the first run (bound to its run id), ending in continue-as-new.
    first = rec.env.client.get_workflow_handle(handle.id, run_id=handle.result_run_id)
    while not (await first.describe()).close_time:
        await handle.query(Profile.state)
    await rec.env.client.get_workflow_handle(handle.id).terminate("recorded")
    done = ScreenView(journey=Profile.__name__, screen="done", seq=0, title="Recorded")
    return JourneyRun(rec.env.client, rec.settings, first, done)


PROFILE_CASES: dict[str, Callable[[Recording], Awaitable[JourneyRun]]] = {
    "login-profiling": login_profiling,
    "profile-entity": profile_entity,
}
