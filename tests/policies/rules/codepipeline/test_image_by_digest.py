"""codepipeline-no-mutable-image-tag: images are deployed by digest in every form the stack names one."""

import json

import pytest

from cicd_guardrails.rules.codepipeline.image_by_digest import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)
from tests.support.release_shapes import (
    APPROVAL,
    BUILD,
    IMAGE,
    SIGN,
    SOURCE,
    ecs_deploy,
    pipeline,
    stage,
    verify_stage,
)

IMAGE_TAG = "codepipeline-no-mutable-image-tag"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
LAMBDA_FUNCTION = "aws:lambda/function:Function"
REPOSITORY = "123456789012.dkr.ecr.us-east-1.amazonaws.com/guarded-delivery-prod-api"
DIGEST = "sha256:" + "0123456789abcdef" * 4
BY_DIGEST = f"{REPOSITORY}@{DIGEST}"
BY_TAG = f"{REPOSITORY}:latest"


def release_pipeline(deploy):
    return pipeline([SOURCE, BUILD, IMAGE, SIGN, APPROVAL, verify_stage(), stage("Deploy", deploy)])


def task_definition(*images, raw=None):
    containers = [
        {"name": f"app{i}", "image": image, "essential": True} for i, image in enumerate(images)
    ]
    return resource(
        TASK_DEFINITION,
        "api-task",
        {"family": "api", "containerDefinitions": json.dumps(containers) if raw is None else raw},
    )


def function(image_uri, package_type="Image"):
    props = {"role": "arn:aws:iam::123456789012:role/fn", "imageUri": image_uri}
    if package_type is not None:
        props["packageType"] = package_type
    return resource(LAMBDA_FUNCTION, "worker", props)


# --- CodeDeployToECS: the image comes from imageDetail.json ----------------------------------------


def test_a_codedeploy_to_ecs_action_taking_the_image_from_image_detail_passes():
    assert_no_violations(analyze(POLICIES, [release_pipeline(ecs_deploy())]))


@pytest.mark.parametrize(
    ("settings", "missing", "shown"),
    [
        ({"Image1ArtifactName": None}, "Image1ArtifactName", "not set"),
        ({"Image1ContainerName": " "}, "Image1ContainerName", "' '"),
    ],
)
def test_a_codedeploy_to_ecs_action_without_image_detail_is_refused(settings, missing, shown):
    refused = release_pipeline(ecs_deploy(**settings))
    assert_violation(
        analyze(POLICIES, [refused]),
        IMAGE_TAG,
        f"pipeline 'api': stages[6].actions[0] ('Deploy') (a CodeDeployToECS action) has "
        f"configuration.{missing} {shown}, so the image deployed is whatever the task definition "
        "template names, possibly a tag; set configuration.Image1ArtifactName to the artifact "
        "holding imageDetail.json",
        urn=refused.urn,
        level="mandatory",
    )


def test_an_unknown_image_setting_is_undecided():
    result = analyze(POLICIES, [release_pipeline(ecs_deploy(Image1ArtifactName=UNKNOWN))])
    assert not result.of(IMAGE_TAG)
    assert_skipped(result, IMAGE_TAG, "stages[6].actions[0].configuration.Image1ArtifactName")


# --- ECS task definitions ----------------------------------------------------------------------


def test_a_task_definition_by_digest_passes_tag_and_digest_included():
    images = (BY_DIGEST, f"{REPOSITORY}:v1@{DIGEST}")
    assert_no_violations(analyze(POLICIES, [task_definition(*images)]))


@pytest.mark.parametrize(
    "image",
    [
        BY_TAG,
        REPOSITORY,
        f"{REPOSITORY}@sha256:{'0123456789ABCDEF' * 4}",
        f"{REPOSITORY}@sha256:abc",
    ],
)
def test_a_task_definition_by_tag_is_refused(image):
    result = analyze(POLICIES, [task_definition(BY_DIGEST, image)])
    assert_violation(
        result,
        IMAGE_TAG,
        f"task definition 'api-task': containerDefinitions[1].image (app1) is {image!r}, not "
        "pinned by digest, so what runs is whatever was last pushed under that tag; name the image "
        "by digest (<registry>/<repository>@sha256:<digest>), not by tag",
    )


def test_unreadable_or_unknown_container_definitions():
    assert_violation(
        analyze(POLICIES, [task_definition(raw="[{")]),
        IMAGE_TAG,
        "task definition 'api-task': containerDefinitions is not valid JSON",
    )
    result = analyze(POLICIES, [task_definition(raw=UNKNOWN)])
    assert not result.of(IMAGE_TAG)
    assert_skipped(result, IMAGE_TAG, "containerDefinitions")


# --- Lambda functions packaged as images -------------------------------------------------------


def test_an_image_function_by_digest_passes_and_a_zip_function_is_not_judged():
    assert_no_violations(analyze(POLICIES, [function(BY_DIGEST)]))
    zipped = resource(
        LAMBDA_FUNCTION, "worker", {"runtime": "python3.12", "handler": "app.handler"}
    )
    assert_no_violations(analyze(POLICIES, [zipped]))


def test_an_image_function_by_tag_is_refused():
    assert_violation(
        analyze(POLICIES, [function(BY_TAG)]),
        IMAGE_TAG,
        f"Lambda function 'worker': imageUri is {BY_TAG!r} with packageType Image, not pinned by "
        "digest, so the function runs whatever was last pushed under that tag",
    )


def test_an_unknown_image_uri_or_package_type_is_undecided():
    assert_skipped(analyze(POLICIES, [function(UNKNOWN)]), IMAGE_TAG, "imageUri")
    result = analyze(POLICIES, [function(BY_TAG, package_type=UNKNOWN)])
    assert not result.of(IMAGE_TAG)
    assert_skipped(result, IMAGE_TAG, "packageType")
