"""log-group-retention: a log group keeps its events at least the configured minimum."""

from cicd_guardrails.rules.cloudwatch.log_retention import POLICIES as RETENTION_POLICIES
from tests.support.analyzer_harness import (
    analyze,
    assert_no_violations,
    assert_violation,
    resource,
)

RETENTION = "log-group-retention"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_log_group_retention_passes_at_minimum():
    config = {RETENTION: {"minimumRetentionDays": 14}}
    result = analyze(
        RETENTION_POLICIES, [resource(LOG_GROUP, "lg", {"retentionInDays": 14})], config
    )
    assert_no_violations(result, RETENTION)


def test_log_group_without_retention_is_refused():
    result = analyze(RETENTION_POLICIES, [resource(LOG_GROUP, "lg", {"kmsKeyId": KEY_ARN})])
    assert_violation(
        result,
        RETENTION,
        ["log group 'lg': retentionInDays is not set", "never expire"],
        level="advisory",
    )


def test_log_group_below_minimum_is_refused():
    config = {RETENTION: {"minimumRetentionDays": 365}}
    result = analyze(
        RETENTION_POLICIES, [resource(LOG_GROUP, "lg", {"retentionInDays": 30})], config
    )
    assert_violation(result, RETENTION, ["retentionInDays is 30, below 365", "at least 365"])
