"""The documented three-account example: dev, staging and prod in their own accounts, promoting.

Runs `examples/three-accounts` (the program itself, `main: ../../`) as each account would, and checks
that each side names the other by exact, derived ARNs: the upstream's grants, the downstream's trust
anchor (the upstream key's ARN from config), its S3 sources and its promotions bus.
"""

import json
from functools import cache

import pytest

from offline_preview.program_runner import run_program
from tests.support.program_runs import PROJECT_DIR
from tests.support.resource_policy_eval import (
    ACCOUNT_DELEGATES,
    ALLOW,
    NOT_ALLOWED,
    Caller,
    evaluate,
)

EXAMPLE = PROJECT_DIR / "examples" / "three-accounts"
ACCOUNTS = {"dev": "111122223333", "staging": "444455556666", "prod": "777788889999"}
DEV_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@cache
def run(stack: str):
    return run_program(EXAMPLE, stack, account_id=ACCOUNTS[stack])


def inputs_of(stack: str, token: str) -> list[dict]:
    return [r.inputs for r in run(stack).resources if r.type == token]


def role(stack: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNTS[stack]}:role/guarded-delivery-{stack}-{name}"


def test_dev_lets_exactly_stagings_pipeline_roles_read_what_it_published_for_them():
    [bucket_policy] = inputs_of("dev", "aws:s3/bucketPolicy:BucketPolicy")
    document = bucket_policy["policy"]
    bucket = "arn:aws:s3:::guarded-delivery-dev-artifacts-111122223333-us-east-1"
    published = f"{bucket}/releases/web/staging/ReleaseOutput.zip"
    assert evaluate(
        document, Caller(role("staging", "web-pipeline")), "s3:GetObject", published
    ) == (ALLOW)
    for stranger in (role("staging", "web-build"), role("prod", "web-pipeline")):
        assert evaluate(document, Caller(stranger), "s3:GetObject", published) == NOT_ALLOWED


def test_dev_keys_grant_staging_decrypt_through_s3_and_verify_nothing_more():
    keys = {k["keyUsage"]: k["policy"] for k in inputs_of("dev", "aws:kms/key:Key")}
    via_s3 = {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    pipeline = role("staging", "api-pipeline")
    assert evaluate(keys["ENCRYPT_DECRYPT"], Caller(pipeline, via_s3), "kms:Decrypt") == ALLOW
    assert evaluate(keys["ENCRYPT_DECRYPT"], Caller(pipeline), "kms:Decrypt") == NOT_ALLOWED
    verifier = role("staging", "api-verifier")
    assert evaluate(keys["SIGN_VERIFY"], Caller(verifier), "kms:Verify") == ALLOW
    assert evaluate(keys["SIGN_VERIFY"], Caller(role("staging", "api-signer")), "kms:Verify") == (
        NOT_ALLOWED
    )


def test_staging_starts_from_devs_publication_and_trusts_devs_key_by_arn():
    for pipeline in inputs_of("staging", "aws:codepipeline/pipeline:Pipeline"):
        source = pipeline["stages"][0]["actions"]
        assert {a["provider"] for a in source} == {"S3"}
        assert {a["configuration"]["S3Bucket"] for a in source} == {
            "guarded-delivery-dev-artifacts-111122223333-us-east-1"
        }
        assert "Build" not in [stage["name"] for stage in pipeline["stages"]]
    verifier_policy = next(
        p["policy"]
        for p in inputs_of("staging", "aws:iam/rolePolicy:RolePolicy")
        if p["role"] == "guarded-delivery-staging-web-verifier"
    )
    [verify] = [s for s in json.loads(verifier_policy)["Statement"] if "kms:Verify" in s["Action"]]
    assert verify["Resource"] == [DEV_KEY]


def test_stagings_bus_admits_only_devs_forwarder_role():
    [bus_policy] = inputs_of("staging", "aws:cloudwatch/eventBusPolicy:EventBusPolicy")
    document = bus_policy["policy"]
    bus = "arn:aws:events:us-east-1:444455556666:event-bus/guarded-delivery-staging-promotions"
    forwarder = "arn:aws:iam::111122223333:role/guarded-delivery-dev-promotion-forwarder"
    # The account is the principal and the condition names the role: dev's IAM lets the forwarder
    # (its own policy allows PutEvents on this bus), and no other principal of any account.
    assert evaluate(document, Caller(forwarder), "events:PutEvents", bus) == ACCOUNT_DELEGATES
    for other in ("arn:aws:iam::111122223333:role/Admin", "arn:aws:iam::777788889999:role/x"):
        assert evaluate(document, Caller(other), "events:PutEvents", bus) == NOT_ALLOWED


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_a_promoted_stack_creates_no_repository_no_build_and_no_image_repository(stack):
    for token in (
        "aws:codecommit/repository:Repository",
        "aws:ecr/repository:Repository",
        "aws:codebuild/reportGroup:ReportGroup",
    ):
        assert inputs_of(stack, token) == [], token
