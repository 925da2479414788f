"""pipeline-artifacts-kms on aws-native pipelines and projects, and on CodeBuild report exports."""

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
NATIVE_PIPELINE = "aws-native:codepipeline:Pipeline"
NATIVE_PROJECT = "aws-native:codebuild:Project"
REPORT_GROUP = "aws:codebuild/reportGroup:ReportGroup"
NATIVE_REPORT_GROUP = "aws-native:codebuild:ReportGroup"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
STAGES = [
    {
        "name": "Source",
        "actions": [
            {
                "name": "Source",
                "actionTypeId": {
                    "category": "Source",
                    "owner": "AWS",
                    "provider": "S3",
                    "version": "1",
                },
                "outputArtifacts": [{"name": "SourceOutput"}],
            }
        ],
    }
]


def store(key=KEY_ARN, key_type="KMS"):
    fields = {"location": "artifacts-dev", "type": "S3"}
    if key is not None:
        fields["encryptionKey"] = {"id": key, "type": key_type}
    return fields


def native_pipeline(**props):
    return resource(
        NATIVE_PIPELINE, "native", {"roleArn": "arn:aws:iam::1:role/p", "stages": STAGES, **props}
    )


def test_an_aws_native_pipeline_store_without_a_key_is_refused_and_its_keyed_twin_passes():
    result = analyze(POLICIES, [native_pipeline(artifactStore=store(key=None))])
    assert_violation(
        result,
        NAME,
        "pipeline 'native': artifactStore.encryptionKey is not set, so artifacts use the "
        "AWS-managed aws/s3 key; set encryptionKey {type: 'KMS', id: <customer-managed KMS key ARN>}",
        level="mandatory",
    )
    assert_no_violations(analyze(POLICIES, [native_pipeline(artifactStore=store())]), NAME)


def test_an_aws_native_cross_region_store_under_an_aws_managed_key_is_refused():
    stores = [
        {"region": "us-east-1", "artifactStore": store()},
        {"region": "eu-west-1", "artifactStore": store(key="alias/aws/s3")},
    ]
    assert_violation(
        analyze(POLICIES, [native_pipeline(artifactStores=stores)]),
        NAME,
        "pipeline 'native': artifactStores[1].artifactStore.encryptionKey.id (region eu-west-1) "
        "is the AWS-managed key 'alias/aws/s3'",
    )
    stores[1]["artifactStore"] = store()
    assert_no_violations(analyze(POLICIES, [native_pipeline(artifactStores=stores)]), NAME)


def test_an_aws_native_store_not_known_yet_is_not_passed():
    result = analyze(
        POLICIES,
        [native_pipeline(artifactStores=[{"region": "us-east-1", "artifactStore": UNKNOWN}])],
    )
    assert_skipped(result, NAME, "artifactStores[0]")


def test_an_aws_native_build_project_with_disabled_encryption_is_refused():
    props = {
        "serviceRole": "arn:aws:iam::1:role/b",
        "source": {"type": "CODEPIPELINE"},
        "environment": {
            "type": "LINUX_CONTAINER",
            "image": "x",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
        "encryptionKey": KEY_ARN,
    }
    bad = resource(
        NATIVE_PROJECT,
        "build",
        {**props, "artifacts": {"type": "CODEPIPELINE", "encryptionDisabled": True}},
    )
    assert_violation(
        analyze(POLICIES, [bad]),
        NAME,
        "build project 'build': artifacts.encryptionDisabled is true; remove encryptionDisabled",
    )
    unkeyed = resource(NATIVE_PROJECT, "build", {**props, "encryptionKey": "alias/aws/s3"})
    assert_violation(analyze(POLICIES, [unkeyed]), NAME, "encryptionKey is the AWS-managed key")
    good = resource(NATIVE_PROJECT, "build", {**props, "artifacts": {"type": "CODEPIPELINE"}})
    assert_no_violations(analyze(POLICIES, [good]), NAME)


def report_group(destination, export_type="S3"):
    return resource(
        REPORT_GROUP,
        "tests",
        {"type": "TEST", "exportConfig": {"type": export_type, "s3Destination": destination}},
    )


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        (
            {"bucket": "reports", "encryptionDisabled": True, "encryptionKey": KEY_ARN},
            "report group 'tests': exportConfig.s3Destination.encryptionDisabled is true, so test "
            "reports are exported to S3 unencrypted; set exportConfig.s3Destination.encryptionKey",
        ),
        (
            {"bucket": "reports"},
            "report group 'tests': exportConfig.s3Destination.encryptionKey is not set, so "
            "exported reports are not under a customer-managed key",
        ),
        (
            {"bucket": "reports", "encryptionKey": "alias/aws/s3"},
            "report group 'tests': exportConfig.s3Destination.encryptionKey is the AWS-managed key",
        ),
    ],
)
def test_a_report_group_exporting_to_s3_without_our_key_is_refused(destination, message):
    assert_violation(
        analyze(POLICIES, [report_group(destination)]), NAME, message, level="mandatory"
    )
    # The legitimate twins: exported under our key, or not exported at all.
    keyed = {"bucket": "reports", "encryptionKey": KEY_ARN, "encryptionDisabled": False}
    assert_no_violations(analyze(POLICIES, [report_group(keyed)]), NAME)
    assert_no_violations(analyze(POLICIES, [report_group(destination, "NO_EXPORT")]), NAME)


def test_a_report_group_whose_key_is_not_known_yet_is_not_passed():
    result = analyze(POLICIES, [report_group({"bucket": "reports", "encryptionKey": UNKNOWN})])
    assert_skipped(result, NAME, "exportConfig.s3Destination.encryptionKey")


def test_an_aws_native_report_group_is_judged_in_its_own_names():
    def native(destination):
        return resource(
            NATIVE_REPORT_GROUP,
            "tests",
            {
                "type": "TEST",
                "exportConfig": {"exportConfigType": "S3", "s3Destination": destination},
            },
        )

    assert_violation(
        analyze(POLICIES, [native({"bucket": "reports", "encryptionDisabled": True})]),
        NAME,
        "report group 'tests': exportConfig.s3Destination.encryptionDisabled is true",
    )
    assert_no_violations(
        analyze(POLICIES, [native({"bucket": "reports", "encryptionKey": KEY_ARN})]), NAME
    )
