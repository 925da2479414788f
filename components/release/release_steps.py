"""One service's release steps as CodeBuild projects, and the stages that run them.

Which steps a service has follows from its platform and its stack's release plan
(`release_stages.release_steps_of`): a stack that builds makes the image (ECS) and signs; a stack
that promotes admits what its upstream published; every stack verifies right before the deploy,
confirms Lambda code after it, and publishes to its downstream stacks after a bake. Each step is a
CodeBuild project with a stack-owned buildspec (`step_buildspecs.py`) and a fixed environment
(`step_settings.py`), running as its own role (`step_roles.py`).
"""

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.config import ServiceSettings
from components.iam.service_roles import ServiceRoles
from components.release.image_repository import ImageRepository, ImageRepositoryArgs
from components.release.promotion import ReleasePlan, upstream_repository_statements
from components.release.release_names import IMAGE_PURPOSE, ReleaseNames
from components.release.release_stages import ReleaseStages, release_stages, release_steps_of
from components.release.step_settings import (
    STEP_BUILDSPECS,
    STEP_ROLES,
    StepContext,
    step_timeout,
    step_variables,
)
from components.shared.naming import ServiceNames
from components.shared.references import reference
from components.stages.origins import Origin
from components.targets import DeployTarget

STEP_COMPUTE_TYPE = "BUILD_GENERAL1_SMALL"
IMAGE_COMPUTE_TYPE = "BUILD_GENERAL1_MEDIUM"
QUEUED_TIMEOUT_MINUTES = 60


@dataclass(frozen=True)
class ReleaseStepsArgs:
    """Inputs of one service's release steps."""

    service: ServiceSettings
    names: ServiceNames
    origin: Origin
    """Which repository the manifest names."""
    target: DeployTarget
    """What the Deploy reads (and whether an image is built, deployed code confirmed)."""
    plan: ReleasePlan
    """Built here or promoted; published downstream or not."""
    roles: ServiceRoles
    """The step roles (`image`, `signer`, `verifier`) among the service roles."""
    key_arn: pulumi.Input[str]
    """The artifact key: the projects' output and the image repository are encrypted with it."""
    key_alias_arn: pulumi.Input[str]
    bucket_name: pulumi.Input[str]
    """The artifact key's alias and the bucket (the publish step writes there)."""
    signing_key_alias_arn: pulumi.Input[str] | None
    """Reference to the release-signing key's alias (None when nothing signs in this stack)."""
    log_group_name: pulumi.Input[str]
    """Reference to the stack's release-steps log group."""
    rollback_alarm_names: tuple[str, ...] = ()
    """The alarms the publish step's bake watches."""
    vulnerability_gate: str = "HIGH"
    build_image: str = "aws/codebuild/standard:7.0"
    tags: dict[str, str] = field(default_factory=dict)
    protect: bool = False
    """Protect and retain the image repository (prod)."""


class ReleaseSteps(pulumi.ComponentResource):
    """The step projects of one service and the pipeline stages that run them."""

    image_repository: ImageRepository | None
    projects: dict[str, aws.codebuild.Project]
    project_names: dict[str, pulumi.Output[str]]
    """References to the step projects by step (known at preview)."""

    def __init__(
        self, name: str, args: ReleaseStepsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guarded-delivery:release:ReleaseSteps", name, None, opts)
        self._args, self._release = args, ReleaseNames(args.names)
        builds_image = args.plan.builds and args.target.builds_image
        self.image_repository = self._declare_image_repository(name) if builds_image else None
        context = StepContext(
            service=args.service,
            release=self._release,
            origin=args.origin,
            target=args.target,
            plan=args.plan,
            signing_key_alias_arn=args.signing_key_alias_arn,
            image_repository_name=self.image_repository and self.image_repository.repository_name,
            image_repository_uri=self.image_repository and self.image_repository.repository_uri,
            bucket_name=args.bucket_name,
            key_alias_arn=args.key_alias_arn,
            rollback_alarm_names=args.rollback_alarm_names,
            vulnerability_gate=args.vulnerability_gate,
        )
        self.projects, self.project_names = {}, {}
        for step in release_steps_of(args.target, args.plan):
            self._project(name, step, context)
        self.register_outputs({"project_names": self.project_names})

    @property
    def stages(self) -> ReleaseStages:
        """The pipeline stages that run these steps."""
        return release_stages(self._args.target, self._args.plan, self.project_names)

    def _declare_image_repository(self, name: str) -> ImageRepository:
        args = self._args
        service = args.service
        task_role = service.ecs.task_execution_role_name if service.ecs else ""
        return ImageRepository(
            f"{name}-images",
            ImageRepositoryArgs(
                names=self._release,
                key_arn=args.key_arn,
                pusher_role_arn=args.roles.required_arn(IMAGE_PURPOSE),
                puller_principals=[args.names.platform.account_root_arn],
                tags=args.tags,
                downstream_grants=upstream_repository_statements(
                    args.plan.downstreams, service.name, task_role
                ),
                protect=args.protect,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _project(self, name: str, step: str, context: StepContext) -> None:
        args, release = self._args, self._release
        image_step = step == "image"
        project = aws.codebuild.Project(
            f"{name}-{step}",
            name=release.project_name(step),
            description=f"Release step {step} of {args.service.name} (stack-owned buildspec)",
            service_role=args.roles.required_arn(STEP_ROLES[step]),
            encryption_key=args.key_arn,
            build_timeout=step_timeout(step, args.plan),
            queued_timeout=QUEUED_TIMEOUT_MINUTES,
            source=aws.codebuild.ProjectSourceArgs(
                type="CODEPIPELINE", buildspec=STEP_BUILDSPECS[step]()
            ),
            artifacts=aws.codebuild.ProjectArtifactsArgs(type="CODEPIPELINE"),
            environment=aws.codebuild.ProjectEnvironmentArgs(
                type="LINUX_CONTAINER",
                compute_type=IMAGE_COMPUTE_TYPE if image_step else STEP_COMPUTE_TYPE,
                image=args.build_image,
                image_pull_credentials_type="CODEBUILD",
                # Only the image step runs Docker, and its commands are the stack's, not the
                # repository's: a push cannot change what runs with root on the build host.
                privileged_mode=image_step,
                environment_variables=[
                    aws.codebuild.ProjectEnvironmentEnvironmentVariableArgs(
                        name=key, value=value, type="PLAINTEXT"
                    )
                    for key, value in step_variables(step, context).items()
                ],
            ),
            logs_config=aws.codebuild.ProjectLogsConfigArgs(
                cloudwatch_logs=aws.codebuild.ProjectLogsConfigCloudwatchLogsArgs(
                    status="ENABLED",
                    group_name=args.log_group_name,
                    stream_name=release.log_stream_prefix(step),
                ),
                s3_logs=aws.codebuild.ProjectLogsConfigS3LogsArgs(status="DISABLED"),
            ),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.projects[step] = project
        self.project_names[step] = reference(release.project_name(step), project)
