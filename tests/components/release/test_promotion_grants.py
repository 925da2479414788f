"""Cross-account promotion: the upstream's policies let exactly the downstream's roles in.

moto cannot evaluate cross-account access, so the documents the program declares are evaluated for
the derived principals, both sides: the downstream role of the right service is allowed, another role
of that account, its root and the wrong environment are not.
"""

import dataclasses
import json

import pytest

from components.config import PromotionTarget
from components.release.promotion import (
    release_plan,
    upstream_artifact_key_statements,
    upstream_bucket_statements,
    upstream_repository_statements,
    upstream_signing_key_statements,
)
from components.release.release_names import ReleaseNames
from components.shared.naming import PlatformNames
from tests.support.resource_policy_eval import ALLOW, NOT_ALLOWED, Caller, evaluate
from tests.support.service_fixtures import building_settings

REGION = "us-east-1"
DEV, STAGING, PROD = "111122223333", "444455556666", "777788889999"
SERVICES = ["web", "api", "worker"]
DEV_NAMES = PlatformNames("guarded-delivery", "dev", DEV, REGION)
SETTINGS = dataclasses.replace(
    building_settings("dev"), promote_to=(PromotionTarget("staging", STAGING),)
)
PLAN = release_plan(SETTINGS, DEV_NAMES)
(STAGING_TARGET,) = PLAN.downstreams
STAGING_NAMES = STAGING_TARGET.names
VIA_S3 = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}


def document(statements: list[dict]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def role(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


BUCKET = document(upstream_bucket_statements(DEV_NAMES, PLAN.downstreams, SERVICES))
ARTIFACT_KEY = document(upstream_artifact_key_statements(DEV_NAMES, PLAN.downstreams, SERVICES))
SIGNING_KEY = document(upstream_signing_key_statements(PLAN.downstreams, SERVICES))
REPOSITORY = document(
    upstream_repository_statements(PLAN.downstreams, "api", "ecsTaskExecutionRole")
)


def published(service: str, stack: str = "staging") -> str:
    release = ReleaseNames(DEV_NAMES.service(service, service))
    return f"{DEV_NAMES.artifact_bucket_arn}/{release.published_prefix(stack)}/ReleaseOutput.zip"


def test_the_downstream_pipeline_role_reads_what_was_published_for_its_service():
    pipeline = STAGING_NAMES.service("web", "web").pipeline_role.arn
    assert pipeline == role(STAGING, "guarded-delivery-staging-web-pipeline")
    assert evaluate(BUCKET, Caller(pipeline), "s3:GetObject", published("web")) == ALLOW
    # ...not another service's release, not what was published for another stack.
    assert evaluate(BUCKET, Caller(pipeline), "s3:GetObject", published("api")) == NOT_ALLOWED
    assert evaluate(BUCKET, Caller(pipeline), "s3:GetObject", published("web", "prod")) == (
        NOT_ALLOWED
    )
    bucket = DEV_NAMES.artifact_bucket_arn
    assert evaluate(BUCKET, Caller(pipeline), "s3:GetBucketVersioning", bucket) == ALLOW
    assert evaluate(BUCKET, Caller(pipeline), "s3:PutObject", published("web")) == NOT_ALLOWED


@pytest.mark.parametrize(
    "stranger",
    [
        role(STAGING, "guarded-delivery-staging-web-build"),
        role(STAGING, "Admin"),
        f"arn:aws:iam::{STAGING}:root",
        role(PROD, "guarded-delivery-staging-web-pipeline"),
    ],
)
def test_no_other_principal_of_any_account_reads_or_decrypts(stranger):
    assert evaluate(BUCKET, Caller(stranger), "s3:GetObject", published("web")) == NOT_ALLOWED
    assert evaluate(ARTIFACT_KEY, Caller(stranger, VIA_S3), "kms:Decrypt") == NOT_ALLOWED
    assert evaluate(SIGNING_KEY, Caller(stranger), "kms:Verify") == NOT_ALLOWED
    assert evaluate(REPOSITORY, Caller(stranger), "ecr:BatchGetImage") == NOT_ALLOWED


def test_the_artifact_key_decrypts_for_the_downstream_only_through_s3():
    pipeline = Caller(STAGING_NAMES.service("web", "web").pipeline_role.arn, VIA_S3)
    assert evaluate(ARTIFACT_KEY, pipeline, "kms:Decrypt") == ALLOW
    direct = Caller(pipeline.principal_arn)
    assert evaluate(ARTIFACT_KEY, direct, "kms:Decrypt") == NOT_ALLOWED
    via_other = Caller(pipeline.principal_arn, {"kms:ViaService": f"ecr.{REGION}.amazonaws.com"})
    assert evaluate(ARTIFACT_KEY, via_other, "kms:Decrypt") == NOT_ALLOWED
    for beyond in ("kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant"):
        assert evaluate(ARTIFACT_KEY, pipeline, beyond) == NOT_ALLOWED, beyond


def test_downstream_verifiers_verify_and_task_roles_pull_by_exact_arn():
    verifier = Caller(role(STAGING, "guarded-delivery-staging-api-verifier"))
    assert evaluate(SIGNING_KEY, verifier, "kms:Verify") == ALLOW
    assert evaluate(SIGNING_KEY, verifier, "kms:Sign") == NOT_ALLOWED
    assert evaluate(REPOSITORY, verifier, "ecr:DescribeImages") == ALLOW
    task = Caller(role(STAGING, "ecsTaskExecutionRole"))
    assert evaluate(REPOSITORY, task, "ecr:BatchGetImage") == ALLOW
    assert evaluate(REPOSITORY, task, "ecr:PutImage") == NOT_ALLOWED


def test_no_grant_names_an_account_root_or_a_wildcard():
    for text in (BUCKET, ARTIFACT_KEY, SIGNING_KEY, REPOSITORY):
        for statement in json.loads(text)["Statement"]:
            principals = statement["Principal"]["AWS"]
            for principal in [principals] if isinstance(principals, str) else principals:
                assert ":role/" in principal and "*" not in principal, principal


def test_a_stack_that_publishes_nowhere_grants_nothing():
    alone = release_plan(
        building_settings("prod"), PlatformNames("guarded-delivery", "prod", PROD, REGION)
    )
    assert upstream_artifact_key_statements(DEV_NAMES, alone.downstreams, SERVICES) == []
    assert upstream_signing_key_statements(alone.downstreams, SERVICES) == []
    assert upstream_bucket_statements(DEV_NAMES, alone.downstreams, SERVICES) == []
