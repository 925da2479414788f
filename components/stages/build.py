"""The CodeBuild project of one service, its log group and its test report group.

The project runs the buildspec committed in the repository (default path `buildspec.yml`; the generated
default is `default_buildspec`, shown in the README), encrypts its output with our key, writes logs only
to a KMS-encrypted log group we create (so retention and encryption are ours, not CodeBuild's implicit
never-expiring group) and runs unprivileged unless the stack says otherwise (Docker builds need it).
"""

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.config import BuildCache, ServiceSettings
from components.iam.documents import service_assume_role_policy, statement
from components.iam.grants import RoleGrants, Statement
from components.iam.principals import CODEBUILD_PRINCIPAL
from components.shared.artifact_grants import (
    ARTIFACT_WRITE_ACTIONS,
    artifact_statements,
    kms_use_statement,
)
from components.shared.naming import BUILD_CACHE_PREFIX, ServiceNames
from components.shared.references import reference
from components.stages.buildspec import DEFAULT_BUILDSPEC_PATH, default_buildspec
from components.stages.origins import Origin
from components.stages.stage_args import BUILD_OUTPUT, SOURCE_OUTPUT, stage
from components.targets import DeployTarget

ENVIRONMENT_TYPE = "LINUX_CONTAINER"
QUEUED_TIMEOUT_MINUTES = 60
CACHE_PREFIX = BUILD_CACHE_PREFIX
"""S3 cache lives in the artifact bucket (encrypted with our key) under `build-cache/<service>`."""
LOCAL_CACHE_MODES = ("LOCAL_SOURCE_CACHE", "LOCAL_CUSTOM_CACHE")
DOCKER_LAYER_CACHE = "LOCAL_DOCKER_LAYER_CACHE"
"""Only meaningful (and only allowed) for privileged builds."""


@dataclass(frozen=True)
class BuildArgs:
    """Inputs of one service's build."""

    service: ServiceSettings
    """The buildspec path (default `buildspec.yml`)."""
    target: DeployTarget
    """Where the service deploys: the default buildspec packages what its deploy stage reads."""
    names: ServiceNames
    """Project, log group and report group names."""
    service_role_arn: pulumi.Input[str]
    """Reference to the CodeBuild role from `ServiceRoles` (CodeBuild checks it can assume it)."""
    key_arn: pulumi.Input[str]
    """The artifact key: build output, logs and cache are encrypted with it."""
    bucket_name: pulumi.Input[str]
    """Reference to the artifact bucket (S3 cache location)."""
    compute_type: str = "BUILD_GENERAL1_SMALL"
    image: str = "aws/codebuild/standard:7.0"
    timeout_minutes: int = 30
    cache: BuildCache = "none"
    """`none`, `s3` (in the artifact bucket) or `local` (on the build host, best effort)."""
    privileged_mode: bool = False
    """Docker-in-Docker; off by default because it gives the build root on the build host."""
    log_retention_days: int = 90
    tags: dict[str, str] = field(default_factory=dict)
    """Tags of the project, log group and report group."""


class Build(pulumi.ComponentResource):
    """CodeBuild project + log group + JUnit report group."""

    project: aws.codebuild.Project
    log_group: aws.cloudwatch.LogGroup
    report_group: aws.codebuild.ReportGroup
    project_name: pulumi.Output[str]
    """Reference to the project (known at preview)."""
    log_group_name: pulumi.Output[str]
    """Reference to the log group (known at preview): a metric filter needs it to exist."""
    report_group_arn: str
    buildspec_path: str
    default_buildspec: str
    """The recommended buildspec for this service (YAML), to commit at `buildspec_path`."""

    def __init__(
        self, name: str, args: BuildArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:build:Build", name, None, opts)
        service, names = args.service, args.names
        child = pulumi.ResourceOptions(parent=self)
        self.report_group_arn = names.report_group_arn
        self.buildspec_path = service.buildspec or DEFAULT_BUILDSPEC_PATH
        self.default_buildspec = default_buildspec(args.target, names.report_group_arn)

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=names.log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=args.key_arn,
            tags=args.tags,
            opts=child,
        )
        self.report_group = aws.codebuild.ReportGroup(
            f"{name}-reports",
            name=names.report_group_name,
            type="TEST",
            # Reports stay in CodeBuild (encrypted at rest by the service); no export, no extra bucket.
            export_config=aws.codebuild.ReportGroupExportConfigArgs(type="NO_EXPORT"),
            tags=args.tags,
            opts=child,
        )
        self.project = self._declare_project(name, args)
        self.project_name = reference(names.build_project_name, self.project)
        self.log_group_name = reference(names.log_group_name, self.log_group)
        self.register_outputs(
            {
                "project_name": self.project_name,
                "log_group_name": self.log_group_name,
                "report_group_arn": self.report_group_arn,
            }
        )

    def _declare_project(self, name: str, args: BuildArgs) -> aws.codebuild.Project:
        service, names = args.service, args.names
        return aws.codebuild.Project(
            f"{name}-project",
            name=names.build_project_name,
            description=f"Build and test {service.name}",
            service_role=args.service_role_arn,
            encryption_key=args.key_arn,
            build_timeout=args.timeout_minutes,
            queued_timeout=QUEUED_TIMEOUT_MINUTES,
            source=aws.codebuild.ProjectSourceArgs(
                type="CODEPIPELINE", buildspec=self.buildspec_path
            ),
            artifacts=aws.codebuild.ProjectArtifactsArgs(type="CODEPIPELINE"),
            environment=aws.codebuild.ProjectEnvironmentArgs(
                type=ENVIRONMENT_TYPE,
                compute_type=args.compute_type,
                image=args.image,
                image_pull_credentials_type="CODEBUILD",
                privileged_mode=args.privileged_mode,
            ),
            logs_config=aws.codebuild.ProjectLogsConfigArgs(
                cloudwatch_logs=aws.codebuild.ProjectLogsConfigCloudwatchLogsArgs(
                    status="ENABLED", group_name=reference(names.log_group_name, self.log_group)
                ),
                s3_logs=aws.codebuild.ProjectLogsConfigS3LogsArgs(status="DISABLED"),
            ),
            cache=build_cache(args),
            tags=args.tags,
            # The buildspec's report group is named by CodeBuild's convention, not by an input.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.report_group]),
        )


