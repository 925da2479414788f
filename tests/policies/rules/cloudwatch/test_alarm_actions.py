"""cloudwatch-alarm-actions: an alarm with enabled actions passes; disabled or empty actions are refused."""

from cicd_guardrails.rules.cloudwatch.alarm_actions import POLICIES as ALARM_POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_violation,
    resource,
)

ALARMS = "cloudwatch-alarm-actions"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def test_alarm_with_actions_passes():
    alarm = resource(ALARM, "web-5xx", {"alarmActions": [UNKNOWN], "metricName": "5xx"})
    assert_no_violations(analyze(ALARM_POLICIES, [alarm]), ALARMS)


def test_alarm_with_actions_disabled_is_refused():
    alarm = resource(
        ALARM,
        "web-5xx",
        {"actionsEnabled": False, "alarmActions": ["arn:aws:sns:us-east-1:123456789012:n"]},
    )
    assert_violation(
        analyze(ALARM_POLICIES, [alarm]),
        ALARMS,
        "alarm 'web-5xx': actionsEnabled is false",
        level="advisory",
    )


def test_alarm_without_actions_is_refused():
    alarm = resource(ALARM, "web-5xx", {"alarmActions": [], "metricName": "5xx"})
    assert_violation(
        analyze(ALARM_POLICIES, [alarm]), ALARMS, ["are all empty", "add alarmActions"]
    )
