"""An existing ECS service behind an existing load balancer, deployed blue/green by CodeDeploy.

The rollback alarms watch the production listener's load balancer: target 5xx responses and unhealthy
targets (a Network Load Balancer has no HTTP codes: only unhealthy targets, in its own namespace). A
target group's metric dimension carries an id config does not give (`targetgroup/<name>/<id>`), so the
alarms watch the load balancer; a shared load balancer makes them conservative (roll back more often).
"""

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import yaml
from pulumi_aws.cloudwatch import MetricAlarm

from components.config import EcsSettings, ServiceSettings
from components.iam.documents import statement
from components.iam.grants import Statement
from components.iam.principals import ANY_RESOURCE, ECS_TASKS_PRINCIPAL
from components.shared.artifact_grants import revision_read_statements
from components.shared.naming import PlatformNames, ServiceNames
from components.stages.stage_args import BUILD_OUTPUT, IMAGE_OUTPUT
from components.targets.base import (
    ALARM_PERIOD_SECONDS,
    AlarmInputs,
    CodeDeployTarget,
    Deployment,
    codedeploy_stage,
    rollback_alarm,
)

TERMINATE_ORIGINAL_AFTER_MINUTES = 5
"""How long the original task set stays up after the shift, for a quick manual rollback."""
TARGET_5XX_THRESHOLD = 5
"""5xx responses from targets per minute that stop an ECS deployment (a few stray errors do not)."""
UNHEALTHY_HOSTS_THRESHOLD = 1
UNHEALTHY_EVALUATION_PERIODS = 2
"""Two minutes, so a target briefly failing health checks while registering does not roll back."""
ALB_NAMESPACE = "AWS/ApplicationELB"
NLB_NAMESPACE = "AWS/NetworkELB"
"""A Network Load Balancer publishes under its own namespace and has no HTTP codes (no 5xx metric)."""

APPSPEC_FILE = "appspec.yaml"
APPSPEC_VERSION = 0.0
TASKDEF_FILE = "taskdef.json"
TASKDEF_SOURCE = "deploy/taskdef.json"
"""The task definition template committed in the repository (the image and roles are the team's)."""
TASK_DEFINITION_PLACEHOLDER = "<TASK_DEFINITION>"
"""CodeDeployToECS replaces this with the task definition it registers from `taskdef.json`."""
IMAGE_PLACEHOLDER_NAME = "IMAGE1_NAME"
IMAGE_PLACEHOLDER = f"<{IMAGE_PLACEHOLDER_NAME}>"
"""The task definition template's image: CodeDeployToECS replaces `<IMAGE1_NAME>` with the `ImageURI`
of `imageDetail.json` in `Image1ArtifactName` (CodePipeline's "Image definitions file reference",
imageDetail.json for ECS blue/green), which the image step writes by digest. The template never names
an image itself, so no deploy takes a mutable tag."""


