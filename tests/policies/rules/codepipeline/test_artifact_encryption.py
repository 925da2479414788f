"""pipeline-artifacts-kms: every artifact store and build project uses a customer-managed key."""

import pytest

from cicd_guardrails.rules.codepipeline.artifact_encryption import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)

NAME = "pipeline-artifacts-kms"
PIPELINE = "aws:codepipeline/pipeline:Pipeline"
PROJECT = "aws:codebuild/project:Project"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def store(key_id=KEY_ARN, key_type="KMS", region=None):
    entry = {"location": "artifacts-dev", "type": "S3"}
    if key_id is not None:
        entry["encryptionKey"] = {"id": key_id, "type": key_type}
    if region:
        entry["region"] = region
    return entry


def pipeline(*stores):
    return resource(PIPELINE, "delivery", {"artifactStores": list(stores), "roleArn": UNKNOWN})


def project(**overrides):
    props = {
        "encryptionKey": KEY_ARN,
        "artifacts": {"type": "CODEPIPELINE"},
        "logsConfig": {"s3Logs": {"status": "ENABLED", "location": "logs/build"}},
        "environment": {
            "computeType": "BUILD_GENERAL1_SMALL",
            "image": "aws/codebuild/standard:7.0",
            "type": "LINUX_CONTAINER",
        },
    }
    props.update(overrides)
    return resource(PROJECT, "build", props)


def test_compliant_pipeline_and_project_pass():
    result = analyze(POLICIES, [pipeline(store(), store(UNKNOWN, region="eu-west-1")), project()])
    assert_no_violations(result, NAME)


def test_unknown_project_key_passes():
    assert_no_violations(analyze(POLICIES, [project(encryptionKey=UNKNOWN)]), NAME)


def test_store_without_key_is_refused():
    result = analyze(POLICIES, [pipeline(store(None))])
    assert_violation(
        result,
        NAME,
        ["pipeline 'delivery': artifactStores[0].encryptionKey", "aws/s3", "type: 'KMS'"],
    )


def test_second_region_store_with_aws_managed_key_is_refused():
    result = analyze(POLICIES, [pipeline(store(), store("alias/aws/s3", region="eu-west-1"))])
    assert_violation(
        result, NAME, ["artifactStores[1].encryptionKey.id (region eu-west-1)", "alias/aws/s3"]
    )


def test_store_key_of_wrong_type_is_refused():
    assert_violation(
        analyze(POLICIES, [pipeline(store(key_type="AES"))]), NAME, "encryptionKey.type is 'AES'"
    )


def test_project_without_key_is_refused():
    props = dict(project().inputs)
    del props["encryptionKey"]
    result = analyze(POLICIES, [resource(PROJECT, "build", props)])
    assert_violation(
        result, NAME, ["build project 'build': encryptionKey is not set", "customer-managed"]
    )


def test_project_with_aws_managed_key_is_refused():
    assert_violation(
        analyze(POLICIES, [project(encryptionKey="alias/aws/s3")]), NAME, "AWS-managed key"
    )


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        (
            {"artifacts": {"type": "S3", "location": "out", "encryptionDisabled": True}},
            "artifacts.encryptionDisabled",
        ),
        (
            {
                "secondaryArtifacts": [
                    {"artifactIdentifier": "a", "type": "S3"},
                    {"artifactIdentifier": "b", "type": "S3", "encryptionDisabled": True},
                ]
            },
            "secondaryArtifacts[1].encryptionDisabled",
        ),
        (
            {"logsConfig": {"s3Logs": {"status": "ENABLED", "encryptionDisabled": True}}},
            "logsConfig.s3Logs.encryptionDisabled",
        ),
    ],
)
def test_encryption_disabled_anywhere_is_refused(overrides, path):
    result = analyze(POLICIES, [project(**overrides)])
    assert_violation(
        result, NAME, [f"{path} is true", "remove encryptionDisabled"], level="mandatory"
    )


def test_unknown_encryption_flag_reports_cannot_run_and_still_reports_known_problem():
    result = analyze(
        POLICIES,
        [
            project(
                encryptionKey="alias/aws/s3",
                artifacts={"type": "S3", "encryptionDisabled": UNKNOWN},
            )
        ],
    )
    assert_violation(result, NAME, "AWS-managed key")
    assert_skipped(result, NAME, "artifacts.encryptionDisabled")


def test_other_resource_types_are_ignored():
    assert_no_violations(analyze(POLICIES, [resource("aws:s3/bucket:Bucket", "b", {})]), NAME)
