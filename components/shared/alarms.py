"""One shape for every CloudWatch alarm the stack creates: it fires at or above a threshold, treats
missing data as fine (no builds or deployments is not an incident) and notifies the topic.

Build alarms (`monitoring.py`) and deployment rollback alarms (`rollback_alarms.py`) differ only in the
metric they watch and whether the return to OK is announced, so they share this helper instead of
repeating the notification and comparison settings.
"""

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

COMPARISON = "GreaterThanOrEqualToThreshold"
MISSING_DATA = "notBreaching"


def notifying_alarm(
    resource_name: str,
    *,
    name: str,
    description: str,
    topic_arn: pulumi.Input[str],
    threshold: float,
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
    evaluation_periods: int = 1,
    notify_ok: bool = False,
    **metric: Any,
) -> aws.cloudwatch.MetricAlarm:
    """An alarm on `metric` (namespace/metric_name/dimensions/statistic/period or metric_queries)."""
    return aws.cloudwatch.MetricAlarm(
        resource_name,
        name=name,
        alarm_description=description,
        threshold=threshold,
        evaluation_periods=evaluation_periods,
        comparison_operator=COMPARISON,
        treat_missing_data=MISSING_DATA,
        alarm_actions=[topic_arn],
        ok_actions=[topic_arn] if notify_ok else None,
        tags=dict(tags),
        opts=opts,
        **metric,
    )
