"""s3-sse-kms: SSE-KMS under a customer-managed key, inline or linked, with unknowns at preview."""

import pytest

from cicd_guardrails.rules.s3.bucket_encryption import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
    secret,
)

NAME = "s3-sse-kms"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
SSE_V2 = (
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
)
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def sse_rules(algorithm="aws:kms", key=KEY_ARN):
    default = {"sseAlgorithm": algorithm}
    if key is not None:
        default["kmsMasterKeyId"] = key
    return [{"applyServerSideEncryptionByDefault": default, "bucketKeyEnabled": True}]


def encrypted_by_name(bucket_name="artifacts-dev", **rule):
    bucket = resource(BUCKET, "artifacts", {"bucket": bucket_name})
    config = resource(SSE, "artifacts-sse", {"bucket": bucket_name, "rules": sse_rules(**rule)})
    return bucket, config


def test_bucket_linked_by_name_with_customer_managed_key_passes():
    assert_no_violations(analyze(POLICIES, encrypted_by_name()), NAME)


def test_bucket_linked_by_property_dependency_when_name_unknown_passes():
    bucket = resource(BUCKET, "artifacts", {"bucketPrefix": "artifacts-"})
    config = resource(
        SSE,
        "artifacts-sse",
        {"bucket": UNKNOWN, "rules": sse_rules(key=UNKNOWN)},
        property_dependencies={"bucket": [bucket]},
    )
    assert_no_violations(analyze(POLICIES, [bucket, config]), NAME)


@pytest.mark.parametrize(
    "key",
    [
        KEY_ARN,
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "mrk-1234abcd12ab34cd56ef1234567890ab",
        "alias/guarded-delivery-artifacts",
        "arn:aws:kms:us-east-1:123456789012:alias/guarded-delivery-artifacts",
        UNKNOWN,
        secret(KEY_ARN),
    ],
)
def test_customer_managed_key_references_pass(key):
    assert_no_violations(analyze(POLICIES, encrypted_by_name(key=key)), NAME)


def test_dsse_kms_passes():
    assert_no_violations(analyze(POLICIES, encrypted_by_name(algorithm="aws:kms:dsse")), NAME)


def test_v2_types_pass():
    bucket = resource(BUCKET_V2, "artifacts", {"bucket": "artifacts-dev"})
    config = resource(SSE_V2, "sse", {"bucket": "artifacts-dev", "rules": sse_rules()})
    assert_no_violations(analyze(POLICIES, [bucket, config]), NAME)


def test_aes256_is_refused_on_the_configuration():
    bucket, config = encrypted_by_name(algorithm="AES256", key=None)
    result = analyze(POLICIES, [bucket, config])
    assert_violation(
        result,
        NAME,
        [
            "artifacts-sse",
            "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is 'AES256'",
            "set sseAlgorithm to 'aws:kms'",
        ],
        urn=config.urn,
        level="mandatory",
    )


def test_aws_managed_alias_is_refused():
    result = analyze(POLICIES, encrypted_by_name(key="alias/aws/s3"))
    assert_violation(result, NAME, ["kmsMasterKeyId is the AWS-managed key 'alias/aws/s3'"])


def test_aws_managed_alias_arn_is_refused():
    key = "arn:aws:kms:us-east-1:123456789012:alias/aws/s3"
    assert_violation(analyze(POLICIES, encrypted_by_name(key=key)), NAME, "AWS-managed key")


def test_missing_key_id_is_refused():
    result = analyze(POLICIES, encrypted_by_name(key=None))
    assert_violation(result, NAME, ["kmsMasterKeyId is not set", "AWS-managed key"])


def test_malformed_key_is_refused():
    result = analyze(POLICIES, encrypted_by_name(key="my-key"))
    assert_violation(result, NAME, "'my-key', which is not a KMS key ARN, key id or alias")


def test_bucket_without_any_encryption_is_refused():
    bucket = resource(BUCKET, "logs", {"bucket": "logs-dev"})
    result = analyze(POLICIES, [bucket])
    assert_violation(
        result,
        NAME,
        [
            "bucket 'logs' has no server-side encryption configuration",
            "BucketServerSideEncryptionConfiguration",
        ],
        urn=bucket.urn,
    )


