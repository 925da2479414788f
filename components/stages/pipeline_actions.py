"""The actions of a service's pipeline, one function per stage: what each AWS action type expects.

Pure functions from settings and references to `PipelineStageArgs`, kept apart from the component so
that each action's configuration reads next to the AWS action reference it follows.
"""

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components.config import ServiceSettings
from components.stages.buildspec import APPSPEC_FILE, TASKDEF_FILE

SOURCE_OUTPUT = "SourceOutput"
BUILD_OUTPUT = "BuildOutput"
SOURCE_ACTION = "Source"
OUTPUT_FORMAT = "CODE_ZIP"
"""The source as a zip artifact: every consumer (CodeBuild) reads it without git credentials."""
APPROVAL_TEXT_LIMIT = 500
"""Our bound for the request: one readable mail paragraph, well under the 1000 characters an action
configuration value may hold (ActionDeclaration `configuration`, CodePipeline API Reference)."""
LAMBDA_DEPLOY_STRATEGY_PREFIX = "CodeDeployDefault.Lambda"
"""`CodeDeployDefault.LambdaCanary10Percent5Minutes` -> the Lambda action's `Canary10Percent5Minutes`."""


def source_stage(
    service: ServiceSettings, repository_name: pulumi.Input[str] | None
) -> aws.codepipeline.PipelineStageArgs:
    """CodeCommit (started by the push rule), or CodeConnections (started by the pipeline trigger).

    CodeConnections: `CodeStarSourceConnection` action (AWS CodePipeline action reference,
    "CodeStarSourceConnection for Bitbucket Cloud, GitHub, GitHub Enterprise Server, GitLab.com, and
    GitLab self-managed actions"). A V2 trigger disables the action's own change detection
    (PipelineTriggerDeclaration in the CodePipeline API reference), so `DetectChanges` is off too.
    """
    if service.connection is not None:
        return stage(
            SOURCE_ACTION,
            category="Source",
            provider="CodeStarSourceConnection",
            outputs=[SOURCE_OUTPUT],
            configuration={
                "ConnectionArn": service.connection.connection_arn,
                "FullRepositoryId": service.connection.full_repository_id,
                "BranchName": service.branch,
                "DetectChanges": "false",
                "OutputArtifactFormat": OUTPUT_FORMAT,
            },
        )
    if repository_name is None:
        raise ValueError(f"service {service.name!r} has neither a repository nor a connection")
    return stage(
        SOURCE_ACTION,
        category="Source",
        provider="CodeCommit",
        outputs=[SOURCE_OUTPUT],
        configuration={
            "RepositoryName": repository_name,
            "BranchName": service.branch,
            "PollForSourceChanges": "false",
            "OutputArtifactFormat": OUTPUT_FORMAT,
        },
    )


def push_triggers(service: ServiceSettings) -> list[aws.codepipeline.PipelineTriggerArgs] | None:
    """A V2 trigger on a push to the branch; only CodeConnections sources support triggers."""
    if service.connection is None:
        return None
    return [
        aws.codepipeline.PipelineTriggerArgs(
            provider_type="CodeStarSourceConnection",
            git_configuration=aws.codepipeline.PipelineTriggerGitConfigurationArgs(
                source_action_name=SOURCE_ACTION,
                pushes=[
                    aws.codepipeline.PipelineTriggerGitConfigurationPushArgs(
                        branches=aws.codepipeline.PipelineTriggerGitConfigurationPushBranchesArgs(
                            includes=[service.branch]
                        )
                    )
                ],
            ),
        )
    ]


def build_stage(build_project_name: pulumi.Input[str]) -> aws.codepipeline.PipelineStageArgs:
    return stage(
        "Build",
        category="Build",
        provider="CodeBuild",
        inputs=[SOURCE_OUTPUT],
        outputs=[BUILD_OUTPUT],
        configuration={"ProjectName": build_project_name},
    )


def approval_stage(
    service: ServiceSettings, stack: str, topic_arn: pulumi.Input[str], console_url: str
) -> aws.codepipeline.PipelineStageArgs:
    """The request names what is released where, and links the pipeline, whose waiting approval has
    the Review button. SNS receives customData and externalEntityLink with CodePipeline's own
    approvalReviewLink ("JSON data format for manual approval notifications in CodePipeline")."""
    return stage(
        "Approval",
        category="Approval",
        provider="Manual",
        configuration={
            "NotificationArn": topic_arn,
            "CustomData": approval_request(service, stack),
            "ExternalEntityLink": console_url,
        },
    )


