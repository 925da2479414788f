"""EC2/on-premises instances selected by tag, deployed in place by CodeDeploy.

No per-instance metric can be named before the instances are known, so the rollback alarm counts
CodeDeploy's own "instance FAILURE" events for this deployment group (an EventBridge rule; its
`TriggeredRules` metric), i.e. a lifecycle hook such as ValidateService failed on an instance. The
deployment then stops at the first broken instance instead of continuing until the minimum-healthy-hosts
rule trips.
"""

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi_aws.cloudwatch import MetricAlarm

from components.iam.documents import statement
from components.iam.grants import Statement
from components.iam.principals import ANY_RESOURCE
from components.shared.naming import EVENT_RULE_NAME_LIMIT, ServiceNames, bounded
from components.shared.references import reference
from components.targets.base import (
    ALARM_PERIOD_SECONDS,
    AlarmInputs,
    CodeDeployTarget,
    Deployment,
    codedeploy_stage,
    rollback_alarm,
)

INSTANCE_FAILURES_THRESHOLD = 1
CODEDEPLOY_INSTANCE_EVENT = "CodeDeploy Instance State-change Notification"


class ServerTarget(CodeDeployTarget):
    """CodeDeploy in place to the instances `ec2TagFilters` select (CodePipeline's `CodeDeploy`)."""

    compute_platform = "Server"

    @property
    def description(self) -> str:
        tags = ", ".join(f"{f.key}={f.value}" for f in self.service.ec2_tag_filters)
        return f"EC2 instances tagged {tags}"

    def rollback_alarm_names(self, names: ServiceNames) -> tuple[str, ...]:
        return (names.deployment_alarm("instance-failures"),)

    def topic_rule_names(self, names: ServiceNames) -> tuple[str, ...]:
        return (instance_failure_rule_name(names),)

    def declare_rollback_alarms(self, inputs: AlarmInputs) -> list[MetricAlarm]:
        names, tags, topic_arn = inputs.names, inputs.tags, inputs.topic_arn
        rule_name = instance_failure_rule_name(names)
        opts = pulumi.ResourceOptions(parent=inputs.parent)
        rule = aws.cloudwatch.EventRule(
            rule_name,
            name=rule_name,
            description=f"An instance of {names.deployment_group_name} failed a deployment.",
            event_pattern=instance_failure_pattern(names),
            tags=tags,
            opts=opts,
        )
        # The rule also tells people which instance failed; the alarm below is what rolls back.
        aws.cloudwatch.EventTarget(
            f"{rule_name}-topic",
            rule=reference(rule_name, rule),
            arn=topic_arn,
            target_id="notify",
            opts=opts,
        )
        [alarm_name] = self.rollback_alarm_names(names)
        return [
            rollback_alarm(
                inputs,
                alarm_name,
                f"An instance failed a {names.deployment_group_name} deployment: stop and roll back.",
                INSTANCE_FAILURES_THRESHOLD,
                namespace="AWS/Events",
                metric_name="TriggeredRules",
                dimensions={"RuleName": reference(rule_name, rule)},
                statistic="Sum",
                period=ALARM_PERIOD_SECONDS,
            )
        ]

    def deployment_group_args(self) -> dict[str, Any]:
        return {
            "deployment_style": aws.codedeploy.DeploymentGroupDeploymentStyleArgs(
                deployment_option="WITHOUT_TRAFFIC_CONTROL", deployment_type="IN_PLACE"
            ),
            "ec2_tag_filters": [
                aws.codedeploy.DeploymentGroupEc2TagFilterArgs(
                    key=tag.key, value=tag.value, type="KEY_AND_VALUE"
                )
                for tag in self.service.ec2_tag_filters
            ],
        }

    def deploy_stage(
        self, deployment: Deployment, alarms: Sequence[pulumi.Input[str]]
    ) -> aws.codepipeline.PipelineStageArgs:
        return codedeploy_stage("CodeDeploy", deployment)

    def codedeploy_statements(self, names: ServiceNames) -> list[Statement]:
        return [
            # ec2:DescribeInstances, ec2:DescribeInstanceStatus and tag:GetResources have no
            # resource-level permissions (AWS requires "*"); CodeDeploy resolves the tag filters with them.
            statement(
                "Allow",
                ["ec2:DescribeInstanceStatus", "ec2:DescribeInstances", "tag:GetResources"],
                [ANY_RESOURCE],
                sid="FindInstancesByTag",
            )
        ]

    def packaging_commands(self) -> list[str]:
        return ['echo "Server revision: the repository with its appspec.yml is the bundle"']


def instance_failure_rule_name(names: ServiceNames) -> str:
    return bounded(f"{names.prefix}-deploy-instance-failed", EVENT_RULE_NAME_LIMIT)


def instance_failure_pattern(names: ServiceNames) -> str:
    return json.dumps(
        {
            "source": ["aws.codedeploy"],
            "detail-type": [CODEDEPLOY_INSTANCE_EVENT],
            "detail": {
                "application": [names.deploy_application_name],
                "deploymentGroup": [names.deployment_group_name],
                "state": ["FAILURE"],
            },
        },
        sort_keys=True,
    )
