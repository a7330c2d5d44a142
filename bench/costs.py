"""What one workflow run costs on Temporal Cloud, counted from its recorded event history.

Temporal Cloud bills *Actions* (https://docs.temporal.io/cloud/actions). The benches fetch the
history of a journey they just drove and count it here, so the cost model in
``docs/operations.md`` is measured from what the server stored, not estimated from the code:

* the workflow start (``WORKFLOW_EXECUTION_STARTED``; search attributes given at start are free;
  a continue-as-new shows up as the next run's start);
* every accepted update (update-with-start is the start *and* one update);
* every signal received, and every signal this run sends to another workflow (billed in the
  signalled workflow's history, counted here because this run caused it);
* every ``UpsertWorkflowSearchAttributes`` command, however many attributes it sets, except one
  that sets only ``TemporalChangeVersion`` (what ``workflow.patched`` writes, exempt);
* every activity scheduled, plus each retry (``attempt - 1`` on its started event);
* local activities: all markers of one workflow task are ONE Action, plus the retried attempts
  the task's metering metadata reports;
* every timer started (including the SDK's timers behind ``wait_condition(timeout=…)``);
* a child workflow start is two Actions; workflow option updates and Nexus operations one each.

Not in a history, so not counted: queries (each page a web process renders without its view cache
is one), rejected updates, heartbeats and workflows started from activities (e.g. webhook
deliveries, which have their own histories).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

LOCAL_ACTIVITY_MARKER = "core_local_activity"
CHANGE_VERSION = "TemporalChangeVersion"

#: History event type → (category, Actions) for the events that cost a fixed amount each.
FIXED: Mapping[str, tuple[str, int]] = {
    "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED": ("start", 1),
    "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED": ("updates", 1),
    "EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED": ("signals", 1),
    "EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED": ("signals", 1),
    "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED": ("activities", 1),
    "EVENT_TYPE_TIMER_STARTED": ("timers", 1),
    "EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED": ("children", 2),
    "EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED": ("options", 1),
    "EVENT_TYPE_NEXUS_OPERATION_SCHEDULED": ("nexus", 1),
    "EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED": ("nexus", 1),
}
#: The categories in the order the benches print them.
CATEGORIES = (
    "start",
    "updates",
    "signals",
    "upserts",
    "activities",
    "activity retries",
    "local activities",
    "timers",
    "children",
    "options",
    "nexus",
)


@dataclass(frozen=True)
class Cost:
    """Events and billable Actions of one run, with the Actions split by category."""

    events: int
    by_category: Mapping[str, int] = field(default_factory=dict)

    @property
    def actions(self) -> int:
        """All billable Actions of the run."""
        return sum(self.by_category.values())

    def breakdown(self) -> str:
        """``start 1, updates 3, …`` for the categories that cost anything."""
        return ", ".join(
            f"{name} {self.by_category[name]}" for name in CATEGORIES if self.by_category.get(name)
        )


def count(history: Mapping[str, Any]) -> Cost:
    """Count ``history`` (``WorkflowHistory.to_json_dict()`` or a file of tests/histories/)."""
    events: list[Mapping[str, Any]] = list(history["events"])
    spent: Counter[str] = Counter()
    local_tasks: set[str] = set()
    for event in events:
        kind = event["eventType"]
        if kind in FIXED:
            category, actions = FIXED[kind]
            spent[category] += actions
        elif kind == "EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES":
            spent["upserts"] += _upsert_actions(event)
        elif kind == "EVENT_TYPE_ACTIVITY_TASK_STARTED":
            attempt = int(event["activityTaskStartedEventAttributes"].get("attempt", 1))
            spent["activity retries"] += max(0, attempt - 1)
        elif kind == "EVENT_TYPE_MARKER_RECORDED":
            marker = event["markerRecordedEventAttributes"]
            if marker.get("markerName") == LOCAL_ACTIVITY_MARKER:
                local_tasks.add(str(marker.get("workflowTaskCompletedEventId", "")))
        elif kind == "EVENT_TYPE_WORKFLOW_TASK_COMPLETED":
            metering = event["workflowTaskCompletedEventAttributes"].get("meteringMetadata", {})
            spent["local activities"] += int(
                metering.get("nonfirstLocalActivityExecutionAttempts", 0)
            )
    spent["local activities"] += len(local_tasks)
    return Cost(events=len(events), by_category={k: v for k, v in spent.items() if v})


def _upsert_actions(event: Mapping[str, Any]) -> int:
    """One Action per upsert command, none for one that only records a patch's change version."""
    attributes = event["upsertWorkflowSearchAttributesEventAttributes"]
    names: Iterable[str] = attributes.get("searchAttributes", {}).get("indexedFields", {}).keys()
    return 0 if set(names) <= {CHANGE_VERSION} else 1


def cost_table(costs: Mapping[str, Cost]) -> str:
    """The table the benches print: one row per journey, then each journey's breakdown."""
    lines = [f"{'journey':<18}{'events':>8}{'actions':>9}  breakdown"]
    for journey, cost in costs.items():
        lines.append(f"{journey:<18}{cost.events:>8}{cost.actions:>9}  {cost.breakdown()}")
    return "\n".join(lines)
