"""logs-and-notifications-kms: log groups and SNS topics under a customer-managed key."""

from cicd_guardrails.rules.cloudwatch.logs_and_topics_encryption import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_violation,
    resource,
)

NAME = "logs-and-notifications-kms"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TOPIC = "aws:sns/topic:Topic"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_encrypted_log_group_and_topic_pass():
    resources = [
        resource(LOG_GROUP, "build-logs", {"kmsKeyId": UNKNOWN, "retentionInDays": 14}),
        resource(TOPIC, "notifications", {"kmsMasterKeyId": "alias/guarded-delivery"}),
        resource(TOPIC, "alerts", {"kmsMasterKeyId": KEY_ARN}),
    ]
    assert_no_violations(analyze(POLICIES, resources), NAME)


def test_log_group_without_key_is_refused():
    result = analyze(POLICIES, [resource(LOG_GROUP, "build-logs", {"retentionInDays": 14})])
    assert_violation(
        result,
        NAME,
        [
            "log group 'build-logs': kmsKeyId is not set, so CloudWatch Logs encrypts the group "
            "with keys AWS owns, which no key policy of ours scopes; set kmsKeyId"
        ],
        level="mandatory",
    )


def test_topic_without_key_is_refused():
    result = analyze(POLICIES, [resource(TOPIC, "notifications", {})])
    assert_violation(
        result,
        NAME,
        [
            "SNS topic 'notifications': kmsMasterKeyId is not set, so the topic has no "
            "server-side encryption at all; set kmsMasterKeyId",
            "not alias/aws/sns",
        ],
    )
    violation = result.of(NAME)[0]
    assert "AWS-managed" not in violation.detail


def test_topic_with_aws_managed_key_is_refused():
    result = analyze(
        POLICIES, [resource(TOPIC, "notifications", {"kmsMasterKeyId": "alias/aws/sns"})]
    )
    assert_violation(result, NAME, "AWS-managed key 'alias/aws/sns'")