def test_rule_without_default_is_refused():
    bucket = resource(BUCKET, "artifacts", {"bucket": "a"})
    config = resource(SSE, "sse", {"bucket": "a", "rules": [{"bucketKeyEnabled": True}]})
    result = analyze(POLICIES, [bucket, config])
    assert_violation(result, NAME, "rules[0].applyServerSideEncryptionByDefault is not set")


def test_inline_bucket_configuration_with_kms_passes():
    inline = {
        "rule": {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": KEY_ARN,
            }
        }
    }
    bucket = resource(
        BUCKET, "artifacts", {"bucket": "a", "serverSideEncryptionConfiguration": inline}
    )
    assert_no_violations(analyze(POLICIES, [bucket]), NAME)


def test_inline_bucket_configuration_with_aes256_is_refused():
    inline = {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}}
    bucket = resource(
        BUCKET, "artifacts", {"bucket": "a", "serverSideEncryptionConfiguration": inline}
    )
    result = analyze(POLICIES, [bucket])
    assert_violation(
        result,
        NAME,
        "serverSideEncryptionConfiguration.rule[0].applyServerSideEncryptionByDefault.sseAlgorithm is 'AES256'",
    )


def test_inline_v2_list_shape_with_aws_managed_key_is_refused():
    inline = [
        {
            "rules": [
                {
                    "applyServerSideEncryptionByDefaults": [
                        {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "alias/aws/s3"}
                    ]
                }
            ]
        }
    ]
    bucket = resource(
        BUCKET_V2, "old", {"bucket": "b", "serverSideEncryptionConfigurations": inline}
    )
    result = analyze(POLICIES, [bucket])
    assert_violation(
        result,
        NAME,
        "serverSideEncryptionConfigurations[0].rules[0].applyServerSideEncryptionByDefaults.kmsMasterKeyId",
    )


def test_unknown_bucket_name_does_not_hide_a_second_unencrypted_bucket():
    linked = resource(BUCKET, "artifacts", {"bucket": UNKNOWN})
    config = resource(
        SSE,
        "artifacts-sse",
        {"bucket": UNKNOWN, "rules": sse_rules()},
        property_dependencies={"bucket": [linked]},
    )
    plain_bucket = resource(BUCKET, "scratch", {"bucket": "scratch-dev"})
    result = analyze(POLICIES, [linked, config, plain_bucket])
    assert_violation(
        result, NAME, "bucket 'scratch' has no server-side encryption", urn=plain_bucket.urn
    )
    assert not [v for v in result.of(NAME) if v.urn in (linked.urn, config.urn)]
    assert not result.skipped


def test_unlinkable_configuration_skips_instead_of_refusing_but_still_reports_known_problems():
    bucket = resource(BUCKET, "artifacts", {"bucket": UNKNOWN})
    orphan = resource(SSE, "orphan-sse", {"bucket": UNKNOWN, "rules": sse_rules()})
    bad = resource(
        SSE, "bad-sse", {"bucket": "other", "rules": sse_rules(algorithm="AES256", key=None)}
    )
    result = analyze(POLICIES, [bucket, orphan, bad])
    assert_violation(result, NAME, "bad-sse", urn=bad.urn)
    assert not [v for v in result.of(NAME) if v.urn == bucket.urn]
    assert_skipped(result, NAME, "artifacts")


def test_unknown_algorithm_is_reported_as_cannot_run_not_as_violation():
    bucket, config = encrypted_by_name(algorithm=UNKNOWN)
    result = analyze(POLICIES, [bucket, config])
    assert not result.of(NAME)
    assert_skipped(result, NAME, "sseAlgorithm")


def test_a_bucket_with_compliant_link_but_noncompliant_second_configuration_is_refused():
    bucket, good = encrypted_by_name()
    second = resource(
        SSE, "second-sse", {"bucket": "artifacts-dev", "rules": sse_rules(algorithm="AES256")}
    )
    assert_violation(analyze(POLICIES, [bucket, good, second]), NAME, "second-sse")
