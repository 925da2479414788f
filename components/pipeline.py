"""The CodePipeline (V2) of one service: Source -> Build -> (manual approval) -> Deploy.

Artifacts go to our bucket encrypted with our key, named by its alias ARN: that is known at preview, so
the policy pack can check the pipeline's encryption on a first preview (the key ARN would be unknown).
The source action does not poll; the push rule in `source.py` starts the pipeline.
"""

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.buildspec import APPSPEC_FILE, TASKDEF_FILE
from components.config import ServiceSettings
from components.naming import ServiceNames
from components.references import reference

SOURCE_OUTPUT = "SourceOutput"
BUILD_OUTPUT = "BuildOutput"
PIPELINE_TYPE = "V2"
EXECUTION_MODE = "QUEUED"
"""Each push is released in order; a newer push never overtakes one waiting for approval."""


@dataclass(frozen=True)
class PipelineArgs:
    """Inputs of one service's pipeline: every resource it names is a reference (known at preview)."""

    service: ServiceSettings
    """Branch and compute platform (which deploy action)."""
    names: ServiceNames
    """Pipeline name and console link."""
    service_role_arn: pulumi.Input[str]
    """The CodePipeline role from `ServiceRoles`."""
    bucket_name: pulumi.Input[str]
    """The artifact bucket."""
    key_alias_arn: pulumi.Input[str]
    """The artifact key by alias ARN."""
    topic_arn: pulumi.Input[str]
    """Where approval requests are announced."""
    repository_name: pulumi.Input[str]
    """The CodeCommit repository of the Source action."""
    build_project_name: pulumi.Input[str]
    """The CodeBuild project of the Build action."""
    deploy_application_name: pulumi.Input[str]
    """The CodeDeploy application of the Deploy action."""
    deployment_group_name: pulumi.Input[str]
    """The CodeDeploy deployment group of the Deploy action."""
    manual_approval: bool = True
    """Insert a manual approval stage before Deploy. Default: on (the safe choice)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags of the pipeline."""


class Pipeline(pulumi.ComponentResource):
    """CodePipeline V2 with a KMS-encrypted S3 artifact store."""

    pipeline: aws.codepipeline.Pipeline
    pipeline_name: pulumi.Output[str]
    """Reference to the pipeline (known at preview)."""
    pipeline_arn: pulumi.Output[str]
    """Reference to the pipeline (known at preview): the push rule's target."""

    def __init__(
        self, name: str, args: PipelineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:pipeline:Pipeline", name, None, opts)
        names = args.names
        self.pipeline = aws.codepipeline.Pipeline(
            f"{name}-pipeline",
            name=names.pipeline_name,
            pipeline_type=PIPELINE_TYPE,
            execution_mode=EXECUTION_MODE,
            role_arn=args.service_role_arn,
            artifact_stores=[
                aws.codepipeline.PipelineArtifactStoreArgs(
                    type="S3",
                    location=args.bucket_name,
                    encryption_key=aws.codepipeline.PipelineArtifactStoreEncryptionKeyArgs(
                        type="KMS", id=args.key_alias_arn
                    ),
                )
            ],
            stages=pipeline_stages(args),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.pipeline_name = reference(names.pipeline_name, self.pipeline)
        self.pipeline_arn = reference(names.pipeline_arn, self.pipeline)
        self.register_outputs(
            {"pipeline_name": self.pipeline_name, "pipeline_arn": self.pipeline_arn}
        )


def pipeline_stages(args: PipelineArgs) -> list[aws.codepipeline.PipelineStageArgs]:
    """Source, Build, optional Approval, Deploy, in that order."""
    service, names = args.service, args.names
    stages = [
        _stage(
            "Source",
            category="Source",
            provider="CodeCommit",
            outputs=[SOURCE_OUTPUT],
            configuration={
                "RepositoryName": args.repository_name,
                "BranchName": service.branch,
                "PollForSourceChanges": "false",
                "OutputArtifactFormat": "CODE_ZIP",
            },
        ),
        _stage(
            "Build",
            category="Build",
            provider="CodeBuild",
            inputs=[SOURCE_OUTPUT],
            outputs=[BUILD_OUTPUT],
            configuration={"ProjectName": args.build_project_name},
        ),
    ]
    if args.manual_approval:
        stages.append(
            _stage(
                "Approval",
                category="Approval",
                provider="Manual",
                configuration={
                    "NotificationArn": args.topic_arn,
                    "CustomData": f"Approve releasing {service.name} ({names.platform.stack}).",
                    "ExternalEntityLink": names.console_url,
                },
            )
        )
    stages.append(_deploy_stage(args))
    return stages


def _deploy_stage(args: PipelineArgs) -> aws.codepipeline.PipelineStageArgs:
    service = args.service
    target = {
        "ApplicationName": args.deploy_application_name,
        "DeploymentGroupName": args.deployment_group_name,
    }
    if service.compute_platform == "ECS":
        # Blue/green: CodeDeployToECS registers taskdef.json and fills appspec.yaml's task definition.
        return _stage(
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
    return _stage(
        "Deploy",
        category="Deploy",
        provider="CodeDeploy",
        inputs=[BUILD_OUTPUT],
        configuration=target,
    )


def _stage(
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
