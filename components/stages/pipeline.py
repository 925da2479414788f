"""The CodePipeline (V2) of one service: Source -> Build -> (manual approval) -> Deploy.

Artifacts go to our bucket encrypted with our key, named by its alias ARN: that is known at preview, so
the policy pack can check the pipeline's encryption on a first preview (the key ARN would be unknown).
A CodeCommit source does not poll (the push rule in `source.py` starts the pipeline); a CodeConnections
source is started by the pipeline's own V2 trigger on a push to the branch. The actions themselves are
in `pipeline_actions.py`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.config import ServiceSettings
from components.shared.naming import ServiceNames
from components.shared.references import reference
from components.stages import pipeline_actions as actions

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
    build_project_name: pulumi.Input[str]
    """The CodeBuild project of the Build action."""
    repository_name: pulumi.Input[str] | None = None
    """The CodeCommit repository of the Source action; None for a CodeConnections source."""
    deploy_application_name: pulumi.Input[str] | None = None
    """The CodeDeploy application of the Deploy action; None for Lambda."""
    deployment_group_name: pulumi.Input[str] | None = None
    """The CodeDeploy deployment group of the Deploy action; None for Lambda."""
    rollback_alarms: Sequence[pulumi.Input[str]] = ()
    """Lambda: the alarms the deploy action watches (CodeDeploy groups name their own)."""
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
            triggers=actions.push_triggers(args.service),
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
        actions.source_stage(service, args.repository_name),
        actions.build_stage(args.build_project_name),
    ]
    if args.manual_approval:
        stages.append(
            actions.approval_stage(service, names.platform.stack, args.topic_arn, names.console_url)
        )
    if service.uses_codedeploy:
        if args.deploy_application_name is None or args.deployment_group_name is None:
            raise ValueError(f"service {service.name!r} deploys with CodeDeploy but has no group")
        stages.append(
            actions.codedeploy_stage(
                service, args.deploy_application_name, args.deployment_group_name
            )
        )
    else:
        stages.append(actions.lambda_stage(service, args.rollback_alarms))
    return stages
