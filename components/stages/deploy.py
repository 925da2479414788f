"""The CodeDeploy application and deployment group of one service, with the rollback that guards it.

A deployment that fails always rolls back (`DEPLOYMENT_FAILURE`). Where the environment asks for it
(`alarmRollback`), a deployment also stops and rolls back when one of the alarms this component creates
fires (`DEPLOYMENT_STOP_ON_ALARM`), see `rollback_alarms.py` for what each platform watches.

Lambda services get only their rollback alarms here: CodePipeline's `CodeDeploy` action deploys to
EC2/on-premises and `CodeDeployToECS` to ECS, and AWS's action reference has none for a Lambda
deployment group, so a Lambda service deploys through the pipeline's own `Lambda` action
(`pipeline.py`), which fails, and so keeps the alias on its version, when one of the alarms fires.
"""

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.config import ServiceSettings
from components.rollback_alarms import declare_rollback_alarms, rollback_alarm_names
from components.shared.naming import ServiceNames
from components.shared.references import reference

TERMINATE_ORIGINAL_AFTER_MINUTES = 5
"""ECS blue/green: how long the original task set stays up after the shift, for a quick manual rollback."""

ROLLBACK_ON_FAILURE = "DEPLOYMENT_FAILURE"
ROLLBACK_ON_ALARM = "DEPLOYMENT_STOP_ON_ALARM"


@dataclass(frozen=True)
class DeployArgs:
    """Inputs of one service's deployment."""

    service: ServiceSettings
    """Compute platform, deployment config and platform targets (tag filters, ECS, Lambda)."""
    names: ServiceNames
    """Application, group and alarm names."""
    service_role_arn: pulumi.Input[str] | None
    """Reference to the CodeDeploy role from `ServiceRoles` (CodeDeploy checks it can assume it);
    None for Lambda, which has no deployment group."""
    topic_arn: pulumi.Input[str]
    """Reference to the topic the rollback alarms notify."""
    alarm_rollback: bool = True
    """Also stop and roll back on this component's alarms. Default: on (the safe choice)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags of every taggable resource."""


