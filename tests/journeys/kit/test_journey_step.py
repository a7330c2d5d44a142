"""Every screen a journey shows or asks is its ``JourneyStep`` in Temporal visibility.

Support filters the Temporal UI by ``JourneyStep`` and the funnels count it, so a screen that is
on the customer's page but not in visibility (deprovisioning's ``awaiting-acknowledgements`` was)
hides where journeys are. A probe journey walks every way the kit puts a screen up (``ask``,
``wait_for``, ``show``) and visibility is read after each; every registered journey puts its
screens up only through those, and its funnel steps are screens it has.
"""

from __future__ import annotations

import ast
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker

from journeys.catalog import all_journeys
from journeys.kit import (
    Action,
    Event,
    EventEnvelope,
    Journey,
    JourneyStart,
    Outcome,
    Screen,
    ScreenView,
    Submission,
)
from journeys.kit.outcomes import redirect
from journeys.kit.search import JOURNEY_STEP
from tests.support.waiting import eventually

JOURNEYS_DIR = Path(__file__).resolve().parents[3] / "journeys"
#: The kit methods that put a screen up; a journey overriding one could skip the search attribute.
PRESENTERS = ("ask", "wait_for", "show", "finish", "_present", "_mark")


class AskedScreen(Screen):
    title = "Asked"
    actions = (Action(name="submit", label="Go"),)


class LiveScreen(Screen):
    title = "Waiting live"
    actions = ()


class ShownScreen(Screen):
    title = "Working"
    actions = ()


class Nudge(Event):
    """The out-of-band event the live screen waits for."""


@workflow.defn(name="kit-probe-steps", sandboxed=False)
class ProbeSteps(Journey):
    """Puts a screen up each way the kit can, then ends when signalled."""

    journey_name = "kit-probe-steps"

    def __init__(self) -> None:
        super().__init__()
        self._done = False

    @workflow.signal
    def done(self) -> None:
        self._done = True

    @workflow.run
    async def run(self, start: JourneyStart) -> Outcome:
        await self.ask(AskedScreen)
        await self.wait_for(Nudge, screen=LiveScreen, timeout=timedelta(minutes=5))
        self.show(ShownScreen)
        await workflow.wait_condition(lambda: self._done)
        return await self.finish(redirect(workflow.info().workflow_id, to="/"))


async def in_visibility(client: Client, workflow_id: str, screen: str) -> None:
    query = f"WorkflowId = '{workflow_id}' AND {JOURNEY_STEP.name} = '{screen}'"

    async def counted() -> None:
        assert (await client.count_workflows(query)).count == 1, screen

    await eventually(counted)


async def test_each_screen_put_up_by_the_kit_is_the_step_in_visibility(client: Client) -> None:
    queue = f"kit-steps-{uuid.uuid4()}"
    journey_id = f"kit-probe-steps-{uuid.uuid4()}"
    async with Worker(client, task_queue=queue, workflows=[ProbeSteps]):
        handle = await client.start_workflow(
            ProbeSteps.run, JourneyStart(), id=journey_id, task_queue=queue
        )

        async def asked() -> ScreenView:
            view = await handle.query("view", result_type=ScreenView)
            assert view is not None and view.screen == AskedScreen.screen_name()
            return view

        view = await eventually(asked)
        await in_visibility(client, journey_id, AskedScreen.screen_name())
        view = await handle.execute_update(
            "submit",
            Submission(screen=view.screen, seq=view.seq, action="submit"),
            result_type=ScreenView,
        )
        assert view.screen == LiveScreen.screen_name()
        await in_visibility(client, journey_id, LiveScreen.screen_name())
        view = await handle.execute_update(
            "deliver", EventEnvelope(name=Nudge.event_name()), result_type=ScreenView
        )
        assert view.screen == ShownScreen.screen_name()
        await in_visibility(client, journey_id, ShownScreen.screen_name())
        await handle.signal(ProbeSteps.done)
        assert (await handle.result()).kind == "redirect"


@pytest.mark.parametrize("journey", all_journeys(), ids=lambda j: j.journey_name)
def test_every_journey_puts_screens_up_only_through_the_kit(journey: type[Journey]) -> None:
    assert [
        name for name in PRESENTERS if getattr(journey, name) is not getattr(Journey, name)
    ] == []


def test_no_journey_module_sets_the_view_or_the_step_by_hand() -> None:
    """Only ``journeys/kit/journey.py`` may set ``_view``/``_step`` or upsert search attributes."""
    found = []
    for path in JOURNEYS_DIR.rglob("*.py"):
        if path == JOURNEYS_DIR / "kit" / "journey.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in (
                "_view",
                "_step",
                "upsert_search_attributes",
            ):
                found.append(f"{path.relative_to(JOURNEYS_DIR)}:{node.lineno} {node.attr}")
    assert found == []


def screens_of(module: str) -> set[str]:
    """The names of the screens ``module`` defines or imports, and of the kit's steps."""
    imported = {id(value) for value in vars(sys.modules[module]).values()}
    found, todo = set(), [Screen]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if (
            cls.__module__ == module
            or cls.__module__.startswith("journeys.kit.")
            or id(cls) in imported
        ):
            found.add(cls.screen_name())
    return found


@pytest.mark.parametrize(
    "journey", [j for j in all_journeys() if j.funnel_steps], ids=lambda j: j.journey_name
)
def test_every_funnel_step_is_a_screen_of_its_journey(journey: type[Journey]) -> None:
    assert set(journey.funnel_steps) <= screens_of(journey.__module__)
