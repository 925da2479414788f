"""`codepipeline-no-mutable-image-tag`: a container image is deployed by digest, never by a tag.

A tag (`:latest`, `:1.4`, even a commit id in a repository with mutable tags) names whatever was last
pushed under it, so the image that runs is not necessarily the one that was built, scanned and signed.
A digest (`@sha256:<64 hex>`) names one image forever. Three places can name an image:

- CodePipeline's `CodeDeployToECS` action takes the image from the `imageDetail.json` of the artifact
  named by `Image1ArtifactName` (written by the image step, `{"ImageURI": "<repo>@sha256:..."}`) and
  puts it where the task definition template says `<Image1ContainerName>` (CodePipeline's "Image
  definitions file reference"). Without both settings the image is whatever the template names, as
  the repository wrote it: both must be set to non-blank values.
- An `aws:ecs/taskDefinition:TaskDefinition` of the stack: every container's `image` in
  `containerDefinitions` (a JSON string, or a list) ends in `@sha256:<64 lowercase hex>`.
- An `aws:lambda/function:Function` with `packageType: Image`: its `imageUri` ends the same way.

Not judged: the ECS standard deploy action (provider `ECS`) reads `imagedefinitions.json`, which the
build writes and the stack cannot see. A value not known at preview is reported as undecided after
everything known has been judged.
"""

import json
import re
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from cicd_guardrails.support.metadata import policy_fields
from cicd_guardrails.support.pipeline_actions import PIPELINE, ActionKind, actions_of_kind
from cicd_guardrails.support.wire import block, fail_undecided, is_unknown, plain, shown

NAME = "codepipeline-no-mutable-image-tag"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
LAMBDA_FUNCTION = "aws:lambda/function:Function"
ECS_BLUE_GREEN = ActionKind(category="Deploy", provider="CodeDeployToECS")
JUDGED_TYPES = frozenset({PIPELINE, TASK_DEFINITION, LAMBDA_FUNCTION})
IMAGE_SETTINGS = ("Image1ArtifactName", "Image1ContainerName")
IMAGE_PACKAGE = "Image"
DIGEST_RE = re.compile(r"@sha256:[0-9a-f]{64}\Z")
PIN_FIX = "name the image by digest (<registry>/<repository>@sha256:<digest>), not by tag"


def validate_image_by_digest(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in JUDGED_TYPES:
        return  # before copying the properties of every other resource of the stack
    undecided: list[str] = []
    props = plain(args.props)
    if args.resource_type == PIPELINE:
        _judge_pipeline(args.name, props, report, undecided)
    elif args.resource_type == TASK_DEFINITION:
        _judge_task_definition(args.name, props, report, undecided)
    elif args.resource_type == LAMBDA_FUNCTION:
        _judge_function(args.name, props, report, undecided)
    if undecided:
        fail_undecided(args.name, undecided)


def _judge_pipeline(
    name: str, props: dict[str, Any], report: ReportViolation, undecided: list[str]
) -> None:
    for action in actions_of_kind(props, ECS_BLUE_GREEN, undecided):
        if is_unknown(action.configuration):
            undecided.append(f"{action.path}.configuration")
            continue
        for setting in IMAGE_SETTINGS:
            value = action.setting(setting)
            if is_unknown(value):
                undecided.append(f"{action.path}.configuration.{setting}")
            elif not isinstance(value, str) or not value.strip():
                report(
                    f"pipeline '{name}': {action.label} (a CodeDeployToECS action) has "
                    f"configuration.{setting} {shown(value)}, so the image deployed is whatever "
                    "the task definition template names, possibly a tag; set "
                    "configuration.Image1ArtifactName to the artifact holding imageDetail.json "
                    "(the image written by digest) and configuration.Image1ContainerName to the "
                    "placeholder the template uses (IMAGE1_NAME)"
                )


def _judge_task_definition(
    name: str, props: dict[str, Any], report: ReportViolation, undecided: list[str]
) -> None:
    raw = props.get("containerDefinitions")
    if is_unknown(raw):
        undecided.append("containerDefinitions")
        return
    if isinstance(raw, str):
        try:
            containers = json.loads(raw)
        except json.JSONDecodeError as error:
            report(
                f"task definition '{name}': containerDefinitions is not valid JSON ({error}); "
                "fix it so that ECS (and this policy) can read each container's image"
            )
            return
    else:
        containers = raw
    if not isinstance(containers, list):
        report(
            f"task definition '{name}': containerDefinitions is not a list of containers; "
            "fix it so that ECS (and this policy) can read each container's image"
        )
        return
    for index, container in enumerate(containers):
        path = f"containerDefinitions[{index}].image"
        image = block(container).get("image")
        if is_unknown(image):
            undecided.append(path)
        elif not _by_digest(image):
            label = block(container).get("name")
            named = f" ({label})" if isinstance(label, str) else ""
            report(
                f"task definition '{name}': {path}{named} is {shown(image)}, not pinned by "
                f"digest, so what runs is whatever was last pushed under that tag; {PIN_FIX}"
            )


def _judge_function(
    name: str, props: dict[str, Any], report: ReportViolation, undecided: list[str]
) -> None:
    package_type = props.get("packageType")
    image_uri = props.get("imageUri")
    if is_unknown(package_type):
        if image_uri is not None and not _by_digest(image_uri):
            undecided.append("packageType")
        return
    if package_type != IMAGE_PACKAGE:
        return
    if is_unknown(image_uri):
        undecided.append("imageUri")
    elif not _by_digest(image_uri):
        report(
            f"Lambda function '{name}': imageUri is {shown(image_uri)} with packageType Image, "
            "not pinned by digest, so the function runs whatever was last pushed under that tag; "
            f"{PIN_FIX}"
        )


def _by_digest(image: Any) -> bool:
    return isinstance(image, str) and DIGEST_RE.search(image) is not None


CODEPIPELINE_NO_MUTABLE_IMAGE_TAG = ResourceValidationPolicy(
    **policy_fields(NAME),
    validate=validate_image_by_digest,
)

POLICIES = [CODEPIPELINE_NO_MUTABLE_IMAGE_TAG]
