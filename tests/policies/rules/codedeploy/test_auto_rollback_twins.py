"""codedeploy-auto-rollback on deployment groups and Lambda deploy actions declared through aws-native."""

from cicd_guardrails.rules.codedeploy.auto_rollback import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)

NAME = "codedeploy-auto-rollback"
STRICT = {NAME: {"requireAlarmRollback": True}}
NATIVE_GROUP = "aws-native:codedeploy:DeploymentGroup"
NATIVE_PIPELINE = "aws-native:codepipeline:Pipeline"
ROLLBACK = {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}


def group(**props):
    base = {"applicationName": "worker", "serviceRoleArn": "arn:aws:iam::1:role/cd"}
    return resource(NATIVE_GROUP, "worker-dg", {**base, **props})


def test_an_aws_native_group_without_auto_rollback_is_refused_and_its_twin_passes():
    result = analyze(POLICIES, [group(autoRollbackConfiguration={"enabled": False})])
    assert_violation(
        result,
        NAME,
        "deployment group 'worker-dg': autoRollbackConfiguration.enabled is False; set "
        "autoRollbackConfiguration {enabled: true, events: ['DEPLOYMENT_FAILURE']}",
        level="mandatory",
    )
    assert_violation(
        analyze(POLICIES, [group()]), NAME, "autoRollbackConfiguration.enabled is not set"
    )
    assert_no_violations(analyze(POLICIES, [group(autoRollbackConfiguration=ROLLBACK)]), NAME)


def test_an_aws_native_group_names_its_alarms_as_objects():
    no_alarms = group(
        autoRollbackConfiguration=ROLLBACK,
        alarmConfiguration={"enabled": True, "alarms": [{"name": " "}]},
    )
    assert_violation(
        analyze(POLICIES, [no_alarms], STRICT),
        NAME,
        "deployment group 'worker-dg': alarmConfiguration.alarms names no alarm but alarm rollback "
        "is required; set alarmConfiguration {enabled: true, alarms: [{name: <CloudWatch alarm name>}]}",
    )
    named = group(
        autoRollbackConfiguration=ROLLBACK,
        alarmConfiguration={"enabled": True, "alarms": [{"name": "worker-errors"}]},
    )
    assert_no_violations(analyze(POLICIES, [named], STRICT), NAME)
    unknown = group(
        autoRollbackConfiguration=ROLLBACK,
        alarmConfiguration={"enabled": True, "alarms": [UNKNOWN]},
    )
    assert_skipped(analyze(POLICIES, [unknown], STRICT), NAME, "alarmConfiguration.alarms")


def test_an_aws_native_lambda_deploy_action_needs_an_alias():
    def pipeline(configuration):
        action = {
            "name": "Deploy",
            "actionTypeId": {
                "category": "Deploy",
                "owner": "AWS",
                "provider": "Lambda",
                "version": "1",
            },
            "configuration": configuration,
        }
        stages = [{"name": "Deploy", "actions": [action]}]
        return resource(
            NATIVE_PIPELINE,
            "worker",
            {"roleArn": "arn:aws:iam::1:role/p", "stages": stages, "pipelineType": "V2"},
        )

    assert_violation(
        analyze(POLICIES, [pipeline({"FunctionName": "worker"})]),
        NAME,
        "pipeline 'worker': stages[0].actions[0] ('Deploy') (a Lambda deploy action) has no "
        "configuration.FunctionAlias",
    )
    assert_no_violations(
        analyze(POLICIES, [pipeline({"FunctionName": "worker", "FunctionAlias": "live"})]), NAME
    )
