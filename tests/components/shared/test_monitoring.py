"""The notification topic and one service's monitoring on their own."""

import json

import pytest

from components.shared.naming import PlatformNames
from components.shared.notification_topic import NotificationTopic, NotificationTopicArgs
from components.shared.tagging import resource_tags
from tests.support.mocked_program import (
    FIXTURE_ACCOUNT_ID,
    FIXTURE_REGION,
    declare,
    declare_monitoring,
)

NAMES = PlatformNames("guarded-delivery", "prod", FIXTURE_ACCOUNT_ID, FIXTURE_REGION)
SERVICE = NAMES.service("web", "MyDemoRepo")
TAGS = resource_tags("guarded-delivery", "prod", "web")
EMAILS = ("oncall@example.com", "release@example.com")
RULES = (SERVICE.failure_rule_name, SERVICE.action_failure_rule_name)


@pytest.fixture(scope="module")
def topic():
    return declare(
        lambda: NotificationTopic(
            "notifications",
            NotificationTopicArgs(
                names=NAMES,
                key_alias_arn=NAMES.key_alias_arn,
                tags=resource_tags("guarded-delivery", "prod"),
                rule_names=RULES,
                email_addresses=EMAILS,
            ),
        )
    )


@pytest.fixture(scope="module")
def monitoring():
    return declare_monitoring("web-monitoring", SERVICE, TAGS)


def test_topic_is_encrypted_with_our_key_and_named_for_the_stack(topic):
    inputs = topic.of_type("aws:sns/topic:Topic")[0].inputs
    assert (
        inputs["kmsMasterKeyId"]
        == f"arn:aws:kms:{FIXTURE_REGION}:{FIXTURE_ACCOUNT_ID}:alias/guarded-delivery-prod-artifacts"
    )
    assert inputs["name"] == "guarded-delivery-prod-notifications"
    assert inputs["tags"] == resource_tags("guarded-delivery", "prod")


def test_topic_policy_lets_only_our_rules_and_alarms_publish(topic):
    document = topic.of_type("aws:sns/topicPolicy:TopicPolicy")[0].inputs["policy"]
    assert isinstance(document, str)
    statements = {s["Sid"]: s for s in json.loads(document)["Statement"]}
    assert set(statements) == {"OurFailureRulesPublish", "OurAlarmsPublish"}
    for sid, service, source in (
        # Rules by exact ARN: a shortened rule name loses the `<project>-<stack>-` head.
        ("OurFailureRulesPublish", "events.amazonaws.com", {"ArnEquals": {"aws:SourceArn": [
            "arn:aws:events:us-east-1:123456789012:rule/guarded-delivery-prod-web-action-failed",
            "arn:aws:events:us-east-1:123456789012:rule/guarded-delivery-prod-web-failed",
        ]}}),
        ("OurAlarmsPublish", "cloudwatch.amazonaws.com", {"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:guarded-delivery-prod-*"}}),
    ):  # fmt: skip
        publish = statements[sid]
        assert publish["Principal"] == {"Service": service}
        assert publish["Action"] == ["sns:Publish"]
        assert publish["Resource"] == [NAMES.topic_arn]
        assert publish["Condition"] == {
            "StringEquals": {"aws:SourceAccount": FIXTURE_ACCOUNT_ID},
            **source,
        }


def test_every_configured_email_is_subscribed(topic):
    subscriptions = topic.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert sorted(s.inputs["endpoint"] for s in subscriptions) == list(EMAILS)
    assert {s.inputs["protocol"] for s in subscriptions} == {"email"}


def test_failed_executions_of_this_pipeline_reach_the_topic(monitoring):
    # Picked by name: the order in which a component's children register is not fixed.
    [rule] = [
        r.inputs
        for r in monitoring.of_type("aws:cloudwatch/eventRule:EventRule")
        if r.inputs["name"] == SERVICE.failure_rule_name
    ]
    pattern = json.loads(rule["eventPattern"])
    assert pattern["source"] == ["aws.codepipeline"]
    assert pattern["detail"] == {"pipeline": [SERVICE.pipeline_name], "state": ["FAILED"]}
    [target] = [
        t.inputs
        for t in monitoring.of_type("aws:cloudwatch/eventTarget:EventTarget")
        if t.inputs["rule"] == SERVICE.failure_rule_name
    ]
    assert target["arn"] == NAMES.topic_arn
    message = json.loads(target["inputTransformer"]["inputTemplate"])
    assert "<pipeline>" in message
    assert (
        f"aws codepipeline get-pipeline-state --name {SERVICE.pipeline_name} --region us-east-1"
        in message
    )


def test_failed_builds_alarm_watches_this_project_and_notifies(monitoring):
    alarm = next(
        a.inputs
        for a in monitoring.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.inputs["metricName"] == "FailedBuilds"
    )
    assert alarm["namespace"] == "AWS/CodeBuild"
    assert alarm["dimensions"] == {"ProjectName": SERVICE.build_project_name}
    assert alarm["threshold"] == 1
    assert alarm["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["alarmActions"] == [NAMES.topic_arn]


def test_error_lines_in_the_build_log_are_counted_and_alarmed(monitoring):
    metric_filter = monitoring.of_type("aws:cloudwatch/logMetricFilter:LogMetricFilter")[0].inputs
    assert metric_filter["logGroupName"] == f"/aws/codebuild/{SERVICE.build_project_name}"
    assert metric_filter["pattern"] == "ERROR"
    transformation = metric_filter["metricTransformation"]
    alarm = next(
        a.inputs
        for a in monitoring.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.inputs["name"] == SERVICE.build_errors_alarm
    )
    assert (alarm["namespace"], alarm["metricName"]) == (
        transformation["namespace"],
        transformation["name"],
    )
    assert alarm["alarmActions"] == [NAMES.topic_arn]


def test_alarm_and_rule_names_fall_under_the_topic_policy_grants(monitoring):
    prefix = "guarded-delivery-prod-"
    for alarm in monitoring.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        assert alarm.inputs["name"].startswith(prefix)
    declared = {r.inputs["name"] for r in monitoring.of_type("aws:cloudwatch/eventRule:EventRule")}
    assert declared == set(SERVICE.topic_rule_names)


def test_taggable_monitoring_resources_carry_service_tags(monitoring):
    for token in ("aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/metricAlarm:MetricAlarm"):
        for resource in monitoring.of_type(token):
            assert resource.inputs["tags"] == TAGS
