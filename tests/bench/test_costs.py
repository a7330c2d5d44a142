"""bench/costs.py counts Temporal Cloud Actions from recorded histories by the published rules.

Known files of tests/histories/ give known counts (worked out by hand from the events listed in
each test); a few hand-written events cover the rules no committed history exercises yet (local
activities, child workflows).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.costs import count

HISTORIES = Path(__file__).resolve().parents[1] / "histories"


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((HISTORIES / name).read_text())
    return loaded


def test_login_with_profiling_counts_patch_upserts_free_and_its_signal() -> None:
    # 1 start, 3 accepted updates, 10 upserts of which 4 set only TemporalChangeVersion (free),
    # 11 activities each on attempt 1, 2 timers, 1 signal to the profile workflow; the 4
    # core_patch markers are not local activities.
    cost = count(_load("login-profiling.json"))
    assert cost.events == 106
    assert dict(cost.by_category) == {
        "start": 1,
        "updates": 3,
        "upserts": 6,
        "activities": 11,
        "timers": 2,
        "signals": 1,
    }
    assert cost.actions == 24


def test_activity_retries_count_once_per_extra_attempt() -> None:
    # One activity scheduled once, started on its 3rd attempt: 2 retries on top of it.
    cost = count(_load("webhook-delivery-retried.json"))
    assert dict(cost.by_category) == {"start": 1, "activities": 1, "activity retries": 2}
    assert cost.actions == 4


def _event(kind: str, **attributes: Any) -> dict[str, Any]:
    return {"eventType": f"EVENT_TYPE_{kind}", **attributes}


def _marker(name: str, task: str) -> dict[str, Any]:
    return _event(
        "MARKER_RECORDED",
        markerRecordedEventAttributes={"markerName": name, "workflowTaskCompletedEventId": task},
    )


def test_local_activities_of_one_workflow_task_are_one_action() -> None:
    history = {
        "events": [
            _event("WORKFLOW_EXECUTION_STARTED"),
            _event("WORKFLOW_TASK_COMPLETED", workflowTaskCompletedEventAttributes={}),
            _marker("core_local_activity", "4"),
            _marker("core_local_activity", "4"),
            _marker("core_local_activity", "4"),
            _marker("core_patch", "4"),
            _event(
                "WORKFLOW_TASK_COMPLETED",
                workflowTaskCompletedEventAttributes={
                    "meteringMetadata": {"nonfirstLocalActivityExecutionAttempts": 2}
                },
            ),
            _marker("core_local_activity", "9"),
            _event("START_CHILD_WORKFLOW_EXECUTION_INITIATED"),
            _event(
                "UPSERT_WORKFLOW_SEARCH_ATTRIBUTES",
                upsertWorkflowSearchAttributesEventAttributes={
                    "searchAttributes": {
                        "indexedFields": {"TemporalChangeVersion": {}, "JourneyStep": {}}
                    }
                },
            ),
        ]
    }
    cost = count(history)
    # Two workflow tasks with local activities (2) + 2 retried attempts; a child is 2 Actions;
    # an upsert that sets a real attribute alongside the change version is billed.
    assert dict(cost.by_category) == {
        "start": 1,
        "local activities": 4,
        "children": 2,
        "upserts": 1,
    }
    assert cost.events == 10
