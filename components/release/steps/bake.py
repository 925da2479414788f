"""The bake: after the deploy, the stack's alarms are watched for a while before the release moves on.

Every poll asks CloudWatch for every alarm (metric and composite); one in `ALARM` at any poll ends
the bake refused. An alarm that does not exist is a configuration error, never a silent pass. The
clock is injectable so tests drive the polls (and change alarm states between them) without sleeping.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .step_io import StepError

POLL_SECONDS = 30.0
ALARM = "ALARM"
_NAMES_PER_CALL = 100
"""DescribeAlarms takes at most 100 alarm names."""


@dataclass(frozen=True)
class Clock:
    """What the bake waits with: `sleep(seconds)` and a monotonic `now()`, every `interval` s."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    interval: float = POLL_SECONDS


@dataclass(frozen=True)
class BakeResult:
    polls: int
    refusal: str | None = None
    """The one line saying which alarm went to ALARM; None when all stayed out of ALARM."""


def alarm_states(cloudwatch: Any, alarms: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Name -> CloudWatch's alarm entry (`StateValue`, `StateReason`) of every named alarm."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(alarms), _NAMES_PER_CALL):
        request: dict[str, Any] = {
            "AlarmNames": list(alarms[start : start + _NAMES_PER_CALL]),
            "AlarmTypes": ["CompositeAlarm", "MetricAlarm"],
        }
        seen: set[str] = set()
        while True:
            page = cloudwatch.describe_alarms(**request)
            for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
                found[alarm.get("AlarmName", "")] = alarm
            token = page.get("NextToken")
            if not token:
                break
            if token in seen:
                raise StepError(f"DescribeAlarms repeats page token {token}")
            seen.add(token)
            request["NextToken"] = token
    missing = [name for name in alarms if name not in found]
    if len(missing) == 1:
        raise StepError(f"alarm {missing[0]} does not exist (ALARM_NAMES)")
    if missing:
        raise StepError(f"alarms {', '.join(missing)} do not exist (ALARM_NAMES)")
    return found


def bake(cloudwatch: Any, alarms: Sequence[str], minutes: int, clock: Clock) -> BakeResult:
    """Poll the alarms from now until `minutes` have passed (once when 0), stop at an ALARM."""
    deadline = clock.now() + minutes * 60
    polls = 0
    while True:
        states = alarm_states(cloudwatch, alarms) if alarms else {}
        polls += 1
        for name in alarms:
            if states[name].get("StateValue") == ALARM:
                reason = states[name].get("StateReason") or "no reason given"
                return BakeResult(
                    polls,
                    f"not published: alarm {name} went to ALARM during the bake (reason: {reason})",
                )
        remaining = deadline - clock.now()
        if remaining <= 0:
            return BakeResult(polls)
        clock.sleep(min(clock.interval, remaining))
