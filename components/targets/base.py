"""What every deploy target provides, and the CodeDeploy half that Server and ECS share.

A target owns everything that differs between compute platforms: the resources that deploy (a CodeDeploy
application and deployment group, or none when the pipeline's own action deploys), the pipeline's Deploy
stage, the alarms that roll a deployment back, the statements of the role that deploys, and the build
steps that package what the deploy stage reads.
"""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi_aws.cloudwatch import MetricAlarm

from components.config import ServiceSettings
from components.iam.documents import service_assume_role_policy, statement
from components.iam.grants import RoleGrants, Statement
from components.iam.principals import CODEDEPLOY_PRINCIPAL
from components.shared.alarms import notifying_alarm
from components.shared.naming import ServiceNames
from components.shared.references import reference
from components.stages.stage_args import BUILD_OUTPUT, stage

ALARM_PERIOD_SECONDS = 60
ROLLBACK_ON_FAILURE = "DEPLOYMENT_FAILURE"
ROLLBACK_ON_ALARM = "DEPLOYMENT_STOP_ON_ALARM"


@dataclass(frozen=True)
class Deployment:
    """References to what a deploy action names: CodeDeploy's application and group, or nothing."""

    application_name: pulumi.Output[str] | None = None
    deployment_group_name: pulumi.Output[str] | None = None


@dataclass(frozen=True)
class AlarmInputs:
    """What a target needs to declare its rollback alarms."""

    names: ServiceNames
    topic_arn: pulumi.Input[str]
    """Reference to the topic the alarms notify."""
    tags: dict[str, str]
    parent: pulumi.Resource


@dataclass(frozen=True)
class DeploymentInputs:
    """What a target needs to declare its deployment resources."""

    names: ServiceNames
    service_role_arn: pulumi.Input[str] | None
    """Reference to the deploy role (CodeDeploy targets), None when the pipeline deploys."""
    alarm_rollback: bool
    alarms: Sequence[pulumi.Input[str]]
    """References to the rollback alarms."""
    tags: dict[str, str]
    parent: pulumi.Resource


class DeployTarget(ABC):
    """One service's compute platform."""

    compute_platform: str
    uses_codedeploy: bool = False
    """Whether CodeDeploy deploys (a deployment group and CodeDeploy's role) or the pipeline does."""
    builds_image: bool = False
    """Whether the pipeline builds the service's container image (a repository and an image step)."""
    confirms_deployed_code: bool = False
    """Whether a step after Deploy can read back what was deployed and match it with the manifest."""
    deploy_artifacts: tuple[str, ...] = (BUILD_OUTPUT,)
    """The artifacts the Deploy action reads: the release manifest records and the verification
    step re-checks exactly these."""

    @property
    @abstractmethod
    def description(self) -> str:
        """What a release goes to, in words (the approval request names it)."""

    def __init__(self, service: ServiceSettings) -> None:
        self.service = service

    # Rollback alarms ------------------------------------------------------------------------------
    @abstractmethod
    def rollback_alarm_names(self, names: ServiceNames) -> tuple[str, ...]:
        """The alarms `declare_rollback_alarms` creates; the deploying role may read exactly these."""

    def topic_rule_names(self, names: ServiceNames) -> tuple[str, ...]:
        """The EventBridge rules `declare_rollback_alarms` creates that publish to the topic."""
        return ()

    @abstractmethod
    def declare_rollback_alarms(self, inputs: AlarmInputs) -> list[MetricAlarm]:
        """Create the alarms (and anything they count) under `parent`, in `rollback_alarm_names` order."""

    # Deployment -----------------------------------------------------------------------------------
    @abstractmethod
    def declare_deployment(self, name: str, inputs: DeploymentInputs) -> Deployment:
        """Create the resources a deploy action names (none for the pipeline's own action)."""

    @abstractmethod
    def deploy_stage(
        self, deployment: Deployment, alarms: Sequence[pulumi.Input[str]]
    ) -> aws.codepipeline.PipelineStageArgs:
        """The pipeline's Deploy stage."""

    # Grants ---------------------------------------------------------------------------------------
    def deploy_role(self, names: ServiceNames, *, alarm_rollback: bool) -> RoleGrants | None:
        """The role a deployment service assumes; None when the pipeline role deploys."""
        return None

    @abstractmethod
    def pipeline_statements(self, names: ServiceNames, *, alarm_rollback: bool) -> list[Statement]:
        """What the pipeline role needs to run the Deploy stage."""

    def deployed_code_statements(self, names: ServiceNames) -> list[Statement]:
        """What the verifier needs to read back the deployed code (`confirms_deployed_code`)."""
        return []

    # Build steps ----------------------------------------------------------------------------------
    @abstractmethod
    def packaging_commands(self) -> list[str]:
        """The build's `post_build` commands after the tests passed."""

    def artifact_section(self) -> dict[str, Any]:
        """The buildspec's `artifacts`: what the deploy stage reads from the build output."""
        return {"files": ["**/*"], "discard-paths": "no"}

    # Shared helpers -------------------------------------------------------------------------------
    def read_rollback_alarms_statement(self, names: ServiceNames) -> Statement:
        """DescribeAlarms on exactly the rollback alarms.

        DescribeAlarms takes resource-level permissions on alarm ARNs (Service Authorization
        Reference, Amazon CloudWatch: DescribeAlarms, resource type "alarm"), and the deploying
        service polls the alarms by the names it is given, so these ARNs suffice.
        """
        alarms = [names.alarm_arn(name) for name in self.rollback_alarm_names(names)]
        return statement("Allow", ["cloudwatch:DescribeAlarms"], alarms, sid="ReadRollbackAlarms")


