"""An existing Lambda function whose alias the pipeline shifts to a new version.

CodePipeline's `CodeDeploy` action deploys to EC2/on-premises and `CodeDeployToECS` to ECS; AWS's action
reference has none for a Lambda deployment group. So a Lambda service deploys through the pipeline's own
`Lambda` deploy action (V2 only; AWS "AWS Lambda deploy action reference"): with an input artifact it
updates the function's code from it, publishes a new version and shifts `FunctionAlias` to it by
`DeployStrategy`; the alias's current version is the rollback target, and the action fails when one of
`Alarms` (comma-separated names, at most 10) goes to ALARM. The version is therefore published by the
Deploy stage, after any manual approval, never by the build, and there is no CodeDeploy application,
group or role.
"""

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi_aws.cloudwatch import MetricAlarm

from components.config import LambdaSettings, ServiceSettings
from components.iam.documents import statement
from components.iam.grants import Statement
from components.shared.naming import PlatformNames, ServiceNames
from components.shared.references import combine
from components.stages.stage_args import BUILD_OUTPUT, stage
from components.targets.base import (
    ALARM_PERIOD_SECONDS,
    AlarmInputs,
    Deployment,
    DeploymentInputs,
    DeployTarget,
    rollback_alarm,
)

LAMBDA_ERRORS_THRESHOLD = 1
DEPLOY_STRATEGY_PREFIX = "CodeDeployDefault.Lambda"
"""`CodeDeployDefault.LambdaCanary10Percent5Minutes` -> the action's `Canary10Percent5Minutes`."""
DEPLOY_ACTIONS = (
    "lambda:GetAlias",
    "lambda:GetFunctionConfiguration",
    "lambda:GetProvisionedConcurrencyConfig",
    "lambda:PublishVersion",
    "lambda:UpdateAlias",
    "lambda:UpdateFunctionCode",
)
SOURCE_DIRECTORY = "src"
PACKAGE_DIRECTORY = "package"
"""The function's code and dependencies; the build artifact *is* this directory, zipped."""


class LambdaTarget(DeployTarget):
    """The pipeline's `Lambda` deploy action shifting `aliasName` to a version it publishes."""

    compute_platform = "Lambda"
    confirms_deployed_code = True

    def __init__(self, service: ServiceSettings) -> None:
        super().__init__(service)
        if service.lambda_ is None:
            raise ValueError(
                f"service {service.name!r} deploys to Lambda but has no lambda settings"
            )
        self.function: LambdaSettings = service.lambda_

    @property
    def description(self) -> str:
        return f"Lambda {self.function.function_name} alias {self.function.alias_name}"

    def rollback_alarm_names(self, names: ServiceNames) -> tuple[str, ...]:
        return (names.deployment_alarm("alias-errors"),)

    def declare_rollback_alarms(self, inputs: AlarmInputs) -> list[MetricAlarm]:
        """Errors of the function through the alias being shifted (`Resource = <function>:<alias>`)."""
        function, alias = self.function.function_name, self.function.alias_name
        [alarm_name] = self.rollback_alarm_names(inputs.names)
        return [
            rollback_alarm(
                inputs,
                alarm_name,
                f"{function}:{alias} returns errors: roll back the alias shift.",
                LAMBDA_ERRORS_THRESHOLD,
                namespace="AWS/Lambda",
                metric_name="Errors",
                dimensions={"FunctionName": function, "Resource": f"{function}:{alias}"},
                statistic="Sum",
                period=ALARM_PERIOD_SECONDS,
            )
        ]

    def declare_deployment(self, name: str, inputs: DeploymentInputs) -> Deployment:
        return Deployment()

    def deploy_stage(
        self, deployment: Deployment, alarms: Sequence[pulumi.Input[str]]
    ) -> aws.codepipeline.PipelineStageArgs:
        configuration: dict[str, Any] = {
            "FunctionName": self.function.function_name,
            "FunctionAlias": self.function.alias_name,
            "DeployStrategy": self.deploy_strategy,
        }
        if alarms:
            configuration["Alarms"] = combine(",".join, alarms)
        return stage(
            "Deploy",
            category="Deploy",
            provider="Lambda",
            inputs=[BUILD_OUTPUT],
            configuration=configuration,
        )

    @property
    def deploy_strategy(self) -> str:
        """The action's strategy for a `CodeDeployDefault.Lambda*` config (same shift, same name)."""
        return self.service.deployment_config.removeprefix(DEPLOY_STRATEGY_PREFIX)

    def pipeline_statements(self, names: ServiceNames, *, alarm_rollback: bool) -> list[Statement]:
        """What the Lambda deploy action runs as the pipeline role.

        The actions and resources are those the action reference lists under "Service role policy
        permissions for the Lambda deploy action": update the code from the input artifact, publish
        a version, shift the alias, read the rollback alarms, and write the action's log group.
        """
        function_arn = lambda_function_arn(names.platform, self.function.function_name)
        statements = [
            statement(
                "Allow",
                DEPLOY_ACTIONS,
                [function_arn, f"{function_arn}:*"],
                sid="DeployOwnFunction",
            ),
            statement(
                "Allow",
                ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                [
                    arn
                    for group in names.action_log_group_arns
                    for arn in (group, f"{group}:log-stream:*")
                ],
                sid="WriteDeployActionLogs",
            ),
        ]
        if alarm_rollback:
            statements.append(self.read_rollback_alarms_statement(names))
        return statements

    def deployed_code_statements(self, names: ServiceNames) -> list[Statement]:
        """Read which version the alias names and that version's CodeSha256, nothing else."""
        function_arn = lambda_function_arn(names.platform, self.function.function_name)
        return [
            statement(
                "Allow",
                ["lambda:GetAlias", "lambda:GetFunctionConfiguration"],
                [function_arn, f"{function_arn}:*"],
                sid="ReadDeployedCode",
            )
        ]

    def packaging_commands(self) -> list[str]:
        # Only packages: the pipeline's Lambda action updates the code from this artifact and
        # publishes the version after any approval; the build never touches the function.
        return [
            f"rm -rf {PACKAGE_DIRECTORY} && cp -r {SOURCE_DIRECTORY} {PACKAGE_DIRECTORY}",
            f"if [ -f {SOURCE_DIRECTORY}/requirements.txt ]; then pip install -r "
            f"{SOURCE_DIRECTORY}/requirements.txt -t {PACKAGE_DIRECTORY}; fi",
        ]

    def artifact_section(self) -> dict[str, Any]:
        return {"files": ["**/*"], "discard-paths": "no", "base-directory": PACKAGE_DIRECTORY}


def lambda_function_arn(platform: PlatformNames, function_name: str) -> str:
    return platform.arn("lambda", f"function:{function_name}")