def build_cache(args: BuildArgs) -> aws.codebuild.ProjectCacheArgs:
    """The project cache for the configured mode."""
    if args.cache == "s3":
        # AWS documents which headers CodeBuild's cache uploads carry nowhere ("Data encryption"
        # says a cache is encrypted, not how it is asked for). So the cache does not depend on
        # them: the bucket policy exempts `build-cache/*` from DenyUploadsNotEncryptedWithKms,
        # and the bucket's default encryption (SSE-KMS with our key, bucket key on) encrypts an
        # upload without SSE headers with our key. A cache upload that does name SSE must still
        # name aws:kms and a key of ours (DenyCacheUploadsNotKms, DenyCacheUploadsWithForeignKey),
        # so nothing under the prefix can be stored unencrypted or under someone else's key.
        # Proven by tests/components/shared/test_artifact_store.py (resource policy evaluation).
        location = pulumi.Output.concat(
            args.bucket_name, f"/{CACHE_PREFIX}/{args.names.service_name}"
        )
        return aws.codebuild.ProjectCacheArgs(type="S3", location=location)
    if args.cache == "local":
        modes = [*LOCAL_CACHE_MODES, *([DOCKER_LAYER_CACHE] if args.privileged_mode else [])]
        return aws.codebuild.ProjectCacheArgs(type="LOCAL", modes=modes)
    return aws.codebuild.ProjectCacheArgs(type="NO_CACHE")


def build_stage(build_project_name: pulumi.Input[str]) -> aws.codepipeline.PipelineStageArgs:
    """The pipeline's Build stage: this project, from the source artifact to the build artifact."""
    return stage(
        "Build",
        category="Build",
        provider="CodeBuild",
        inputs=[SOURCE_OUTPUT],
        outputs=[BUILD_OUTPUT],
        configuration={"ProjectName": build_project_name},
    )


def build_role(names: ServiceNames, origin: Origin) -> RoleGrants:
    """Write its log group and report group, read/write artifacts, use the key, read its source."""
    trust = service_assume_role_policy(
        CODEBUILD_PRINCIPAL, names.platform.account_id, names.build_project_arn
    )
    statements = [
        statement(
            "Allow",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [names.log_group_arn, f"{names.log_group_arn}:log-stream:*"],
            sid="WriteOwnBuildLogs",
        ),
        statement(
            "Allow",
            [
                "codebuild:BatchPutCodeCoverages",
                "codebuild:BatchPutTestCases",
                "codebuild:CreateReport",
                "codebuild:UpdateReport",
            ],
            [names.report_group_arn],
            sid="WriteOwnTestReports",
        ),
        *origin.build_statements(names),
        *artifact_statements(names.platform, ARTIFACT_WRITE_ACTIONS),
        kms_use_statement(names.platform),
    ]
    return RoleGrants("build", trust, statements)


def pipeline_build_statements(names: ServiceNames) -> list[Statement]:
    """What the pipeline role needs to run the Build action: start and watch this project's builds."""
    return [
        statement(
            "Allow",
            ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
            [names.build_project_arn],
            sid="RunOwnBuild",
        )
    ]