def rollback_alarm(
    inputs: AlarmInputs, alarm_name: str, description: str, threshold: float, **metric: Any
) -> MetricAlarm:
    """A rollback alarm named after itself; OK is announced too (the deployment may resume)."""
    return notifying_alarm(
        alarm_name,
        name=alarm_name,
        description=description,
        topic_arn=inputs.topic_arn,
        threshold=threshold,
        tags=inputs.tags,
        opts=pulumi.ResourceOptions(parent=inputs.parent),
        notify_ok=True,
        **metric,
    )


def codedeploy_stage(
    provider: str,
    deployment: Deployment,
    inputs: Sequence[str] = (BUILD_OUTPUT,),
    **configuration: Any,
) -> aws.codepipeline.PipelineStageArgs:
    """The Deploy stage of a CodeDeploy action (`provider`) naming the application and group."""
    target = codedeploy_target(deployment.application_name, deployment.deployment_group_name)
    return stage(
        "Deploy",
        category="Deploy",
        provider=provider,
        inputs=list(inputs),
        configuration={**target, **configuration},
    )


class CodeDeployTarget(DeployTarget):
    """A platform CodeDeploy deploys to (Server, ECS): an application, a group, CodeDeploy's role."""

    uses_codedeploy = True

    @abstractmethod
    def deployment_group_args(self) -> dict[str, Any]:
        """The deployment-group arguments that say where and how this platform deploys."""

    @abstractmethod
    def codedeploy_statements(self, names: ServiceNames) -> list[Statement]:
        """What CodeDeploy runs for this platform (its role's statements, rollback alarms aside)."""

    def declare_deployment(self, name: str, inputs: DeploymentInputs) -> Deployment:
        names, service = inputs.names, self.service
        child = pulumi.ResourceOptions(parent=inputs.parent)
        application = aws.codedeploy.Application(
            f"{name}-application",
            name=names.deploy_application_name,
            compute_platform=self.compute_platform,
            tags=inputs.tags,
            opts=child,
        )
        group = aws.codedeploy.DeploymentGroup(
            f"{name}-group",
            app_name=reference(names.deploy_application_name, application),
            deployment_group_name=names.deployment_group_name,
            service_role_arn=inputs.service_role_arn,
            deployment_config_name=service.deployment_config,
            auto_rollback_configuration=aws.codedeploy.DeploymentGroupAutoRollbackConfigurationArgs(
                enabled=True, events=rollback_events(inputs.alarm_rollback)
            ),
            alarm_configuration=(
                aws.codedeploy.DeploymentGroupAlarmConfigurationArgs(
                    enabled=True, alarms=list(inputs.alarms), ignore_poll_alarm_failure=False
                )
                if inputs.alarm_rollback
                else None
            ),
            tags=inputs.tags,
            opts=child,
            **self.deployment_group_args(),
        )
        return Deployment(
            application_name=reference(names.deploy_application_name, application),
            deployment_group_name=reference(names.deployment_group_name, group),
        )

    def deploy_role(self, names: ServiceNames, *, alarm_rollback: bool) -> RoleGrants:
        # CodeDeploy sets aws:SourceArn to the deployment group (its confused-deputy guide).
        trust = service_assume_role_policy(
            CODEDEPLOY_PRINCIPAL, names.platform.account_id, names.deployment_group_arn
        )
        statements = self.codedeploy_statements(names)
        if alarm_rollback:
            # Were a poll ever refused, `ignorePollAlarmFailure: false` stops the deployment.
            statements.append(self.read_rollback_alarms_statement(names))
        return RoleGrants("deploy", trust, statements)

    def pipeline_statements(self, names: ServiceNames, *, alarm_rollback: bool) -> list[Statement]:
        """Start deployments of its own group and register revisions of its own application."""
        return [
            statement(
                "Allow",
                ["codedeploy:CreateDeployment", "codedeploy:GetDeployment"],
                [names.deployment_group_arn],
                sid="DeployToOwnGroup",
            ),
            statement(
                "Allow",
                [
                    "codedeploy:GetApplication",
                    "codedeploy:GetApplicationRevision",
                    "codedeploy:RegisterApplicationRevision",
                ],
                [names.deploy_application_arn],
                sid="RegisterOwnRevisions",
            ),
            statement(
                "Allow",
                ["codedeploy:GetDeploymentConfig"],
                [names.deployment_config_arn(self.service.deployment_config)],
                sid="ReadOwnDeploymentConfig",
            ),
        ]


def rollback_events(alarm_rollback: bool) -> list[str]:
    return [ROLLBACK_ON_FAILURE, ROLLBACK_ON_ALARM] if alarm_rollback else [ROLLBACK_ON_FAILURE]


def codedeploy_target(
    application_name: pulumi.Input[str] | None, deployment_group_name: pulumi.Input[str] | None
) -> dict[str, pulumi.Input[str]]:
    """The Deploy action's configuration naming a CodeDeploy application and group."""
    if application_name is None or deployment_group_name is None:
        raise ValueError("a CodeDeploy action needs the application and the deployment group")
    return {"ApplicationName": application_name, "DeploymentGroupName": deployment_group_name}
