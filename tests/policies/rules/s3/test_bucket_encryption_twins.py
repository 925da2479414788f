"""s3-sse-kms on directory buckets and on buckets declared through aws-native, like `aws.s3.Bucket`."""

import pytest

from cicd_guardrails.rules.s3.bucket_encryption import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)

NAME = "s3-sse-kms"
DIRECTORY_BUCKET = "aws:s3/directoryBucket:DirectoryBucket"
NATIVE_BUCKET = "aws-native:s3:Bucket"
NATIVE_DIRECTORY_BUCKET = "aws-native:s3express:DirectoryBucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
EXPRESS_NAME = "artifacts--use1-az4--x-s3"


def sse_config(bucket_name, algorithm="aws:kms", key=KEY_ARN):
    default = {"sseAlgorithm": algorithm, **({"kmsMasterKeyId": key} if key else {})}
    return resource(
        SSE,
        "express-sse",
        {"bucket": bucket_name, "rules": [{"applyServerSideEncryptionByDefault": default}]},
    )


def native_encryption(algorithm="aws:kms", key=KEY_ARN):
    default = {"sseAlgorithm": algorithm, **({"kmsMasterKeyId": key} if key else {})}
    return {"serverSideEncryptionConfiguration": [{"serverSideEncryptionByDefault": default}]}


def directory_bucket():
    return resource(
        DIRECTORY_BUCKET, "express", {"bucket": EXPRESS_NAME, "location": {"name": "use1-az4"}}
    )


def test_a_directory_bucket_without_sse_kms_is_refused_and_its_encrypted_twin_passes():
    result = analyze(POLICIES, [directory_bucket()])
    assert_violation(
        result,
        NAME,
        "directory bucket 'express' has no server-side encryption configuration, so S3 "
        "encrypts it with SSE-S3 (AES256); add an aws.s3.BucketServerSideEncryptionConfiguration",
        level="mandatory",
    )
    encrypted = [directory_bucket(), sse_config(EXPRESS_NAME)]
    assert_no_violations(analyze(POLICIES, encrypted), NAME)


def test_a_directory_bucket_linked_by_dependency_passes_beside_one_that_is_refused():
    bucket = resource(DIRECTORY_BUCKET, "express", {"bucket": UNKNOWN})
    default = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}
    config = resource(
        SSE,
        "express-sse",
        {"bucket": UNKNOWN, "rules": [{"applyServerSideEncryptionByDefault": default}]},
        property_dependencies={"bucket": [bucket]},
    )
    bare = resource(DIRECTORY_BUCKET, "scratch", {"bucket": "scratch--use1-az4--x-s3"})
    result = analyze(POLICIES, [bucket, config, bare])
    assert [v.urn for v in result.of(NAME)] == [bare.urn]
    assert_violation(result, NAME, "directory bucket 'scratch' has no server-side encryption")


@pytest.mark.parametrize(
    ("type_", "kind"), [(NATIVE_BUCKET, "bucket"), (NATIVE_DIRECTORY_BUCKET, "directory bucket")]
)
def test_an_aws_native_bucket_without_encryption_is_refused_in_its_own_names(type_, kind):
    bare = resource(type_, "native-artifacts", {"bucketName": "native-artifacts-dev"})
    assert_violation(
        analyze(POLICIES, [bare]),
        NAME,
        f"{kind} 'native-artifacts' has no server-side encryption configuration, so S3 encrypts "
        "it with SSE-S3 (AES256); set bucketEncryption.serverSideEncryptionConfiguration[0]."
        "serverSideEncryptionByDefault {sseAlgorithm: 'aws:kms', kmsMasterKeyId: <key ARN>}",
        level="mandatory",
    )
    encrypted = resource(type_, "native-artifacts", {"bucketEncryption": native_encryption()})
    assert_no_violations(analyze(POLICIES, [encrypted]), NAME)


def test_an_aws_native_bucket_with_sse_s3_or_an_aws_managed_key_is_refused():
    aes = resource(
        NATIVE_BUCKET, "native-artifacts", {"bucketEncryption": native_encryption("AES256", None)}
    )
    assert_violation(
        analyze(POLICIES, [aes]),
        NAME,
        "bucket 'native-artifacts': bucketEncryption.serverSideEncryptionConfiguration[0]."
        "serverSideEncryptionByDefault.sseAlgorithm is 'AES256', not SSE-KMS",
    )
    managed = resource(
        NATIVE_BUCKET,
        "native-artifacts",
        {"bucketEncryption": native_encryption(key="alias/aws/s3")},
    )
    assert_violation(
        analyze(POLICIES, [managed]),
        NAME,
        "serverSideEncryptionByDefault.kmsMasterKeyId is the AWS-managed key 'alias/aws/s3'",
    )


def test_an_aws_native_bucket_encryption_not_known_yet_is_not_passed():
    unknown = resource(NATIVE_BUCKET, "native-artifacts", {"bucketEncryption": UNKNOWN})
    assert_skipped(analyze(POLICIES, [unknown]), NAME, "native-artifacts")
    rules_unknown = resource(
        NATIVE_BUCKET,
        "native-artifacts",
        {"bucketEncryption": {"serverSideEncryptionConfiguration": UNKNOWN}},
    )
    assert_skipped(analyze(POLICIES, [rules_unknown]), NAME, "native-artifacts")


def test_an_aws_native_bucket_is_encrypted_by_a_linked_configuration_too():
    bucket = resource(NATIVE_BUCKET, "native-artifacts", {"bucketName": "native-artifacts-dev"})
    bare = resource(NATIVE_BUCKET, "native-logs", {"bucketName": "native-logs-dev"})
    result = analyze(POLICIES, [bucket, bare, sse_config("native-artifacts-dev")])
    assert [v.urn for v in result.of(NAME)] == [bare.urn]
    assert_violation(result, NAME, "bucket 'native-logs' has no server-side encryption")
