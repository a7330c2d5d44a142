"""Running an activity from workflow code by its typed reference.

Journeys and the kit's steps name activities by :class:`~contracts.activity.ActivityRef`, never by
importing the worker's implementation, so workflow code stays free of database and network code
and mypy still checks each call's input and output types.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, FailureError

with workflow.unsafe.imports_passed_through():
    from contracts.activity import ActivityRef
    from contracts.verification import VerificationActivities
    from journeys.patches import LOCAL_ACTIVITIES, LOCAL_CHECKS

I = TypeVar("I")  # noqa: E741 - an activity's input
O = TypeVar("O")  # noqa: E741 - an activity's output

DEFAULT_ACTIVITY_TIMEOUT = timedelta(seconds=30)
DEFAULT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=20,
)
#: Activities declared ``local`` after the others, by name: each runs local only in runs that
#: took its patch, so runs that scheduled it normally after ``LOCAL_ACTIVITIES`` still replay.
LOCAL_SINCE = {
    VerificationActivities.check_code.name: LOCAL_CHECKS,
    VerificationActivities.check_link.name: LOCAL_CHECKS,
}


async def run_activity(
    activity: ActivityRef[I, O],
    arg: I,
    *,
    timeout: timedelta = DEFAULT_ACTIVITY_TIMEOUT,
    retry: RetryPolicy = DEFAULT_RETRY,
    schedule_to_close: timedelta | None = None,
) -> O:
    """Run ``activity`` with ``arg`` and return its decoded result.

    ``timeout`` bounds one attempt; ``schedule_to_close`` (optional) bounds all attempts together.
    An activity declared ``local`` runs as a local activity (see :class:`ActivityRef`).
    """
    # Runs recorded before local activities replay with every activity scheduled normally.
    if activity.local and _local_here(activity):
        try:
            local: O = await workflow.execute_local_activity(
                activity.name,
                arg,
                result_type=activity.output,
                start_to_close_timeout=timeout,
                schedule_to_close_timeout=schedule_to_close,
                retry_policy=retry,
            )
        except ActivityError:
            raise
        except FailureError as err:
            # A local activity's failure arrives unwrapped; wrap it like a normal activity's, so
            # a journey branches on ``err.cause.type`` the same way whichever way the step ran.
            raise ActivityError(
                f"local activity {activity.name} failed",
                scheduled_event_id=0,
                started_event_id=0,
                identity="",
                activity_type=activity.name,
                activity_id="",
                retry_state=None,
            ) from err
        return local
    result: O = await workflow.execute_activity(
        activity.name,
        arg,
        result_type=activity.output,
        start_to_close_timeout=timeout,
        schedule_to_close_timeout=schedule_to_close,
        retry_policy=retry,
    )
    return result


def _local_here(activity: ActivityRef[I, O]) -> bool:
    """Whether this run takes the patch from which ``activity`` runs local (see LOCAL_SINCE).

    Only that one patch is asked: asking ``LOCAL_ACTIVITIES`` too would, in a run recorded
    before its first local activity, answer (and remember) "no" earlier than its marker.
    """
    return workflow.patched(LOCAL_SINCE.get(activity.name, LOCAL_ACTIVITIES))
