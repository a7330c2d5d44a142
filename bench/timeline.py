"""Where one update spent its time, read from the timestamps of a recorded history.

A screen's latency measured over HTTP is the update round trip plus the web layer's own work.
The history tells the server's part: from the workflow task that accepted the update to the
update's completion, every gap between two events, with the activity it belongs to. Gaps that do
not shrink when the machine is quiet (a timer, a poll interval) show up as the largest rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

SHORT = "EVENT_TYPE_"


@dataclass(frozen=True)
class Gap:
    """The time between one event and the next inside an update's span."""

    ms: float
    before: str
    after: str
    activity: str


@dataclass(frozen=True)
class UpdateSpan:
    """One update: its server-side span and the gaps between its events."""

    index: int
    ms: float
    gaps: Sequence[Gap]


def _time(event: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(event["eventTime"]).replace("Z", "+00:00"))


def update_timeline(history: Mapping[str, Any]) -> list[UpdateSpan]:
    """Every update of ``history`` in order, from the task that accepted it to its completion."""
    events: list[Mapping[str, Any]] = list(history["events"])
    activities: dict[str, str] = {}
    for event in events:
        if event["eventType"] == f"{SHORT}ACTIVITY_TASK_SCHEDULED":
            name = event["activityTaskScheduledEventAttributes"]["activityType"]["name"]
            activities[str(event["eventId"])] = name
    spans: list[UpdateSpan] = []
    for position, event in enumerate(events):
        if event["eventType"] != f"{SHORT}WORKFLOW_EXECUTION_UPDATE_ACCEPTED":
            continue
        start = _task_scheduled_before(events, position)
        end = _completion_of(events, position, str(event["eventId"]))
        window = events[start : end + 1]
        gaps = [
            Gap(
                ms=(_time(after) - _time(before)).total_seconds() * 1000,
                before=before["eventType"].removeprefix(SHORT),
                after=after["eventType"].removeprefix(SHORT),
                activity=_activity_of(after, activities),
            )
            for before, after in zip(window, window[1:], strict=False)
        ]
        total = (_time(window[-1]) - _time(window[0])).total_seconds() * 1000
        spans.append(UpdateSpan(index=len(spans), ms=total, gaps=gaps))
    return spans


def _task_scheduled_before(events: Sequence[Mapping[str, Any]], position: int) -> int:
    for back in range(position, -1, -1):
        if events[back]["eventType"] == f"{SHORT}WORKFLOW_TASK_SCHEDULED":
            return back
    return 0


def _completion_of(events: Sequence[Mapping[str, Any]], position: int, accepted: str) -> int:
    for ahead in range(position, len(events)):
        event = events[ahead]
        if event["eventType"] == f"{SHORT}WORKFLOW_EXECUTION_UPDATE_COMPLETED":
            attributes = event["workflowExecutionUpdateCompletedEventAttributes"]
            if str(attributes.get("acceptedEventId", "")) == accepted:
                return ahead
    return len(events) - 1


def _activity_of(event: Mapping[str, Any], activities: Mapping[str, str]) -> str:
    for key, attributes in event.items():
        if key.startswith("activityTask") and isinstance(attributes, Mapping):
            return activities.get(str(attributes.get("scheduledEventId", "")), "")
    return ""


def print_timeline(spans: Sequence[UpdateSpan], names: Sequence[str], top: int = 4) -> None:
    """Each update's span and its ``top`` largest gaps (``names`` labels the updates in order)."""
    for span in spans:
        name = names[span.index] if span.index < len(names) else f"update {span.index + 1}"
        largest = sorted(span.gaps, key=lambda gap: gap.ms, reverse=True)[:top]
        detail = "; ".join(
            f"{gap.ms:.0f} ms {gap.before}→{gap.after}"
            + (f" ({gap.activity})" if gap.activity else "")
            for gap in largest
        )
        print(f"  {name:<18} {span.ms:7.1f} ms in history  largest gaps: {detail}")
