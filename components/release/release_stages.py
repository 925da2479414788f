"""Where the release steps sit in a service's pipeline, and which steps a service has.

A stack that builds:    Source -> Build -> [Image] -> Sign -> [Approval] -> Verify -> Deploy
                        -> [Confirm] -> [Publish]
A stack that promotes:  Source (the upstream's published objects) -> Admit -> [Approval] -> Verify
                        -> Deploy -> [Confirm] -> [Publish]

Verify runs after the approval, right before the Deploy, reads every artifact the Deploy reads, and is
told the manifest digest the approval request showed (`#{ReleaseVariables.MANIFEST_SHA256}`, set by
Sign or Admit in the same execution): whatever deploys after an approval is what was approved, even
when a newer release arrives while the approval waits (each execution keeps its own artifacts).
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.iam.documents import statement
from components.iam.grants import Statement
from components.release.promotion import ReleasePlan
from components.release.release_names import ReleaseNames
from components.shared.naming import ServiceNames
from components.stages.stage_args import (
    IMAGE_OUTPUT,
    RELEASE_NAMESPACE,
    RELEASE_OUTPUT,
    SOURCE_NAMESPACE,
    SOURCE_OUTPUT,
    stage,
)
from components.targets import DeployTarget

SOURCE_COMMIT_ID = f"#{{{SOURCE_NAMESPACE}.CommitId}}"
EXECUTION_ID = "#{codepipeline.PipelineExecutionId}"
RELEASE_COMMIT_ID = f"#{{{RELEASE_NAMESPACE}.COMMIT_ID}}"
MANIFEST_SHA256 = f"#{{{RELEASE_NAMESPACE}.MANIFEST_SHA256}}"
IMAGE_DIGEST = f"#{{{RELEASE_NAMESPACE}.IMAGE_DIGEST}}"
SCAN_VERDICT = f"#{{{RELEASE_NAMESPACE}.SCAN_VERDICT}}"
UPSTREAM_EXECUTION_ID = f"#{{{RELEASE_NAMESPACE}.UPSTREAM_EXECUTION_ID}}"


def release_steps_of(target: DeployTarget, plan: ReleasePlan) -> list[str]:
    """The steps a service on `target` runs under `plan`, in pipeline order."""
    built = [*(["image"] if target.builds_image else []), "sign"]
    steps = [*(built if plan.builds else ["admit"]), "verify"]
    if target.confirms_deployed_code:
        steps.append("confirm")
    if plan.publishes:
        steps.append("publish")
    return steps


@dataclass(frozen=True)
class ReleaseStages:
    """Where the release steps go in the pipeline (`pipeline.pipeline_stages` places them)."""

    before_approval: list[aws.codepipeline.PipelineStageArgs]
    """[Image,] Sign after the Build; or Admit after the promoted Source."""
    verify: aws.codepipeline.PipelineStageArgs
    """After any approval, right before the Deploy."""
    after_deploy: list[aws.codepipeline.PipelineStageArgs]
    """[Confirm (Lambda),] [Publish (downstream stacks)]."""
    approval_summary: str
    """What an approver approves, resolved by CodePipeline when the request is sent."""


def release_stages(
    target: DeployTarget, plan: ReleasePlan, project_names: Mapping[str, pulumi.Input[str]]
) -> ReleaseStages:
    """The stages running the step projects `project_names` (by step) for a service on `target`."""

    def run(
        name: str,
        step: str,
        category: str,
        inputs: list[str],
        outputs: list[str] | None = None,
        namespace: str | None = None,
        **variables: str,
    ) -> aws.codepipeline.PipelineStageArgs:
        configuration: dict[str, pulumi.Input[str]] = {"ProjectName": project_names[step]}
        if len(inputs) > 1:
            configuration["PrimarySource"] = inputs[0]
        if variables:
            configuration["EnvironmentVariables"] = action_variables(variables)
        return stage(
            name,
            category=category,
            provider="CodeBuild",
            inputs=inputs,
            outputs=outputs,
            namespace=namespace,
            configuration=configuration,
        )

    deploy_artifacts = list(target.deploy_artifacts)
    checked = [RELEASE_OUTPUT, *deploy_artifacts]
    before_approval = []
    if plan.builds:
        if target.builds_image:
            before_approval.append(
                run(
                    "Image",
                    "image",
                    "Build",
                    [SOURCE_OUTPUT],
                    [IMAGE_OUTPUT],
                    COMMIT_ID=SOURCE_COMMIT_ID,
                )
            )
        before_approval.append(
            run(
                "Sign",
                "sign",
                "Build",
                deploy_artifacts,
                [RELEASE_OUTPUT],
                RELEASE_NAMESPACE,
                COMMIT_ID=SOURCE_COMMIT_ID,
                EXECUTION_ID=EXECUTION_ID,
            )
        )
    else:
        before_approval.append(
            run(
                "Admit",
                "admit",
                "Test",
                checked,
                None,
                RELEASE_NAMESPACE,
                EXECUTION_ID=EXECUTION_ID,
            )
        )
    verify = run(
        "Verify",
        "verify",
        "Test",
        checked,
        COMMIT_ID=SOURCE_COMMIT_ID if plan.builds else RELEASE_COMMIT_ID,
        EXECUTION_ID=EXECUTION_ID,
        APPROVED_MANIFEST_SHA256=MANIFEST_SHA256,
    )
    after_deploy = []
    if target.confirms_deployed_code:
        after_deploy.append(
            run("Confirm", "confirm", "Test", [RELEASE_OUTPUT], EXECUTION_ID=EXECUTION_ID)
        )
    if plan.publishes:
        after_deploy.append(run("Publish", "publish", "Build", checked, EXECUTION_ID=EXECUTION_ID))
    return ReleaseStages(before_approval, verify, after_deploy, approval_summary(target, plan))


def approval_summary(target: DeployTarget, plan: ReleasePlan) -> str:
    """The commit and digests being approved (and where a promoted release was tested)."""
    commit = SOURCE_COMMIT_ID if plan.builds else RELEASE_COMMIT_ID
    image = f", image {IMAGE_DIGEST}" if target.builds_image else ""
    origin = (
        ""
        if plan.upstream is None
        else f", deployed and baked in {plan.upstream.stack} by execution {UPSTREAM_EXECUTION_ID}"
    )
    return (
        f"Commit {commit}, signed manifest sha256 {MANIFEST_SHA256}{image}, "
        f"vulnerability scan {SCAN_VERDICT}{origin}."
    )


def action_variables(variables: Mapping[str, str]) -> str:
    """The CodeBuild action's `EnvironmentVariables` (a JSON list; CodePipeline resolves `#{...}`)."""
    return json.dumps(
        [{"name": key, "value": value, "type": "PLAINTEXT"} for key, value in variables.items()],
        separators=(",", ":"),
    )


def release_pipeline_statements(
    names: ServiceNames, target: DeployTarget, plan: ReleasePlan
) -> list[Statement]:
    """What the pipeline role needs to run the step projects: start and watch their builds."""
    release = ReleaseNames(names)
    return [
        statement(
            "Allow",
            ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
            [release.project_arn(step) for step in release_steps_of(target, plan)],
            sid="RunReleaseSteps",
        )
    ]