class EcsTarget(CodeDeployTarget):
    """CodeDeploy blue/green between two target groups (CodePipeline's `CodeDeployToECS`)."""

    compute_platform = "ECS"
    builds_image = True
    deploy_artifacts = (BUILD_OUTPUT, IMAGE_OUTPUT)

    def __init__(self, service: ServiceSettings) -> None:
        super().__init__(service)
        if service.ecs is None:
            raise ValueError(f"service {service.name!r} deploys to ECS but has no ecs settings")
        self.ecs: EcsSettings = service.ecs

    @property
    def description(self) -> str:
        return f"ECS service {self.ecs.service_name} on cluster {self.ecs.cluster_name}"

    @property
    def behind_network_load_balancer(self) -> bool:
        return load_balancer_dimension(self.ecs.prod_listener_arn).startswith("net/")

    def rollback_alarm_names(self, names: ServiceNames) -> tuple[str, ...]:
        unhealthy = names.deployment_alarm("unhealthy-targets")
        if self.behind_network_load_balancer:
            return (unhealthy,)
        return (names.deployment_alarm("target-5xx"), unhealthy)

    def declare_rollback_alarms(self, inputs: AlarmInputs) -> list[MetricAlarm]:
        alarm_names = self.rollback_alarm_names(inputs.names)
        balancer = load_balancer_dimension(self.ecs.prod_listener_arn)
        network = self.behind_network_load_balancer
        namespace = NLB_NAMESPACE if network else ALB_NAMESPACE
        query = (
            f'SELECT MAX(UnHealthyHostCount) FROM SCHEMA("{namespace}", LoadBalancer, TargetGroup)'
            f" WHERE LoadBalancer = '{balancer}'"
        )
        unhealthy = rollback_alarm(
            inputs,
            alarm_names[-1],
            f"Unhealthy targets behind {balancer}: roll back the deployment.",
            UNHEALTHY_HOSTS_THRESHOLD,
            evaluation_periods=UNHEALTHY_EVALUATION_PERIODS,
            metric_queries=[
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="unhealthy", expression=query, period=ALARM_PERIOD_SECONDS, return_data=True
                )
            ],
        )
        if network:
            return [unhealthy]
        target_5xx = rollback_alarm(
            inputs,
            alarm_names[0],
            f"Targets of {balancer} answer 5xx: stop and roll back the deployment.",
            TARGET_5XX_THRESHOLD,
            namespace=ALB_NAMESPACE,
            metric_name="HTTPCode_Target_5XX_Count",
            dimensions={"LoadBalancer": balancer},
            statistic="Sum",
            period=ALARM_PERIOD_SECONDS,
        )
        return [target_5xx, unhealthy]

    def deployment_group_args(self) -> dict[str, Any]:
        ecs, codedeploy = self.ecs, aws.codedeploy
        blue, green = ecs.target_groups
        test_route = (
            codedeploy.DeploymentGroupLoadBalancerInfoTargetGroupPairInfoTestTrafficRouteArgs(
                listener_arns=[ecs.test_listener_arn]
            )
            if ecs.test_listener_arn
            else None
        )
        pair = codedeploy.DeploymentGroupLoadBalancerInfoTargetGroupPairInfoArgs(
            prod_traffic_route=codedeploy.DeploymentGroupLoadBalancerInfoTargetGroupPairInfoProdTrafficRouteArgs(
                listener_arns=[ecs.prod_listener_arn]
            ),
            test_traffic_route=test_route,
            target_groups=[
                codedeploy.DeploymentGroupLoadBalancerInfoTargetGroupPairInfoTargetGroupArgs(
                    name=target_group
                )
                for target_group in (blue, green)
            ],
        )
        blue_green = codedeploy.DeploymentGroupBlueGreenDeploymentConfigArgs(
            deployment_ready_option=codedeploy.DeploymentGroupBlueGreenDeploymentConfigDeploymentReadyOptionArgs(
                action_on_timeout="CONTINUE_DEPLOYMENT"
            ),
            terminate_blue_instances_on_deployment_success=codedeploy.DeploymentGroupBlueGreenDeploymentConfigTerminateBlueInstancesOnDeploymentSuccessArgs(
                action="TERMINATE",
                termination_wait_time_in_minutes=TERMINATE_ORIGINAL_AFTER_MINUTES,
            ),
        )
        return {
            "deployment_style": codedeploy.DeploymentGroupDeploymentStyleArgs(
                deployment_option="WITH_TRAFFIC_CONTROL", deployment_type="BLUE_GREEN"
            ),
            "ecs_service": codedeploy.DeploymentGroupEcsServiceArgs(
                cluster_name=ecs.cluster_name, service_name=ecs.service_name
            ),
            "load_balancer_info": codedeploy.DeploymentGroupLoadBalancerInfoArgs(
                target_group_pair_info=pair
            ),
            "blue_green_deployment_config": blue_green,
        }

    def deploy_stage(
        self, deployment: Deployment, alarms: Sequence[pulumi.Input[str]]
    ) -> aws.codepipeline.PipelineStageArgs:
        # Blue/green: CodeDeployToECS registers taskdef.json with <IMAGE1_NAME> replaced by the
        # image step's digest URI, and fills appspec.yaml's task definition.
        return codedeploy_stage(
            "CodeDeployToECS",
            deployment,
            inputs=self.deploy_artifacts,
            TaskDefinitionTemplateArtifact=BUILD_OUTPUT,
            TaskDefinitionTemplatePath=TASKDEF_FILE,
            AppSpecTemplateArtifact=BUILD_OUTPUT,
            AppSpecTemplatePath=APPSPEC_FILE,
            Image1ArtifactName=IMAGE_OUTPUT,
            Image1ContainerName=IMAGE_PLACEHOLDER_NAME,
        )

    def codedeploy_statements(self, names: ServiceNames) -> list[Statement]:
        ecs, platform = self.ecs, names.platform
        listeners = [
            ecs.prod_listener_arn,
            *([ecs.test_listener_arn] if ecs.test_listener_arn else []),
        ]
        service_arn = ecs_service_arn(platform, ecs.cluster_name, ecs.service_name)
        task_sets = platform.arn("ecs", f"task-set/{ecs.cluster_name}/{ecs.service_name}/*")
        return [
            statement(
                "Allow",
                ["ecs:DescribeServices", "ecs:UpdateServicePrimaryTaskSet"],
                [service_arn],
                sid="ShiftOwnService",
            ),
            statement(
                "Allow", ["ecs:CreateTaskSet", "ecs:DeleteTaskSet"], [task_sets], sid="OwnTaskSets"
            ),
            # elasticloadbalancing:Describe{Listeners,Rules,TargetGroups} have no resource-level
            # permissions (AWS requires "*"); CodeDeploy reads the listener/target-group wiring with them.
            statement(
                "Allow",
                [
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeRules",
                    "elasticloadbalancing:DescribeTargetGroups",
                ],
                [ANY_RESOURCE],
                sid="ReadLoadBalancerWiring",
            ),
            statement(
                "Allow", ["elasticloadbalancing:ModifyListener"], listeners, sid="ShiftOwnListeners"
            ),
            statement(
                "Allow",
                ["elasticloadbalancing:ModifyRule"],
                [listener_rules_arn(listener) for listener in listeners],
                sid="ShiftOwnListenerRules",
            ),
            pass_task_roles_statement(platform),
            *revision_read_statements(platform),
        ]

    def pipeline_statements(self, names: ServiceNames, *, alarm_rollback: bool) -> list[Statement]:
        platform = names.platform
        return [
            *super().pipeline_statements(names, alarm_rollback=alarm_rollback),
            # CodeDeployToECS registers the task definition from taskdef.json; its family is in the
            # team's file, not in config, so the resource is any task definition of this account
            # and region (still not "*").
            statement(
                "Allow",
                ["ecs:RegisterTaskDefinition"],
                [platform.arn("ecs", "task-definition/*")],
                sid="RegisterTaskDefinition",
            ),
            pass_task_roles_statement(platform),
        ]

    def packaging_commands(self) -> list[str]:
        return [
            f'test -f {TASKDEF_SOURCE} || {{ echo "ERROR: {TASKDEF_SOURCE} is missing"; exit 1; }}',
            f'grep -q \'"{IMAGE_PLACEHOLDER}"\' {TASKDEF_SOURCE} || {{ echo "ERROR: '
            f"{TASKDEF_SOURCE} must name its image {IMAGE_PLACEHOLDER} (the pipeline builds it and "
            'deploys it by digest)"; exit 1; }',
            f"cp {TASKDEF_SOURCE} {TASKDEF_FILE}",
            heredoc(APPSPEC_FILE, self.appspec()),
        ]

    def artifact_section(self) -> dict[str, Any]:
        return {"files": [APPSPEC_FILE, TASKDEF_FILE], "discard-paths": "no"}

    def appspec(self) -> dict[str, Any]:
        """The ECS appspec CodeDeployToECS expects; the container and port come from config."""
        return {
            "version": APPSPEC_VERSION,
            "Resources": [
                {
                    "TargetService": {
                        "Type": "AWS::ECS::Service",
                        "Properties": {
                            "TaskDefinition": TASK_DEFINITION_PLACEHOLDER,
                            "LoadBalancerInfo": {
                                "ContainerName": self.ecs.container_name,
                                "ContainerPort": self.ecs.container_port,
                            },
                        },
                    }
                }
            ],
        }