def approval_request(service: ServiceSettings, stack: str) -> str:
    """`Approve releasing web (prod): <source> built and tested, to <target> by <config>. ...`"""
    text = (
        f"Approve releasing {service.name} ({stack}): {source_description(service)} built and "
        f"tested, to {deploy_target_description(service)} by {service.deployment_config}. "
        "Check the execution's source revision and build in the linked pipeline, then approve "
        "or reject."
    )
    if len(text) <= APPROVAL_TEXT_LIMIT:
        return text
    return text[: APPROVAL_TEXT_LIMIT - 1] + "…"


def source_description(service: ServiceSettings) -> str:
    repository = (
        service.connection.full_repository_id
        if service.connection is not None
        else service.repository_name
    )
    return f"{repository}@{service.branch}"


def deploy_target_description(service: ServiceSettings) -> str:
    if service.ecs is not None:
        return f"ECS service {service.ecs.service_name} on cluster {service.ecs.cluster_name}"
    if service.lambda_ is not None:
        return f"Lambda {service.lambda_.function_name} alias {service.lambda_.alias_name}"
    tags = ", ".join(f"{f.key}={f.value}" for f in service.ec2_tag_filters)
    return f"EC2 instances tagged {tags}"


def codedeploy_stage(
    service: ServiceSettings,
    application_name: pulumi.Input[str],
    deployment_group_name: pulumi.Input[str],
) -> aws.codepipeline.PipelineStageArgs:
    """Server: `CodeDeploy` (EC2/on-premises). ECS: `CodeDeployToECS`, blue/green."""
    target = {"ApplicationName": application_name, "DeploymentGroupName": deployment_group_name}
    if service.compute_platform == "ECS":
        # Blue/green: CodeDeployToECS registers taskdef.json and fills appspec.yaml's task definition.
        return stage(
            "Deploy",
            category="Deploy",
            provider="CodeDeployToECS",
            inputs=[BUILD_OUTPUT],
            configuration={
                **target,
                "TaskDefinitionTemplateArtifact": BUILD_OUTPUT,
                "TaskDefinitionTemplatePath": TASKDEF_FILE,
                "AppSpecTemplateArtifact": BUILD_OUTPUT,
                "AppSpecTemplatePath": APPSPEC_FILE,
            },
        )
    return stage(
        "Deploy",
        category="Deploy",
        provider="CodeDeploy",
        inputs=[BUILD_OUTPUT],
        configuration=target,
    )


def lambda_stage(
    service: ServiceSettings, alarm_names: Sequence[pulumi.Input[str]]
) -> aws.codepipeline.PipelineStageArgs:
    """CodePipeline's `Lambda` deploy action (V2 only; AWS "AWS Lambda deploy action reference").

    With an input artifact the action updates the function's code from it, publishes a new version
    and shifts `FunctionAlias` to it by `DeployStrategy`; the alias's current version is the rollback
    target, and the action fails when one of `Alarms` (comma-separated names, at most 10) goes to
    ALARM. The version is therefore published here, after any manual approval, never by the build.
    """
    settings = service.lambda_
    if settings is None:
        raise ValueError(f"service {service.name!r} deploys to Lambda but has no lambda settings")
    configuration: dict[str, Any] = {
        "FunctionName": settings.function_name,
        "FunctionAlias": settings.alias_name,
        "DeployStrategy": lambda_deploy_strategy(service.deployment_config),
    }
    if alarm_names:
        configuration["Alarms"] = pulumi.Output.all(*alarm_names).apply(",".join)
    return stage(
        "Deploy",
        category="Deploy",
        provider="Lambda",
        inputs=[BUILD_OUTPUT],
        configuration=configuration,
    )


def lambda_deploy_strategy(deployment_config: str) -> str:
    """The Lambda action's strategy for a `CodeDeployDefault.Lambda*` config (same shift, same name)."""
    return deployment_config.removeprefix(LAMBDA_DEPLOY_STRATEGY_PREFIX)


def stage(
    name: str,
    *,
    category: str,
    provider: str,
    configuration: dict[str, Any],
    inputs: list[str] | None = None,
    outputs: list[str] | None = None,
) -> aws.codepipeline.PipelineStageArgs:
    """A stage with one AWS-owned action of the same name."""
    return aws.codepipeline.PipelineStageArgs(
        name=name,
        actions=[
            aws.codepipeline.PipelineStageActionArgs(
                name=name,
                category=category,
                owner="AWS",
                provider=provider,
                version="1",
                input_artifacts=inputs,
                output_artifacts=outputs,
                configuration=configuration,
            )
        ],
    )
