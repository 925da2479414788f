"""s3-bucket-versioning, s3-bucket-public-access-blocked, s3-bucket-tls-only."""

import json

from cicd_guardrails.rules.s3.bucket_hardening import POLICIES
from tests.support.analyzer_harness import (
    UNKNOWN,
    analyze,
    assert_no_violations,
    assert_skipped,
    assert_violation,
    resource,
)

VERSIONING = "s3-bucket-versioning"
PUBLIC = "s3-bucket-public-access-blocked"
TLS = "s3-bucket-tls-only"
BUCKET = "aws:s3/bucket:Bucket"
VERSIONING_TYPE = "aws:s3/bucketVersioning:BucketVersioning"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
BUCKET_ARN = "arn:aws:s3:::artifacts-dev"


def deny_insecure(condition_key="aws:SecureTransport", effect="Deny", value="false"):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowPipeline",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "s3:GetObject",
                "Resource": f"{BUCKET_ARN}/*",
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": effect,
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
                "Condition": {"Bool": {condition_key: value}},
            },
        ],
    }


def hardened(bucket_ref_unknown=False, status="Enabled", flags=None, policy=None):
    bucket = resource(BUCKET, "artifacts", {"bucket": "artifacts-dev"})
    ref = UNKNOWN if bucket_ref_unknown else "artifacts-dev"
    deps = {"bucket": [bucket]} if bucket_ref_unknown else None
    flags = flags if flags is not None else {f: True for f in FLAGS}
    document = json.dumps(policy if policy is not None else deny_insecure())
    return [
        bucket,
        resource(
            VERSIONING_TYPE,
            "artifacts-versioning",
            {"bucket": ref, "versioningConfiguration": {"status": status}},
            property_dependencies=deps,
        ),
        resource(PAB, "artifacts-pab", {"bucket": ref, **flags}, property_dependencies=deps),
        resource(
            POLICY,
            "artifacts-policy",
            {"bucket": ref, "policy": document},
            property_dependencies=deps,
        ),
    ]


def test_hardened_bucket_passes_by_name_and_by_dependency():
    assert_no_violations(analyze(POLICIES, hardened()))
    assert_no_violations(analyze(POLICIES, hardened(bucket_ref_unknown=True)))


def test_bare_bucket_is_refused_by_all_three():
    result = analyze(POLICIES, [resource(BUCKET, "scratch", {"bucket": "scratch"})])
    assert_violation(
        result,
        VERSIONING,
        ["bucket 'scratch' is not versioned", "BucketVersioning"],
        level="advisory",
    )
    assert_violation(
        result, PUBLIC, ["bucket 'scratch' has no BucketPublicAccessBlock", "all true"]
    )
    assert_violation(
        result,
        TLS,
        [
            "bucket 'scratch' has no bucket policy statement denying requests without TLS",
            "aws:SecureTransport",
        ],
    )


def test_inline_versioning_passes():
    bucket = resource(BUCKET, "artifacts", {"bucket": "a", "versioning": {"enabled": True}})
    assert_no_violations(analyze(POLICIES, [bucket]), VERSIONING)


def test_suspended_versioning_is_refused():
    result = analyze(POLICIES, hardened(status="Suspended"))
    assert_violation(
        result, VERSIONING, "versioningConfiguration.status is 'Suspended'; set it to 'Enabled'"
    )


def test_one_public_access_flag_off_is_refused():
    flags = {f: True for f in FLAGS} | {"restrictPublicBuckets": False}
    result = analyze(POLICIES, hardened(flags=flags))
    assert_violation(result, PUBLIC, ["artifacts-pab", "restrictPublicBuckets not true"])


def test_policy_with_allow_instead_of_deny_is_refused():
    assert_violation(
        analyze(POLICIES, hardened(policy=deny_insecure(effect="Allow"))), TLS, "artifacts"
    )


def test_condition_key_is_case_insensitive_and_value_may_be_boolean():
    assert_no_violations(
        analyze(POLICIES, hardened(policy=deny_insecure("AWS:securetransport", value=False))), TLS
    )


def test_policy_denying_true_transport_is_refused():
    assert_violation(
        analyze(POLICIES, hardened(policy=deny_insecure(value="true"))), TLS, "artifacts"
    )


def test_unlinkable_side_resource_skips_instead_of_refusing():
    bucket = resource(BUCKET, "artifacts", {"bucket": UNKNOWN})
    orphan = resource(
        VERSIONING_TYPE,
        "orphan",
        {"bucket": UNKNOWN, "versioningConfiguration": {"status": "Enabled"}},
    )
    result = analyze(POLICIES, [bucket, orphan])
    assert not result.of(VERSIONING)
    assert_skipped(result, VERSIONING, "artifacts")
