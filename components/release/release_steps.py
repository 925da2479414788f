"""One service's release steps: image (ECS), sign, verify, confirm (Lambda), and their stages.

The pipeline becomes Source -> Build -> [Image] -> Sign -> [Approval] -> Verify -> Deploy -> [Confirm]:
- **Image** builds the commit's image and writes `imageDetail.json` by digest (`ImageOutput`).
- **Sign** hashes every artifact the Deploy reads (the exact S3 objects, found through CodePipeline),
  scans the SBOM and the image, gates on `vulnerabilityGate`, and signs the manifest (`ReleaseOutput`).
- **Verify**, after any approval and right before Deploy, re-hashes those objects, checks the signature
  with the release key, that the manifest is this execution's and revision's, and that it is the one
  the approval request showed (`#{ReleaseVariables.MANIFEST_SHA256}`); it reads every artifact the
  Deploy reads, and nothing runs between them that writes one.
- **Confirm** (Lambda) reads back the deployed version's `CodeSha256` and matches the signed package.
Each step is a CodeBuild project with a stack-owned buildspec (`step_buildspecs.py`), running as its
own role (`step_roles.py`).
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.config import ServiceSettings
from components.iam.documents import statement
from components.iam.grants import Statement
from components.iam.service_roles import ServiceRoles
from components.release import step_buildspecs
from components.release.image_repository import ImageRepository, ImageRepositoryArgs
from components.release.release_names import (
    IMAGE_PURPOSE,
    SIGNER_PURPOSE,
    VERIFIER_PURPOSE,
    ReleaseNames,
)
from components.shared.naming import ServiceNames
from components.shared.references import reference
from components.stages.origins import Origin
from components.stages.stage_args import (
    BUILD_OUTPUT,
    IMAGE_OUTPUT,
    RELEASE_NAMESPACE,
    RELEASE_OUTPUT,
    SOURCE_NAMESPACE,
    SOURCE_OUTPUT,
    stage,
)
from components.targets import DeployTarget

STEP_COMPUTE_TYPE = "BUILD_GENERAL1_SMALL"
IMAGE_COMPUTE_TYPE = "BUILD_GENERAL1_MEDIUM"
STEP_TIMEOUT_MINUTES = 20
QUEUED_TIMEOUT_MINUTES = 60
COMMIT_ID = f"#{{{SOURCE_NAMESPACE}.CommitId}}"
EXECUTION_ID = "#{codepipeline.PipelineExecutionId}"
MANIFEST_SHA256 = f"#{{{RELEASE_NAMESPACE}.MANIFEST_SHA256}}"
IMAGE_DIGEST = f"#{{{RELEASE_NAMESPACE}.IMAGE_DIGEST}}"
SCAN_VERDICT = f"#{{{RELEASE_NAMESPACE}.SCAN_VERDICT}}"


@dataclass(frozen=True)
class ReleaseStepsArgs:
    """Inputs of one service's release steps."""

    service: ServiceSettings
    names: ServiceNames
    origin: Origin
    """Which repository the manifest names."""
    target: DeployTarget
    """What the Deploy reads (and whether an image is built, deployed code confirmed)."""
    roles: ServiceRoles
    """The step roles (`image`, `signer`, `verifier`) among the service roles."""
    key_arn: pulumi.Input[str]
    """The artifact key: the projects' output and the image repository are encrypted with it."""
    signing_key_alias_arn: pulumi.Input[str]
    """Reference to the release-signing key's alias."""
    log_group_name: pulumi.Input[str]
    """Reference to the stack's release-steps log group."""
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
        self.image_repository = self._declare_image_repository(name) if self._builds_image else None
        self.projects, self.project_names = {}, {}
        if self.image_repository is not None:
            self._project(name, "image", IMAGE_PURPOSE, step_buildspecs.image_buildspec())
        self._project(name, "sign", SIGNER_PURPOSE, step_buildspecs.sign_buildspec())
        self._project(name, "verify", VERIFIER_PURPOSE, step_buildspecs.verify_buildspec())
        if args.target.confirms_deployed_code:
            self._project(name, "confirm", VERIFIER_PURPOSE, step_buildspecs.confirm_buildspec())
        self.register_outputs({"project_names": self.project_names})

    @property
    def _builds_image(self) -> bool:
        return self._args.target.builds_image

    @property
    def stages(self) -> "ReleaseStages":
        """The pipeline stages that run these steps."""
        return release_stages(self._args.target, self.project_names)

    # Declarations -----------------------------------------------------------------------------
    def _declare_image_repository(self, name: str) -> ImageRepository:
        args = self._args
        return ImageRepository(
            f"{name}-images",
            ImageRepositoryArgs(
                names=self._release,
                key_arn=args.key_arn,
                pusher_role_arn=args.roles.required_arn(IMAGE_PURPOSE),
                puller_principals=[args.names.platform.account_root_arn],
                tags=args.tags,
                protect=args.protect,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _project(self, name: str, step: str, purpose: str, buildspec: str) -> None:
        args, release = self._args, self._release
        image_step = step == "image"
        project = aws.codebuild.Project(
            f"{name}-{step}",
            name=release.project_name(step),
            description=f"Release step {step} of {args.service.name} (stack-owned buildspec)",
            service_role=args.roles.required_arn(purpose),
            encryption_key=args.key_arn,
            build_timeout=STEP_TIMEOUT_MINUTES,
            queued_timeout=QUEUED_TIMEOUT_MINUTES,
            source=aws.codebuild.ProjectSourceArgs(type="CODEPIPELINE", buildspec=buildspec),
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
                    for key, value in self._project_variables(step).items()
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

    def _project_variables(self, step: str) -> dict[str, pulumi.Input[str]]:
        """The steps' settings, fixed by the stack (an action may only add the execution's ids)."""
        args, release, target = self._args, self._release, self._args.target
        common: dict[str, pulumi.Input[str]] = {
            "PIPELINE_NAME": args.names.pipeline_name,
            "SIGNING_KEY_ID": args.signing_key_alias_arn,
            "RELEASE_ARTIFACT": RELEASE_OUTPUT,
        }
        image: dict[str, pulumi.Input[str]] = {}
        if self.image_repository is not None:
            image = {
                "IMAGE_ARTIFACT": IMAGE_OUTPUT,
                "IMAGE_REPOSITORY": self.image_repository.repository_name,
            }
        if step == "image":
            assert self.image_repository is not None
            return {
                "IMAGE_REPOSITORY": self.image_repository.repository_name,
                "IMAGE_REPOSITORY_URI": self.image_repository.repository_uri,
                "IMAGE_REGISTRY": release.stack.registry,
                "DOCKERFILE": step_buildspecs.DOCKERFILE,
            }
        if step == "sign":
            return {
                **common,
                **image,
                "STACK": args.names.platform.stack,
                "SERVICE": args.service.name,
                "REPOSITORY": args.origin.repository_id(args.names),
                "BRANCH": args.service.branch,
                "RELEASE_ARTIFACTS": ",".join(target.deploy_artifacts),
                "VULNERABILITY_GATE": args.vulnerability_gate,
                "OUTPUT_DIRECTORY": step_buildspecs.OUTPUT_DIRECTORY,
            }
        if step == "verify":
            return {**common, **image, "DEPLOY_ARTIFACTS": ",".join(target.deploy_artifacts)}
        function = args.service.lambda_
        assert function is not None, "only Lambda services confirm their deployed code"
        return {
            **common,
            "PACKAGE_ARTIFACT": BUILD_OUTPUT,
            "FUNCTION_NAME": function.function_name,
            "FUNCTION_ALIAS": function.alias_name,
        }


@dataclass(frozen=True)
class ReleaseStages:
    """Where the release steps go in the pipeline (`pipeline.pipeline_stages` places them)."""

    before_approval: list[aws.codepipeline.PipelineStageArgs]
    """[Image,] Sign: right after the Build, the release is made and signed."""
    verify: aws.codepipeline.PipelineStageArgs
    """After any approval, right before the Deploy."""
    after_deploy: list[aws.codepipeline.PipelineStageArgs]
    """Confirm (Lambda): what the alias runs is the signed package."""
    approval_summary: str
    """What an approver approves, resolved by CodePipeline when the request is sent."""


def release_stages(
    target: DeployTarget, project_names: Mapping[str, pulumi.Input[str]]
) -> ReleaseStages:
    """The stages running the step projects `project_names` (by step) for a service on `target`."""

    def configuration(
        step: str, primary_source: str | None = None, **variables: str
    ) -> dict[str, pulumi.Input[str]]:
        """ProjectName, PrimarySource (several inputs) and the execution's ids as variables."""
        settings: dict[str, pulumi.Input[str]] = {"ProjectName": project_names[step]}
        if primary_source is not None:
            settings["PrimarySource"] = primary_source
        if variables:
            settings["EnvironmentVariables"] = action_variables(variables)
        return settings

    deploy_artifacts = list(target.deploy_artifacts)
    before_approval = []
    if target.builds_image:
        before_approval.append(
            stage(
                "Image",
                category="Build",
                provider="CodeBuild",
                inputs=[SOURCE_OUTPUT],
                outputs=[IMAGE_OUTPUT],
                configuration=configuration("image", COMMIT_ID=COMMIT_ID),
            )
        )
    before_approval.append(
        stage(
            "Sign",
            category="Build",
            provider="CodeBuild",
            inputs=deploy_artifacts,
            outputs=[RELEASE_OUTPUT],
            namespace=RELEASE_NAMESPACE,
            configuration=configuration(
                "sign",
                BUILD_OUTPUT if len(deploy_artifacts) > 1 else None,
                COMMIT_ID=COMMIT_ID,
                EXECUTION_ID=EXECUTION_ID,
            ),
        )
    )
    verify = stage(
        "Verify",
        category="Test",
        provider="CodeBuild",
        inputs=[RELEASE_OUTPUT, *deploy_artifacts],
        configuration=configuration(
            "verify",
            RELEASE_OUTPUT,
            COMMIT_ID=COMMIT_ID,
            EXECUTION_ID=EXECUTION_ID,
            APPROVED_MANIFEST_SHA256=MANIFEST_SHA256,
        ),
    )
    after_deploy = []
    if target.confirms_deployed_code:
        after_deploy.append(
            stage(
                "Confirm",
                category="Test",
                provider="CodeBuild",
                inputs=[RELEASE_OUTPUT],
                configuration=configuration("confirm", EXECUTION_ID=EXECUTION_ID),
            )
        )
    image = f", image {IMAGE_DIGEST}" if target.builds_image else ""
    summary = (
        f"Commit {COMMIT_ID}, signed manifest sha256 {MANIFEST_SHA256}{image}, "
        f"vulnerability scan {SCAN_VERDICT}."
    )
    return ReleaseStages(before_approval, verify, after_deploy, summary)


def action_variables(variables: Mapping[str, str]) -> str:
    """The CodeBuild action's `EnvironmentVariables` (a JSON list; CodePipeline resolves `#{...}`)."""
    return json.dumps(
        [{"name": key, "value": value, "type": "PLAINTEXT"} for key, value in variables.items()],
        separators=(",", ":"),
    )


def release_pipeline_statements(names: ServiceNames, target: DeployTarget) -> list[Statement]:
    """What the pipeline role needs to run the step projects: start and watch their builds."""
    release = ReleaseNames(names)
    steps = ["sign", "verify"]
    if target.builds_image:
        steps.insert(0, "image")
    if target.confirms_deployed_code:
        steps.append("confirm")
    return [
        statement(
            "Allow",
            ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
            [release.project_arn(step) for step in steps],
            sid="RunReleaseSteps",
        )
    ]