def pass_task_roles_statement(platform: PlatformNames) -> Statement:
    """Pass the task (execution) roles named in taskdef.json, and only to ECS tasks.

    Config does not name those roles (they belong to the team's existing ECS service), so the resource is
    any role of this account; `iam:PassedToService` keeps it to ECS tasks.
    """
    return statement(
        "Allow",
        ["iam:PassRole"],
        [platform.role_arn("*")],
        conditions={"StringEquals": {"iam:PassedToService": ECS_TASKS_PRINCIPAL}},
        sid="PassTaskRolesToEcs",
    )


def load_balancer_dimension(listener_arn: str) -> str:
    """`...:listener/app/<name>/<id>/<listener id>` -> `app/<name>/<id>` (the `LoadBalancer` dimension)."""
    _, _, resource = listener_arn.partition(":listener/")
    parts = resource.split("/")
    if len(parts) != 4:
        raise ValueError(f"not a load balancer listener ARN: {listener_arn!r}")
    return "/".join(parts[:3])


def ecs_service_arn(platform: PlatformNames, cluster: str, service: str) -> str:
    return platform.arn("ecs", f"service/{cluster}/{service}")


def listener_rules_arn(listener_arn: str) -> str:
    """`.../listener/app/<lb>/<id>/<listener>` -> the ARN pattern of that listener's rules."""
    return f"{listener_arn.replace(':listener/', ':listener-rule/', 1)}/*"


def heredoc(path: str, content: dict[str, Any]) -> str:
    """A command writing `content` as YAML; the quoted delimiter keeps `$` and `<...>` literal."""
    body = yaml.safe_dump(content, sort_keys=False)
    return f"cat > {path} <<'APPSPEC'\n{body}APPSPEC\n"
