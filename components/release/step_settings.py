"""What each release step project is told: its buildspec, its role, its fixed environment.

The environment is the project's (declared by the stack, `PLAINTEXT`, known at preview); a pipeline
action adds only the execution's own ids (`release_stages.py`). Nothing here comes from the repository.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pulumi

from components.config import ServiceSettings
from components.release import step_buildspecs
from components.release.promotion import ReleasePlan
from components.release.release_names import (
    IMAGE_PURPOSE,
    SIGNER_PURPOSE,
    VERIFIER_PURPOSE,
    ReleaseNames,
)
from components.stages.origins import Origin
from components.stages.stage_args import BUILD_OUTPUT, IMAGE_OUTPUT, RELEASE_OUTPUT
from components.targets import DeployTarget

STEP_TIMEOUT_MINUTES = 20
MAX_TIMEOUT_MINUTES = 2160
"""CodeBuild's longest build timeout (CreateProject `timeoutInMinutes`)."""

STEP_ROLES = {
    "image": IMAGE_PURPOSE,
    "sign": SIGNER_PURPOSE,
    "publish": SIGNER_PURPOSE,
    "admit": VERIFIER_PURPOSE,
    "verify": VERIFIER_PURPOSE,
    "confirm": VERIFIER_PURPOSE,
}
"""The role each step runs as: the signer signs manifests and deployment records, the verifier
reads and verifies, the image role pushes."""

STEP_BUILDSPECS: dict[str, Callable[[], str]] = {
    "image": step_buildspecs.image_buildspec,
    "sign": step_buildspecs.sign_buildspec,
    "admit": step_buildspecs.admit_buildspec,
    "verify": step_buildspecs.verify_buildspec,
    "confirm": step_buildspecs.confirm_buildspec,
    "publish": step_buildspecs.publish_buildspec,
}


@dataclass(frozen=True)
class StepContext:
    """What the step settings are derived from (one service of one stack)."""

    service: ServiceSettings
    release: ReleaseNames
    origin: Origin
    target: DeployTarget
    plan: ReleasePlan
    signing_key_alias_arn: pulumi.Input[str] | None
    """Reference to this stack's signing key alias (None when nothing signs here)."""
    image_repository_name: pulumi.Input[str] | None
    image_repository_uri: pulumi.Input[str] | None
    """This stack's image repository (ECS services that build)."""
    bucket_name: pulumi.Input[str]
    key_alias_arn: pulumi.Input[str]
    """The artifact bucket and key alias (the publish step writes there, SSE-KMS)."""
    rollback_alarm_names: Sequence[str]
    vulnerability_gate: str


def step_timeout(step: str, plan: ReleasePlan) -> int:
    """Publishing waits for the bake first."""
    extra = plan.bake_minutes if step == "publish" else 0
    return min(STEP_TIMEOUT_MINUTES + extra, MAX_TIMEOUT_MINUTES)


def step_variables(step: str, context: StepContext) -> dict[str, pulumi.Input[str]]:
    """The fixed environment of `step`'s project."""
    if step == "image":
        return _image(context)
    names, target, plan = context.release.service, context.target, context.plan
    common: dict[str, pulumi.Input[str]] = {
        "PIPELINE_NAME": names.pipeline_name,
        "STACK": names.platform.stack,
        "SERVICE": context.service.name,
        "RELEASE_ARTIFACT": RELEASE_OUTPUT,
        **_trust(context),
        **_image_checks(context),
    }
    artifacts = ",".join(target.deploy_artifacts)
    if step == "sign":
        return {
            **common,
            "REPOSITORY": context.origin.repository_id(names),
            "BRANCH": context.service.branch,
            "RELEASE_ARTIFACTS": artifacts,
            "VULNERABILITY_GATE": context.vulnerability_gate,
            "OUTPUT_DIRECTORY": step_buildspecs.OUTPUT_DIRECTORY,
        }
    if step in ("admit", "verify"):
        admit = {"OUTPUT_DIRECTORY": step_buildspecs.OUTPUT_DIRECTORY} if step == "admit" else {}
        return {**common, "DEPLOY_ARTIFACTS": artifacts, **admit}
    if step == "confirm":
        function = context.service.lambda_
        assert function is not None, "only Lambda services confirm their deployed code"
        return {
            **common,
            "PACKAGE_ARTIFACT": BUILD_OUTPUT,
            "FUNCTION_NAME": function.function_name,
            "FUNCTION_ALIAS": function.alias_name,
        }
    assert step == "publish", step
    assert context.signing_key_alias_arn is not None, "a stack that publishes signs its records"
    return {
        **common,
        "SIGNING_KEY_ID": context.signing_key_alias_arn,
        "RELEASE_ARTIFACTS": artifacts,
        "ALARM_NAMES": ",".join(context.rollback_alarm_names),
        "BAKE_MINUTES": str(plan.bake_minutes),
        "PUBLISH_BUCKET": context.bucket_name,
        "PUBLISH_KEY_ID": context.key_alias_arn,
        "PUBLISH_TARGETS": ",".join(target.stack for target in plan.downstreams),
    }


def _trust(context: StepContext) -> dict[str, pulumi.Input[str]]:
    """Which key vouches for the release: this stack's, or the upstream's for a promoted one."""
    upstream = context.plan.upstream
    if upstream is None:
        assert context.signing_key_alias_arn is not None, "a stack that builds signs"
        return {"SIGNING_KEY_ID": context.signing_key_alias_arn}
    service = context.service.name
    return {
        "SIGNING_KEY_ID": upstream.trusted_key_id,
        "TRUSTED_KEY_ID": upstream.trusted_key_id,
        "UPSTREAM_STACK": upstream.stack,
        "UPSTREAM_PIPELINE": upstream.service(service).pipeline_name,
    }


def _image_checks(context: StepContext) -> dict[str, pulumi.Input[str]]:
    """Where the image is: this stack's repository, or the upstream's (promoted, never rebuilt)."""
    if not context.target.builds_image:
        return {}
    upstream = context.plan.upstream
    if upstream is None:
        assert context.image_repository_name is not None
        return {"IMAGE_ARTIFACT": IMAGE_OUTPUT, "IMAGE_REPOSITORY": context.image_repository_name}
    return {
        "IMAGE_ARTIFACT": IMAGE_OUTPUT,
        "IMAGE_REPOSITORY": upstream.release(context.service.name).image_repository_name,
        "IMAGE_REGISTRY_ID": upstream.names.account_id,
    }


def _image(context: StepContext) -> dict[str, pulumi.Input[str]]:
    assert context.image_repository_name is not None and context.image_repository_uri is not None
    return {
        "IMAGE_REPOSITORY": context.image_repository_name,
        "IMAGE_REPOSITORY_URI": context.image_repository_uri,
        "IMAGE_REGISTRY": context.release.stack.registry,
        "DOCKERFILE": step_buildspecs.DOCKERFILE,
    }
