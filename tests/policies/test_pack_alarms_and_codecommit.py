"""cloudwatch-alarm-actions and codecommit-repository-kms."""

from cicd_guardrails.rules.cloudwatch.alarm_actions import POLICIES as ALARM_POLICIES
from cicd_guardrails.rules.codecommit.repository_encryption import POLICIES as REPO_POLICIES
from tests.policies.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_violation,
    resource,
)

ALARMS = "cloudwatch-alarm-actions"
REPO = "codecommit-repository-kms"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
REPOSITORY = "aws:codecommit/repository:Repository"


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


def test_repository_with_own_key_passes_and_without_is_refused():
    good = resource(REPOSITORY, "app", {"repositoryName": "app", "kmsKeyId": UNKNOWN})
    bad = resource(REPOSITORY, "lib", {"repositoryName": "lib"})
    managed = resource(
        REPOSITORY, "old", {"repositoryName": "old", "kmsKeyId": "alias/aws/codecommit"}
    )
    result = analyze(REPO_POLICIES, [good, bad, managed])
    assert not [v for v in result.of(REPO) if v.urn == good.urn]
    assert_violation(result, REPO, "repository 'lib': kmsKeyId is not set", urn=bad.urn)
    assert_violation(result, REPO, "AWS-managed key 'alias/aws/codecommit'", urn=managed.urn)
