"""An ECS service's image repository: immutable, scanned, our key; only the image step pushes."""

import json

import pytest

from components.release.image_repository import ImageRepository, ImageRepositoryArgs
from components.release.release_names import ReleaseNames
from tests.support.mocked_program import declare
from tests.support.resource_policy_eval import (
    ACCOUNT_DELEGATES,
    ALLOW,
    DENY,
    NOT_ALLOWED,
    Caller,
    evaluate,
)
from tests.support.service_fixtures import TAGS, names_of, service_of

NAMES = names_of(service_of("ECS"))
RELEASE = ReleaseNames(NAMES)
ROOT = NAMES.platform.account_root_arn


@pytest.fixture(scope="module")
def declared():
    def build() -> None:
        ImageRepository(
            "images",
            ImageRepositoryArgs(
                names=RELEASE,
                key_arn="arn:aws:kms:us-east-1:123456789012:key/artifacts",
                pusher_role_arn=RELEASE.image_role_arn,
                puller_principals=[ROOT],
                tags=TAGS,
                protect=True,
            ),
        )

    return declare(build)


def test_tags_are_immutable_images_scanned_on_push_and_encrypted_with_our_key(declared):
    [repository] = declared.of_type("aws:ecr/repository:Repository")
    inputs = repository.inputs
    assert inputs["name"] == "guarded-delivery-prod-api"
    assert inputs["imageTagMutability"] == "IMMUTABLE"
    assert inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert inputs["encryptionConfigurations"] == [
        {"encryptionType": "KMS", "kmsKey": "arn:aws:kms:us-east-1:123456789012:key/artifacts"}
    ]
    assert inputs["forceDelete"] is False


def test_the_lifecycle_expires_untagged_leftovers_and_keeps_recent_releases(declared):
    [lifecycle] = declared.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")
    rules = json.loads(lifecycle.inputs["policy"])["rules"]
    assert [r["selection"]["tagStatus"] for r in rules] == ["untagged", "any"]
    assert rules[-1]["rulePriority"] == max(r["rulePriority"] for r in rules)


@pytest.fixture(scope="module")
def policy(declared) -> str:
    [found] = declared.of_type("aws:ecr/repositoryPolicy:RepositoryPolicy")
    assert isinstance(found.inputs["policy"], str), "known at preview"
    return found.inputs["policy"]


def test_only_the_image_step_pushes(policy):
    assert evaluate(policy, Caller(RELEASE.image_role_arn), "ecr:PutImage") == ALLOW
    for other in (
        NAMES.build_role.arn,
        RELEASE.signer_role_arn,
        "arn:aws:iam::123456789012:role/Admin",
        "arn:aws:iam::210987654321:role/guarded-delivery-prod-api-image",
    ):
        for action in ("ecr:PutImage", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"):
            assert evaluate(policy, Caller(other), action) == DENY, (other, action)


def test_the_account_pulls_through_iam_and_no_other_account_does(policy):
    task_role = Caller("arn:aws:iam::123456789012:role/api-task-execution")
    assert evaluate(policy, task_role, "ecr:BatchGetImage") == ACCOUNT_DELEGATES
    stranger = Caller("arn:aws:iam::210987654321:role/api-task-execution")
    assert evaluate(policy, stranger, "ecr:BatchGetImage") == NOT_ALLOWED