class Deploy(pulumi.ComponentResource):
    """CodeDeploy application + deployment group (Server, ECS blue/green) and the rollback alarms."""

    application: aws.codedeploy.Application | None
    deployment_group: aws.codedeploy.DeploymentGroup | None
    alarms: list[aws.cloudwatch.MetricAlarm]
    application_name: pulumi.Output[str] | None
    """Reference to the application (known at preview); None for Lambda."""
    deployment_group_name: pulumi.Output[str] | None
    """Reference to the deployment group (known at preview); None for Lambda."""
    alarm_names: list[str]
    alarm_references: list[pulumi.Output[str]]
    """References to the rollback alarms, in `alarm_names` order."""

    def __init__(
        self, name: str, args: DeployArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:deploy:Deploy", name, None, opts)
        service, names = args.service, args.names
        self.alarms = (
            declare_rollback_alarms(service, names, args.topic_arn, args.tags, self)
            if args.alarm_rollback
            else []
        )
        self.alarm_names = list(rollback_alarm_names(service, names)) if args.alarm_rollback else []
        self.alarm_references = [
            reference(alarm_name, alarm)
            for alarm_name, alarm in zip(self.alarm_names, self.alarms, strict=True)
        ]
        self.application = self.deployment_group = None
        self.application_name = self.deployment_group_name = None
        if service.uses_codedeploy:
            self._declare_deployment_group(name, args)
        self.register_outputs(
            {
                "application_name": self.application_name,
                "deployment_group_name": self.deployment_group_name,
                "alarm_names": self.alarm_names,
            }
        )

    def _declare_deployment_group(self, name: str, args: DeployArgs) -> None:
        service, names = args.service, args.names
        child = pulumi.ResourceOptions(parent=self)
        self.application = aws.codedeploy.Application(
            f"{name}-application",
            name=names.deploy_application_name,
            compute_platform=service.compute_platform,
            tags=args.tags,
            opts=child,
        )
        self.deployment_group = aws.codedeploy.DeploymentGroup(
            f"{name}-group",
            app_name=reference(names.deploy_application_name, self.application),
            deployment_group_name=names.deployment_group_name,
            service_role_arn=args.service_role_arn,
            deployment_config_name=service.deployment_config,
            auto_rollback_configuration=aws.codedeploy.DeploymentGroupAutoRollbackConfigurationArgs(
                enabled=True, events=rollback_events(args.alarm_rollback)
            ),
            alarm_configuration=(
                aws.codedeploy.DeploymentGroupAlarmConfigurationArgs(
                    enabled=True, alarms=self.alarm_references, ignore_poll_alarm_failure=False
                )
                if args.alarm_rollback
                else None
            ),
            tags=args.tags,
            opts=child,
            **platform_target(service),
        )
        self.application_name = reference(names.deploy_application_name, self.application)
        self.deployment_group_name = reference(names.deployment_group_name, self.deployment_group)


def rollback_events(alarm_rollback: bool) -> list[str]:
    return [ROLLBACK_ON_FAILURE, ROLLBACK_ON_ALARM] if alarm_rollback else [ROLLBACK_ON_FAILURE]


def platform_target(service: ServiceSettings) -> dict[str, Any]:
    """The deployment-group arguments that say where and how this platform deploys."""
    if service.compute_platform == "ECS":
        ecs = service.ecs
        if ecs is None:
            raise ValueError(f"service {service.name!r} deploys to ECS but has no ecs settings")
        blue, green = ecs.target_groups
        test_route = (
            aws.codedeploy.DeploymentGroupLoadBalancerInfoTargetGroupPairInfoTestTrafficRouteArgs(
                listener_arns=[ecs.test_listener_arn]
            )
            if ecs.test_listener_arn
            else None
        )
        return {
            "deployment_style": _style("WITH_TRAFFIC_CONTROL", "BLUE_GREEN"),
            "ecs_service": aws.codedeploy.DeploymentGroupEcsServiceArgs(
                cluster_name=ecs.cluster_name, service_name=ecs.service_name
            ),
            "load_balancer_info": aws.codedeploy.DeploymentGroupLoadBalancerInfoArgs(
                target_group_pair_info=aws.codedeploy.DeploymentGroupLoadBalancerInfoTargetGroupPairInfoArgs(
                    prod_traffic_route=aws.codedeploy.DeploymentGroupLoadBalancerInfoTargetGroupPairInfoProdTrafficRouteArgs(
                        listener_arns=[ecs.prod_listener_arn]
                    ),
                    test_traffic_route=test_route,
                    target_groups=[
                        aws.codedeploy.DeploymentGroupLoadBalancerInfoTargetGroupPairInfoTargetGroupArgs(
                            name=target_group
                        )
                        for target_group in (blue, green)
                    ],
                )
            ),
            "blue_green_deployment_config": aws.codedeploy.DeploymentGroupBlueGreenDeploymentConfigArgs(
                deployment_ready_option=aws.codedeploy.DeploymentGroupBlueGreenDeploymentConfigDeploymentReadyOptionArgs(
                    action_on_timeout="CONTINUE_DEPLOYMENT"
                ),
                terminate_blue_instances_on_deployment_success=aws.codedeploy.DeploymentGroupBlueGreenDeploymentConfigTerminateBlueInstancesOnDeploymentSuccessArgs(
                    action="TERMINATE",
                    termination_wait_time_in_minutes=TERMINATE_ORIGINAL_AFTER_MINUTES,
                ),
            ),
        }
    return {
        "deployment_style": _style("WITHOUT_TRAFFIC_CONTROL", "IN_PLACE"),
        "ec2_tag_filters": [
            aws.codedeploy.DeploymentGroupEc2TagFilterArgs(
                key=tag.key, value=tag.value, type="KEY_AND_VALUE"
            )
            for tag in service.ec2_tag_filters
        ],
    }


def _style(option: str, deployment_type: str) -> aws.codedeploy.DeploymentGroupDeploymentStyleArgs:
    return aws.codedeploy.DeploymentGroupDeploymentStyleArgs(
        deployment_option=option, deployment_type=deployment_type
    )
