"""The CodePipeline (V2) of one service: Source -> Build -> (manual approval) -> Deploy.

Artifacts go to our bucket encrypted with our key, named by its alias ARN: that is known at preview, so
the policy pack can check the pipeline's encryption on a first preview (the key ARN would be unknown).
Each stage's action comes from the module that owns it: the origin's Source action (and, for
CodeConnections, the pipeline's V2 trigger), the build's Build action, the approval, and the deploy
target's Deploy action. The pipeline role is assembled here from the same owners' statements.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.config import ServiceSettings
from components.iam.documents import service_assume_role_policy
from components.iam.grants import RoleGrants
from components.iam.principals import CODEPIPELINE_PRINCIPAL
from components.release.promotion import ReleasePlan
from components.release.release_stages import ReleaseStages, release_pipeline_statements
from components.shared.artifact_grants import (
    ARTIFACT_WRITE_ACTIONS,
    artifact_statements,
    kms_use_statement,
)
from components.shared.naming import ServiceNames
from components.shared.references import reference
from components.stages.approval import approval_request, approval_stage, approval_statements
from components.stages.build import build_stage, pipeline_build_statements
from components.stages.origins import Origin
from components.targets import Deployment, DeployTarget

PIPELINE_TYPE = "V2"
EXECUTION_MODE = "QUEUED"
"""Each push is released in order; a newer push never overtakes one waiting for approval."""


@dataclass(frozen=True)
class PipelineArgs:
    """Inputs of one service's pipeline: every resource it names is a reference (known at preview)."""

    service: ServiceSettings
    names: ServiceNames
    """Pipeline name and console link."""
    origin: Origin
    """Where the source comes from (Source action, triggers)."""
    target: DeployTarget
    """Where the service deploys (Deploy action)."""
    service_role_arn: pulumi.Input[str]
    """The CodePipeline role from `ServiceRoles`."""
    bucket_name: pulumi.Input[str]
    """The artifact bucket."""
    key_alias_arn: pulumi.Input[str]
    """The artifact key by alias ARN."""
    topic_arn: pulumi.Input[str]
    """Where approval requests are announced."""
    build_project_name: pulumi.Input[str] | None
    """The CodeBuild project of the Build action; None in a stack that promotes (no build)."""
    release: ReleaseStages
    """The stack-owned steps that sign or admit the release and verify it before the deploy."""
    plan: ReleasePlan = field(default_factory=lambda: ReleasePlan(upstream=None))
    """Built here (the default) or promoted from an upstream stack."""
    repository_name: pulumi.Input[str] | None = None
    """The CodeCommit repository of the Source action; None for a CodeConnections source."""
    deployment: Deployment = field(default_factory=Deployment)
    """What the Deploy action names (CodeDeploy application and group; none for Lambda)."""
    rollback_alarms: Sequence[pulumi.Input[str]] = ()
    """The alarms a pipeline-run deployment watches (CodeDeploy groups name their own)."""
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
            triggers=args.origin.pipeline_triggers(),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.pipeline_name = reference(names.pipeline_name, self.pipeline)
        self.pipeline_arn = reference(names.pipeline_arn, self.pipeline)
        self.register_outputs(
            {"pipeline_name": self.pipeline_name, "pipeline_arn": self.pipeline_arn}
        )


def pipeline_stages(args: PipelineArgs) -> list[aws.codepipeline.PipelineStageArgs]:
    """Source, Build, [Image,] Sign, [Approval,] Verify, Deploy[, Confirm], in that order.

    Verify runs after the approval, right before the Deploy: nothing that writes an artifact the
    Deploy reads runs between them, and it checks the manifest the approval request named.
    """
    service, names, release = args.service, args.names, args.release
    stages = [args.origin.source_stage(args.repository_name)]
    if args.build_project_name is not None:
        stages.append(build_stage(args.build_project_name))
    stages.extend(release.before_approval)
    if args.manual_approval:
        request = approval_request(
            service, names.platform.stack, args.origin, args.target, release.approval_summary
        )
        stages.append(approval_stage(service, request, args.topic_arn, names.console_url))
    stages.append(release.verify)
    stages.append(args.target.deploy_stage(args.deployment, args.rollback_alarms))
    stages.extend(release.after_deploy)
    return stages


def pipeline_role(
    names: ServiceNames,
    origin: Origin,
    target: DeployTarget,
    plan: ReleasePlan,
    *,
    manual_approval: bool,
    alarm_rollback: bool,
) -> RoleGrants:
    """Run its own source, build, (approval) and deploy actions and move artifacts; nothing else.

    Its trust names CodePipeline and no condition. AWS documents no aws:SourceAccount or
    aws:SourceArn for CodePipeline assuming its service role: "Manage the CodePipeline service role"
    (how-to-custom-role.html) lists none, "Create the CodePipeline service role (CLI)"
    (pipelines-create-service-role-cli.html) gives a trust policy with no Condition, and CodePipeline
    has no "Cross-service confused deputy prevention" page, unlike CodeBuild and CodeDeploy, whose
    roles keep both keys. A condition on a key CodePipeline does not send would make CreatePipeline
    fail with "not authorized to perform: sts:AssumeRole", so none is added until AWS documents one.
    Only a principal allowed iam:PassRole on this role can give it to a pipeline, and its inline
    policy reaches this service's resources only.
    """
    trust = service_assume_role_policy(CODEPIPELINE_PRINCIPAL, account_id=None)
    statements = [
        *origin.pipeline_statements(names),
        *(pipeline_build_statements(names) if plan.builds else []),
        *release_pipeline_statements(names, target, plan),
        *target.pipeline_statements(names, alarm_rollback=alarm_rollback),
        *artifact_statements(names.platform, ARTIFACT_WRITE_ACTIONS),
        kms_use_statement(names.platform),
        *(approval_statements(names) if manual_approval else []),
    ]
    return RoleGrants("pipeline", trust, statements)
